package muc

import (
	"encoding/xml"
	"os"
	"regexp"
	"testing"

	"gosrc.io/xmpp/stanza"
)

// FuzzRoomStanzas feeds arbitrary presences and messages (as a room or a
// stranger could send them) to every reader of this package: none may
// panic, and what they return stays within what the stanza held.
func FuzzRoomStanzas(f *testing.F) {
	b, err := os.ReadFile("testdata/xep-0045-examples.xml")
	if err != nil {
		f.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`(?s)<(presence|message)\b.*?</(presence|message)>`).FindAll(b, -1) {
		f.Add(m)
	}
	f.Add([]byte(`<message from='r@s'><x xmlns='http://jabber.org/protocol/muc#user'><invite/><invite from=''/><decline/></x><x xmlns='jabber:x:conference'/></message>`))
	f.Add([]byte(`<presence from='r@s/n' type='error'><error/></presence>`))
	f.Add([]byte(`<message from='r@s/n' type='groupchat'><body>b</body><occupant-id xmlns='urn:xmpp:occupant-id:0' id='a'/><occupant-id xmlns='urn:xmpp:occupant-id:0' id='b'/></message>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var p stanza.Presence
		if xml.Unmarshal(data, &p) == nil {
			if op, ok := ParsePresence(&p); ok {
				if len(op.Codes) > len(data) || len(op.Nick) > len(data) {
					t.Fatalf("more out than in: %+v", op)
				}
				_ = op.Removed()
			}
			_ = JoinError(&p)
		}
		var m stanza.Message
		if xml.Unmarshal(data, &m) == nil {
			if inv, ok := ParseInvitation(&m); ok && len(inv.Room)+len(inv.Reason) > len(data) {
				t.Fatalf("more out than in: %+v", inv)
			}
			ParseDecline(&m)
			UserOf(&m).Codes()
			if id := OccupantID(&m); len(id) > maxOccupantID || len(id) > len(data) {
				t.Fatalf("occupant id %q", id)
			}
		}
	})
}
