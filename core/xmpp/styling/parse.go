package styling

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/causerie/causerie/core/xmpp/xhtmlim"
)

const fence = "```"

// isSpace reports whether r is whitespace as XEP-0393 defines it: Unicode
// White_Space or category Z.
func isSpace(r rune) bool {
	return unicode.Is(unicode.White_Space, r) || unicode.In(r, unicode.Z)
}

// isDirective reports whether c is a span styling directive.
func isDirective(c byte) bool { return c == '*' || c == '_' || c == '~' || c == '`' }

// add returns st with the style of directive c added.
func add(st xhtmlim.Style, c byte) xhtmlim.Style {
	switch c {
	case '*':
		st.Bold = true
	case '_':
		st.Italic = true
	case '~':
		st.Strike = true
	default:
		st.Code = true
	}
	return st
}

// budgetInlines is the number of inlines (spans and line breaks) an
// xhtmlim.Doc keeps (xhtmlim's own budget); past it, normalising cuts the
// Doc, so Parse gives up styling early. Whatever else normalising would
// cut (blocks, text), the text count after it catches.
const budgetInlines = 2000

func parse(body string, styled bool) xhtmlim.Doc {
	body = strings.ReplaceAll(body, "\r\n", "\n")
	body = strings.ReplaceAll(body, "\r", "\n")
	lines := strings.Split(body, "\n")
	var p parser
	var raw []xhtmlim.Block
	if styled {
		raw = p.blocks(lines, 0)
	} else {
		pa := para{p: &p}
		for _, l := range lines {
			if p.inlines > budgetInlines {
				break
			}
			pa.line(l, false)
		}
		raw = pa.flush(nil)
	}
	if p.inlines <= budgetInlines {
		if d := xhtmlim.Build(raw...); visible(d) == visible(raw) {
			return d
		}
	}
	// Over the model's budget: what keeps everything in one inline.
	return xhtmlim.Build(xhtmlim.Preformatted(body))
}

// parser parses the blocks of a body.
type parser struct {
	inlines int // inlines made so far
}

// blocks parses lines into blocks; depth is the number of enclosing
// quotations.
func (p *parser) blocks(lines []string, depth int) []xhtmlim.Block {
	var out []xhtmlim.Block
	pa := para{p: p}
	for i := 0; i < len(lines) && p.inlines <= budgetInlines; {
		l := lines[i]
		switch {
		case strings.HasPrefix(l, fence):
			out = pa.flush(out)
			j := i + 1
			for j < len(lines) && lines[j] != fence {
				j++
			}
			if j < len(lines) {
				j++ // the closing line
			}
			out = append(out, xhtmlim.Preformatted(strings.Join(lines[i:j], "\n")))
			p.inlines++
			i = j
		case strings.HasPrefix(l, ">") && depth < xhtmlim.MaxBlockDepth:
			j := i
			var inner []string
			for ; j < len(lines) && strings.HasPrefix(lines[j], ">"); j++ {
				s := lines[j][1:]
				if r, n := utf8.DecodeRuneInString(s); n > 0 && isSpace(r) {
					s = s[n:]
				}
				inner = append(inner, s)
			}
			before := p.inlines
			q := p.blocks(inner, depth+1)
			if xhtmlim.Doc(q).Empty() {
				// Nothing but markers: keep them as text.
				p.inlines = before
				for k := i; k < j && p.inlines <= budgetInlines; k++ {
					pa.line(lines[k], true)
				}
			} else {
				out = pa.flush(out)
				out = append(out, xhtmlim.BlockQuote(q...))
			}
			i = j
		default:
			pa.line(l, true)
			i++
		}
	}
	return pa.flush(out)
}

// para collects the lines of a paragraph.
type para struct {
	p     *parser
	in    []xhtmlim.Inline
	lines int
}

func (pa *para) line(l string, styled bool) {
	n := len(pa.in)
	if pa.lines > 0 {
		pa.in = append(pa.in, xhtmlim.Break())
	}
	pa.lines++
	pa.in = appendLine(pa.in, l, styled)
	pa.p.inlines += len(pa.in) - n
}

func (pa *para) flush(out []xhtmlim.Block) []xhtmlim.Block {
	if pa.lines > 0 {
		out = append(out, xhtmlim.Para(pa.in...))
	}
	pa.in, pa.lines = nil, 0
	return out
}

// segment is a styled byte range of a line.
type segment struct {
	lo, hi int
	st     xhtmlim.Style
}

// lineParser finds the spans of one line.
type lineParser struct {
	s       string
	urls    []urlRange
	closers [4][]int // per directive (*, _, ~, `): positions that may close a span
	segs    []segment
}

func dirIndex(c byte) int {
	switch c {
	case '*':
		return 0
	case '_':
		return 1
	case '~':
		return 2
	}
	return 3
}

