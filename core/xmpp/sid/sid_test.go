package sid

import (
	"context"
	"crypto/tls"
	"encoding/xml"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/disco"
	"github.com/causerie/causerie/internal/testserver"
	"gosrc.io/xmpp/stanza"
)

func TestMain(m *testing.M) { testserver.Main(m) }

// XEP-0359 §2.2: a message with an origin-id, and the same message after
// the MUC service added its stanza-id.
const (
	exOrigin = `<message xmlns='jabber:client'
         to='room@muc.example.org'
         type='groupchat'>
  <body>Typical body text</body>
  <origin-id xmlns='urn:xmpp:sid:0' id='de305d54-75b4-431b-adb2-eb6b9e546013'/>
</message>`
	exBoth = `<message xmlns='jabber:client'
         to='room@muc.example.org'
         type='groupchat'>
  <body>Typical body text</body>
  <stanza-id xmlns='urn:xmpp:sid:0'
             id='5f3dbc5e-e1d3-4077-a492-693f3769c7ad'
             by='room@muc.example.org'/>
  <origin-id xmlns='urn:xmpp:sid:0' id='de305d54-75b4-431b-adb2-eb6b9e546013'/>
</message>`
)

func decode(t testing.TB, s string) *stanza.Message {
	t.Helper()
	var m stanza.Message
	if err := xml.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return &m
}

func TestGolden(t *testing.T) {
	m := decode(t, exOrigin)
	if Origin(m) != "de305d54-75b4-431b-adb2-eb6b9e546013" || StanzaIDBy(m, "room@muc.example.org") != "" {
		t.Fatalf("origin example: %+v", m.Extensions)
	}
	m = decode(t, exBoth)
	if Origin(m) != "de305d54-75b4-431b-adb2-eb6b9e546013" {
		t.Fatal("origin-id lost")
	}
	if got := StanzaIDBy(m, "room@muc.example.org"); got != "5f3dbc5e-e1d3-4077-a492-693f3769c7ad" {
		t.Fatalf("stanza-id %q", got)
	}
	if got := StanzaIDBy(m, "Room@MUC.example.org"); got == "" {
		t.Fatal("case-folded by not matched")
	}
	// Only a stanza-id by the entity we trust counts.
	for _, by := range []string{"", "other@muc.example.org", "muc.example.org", "room@muc.example.org/nick"} {
		if got := StanzaIDBy(m, by); got != "" {
			t.Errorf("by %q → %q", by, got)
		}
	}
}

func TestDuplicateStanzaIDsIgnored(t *testing.T) {
	// At most one stanza-id per 'by' (XEP-0359 §3 rule 4): two is a forgery
	// that the stamping entity failed to strip, so none is trusted.
	s := strings.Replace(exBoth, "<body>", `<stanza-id xmlns='urn:xmpp:sid:0' id='forged' by='room@muc.example.org'/><body>`, 1)
	if got := StanzaIDBy(decode(t, s), "room@muc.example.org"); got != "" {
		t.Fatalf("got %q", got)
	}
}

func TestAddAndMarshal(t *testing.T) {
	m := stanza.NewMessage(stanza.Attrs{To: "room@muc.example.org", Type: stanza.MessageTypeGroupchat})
	m.Body = "Typical body text"
	Add(&m, "old")
	Add(&m, "de305d54-75b4-431b-adb2-eb6b9e546013")
	if m.Id != "de305d54-75b4-431b-adb2-eb6b9e546013" || len(m.Extensions) != 1 {
		t.Fatalf("%+v", m)
	}
	b, err := xml.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `<origin-id xmlns="urn:xmpp:sid:0" id="de305d54-75b4-431b-adb2-eb6b9e546013"></origin-id>`) {
		t.Fatalf("%s", b)
	}
	if Origin(decode(t, string(b))) != m.Id {
		t.Fatal("round trip")
	}
	b, _ = xml.Marshal(&StanzaID{ID: "x", By: "a@b"})
	if string(b) != `<stanza-id xmlns="urn:xmpp:sid:0" id="x" by="a@b"></stanza-id>` {
		t.Fatalf("%s", b)
	}
}

func TestNew(t *testing.T) {
	re := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		id := New()
		if !re.MatchString(id) || seen[id] {
			t.Fatalf("bad or repeated id %q", id)
		}
		seen[id] = true
	}
}

// Prosody (mod_mam) advertises urn:xmpp:sid:0 on the account, stamps a
// stanza-id by the recipient's bare JID, keeps the sender's origin-id and
// replaces a stanza-id the sender forged in the recipient's name. ejabberd
// here runs without mod_mam: no feature, no stamping — and a forged
// stanza-id passes through, which is why the feature must be checked.
func TestServerStanzaIDs(t *testing.T) {
	ctx := context.Background()
	for name, s := range map[string]*testserver.Server{
		"prosody":  testserver.Shared(t, testserver.Prosody, testserver.Options{}),
		"ejabberd": testserver.Shared(t, testserver.Ejabberd, testserver.Options{}),
	} {
		t.Run(name, func(t *testing.T) {
			cfg := func(jid, pass string, h xmpp.Handler) xmpp.Config {
				return xmpp.Config{JID: jid, Password: pass, Host: s.Host, Port: s.Port, Handler: h,
					TLSConfig: &tls.Config{RootCAs: s.CertPool}, ConnectTimeout: 20 * time.Second}
			}
			aj, ap := s.NewUser(t)
			bj, bp := s.NewUser(t)
			got := make(chan *stanza.Message, 4)
			mux := &xmpp.Mux{}
			mux.HandleMessageFunc(func(_ *xmpp.Conn, m *stanza.Message) { got <- m })
			b, err := xmpp.Dial(ctx, cfg(bj, bp, mux))
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			b.SendRaw([]byte("<presence/>"))
			a, err := xmpp.Dial(ctx, cfg(aj, ap, nil))
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()

			info, err := disco.GetInfo(ctx, b, bj, "")
			if err != nil {
				t.Fatal(err)
			}
			stamps := info.Has(NS)

			send := func(forge bool) *stanza.Message {
				t.Helper()
				m := stanza.NewMessage(stanza.Attrs{To: bj, Type: stanza.MessageTypeChat})
				m.Body = "hello"
				id := New()
				Add(&m, id)
				if forge {
					m.Extensions = append(m.Extensions, &StanzaID{XMLName: xml.Name{Space: NS, Local: "stanza-id"}, ID: "forged", By: bj})
				}
				if err := a.Send(m); err != nil {
					t.Fatal(err)
				}
				select {
				case r := <-got:
					if Origin(r) != id || r.Id != id {
						t.Fatalf("origin-id/id not preserved: id=%q origin=%q", r.Id, Origin(r))
					}
					return r
				case <-time.After(10 * time.Second):
					t.Fatal("message not delivered")
				}
				return nil
			}
			r := send(false)
			sidBy := StanzaIDBy(r, bj)
			t.Logf("%s: account advertises %s=%v; stanza-id by recipient = %q", name, NS, stamps, sidBy)
			if stamps != (sidBy != "") {
				t.Fatalf("feature %v but stanza-id %q", stamps, sidBy)
			}

			r = send(true)
			n := 0
			for _, e := range r.Extensions {
				if x, ok := e.(*StanzaID); ok && x.By == bj {
					n++
				}
			}
			sidBy = StanzaIDBy(r, bj)
			t.Logf("%s: with a forged stanza-id: %d stanza-ids by the recipient arrive; StanzaIDBy = %q", name, n, sidBy)
			if stamps && sidBy == "forged" {
				t.Fatal("forged stanza-id trusted")
			}
		})
	}
}
