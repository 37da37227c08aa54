package styling

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/causerie/causerie/core/xmpp/xhtmlim"
)

// Compose writes d, normalised, as a plain body styled with XEP-0393: the
// fallback <body/> of a message whose XHTML-IM body is d.
//
//   - Bold, Italic (and Cite), Strike and Code become *, _, ~ and `
//     spans; nested styles nest their directives (*_bold italic_*).
//     Whitespace at the edges of a styled run is written outside it. A run
//     that already carries its own directives, as [Parse] leaves them, is
//     written as it is, so that Compose(Parse(body)) is body for most
//     bodies (blank lines between blocks, the space after ">" and a
//     missing closing ``` aside).
//   - Preformatted blocks are fenced with ``` lines; quotations get "> "
//     (">" on an empty line, ">>" when nested); adjacent quotations are
//     kept apart by an empty line.
//   - Lists become "• item" or "1. item" lines, their other lines indented
//     under the marker.
//   - A link whose text does not show its target is written "text (url)";
//     images are their alt text ("[image]" without one); inline
//     quotations are put between double quotes. Underline, colours, sizes,
//     fonts, alignment and indentation are dropped, their text kept.
//
// Parse(Compose(d)) shows the same bold, italic, strike, code,
// preformatted and quoted text as d, with these exceptions, all of them
// limits of XEP-0393:
//
//   - It has no escaping: text that looks like styling is read back as
//     styling (a plain "*word*", a line beginning with ">" or "```").
//   - A span can only begin at the start of a line, after whitespace or
//     after another directive: a style that begins inside a word
//     ("every~dis~like") is dropped, as is a styled run whose text holds
//     its own directive after a non-space character (a bold "2*3" would
//     close at that "*"); a line whose spans would still not read back as
//     written is written unstyled.
//   - Structure is simplified: consecutive paragraphs become lines of one
//     paragraph; styles inside preformatted blocks are dropped; a line
//     "```" inside a preformatted block ends it early; a preformatted block
//     or a quotation inside a list item is written at the start of the line
//     (outside the item's indentation) so that it still reads as one.
func Compose(d xhtmlim.Doc) string {
	var lines []string
	for _, l := range composeBlocks(d.Normalize()) {
		lines = append(lines, l.s)
	}
	return strings.Join(lines, "\n")
}

// cline is a composed line; a block line (of a quotation or preformatted
// block) must start the line to be read back as such.
type cline struct {
	s     string
	block bool
}

func composeBlocks(bs []xhtmlim.Block) []cline {
	var out []cline
	for i := range bs {
		b := &bs[i]
		switch b.Kind {
		case xhtmlim.Quote:
			if i > 0 && bs[i-1].Kind == xhtmlim.Quote {
				out = append(out, cline{})
			}
			for _, l := range composeBlocks(b.Blocks) {
				switch {
				case l.s == "":
					l.s = ">"
				case l.s[0] == '>':
					l.s = ">" + l.s
				default:
					l.s = "> " + l.s
				}
				out = append(out, cline{l.s, true})
			}
		case xhtmlim.Pre:
			out = append(out, composePre(b.Inlines)...)
		case xhtmlim.List:
			out = append(out, composeList(b)...)
		default:
			for _, l := range composeInlines(b.Inlines) {
				out = append(out, cline{s: l})
			}
		}
	}
	return out
}

func composePre(in []xhtmlim.Inline) []cline {
	var b strings.Builder
	for _, x := range in {
		b.WriteString(x.Text)
	}
	lines := strings.Split(b.String(), "\n")
	if !strings.HasPrefix(lines[0], fence) {
		lines = append([]string{fence}, lines...)
	}
	if len(lines) == 1 || lines[len(lines)-1] != fence {
		lines = append(lines, fence)
	}
	out := make([]cline, len(lines))
	for i, l := range lines {
		out[i] = cline{l, true}
	}
	return out
}

