package styling

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/causerie/causerie/core/xmpp/xhtmlim"
)

// urlRange is a URL found in a line: s[lo:hi], linking to href.
type urlRange struct {
	lo, hi int
	href   string
}

// prefixes that start a URL, tried in this order; "www." is linked with
// https://.
var prefixes = [...]string{"https://", "http://", "xmpp:", "mailto:", "www."}

// findURLs returns the URLs of a line, in order, not overlapping.
func findURLs(s string) []urlRange {
	var out []urlRange
	for i := 0; i < len(s); {
		switch s[i] | 0x20 { // ASCII lower case
		case 'h', 'x', 'm', 'w':
		default:
			i++
			continue
		}
		if !urlStart(s, i) {
			i++
			continue
		}
		u, ok, next := urlAt(s, i)
		if ok {
			out = append(out, u)
		}
		i = next
	}
	return out
}

// urlStart reports whether a URL may start at i: not inside a word, a
// host name, a path or an address.
func urlStart(s string, i int) bool {
	if i == 0 {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune(".-+@/", r)
}

// maxToken bounds the run of non-space characters read as a URL
// (xhtmlim.SafeLink refuses links over 2 KiB anyway).
const maxToken = 4 << 10

// urlAt returns the URL starting at i, if there is one, and where to look
// for the next one.
func urlAt(s string, i int) (urlRange, bool, int) {
	for _, p := range prefixes {
		if len(s)-i < len(p) || !strings.EqualFold(s[i:i+len(p)], p) {
			continue
		}
		j := i + len(p)
		for j < len(s) {
			r, n := utf8.DecodeRuneInString(s[j:])
			if isSpace(r) || r < 0x20 || r >= 0x7f && r < 0xa0 || r == '<' || r == '>' || r == '"' {
				break
			}
			j += n
		}
		if j-i > maxToken {
			return urlRange{}, false, j // nothing in this token is a link
		}
		j = i + trimURL(s[i:j])
		if j <= i+len(p) {
			break
		}
		href := s[i:j]
		if p == "www." {
			href = "https://" + href
		}
		href, ok := xhtmlim.SafeLink(href)
		if !ok {
			break
		}
		return urlRange{i, j, href}, true, j
	}
	return urlRange{}, false, i + 1
}

// trimURL returns the length of u without the punctuation that usually
// follows a URL rather than ends it: sentence punctuation, quotes,
// styling directives, and closing brackets with no opening one in u.
func trimURL(u string) int {
	var opens, closes [3]int
	for i := 0; i < len(u); i++ {
		if k := strings.IndexByte("([{", u[i]); k >= 0 {
			opens[k]++
		} else if k := strings.IndexByte(")]}", u[i]); k >= 0 {
			closes[k]++
		}
	}
	for len(u) > 0 {
		r, n := utf8.DecodeLastRuneInString(u)
		switch k := strings.IndexRune(")]}", r); {
		case k >= 0:
			if opens[k] >= closes[k] {
				return len(u)
			}
			closes[k]--
		case strings.ContainsRune(".,:;!?'*_~`", r):
		case r >= 0x80 && unicode.IsPunct(r):
		default:
			return len(u)
		}
		u = u[:len(u)-n]
	}
	return 0
}
