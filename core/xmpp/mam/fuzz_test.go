package mam

import (
	"bytes"
	"encoding/xml"
	"os"
	"regexp"
	"testing"

	"github.com/causerie/causerie/core/xmpp"
	"gosrc.io/xmpp/stanza"
)

// FuzzResults feeds arbitrary messages (as an archive, or anyone posing
// as one, could push them) and IQ results to the readers of this
// package: none may panic, what they return stays within what the stanza
// held, and a collector takes a result only for a pending query.
func FuzzResults(f *testing.F) {
	b, err := os.ReadFile("testdata/xep-0313-examples.xml")
	if err != nil {
		f.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`(?s)<(message|iq)\b.*?</(message|iq)>`).FindAll(b, -1) {
		f.Add(m)
	}
	f.Add([]byte(`<message><result xmlns='urn:xmpp:mam:2' queryid='q' id='1'><forwarded xmlns='urn:xmpp:forward:0'><message/><message><body>2</body></message><delay xmlns='urn:xmpp:delay' stamp='x'/></forwarded></result></message>`))
	f.Add([]byte(`<iq type='result'><fin xmlns='urn:xmpp:mam:2' complete='1'><set xmlns='http://jabber.org/protocol/rsm'><count>-4</count><first/></set></fin></iq>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d := xml.NewDecoder(bytes.NewReader(data))
		for {
			tok, err := d.Token()
			if err != nil {
				break
			}
			se, ok := tok.(xml.StartElement)
			if !ok {
				continue
			}
			switch se.Name.Local {
			case "message":
				m, err := xmpp.DecodeMessage(d, se)
				if err != nil {
					return
				}
				if r, ok := ResultOf(m); ok {
					if len(r.ID)+len(r.QueryID) > len(data) || (r.Message != nil && len(r.Message.Body) > len(data)) {
						t.Fatalf("more out than in: %+v", r)
					}
				}
				var c Collector
				if c.Deliver(m) {
					t.Fatal("a result taken with no query pending")
				}
			case "iq":
				var iq stanza.IQ
				if d.DecodeElement(&iq, &se) != nil {
					return
				}
				if f, ok := iq.Payload.(*Fin); ok && (len(f.First)+len(f.Last) > len(data) || f.Count < -1) {
					t.Fatalf("fin: %+v", f)
				}
			default:
				d.Skip()
			}
		}
	})
}
