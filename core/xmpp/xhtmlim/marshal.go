package xhtmlim

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Marshal returns d, normalised (see [Doc.Normalize]), as an XHTML-IM
// <body xmlns='http://www.w3.org/1999/xhtml'/>. It writes only
// <p/>, <br/>, <span style/>, <strong/>, <em/>, <code/>, <cite/>, <q/>,
// <a href/>, <img/>, <blockquote/>, <pre/>, <ul/>, <ol/> and <li/>, and
// the style properties color, background-color, font-size, font-family,
// text-decoration, margin-left and text-align. Parse(Marshal(d)) equals
// d.Normalize().
func Marshal(d Doc) []byte { return marshalBody("", d.Normalize()) }

// marshalBody writes d as it is; parsing the result normalises it.
func marshalBody(lang string, d Doc) []byte {
	w := writer{b: make([]byte, 0, 256)}
	w.s(`<body xmlns="` + NSXHTML + `"`)
	if lang != "" {
		w.s(` xml:lang="`)
		w.attr(lang)
		w.s(`"`)
	}
	w.s(">")
	w.blocks(d)
	w.s("</body>")
	return w.b
}

type writer struct {
	b         []byte
	lineStart bool // outside pre: at the start of a line
	lastSpace bool // outside pre: after a space
}

func (w *writer) s(s string) { w.b = append(w.b, s...) }

func (w *writer) blocks(bs []Block) {
	for i := range bs {
		w.block(&bs[i])
	}
}

func (w *writer) block(b *Block) {
	switch b.Kind {
	case Quote:
		w.s("<blockquote>")
		w.blocks(b.Blocks)
		w.s("</blockquote>")
	case List:
		tag := "ul"
		if b.Ordered {
			tag = "ol"
		}
		w.s("<" + tag + ">")
		for _, it := range b.Items {
			w.s("<li>")
			if len(it) > 0 && isPara(&it[0]) && it[0].Align == AlignDefault && it[0].Indent <= 0 {
				w.inlines(it[0].Inlines, false)
				it = it[1:]
			}
			w.blocks(it)
			w.s("</li>")
		}
		w.s("</" + tag + ">")
	case Pre:
		w.s("<pre")
		w.blockStyle(b)
		w.inlines(b.Inlines, true)
		w.s("</pre>")
	default:
		w.s("<p")
		w.blockStyle(b)
		w.inlines(b.Inlines, false)
		w.s("</p>")
	}
}

// isPara reports whether b is written as a paragraph.
func isPara(b *Block) bool { return b.Kind != Quote && b.Kind != List && b.Kind != Pre }

func (w *writer) blockStyle(b *Block) {
	var decl []string
	if b.Indent > 0 {
		decl = append(decl, "margin-left: "+strconv.Itoa(min(b.Indent, MaxIndent))+"em")
	}
	if b.Align > AlignDefault && int(b.Align) < len(alignNames) {
		decl = append(decl, "text-align: "+alignNames[b.Align])
	}
	if len(decl) > 0 {
		w.s(` style="`)
		w.attr(strings.Join(decl, "; "))
		w.s(`"`)
	}
	w.s(">")
}

// inlines writes a paragraph's content; consecutive inlines with the same
// link share one <a/>.
func (w *writer) inlines(in []Inline, pre bool) {
	w.lineStart, w.lastSpace = true, false
	for i := 0; i < len(in); {
		link := linkOf(&in[i])
		if link == "" {
			w.inline(&in[i], pre)
			i++
			continue
		}
		w.s(`<a href="`)
		w.attr(link)
		w.s(`">`)
		for ; i < len(in) && linkOf(&in[i]) == link; i++ {
			w.inline(&in[i], pre)
		}
		w.s("</a>")
	}
}

func linkOf(in *Inline) string {
	if in.Kind == LineBreak {
		return ""
	}
	return in.Style.Link
}

