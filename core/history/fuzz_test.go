package history

import (
	"testing"
	"unicode/utf8"
)

// FuzzSearch: no query string makes Search fail.
func FuzzSearch(f *testing.F) {
	for _, q := range hostileQueries {
		f.Add(q)
	}
	f.Add("meeting")
	f.Add("été mer")
	s, _ := openTemp(f)
	for i, body := range []string{"meeting about foo bar", "Cet été on part à la mer", "x AND y NEAR z", "\"quoted\" *star*"} {
		mustAdd(f, s, &Message{Account: me, Peer: []string{bob, ann}[i%2], Direction: In, Body: body, Subject: "sujet"})
	}
	f.Fuzz(func(t *testing.T, q string) {
		for _, peer := range []string{"", bob} {
			r, err := s.Search(me, peer, q, 10)
			if err != nil {
				t.Fatalf("Search(%q, %q): %v", peer, q, err)
			}
			if len(ftsWords(q)) == 0 && len(r) != 0 {
				t.Fatalf("Search(%q) without words returned %d results", q, len(r))
			}
		}
		if utf8.ValidString(q) && len(q) < 100 {
			_ = ftsExpr("c1", ftsWords(q))
		}
	})
}
