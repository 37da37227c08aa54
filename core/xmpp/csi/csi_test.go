package csi

import (
	"context"
	"encoding/xml"
	"testing"
	"time"

	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/internal/testserver"
	"github.com/causerie/causerie/internal/xmpptest"
	"gosrc.io/xmpp/stanza"
)

func TestMain(m *testing.M) { testserver.Main(m) }

const examples = "testdata/xep-0352-examples.xml"

// TestIndications: what we write is the XEP's examples 2 and 3.
func TestIndications(t *testing.T) {
	for n, active := range map[string]bool{"2": false, "3": true} {
		b, err := xml.Marshal(State(active))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := xmpptest.Canon(string(b)), xmpptest.Canon(xmpptest.Example(t, examples, n)); got != want {
			t.Errorf("example %s:\n got %s\nwant %s", n, got, want)
		}
	}
}

// TestHeldWhileInactive, on both servers: they offer CSI; while A says
// it is inactive, B's presence change is held back (Prosody's
// csi_simple, ejabberd's mod_client_state); when A is active again it
// comes before the answer to A's next request (§5.1, example 4).
func TestHeldWhileInactive(t *testing.T) {
	for name, srv := range xmpptest.Servers(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			presences := make(chan string, 100)
			aJID, aPass := srv.NewUser(t)
			bJID, bPass := srv.NewUser(t)
			mux := &xmpp.Mux{}
			mux.HandlePresenceFunc(func(_ *xmpp.Conn, p *stanza.Presence) {
				if xmpp.BareJID(p.From) == bJID {
					presences <- p.Status
				}
			})
			b := xmpptest.DialAs(t, srv, bJID, bPass, "b", nil)
			a := xmpptest.DialAs(t, srv, aJID, aPass, "a", mux)
			if !Offered(a) {
				t.Fatal("CSI not offered")
			}
			// B lets A see its presence (directed presence: no roster
			// needed) once A is available.
			if err := a.Send(&stanza.Presence{XMLName: xml.Name{Local: "presence"}}); err != nil {
				t.Fatal(err)
			}
			say := func(status string) {
				p := stanza.Presence{XMLName: xml.Name{Local: "presence"}, Attrs: stanza.Attrs{To: a.JID()}, Status: status}
				if err := b.Send(&p); err != nil {
					t.Fatal(err)
				}
			}
			say("here")
			waitStatus(t, presences, "here")

			// Nothing from A after <inactive/>: the answer to a request
			// of A's would count as activity (Prosody then flushes and
			// stays active 5 s). A nonza has no answer: a moment lets
			// the server read it before B's presence.
			if err := Send(a, false); err != nil {
				t.Fatal(err)
			}
			time.Sleep(200 * time.Millisecond)
			say("away for lunch")
			if err := b.Ping(ctx, srv.Domain); err != nil {
				t.Fatal(err)
			}
			select {
			case s := <-presences:
				t.Fatalf("presence %q came while A was inactive", s)
			case <-time.After(time.Second):
			}
			if err := Send(a, true); err != nil {
				t.Fatal(err)
			}
			if err := a.Ping(ctx, srv.Domain); err != nil {
				t.Fatal(err)
			}
			select {
			case s := <-presences:
				if s != "away for lunch" {
					t.Fatalf("presence %q", s)
				}
			default:
				t.Fatal("the held presence did not come before the ping's answer")
			}
		})
	}
}

func waitStatus(t *testing.T, ch <-chan string, want string) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case s := <-ch:
			if s == want {
				return
			}
		case <-deadline:
			t.Fatalf("no presence %q", want)
		}
	}
}
