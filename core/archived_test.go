package core

import (
	"testing"
	"time"

	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/xmpp/correct"
	"gosrc.io/xmpp/stanza"
)

// TestArchivedCorrectionLater: read newest page first, a correction comes
// before the message it corrects. The page gives it back (Later), and
// the older page that holds the message, stored with it, applies it.
func TestArchivedCorrectionLater(t *testing.T) {
	var h *Hook
	probe := &Feature{Name: "test", Attach: func(hk *Hook) any { h = hk; return nil }}
	c, _ := benchClient(t, Options{Features: []*Feature{probe}})
	at := time.Now().Add(-time.Hour).Truncate(time.Second)
	msg := func(id, body string) *stanza.Message {
		m := stanza.NewMessage(stanza.Attrs{From: "friend@example.org/phone", To: "me@example.org/causerie",
			Type: stanza.MessageTypeChat, Id: id})
		m.Body = body
		return &m
	}
	fix := msg("o2", "the right text")
	correct.Replace(fix, "o1")
	newer, err := h.StoreArchived(nil, []Archived{
		{ID: "a2", Stamp: at.Add(2 * time.Second), Message: fix},
	}, false)
	if err != nil || newer.Stored != 0 || len(newer.Later) != 1 {
		t.Fatalf("the newer page: %+v, %v", newer, err)
	}
	older, err := h.StoreArchivedBefore(nil, append([]Archived{
		{ID: "a1", Stamp: at.Add(time.Second), Message: msg("o1", "the wrnog text")},
	}, newer.Later...), time.Now(), false)
	if err != nil || older.Stored != 1 || len(older.Later) != 0 {
		t.Fatalf("the older page: %+v, %v", older, err)
	}
	ms, err := c.Store().Latest("me@example.org", "friend@example.org", 10)
	if err != nil || len(ms) != 1 {
		t.Fatalf("history: %v, %v", ms, err)
	}
	if m := ms[0]; m.Body != "the right text" || !m.Corrected || m.Direction != history.In {
		t.Errorf("the message: %+v", m)
	}
}
