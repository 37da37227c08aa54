package caps

import (
	"context"
	"encoding/xml"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/dataform"
	"github.com/causerie/causerie/core/xmpp/disco"
	"github.com/causerie/causerie/internal/testserver"
	"github.com/causerie/causerie/internal/xmpptest"
	"gosrc.io/xmpp/stanza"
)

func TestMain(m *testing.M) { testserver.Main(m) }

// XEP-0115 §1.2: Romeo's presence, and his client's disco#info answer at
// node#ver (the simple generation example of §5.2).
const (
	exPresence = `<presence from='romeo@montague.lit/orchard'>
  <c xmlns='http://jabber.org/protocol/caps'
     hash='sha-1'
     node='http://code.google.com/p/exodus'
     ver='QgayPKawpkPSDYmwT/WM94uAlu0='/>
</presence>`
	exSimple = `<iq from='romeo@montague.lit/orchard'
    id='disco1'
    to='juliet@capulet.lit/chamber'
    type='result'>
  <query xmlns='http://jabber.org/protocol/disco#info'
         node='http://code.google.com/p/exodus#QgayPKawpkPSDYmwT/WM94uAlu0='>
    <identity category='client' name='Exodus 0.9.1' type='pc'/>
    <feature var='http://jabber.org/protocol/caps'/>
    <feature var='http://jabber.org/protocol/disco#info'/>
    <feature var='http://jabber.org/protocol/disco#items'/>
    <feature var='http://jabber.org/protocol/muc'/>
  </query>
</iq>`
	// §5.3: the complex generation example (xml:lang identities and an
	// XEP-0128 software information form).
	exComplex = `<iq from='benvolio@capulet.lit/230193'
    id='disco1'
    to='juliet@capulet.lit/chamber'
    type='result'>
  <query xmlns='http://jabber.org/protocol/disco#info'
         node='http://psi-im.org#q07IKJEyjvHSyhy//CH0CxmKi8w='>
    <identity xml:lang='en' category='client' name='Psi 0.11' type='pc'/>
    <identity xml:lang='el' category='client' name='&#936; 0.11' type='pc'/>
    <feature var='http://jabber.org/protocol/caps'/>
    <feature var='http://jabber.org/protocol/disco#info'/>
    <feature var='http://jabber.org/protocol/disco#items'/>
    <feature var='http://jabber.org/protocol/muc'/>
    <x xmlns='jabber:x:data' type='result'>
      <field var='FORM_TYPE' type='hidden'>
        <value>urn:xmpp:dataforms:softwareinfo</value>
      </field>
      <field var='ip_version'>
        <value>ipv4</value>
        <value>ipv6</value>
      </field>
      <field var='os'>
        <value>Mac</value>
      </field>
      <field var='os_version'>
        <value>10.5.1</value>
      </field>
      <field var='software'>
        <value>Psi</value>
      </field>
      <field var='software_version'>
        <value>0.11</value>
      </field>
    </x>
  </query>
</iq>`
	// §4: a legacy-format <c/> (no hash) with ext.
	exLegacy = `<presence from='romeo@montague.lit/orchard'>
  <c xmlns='http://jabber.org/protocol/caps' node='http://exodus.jabberstudio.org/caps' ver='0.9' ext='ftrans xhtml'/>
</presence>`
)

const (
	verSimple  = "QgayPKawpkPSDYmwT/WM94uAlu0="
	verComplex = "q07IKJEyjvHSyhy//CH0CxmKi8w="
)

func info(t testing.TB, s string) disco.Info {
	t.Helper()
	var iq stanza.IQ
	if err := xml.Unmarshal([]byte(s), &iq); err != nil {
		t.Fatal(err)
	}
	i, ok := iq.Payload.(*disco.Info)
	if !ok {
		t.Fatalf("payload %T", iq.Payload)
	}
	return *i
}

func presence(t testing.TB, s string) *stanza.Presence {
	t.Helper()
	var p stanza.Presence
	if err := xml.Unmarshal([]byte(s), &p); err != nil {
		t.Fatal(err)
	}
	return &p
}

