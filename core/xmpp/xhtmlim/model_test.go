package xhtmlim

import (
	"bytes"
	"image/color"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

var _ color.Color = Color{}

func TestPlainText(t *testing.T) {
	for _, c := range []struct {
		name string
		doc  Doc
		want string
	}{
		{"empty", nil, ""},
		{"link showing its target", Doc{Para(Link("http://e.org", "http://e.org/"), Text(" "), Link("juliet@capulet.lit", "mailto:juliet@capulet.lit"))},
			"http://e.org juliet@capulet.lit"},
		{"link hiding its target", Doc{Para(Text("see "), Link("my bank", "https://evil.example/login"), Text("!"))},
			"see my bank (https://evil.example/login)!"},
		{"link over styled text", Doc{Para(Link("a ", "http://e.org/"), Styled("b", Style{Bold: true, Link: "http://e.org/"}))},
			"a b (http://e.org/)"},
		{"images", Doc{Para(Img("http://e.org/a.png", "a cat", 0, 0), Text(" "), Img("cid:x@bob.xmpp.org", "", 0, 0))},
			"a cat [image]"},
		{"line breaks", Doc{Para(Text("one"), Break(), Text("two"), Break(), Break(), Text("four"))}, "one\ntwo\n\nfour"},
		{"nested quotes", Doc{BlockQuote(Para(Text("a"), Break(), Text("b")), BlockQuote(Para(Text("c")))), Para(Text("d"))},
			"> a\n> b\n> > c\nd"},
		{"inline quotation", Doc{Para(Text("he said "), Styled("no", Style{Quote: true}), Text("."))}, `he said "no".`},
		{"preformatted", Doc{{Kind: Pre, Inlines: []Inline{Text("  if x {\n\treturn\n  }")}}}, "  if x {\n\treturn\n  }"},
		{"list items with several blocks", Doc{NumberedList(
			[]Block{Para(Text("first")), Para(Text("more")), BulletList(Item(Text("sub")))},
			Item(Text("second")),
		)}, "1. first\n   more\n   • sub\n2. second"},
		{"quoted list", Doc{BlockQuote(BulletList(Item(Text("x")), Item(Text("y"))))}, "> • x\n> • y"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := c.doc.PlainText(); got != c.want {
				t.Errorf("got\n%q\nwant\n%q", got, c.want)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	for _, c := range []struct {
		name string
		in   Doc
		want Doc
	}{
		{"merge and drop", Doc{Para(Text("a"), Text(""), Text("b"), Bold("c"), Bold("d")), Para(), BlockQuote(), BulletList(), Para(Break())},
			Doc{Para(Text("ab"), Bold("cd"))}},
		{"whitespace kept with no-break spaces", FromText("a  b\n  c\td\n"),
			Doc{Para(Text("a \u00a0b"), Break(), Text("\u00a0\u00a0c d"))}},
		{"windows newlines", FromText("a\r\nb\rc"), Doc{Para(Text("a"), Break(), Text("b"), Break(), Text("c"))}},
		{"bad characters", Doc{Para(Text("a\x00b\xffc\x1b"))}, Doc{Para(Text("ab\ufffdc"))}},
		{"unsafe link", Doc{Para(Link("x", "javascript:alert(1)"), Link("y", "http://e.org/ z"))},
			Doc{Para(Text("x"), Link("y", "http://e.org/%20z"))}},
		{"unsafe image", Doc{Para(Img("javascript:x", "alt", 1, 2), Img("http://e.org/a.png", "", -1, 20000))},
			Doc{Para(Text("alt"), Img("http://e.org/a.png", "", 0, 0))}},
		{"image styles other than the link dropped", Doc{Para(Inline{Kind: Image, Src: "http://e.org/a.png", Style: Style{Bold: true, Link: "http://e.org/"}})},
			Doc{Para(Inline{Kind: Image, Src: "http://e.org/a.png", Style: Style{Link: "http://e.org/"}})}},
		{"pre", Doc{{Kind: Pre, Inlines: []Inline{Text("\n\n  x\r\n"), Break(), Bold("y\n\n")}}},
			Doc{{Kind: Pre, Inlines: []Inline{Text("  x\n\n"), Bold("y")}}}},
		{"bad values", Doc{{Kind: BlockKind(9), Align: Align(9), Indent: -3, Inlines: []Inline{Styled("x", Style{Size: 100, Family: "x;y", Color: Color{R: 1}})}}},
			Doc{Para(Styled("x", Style{Size: SizeXXLarge}))}},
		{"indent capped", Doc{indented(99, Para(Text("x")))}, Doc{indented(MaxIndent, Para(Text("x")))}},
		{"list item of a list", Doc{BulletList([]Block{BulletList(Item(Text("a")))})},
			Doc{BulletList([]Block{BulletList(Item(Text("a")))})}},
		{"list item with an aligned paragraph", Doc{BulletList([]Block{{Kind: Paragraph, Align: AlignCenter, Inlines: []Inline{Text("a")}}})},
			Doc{BulletList([]Block{{Kind: Paragraph, Align: AlignCenter, Inlines: []Inline{Text("a")}}})}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := c.in.Normalize()
			checkDoc(t, got, c.want)
			back, err := Parse(Marshal(c.in))
			if err != nil {
				t.Fatal(err)
			}
			checkDoc(t, back, c.want)
		})
	}
	// Nesting is bounded.
	d := Doc{Para(Text("x"))}
	for range 20 {
		d = Doc{BlockQuote(d...)}
	}
	if n := blockDepth(d.Normalize()); n != MaxBlockDepth {
		t.Errorf("depth %d", n)
	}
}

// Docs built from the model survive Marshal and Parse unchanged.
func TestBuildRoundTrip(t *testing.T) {
	d := Build(
		Para(Styled("Titre", Style{Bold: true, Size: SizeXXLarge}), Break(),
			Styled("souligné", Style{Underline: true}), Text(" "), Styled("barré", Style{Strike: true}), Text(" "),
			Styled("code", Style{Code: true}), Text(" "), Styled("fond", Style{Background: RGB(0xff, 0xff, 0)}), Text(" "),
			Styled("serif", Style{Family: "serif"}), Text(" "), Styled("Comic", Style{Family: "Comic Sans MS", Italic: true}), Text(" "),
			Styled("tout", Style{Bold: true, Italic: true, Underline: true, Strike: true, Code: true, Cite: true, Quote: true,
				Color: RGB(1, 2, 3), Background: RGB(4, 5, 6), Size: SizeXXSmall, Family: "monospace", Link: "xmpp:juliet@capulet.lit"})),
		Block{Kind: Paragraph, Align: AlignRight, Indent: 3, Inlines: []Inline{Text("à droite")}},
		BlockQuote(Para(Text("cité")), BlockQuote(Preformatted("  code\n\tindenté"))),
		NumberedList(Item(Text("un")), []Block{Para(Text("deux")), BulletList(Item(Link("lien", "https://xmpp.org/")))}),
		Para(Link("", "https://xmpp.org/"), Inline{Kind: Image, Src: "https://xmpp.org/logo.png", Alt: "logo", Width: 64, Height: 64, Style: Style{Link: "https://xmpp.org/"}}),
	)
	if len(d) != 5 {
		t.Fatalf("%s", dump(d))
	}
	back, err := Parse(Marshal(d))
	if err != nil {
		t.Fatal(err)
	}
	checkDoc(t, back, d)
	if !bytes.Equal(Marshal(back), Marshal(d)) {
		t.Error("Marshal not stable")
	}
}

// Random docs, raw or not: Parse(Marshal(d)) == d.Normalize(), which is a
// fixed point.
func TestRandomRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	n := 800
	if testing.Short() {
		n = 100
	}
	for i := range n {
		d := randDoc(r, 0)
		norm := d.Normalize()
		m := Marshal(d)
		back, err := Parse(m)
		if err != nil {
			t.Fatalf("%d: %v\n%s", i, err, m)
		}
		if !reflect.DeepEqual(back, norm) {
			t.Fatalf("%d: Parse(Marshal(d))\n%s\nd.Normalize()\n%s\n%s", i, dump(back), dump(norm), m)
		}
		if !reflect.DeepEqual(norm.Normalize(), norm) {
			t.Fatalf("%d: Normalize not idempotent\n%s", i, dump(norm))
		}
		if !bytes.Equal(Marshal(norm), m) {
			t.Fatalf("%d: Marshal(d.Normalize()) != Marshal(d)", i)
		}
	}
}

var (
	randTexts = []string{"", " ", "  ", "a", "b c", " d ", "e\nf", "\n", "g\t h", "<&>\"'", "\u00a0", "ü", "x\r\ny", "\x01", "\xff", "]]>", "é è"}
	randLinks = []string{"", "", "http://e.org/", "https://e.org/a?b=c&d", "xmpp:a@b", "mailto:a@b", "javascript:x", "/rel", "http://a b/"}
	randSrcs  = []string{"http://e.org/i.png", "cid:a@bob.xmpp.org", "data:image/png;base64,AAAA", "data:image/svg+xml;base64,AAAA", "", "ftp://x/"}
	randFams  = []string{"", "serif", "monospace", "Comic Sans MS", "bad;name", "'q'"}
)

func randStyle(r *rand.Rand) Style {
	if r.IntN(3) == 0 {
		return Style{}
	}
	c := func() Color {
		if r.IntN(3) == 0 {
			return RGB(uint8(r.IntN(256)), uint8(r.IntN(256)), uint8(r.IntN(256)))
		}
		return Color{}
	}
	return Style{
		Bold: r.IntN(2) == 0, Italic: r.IntN(3) == 0, Underline: r.IntN(4) == 0, Strike: r.IntN(5) == 0,
		Code: r.IntN(5) == 0, Cite: r.IntN(6) == 0, Quote: r.IntN(6) == 0, Color: c(), Background: c(),
		Size: Size(r.IntN(9) - 4), Family: randFams[r.IntN(len(randFams))], Link: randLinks[r.IntN(len(randLinks))],
	}
}

func randInlines(r *rand.Rand) []Inline {
	var in []Inline
	for range r.IntN(6) {
		switch r.IntN(8) {
		case 0:
			in = append(in, Break())
		case 1:
			in = append(in, Inline{Kind: Image, Src: randSrcs[r.IntN(len(randSrcs))], Alt: randTexts[r.IntN(len(randTexts))],
				Width: r.IntN(3) * 100, Height: r.IntN(3) - 1, Style: randStyle(r)})
		default:
			in = append(in, Styled(randTexts[r.IntN(len(randTexts))], randStyle(r)))
		}
	}
	return in
}

func randDoc(r *rand.Rand, depth int) Doc {
	var d Doc
	for range r.IntN(4) {
		k := r.IntN(6)
		if depth > 10 {
			k = 0
		}
		switch k {
		case 0, 1:
			d = append(d, Block{Kind: Paragraph, Inlines: randInlines(r), Align: Align(r.IntN(6)), Indent: r.IntN(4) - 1})
		case 2:
			d = append(d, Block{Kind: Pre, Inlines: randInlines(r), Indent: r.IntN(2)})
		case 3:
			d = append(d, BlockQuote(randDoc(r, depth+1)...))
		default:
			b := Block{Kind: List, Ordered: r.IntN(2) == 0}
			for range r.IntN(4) {
				b.Items = append(b.Items, randDoc(r, depth+1))
			}
			d = append(d, b)
		}
	}
	return d
}

func TestParseColor(t *testing.T) {
	for in, want := range map[string]string{
		"#0f0": "#00ff00", "#00FF7f": "#00ff7f", "green": "#008000", " RebeccaPurple ": "#663399",
		"rgb(255, 0, 128)": "#ff0080", "rgb(100%,50%,0%)": "#ff8000", "rgb(300 0 0)": "#ff0000",
		"#ff": "", "#gggggg": "", "transparent": "", "inherit": "", "rgba(0,0,0,0)": "", "rgb(-1,0,0)": "",
		"rgb(1,2)": "", "url(x)": "", "expression(alert(1))": "", "#12345678": "", "": "",
	} {
		c, ok := ParseColor(in)
		if c.String() != want || ok != (want != "") {
			t.Errorf("%q: %q %v, want %q", in, c, ok, want)
		}
	}
	if r, g, b, a := RGB(0xff, 0x80, 0).RGBA(); r != 0xffff || g != 0x8080 || b != 0 || a != 0xffff {
		t.Error("RGBA")
	}
	if _, _, _, a := (Color{}).RGBA(); a != 0 {
		t.Error("unset colour not transparent")
	}
}

func TestStyleValues(t *testing.T) {
	for _, c := range []struct {
		css  string
		want Style
		bs   blockStyle
	}{
		{"font-size: 24px", Style{Size: SizeXLarge}, blockStyle{}},
		{"font-size: 12pt", Style{}, blockStyle{}},
		{"font-size: 200%", Style{Size: SizeXXLarge}, blockStyle{}},
		{"font-size: 0.8em", Style{Size: SizeSmall}, blockStyle{}},
		{"font-size: smaller", Style{Size: SizeSmall}, blockStyle{}},
		{"font-size: -3px", Style{}, blockStyle{}},
		{"font-size: 1e9px", Style{}, blockStyle{}},
		{"font-size: 99999px", Style{Size: SizeXXLarge}, blockStyle{}},
		{"font-weight: 700; font-style: oblique 10deg; text-decoration: underline overline line-through", Style{Bold: true, Italic: true, Underline: true, Strike: true}, blockStyle{}},
		{"font-weight: 400", Style{}, blockStyle{}},
		{`font-family: "Comic Sans MS", cursive`, Style{Family: "Comic Sans MS"}, blockStyle{}},
		{`font-family: Sans-Serif`, Style{Family: "sans-serif"}, blockStyle{}},
		{`font-family: "<script>", Arial`, Style{}, blockStyle{}},
		{`font-family: "a!b", Arial`, Style{Family: "Arial"}, blockStyle{}},
		{`font-family: url(x)`, Style{}, blockStyle{}},
		{"margin-left: 5%; text-align: center", Style{}, blockStyle{align: AlignCenter, alignSet: true, indent: 2, indentSet: true}},
		{"margin-left: 32px", Style{}, blockStyle{indent: 2, indentSet: true}},
		{"margin-left: -2em", Style{}, blockStyle{}},
		{"margin-left: 0", Style{}, blockStyle{indentSet: true}},
		{"text-align: start", Style{}, blockStyle{alignSet: true}},
		{"text-align: -webkit-center", Style{}, blockStyle{}},
		{"background: #fff", Style{Background: RGB(255, 255, 255)}, blockStyle{}},
		{"background: #fff url(x.png)", Style{}, blockStyle{}},
		{strings.Repeat("x", maxStyleAttr) + "; color: red", Style{}, blockStyle{}},
	} {
		var st Style
		bs := applyStyle(c.css, &st, SizeNormal)
		if st != c.want || bs != c.bs {
			t.Errorf("%.60q: %+v %+v, want %+v %+v", c.css, st, bs, c.want, c.bs)
		}
	}
}

func TestSafeURIs(t *testing.T) {
	for in, want := range map[string]string{
		"http://e.org/":           "http://e.org/",
		" https://e.org/a b ":     "https://e.org/a%20b",
		"xmpp:a@b":                "xmpp:a@b",
		"MAILTO:a@b":              "MAILTO:a@b",
		"javascript:alert(1)":     "",
		"jav&#x09;ascript:x":      "",
		"java\nscript:alert(1)":   "",
		"data:text/html,x":        "",
		"http://":                 "",
		"http:/x":                 "",
		"https://u:p@e.org/":      "",
		"xmpp:":                   "",
		"ftp://e.org/":            "",
		"e.org":                   "",
		"http://e.org/\x00":       "http://e.org/",
		"http://e.org/\x00x":      "",
		"http://e.org/\u200f":     "",
		"http://e.org/" + "\xff":  "",
		"http://例え.jp/パス":         "http://例え.jp/パス",
		strings.Repeat("h", 5000): "",
	} {
		got, ok := SafeLink(in)
		if got != want && !(want == "" && !ok) || ok != (want != "") {
			t.Errorf("SafeLink(%.40q) = %q %v, want %q", in, got, ok, want)
		}
	}
	for in, want := range map[string]string{
		"http://e.org/i.png":                   "http://e.org/i.png",
		"CID:x@bob.xmpp.org":                   "cid:x@bob.xmpp.org",
		"data:image/jpg;base64,/9j":            "",
		"data:image/jpg;base64,/9j/4A==":       "data:image/jpeg;base64,/9j/4A==",
		"data:image/webp;base64,UklG RkZ/\n":   "data:image/webp;base64,UklGRkZ/",
		"data:image/png,rawdata":               "",
		"data:image/png;charset=x;base64,AAAA": "",
		"data:;base64,AAAA":                    "",
		"xmpp:a@b":                             "",
		"mailto:a@b":                           "",
		"cid:":                                 "",
	} {
		got, ok := SafeImage(in)
		if got != want || ok != (want != "") {
			t.Errorf("SafeImage(%q) = %q %v, want %q", in, got, ok, want)
		}
	}
}
