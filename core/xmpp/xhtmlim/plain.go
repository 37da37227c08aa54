package xhtmlim

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// PlainText returns d as plain text: one line per paragraph (line breaks
// kept), preformatted text as is, list items as "• item" or "1. item"
// (nested lists indented), quotations prefixed with "> ", inline
// quotations between double quotes, images as their alt text ("[image]"
// without one), and a link as "text (target)" unless the text already
// shows the target (XEP-0071 §11.2).
func (d Doc) PlainText() string {
	return strings.Join(plainBlocks(d), "\n")
}

// plainBlocks renders blocks as lines.
func plainBlocks(bs []Block) []string {
	var lines []string
	for i := range bs {
		b := &bs[i]
		switch b.Kind {
		case Quote:
			for _, l := range plainBlocks(b.Blocks) {
				if l == "" {
					lines = append(lines, ">")
				} else {
					lines = append(lines, "> "+l)
				}
			}
		case List:
			for n, it := range b.Items {
				marker := "• "
				if b.Ordered {
					marker = strconv.Itoa(n+1) + ". "
				}
				pad := strings.Repeat(" ", utf8.RuneCountInString(marker))
				for k, l := range plainBlocks(it) {
					if k == 0 {
						l = marker + l
					} else if l != "" {
						l = pad + l
					}
					lines = append(lines, l)
				}
				if len(it) == 0 {
					lines = append(lines, strings.TrimRight(marker, " "))
				}
			}
		default:
			lines = append(lines, strings.Split(plainInlines(b.Inlines), "\n")...)
		}
	}
	return lines
}

func plainInlines(in []Inline) string {
	var b strings.Builder
	quote := false
	write := func(x *Inline) {
		if x.Kind != LineBreak && x.Style.Quote != quote {
			b.WriteByte('"')
			quote = x.Style.Quote
		}
		switch x.Kind {
		case LineBreak:
			b.WriteByte('\n')
		case Image:
			if x.Alt != "" {
				b.WriteString(x.Alt)
			} else {
				b.WriteString("[image]")
			}
		default:
			b.WriteString(x.Text)
		}
	}
	for i := 0; i < len(in); {
		link := linkOf(&in[i])
		if link == "" {
			write(&in[i])
			i++
			continue
		}
		start := b.Len()
		for ; i < len(in) && linkOf(&in[i]) == link; i++ {
			write(&in[i])
		}
		if !showsLink(b.String()[start:], link) {
			b.WriteString(" (" + link + ")")
		}
	}
	if quote {
		b.WriteByte('"')
	}
	return b.String()
}

// showsLink reports whether a link's text already shows its target, give
// or take the scheme and a final slash.
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
