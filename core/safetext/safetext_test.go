package safetext

import (
	"strings"
	"testing"
)

func TestIsolate(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Alice", "Alice"},
		{"Zoë Ünal 李", "Zoë Ünal 李"},
		// An override that would flip what follows is closed inside.
		{"\u202Egnp.exe", "\u2068\u202Egnp.exe\u202C\u2069"},
		// Right-to-left letters alone are isolated, not changed.
		{"שלום", "\u2068שלום\u2069"},
		// Pops that would close the surroundings are dropped.
		{"a\u202C\u2069b\u200F", "\u2068ab\u200F\u2069"},
		// Nested: an embedding inside an isolate is closed by its PDI.
		{"\u2067x\u202By\u2069z", "\u2068\u2067x\u202By\u2069z\u2069"},
		// A PDF does not close across an isolate.
		{"\u202Bx\u2066y\u202Cz", "\u2068\u202Bx\u2066yz\u2069\u202C\u2069"},
	} {
		if got := Isolate(c.in); got != c.want {
			t.Errorf("Isolate(%+q) = %+q, want %+q", c.in, got, c.want)
		}
	}
}

func TestHasInvisible(t *testing.T) {
	for s, want := range map[string]bool{
		"https://example.org/":                false,
		"https://exämple.org/café":            false,
		"https://example.org\u200B.evil.com/": true,  // zero-width space
		"https://evil.com/\u202Egnp.exe":      true,  // override
		"https://paypal\u00ADcom.example/":    true,  // soft hyphen
		"https://a\u2060b.example/":           true,  // word joiner
		"https://a\uFEFFb.example/":           true,  // BOM
		"https://a\U000E0041b.example/":       true,  // tag character
		"https://e\u0301xample.org/":          false, // a combining accent shows
	} {
		if got := HasInvisible(s); got != want {
			t.Errorf("HasInvisible(%+q) = %v", s, got)
		}
	}
}

// balanced reports whether s's initiators and pops match, as Isolate
// promises, so that s cannot affect what follows it.
func balanced(s string) bool {
	var open []bool
	for _, r := range s {
		switch r {
		case lre, rle, lro, rlo:
			open = append(open, false)
		case lri, rli, fsi:
			open = append(open, true)
		case pdf:
			if len(open) == 0 || open[len(open)-1] {
				return false
			}
			open = open[:len(open)-1]
		case pdi:
			if len(open) == 0 || !open[len(open)-1] {
				return false
			}
			open = open[:len(open)-1]
		}
	}
	return len(open) == 0
}

func FuzzIsolate(f *testing.F) {
	for _, s := range []string{"", "abc", "\u202Eabc", "\u2069\u2069x", "\u202B\u2066\u202C\u2069", "שלום world"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Isolate(s)
		if !balanced(got) {
			t.Fatalf("Isolate(%+q) = %+q is not balanced", s, got)
		}
		strip := func(s string) string {
			return strings.Map(func(r rune) rune {
				if IsBidiControl(r) {
					return -1
				}
				return r
			}, s)
		}
		if strip(got) != strip(s) {
			t.Fatalf("Isolate(%+q) changed the text: %+q", s, got)
		}
	})
}