func composeList(b *xhtmlim.Block) []cline {
	var out []cline
	for n, it := range b.Items {
		marker := "• "
		if b.Ordered {
			marker = strconv.Itoa(n+1) + ". "
		}
		pad := strings.Repeat(" ", utf8.RuneCountInString(marker))
		lines := composeBlocks(it)
		if len(lines) == 0 || lines[0].block {
			out = append(out, cline{s: strings.TrimRight(marker, " ")})
		} else {
			out = append(out, cline{s: marker + lines[0].s})
			lines = lines[1:]
		}
		for _, l := range lines {
			if !l.block && l.s != "" {
				l.s = pad + l.s
			}
			out = append(out, l)
		}
	}
	return out
}

// Style bits of a composed character, outermost first.
const (
	bitBold uint8 = 1 << iota
	bitItalic
	bitStrike
	bitCode
)

var levels = [...]struct {
	bit uint8
	c   byte
}{{bitBold, '*'}, {bitItalic, '_'}, {bitStrike, '~'}, {bitCode, '`'}}

func bits(st xhtmlim.Style) uint8 {
	var b uint8
	if st.Bold {
		b |= bitBold
	}
	if st.Italic || st.Cite {
		b |= bitItalic
	}
	if st.Strike {
		b |= bitStrike
	}
	if st.Code {
		b |= bitCode
	}
	return b
}

// cell is a character to compose and its style bits.
type cell struct {
	r  rune
	st uint8
}

// composeInlines writes a paragraph's inlines as lines.
func composeInlines(in []xhtmlim.Inline) []string {
	var lines []string
	start := 0
	for i := 0; i <= len(in); i++ {
		if i == len(in) || in[i].Kind == xhtmlim.LineBreak {
			lines = append(lines, composeLine(cells(in[start:i])))
			start = i + 1
		}
	}
	return lines
}

// cells flattens a line's inlines, with link targets and quotation marks
// written out.
func cells(in []xhtmlim.Inline) []cell {
	var out []cell
	text := func(s string, st uint8) {
		for _, r := range s {
			if r == '\n' || r == '\r' {
				r = ' '
			}
			out = append(out, cell{r, st})
		}
	}
	quote := false
	link := ""
	var linkText strings.Builder
	endLink := func() {
		if link != "" && !showsLink(linkText.String(), link) {
			text(" ("+link+")", 0)
		}
		link = ""
		linkText.Reset()
	}
	for _, x := range in {
		if x.Style.Link != link {
			endLink()
			link = x.Style.Link
		}
		if x.Style.Quote != quote {
			text(`"`, 0)
			quote = x.Style.Quote
		}
		s := x.Text
		if x.Kind == xhtmlim.Image {
			s = x.Alt
			if s == "" {
				s = "[image]"
			}
		}
		linkText.WriteString(s)
		text(s, bits(x.Style))
	}
	endLink()
	if quote {
		text(`"`, 0)
	}
	return out
}

// showsLink reports whether a link's text already shows its target, give
// or take the scheme and a final slash (as xhtmlim's PlainText decides).
func showsLink(text, link string) bool {
	text = strings.Trim(strings.TrimSpace(text), `"`)
	strip := func(s string) string {
		s = strings.ToLower(s)
		for _, p := range []string{"https://", "http://", "mailto:", "xmpp:"} {
			s = strings.TrimPrefix(s, p)
		}
		return strings.TrimSuffix(s, "/")
	}
	return text != "" && strip(text) == strip(link)
}

// lineWriter composes one line of cells.
type lineWriter struct {
	cells   []cell
	out     []byte
	pos     []int   // where each cell was written in out
	applied []uint8 // the styles written around each cell
	dirEnd  int     // len(out) just after the last directive written; -1 if none
}

