package correct

import (
	"context"
	"crypto/tls"
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/internal/testserver"
	"gosrc.io/xmpp/stanza"
)

func TestMain(m *testing.M) { testserver.Main(m) }

// XEP-0308 §3, Examples 3 and 4: a message with a mistake, and its
// correction.
const (
	ex3 = `<message to='juliet@capulet.net/balcony' id='bad1'>
  <body>But soft, what light through yonder airlock breaks?</body>
</message>`
	ex4 = `<message to='juliet@capulet.net/balcony' id='good1'>
  <body>But soft, what light through yonder window breaks?</body>
  <replace id='bad1' xmlns='urn:xmpp:message-correct:0'/>
</message>`
)

func decode(t testing.TB, s string) stanza.Message {
	t.Helper()
	var m stanza.Message
	if err := xml.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("%v in %s", err, s)
	}
	return m
}

func marshal(t testing.TB, v any) string {
	t.Helper()
	b, err := xml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestGolden(t *testing.T) {
	if id, ok := Of(decode(t, ex3)); ok {
		t.Fatalf("example 3 corrects %q", id)
	}
	m := decode(t, ex4)
	if id, ok := Of(m); !ok || id != "bad1" || m.Body != "But soft, what light through yonder window breaks?" {
		t.Fatalf("example 4: %q %v %+v", id, ok, m)
	}

	// Building example 4 from example 3.
	c := decode(t, ex3)
	c.Id = "good1"
	c.Body = "But soft, what light through yonder window breaks?"
	Replace(&c, "bad1")
	got := marshal(t, c)
	want := `<message id="good1" to="juliet@capulet.net/balcony"><body>But soft, what light through yonder window breaks?</body>` +
		`<replace xmlns="urn:xmpp:message-correct:0" id="bad1"></replace></message>`
	if got != want {
		t.Fatalf("correction:\n got %s\nwant %s", got, want)
	}
	back := decode(t, got)
	if id, _ := Of(back); id != "bad1" || back.Id != m.Id || back.Body != m.Body || back.To != m.To {
		t.Fatalf("round trip %+v", back)
	}
}

func TestReplace(t *testing.T) {
	// A correction always has an id of its own.
	for _, id := range []string{"", "bad1"} {
		m := stanza.NewMessage(stanza.Attrs{To: "juliet@capulet.net/balcony", Id: id})
		m.Body = "fixed"
		Replace(&m, "bad1")
		if m.Id == "" || m.Id == "bad1" {
			t.Fatalf("id %q", m.Id)
		}
		if got, ok := Of(m); !ok || got != "bad1" {
			t.Fatalf("Of %q %v", got, ok)
		}
	}
	// Correcting again replaces the element; it still names the original.
	m := stanza.NewMessage(stanza.Attrs{Id: "good2"})
	Replace(&m, "good1")
	Replace(&m, "bad1")
	if s := marshal(t, m); strings.Count(s, NS) != 1 {
		t.Fatalf("%s", s)
	}
	if got, _ := Of(m); got != "bad1" {
		t.Fatalf("Of %q", got)
	}
}

func TestOfRejects(t *testing.T) {
	for _, s := range []string{
		`<message id='x'><replace xmlns='urn:xmpp:message-correct:0'/></message>`,              // no id
		`<message id='x'><replace xmlns='urn:xmpp:message-correct:0' id=''/></message>`,        // empty id
		`<message id='x'><replace xmlns='urn:xmpp:message-correct:0' id='x'/></message>`,       // itself
		`<message type='error'><replace xmlns='urn:xmpp:message-correct:0' id='a'/></message>`, // a bounce
		`<message><replace xmlns='urn:xmpp:message-correct:1' id='a'/></message>`,              // other version
	} {
		if id, ok := Of(decode(t, s)); ok {
			t.Errorf("%s: %q", s, id)
		}
	}
}

func TestValid(t *testing.T) {
	direct := func(j string) From { return From{JID: j} }
	room := func(j string) From { return From{JID: j, MUC: true, Session: 1} }
	for _, c := range []struct {
		name       string
		orig, corr From
		want       bool
	}{
		{"same full JID", direct("romeo@montague.net/orchard"), direct("romeo@montague.net/orchard"), true},
		{"other resource, same account", direct("romeo@montague.net/orchard"), direct("romeo@montague.net/phone"), true},
		{"case of the bare JID", direct("Romeo@Montague.net/orchard"), direct("romeo@montague.net/orchard"), true},
		{"bare JID", direct("romeo@montague.net"), direct("romeo@montague.net/orchard"), true},
		{"other account", direct("romeo@montague.net/orchard"), direct("tybalt@capulet.net/orchard"), false},
		{"empty", direct(""), direct(""), false},

		{"same occupant", room("room@muc.lit/romeo"), room("room@muc.lit/romeo"), true},
		{"other nick", room("room@muc.lit/romeo"), room("room@muc.lit/tybalt"), false},
		{"nick case differs", room("room@muc.lit/romeo"), room("room@muc.lit/Romeo"), false},
		{"room JID only", room("room@muc.lit"), room("room@muc.lit"), false},
		{"rejoined", room("room@muc.lit/romeo"), From{JID: "room@muc.lit/romeo", MUC: true, Session: 2}, false},
		{"room then direct", room("room@muc.lit/romeo"), direct("room@muc.lit/romeo"), false},
		{"same real JID",
			From{JID: "room@muc.lit/romeo", MUC: true, RealJID: "romeo@montague.net/orchard"},
			From{JID: "room@muc.lit/romeo", MUC: true, RealJID: "romeo@montague.net/phone"}, true},
		{"other real JID",
			From{JID: "room@muc.lit/romeo", MUC: true, RealJID: "romeo@montague.net"},
			From{JID: "room@muc.lit/romeo", MUC: true, RealJID: "tybalt@capulet.net"}, false},
		{"real JID known on one side only",
			From{JID: "room@muc.lit/romeo", MUC: true},
			From{JID: "room@muc.lit/romeo", MUC: true, RealJID: "romeo@montague.net"}, false},
		{"same occupant id",
			From{JID: "room@muc.lit/romeo", MUC: true, OccupantID: "dd72603d"},
			From{JID: "room@muc.lit/romeo", MUC: true, OccupantID: "dd72603d"}, true},
		{"other occupant id",
			From{JID: "room@muc.lit/romeo", MUC: true, OccupantID: "dd72603d"},
			From{JID: "room@muc.lit/romeo", MUC: true, OccupantID: "6bd5b2a0"}, false},
	} {
		if got := Valid(c.orig, c.corr); got != c.want {
			t.Errorf("%s: Valid = %v", c.name, got)
		}
	}
}

// On Prosody: A sends a message and corrects it; B reads the correction
// and accepts it; A's second resource may correct it too; another user
// naming the same id may not.
func TestCorrectionBetweenClients(t *testing.T) {
	s := testserver.Shared(t, testserver.Prosody, testserver.Options{})
	dial := func(jid, pass string, h xmpp.Handler) *xmpp.Conn {
		c, err := xmpp.Dial(context.Background(), xmpp.Config{JID: jid, Password: pass, Host: s.Host, Port: s.Port,
			Handler: h, TLSConfig: &tls.Config{RootCAs: s.CertPool}, ConnectTimeout: 20 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	aj, ap := s.NewUser(t)
	bj, bp := s.NewUser(t)
	cj, cp := s.NewUser(t)
	got := make(chan *stanza.Message, 8)
	mux := &xmpp.Mux{}
	mux.HandleMessageFunc(func(_ *xmpp.Conn, m *stanza.Message) { got <- m })
	b := dial(bj, bp, mux)
	a1, a2, c := dial(aj, ap, nil), dial(aj, ap, nil), dial(cj, cp, nil)
	if a1.JID() == a2.JID() {
		t.Fatalf("one resource for both: %s", a1.JID())
	}
	next := func() *stanza.Message {
		t.Helper()
		select {
		case m := <-got:
			return m
		case <-time.After(10 * time.Second):
			t.Fatal("no message")
		}
		return nil
	}
	send := func(from *xmpp.Conn, m stanza.Message) *stanza.Message {
		t.Helper()
		if err := from.Send(m); err != nil {
			t.Fatal(err)
		}
		return next()
	}

	orig := stanza.NewMessage(stanza.Attrs{To: b.JID(), Type: stanza.MessageTypeChat, Id: "bad1"})
	orig.Body = "But soft, what light through yonder airlock breaks?"
	in := send(a1, orig)
	if _, ok := Of(*in); ok || in.Id != "bad1" {
		t.Fatalf("original: %+v", in)
	}
	first := From{JID: in.From}

	for _, tc := range []struct {
		name string
		from *xmpp.Conn
		want bool
	}{{"same resource", a1, true}, {"other resource", a2, true}, {"other user", c, false}} {
		fix := stanza.NewMessage(stanza.Attrs{To: b.JID(), Type: stanza.MessageTypeChat})
		fix.Body = "But soft, what light through yonder window breaks?"
		Replace(&fix, "bad1")
		in := send(tc.from, fix)
		id, ok := Of(*in)
		if !ok || id != "bad1" || in.Id != fix.Id || in.Body != fix.Body {
			t.Fatalf("%s: correction %q %v %+v", tc.name, id, ok, in)
		}
		if got := Valid(first, From{JID: in.From}); got != tc.want {
			t.Fatalf("%s: from %s, Valid = %v", tc.name, in.From, got)
		}
	}
}
