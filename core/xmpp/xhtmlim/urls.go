package xhtmlim

import (
	"encoding/base64"
	"net/url"
	"strings"
	"unicode"
)

// maxURL bounds a link or a remote image's URI.
const maxURL = 2048

// SafeLink returns href cleaned as a hyperlink target, or false when it is
// not an absolute http, https, xmpp or mailto URI. Tabs and newlines are
// removed and surrounding whitespace trimmed (as browsers do before
// reading the scheme, so "java&#9;script:" is still javascript:), spaces
// become %20; control, bidirectional-formatting and other invisible
// characters (zero-width spaces and joiners, soft hyphens, ...), and http
// URIs with user information (http://bank.example@evil.example/), are
// refused.
func SafeLink(href string) (string, bool) {
	u, scheme, ok := cleanURI(href)
	if !ok {
		return "", false
	}
	switch {
	case scheme == "http" || scheme == "https":
		ok = webURI(u)
	case scheme == "xmpp" || scheme == "mailto":
		ok = len(u) > len(scheme)+1
	default:
		ok = false
	}
	if !ok {
		return "", false
	}
	return u, true
}

// SafeImage returns src cleaned as an image source, or false: an http or
// https URI, a cid: URI (XEP-0231 Bits of Binary), or a base64 data: URI
// of a PNG, JPEG, GIF or WebP image of at most [MaxDataImage] bytes.
// SVG and every other type are refused.
func SafeImage(src string) (string, bool) {
	if len(src) >= 5 && strings.EqualFold(src[:5], "data:") {
		return dataImage(src)
	}
	u, scheme, ok := cleanURI(src)
	if !ok {
		return "", false
	}
	switch {
	case (scheme == "http" || scheme == "https") && webURI(u):
		return u, true
	case scheme == "cid" && len(u) > 4 && !strings.ContainsAny(u, "<>\""):
		return "cid:" + u[4:], true
	}
	return "", false
}

// cleanURI trims and cleans an absolute URI and returns its lower-case
// scheme.
func cleanURI(s string) (string, string, bool) {
	s = strings.Trim(s, "\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")
	if len(s) > 4*maxURL {
		return "", "", false
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
		case r == ' ':
			b.WriteString("%20")
		case r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0, r == 0xfffd, invisible(r):
			return "", "", false
		default:
			b.WriteRune(r)
		}
	}
	s = b.String()
	if len(s) > maxURL {
		return "", "", false
	}
	i := strings.IndexByte(s, ':')
	if i <= 0 {
		return "", "", false
	}
	for j := 0; j < i; j++ {
		c := s[j]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || j > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return "", "", false
		}
	}
	return s, strings.ToLower(s[:i]), true
}

// invisible reports whether r shows nothing, or changes how what is
// around it shows: every format character (bidi controls, zero-width
// space and joiners, word joiner, soft hyphen, BOM, tags), variation
// selectors, the grapheme joiner and the Hangul fillers. A URI with one
// says less than it is.
func invisible(r rune) bool {
	switch {
	case r < 0xa0:
		return false
	case unicode.Is(unicode.Cf, r), r >= 0xfe00 && r <= 0xfe0f, r >= 0xe0100 && r <= 0xe01ef:
		return true
	}
	return r == 0x034f || r == 0x115f || r == 0x1160 || r == 0x3164 || r == 0xffa0
}

// webURI reports whether u is a usable http(s) URI: a host and no user
// information.
func webURI(u string) bool {
	p, err := url.Parse(u)
	return err == nil && p.Host != "" && p.User == nil && p.Opaque == ""
}

var imageTypes = map[string]string{
	"image/png":  "image/png",
	"image/jpeg": "image/jpeg",
	"image/jpg":  "image/jpeg",
	"image/gif":  "image/gif",
	"image/webp": "image/webp",
}

// dataImage checks a data: URI: an allowed image type, base64, valid
// data, not too large. The result is data:TYPE;base64,DATA without
// whitespace.
func dataImage(s string) (string, bool) {
	head, data, ok := strings.Cut(s[5:], ",")
	if !ok || len(head) > 64 {
		return "", false
	}
	typ, enc, ok := strings.Cut(strings.ToLower(strings.TrimSpace(head)), ";")
	if !ok || strings.TrimSpace(enc) != "base64" {
		return "", false
	}
	typ, ok = imageTypes[strings.TrimSpace(typ)]
	if !ok || len(data) > 2*MaxDataImage {
		return "", false
	}
	data = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, data)
	out := "data:" + typ + ";base64," + data
	if data == "" || len(out) > MaxDataImage {
		return "", false
	}
	if _, err := base64.StdEncoding.Strict().DecodeString(data); err != nil {
		return "", false
	}
	return out, true
}
