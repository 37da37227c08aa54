package oob

import (
	"encoding/xml"
	"os"
	"testing"

	"gosrc.io/xmpp/stanza"
)

// FuzzOOB: a message's jabber:x:oob element is read within bounds, and
// only as an http(s) URL.
func FuzzOOB(f *testing.F) {
	b, err := os.ReadFile("testdata/xep-0066-examples.xml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`<message><x xmlns='jabber:x:oob'><url> https://a/b </url><desc>d</desc></x><x xmlns='jabber:x:oob'/></message>`))
	f.Add([]byte(`<message><body> https://up.example/s/x/photo.jpg </body></message>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var m stanza.Message
		if xml.Unmarshal(data, &m) == nil {
			if u, desc, ok := Of(&m); ok && (len(u) > MaxURL || len(u)+len(desc) > len(data) || !WebURL(u)) {
				t.Fatalf("oob %q %q", u, desc)
			}
			if u := FileURL(&m); u != "" && (!WebURL(u) || len(u) > len(data)) {
				t.Fatalf("file %q", u)
			}
		}
	})
}
