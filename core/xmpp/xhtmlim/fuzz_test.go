package xhtmlim

import (
	"bytes"
	"encoding/xml"
	"io"
	"reflect"
	"strings"
	"testing"
)

var hostileSeeds = []string{
	body(`<p onclick='alert(1)' style='color: expression(alert(1)); background: url(javascript:x)'>a<script>alert(1)</script><a href='javascript:alert(1)'>b</a></p>`),
	body(`<p><a href='java&#9;script:x'>x</a><img src='data:image/svg+xml;base64,PHN2Zz4=' alt='s'/><img src='http://e.org/p.gif' alt=''/></p>`),
	body(`<pre>  a
	b<br/><span style='color:#abc'>c</span>
</pre><ul>x<li>a<ul><li>b</li></ul></li><ol><li>c</li></ol></ul><blockquote><blockquote><p>q</p></blockquote></blockquote>`),
	body(strings.Repeat("<blockquote><ul><li>", 12) + "deep" + strings.Repeat("</li></ul></blockquote>", 12)),
	body(`<p style='font-size: 0; font-family: "Comic Sans MS", serif; margin-left: 5%; text-align: center'><q>a <cite>b</cite></q>&#160; c</p>`),
	`<p>a fragment <b>root</b></p>`,
	`<html xmlns='http://www.w3.org/1999/xhtml'><head><title>t</title></head><body><h1>T</h1><table><tr><td>a</td><td>b</td></tr></table></body></html>`,
	`<!DOCTYPE x [<!ENTITY a "aaaa">]><body>&a;</body>`,
}

// FuzzParse: Parse never panics; what it returns is normal and holds only
// what the profile allows; Marshal writes only whitelisted markup that
// parses back to the same Doc.
func FuzzParse(f *testing.F) {
	for _, ex := range examples {
		f.Add([]byte(wrapper(ex.xml)))
	}
	for _, s := range hostileSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var h HTML
		_ = xml.Unmarshal(data, &h) // the wire path: no panic
		_ = h.Doc("en").PlainText()

		d, err := Parse(data)
		if err != nil {
			if d != nil {
				t.Fatal("a Doc with an error")
			}
			return
		}
		checkNormal(t, d)
		_ = d.PlainText()
		_ = d.Empty()
		m := Marshal(d)
		if len(m) > MaxInputSize {
			t.Fatalf("Marshal writes %d bytes", len(m))
		}
		checkMarkup(t, m)
		back, err := Parse(m)
		if err != nil {
			t.Fatalf("%v\n%s", err, m)
		}
		if !reflect.DeepEqual(back, d) {
			t.Fatalf("Parse(Marshal(d)) != d\n%s\n%s\n%s", dump(back), dump(d), m)
		}
		if m2 := Marshal(back); !bytes.Equal(m2, m) {
			t.Fatalf("Marshal not stable\n%s\n%s", m, m2)
		}
	})
}

