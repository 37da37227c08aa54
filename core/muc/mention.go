package muc

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Mentions reports whether body names nick: nick as a word of its own
// (not inside a longer word: letters, digits and underscores make
// words), in any case, with or without a leading @
// ("Alice:", "@alice", "merci Alice !" do; "Alicette" does not).
func Mentions(body, nick string) bool {
	nick = strings.TrimSpace(nick)
	if nick == "" || body == "" {
		return false
	}
	if !ascii(body) || !ascii(nick) {
		// Case folding may change byte lengths: compare with
		// strings.EqualFold at each rune.
		return mentionsFold(body, nick)
	}
	lb, ln := strings.ToLower(body), strings.ToLower(nick)
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

// ascii reports whether s is all ASCII (its lower case keeps every
// byte's offset).
func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// mentionsFold is Mentions for texts that are not all ASCII.
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
// text's start or end, or next to a rune that is no letter, digit or
// underscore.
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
