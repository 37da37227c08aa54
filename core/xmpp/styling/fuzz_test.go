package styling

import (
	"reflect"
	"strings"
	"testing"

	"github.com/causerie/causerie/core/xmpp/xhtmlim"
)

// canon is the text a Doc must keep of a body: line by line, every
// character normalisation keeps (no whitespace, only what XML can carry,
// invalid UTF-8 as U+FFFD), lines with nothing but quotation markers
// dropped (they are blank lines of quotations, and [xhtmlim.Doc.PlainText]
// writes the markers of the others back).
func canon(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	var out []string
	for _, l := range strings.Split(s, "\n") {
		var b strings.Builder
		for _, r := range l {
			if xmlChar(r) && !isSpace(r) {
				b.WriteRune(r)
			}
		}
		if t := b.String(); strings.Trim(t, ">") != "" {
			out = append(out, t)
		}
	}
	return strings.Join(out, "\n")
}

var fuzzSeeds = []string{
	"*strong* _emph_ ~strike~ `code` plain",
	"*_bold italic_* *a*_b_ **not** * no *",
	"```go\nfunc main() {}\n```\nafter\n> ```\n> unterminated",
	"> quote\n>> nested\n> back\n\nplain\r\n>",
	"see https://xmpp.org/a_(b). www.example.org, xmpp:juliet@capulet.lit?message mailto:x@y.z",
	"*https://x.org/*a*_ `https://x.org`",
	"😀 *日本語* \u00a0_x_\u3000~y~ \xff\x00",
	strings.Repeat(">", 12) + " deep",
}

// FuzzParse: Parse never panics; it returns a normal Doc that keeps the
// body's text (see canon), links only with safe targets and never in
// code; ParseMessage of an unstyled body has only paragraphs and links;
// Compose of what Parse returns reads back to itself (unless it wrote a
// paragraph line that reads as a block directive).
func FuzzParse(f *testing.F) {
	for _, ex := range xepExamples {
		f.Add(ex.body)
	}
	for _, c := range parseCases {
		f.Add(c.body)
	}
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		d := Parse(body)
		if !reflect.DeepEqual(d, d.Normalize()) {
			t.Fatalf("not normal: %s", dump(d))
		}
		if len(body) <= xhtmlim.MaxTextSize {
			if got, want := canon(d.PlainText()), canon(body); got != want {
				t.Fatalf("text changed\nbody  %q\nplain %q\ndoc   %s", body, d.PlainText(), dump(d))
			}
		}
		checkLinks(t, d, false)

		u := ParseMessage(body, true)
		if !reflect.DeepEqual(u, u.Normalize()) {
			t.Fatalf("unstyled not normal: %s", dump(u))
		}
		if len(body) <= xhtmlim.MaxTextSize {
			if got, want := canon(u.PlainText()), canon(body); got != want {
				t.Fatalf("unstyled text changed\nbody  %q\nplain %q", body, u.PlainText())
			}
		}
		for _, b := range u {
			if b.Kind == xhtmlim.Quote || b.Kind == xhtmlim.List {
				t.Fatalf("unstyled: %v block", b.Kind)
			}
			for _, in := range b.Inlines {
				if in.Style != (xhtmlim.Style{Link: in.Style.Link}) {
					t.Fatalf("unstyled: style %+v", in.Style)
				}
			}
		}

		// Compose(Parse(...)) is stable, unless composing made a paragraph
		// line that reads as a block directive (XEP-0393 has no escaping).
		c1 := Compose(d)
		if c2 := Compose(Parse(c1)); c2 != c1 && !blockLike(c1) {
			t.Fatalf("Compose(Parse(Compose(Parse(body)))) != Compose(Parse(body))\nbody %q\nonce  %q\ntwice %q", body, c1, c2)
		}
	})
}

// blockLike reports whether a line of s begins with a block directive.
func blockLike(s string) bool {
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, ">") || strings.HasPrefix(l, fence) {
			return true
		}
	}
	return false
}

// checkLinks checks that every link is safe and none is on code.
func checkLinks(t *testing.T, bs []xhtmlim.Block, inPre bool) {
	t.Helper()
	for _, b := range bs {
		for _, in := range b.Inlines {
			l := in.Style.Link
			if l == "" {
				continue
			}
			if b.Kind == xhtmlim.Pre || in.Style.Code {
				t.Fatalf("link %q in code", l)
			}
			if s, ok := xhtmlim.SafeLink(l); !ok || s != l {
				t.Fatalf("unsafe link %q", l)
			}
		}
		checkLinks(t, b.Blocks, false)
	}
}
