package search

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/causerie/causerie/core/history"
)

const me = "me@example.org"

var t0 = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

func openStore(t testing.TB) *history.Store {
	s, err := history.Open(filepath.Join(t.TempDir(), "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func add(t testing.TB, s *history.Store, peer, body string, at time.Time) history.Message {
	m := &history.Message{Account: me, Peer: peer, Direction: history.In, Type: "chat", Body: body, Sent: at}
	if err := s.Add(m); err != nil {
		t.Fatal(err)
	}
	return *m
}

// gate is a Finder whose first query waits until released.
type gate struct {
	f       Finder
	mu      sync.Mutex
	asked   []string
	release chan struct{}
}

func (g *gate) Find(q history.Query) ([]history.Message, error) {
	g.mu.Lock()
	g.asked = append(g.asked, q.Words)
	first := len(g.asked) == 1
	g.mu.Unlock()
	if first {
		<-g.release
	}
	return g.f.Find(q)
}

// TestModelNewestWins: queries typed while one runs wait, only the
// newest of them runs, and only its answer is delivered.
func TestModelNewestWins(t *testing.T) {
	s := openStore(t)
	add(t, s, "bob@x", "hello there", t0)
	add(t, s, "bob@x", "help me", t0.Add(time.Second))
	g := &gate{f: s, release: make(chan struct{})}
	type answer struct {
		words string
		rs    []Result
		err   error
	}
	got := make(chan answer, 10)
	m := New(g, func(f func()) { f() }, func(q history.Query, rs []Result, err error) {
		got <- answer{q.Words, rs, err}
	})
	for _, w := range []string{"h", "he", "hel", "help"} {
		m.Search(history.Query{Words: w, Limit: 10})
	}
	close(g.release)
	a := <-got
	if a.words != "help" || a.err != nil || len(a.rs) != 1 || a.rs[0].Msg.Body != "help me" {
		t.Fatalf("answer %q: %+v %v", a.words, a.rs, a.err)
	}
	select {
	case a := <-got:
		t.Fatalf("a second answer: %q", a.words)
	case <-time.After(100 * time.Millisecond):
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if fmt.Sprint(g.asked) != "[h help]" {
		t.Fatalf("queries run: %q", g.asked)
	}
	// The marks are the words found.
	if r := a.rs[0]; len(r.Marks) != 1 || r.Snippet[r.Marks[0][0]:r.Marks[0][1]] != "help" {
		t.Fatalf("marks %v in %q", r.Marks, r.Snippet)
	}
}

func marked(text string, marks [][2]int) []string {
	var out []string
	for _, r := range marks {
		out = append(out, text[r[0]:r[1]])
	}
	return out
}

func TestSnippet(t *testing.T) {
	long := strings.Repeat("filler words here ", 40) + "the needle is here " + strings.Repeat("more text ", 40)
	cases := []struct {
		name        string
		m           history.Message
		q           string
		want        string // the snippet, or a part of it with ~ for the rest
		wantMarks   []string
		maxBytes    int
		startsWith  string
		notContains string
	}{
		{name: "short", m: history.Message{Body: "Cet été\non part"}, q: "ete", want: "Cet été on part", wantMarks: []string{"été"}},
		{name: "subject", m: history.Message{Subject: "Réunion"}, q: "reunion", want: "Réunion", wantMarks: []string{"Réunion"}},
		{name: "file", m: history.Message{Body: "https://x.example/u/abc/Rapport%20final.pdf", OOB: "https://x.example/u/abc/Rapport%20final.pdf"},
			q: "rapport", want: "📎 Rapport final.pdf", wantMarks: []string{"Rapport"}},
		{name: "hostile", m: history.Message{Body: "a\u202Egnp.exe\u200B b\x00c"}, q: "b", want: "agnp.exe b c", wantMarks: []string{"b"}},
		{name: "long: around the word", m: history.Message{Body: long}, q: "needle", wantMarks: []string{"needle"},
			maxBytes: snippetBytes + 2*len("…"), startsWith: "…"},
		{name: "long: word at the start", m: history.Message{Body: "needle " + long}, q: "needle",
			wantMarks: []string{"needle"}, maxBytes: snippetBytes + len("…"), startsWith: "needle"},
		{name: "huge", m: history.Message{Body: strings.Repeat("x", 1<<20) + " needle"}, q: "needle",
			maxBytes: snippetBytes + len("…"), notContains: "needle"},
	}
	for _, c := range cases {
		s, marks := Snippet(c.m, c.q)
		if c.want != "" && s != c.want {
			t.Errorf("%s: snippet %q, want %q", c.name, s, c.want)
		}
		if fmt.Sprint(marked(s, marks)) != fmt.Sprint(c.wantMarks) {
			t.Errorf("%s: marks %q, want %q (in %q)", c.name, marked(s, marks), c.wantMarks, s)
		}
		if c.maxBytes > 0 && len(s) > c.maxBytes {
			t.Errorf("%s: %d bytes", c.name, len(s))
		}
		if c.startsWith != "" && !strings.HasPrefix(s, c.startsWith) {
			t.Errorf("%s: %q does not start with %q", c.name, s, c.startsWith)
		}
		if c.notContains != "" && strings.Contains(s, c.notContains) {
			t.Errorf("%s: %q found past the scanned part", c.name, c.notContains)
		}
	}
}

func TestSegments(t *testing.T) {
	segs := Segments("a big cat", [][2]int{{2, 5}})
	if len(segs) != 3 || segs[1].Textual() != "big" || segs[0].Textual() != "a " || segs[2].Textual() != " cat" {
		t.Fatalf("segments %+v", segs)
	}
	if len(Segments("", nil)) != 1 {
		t.Fatal("an empty text has one segment")
	}
}