func TestGoldenVer(t *testing.T) {
	simple := info(t, exSimple)
	if v := Ver(simple); v != verSimple {
		t.Errorf("simple: %s, want %s", v, verSimple)
	}
	if s := verString(&simple); s != "client/pc//Exodus 0.9.1<http://jabber.org/protocol/caps<http://jabber.org/protocol/disco#info<"+
		"http://jabber.org/protocol/disco#items<http://jabber.org/protocol/muc<" {
		t.Errorf("S = %q", s)
	}
	complex := info(t, exComplex)
	if v := Ver(complex); v != verComplex {
		t.Errorf("complex: %s, want %s\nS = %q", v, verComplex, verString(&complex))
	}
	if want := "client/pc/el/Ψ 0.11<client/pc/en/Psi 0.11<http://jabber.org/protocol/caps<http://jabber.org/protocol/disco#info<" +
		"http://jabber.org/protocol/disco#items<http://jabber.org/protocol/muc<urn:xmpp:dataforms:softwareinfo<" +
		"ip_version<ipv4<ipv6<os<Mac<os_version<10.5.1<software<Psi<software_version<0.11<"; verString(&complex) != want {
		t.Errorf("S = %q\nwant %q", verString(&complex), want)
	}
	// Order of identities, features, forms, fields and values does not
	// matter.
	shuffled := complex
	shuffled.Identities = []disco.Identity{complex.Identities[1], complex.Identities[0]}
	shuffled.Features = []string{complex.Features[3], complex.Features[1], complex.Features[0], complex.Features[2]}
	f := complex.Forms[0]
	f.Fields = []dataform.Field{f.Fields[5], f.Fields[1], f.Fields[0], f.Fields[3], f.Fields[2], f.Fields[4]}
	f.Fields[1].Values = []string{"ipv6", "ipv4"}
	shuffled.Forms = []dataform.Form{f}
	if v := Ver(shuffled); v != verComplex {
		t.Errorf("shuffled: %s", v)
	}
	// The same S with SHA-256.
	if v, err := Hash(simple, "sha-256"); err != nil || len(v) != 44 || v == verSimple {
		t.Errorf("sha-256: %q, %v", v, err)
	}
	if _, err := Hash(simple, "md5"); !errors.Is(err, ErrUnsupportedHash) {
		t.Errorf("md5: %v", err)
	}
}

func TestVerify(t *testing.T) {
	simple, complex := info(t, exSimple), info(t, exComplex)
	if !Verify(simple, verSimple, "sha-1") || !Verify(complex, verComplex, "sha-1") {
		t.Fatal("examples do not verify")
	}
	if Verify(simple, verComplex, "sha-1") || Verify(simple, verSimple, "") || Verify(simple, verSimple, "md5") {
		t.Fatal("verified a wrong ver or hash")
	}
	// An added feature changes ver.
	more := simple
	more.Features = append(append([]string(nil), simple.Features...), "urn:xmpp:ping")
	if Verify(more, verSimple, "sha-1") {
		t.Error("extra feature verified")
	}
	// Ill-formed answers never verify, even with a matching hash (§5.4).
	dupFeat := simple
	dupFeat.Features = append(append([]string(nil), simple.Features...), simple.Features[0])
	if WellFormed(dupFeat) == nil || Verify(dupFeat, Ver(dupFeat), "sha-1") {
		t.Error("duplicate feature accepted")
	}
	dupID := simple
	dupID.Identities = append(append([]disco.Identity(nil), simple.Identities...), simple.Identities[0])
	if WellFormed(dupID) == nil || Verify(dupID, Ver(dupID), "sha-1") {
		t.Error("duplicate identity accepted")
	}
	dupForm := complex
	dupForm.Forms = []dataform.Form{complex.Forms[0], complex.Forms[0]}
	if WellFormed(dupForm) == nil || Verify(dupForm, Ver(dupForm), "sha-1") {
		t.Error("duplicate form accepted")
	}
	twoTypes := complex
	f := complex.Forms[0]
	f.Fields = append([]dataform.Field(nil), f.Fields...)
	f.Fields[0].Values = []string{"urn:a", "urn:b"}
	twoTypes.Forms = []dataform.Form{f}
	if WellFormed(twoTypes) == nil {
		t.Error("FORM_TYPE with two values accepted")
	}
	// A form whose FORM_TYPE is not hidden, or without FORM_TYPE, is
	// ignored: the hash is that of the info without it.
	ignored := simple
	ignored.Forms = []dataform.Form{
		{Type: "result", Fields: []dataform.Field{{Var: "FORM_TYPE", Values: []string{"urn:x"}}, {Var: "a", Values: []string{"b"}}}},
		{Type: "result", Fields: []dataform.Field{{Var: "a", Values: []string{"b"}}}},
	}
	if !Verify(ignored, verSimple, "sha-1") {
		t.Error("forms without a hidden FORM_TYPE were hashed")
	}
}

