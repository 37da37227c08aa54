package core

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/caps"
	"github.com/causerie/causerie/core/xmpp/chatstate"
	"github.com/causerie/causerie/core/xmpp/correct"
	"github.com/causerie/causerie/core/xmpp/disco"
	"github.com/causerie/causerie/core/xmpp/receipts"
	"github.com/causerie/causerie/internal/testserver"
)

func TestOwnDiscoInfo(t *testing.T) {
	c := &Client{opts: Options{ClientVersion: "1.0"}}
	info := c.discoInfo()
	if len(info.Identities) != 1 || info.Identities[0] != (disco.Identity{Category: "client", Type: "pc", Name: "Causerie"}) {
		t.Fatalf("identity %+v", info.Identities)
	}
	if err := caps.WellFormed(info); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{disco.NSInfo, caps.NS, chatstate.NS, receipts.NS} {
		if !info.Has(f) {
			t.Errorf("missing %s", f)
		}
	}
	if info.Has(nsXHTMLIM) != slices.Contains(clientFeatures, nsXHTMLIM) {
		t.Error("xhtml-im")
	}
	f := featuresOf(&info)
	if !f.ChatStates || !f.Receipts || !f.Corrections || !f.Version || !f.Avatars ||
		!reflect.DeepEqual(f.Identities, []string{"Causerie (client/pc)"}) || !slices.IsSorted(f.All) {
		t.Fatalf("features %+v", f)
	}
	if v := c.versionInfo(); v.Name != "Causerie" || v.Version != "1.0" || v.OS == "" {
		t.Fatalf("version %+v", v)
	}
	c.SetHideOS(true)
	if v := c.versionInfo(); v.OS != "" {
		t.Fatalf("OS not hidden: %+v", v)
	}
}

func TestCapsStoreRoundTrip(t *testing.T) {
	st, err := history.Open(filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cs := capsStore{store: st, logf: t.Logf}
	c := &Client{}
	info := c.discoInfo()
	info.Node = capsNode + "#x"
	ver := caps.Ver(info)
	if _, ok := cs.Load(caps.HashSHA1, ver); ok {
		t.Fatal("loaded before saving")
	}
	cs.Save(caps.HashSHA1, ver, &info)
	got, ok := cs.Load(caps.HashSHA1, ver)
	if !ok || !caps.Verify(*got, ver, caps.HashSHA1) || got.Node != "" {
		t.Fatalf("loaded %+v", got)
	}
	// A cache over the store trusts it (after checking the hash again).
	if _, ok := caps.NewCache(cs).Info(caps.HashSHA1, ver); !ok {
		t.Fatal("cache does not use the store")
	}
}

// TestSoftwareVersionAndFeatures: two Causerie clients ask each other
// which software they run and what it supports; capabilities come from
// XEP-0115 caps, asked once, then from the cache, then (after a restart)
// from the history database.
func TestSoftwareVersionAndFeatures(t *testing.T) { bothServers(t, testSoftwareVersionAndFeatures) }

func testSoftwareVersionAndFeatures(t *testing.T, srv *testserver.Server) {
	ctx := context.Background()
	a, b := newUser(t, srv), newUser(t, srv)
	b.client.opts.ClientVersion = "1.2.3"
	a.connect()
	b.connect()
	mutual(t, a, b)
	a.rec.Wait(t, "a sees b online", contactIs(a, b.jid, Contact.Online))
	bFull := b.s.JID()

	v, err := a.s.SoftwareVersion(ctx, bFull)
	if err != nil || v != (SoftwareVersion{Name: "Causerie", Version: "1.2.3", OS: osName()}) {
		t.Fatalf("version %+v %v", v, err)
	}
	b.client.SetHideOS(true)
	if v, err = a.s.SoftwareVersion(ctx, bFull); err != nil || v.OS != "" || v.Name != "Causerie" {
		t.Fatalf("version without OS %+v %v", v, err)
	}
	// Another request to a client is still refused.
	var se *xmpp.StanzaError
	if _, err := disco.GetItems(ctx, connOf(a), bFull, ""); !errors.As(err, &se) || se.Condition != "service-unavailable" {
		t.Fatalf("disco#items: %v", err)
	}

	f, err := a.s.Features(ctx, bFull)
	if err != nil {
		t.Fatal(err)
	}
	if !f.ChatStates || !f.Receipts || !f.Corrections || !f.Version || f.XHTMLIM != slices.Contains(clientFeatures, nsXHTMLIM) ||
		!reflect.DeepEqual(f.Identities, []string{"Causerie (client/pc)"}) {
		t.Fatalf("features %+v", f)
	}
	if n := b.s.caps.servedTo(a.s.JID()); n != 1 {
		t.Fatalf("b answered %d disco#info requests from a, want 1", n)
	}
	f2, err := a.s.Features(ctx, b.jid) // bare: the best resource
	if err != nil || !reflect.DeepEqual(f2, f) {
		t.Fatalf("second call %+v %v", f2, err)
	}
	if n := b.s.caps.servedTo(a.s.JID()); n != 1 {
		t.Fatalf("second call asked again: %d", n)
	}
	if !a.s.supports(bFull, receipts.NS) || !a.s.supports(b.jid, correct.NS) || a.s.supports(bFull, "urn:example:nope") {
		t.Fatal("supports")
	}
	if a.s.supports("nobody@"+srv.Domain, receipts.NS) {
		t.Fatal("supports a stranger")
	}

	// After a restart the capabilities come from the history database.
	a.client.Close()
	a.client.Store().Close()
	a2 := newEnv(t, srv, a.jid, a.pass, a.dir)
	a2.connect()
	a2.rec.Wait(t, "a2 sees b online", contactIs(a2, b.jid, Contact.Online))
	f3, err := a2.s.Features(ctx, bFull)
	if err != nil || !reflect.DeepEqual(f3, f) {
		t.Fatalf("after restart %+v %v", f3, err)
	}
	if n := b.s.caps.servedTo(a2.s.JID()); n != 0 {
		t.Fatalf("asked again after restart: %d", n)
	}

	// A resource not in the roster (our own other one) is asked directly.
	a3 := newEnv(t, srv, a.jid, a.pass, "")
	a3.connect()
	f4, err := a3.s.Features(ctx, a2.s.JID())
	if err != nil || !reflect.DeepEqual(f4, f) || a2.s.caps.servedTo(a3.s.JID()) != 1 {
		t.Fatalf("direct disco#info %+v %v", f4, err)
	}
	if _, err := a3.s.Features(ctx, "nobody@"+srv.Domain); err == nil {
		t.Fatal("features of someone offline")
	}
}
