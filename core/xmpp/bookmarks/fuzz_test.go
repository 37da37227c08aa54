package bookmarks

import (
	"bytes"
	"encoding/xml"
	"os"
	"regexp"
	"testing"

	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/pubsub"
	"gosrc.io/xmpp/stanza"
)

// FuzzBookmarks feeds arbitrary notifications and answers (a server, or
// anyone posing as the account, could send them) to the readers of this
// package: none may panic, every bookmark read is a room's bare address,
// and a private list read, changed and written reads back the same.
func FuzzBookmarks(f *testing.F) {
	for _, path := range []string{examples, examples48} {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`(?s)<(message|iq|storage)\b.*?</(message|iq|storage)>`).FindAll(b, -1) {
			f.Add(m)
		}
	}
	f.Add([]byte(`<iq type='result'><query xmlns='jabber:iq:private'><storage xmlns='storage:bookmarks'><conference jid='a@b/c'/><conference jid='A@B'><nick>x</nick><x:y xmlns:x='z'/></conference><conference jid='a@b'/></storage></query></iq>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		room := func(what string, b Bookmark) {
			if j, ok := roomJID(b.JID); !ok || j != b.JID {
				t.Fatalf("%s: a bookmark of %q", what, b.JID)
			}
		}
		var m stanza.Message
		if xml.Unmarshal(data, &m) == nil {
			changed, _, _ := FromEvent(&m, xmpp.BareJID(m.From))
			for _, b := range changed {
				room("event", b)
			}
		}
		var iq stanza.IQ
		if xml.Unmarshal(data, &iq) == nil {
			if ps, ok := iq.Payload.(*stanza.PubSubGeneric); ok && ps.Items != nil {
				for _, it := range ps.Items.List {
					if b, ok := fromItem(pubsub.Item{ID: it.Id, Payload: it.Any}); ok {
						room("items", b)
					}
				}
			}
			if p, ok := iq.Payload.(*Private); ok && p.Storage != nil {
				checkStorage(t, p.Storage)
			}
		}
		var st Storage
		if xml.NewDecoder(bytes.NewReader(data)).Decode(&st) == nil {
			checkStorage(t, &st)
		}
	})
}

// checkStorage: a list's rooms are rooms; written and read again, the
// list holds the same rooms, and one more once it is set.
func checkStorage(t *testing.T, st *Storage) {
	before := st.bookmarks()
	for _, b := range before {
		if j, ok := roomJID(b.JID); !ok || j != b.JID {
			t.Fatalf("private: a bookmark of %q", b.JID)
		}
	}
	st.set(Bookmark{JID: "new@rooms.example", Name: "n"})
	out, err := xml.Marshal(SetPrivateRequest(st).Payload)
	if err != nil {
		t.Fatalf("the list does not write: %v", err)
	}
	var again Private
	if err := xml.Unmarshal(out, &again); err != nil || again.Storage == nil {
		t.Fatalf("written list unreadable: %v\n%s", err, out)
	}
	after := again.Storage.bookmarks()
	if len(after) != len(before)+1 && !(index(before, "new@rooms.example") >= 0 && len(after) == len(before)) {
		t.Fatalf("rooms %d, then %d after adding one:\n%s", len(before), len(after), out)
	}
}
