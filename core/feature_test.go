package core

import (
	"context"
	"encoding/xml"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/internal/testserver"
	"gosrc.io/xmpp/stanza"
)

const probeNS = "urn:causerie:test:probe"

// probePeer is where the probe keeps the messages it takes.
const probePeer = "room@probe.example.test"

// probe is a feature that records what the hook tells it: the stanzas it
// claims (IQs in probeNS, messages in the thread "probe", presences with
// the status "probe") and the session's life cycle.
type probe struct {
	hook *Hook

	mu       sync.Mutex
	phases   []string
	messages []string
	stored   []string // "new" or "dup", as Hook.Store said
	statuses []string
	iqs      int
}

func (p *probe) record(list *[]string, v string) {
	p.mu.Lock()
	*list = append(*list, v)
	p.mu.Unlock()
}

func (p *probe) seen() (phases, messages, statuses []string, iqs int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.phases), slices.Clone(p.messages), slices.Clone(p.statuses), p.iqs
}

func newProbeFeature() *Feature {
	return &Feature{Name: "probe", Attach: func(h *Hook) any {
		p := &probe{hook: h}
		h.HandleIQ(probeNS, "query", func(c *xmpp.Conn, iq *stanza.IQ) {
			p.mu.Lock()
			p.iqs++
			p.mu.Unlock()
			c.SendResult(iq, nil)
		})
		h.HandleMessage(func(c *xmpp.Conn, m *stanza.Message) bool {
			if m.Thread != "probe" {
				return false
			}
			p.record(&p.messages, m.Body)
			// Kept through the session's burst, under a peer of its own.
			hm := &history.Message{Account: h.Account(), Peer: probePeer, Resource: "sonde", Direction: history.In,
				Type: "groupchat", Body: m.Body, OriginID: "probe-1", Sent: time.Now(), State: history.StateReceived}
			h.Store(c, hm, func(dup bool) {
				if dup {
					p.record(&p.stored, "dup")
				} else {
					p.record(&p.stored, "new")
				}
			})
			return true
		})
		h.HandlePresence(func(_ *xmpp.Conn, pr *stanza.Presence) bool {
			if pr.Status != "probe" {
				return false
			}
			p.record(&p.statuses, pr.Status)
			return true
		})
		h.OnOnline(func(_ context.Context, conn *xmpp.Conn) {
			if conn == nil {
				p.record(&p.phases, "online without a connection")
			}
			p.record(&p.phases, "online")
		})
		h.OnInterrupted(func() { p.record(&p.phases, "interrupted") })
		h.OnResumed(func(*xmpp.Conn) { p.record(&p.phases, "resumed") })
		h.OnOffline(func() { p.record(&p.phases, "offline") })
		return p
	}}
}