func TestPresenceExtension(t *testing.T) {
	c := FromPresence(presence(t, exPresence))
	if c == nil || c.Hash != "sha-1" || c.Node != "http://code.google.com/p/exodus" || c.Ver != verSimple {
		t.Fatalf("%+v", c)
	}
	if c.DiscoNode() != "http://code.google.com/p/exodus#"+verSimple {
		t.Fatal(c.DiscoNode())
	}
	l := FromPresence(presence(t, exLegacy))
	if l == nil || l.Hash != "" || l.Ver != "0.9" || l.Ext != "ftrans xhtml" {
		t.Fatalf("legacy %+v", l)
	}
	if FromPresence(presence(t, `<presence/>`)) != nil || FromPresence(nil) != nil {
		t.Fatal("caps from nothing")
	}

	// New builds the <c/> of §6.1 Example 2 from the simple info.
	b, err := xml.Marshal(New("http://code.google.com/p/exodus", info(t, exSimple)))
	if err != nil {
		t.Fatal(err)
	}
	want := `<c xmlns="http://jabber.org/protocol/caps" hash="sha-1" node="http://code.google.com/p/exodus" ver="` + verSimple + `"></c>`
	if string(b) != want {
		t.Fatalf("\n got %s\nwant %s", b, want)
	}
	// In a presence, and back.
	p := stanza.Presence{XMLName: xml.Name{Local: "presence"}, Extensions: []stanza.PresExtension{New("n", info(t, exSimple))}}
	b, _ = xml.Marshal(p)
	if c := FromPresence(presence(t, string(b))); c == nil || c.Ver != verSimple || c.Node != "n" {
		t.Fatalf("round trip %s", b)
	}
}

type memStore struct {
	mu    sync.Mutex
	m     map[verKey]*disco.Info
	saves int
}

func (s *memStore) Load(hash, ver string) (*disco.Info, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.m[verKey{hash, ver}]
	return i, ok
}

func (s *memStore) Save(hash, ver string, info *disco.Info) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[verKey{hash, ver}] = info
	s.saves++
}

func TestCacheStore(t *testing.T) {
	simple := info(t, exSimple)
	st := &memStore{m: map[verKey]*disco.Info{}}
	c := NewCache(st)
	if c.Put("sha-1", verComplex, &simple) {
		t.Fatal("Put accepted an info that does not match")
	}
	if !c.Put("sha-1", verSimple, &simple) || st.saves != 1 {
		t.Fatal("Put did not save")
	}
	// A new cache (next session) finds it in the store, without a network
	// round trip (conn is nil).
	c2 := NewCache(st)
	got, err := c2.Lookup(context.Background(), nil, "nurse@capulet.lit/chamber",
		&Caps{Hash: "sha-1", Node: "http://code.google.com/p/exodus", Ver: verSimple})
	if err != nil || got == nil || !got.Has("http://jabber.org/protocol/muc") {
		t.Fatalf("from store: %v, %v", got, err)
	}
	// A corrupted stored entry is not trusted.
	st.m[verKey{"sha-1", verComplex}] = &simple
	if _, ok := NewCache(st).Info("sha-1", verComplex); ok {
		t.Fatal("trusted a stored entry that does not verify")
	}
	if _, err := c2.Lookup(context.Background(), nil, "x@y/z", &Caps{Node: "n"}); !errors.Is(err, ErrNoCaps) {
		t.Fatalf("no ver: %v", err)
	}
}

