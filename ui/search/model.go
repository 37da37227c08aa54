package search

import (
	"net/url"
	"path"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/safetext"
)

// Finder is what a search reads: history.Store.
type Finder interface {
	Find(history.Query) ([]history.Message, error)
}

// Result is one message found.
type Result struct {
	Msg history.Message
	// Snippet is a line of the message's text around the first word
	// found, safe to show (no control, bidi or invisible characters);
	// Marks are the words found in it, as byte ranges.
	Snippet string
	Marks   [][2]int
}

// Model runs queries off the UI goroutine. Results reach the function
// given to New through deliver (fyne.Do in the app), in the order asked;
// a query asked while another runs waits, and only the newest waiting
// one runs, so typing fast costs one query at a time and the results
// shown are always the last query's.
type Model struct {
	find    Finder
	deliver func(func())
	done    func(q history.Query, rs []Result, err error)

	mu      sync.Mutex
	running bool
	next    *history.Query
}

// New returns a model that searches find and hands each query's results
// to done, called through deliver.
func New(find Finder, deliver func(func()), done func(q history.Query, rs []Result, err error)) *Model {
	return &Model{find: find, deliver: deliver, done: done}
}

// Search runs q (at once, or after the query running now).
func (m *Model) Search(q history.Query) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.running {
		m.next = &q
		return
	}
	m.running = true
	go m.run(q)
}

func (m *Model) run(q history.Query) {
	for {
		msgs, err := m.find.Find(q)
		rs := make([]Result, len(msgs))
		for i, msg := range msgs {
			rs[i] = Result{Msg: msg}
			rs[i].Snippet, rs[i].Marks = Snippet(msg, q.Words)
		}
		m.mu.Lock()
		next := m.next
		m.next = nil
		if next == nil {
			m.running = false
		}
		m.mu.Unlock()
		if next == nil {
			// Delivered only when no newer query waits: what is shown is
			// always the last query's answer.
			m.deliver(func() { m.done(q, rs, err) })
			return
		}
		q = *next
	}
}

// snippetBytes is about how much text a result shows: a line or two of a
// wide window.
const snippetBytes = 240

// scanBytes bounds the text searched for the words to mark: a huge message
// (a stranger's 100 KB) costs no more than a short one.
const scanBytes = 16 << 10

// Snippet is the text a result shows: the message's text (a file's name
// for a file alone, the subject when there is no body) on one line, cut
// around the first word found, with the ranges of the words found.
func Snippet(m history.Message, words string) (string, [][2]int) {
	text := m.Body
	if m.OOB != "" && strings.TrimSpace(m.Body) == m.OOB {
		text = "📎 " + fileName(m.OOB)
	}
	if strings.TrimSpace(text) == "" {
		text = m.Subject
	}
	if len(text) > scanBytes {
		text = text[:runeStart(text, scanBytes)] + "…"
	}
	text = clean(text)
	marks := history.Matches(text, words)
	if len(text) <= snippetBytes {
		return text, marks
	}
	start := 0
	if len(marks) > 0 && marks[0][1] > snippetBytes*3/4 {
		// The first word found, with some of what comes before it.
		start = runeStart(text, marks[0][0]-snippetBytes/4)
		if i := strings.IndexByte(text[start:marks[0][0]], ' '); i >= 0 {
			start += i + 1 // from a word's start
		}
	}
	end := runeStart(text, start+snippetBytes)
	out := text[start:end]
	shift := 0
	if start > 0 {
		out = "…" + out
		shift = len("…")
	}
	if end < len(text) {
		out += "…"
	}
	var kept [][2]int
	for _, r := range marks {
		if r[0] >= start && r[1] <= end {
			kept = append(kept, [2]int{r[0] - start + shift, r[1] - start + shift})
		}
	}
	return out, kept
}

// clean puts text on one line and takes out what could disguise it:
// control characters become spaces, bidi controls and invisible
// characters go.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == utf8.RuneError:
			return '�'
		case unicode.IsControl(r):
			return ' '
		case safetext.IsBidiControl(r), safetext.IsInvisible(r):
			return -1
		}
		return r
	}, s)
}

// runeStart is i moved back to the start of a rune of s (0 if negative).
func runeStart(s string, i int) int {
	if i <= 0 {
		return 0
	}
	if i >= len(s) {
		return len(s)
	}
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return i
}

// fileName is the name at the end of a file's address, unescaped.
func fileName(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return u
	}
	name := path.Base(p.Path)
	if name == "." || name == "/" {
		return u
	}
	return name
}

// Limit is how many results a search shows: enough to scroll through,
// few enough to come at once; a narrower search finds the rest.
const Limit = 200
