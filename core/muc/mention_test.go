package muc

import (
	"strings"
	"testing"
)

func TestMentions(t *testing.T) {
	for _, c := range []struct {
		body, nick string
		want       bool
	}{
		{"Alice: tu viens ?", "Alice", true},
		{"@alice regarde", "Alice", true},
		{"merci Alice !", "Alice", true},
		{"ALICE", "alice", true},
		{"Alicette arrive", "Alice", false},
		{"MarieAlice", "Alice", false},
		{"alice_b est là", "alice", false},
		{"salut Zoë.", "zoë", true},
		{"STRASSE ist da", "straße", false}, // no folding of ß to ss
		{"salut Ⱥnna !", "ⱥnna", true},      // lower case of another length
		{"Ⱥnnabelle", "ⱥnna", false},
		{"ẞ und Ⱥ: bob, hallo", "Bob", true}, // runes that grow and shrink in lower case
		{"ẞ und Ⱥ: bobby", "Bob", false},
		{"", "Alice", false},
		{"Alice", "", false},
		{"le chat de Jean-Marc", "Jean-Marc", true},
		{"Jean-Marcel", "Jean-Marc", false},
	} {
		if got := Mentions(c.body, c.nick); got != c.want {
			t.Errorf("Mentions(%q, %q) = %v", c.body, c.nick, got)
		}
	}
}

// A hostile body (one long word of near misses) is read in linear time.
func BenchmarkMentionsHostile(b *testing.B) {
	body := strings.Repeat("Alicex", 30000/6)
	for b.Loop() {
		if Mentions(body, "Alice") {
			b.Fatal("mention found")
		}
	}
}