// checkNormal checks the invariants of a parsed Doc.
func checkNormal(t *testing.T, d Doc) {
	t.Helper()
	text := 0
	var blocks func(bs []Block, depth int)
	blocks = func(bs []Block, depth int) {
		if depth > MaxBlockDepth {
			t.Fatalf("depth %d", depth)
		}
		for _, b := range bs {
			switch b.Kind {
			case Paragraph, Pre:
				if len(b.Inlines) == 0 || b.Blocks != nil || b.Items != nil || b.Indent < 0 || b.Indent > MaxIndent || b.Align > AlignJustify {
					t.Fatalf("bad %v: %+v", b.Kind, b)
				}
				for i, in := range b.Inlines {
					switch in.Kind {
					case Span:
						text += len(in.Text)
						if in.Text == "" || in.Src != "" || in.Alt != "" || in.Width != 0 || in.Height != 0 {
							t.Fatalf("bad span %+v", in)
						}
						if i > 0 && b.Inlines[i-1].Kind == Span && b.Inlines[i-1].Style == in.Style {
							t.Fatalf("unmerged spans %q %q", b.Inlines[i-1].Text, in.Text)
						}
						if b.Kind == Paragraph && (strings.ContainsAny(in.Text, "\t\n\r") || strings.Contains(in.Text, "  ")) {
							t.Fatalf("uncollapsed %q", in.Text)
						}
						checkStyle(t, in.Style)
					case LineBreak:
						if b.Kind == Pre || i == 0 || i == len(b.Inlines)-1 || in != (Inline{Kind: LineBreak}) {
							t.Fatalf("bad break at %d of %d in %v", i, len(b.Inlines), b.Kind)
						}
					case Image:
						text += len(in.Alt)
						if src, ok := SafeImage(in.Src); !ok || src != in.Src || in.Text != "" || in.Width < 0 || in.Height < 0 ||
							in.Style != (Style{Link: in.Style.Link}) {
							t.Fatalf("bad image %+v", in)
						}
						checkStyle(t, in.Style)
					default:
						t.Fatalf("inline kind %v", in.Kind)
					}
				}
			case Quote:
				if len(b.Blocks) == 0 || b.Inlines != nil || b.Items != nil {
					t.Fatalf("bad quote %+v", b)
				}
				blocks(b.Blocks, depth+1)
			case List:
				if len(b.Items) == 0 || b.Inlines != nil || b.Blocks != nil {
					t.Fatalf("bad list %+v", b)
				}
				for _, it := range b.Items {
					if len(it) == 0 {
						t.Fatal("empty item")
					}
					blocks(it, depth+1)
				}
			default:
				t.Fatalf("block kind %v", b.Kind)
			}
		}
	}
	blocks(d, 0)
	if text > MaxTextSize {
		t.Fatalf("%d bytes of text", text)
	}
}

func checkStyle(t *testing.T, st Style) {
	t.Helper()
	if st.Link != "" {
		if l, ok := SafeLink(st.Link); !ok || l != st.Link {
			t.Fatalf("unsafe link %q", st.Link)
		}
	}
	if st.Family != "" && !validFamily(st.Family) || st.Size < SizeXXSmall || st.Size > SizeXXLarge {
		t.Fatalf("bad style %+v", st)
	}
}

// The markup Marshal may write.
var (
	allowedElems = map[string]bool{"body": true, "p": true, "br": true, "span": true, "strong": true, "em": true, "code": true,
		"cite": true, "q": true, "a": true, "img": true, "blockquote": true, "pre": true, "ul": true, "ol": true, "li": true}
	allowedAttrs = map[string]map[string]bool{
		"body": {"xmlns": true}, "p": {"style": true}, "pre": {"style": true}, "span": {"style": true},
		"a": {"href": true}, "img": {"src": true, "alt": true, "width": true, "height": true},
	}
	allowedProps = map[string]bool{"color": true, "background-color": true, "font-size": true, "font-family": true,
		"text-decoration": true, "margin-left": true, "text-align": true}
)

func checkMarkup(t *testing.T, m []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(m))
	depth := 0
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("%v\n%s", err, m)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			depth++
			if depth > MaxDepth+1 {
				t.Fatalf("depth %d\n%s", depth, m)
			}
			if tk.Name.Space != "" || !allowedElems[tk.Name.Local] {
				t.Fatalf("element %v\n%s", tk.Name, m)
			}
			for _, a := range tk.Attr {
				if a.Name.Space != "" || !allowedAttrs[tk.Name.Local][a.Name.Local] {
					t.Fatalf("attribute %v on %s\n%s", a.Name, tk.Name.Local, m)
				}
				if a.Name.Local == "style" {
					for _, decl := range strings.Split(a.Value, "; ") {
						prop, _, _ := strings.Cut(decl, ":")
						if !allowedProps[prop] {
							t.Fatalf("style %q\n%s", a.Value, m)
						}
					}
				}
			}
		case xml.EndElement:
			depth--
		case xml.Directive, xml.ProcInst, xml.Comment:
			t.Fatalf("%T in output\n%s", tk, m)
		}
	}
}
