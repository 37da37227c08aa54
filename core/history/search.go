package history

import (
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Search returns up to n messages of account whose body or subject match
// query, newest (by Sent, then ID) first. peer "" searches every
// conversation of the account, otherwise only that conversation.
//
// query is plain words, not FTS5 syntax: each word must occur (accents and
// case are ignored, "ete" finds "été") and the last word also matches as a
// prefix, for search-as-you-type. Punctuation separates words; operators and
// quotes in query have no special meaning, so no query can cause an error. A
// query without any word returns no results.
func (s *Store) Search(account, peer, query string, n int) ([]Message, error) {
	return s.Find(Query{Words: query, Account: account, Peer: peer, Limit: n})
}

// Query is what Find looks for.
type Query struct {
	// Words are plain words as typed (see Search).
	Words string
	// Account is our bare JID; "" searches every account.
	Account string
	// Peer is one conversation of Account; "" every conversation.
	Peer string
	// Since and Until bound Sent: Since <= Sent < Until. A zero time is
	// no bound.
	Since, Until time.Time
	// Limit is the most messages returned.
	Limit int
}

// Find returns up to q.Limit messages that match q, newest (by Sent, then
// ID) first. An account or conversation that does not exist has no
// results.
func (s *Store) Find(q Query) ([]Message, error) {
	words := ftsWords(q.Words)
	if len(words) == 0 || q.Limit <= 0 {
		return nil, nil
	}
	var scope string
	switch {
	case q.Peer != "":
		var id int64
		err := s.r.QueryRow(convSub, q.Account, q.Peer).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("history: Find: %w", err)
		}
		scope = fmt.Sprintf("c%d", id)
	case q.Account != "":
		var id, accounts int64
		err := s.r.QueryRow(`SELECT id, (SELECT count(*) FROM accounts) FROM accounts WHERE jid = ?`,
			q.Account).Scan(&id, &accounts)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("history: Find: %w", err)
		}
		// With a single account the account token matches every row:
		// intersecting with it would only cost time.
		if accounts > 1 {
			scope = fmt.Sprintf("a%d", id)
		}
	}
	// Chrono keys follow Sent (chronoBase), so a date range is a rowid
	// range, which FTS5 applies while it walks the matches.
	lo, hi := int64(0), int64(math.MaxInt64)
	if !q.Since.IsZero() {
		lo = chronoBase(q.Since)
	}
	if !q.Until.IsZero() {
		hi = chronoBase(q.Until) - 1
	}
	if hi < lo {
		return nil, nil
	}
	// FTS5 walks the matches in descending chrono order and stops after n;
	// the final sort only orders those n by exact (Sent, ID).
	rows, err := s.r.Query(`SELECT `+msgCols+`
		FROM (SELECT rowid AS k FROM messages_fts WHERE messages_fts MATCH ?1 AND rowid BETWEEN ?2 AND ?3
			ORDER BY rowid DESC LIMIT ?4) f
		JOIN messages m ON m.chrono = f.k
		JOIN conversations c ON c.id = m.conv JOIN accounts a ON a.id = c.account_id
		ORDER BY m.sent DESC, m.id DESC`, ftsExpr(scope, words), lo, hi, q.Limit)
	if err != nil {
		return nil, fmt.Errorf("history: Find: %w", err)
	}
	return collect(rows, false)
}

// Matches returns the byte ranges [start, end) of the words of text that
// query finds, in order: a word equal to one of query's words, or
// starting with its last one, with accents and case ignored as Search
// ignores them. It is what a list of results highlights.
func Matches(text, query string) [][2]int {
	words := ftsWords(query)
	if len(words) == 0 {
		return nil
	}
	keys := make([]string, len(words))
	for i, w := range words {
		keys[i] = fold(w)
	}
	last := keys[len(keys)-1]
	var out [][2]int
	start := -1
	end := func(i int) {
		if start < 0 {
			return
		}
		tok := fold(text[start:i])
		if strings.HasPrefix(tok, last) || slices.Contains(keys, tok) {
			out = append(out, [2]int{start, i})
		}
		start = -1
	}
	for i, r := range text {
		if isWordRune(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		end(i)
	}
	end(len(text))
	return out
}

// fold is a word as the unicode61 tokenizer with remove_diacritics
// indexes it: lower case, without combining marks.
func fold(w string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(w) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// isWordRune reports whether r can be part of a word. It keeps at least
// every character the unicode61 tokenizer keeps (letters, numbers, private
// use) plus combining marks; FTS5 re-tokenizes each quoted word with the
// same tokenizer as the indexed text, so a coarser split here is harmless.
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r) || unicode.Is(unicode.Co, r)
}

// ftsWords splits a user query into words that contain at least one letter,
// number or private-use character (a lone combining mark is no word).
func ftsWords(query string) []string {
	fields := strings.FieldsFunc(query, func(r rune) bool { return !isWordRune(r) })
	words := fields[:0]
	for _, f := range fields {
		if strings.IndexFunc(f, func(r rune) bool { return !unicode.IsMark(r) }) >= 0 {
			words = append(words, f)
		}
	}
	return words
}

// ftsExpr builds the FTS5 MATCH expression: the scope token (if any) on the
// conv column AND every word (as a quoted string, the last one a prefix) on body
// or subject.
func ftsExpr(scope string, words []string) string {
	var b strings.Builder
	if scope != "" {
		b.WriteString(`conv : "`)
		b.WriteString(scope)
		b.WriteString(`" AND `)
	}
	b.WriteString(`{body subject} : (`)
	for i, w := range words {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteByte('"')
		b.WriteString(strings.ReplaceAll(w, `"`, `""`)) // cannot occur; belt and braces
		b.WriteByte('"')
		if i == len(words)-1 {
			b.WriteByte('*')
		}
	}
	b.WriteByte(')')
	return b.String()
}