// spans returns the styled segments of line s, covering it, and the URLs
// found in it.
func spans(s string, styled bool) ([]segment, []urlRange) {
	p := lineParser{s: s, urls: findURLs(s)}
	if !styled {
		return []segment{{0, len(s), xhtmlim.Style{}}}, p.urls
	}
	u := 0
	for i := 1; i < len(s); i++ {
		if !isDirective(s[i]) {
			continue
		}
		for u < len(p.urls) && p.urls[u].hi <= i {
			u++
		}
		if u < len(p.urls) && p.urls[u].lo <= i {
			continue
		}
		if r, _ := utf8.DecodeLastRuneInString(s[:i]); !isSpace(r) {
			k := dirIndex(s[i])
			p.closers[k] = append(p.closers[k], i)
		}
	}
	p.parse(0, len(s), xhtmlim.Style{})
	return p.segs, p.urls
}

func (p *lineParser) inURL(i int) bool {
	k := sort.Search(len(p.urls), func(k int) bool { return p.urls[k].hi > i })
	return k < len(p.urls) && p.urls[k].lo <= i
}

// closer returns the position of the directive closing a span opened at
// i with c and ending before hi, or -1.
func (p *lineParser) closer(i, hi int, c byte) int {
	cs := p.closers[dirIndex(c)]
	k := sort.SearchInts(cs, i+2)
	if k < len(cs) && cs[k] < hi {
		return cs[k]
	}
	return -1
}

// opens reports whether a directive at i, in a span ending at hi, may
// open a span, given that boundary is the position just after the last
// directive (or the start of the line).
func (p *lineParser) opens(i, hi, boundary int) bool {
	c := p.s[i]
	if !isDirective(c) || i+1 >= hi || p.s[i+1] == c || p.inURL(i) {
		return false
	}
	if next, _ := utf8.DecodeRuneInString(p.s[i+1 : hi]); isSpace(next) {
		return false
	}
	if i == boundary {
		return true
	}
	prev, _ := utf8.DecodeLastRuneInString(p.s[:i])
	return isSpace(prev)
}

// parse finds the spans in s[lo:hi], which has style st.
func (p *lineParser) parse(lo, hi int, st xhtmlim.Style) {
	plain, boundary := lo, lo
	for i := lo; i < hi; i++ {
		if !p.opens(i, hi, boundary) {
			continue
		}
		c := p.s[i]
		j := p.closer(i, hi, c)
		if j < 0 {
			continue
		}
		p.emit(plain, i, st)
		inner := add(st, c)
		if c == '`' {
			p.emit(i, j+1, inner)
		} else {
			p.emit(i, i+1, inner)
			p.parse(i+1, j, inner)
			p.emit(j, j+1, inner)
		}
		plain, boundary = j+1, j+1
		i = j
	}
	p.emit(plain, hi, st)
}

func (p *lineParser) emit(lo, hi int, st xhtmlim.Style) {
	if lo >= hi {
		return
	}
	if n := len(p.segs); n > 0 && p.segs[n-1].st == st && p.segs[n-1].hi == lo {
		p.segs[n-1].hi = hi
		return
	}
	p.segs = append(p.segs, segment{lo, hi, st})
}

// appendLine appends the inlines of one line: its spans, with links.
func appendLine(in []xhtmlim.Inline, s string, styled bool) []xhtmlim.Inline {
	segs, urls := spans(s, styled)
	u := 0
	for _, sg := range segs {
		at := sg.lo
		for u < len(urls) && urls[u].hi <= sg.lo {
			u++
		}
		if !sg.st.Code {
			for k := u; k < len(urls) && urls[k].lo < sg.hi; k++ {
				lo, hi := max(urls[k].lo, sg.lo), min(urls[k].hi, sg.hi)
				in = appendText(in, s[at:lo], sg.st)
				ls := sg.st
				ls.Link = urls[k].href
				in = appendText(in, s[lo:hi], ls)
				at = hi
			}
		}
		in = appendText(in, s[at:sg.hi], sg.st)
	}
	return in
}

func appendText(in []xhtmlim.Inline, s string, st xhtmlim.Style) []xhtmlim.Inline {
	if s == "" {
		return in
	}
	return append(in, xhtmlim.Styled(s, st))
}

// visible counts the characters of a doc that normalisation keeps: no
// whitespace, and only characters XML can carry.
func visible(d []xhtmlim.Block) int {
	n := 0
	for i := range d {
		b := &d[i]
		for _, in := range b.Inlines {
			n += visibleText(in.Text) + visibleText(in.Alt)
		}
		n += visible(b.Blocks)
		for _, it := range b.Items {
			n += visible(it)
		}
	}
	return n
}

func visibleText(s string) int {
	n := 0
	for _, r := range s {
		if xmlChar(r) && !isSpace(r) {
			n++
		}
	}
	return n
}

// xmlChar reports whether XML 1.0 can carry r.
func xmlChar(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r <= 0xd7ff || r >= 0xe000 && r <= 0xfffd || r >= 0x10000 && r <= 0x10ffff
}
