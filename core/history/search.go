package history

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode"
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
	words := ftsWords(query)
	if len(words) == 0 || n <= 0 {
		return nil, nil
	}
	var scope string
	if peer == "" {
		var id, accounts int64
		err := s.r.QueryRow(`SELECT id, (SELECT count(*) FROM accounts) FROM accounts WHERE jid = ?`,
			account).Scan(&id, &accounts)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("history: Search: %w", err)
		}
		// With a single account the account token matches every row:
		// intersecting with it would only cost time.
		if accounts > 1 {
			scope = fmt.Sprintf("a%d", id)
		}
	} else {
		var id int64
		err := s.r.QueryRow(convSub, account, peer).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("history: Search: %w", err)
		}
		scope = fmt.Sprintf("c%d", id)
	}
	// FTS5 walks the matches in descending chrono order and stops after n;
	// the final sort only orders those n by exact (Sent, ID).
	rows, err := s.r.Query(`SELECT `+msgCols+`
		FROM (SELECT rowid AS k FROM messages_fts WHERE messages_fts MATCH ? ORDER BY rowid DESC LIMIT ?) f
		JOIN messages m ON m.chrono = f.k
		JOIN conversations c ON c.id = m.conv JOIN accounts a ON a.id = c.account_id
		ORDER BY m.sent DESC, m.id DESC`, ftsExpr(scope, words), n)
	if err != nil {
		return nil, fmt.Errorf("history: Search: %w", err)
	}
	return collect(rows, false)
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
