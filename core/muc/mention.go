package muc

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Mentions reports whether body names nick: nick as a word of its own
// (not inside a longer word), in any case, with or without a leading @
// ("Alice:", "@alice", "merci Alice !" do; "Alicette" does not).
func Mentions(body, nick string) bool {
	nick = strings.TrimSpace(nick)
	if nick == "" || body == "" {
		return false
	}
	lb, ln := strings.ToLower(body), strings.ToLower(nick)
	if len(lb) != len(body) || len(ln) != len(nick) {
		// Lower-casing changed a byte length (rare scripts): compare
		// with the folding of strings.EqualFold at each position.
		return mentionsFold(body, nick)
	}
	for i := 0; i <= len(lb)-len(ln); {
		j := strings.Index(lb[i:], ln)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(ln)
		if wordEdge(body, start, true) && wordEdge(body, end, false) {
			return true
		}
		_, size := utf8.DecodeRuneInString(lb[start:])
		i = start + size
	}
	return false
}

// mentionsFold is Mentions for texts whose lower case has another length.
func mentionsFold(body, nick string) bool {
	n := utf8.RuneCountInString(nick)
	for start := 0; start < len(body); {
		end := start
		for k := 0; k < n && end < len(body); k++ {
			_, size := utf8.DecodeRuneInString(body[end:])
			end += size
		}
		if strings.EqualFold(body[start:end], nick) && wordEdge(body, start, true) && wordEdge(body, end, false) {
			return true
		}
		_, size := utf8.DecodeRuneInString(body[start:])
		start += size
	}
	return false
}

// wordEdge reports whether position i of s is the edge of a word: the
// text's start or end, or next to a rune that is no letter or digit.
func wordEdge(s string, i int, before bool) bool {
	var r rune
	if before {
		if i == 0 {
			return true
		}
		r, _ = utf8.DecodeLastRuneInString(s[:i])
	} else {
		if i >= len(s) {
			return true
		}
		r, _ = utf8.DecodeRuneInString(s[i:])
	}
	return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_'
}