func (w *writer) inline(in *Inline, pre bool) {
	switch in.Kind {
	case LineBreak:
		if pre {
			w.s("\n")
		} else {
			w.s("<br/>")
			w.lineStart, w.lastSpace = true, false
		}
	case Image:
		w.s(`<img src="`)
		w.attr(in.Src)
		w.s(`" alt="`)
		w.attr(in.Alt)
		w.s(`"`)
		if in.Width > 0 {
			w.s(` width="` + strconv.Itoa(in.Width) + `"`)
		}
		if in.Height > 0 {
			w.s(` height="` + strconv.Itoa(in.Height) + `"`)
		}
		w.s("/>")
		w.lineStart, w.lastSpace = false, false
	default:
		if in.Text == "" {
			return
		}
		st := &in.Style
		var closers []string
		open := func(on bool, tag string) {
			if on {
				w.s("<" + tag + ">")
				closers = append(closers, "</"+tag+">")
			}
		}
		open(st.Bold, "strong")
		open(st.Italic, "em")
		open(st.Code, "code")
		open(st.Cite, "cite")
		open(st.Quote, "q")
		if css := spanStyle(st); css != "" {
			w.s(`<span style="`)
			w.attr(css)
			w.s(`">`)
			closers = append(closers, "</span>")
		}
		w.text(in.Text, pre)
		for i := len(closers) - 1; i >= 0; i-- {
			w.s(closers[i])
		}
	}
}

// spanStyle is the style attribute of a span: what has no element.
func spanStyle(st *Style) string {
	var decl []string
	if st.Color.Valid {
		decl = append(decl, "color: "+st.Color.String())
	}
	if st.Background.Valid {
		decl = append(decl, "background-color: "+st.Background.String())
	}
	if st.Size != SizeNormal {
		decl = append(decl, "font-size: "+clampSize(st.Size).String())
	}
	if st.Family != "" && validFamily(st.Family) {
		decl = append(decl, "font-family: "+cssFamily(st.Family))
	}
	switch {
	case st.Underline && st.Strike:
		decl = append(decl, "text-decoration: underline line-through")
	case st.Underline:
		decl = append(decl, "text-decoration: underline")
	case st.Strike:
		decl = append(decl, "text-decoration: line-through")
	}
	return strings.Join(decl, "; ")
}

// xmlChar reports whether XML 1.0 can carry r.
func xmlChar(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r <= 0xd7ff || r >= 0xe000 && r <= 0xfffd || r >= 0x10000 && r <= 0x10ffff
}

// text writes character data. Outside pre, newlines become <br/> and a
// space that would collapse (at a line start or after a space) a no-break
// space, so that the text keeps its look.
func (w *writer) text(s string, pre bool) {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	for _, r := range s {
		switch {
		case r == '&':
			w.s("&amp;")
		case r == '<':
			w.s("&lt;")
		case r == '>':
			w.s("&gt;")
		case pre:
			if xmlChar(r) {
				w.b = utf8.AppendRune(w.b, r)
			}
			continue
		case r == '\n':
			w.s("<br/>")
			w.lineStart, w.lastSpace = true, false
			continue
		case r == ' ' || r == '\t':
			if w.lineStart || w.lastSpace {
				w.s("\u00a0")
			} else {
				w.s(" ")
			}
			w.lineStart, w.lastSpace = false, true
			continue
		case !xmlChar(r):
			continue
		default:
			w.b = utf8.AppendRune(w.b, r)
		}
		w.lineStart, w.lastSpace = false, false
	}
}

// attr writes an attribute value (between double quotes).
func (w *writer) attr(s string) {
	for _, r := range s {
		switch {
		case r == '&':
			w.s("&amp;")
		case r == '<':
			w.s("&lt;")
		case r == '>':
			w.s("&gt;")
		case r == '"':
			w.s("&quot;")
		case r == '\t':
			w.s("&#9;")
		case r == '\n':
			w.s("&#10;")
		case r == '\r':
			w.s("&#13;")
		case xmlChar(r):
			w.b = utf8.AppendRune(w.b, r)
		}
	}
}
