package chatstate

import (
	"encoding/xml"
	"strings"
	"testing"

	"github.com/causerie/causerie/internal/testserver"
	"gosrc.io/xmpp/stanza"
)

func TestMain(m *testing.M) { testserver.Main(m) }

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

// XEP-0085 §6 "A Simple Example" and §7 "A Detailed Conversation", in
// order, with the state each one carries.
var xep0085 = []struct {
	name  string
	xml   string
	state State
	body  bool
}{
	{"§6 initial content message with active", `<message
    from='bernardo@shakespeare.lit/pda'
    to='francisco@shakespeare.lit'
    type='chat'>
  <body>Who's there?</body>
  <active xmlns='http://jabber.org/protocol/chatstates'/>
</message>`, Active, true},
	{"§6 reply with active", `<message
    from='francisco@shakespeare.lit/elsinore'
    to='bernardo@shakespeare.lit/pda'
    type='chat'>
  <body>Nay, answer me: stand, and unfold yourself.</body>
  <active xmlns='http://jabber.org/protocol/chatstates'/>
</message>`, Active, true},
	{"§6 standalone composing", `<message
    from='bernardo@shakespeare.lit/pda'
    to='francisco@shakespeare.lit/elsinore'
    type='chat'>
  <composing xmlns='http://jabber.org/protocol/chatstates'/>
</message>`, Composing, false},
	{"§6 reply with active", `<message
    from='bernardo@shakespeare.lit/pda'
    to='francisco@shakespeare.lit/elsinore'
    type='chat'>
  <body>Long live the king!</body>
  <active xmlns='http://jabber.org/protocol/chatstates'/>
</message>`, Active, true},
	{"§7 standalone composing with thread", `<message
    from='romeo@montague.net/orchard'
    to='juliet@capulet.com/balcony'
    type='chat'>
  <thread>act2scene2chat1</thread>
  <composing xmlns='http://jabber.org/protocol/chatstates'/>
</message>`, Composing, false},
	{"§7 standalone paused", `<message
    from='romeo@montague.net/orchard'
    to='juliet@capulet.com/balcony'
    type='chat'>
  <thread>act2scene2chat1</thread>
  <paused xmlns='http://jabber.org/protocol/chatstates'/>
</message>`, Paused, false},
	{"§7 user replies", `<message
    from='romeo@montague.net/orchard'
    to='juliet@capulet.com/balcony'
    type='chat'>
  <thread>act2scene2chat1</thread>
  <body>Neither, fair saint, if either thee dislike.</body>
  <active xmlns='http://jabber.org/protocol/chatstates'/>
</message>`, Active, true},
	{"§7 standalone inactive", `<message
    from='juliet@capulet.com/balcony'
    to='romeo@shakespeare.lit/orchard'
    type='chat'>
  <thread>act2scene2chat1</thread>
  <inactive xmlns='http://jabber.org/protocol/chatstates'/>
</message>`, Inactive, false},
	{"§7 standalone active", `<message
    from='juliet@capulet.com/balcony'
    to='romeo@shakespeare.lit/orchard'
    type='chat'>
  <thread>act2scene2chat1</thread>
  <active xmlns='http://jabber.org/protocol/chatstates'/>
</message>`, Active, false},
	{"§7 standalone gone", `<message
    from='juliet@capulet.com/balcony'
    to='romeo@shakespeare.lit/orchard'
    type='chat'>
  <thread>act2scene2chat1</thread>
  <gone xmlns='http://jabber.org/protocol/chatstates'/>
</message>`, Gone, false},
}

func TestGoldenXEP0085(t *testing.T) {
	for _, ex := range xep0085 {
		m := decode(t, ex.xml)
		s, ok := Of(m)
		if !ok || s != ex.state {
			t.Errorf("%s: Of = %v %v, want %v", ex.name, s, ok, ex.state)
		}
		if n, ok := NotificationOf(m); !ok || n != (Notification{State: ex.state}) {
			t.Errorf("%s: NotificationOf = %+v %v", ex.name, n, ok)
		}
		if (m.Body != "") != ex.body {
			t.Errorf("%s: body %q", ex.name, m.Body)
		}
		if strings.Contains(ex.xml, "<thread>") && m.Thread != "act2scene2chat1" {
			t.Errorf("%s: thread %q", ex.name, m.Thread)
		}
		if _, ok := LegacyOf(m); ok {
			t.Errorf("%s: read as XEP-0022", ex.name)
		}
	}
}

