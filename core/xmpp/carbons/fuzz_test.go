package carbons

import (
	"bytes"
	"encoding/xml"
	"os"
	"regexp"
	"testing"

	"github.com/causerie/causerie/core/xmpp"
)

// FuzzUnwrap feeds arbitrary messages (anyone can send us one that looks
// like a carbon) to Unwrap: it must not panic, and what it accepts is
// from the account's bare JID, to or from the account, and no bigger
// than what came in.
func FuzzUnwrap(f *testing.F) {
	b, err := os.ReadFile(examples)
	if err != nil {
		f.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`(?s)<message\b.*?</message>\s*(</forwarded>\s*</(received|sent)>\s*</message>)?`).FindAll(b, -1) {
		f.Add(m)
	}
	f.Add([]byte(`<message from='romeo@montague.example'><sent xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'><message from='romeo@montague.example/x' to='j@c'><sent xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'><message/></forwarded></sent></message></forwarded></sent></message>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d := xml.NewDecoder(bytes.NewReader(data))
		tok, err := d.Token()
		for err == nil {
			if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "message" {
				break
			}
			tok, err = d.Token()
		}
		if err != nil {
			return
		}
		m, err := xmpp.DecodeMessage(d, tok.(xml.StartElement))
		if err != nil {
			return
		}
		c, ok := Unwrap(m, "romeo@montague.example")
		if !ok {
			return
		}
		if from, err := xmpp.ParseJID(m.From); err != nil || from.String() != "romeo@montague.example" {
			t.Fatalf("accepted from %q", m.From)
		}
		side := c.Message.To
		if c.Sent {
			side = c.Message.From
		}
		if j, err := xmpp.ParseJID(side); err != nil || j.Bare().String() != "romeo@montague.example" {
			t.Fatalf("accepted a copy to or from %q", side)
		}
		if len(c.Message.Body) > len(data) {
			t.Fatal("more out than in")
		}
		if IsCarbon(c.Message) {
			if _, nested := Of(c.Message); nested {
				t.Fatal("a carbon inside a carbon was decoded")
			}
		}
	})
}