// TestFeatureHook: a feature plugged into a session gets the IQs, messages
// and presences it claims — and the session does nothing more with them —
// and hears the session come online, be interrupted, be resumed and go
// offline.
func TestFeatureHook(t *testing.T) {
	srv := prosody(t)
	f := newProbeFeature()
	jid, pass := srv.NewUser(t)
	a := newEnvWith(t, srv, jid, pass, "", func(o *Options) {
		o.ResumeTimeout = 30 * time.Second
		o.Features = []*Feature{f}
	})
	px := viaProxy(t, a)
	b := newUser(t, srv)
	a.connect()
	b.connect()
	mutual(t, a, b)
	p, ok := a.s.Feature(f).(*probe)
	if !ok {
		t.Fatalf("Feature gave %T", a.s.Feature(f))
	}
	if b.s.Feature(f) != nil {
		t.Fatal("a client without the feature has it")
	}
	if phases, _, _, _ := p.seen(); !slices.Equal(phases, []string{"online"}) {
		t.Fatalf("phases after signing in: %q", phases)
	}

	// An IQ request in the feature's namespace is answered by it.
	ctx := context.Background()
	aFull := connOf(a).JID()
	req := &stanza.IQ{XMLName: xml.Name{Local: "iq"}, Attrs: stanza.Attrs{Type: stanza.IQTypeGet, To: aFull},
		Any: &stanza.Node{XMLName: xml.Name{Space: probeNS, Local: "query"}}}
	reply, err := connOf(b).SendIQ(ctx, req)
	if err != nil || reply.Type != stanza.IQTypeResult {
		t.Fatalf("probe IQ: %v %+v", err, reply)
	}

	// A claimed message is the feature's (sent twice, it is kept once,
	// through Hook.Store); the one after it is the session's.
	mark := a.rec.Mark()
	bc := connOf(b)
	for _, m := range []stanza.Message{
		{Attrs: stanza.Attrs{To: aFull, Type: stanza.MessageTypeChat}, Body: "pour la sonde", Thread: "probe"},
		{Attrs: stanza.Attrs{To: aFull, Type: stanza.MessageTypeChat}, Body: "pour la sonde", Thread: "probe"},
		{Attrs: stanza.Attrs{To: aFull, Type: stanza.MessageTypeChat}, Body: "pour la session"},
	} {
		if err := bc.Send(m); err != nil {
			t.Fatal(err)
		}
	}
	a.rec.WaitFrom(t, mark, "the session's message", receivedBody("pour la session"))
	if got := bodiesWith(t, a, b.jid); !slices.Equal(got, []string{"pour la session"}) {
		t.Errorf("history %q: the claimed message was stored", got)
	}

	// Likewise a presence.
	for _, status := range []string{"probe", "ordinaire"} {
		if err := bc.Send(stanza.Presence{Attrs: stanza.Attrs{To: a.jid}, Status: status}); err != nil {
			t.Fatal(err)
		}
	}
	a.rec.WaitFrom(t, mark, "the session's presence", func(ev Event) bool {
		pc, ok := ev.(PresenceChanged)
		return ok && len(pc.Contact.Resources) > 0 && pc.Contact.Resources[0].Status == "ordinaire"
	})
	for _, ev := range a.rec.Since(mark) {
		if pc, ok := ev.(PresenceChanged); ok {
			for _, r := range pc.Contact.Resources {
				if r.Status == "probe" {
					t.Errorf("the session took the claimed presence: %+v", pc)
				}
			}
		}
	}
	if _, msgs, statuses, iqs := p.seen(); !slices.Equal(msgs, []string{"pour la sonde", "pour la sonde"}) || !slices.Equal(statuses, []string{"probe"}) || iqs != 1 {
		t.Errorf("the feature saw messages %q, presences %q, %d IQs", msgs, statuses, iqs)
	}
	p.mu.Lock()
	stored := slices.Clone(p.stored)
	p.mu.Unlock()
	if !slices.Equal(stored, []string{"new", "dup"}) {
		t.Errorf("Hook.Store said %q, want new then dup", stored)
	}
	if got := bodiesWith(t, a, probePeer); !slices.Equal(got, []string{"pour la sonde"}) {
		t.Errorf("the feature's history %q", got)
	}

	// The link drops and is resumed; then the user signs out.
	mark = a.rec.Mark()
	px.Refuse(true)
	px.Cut()
	a.rec.WaitFrom(t, mark, "a resuming", isState(StateReconnecting))
	px.Refuse(false)
	a.rec.WaitFrom(t, mark, "a resumed", isState(StateOnline))
	a.s.Disconnect()
	want := []string{"online", "interrupted", "resumed", "offline"}
	if phases, _, _, _ := p.seen(); !slices.Equal(phases, want) {
		t.Errorf("phases %q, want %q", strings.Join(phases, " "), strings.Join(want, " "))
	}

	// Registering outside Attach is a programming error.
	defer func() {
		if recover() == nil {
			t.Error("a feature registered after Attach")
		}
	}()
	p.hook.OnOffline(func() {})
}

// TestSessionAnswersThroughMux: the session's own IQs (software version,
// disco#info, roster pushes) go through the same router as the features';
// an unknown request gets service-unavailable.
func TestSessionAnswersThroughMux(t *testing.T) {
	srv := testserver.Shared(t, testserver.Ejabberd, testserver.Options{})
	a, b := newUser(t, srv), newUser(t, srv)
	a.connect()
	b.connect()
	ctx := context.Background()
	req := &stanza.IQ{XMLName: xml.Name{Local: "iq"}, Attrs: stanza.Attrs{Type: stanza.IQTypeGet, To: connOf(a).JID()},
		Any: &stanza.Node{XMLName: xml.Name{Space: probeNS, Local: "query"}}}
	if _, err := connOf(b).SendIQ(ctx, req); !isCondition(err, "service-unavailable") {
		t.Fatalf("unknown request: %v", err)
	}
	v, err := b.s.SoftwareVersion(ctx, connOf(a).JID())
	if err != nil || v.Name != "Causerie" {
		t.Fatalf("version %+v %v", v, err)
	}
}

func isCondition(err error, cond string) bool {
	var se *xmpp.StanzaError
	return errors.As(err, &se) && se.Condition == cond
}

// TestHTTPSRedirect: a GET follows up to 3 redirects to https; a PUT
// (which Go would turn into a GET, and look sent) follows none, nor does
// anything to http.
func TestHTTPSRedirect(t *testing.T) {
	req := func(method, u string) *http.Request {
		r, err := http.NewRequest(method, u, nil)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	get, put := req(http.MethodGet, "https://a.example/x"), req(http.MethodPut, "https://a.example/x")
	for _, c := range []struct {
		to   string
		via  []*http.Request
		want error
	}{
		{"https://b.example/y", []*http.Request{get}, nil},
		{"http://b.example/y", []*http.Request{get}, http.ErrUseLastResponse},
		{"https://b.example/y", []*http.Request{put}, http.ErrUseLastResponse},
		{"https://b.example/y", []*http.Request{get, get, get}, http.ErrUseLastResponse},
	} {
		if got := httpsRedirect(req(http.MethodGet, c.to), c.via); got != c.want {
			t.Errorf("to %s after %s×%d: %v, want %v", c.to, c.via[0].Method, len(c.via), got, c.want)
		}
	}
}
