package upload

import (
	"encoding/xml"
	"os"
	"regexp"
	"testing"

	"github.com/causerie/causerie/core/xmpp/disco"
	"gosrc.io/xmpp/stanza"
)

// FuzzUploadStanzas: what a server or a stranger sends about uploads
// (its disco#info, slots) is read within bounds.
func FuzzUploadStanzas(f *testing.F) {
	for _, path := range []string{"testdata/xep-0363-examples.xml"} {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`(?s)<iq\b.*?</iq>`).FindAll(b, -1) {
			f.Add(m)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var iq stanza.IQ
		if xml.Unmarshal(data, &iq) == nil {
			switch p := iq.Payload.(type) {
			case *disco.Info:
				if s, ok := ServiceOf("s", p); ok && s.MaxSize < 0 {
					t.Fatalf("negative limit %d", s.MaxSize)
				}
			case *Slot:
				for _, h := range p.PutHeaders() {
					if _, ok := allowed[lower(h.Name)]; !ok || containsNewline(h.Name+h.Value) {
						t.Fatalf("header sent: %q: %q", h.Name, h.Value)
					}
				}
			}
		}
	})
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func containsNewline(s string) bool {
	for _, c := range s {
		if c == '\n' || c == '\r' {
			return true
		}
	}
	return false
}
