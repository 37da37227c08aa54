// Package safetext keeps text from strangers from disguising itself: bidi
// controls (Unicode UAX #9) in a name or a message that would flip the
// text around them, and invisible characters in a link target that would
// make one address look like another.
//
// Fyne, desktop notifications and window managers all apply the Unicode
// bidirectional algorithm, so "\u202Egnp.exe" shows as "exe.png" and
// flips whatever follows it on the line. Isolate wraps such text in
// FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE, with its own
// embeddings closed, as HTML's <bdi> does: it keeps its own direction
// and cannot reorder the text around it.
package safetext

import (
	"strings"
	"unicode"
)

// Bidi formatting characters (UAX #9 §2).
const (
	lre = '\u202A' // left-to-right embedding
	rle = '\u202B' // right-to-left embedding
	pdf = '\u202C' // pop directional formatting
	lro = '\u202D' // left-to-right override
	rlo = '\u202E' // right-to-left override
	lri = '\u2066' // left-to-right isolate
	rli = '\u2067' // right-to-left isolate
	fsi = '\u2068' // first strong isolate
	pdi = '\u2069' // pop directional isolate
)

// IsBidiControl reports whether r is a bidi formatting or mark character
// (embeddings, overrides, isolates and the LRM, RLM and ALM marks).
func IsBidiControl(r rune) bool {
	switch r {
	case lre, rle, pdf, lro, rlo, lri, rli, fsi, pdi, '\u200E', '\u200F', '\u061C':
		return true
	}
	return false
}

// rtl reports whether r is a strong right-to-left letter (Hebrew, Arabic,
// Syriac, Thaana, N'Ko, ... and their presentation forms).
func rtl(r rune) bool {
	return r >= 0x0590 && r <= 0x08FF || r >= 0xFB1D && r <= 0xFDFF || r >= 0xFE70 && r <= 0xFEFF ||
		r >= 0x10800 && r <= 0x10FFF || r >= 0x1E800 && r <= 0x1EFFF
}

// needsIsolation reports whether s can change the direction of text
// around it: it has a bidi control or a right-to-left letter.
func needsIsolation(s string) bool {
	for _, r := range s {
		if r >= 0x0590 && (IsBidiControl(r) || rtl(r)) {
			return true
		}
	}
	return false
}

// Isolate returns s so that it cannot reorder the text it is placed in:
// unchanged when it has no bidi control and no right-to-left letter, else
// with its unmatched pops dropped, its open embeddings, overrides and
// isolates closed, and the whole wrapped in FSI … PDI.
func Isolate(s string) string {
	if !needsIsolation(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 12)
	b.WriteRune(fsi)
	// open is the stack of what s opened: true for an isolate, false for
	// an embedding or override.
	var open []bool
	for _, r := range s {
		switch r {
		case lre, rle, lro, rlo:
			open = append(open, false)
		case lri, rli, fsi:
			open = append(open, true)
		case pdf:
			// Closes the innermost embedding, never across an isolate.
			if n := len(open); n == 0 || open[n-1] {
				continue
			}
			open = open[:len(open)-1]
		case pdi:
			// Closes the innermost isolate and the embeddings in it.
			i := len(open) - 1
			for i >= 0 && !open[i] {
				i--
			}
			if i < 0 {
				continue // would close ours
			}
			open = open[:i]
		}
		b.WriteRune(r)
	}
	for i := len(open) - 1; i >= 0; i-- {
		if open[i] {
			b.WriteRune(pdi)
		} else {
			b.WriteRune(pdf)
		}
	}
	b.WriteRune(pdi)
	return b.String()
}

// IsInvisible reports whether r shows nothing or changes how what is
// around it shows: bidi controls, zero-width characters, joiners, the
// word joiner and invisible operators, soft hyphens, the BOM, variation
// selectors, tag characters and every other format (Cf) character.
func IsInvisible(r rune) bool {
	switch {
	case IsBidiControl(r), unicode.Is(unicode.Cf, r):
		return true
	case r == '\u00AD', r == '\u034F', r == '\u115F', r == '\u1160', r == '\u3164', r == '\uFFA0':
		return true // soft hyphen, grapheme joiner, Hangul fillers
	case r >= 0xFE00 && r <= 0xFE0F, r >= 0xE0100 && r <= 0xE01EF:
		return true // variation selectors
	}
	return false
}

// HasInvisible reports whether s has an invisible character (IsInvisible):
// a link target with one is refused, since what it shows is not all
// there is.
func HasInvisible(s string) bool {
	for _, r := range s {
		if r >= 0x80 && IsInvisible(r) {
			return true
		}
	}
	return false
}