func FuzzCaps(f *testing.F) {
	for _, s := range []string{exSimple, exComplex} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var iq stanza.IQ
		if xml.Unmarshal(data, &iq) != nil {
			return
		}
		if i, ok := iq.Payload.(*disco.Info); ok {
			v := Ver(*i)
			if WellFormed(*i) == nil && !Verify(*i, v, HashSHA1) {
				t.Fatalf("own ver does not verify: %q", verString(i))
			}
		}
	})
}

// ---- Integration ----

const testNode = "https://causerie.example/caps"

// peer is a client that answers disco#info with info and counts requests.
type peer struct {
	*xmpp.Conn
	requests atomic.Int32
}

func dial(t *testing.T, s *testserver.Server, h xmpp.Handler) *xmpp.Conn {
	return xmpptest.Dial(t, s, h)
}

// newPeer logs in a client that answers disco#info as described by
// answerInfo (with Handler), counting requests.
func newPeer(t *testing.T, s *testserver.Server, answerInfo disco.Info) *peer {
	p := &peer{}
	mux := &xmpp.Mux{}
	h := Handler(testNode, answerInfo)
	mux.HandleIQFunc(disco.NSInfo, "query", func(c *xmpp.Conn, iq *stanza.IQ) {
		p.requests.Add(1)
		h(c, iq)
	})
	p.Conn = dial(t, s, mux)
	return p
}

// newLiar logs in a client that answers disco#info at any node with
// answerInfo, whatever ver it advertised, counting requests.
func newLiar(t *testing.T, s *testserver.Server, answerInfo disco.Info) *peer {
	p := &peer{}
	mux := &xmpp.Mux{}
	mux.HandleIQFunc(disco.NSInfo, "query", func(c *xmpp.Conn, iq *stanza.IQ) {
		p.requests.Add(1)
		out := answerInfo
		out.Node = iq.Payload.(*disco.Info).Node
		c.SendResult(iq, &out)
	})
	p.Conn = dial(t, s, mux)
	return p
}

func ourInfo() disco.Info {
	return disco.Info{
		Identities: []disco.Identity{{Category: "client", Type: "pc", Name: "Causerie"}},
		Features:   []string{disco.NSInfo, NS, "urn:xmpp:ping", "jabber:iq:version"},
		Forms: []dataform.Form{{Type: "result", Fields: []dataform.Field{
			{Var: "FORM_TYPE", Type: dataform.Hidden, Values: []string{"urn:xmpp:dataforms:softwareinfo"}},
			{Var: "software", Values: []string{"Causerie"}},
			{Var: "software_version", Values: []string{"0.1"}},
		}}},
	}
}

