package recent

import (
	"cmp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2/lang"

	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/safetext"
)

// Key names a conversation: an account and the peer's bare JID.
type Key struct{ Account, Peer string }

// Model holds the last message of each conversation shown, whatever the
// window draws from it.
type Model struct {
	last map[Key]history.Message
}

// NewModel returns an empty model.
func NewModel() *Model { return &Model{last: map[Key]history.Message{}} }

// Load adds an account's conversations read from the history. What came
// meanwhile from events is kept where newer: the history was read before.
func (m *Model) Load(account string, cs []history.Conversation) {
	for _, c := range cs {
		last := c.Last
		last.Account, last.Peer = account, c.Peer
		m.Message(last)
	}
}

// Message records a message stored in a conversation: the conversation
// shows (again, if it was hidden) and msg is its last message unless an
// older one (a delayed message dated before it).
func (m *Model) Message(msg history.Message) {
	k := Key{msg.Account, msg.Peer}
	if cur, ok := m.last[k]; ok && newer(cur, msg) {
		return
	}
	m.last[k] = msg
}

// Corrected replaces a message's text if it is a conversation's last.
func (m *Model) Corrected(msg history.Message) {
	k := Key{msg.Account, msg.Peer}
	if cur, ok := m.last[k]; ok && cur.ID == msg.ID {
		m.last[k] = msg
	}
}

// Hide takes a conversation out of the list (its next message brings it
// back).
func (m *Model) Hide(k Key) { delete(m.last, k) }

// Forget drops the conversations of accounts not in keep.
func (m *Model) Forget(keep func(account string) bool) {
	for k := range m.last {
		if !keep(k.Account) {
			delete(m.last, k)
		}
	}
}

// Last is a conversation's last message.
func (m *Model) Last(k Key) (history.Message, bool) {
	msg, ok := m.last[k]
	return msg, ok
}

// Len is the number of conversations.
func (m *Model) Len() int { return len(m.last) }

// Sorted lists the conversations, the most recently active first; with
// match set, only those it accepts.
func (m *Model) Sorted(match func(Key) bool) []Key {
	type entry struct {
		k    Key
		sent int64
		id   int64
	}
	es := make([]entry, 0, len(m.last))
	for k, msg := range m.last {
		if match == nil || match(k) {
			es = append(es, entry{k, msg.Sent.UnixNano(), msg.ID})
		}
	}
	slices.SortFunc(es, func(a, b entry) int {
		switch {
		case a.sent != b.sent:
			return cmp.Compare(b.sent, a.sent)
		case a.id != b.id:
			return cmp.Compare(b.id, a.id)
		case a.k.Account != b.k.Account:
			return strings.Compare(a.k.Account, b.k.Account)
		}
		return strings.Compare(a.k.Peer, b.k.Peer)
	})
	out := make([]Key, len(es))
	for i, e := range es {
		out[i] = e.k
	}
	return out
}

// newer reports whether a comes after b (by Sent, then ID).
func newer(a, b history.Message) bool {
	if !a.Sent.Equal(b.Sent) {
		return a.Sent.After(b.Sent)
	}
	return a.ID > b.ID
}

// Preview is the one-line text of a conversation's last message: its
// first line, safe to show (no bidi or control characters), "You: …" when
// it is ours.
func Preview(msg history.Message) string {
	if msg.Retracted {
		return lang.L("Message deleted")
	}
	if msg.Undecrypted != "" {
		return "🔒 " + lang.L("An encrypted message that could not be read")
	}
	text := msg.Body
	if text == "" {
		text = msg.Subject
	}
	if i := strings.IndexAny(text, "\r\n"); i >= 0 {
		text = text[:i] + " …"
	}
	if len(text) > 300 { // a row shows a few dozen characters
		cut := 300
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut] + "…"
	}
	text = safetext.Isolate(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, text))
	if msg.Direction == history.Out {
		return lang.L("You: {{.Text}}", map[string]any{"Text": text})
	}
	return text
}

// When is the time shown for a conversation's last message seen at now,
// short enough to leave the name its room: the time of day today,
// "Yesterday", else the date (ISO 8601, the same in every language).
func When(t, now time.Time) string {
	t, now = t.Local(), now.Local()
	day := t.Format("2006-01-02")
	switch day {
	case now.Format("2006-01-02"):
		return t.Format("15:04")
	case now.AddDate(0, 0, -1).Format("2006-01-02"):
		return lang.L("Yesterday")
	}
	return day
}
