package reply

import (
	"encoding/xml"
	"github.com/causerie/causerie/internal/xmpptest"
	"strings"
	"testing"
	"unicode/utf8"

	"gosrc.io/xmpp/stanza"
)

// XEP-0461 Examples 1 and 2 (the reply to message-id1), and Example 3
// with the body as it is on the wire (the XEP indents it for reading:
// "the indentation, leading and trailing new lines ... should not be
// taken into account").
const (
	ex1 = `<message to='max@example.com' from='anna@example.com/tablet' id='message-id1' type='chat'>
  <body>We should bake a cake</body>
</message>`
	ex2 = `<message to='anna@example.com' id='message-id2' type='chat'>
  <body>Great idea!</body>
  <reply to='anna@example.com/tablet' id='message-id1' xmlns='urn:xmpp:reply:0' />
</message>`
	ex3 = "<message to='anna@example.com' id='message-id3' type='chat'>" +
		"<body>&gt; Anna wrote:\n&gt; We should bake a cake\nGreat idea!</body>" +
		"<reply to='anna@example.com/laptop' id='message-id1' xmlns='urn:xmpp:reply:0' />" +
		"<fallback xmlns='urn:xmpp:fallback:0' for='urn:xmpp:reply:0'><body start=\"0\" end=\"38\" /></fallback>" +
		"</message>"
	// What slixmpp 1.8 sends: the fallback namespace before XEP-0428 0.2.
	slix = "<message to='anna@example.com' id='s1' type='chat'>" +
		"<body>&gt; été ?\nOui !</body>" +
		"<reply xmlns='urn:xmpp:reply:0' id='x1' to='anna@example.com' />" +
		"<fallback xmlns='urn:xmpp:feature-fallback:0' for='urn:xmpp:reply:0'><body start='0' end='8' /></fallback>" +
		"</message>"
)

func TestGolden(t *testing.T) {
	if _, _, ok := Of(*xmpptest.Message(t, ex1)); ok {
		t.Fatal("example 1 is no reply")
	}
	m := *xmpptest.Message(t, ex2)
	id, to, ok := Of(m)
	if !ok || id != "message-id1" || to != "anna@example.com/tablet" {
		t.Fatalf("example 2: %q %q %v", id, to, ok)
	}
	if body, quoted := Strip(m); body != "Great idea!" || quoted != "" {
		t.Fatalf("example 2 stripped: %q %q", body, quoted)
	}
	m = *xmpptest.Message(t, ex3)
	if id, _, _ := Of(m); id != "message-id1" {
		t.Fatalf("example 3: %q", id)
	}
	body, quoted := Strip(m)
	if body != "Great idea!" || quoted != "Anna wrote:\nWe should bake a cake" {
		t.Fatalf("example 3 stripped: %q, quoted %q", body, quoted)
	}
	body, quoted = Strip(*xmpptest.Message(t, slix))
	if body != "Oui !" || quoted != "été ?" {
		t.Fatalf("slixmpp's: %q, quoted %q", body, quoted)
	}
}

// TestAddRoundTrip: a reply made by Add, marshalled and read back, says
// what it replies to, and Strip gives back the text and the quotation;
// the fallback's range counts code points (XEP-0426), not bytes.
func TestAddRoundTrip(t *testing.T) {
	m := stanza.NewMessage(stanza.Attrs{To: "anna@example.com", Type: stanza.MessageTypeChat})
	m.Body = "Bonne idée !"
	Add(&m, "message-id1", "anna@example.com", "Un gâteau ?\nAu chocolat ✓")
	if !strings.HasPrefix(m.Body, "> Un gâteau ?\n> Au chocolat ✓\n") {
		t.Fatalf("body %q", m.Body)
	}
	raw, err := xml.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<reply xmlns="urn:xmpp:reply:0" to="anna@example.com" id="message-id1"></reply>`,
		`<fallback xmlns="urn:xmpp:fallback:0" for="urn:xmpp:reply:0"><body start="0" end="30"></body></fallback>`} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("%s lacks %s", raw, want)
		}
	}
	back := *xmpptest.Message(t, string(raw))
	if id, to, ok := Of(back); !ok || id != "message-id1" || to != "anna@example.com" {
		t.Fatalf("read back: %q %q %v", id, to, ok)
	}
	if body, quoted := Strip(back); body != "Bonne idée !" || quoted != "Un gâteau ?\nAu chocolat ✓" {
		t.Fatalf("stripped %q, quoted %q", body, quoted)
	}
	// A long quotation is cut.
	long := stanza.NewMessage(stanza.Attrs{})
	Add(&long, "x", "", strings.Repeat("é", 5000))
	if n := utf8.RuneCountInString(long.Body); n > maxQuoteRunes+10 {
		t.Fatalf("a quotation of %d characters", n)
	}
}

// TestStripHostile: ranges outside the body, reversed or not numbers are
// ignored; another specification's fallback is left alone.
func TestStripHostile(t *testing.T) {
	for _, r := range []string{`start='0' end='999'`, `start='5' end='2'`, `start='-1' end='3'`, `start='a' end='b'`, ``} {
		m := *xmpptest.Message(t, `<message><body>hello</body><fallback xmlns='urn:xmpp:fallback:0' for='urn:xmpp:reply:0'><body `+r+`/></fallback></message>`)
		if body, q := Strip(m); body != "hello" || q != "" {
			t.Errorf("%s: %q %q", r, body, q)
		}
	}
	m := *xmpptest.Message(t, `<message><body>/me retracted</body><fallback xmlns='urn:xmpp:fallback:0' for='urn:xmpp:message-retract:1'/></message>`)
	if body, _ := Strip(m); body != "/me retracted" {
		t.Errorf("another fallback: %q", body)
	}
	if _, _, ok := Of(*xmpptest.Message(t, `<message type='error'><reply xmlns='urn:xmpp:reply:0' id='x'/></message>`)); ok {
		t.Error("an error replies")
	}
	if _, _, ok := Of(*xmpptest.Message(t, `<message><reply xmlns='urn:xmpp:reply:0'/></message>`)); ok {
		t.Error("a reply without id")
	}
}

func FuzzStrip(f *testing.F) {
	f.Add(ex3)
	f.Add(slix)
	f.Fuzz(func(t *testing.T, s string) {
		var m stanza.Message
		if xml.Unmarshal([]byte(s), &m) != nil {
			return
		}
		body, quoted := Strip(m)
		if len(body)+len(quoted) > 2*len(m.Body)+8 {
			t.Fatalf("Strip grew %d bytes into %d", len(m.Body), len(body)+len(quoted))
		}
		Of(m)
	})
}
