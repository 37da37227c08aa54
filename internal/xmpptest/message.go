package xmpptest

import (
	"encoding/xml"
	"strings"
	"testing"

	"github.com/causerie/causerie/core/xmpp"
	"gosrc.io/xmpp/stanza"
)

// Message is the first <message/> in s, decoded as the stream decodes
// its stanzas (xmpp.DecodeMessage).
func Message(t testing.TB, s string) *stanza.Message {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(s))
	for {
		tok, err := d.Token()
		if err != nil {
			t.Fatalf("no message in %.80q", s)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "message" {
			m, err := xmpp.DecodeMessage(d, se)
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
	}
}
