package oob

import (
	"encoding/xml"
	"strings"
	"testing"

	"github.com/causerie/causerie/internal/xmpptest"
	"gosrc.io/xmpp/stanza"
)

// TestGoldenOOB: XEP-0066 example 5, and what is not a file's URL.
func TestGoldenOOB(t *testing.T) {
	var m stanza.Message
	if err := xml.Unmarshal([]byte(xmpptest.Example(t, "testdata/xep-0066-examples.xml", "5")), &m); err != nil {
		t.Fatal(err)
	}
	if u, desc, ok := Of(&m); !ok || u != "http://www.jabber.org/images/psa-license.jpg" || desc != "" {
		t.Errorf("oob %q %q %v", u, desc, ok)
	}
	out := stanza.NewMessage(stanza.Attrs{To: "juliet@capulet.lit", Type: stanza.MessageTypeChat})
	out.Body = "https://download.montague.tld/a/b.jpg"
	out.Extensions = append(out.Extensions, &X{URL: out.Body})
	b, _ := xml.Marshal(out)
	if !strings.Contains(string(b), `<x xmlns="jabber:x:oob"><url>https://download.montague.tld/a/b.jpg</url></x>`) {
		t.Errorf("sent: %s", b)
	}
	for _, u := range []string{"javascript:alert(1)", "file:///etc/passwd", "https://" + strings.Repeat("a", MaxURL), "data:image/png;base64,AAAA"} {
		m := stanza.Message{Extensions: []stanza.MsgExtension{&X{URL: u}}}
		if _, _, ok := Of(&m); ok {
			t.Errorf("%.40q taken as a file's URL", u)
		}
	}
}
