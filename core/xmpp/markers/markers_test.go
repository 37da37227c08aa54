package markers

import (
	"encoding/xml"
	"testing"

	"github.com/causerie/causerie/core/xmpp/receipts"
	"github.com/causerie/causerie/internal/xmpptest"
	"gosrc.io/xmpp/stanza"
)

const examples = "testdata/xep-0333-examples.xml"

// TestGolden: example 3 written (a markable message with a receipt
// request) and read; example 4's marker written (ours is of type chat,
// for carbons) and read.
func TestGolden(t *testing.T) {
	m := stanza.NewMessage(stanza.Attrs{To: "juliet@capulet.lit", From: "romeo@montegue.lit/orchard", Id: "the-msg-1"})
	m.Body = "Hi. How are you?"
	AddMarkable(&m)
	receipts.Request(&m)
	b, _ := xml.Marshal(m)
	if got, want := xmpptest.Canon(string(b)), xmpptest.Canon(xmpptest.Example(t, examples, "3")); got != want {
		t.Errorf("example 3:\n got %s\nwant %s", got, want)
	}
	if !IsMarkable(xmpptest.Message(t, xmpptest.Example(t, examples, "3"))) {
		t.Error("example 3 is not markable")
	}
	if IsMarkable(xmpptest.Message(t, xmpptest.Example(t, examples, "4"))) {
		t.Error("example 4 is markable")
	}

	d := NewDisplayed("romeo@montegue.lit", "the-msg-1")
	d.From = "juliet@capulet.let/balcony"
	b, _ = xml.Marshal(d)
	if got, want := xmpptest.Canon(string(b), "type"), xmpptest.Canon(xmpptest.Example(t, examples, "4")); got != want {
		t.Errorf("example 4:\n got %s\nwant %s", got, want)
	}
	if id, ok := Displayed(xmpptest.Message(t, xmpptest.Example(t, examples, "4"))); !ok || id != "the-msg-1" {
		t.Errorf("example 4: %q %v", id, ok)
	}
	if id, ok := Displayed(xmpptest.Message(t, xmpptest.Example(t, examples, "6"))); !ok || id != "39K7ZYIp" {
		t.Errorf("example 6: %q %v", id, ok)
	}
	if _, ok := Displayed(xmpptest.Message(t, `<message><displayed xmlns='urn:xmpp:chat-markers:0'/></message>`)); ok {
		t.Error("a marker without id read")
	}
}