func TestLookupBetweenClients(t *testing.T) {
	ctx := context.Background()
	s := testserver.Shared(t, testserver.Prosody, testserver.Options{})
	good := ourInfo()
	a := newPeer(t, s, good) // sends presence with caps
	c := newPeer(t, s, good) // same software: never asked
	liarInfo := ourInfo()
	liarInfo.Features = append(liarInfo.Features, "urn:xmpp:jingle:1")
	d := newLiar(t, s, liarInfo) // advertises a's ver, answers something else

	presences := make(chan *stanza.Presence, 4)
	bmux := &xmpp.Mux{}
	bmux.HandlePresenceFunc(func(_ *xmpp.Conn, p *stanza.Presence) { presences <- p })
	b := dial(t, s, bmux)
	cache := NewCache(nil)

	// a sends directed presence with caps to b.
	pres := stanza.Presence{XMLName: xml.Name{Local: "presence"}, Attrs: stanza.Attrs{To: b.JID()},
		Extensions: []stanza.PresExtension{New(testNode, good)}}
	if err := a.Send(pres); err != nil {
		t.Fatal(err)
	}
	var got *stanza.Presence
	select {
	case got = <-presences:
	case <-time.After(10 * time.Second):
		t.Fatal("no presence from a")
	}
	ac := FromPresence(got)
	if got.From != a.JID() || ac == nil || ac.Ver != Ver(good) || ac.Hash != HashSHA1 {
		t.Fatalf("presence %+v caps %+v", got, ac)
	}

	// d first: its answer does not match the ver, so it is not shared.
	dInfo, err := cache.Lookup(ctx, b, d.JID(), ac)
	if err != nil {
		t.Fatal(err)
	}
	if !dInfo.Has("urn:xmpp:jingle:1") || d.requests.Load() != 1 {
		t.Fatalf("d: %+v after %d requests", dInfo, d.requests.Load())
	}
	if _, ok := cache.Info(ac.Hash, ac.Ver); ok {
		t.Fatal("an unverified answer was cached for the ver")
	}

	// a, looked up concurrently several times: one request, verified.
	var wg sync.WaitGroup
	errs := make(chan error, 5)
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			i, err := cache.Lookup(ctx, b, a.JID(), ac)
			if err == nil && (i.Has("urn:xmpp:jingle:1") || !i.Has("urn:xmpp:ping")) {
				err = errors.New("wrong info for a")
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := a.requests.Load(); n != 1 {
		t.Fatalf("a was asked %d times", n)
	}
	if i, ok := cache.Info(ac.Hash, ac.Ver); !ok || i.Form("urn:xmpp:dataforms:softwareinfo") == nil {
		t.Fatalf("verified result not cached: %+v", i)
	}

	// c, same software: answered from the cache.
	if _, err := cache.Lookup(ctx, b, c.JID(), ac); err != nil || c.requests.Load() != 0 {
		t.Fatalf("c: %v, %d requests", err, c.requests.Load())
	}
	// d again: its own (unverified) answer, without asking again.
	if i, err := cache.Lookup(ctx, b, d.JID(), ac); err != nil || !i.Has("urn:xmpp:jingle:1") || d.requests.Load() != 1 {
		t.Fatalf("d again: %v, %d requests", err, d.requests.Load())
	}

	// Handler answers only its own caps node: item-not-found elsewhere.
	var se *xmpp.StanzaError
	if _, err := cache.Lookup(ctx, b, c.JID(), &Caps{Node: testNode, Ver: "0.1"}); !errors.As(err, &se) || se.Condition != "item-not-found" {
		t.Fatalf("other node: %v", err)
	}

	// A legacy <c/> (no hash) is cached for its entity only.
	e := newLiar(t, s, good)
	legacy := &Caps{Node: "http://exodus.jabberstudio.org/caps", Ver: "0.9"}
	for i := 0; i < 2; i++ {
		if li, err := cache.Lookup(ctx, b, e.JID(), legacy); err != nil || li.Node != legacy.DiscoNode() {
			t.Fatalf("legacy: %+v, %v", li, err)
		}
	}
	if e.requests.Load() != 1 {
		t.Fatalf("legacy entity asked %d times", e.requests.Load())
	}
	if _, ok := cache.Info("", "0.9"); ok {
		t.Fatal("legacy result shared")
	}
	cache.Forget(e.JID())
	if _, err := cache.Lookup(ctx, b, e.JID(), legacy); err != nil || e.requests.Load() != 2 {
		t.Fatalf("after Forget: %v, %d requests", err, e.requests.Load())
	}

	// Plain disco#info (no node) is answered with the same info.
	plain, err := disco.GetInfo(ctx, b, a.JID(), "")
	if err != nil || plain.Node != "" || !Verify(*plain, ac.Ver, HashSHA1) {
		t.Fatalf("plain disco: %+v, %v", plain, err)
	}
	// The answer at node#ver echoes the node.
	at, err := disco.GetInfo(ctx, b, a.JID(), ac.DiscoNode())
	if err != nil || at.Node != ac.DiscoNode() {
		t.Fatalf("node#ver: %+v, %v", at, err)
	}
}
