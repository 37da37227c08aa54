package retract

import (
	"encoding/xml"
	"github.com/causerie/causerie/internal/xmpptest"
	"strings"
	"testing"

	"gosrc.io/xmpp/stanza"
)

// XEP-0424 Example 2 (version 0.4) and the form of version 0.3, as
// slixmpp 1.8 sends it.
const (
	ex2 = `<message type='chat' to='lord@capulet.example' id='retract-message-1'>
  <retract id="wrong-recipient-1" xmlns='urn:xmpp:message-retract:1'/>
  <fallback xmlns="urn:xmpp:fallback:0" for='urn:xmpp:message-retract:1'/>
  <body>/me retracted a previous message, but it's unsupported by your client.</body>
  <store xmlns="urn:xmpp:hints"/>
</message>`
	old = `<message type='chat' to='lord@capulet.example' id='r2'>
  <body>/me retracted a previous message, but it's unsupported by your client.</body>
  <apply-to xmlns='urn:xmpp:fasten:0' id='wrong-recipient-2'><retract xmlns='urn:xmpp:message-retract:0'/></apply-to>
  <fallback xmlns='urn:xmpp:fallback:0'/>
</message>`
)

func TestGolden(t *testing.T) {
	if id, ok := Of(*xmpptest.Message(t, ex2)); !ok || id != "wrong-recipient-1" {
		t.Fatalf("example 2: %q %v", id, ok)
	}
	if id, ok := Of(*xmpptest.Message(t, old)); !ok || id != "wrong-recipient-2" {
		t.Fatalf("version 0.3: %q %v", id, ok)
	}
	m := stanza.NewMessage(stanza.Attrs{To: "lord@capulet.example", Type: stanza.MessageTypeChat, Id: "retract-message-1"})
	Set(&m, "wrong-recipient-1")
	raw, err := xml.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`<retract xmlns="urn:xmpp:message-retract:1" id="wrong-recipient-1"></retract>`,
		`<apply-to xmlns="urn:xmpp:fasten:0" id="wrong-recipient-1"><retract xmlns="urn:xmpp:message-retract:0"></retract></apply-to>`,
		`<fallback xmlns="urn:xmpp:fallback:0" for="urn:xmpp:message-retract:1"></fallback>`,
		`<store xmlns="urn:xmpp:hints"></store>`,
		`<body>/me retracted a previous message, but it&#39;s unsupported by your client.</body>`,
	} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("%s\nlacks %s", raw, want)
		}
	}
	if id, ok := Of(*xmpptest.Message(t, string(raw))); !ok || id != "wrong-recipient-1" {
		t.Fatalf("read back: %q", id)
	}
}

func TestNotRetractions(t *testing.T) {
	for _, s := range []string{
		`<message><body>hi</body></message>`,
		`<message type='error'><retract xmlns='urn:xmpp:message-retract:1' id='x'/></message>`,
		`<message><retract xmlns='urn:xmpp:message-retract:1'/></message>`,
		`<message><apply-to xmlns='urn:xmpp:fasten:0' id='x'/></message>`, // fastened, but not a retraction
	} {
		if id, ok := Of(*xmpptest.Message(t, s)); ok {
			t.Errorf("%s retracts %q", s, id)
		}
	}
}

func FuzzOf(f *testing.F) {
	f.Add(ex2)
	f.Add(old)
	f.Fuzz(func(t *testing.T, s string) {
		var m stanza.Message
		if xml.Unmarshal([]byte(s), &m) != nil {
			return
		}
		if id, ok := Of(m); ok && id == "" {
			t.Fatal("retracts no id")
		}
	})
}
