package xhtmlim

import "strings"

// para builds one Paragraph or Pre block: whitespace collapsed (outside
// pre) across inlines, spans of equal style merged.
type para struct {
	inl    []Inline
	buf    []byte // text of the span being built
	style  Style  // its style
	space  bool   // buf ends with a collapsible space
	pre    bool
	align  Align
	indent int
}

func (pa *para) empty() bool { return len(pa.inl) == 0 && len(pa.buf) == 0 }

// lineStart reports whether a collapsible space here would be dropped.
func (pa *para) lineStart() bool {
	return len(pa.buf) == 0 && (len(pa.inl) == 0 || pa.inl[len(pa.inl)-1].Kind == LineBreak)
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// add appends text in this style; false when the budget ran out.
func (pa *para) add(s string, st Style, b *budget) bool {
	if pa.pre {
		s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
		if pa.empty() {
			s = strings.TrimLeft(s, "\n")
		}
		if s == "" {
			return true
		}
		if !pa.begin(st, b) {
			return false
		}
		ok := len(s) <= b.text
		s = truncate(s, b.text)
		b.text -= len(s)
		pa.buf = append(pa.buf, s...)
		return ok
	}
	for i := 0; i < len(s); {
		if isSpace(s[i]) {
			for i < len(s) && isSpace(s[i]) {
				i++
			}
			if pa.space || pa.lineStart() {
				continue
			}
			if b.text < 1 || !pa.begin(st, b) {
				return false
			}
			b.text--
			pa.buf = append(pa.buf, ' ')
			pa.space = true
			continue
		}
		j := i
		for j < len(s) && !isSpace(s[j]) {
			j++
		}
		if !pa.begin(st, b) {
			return false
		}
		w := truncate(s[i:j], b.text)
		b.text -= len(w)
		pa.buf = append(pa.buf, w...)
		pa.space = false
		if len(w) < j-i {
			return false
		}
		i = j
	}
	return true
}

// begin makes buf the span for style st, committing the previous one.
func (pa *para) begin(st Style, b *budget) bool {
	if len(pa.buf) > 0 && st == pa.style {
		return true
	}
	pa.commit()
	if b.inlines <= 0 {
		return false
	}
	b.inlines--
	pa.style = st
	return true
}

func (pa *para) commit() {
	if len(pa.buf) > 0 {
		pa.inl = append(pa.inl, Inline{Kind: Span, Text: string(pa.buf), Style: pa.style})
		pa.buf = pa.buf[:0]
	}
}

func (pa *para) trimSpace() {
	if pa.space && len(pa.buf) > 0 {
		pa.buf = pa.buf[:len(pa.buf)-1]
	}
	pa.space = false
}

func (pa *para) lineBreak(b *budget) bool {
	if pa.empty() {
		return true // no leading breaks
	}
	pa.trimSpace()
	return pa.inline(Inline{Kind: LineBreak}, b)
}

func (pa *para) inline(in Inline, b *budget) bool {
	pa.commit()
	pa.space = false
	if b.inlines <= 0 {
		return false
	}
	b.inlines--
	pa.inl = append(pa.inl, in)
	return true
}

// finish returns the block built and resets pa.
func (pa *para) finish() (Block, bool) {
	if pa.pre {
		pa.commit()
	} else {
		pa.trimSpace()
		pa.commit()
	}
	in := pa.inl
	if pa.pre {
		for n := len(in); n > 0 && in[n-1].Kind == Span; n = len(in) {
			t := strings.TrimRight(in[n-1].Text, "\n")
			if t != "" {
				in[n-1].Text = t
				break
			}
			in = in[:n-1]
		}
	} else {
		for len(in) > 0 && in[len(in)-1].Kind == LineBreak {
			in = in[:len(in)-1]
		}
	}
	blank := true
	for _, x := range in {
		if x.Kind != Span || strings.Trim(x.Text, " \t\n") != "" {
			blank = false
			break
		}
	}
	kind := Paragraph
	if pa.pre {
		kind = Pre
	}
	b := Block{Kind: kind, Inlines: in, Align: pa.align, Indent: pa.indent}
	*pa = para{buf: pa.buf[:0]}
	return b, !blank
}