// composeLine writes a line of cells with their styles, or, when the
// result would not read back with the styles written, without styles.
func composeLine(cs []cell) string {
	w := lineWriter{cells: cs, pos: make([]int, len(cs)), applied: make([]uint8, len(cs)), dirEnd: -1}
	w.write(0, len(cs), 0, 0)
	s := string(w.out)
	if w.check(s) {
		return s
	}
	var b strings.Builder
	for _, c := range cs {
		b.WriteRune(c.r)
	}
	return b.String()
}

// write writes cells [lo, hi) from level on; applied is the styles of the
// enclosing spans.
func (w *lineWriter) write(lo, hi, level int, applied uint8) {
	if level == len(levels) {
		for k := lo; k < hi; k++ {
			w.pos[k] = len(w.out)
			w.applied[k] = applied
			w.out = utf8.AppendRune(w.out, w.cells[k].r)
		}
		return
	}
	bit := levels[level].bit
	for k := lo; k < hi; {
		on := w.cells[k].st&bit != 0
		j := k + 1
		for j < hi && (w.cells[j].st&bit != 0) == on {
			j++
		}
		if on {
			w.wrap(k, j, level, applied)
		} else {
			w.write(k, j, level+1, applied)
		}
		k = j
	}
}

// wrap writes a run of cells that has the style of level.
func (w *lineWriter) wrap(lo, hi, level int, applied uint8) {
	a, b := lo, hi
	for a < b && isSpace(w.cells[a].r) {
		a++
	}
	for b > a && isSpace(w.cells[b-1].r) {
		b--
	}
	w.write(lo, a, level+1, applied)
	if a < b {
		c, bit := levels[level].c, levels[level].bit
		switch {
		case !w.canOpen():
			w.write(a, b, level+1, applied)
		case w.wrapped(a, b, c):
			// Its first and last characters are its directives.
			w.write(a, a+1, level+1, applied|bit)
			w.dirEnd = len(w.out)
			w.write(a+1, b-1, level+1, applied|bit)
			w.write(b-1, b, level+1, applied|bit)
			w.dirEnd = len(w.out)
		case w.cells[a].r != rune(c) && !w.closesEarly(a, b, c):
			w.directive(c)
			w.write(a, b, level+1, applied|bit)
			w.directive(c)
		default:
			w.write(a, b, level+1, applied)
		}
	}
	w.write(b, hi, level+1, applied)
}

func (w *lineWriter) directive(c byte) {
	w.out = append(w.out, c)
	w.dirEnd = len(w.out)
}

// canOpen reports whether a span may open here.
func (w *lineWriter) canOpen() bool {
	if len(w.out) == 0 || w.dirEnd == len(w.out) {
		return true
	}
	r, _ := utf8.DecodeLastRune(w.out)
	return isSpace(r)
}

// closesEarly reports whether directive c in cells [a, b) would close a
// span opened before a.
func (w *lineWriter) closesEarly(a, b int, c byte) bool {
	for k := a + 1; k < b; k++ {
		if w.cells[k].r == rune(c) && !isSpace(w.cells[k-1].r) {
			return true
		}
	}
	return false
}

// wrapped reports whether cells [a, b) are already a span of directive c.
func (w *lineWriter) wrapped(a, b int, c byte) bool {
	r := rune(c)
	cs := w.cells
	if b-a < 3 || cs[a].r != r || cs[b-1].r != r || cs[a+1].r == r || isSpace(cs[a+1].r) || isSpace(cs[b-2].r) {
		return false
	}
	return !w.closesEarly(a+1, b-1, c)
}

// check reports whether line s, parsed, gives every non-space cell the
// styles written around it.
func (w *lineWriter) check(s string) bool {
	segs, _ := spans(s, true)
	g := 0
	for k, c := range w.cells {
		if isSpace(c.r) {
			continue
		}
		for segs[g].hi <= w.pos[k] {
			g++
		}
		if bits(segs[g].st) != w.applied[k] {
			return false
		}
	}
	return true
}