// What we send equals the XEP's examples: a standalone notification, and
// a content message with <active/>.
func TestMarshalXEP0085(t *testing.T) {
	m := Standalone("francisco@shakespeare.lit/elsinore", Composing)
	got := marshal(t, m)
	want := `<message type="chat" to="francisco@shakespeare.lit/elsinore"><composing xmlns="http://jabber.org/protocol/chatstates"></composing></message>`
	if got != want {
		t.Fatalf("standalone:\n got %s\nwant %s", got, want)
	}
	ex := decode(t, xep0085[2].xml)
	back := decode(t, got)
	if s, _ := Of(back); s != Composing || back.To != ex.To || back.Type != ex.Type || back.Body != "" {
		t.Fatalf("round trip %+v", back)
	}

	c := stanza.NewMessage(stanza.Attrs{To: "francisco@shakespeare.lit", Type: stanza.MessageTypeChat})
	c.Body = "Who's there?"
	Add(&c, Composing)
	Add(&c, Active) // replaces: one chat state per message (§5.4)
	got = marshal(t, c)
	if strings.Count(got, NS) != 1 || !strings.Contains(got, `<active xmlns="http://jabber.org/protocol/chatstates"></active>`) {
		t.Fatalf("content message: %s", got)
	}
	back = decode(t, got)
	if s, _ := Of(back); s != Active || back.Body != "Who's there?" {
		t.Fatalf("round trip %+v", back)
	}
	Add(&c, 0)
	if _, ok := Of(c); ok || len(c.Extensions) != 0 {
		t.Fatalf("Add(0) left %+v", c.Extensions)
	}
}

func TestStates(t *testing.T) {
	for s := Active; s <= Gone; s++ {
		if p, ok := ParseState(s.String()); !ok || p != s || !s.Valid() {
			t.Errorf("%d %q", s, s.String())
		}
		m := decode(t, `<message><`+s.String()+` xmlns='`+NS+`'/></message>`)
		if e, ok := m.Extensions[0].(*Element); !ok || e.State() != s {
			t.Errorf("%s decoded as %#v", s, m.Extensions[0])
		}
	}
	for _, bad := range []State{0, Gone + 1} {
		if bad.Valid() || bad.String() != "" {
			t.Errorf("state %d", bad)
		}
	}
	if _, ok := ParseState("typing"); ok {
		t.Error("typing parsed")
	}
	// Other namespaces, or unknown names in ours, are no chat state.
	for _, s := range []string{
		`<message><composing/></message>`,
		`<message><composing xmlns='urn:example'/></message>`,
		`<message><typing xmlns='http://jabber.org/protocol/chatstates'/></message>`,
	} {
		if st, ok := Of(decode(t, s)); ok {
			t.Errorf("%s: %v", s, st)
		}
	}
	// gosrc's own types, in a message someone built with them.
	m := stanza.NewMessage(stanza.Attrs{})
	m.Extensions = append(m.Extensions, stanza.StatePaused{})
	if s, ok := Of(m); !ok || s != Paused {
		t.Fatalf("gosrc type: %v %v", s, ok)
	}
	Add(&m, Gone)
	if s, _ := Of(m); s != Gone || len(m.Extensions) != 1 {
		t.Fatalf("Add over gosrc type: %+v", m.Extensions)
	}
}

func TestNotificationRules(t *testing.T) {
	// Gone from a room occupant is ignored (§5.5); other states are not.
	gone := decode(t, `<message from='room@muc.example/nick' type='groupchat'><gone xmlns='`+NS+`'/></message>`)
	if n, ok := NotificationOf(gone); ok {
		t.Fatalf("groupchat gone: %+v", n)
	}
	comp := decode(t, `<message from='room@muc.example/nick' type='groupchat'><composing xmlns='`+NS+`'/></message>`)
	if n, ok := NotificationOf(comp); !ok || n.State != Composing {
		t.Fatalf("groupchat composing: %+v %v", n, ok)
	}
	// A bounce carries our own state back: not the peer's.
	bounce := decode(t, `<message from='a@b/c' type='error'><composing xmlns='`+NS+`'/><error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>`)
	if n, ok := NotificationOf(bounce); ok {
		t.Fatalf("error message: %+v", n)
	}
	// Both protocols: XEP-0085 wins.
	both := decode(t, `<message><paused xmlns='`+NS+`'/><x xmlns='jabber:x:event'><composing/><id>m1</id></x></message>`)
	if n, ok := NotificationOf(both); !ok || n != (Notification{State: Paused}) {
		t.Fatalf("both: %+v", n)
	}
	if n, ok := NotificationOf(decode(t, `<message><body>hi</body></message>`)); ok {
		t.Fatalf("plain message: %+v", n)
	}
}

// Values (not pointers) in Extensions marshal the same.
func TestMarshalValues(t *testing.T) {
	m := stanza.NewMessage(stanza.Attrs{To: "a@b/c"})
	m.Extensions = append(m.Extensions, *NewElement(Paused), EventElement{Composing: true, HasID: true, ID: "m1"})
	got := marshal(t, m)
	want := `<message to="a@b/c"><paused xmlns="http://jabber.org/protocol/chatstates"></paused><x xmlns="jabber:x:event"><composing></composing><id>m1</id></x></message>`
	if got != want {
		t.Fatalf("\n got %s\nwant %s", got, want)
	}
	back := decode(t, got)
	if s, _ := Of(back); s != Paused {
		t.Fatal("state lost")
	}
	if ev, _ := LegacyOf(back); ev.Kind != EventComposing || ev.ID != "m1" {
		t.Fatalf("event %+v", ev)
	}
}
