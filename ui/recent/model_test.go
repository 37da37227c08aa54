package recent

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/causerie/causerie/core/history"
)

var t0 = time.Date(2024, 5, 1, 12, 0, 0, 0, time.Local)

func msg(id int64, peer string, min int, body string) history.Message {
	return history.Message{ID: id, Account: "me@x", Peer: peer, Direction: history.In, Body: body, Sent: t0.Add(time.Duration(min) * time.Minute)}
}

func peers(ks []Key) []string {
	var out []string
	for _, k := range ks {
		out = append(out, k.Peer)
	}
	return out
}

// TestModel: the latest activity first; a delayed older message does not
// replace a conversation's last; a correction of the last shows; hidden
// until the next message; Load keeps what events brought meanwhile.
func TestModel(t *testing.T) {
	m := NewModel()
	m.Message(msg(1, "a@x", 1, "a1"))
	m.Message(msg(2, "b@x", 2, "b1"))
	m.Message(msg(3, "c@x", 3, "c1"))
	m.Message(msg(4, "a@x", 0, "a0 delayed")) // older: a stays second-to-last
	if got := peers(m.Sorted(nil)); !slices.Equal(got, []string{"c@x", "b@x", "a@x"}) {
		t.Fatalf("order %q", got)
	}
	if last, _ := m.Last(Key{"me@x", "a@x"}); last.Body != "a1" {
		t.Fatalf("a's last: %q", last.Body)
	}
	corrected := msg(2, "b@x", 2, "b1, corrected")
	m.Corrected(corrected)
	m.Corrected(msg(99, "c@x", 3, "not the last"))
	if last, _ := m.Last(Key{"me@x", "b@x"}); last.Body != "b1, corrected" {
		t.Fatalf("b's last: %q", last.Body)
	}
	if last, _ := m.Last(Key{"me@x", "c@x"}); last.Body != "c1" {
		t.Fatalf("c's last: %q", last.Body)
	}
	m.Hide(Key{"me@x", "c@x"})
	if got := peers(m.Sorted(func(k Key) bool { return k.Peer != "b@x" })); !slices.Equal(got, []string{"a@x"}) {
		t.Fatalf("hidden and filtered: %q", got)
	}
	m.Message(msg(5, "c@x", 5, "c2"))
	m.Load("me@x", []history.Conversation{{Peer: "c@x", Last: msg(3, "c@x", 3, "c1")}, {Peer: "d@x", Last: msg(6, "d@x", 4, "d1")}})
	if got := peers(m.Sorted(nil)); !slices.Equal(got, []string{"c@x", "d@x", "b@x", "a@x"}) {
		t.Fatalf("after Load: %q", got)
	}
	if last, _ := m.Last(Key{"me@x", "c@x"}); last.Body != "c2" {
		t.Fatalf("Load replaced a newer message: %q", last.Body)
	}
	m.Forget(func(acct string) bool { return acct != "me@x" })
	if m.Len() != 0 {
		t.Fatalf("Forget left %d", m.Len())
	}
}

// TestPreview: one line, bounded, bidi isolated, ours marked.
func TestPreview(t *testing.T) {
	for _, c := range []struct {
		m    history.Message
		want string
	}{
		{history.Message{Body: "Bonjour\nla suite"}, "Bonjour …"},
		{history.Message{Subject: "Sujet seul"}, "Sujet seul"},
		{history.Message{Body: "tab\there"}, "tab here"},
		{history.Message{Body: "À demain", Direction: history.Out}, "You: À demain"},
		{history.Message{Body: "open \u202Egnp.exe"}, "\u2068open \u202Egnp.exe\u202C\u2069"},
	} {
		if got := Preview(c.m); got != c.want {
			t.Errorf("Preview(%q) = %+q, want %+q", c.m.Body, got, c.want)
		}
	}
	long := Preview(history.Message{Body: strings.Repeat("é", 1000)})
	if n := len([]rune(long)); n > 200 || !strings.HasSuffix(long, "…") || !strings.HasPrefix(long, "éé") {
		t.Errorf("long preview: %d runes", n)
	}
}

func TestWhen(t *testing.T) {
	now := time.Date(2024, 3, 31, 10, 0, 0, 0, time.Local)
	for _, c := range []struct {
		t    time.Time
		want string
	}{
		{now.Add(-2 * time.Hour), "08:00"},
		{time.Date(2024, 3, 30, 23, 59, 0, 0, time.Local), "Yesterday"},
		{time.Date(2024, 3, 29, 12, 0, 0, 0, time.Local), "2024-03-29"},
		{time.Date(2023, 12, 25, 12, 0, 0, 0, time.Local), "2023-12-25"},
	} {
		if got := When(c.t, now); got != c.want {
			t.Errorf("When(%v) = %q, want %q", c.t, got, c.want)
		}
	}
}

// BenchmarkLoadSorted5000 is the list's side of 5,000 conversations: the
// history's answer loaded into the model and sorted for the list (the
// read itself is history's BenchmarkConversations5000).
func BenchmarkLoadSorted5000(b *testing.B) {
	cs := make([]history.Conversation, 5000)
	for i := range cs {
		peer := fmt.Sprintf("contact%04d@example.net", i)
		cs[i] = history.Conversation{Peer: peer, Last: msg(int64(i+1), peer, (i*7919)%5000, "un message")}
	}
	b.ReportAllocs()
	for b.Loop() {
		m := NewModel()
		m.Load("me@x", cs)
		if len(m.Sorted(nil)) != 5000 {
			b.Fatal("not all listed")
		}
	}
}
