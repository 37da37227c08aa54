package styling

import (
	"strings"

	"github.com/causerie/causerie/core/xmpp/xhtmlim"
)

// dump writes a Doc in a compact notation for golden tests:
//
//	P[...]    a paragraph; "|" is a line break
//	Q[...]    a quotation of blocks, separated by spaces
//	PRE[...]  a preformatted block, its text as is
//	{bisc:t}  text t in bold, italic, strike and/or code
//	{l=U:t}   text t linking to U (after the style letters: {b l=U:t})
//
// Blocks are separated by a space.
func dump(d xhtmlim.Doc) string {
	var b strings.Builder
	dumpBlocks(&b, d)
	return b.String()
}

func dumpBlocks(b *strings.Builder, bs []xhtmlim.Block) {
	for i, bl := range bs {
		if i > 0 {
			b.WriteByte(' ')
		}
		switch bl.Kind {
		case xhtmlim.Quote:
			b.WriteString("Q[")
			dumpBlocks(b, bl.Blocks)
		case xhtmlim.Pre:
			b.WriteString("PRE[")
			dumpInlines(b, bl.Inlines)
		case xhtmlim.List:
			b.WriteString("L[")
			for k, it := range bl.Items {
				if k > 0 {
					b.WriteString(" ; ")
				}
				dumpBlocks(b, it)
			}
		default:
			b.WriteString("P[")
			dumpInlines(b, bl.Inlines)
		}
		b.WriteByte(']')
	}
}

func dumpInlines(b *strings.Builder, in []xhtmlim.Inline) {
	for _, x := range in {
		if x.Kind == xhtmlim.LineBreak {
			b.WriteByte('|')
			continue
		}
		st := x.Style
		flags := ""
		for _, f := range []struct {
			on bool
			c  string
		}{{st.Bold, "b"}, {st.Italic, "i"}, {st.Strike, "s"}, {st.Code, "c"}} {
			if f.on {
				flags += f.c
			}
		}
		if st.Link != "" {
			if flags != "" {
				flags += " "
			}
			flags += "l=" + st.Link
		}
		if flags == "" {
			b.WriteString(x.Text)
			continue
		}
		b.WriteString("{" + flags + ":" + x.Text + "}")
	}
}
