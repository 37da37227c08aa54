package forward_test

import (
	"encoding/xml"
	"runtime"
	"strings"
	"testing"

	"github.com/causerie/causerie/core/xmpp/carbons"
	"github.com/causerie/causerie/core/xmpp/forward"
	"github.com/causerie/causerie/core/xmpp/mam"
	"github.com/causerie/causerie/internal/xmpptest"
	"gosrc.io/xmpp/stanza"
)

// TestRead: the delay and the first message of a <forwarded/>; an IQ or
// a second message is not taken.
func TestRead(t *testing.T) {
	d := xml.NewDecoder(strings.NewReader(`<forwarded xmlns='urn:xmpp:forward:0'><iq type='get'/>` +
		`<delay xmlns='urn:xmpp:delay' stamp='2010-07-10T23:08:25Z'/>` +
		`<message xmlns='jabber:client' from='a@b/c'><body>one</body></message><message xmlns='jabber:client'><body>two</body></message></forwarded>`))
	tok, _ := d.Token()
	if !forward.Is(tok.(xml.StartElement).Name) {
		t.Fatal("not a forwarded element")
	}
	f, err := forward.Read(d)
	if err != nil {
		t.Fatal(err)
	}
	if f.Message == nil || f.Message.Body != "one" || f.Message.From != "a@b/c" || f.Stamp.Format("2006-01-02T15:04:05") != "2010-07-10T23:08:25" {
		t.Errorf("%+v %+v", f, f.Message)
	}
}

// TestNestedForwardsBounded: a message of forwards nested thousands deep
// (archive results in archive results, carbons in carbons; anyone can
// send one) is read one level deep, within a few times its size. Before
// the bound, 600 KB of nested archive results took 67 s and 16 GB.
func TestNestedForwardsBounded(t *testing.T) {
	const depth = 4000
	for name, level := range map[string][2]string{
		"archive results": {`<result xmlns='urn:xmpp:mam:2' queryid='q' id='1'><forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client' from='a@b/c'><body>x</body>`,
			`</message></forwarded></result>`},
		"carbons": {`<received xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client' from='a@b/c' to='me@b'><body>x</body>`,
			`</message></forwarded></received>`},
	} {
		t.Run(name, func(t *testing.T) {
			s := `<message xmlns='jabber:client' from='me@b' to='me@b/r'>` + strings.Repeat(level[0], depth) + strings.Repeat(level[1], depth) + `</message>`
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			m := xmpptest.Message(t, s)
			runtime.ReadMemStats(&after)
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 40*uint64(len(s)) {
				t.Errorf("%d KB of nested forwards: %d MB allocated", len(s)>>10, alloc>>20)
			}
			var inner *stanza.Message
			if r, ok := mam.ResultOf(m); ok {
				inner = r.Message
			} else if c, ok := carbons.Of(m); ok {
				inner = c.Forwarded.Message
			}
			if inner == nil || inner.Body != "x" {
				t.Fatalf("the first level was not read: %+v", inner)
			}
			if len(inner.Extensions) != 0 {
				t.Errorf("the second level was decoded: %T", inner.Extensions[0])
			}
		})
	}
}
