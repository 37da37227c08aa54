package styling

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	x "github.com/causerie/causerie/core/xmpp/xhtmlim"
)

var (
	bold   = x.Style{Bold: true}
	ital   = x.Style{Italic: true}
	strike = x.Style{Strike: true}
	code   = x.Style{Code: true}
	bi     = x.Style{Bold: true, Italic: true}
)

func TestCompose(t *testing.T) {
	for _, c := range []struct {
		name string
		doc  x.Doc
		want string
	}{
		{"empty", nil, ""},
		{"bold", x.Doc{x.Para(x.Text("a "), x.Bold("b"), x.Text(" c"))}, "a *b* c"},
		{"each style", x.Doc{x.Para(x.Bold("b"), x.Text(" "), x.Italic("i"), x.Text(" "), x.Styled("s", strike), x.Text(" "), x.Styled("go test", code))},
			"*b* _i_ ~s~ `go test`"},
		{"nested", x.Doc{x.Para(x.Styled("bold italic", bi))}, "*_bold italic_*"},
		{"all four", x.Doc{x.Para(x.Styled("x", x.Style{Bold: true, Italic: true, Strike: true, Code: true}))}, "*_~`x`~_*"},
		{"partly nested", x.Doc{x.Para(x.Bold("a "), x.Styled("b", bi), x.Bold(" c"))}, "*a _b_ c*"},
		{"after a closing directive", x.Doc{x.Para(x.Italic("ab"), x.Styled("cd", bi))}, "_ab_*_cd_*"},
		{"XEP example 9", x.Doc{x.Para(x.Text("Everyone "), x.Styled("dis", strike), x.Text("likes cake."))}, "Everyone ~dis~likes cake."},
		{"inside a word: dropped", x.Doc{x.Para(x.Text("Every"), x.Styled("dis", strike), x.Text("likes"))}, "Everydislikes"},
		{"whitespace moved out", x.Doc{x.Para(x.Text("a"), x.Bold(" b "), x.Text("c"))}, "a *b* c"},
		{"only whitespace styled", x.Doc{x.Para(x.Text("a"), x.Bold(" "), x.Text("c"))}, "a c"},
		{"own directive inside: dropped", x.Doc{x.Para(x.Bold("2*3=6"), x.Text(" "), x.Styled("a`b", code))}, "2*3=6 a`b"},
		{"own directive after a space: kept", x.Doc{x.Para(x.Bold("a *b"))}, "*a *b*"},
		{"starting with its directive: dropped", x.Doc{x.Para(x.Bold("*b"))}, "*b"},
		{"already wrapped", x.Doc{x.Para(x.Bold("*b*"), x.Text(" "), x.Styled("`c`", code), x.Text(" "), x.Bold("*"), x.Styled("_x_", bi), x.Bold("*"))},
			"*b* `c` *_x_*"},
		{"would not read back: unstyled", x.Doc{x.Para(x.Bold("x "), x.Styled("*y", bi))}, "x *y"},
		{"other styles dropped", x.Doc{x.Para(x.Styled("u", x.Style{Underline: true, Color: x.RGB(255, 0, 0), Size: x.SizeLarge, Family: "serif"}), x.Text(" "),
			x.Styled("Hamlet", x.Style{Cite: true}))}, "u _Hamlet_"},
		{"link", x.Doc{x.Para(x.Text("see "), x.Link("my bank", "https://evil.example/"), x.Text("!"))}, "see my bank (https://evil.example/)!"},
		{"link showing its target", x.Doc{x.Para(x.Link("xmpp.org", "https://xmpp.org/"), x.Text(" "), x.Link("juliet@capulet.lit", "xmpp:juliet@capulet.lit"))},
			"xmpp.org juliet@capulet.lit"},
		{"styled link", x.Doc{x.Para(x.Styled("click", x.Style{Bold: true, Link: "https://x.org/"}), x.Text(" here"))}, "*click* (https://x.org/) here"},
		{"images", x.Doc{x.Para(x.Img("https://x.org/a.png", "a cat", 0, 0), x.Text(" "), x.Img("cid:a@bob.xmpp.org", "", 0, 0))}, "a cat [image]"},
		{"inline quotation", x.Doc{x.Para(x.Text("he said "), x.Styled("no", x.Style{Quote: true}), x.Text("."))}, `he said "no".`},
		{"line breaks and paragraphs", x.Doc{x.Para(x.Text("a"), x.Break(), x.Break(), x.Bold("b")), x.Para(x.Text("c"))}, "a\n\n*b*\nc"},
		{"pre", x.Doc{x.Preformatted("if x {\n\treturn *p\n}")}, "```\nif x {\n\treturn *p\n}\n```"},
		{"pre already fenced", x.Doc{x.Preformatted("```go\nx\n```")}, "```go\nx\n```"},
		{"pre fenced but open", x.Doc{x.Preformatted("```\nx")}, "```\nx\n```"},
		{"pre styles dropped", x.Doc{{Kind: x.Pre, Inlines: []x.Inline{x.Bold("b"), x.Text(" t")}}}, "```\nb t\n```"},
		{"quote", x.Doc{x.BlockQuote(x.Para(x.Text("a")), x.BlockQuote(x.Para(x.Italic("b"))), x.Para(x.Text("c"))), x.Para(x.Text("d"))},
			"> a\n>> _b_\n> c\nd"},
		{"quote with an empty line", x.Doc{x.BlockQuote(x.Para(x.Text("a"), x.Break(), x.Break(), x.Text("b")))}, "> a\n>\n> b"},
		{"adjacent quotes", x.Doc{x.BlockQuote(x.Para(x.Text("a"))), x.BlockQuote(x.Para(x.Text("b")))}, "> a\n\n> b"},
		{"pre in a quote", x.Doc{x.BlockQuote(x.Preformatted(" x\n>y"))}, "> ```\n>  x\n>>y\n> ```"},
		{"bullets", x.Doc{x.BulletList(x.Item(x.Text("a")), x.Item(x.Bold("b")))}, "• a\n• *b*"},
		{"numbers, nested", x.Doc{x.NumberedList([]x.Block{x.Para(x.Text("first")), x.Para(x.Text("more")), x.BulletList(x.Item(x.Text("sub")))}, x.Item(x.Text("second")))},
			"1. first\n   more\n   • sub\n2. second"},
		{"pre in a list", x.Doc{x.NumberedList([]x.Block{x.Para(x.Text("code:")), x.Preformatted("x")}, []x.Block{x.Preformatted("y")})},
			"1. code:\n```\nx\n```\n2.\n```\ny\n```"},
		{"quote in a list", x.Doc{x.BulletList([]x.Block{x.Para(x.Text("said:")), x.BlockQuote(x.Para(x.Text("q")))})}, "• said:\n> q"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := Compose(c.doc); got != c.want {
				t.Errorf("Compose(%s)\ngot  %q\nwant %q", dump(c.doc), got, c.want)
			}
		})
	}
}

// Bodies that Compose(Parse(body)) gives back as they are.
func TestComposeParse(t *testing.T) {
	for _, body := range []string{
		"*strong* _emph_ ~strike~ `code` plain",
		"This is *`monospace and bold`*",
		"_emphasized span containing *strong span*_",
		"*strong*plain* and * plain *strong*",
		"**not** ****",
		"```ignored\n(println \"Hello, world!\")\n```\nThis should show up as monospace, preformatted text ⤴",
		">> That that is, is.\n> Said the old hermit of Prague.\nWho?",
		"> ```\n> code\n> ```\n> after",
		"> a\n\n> b",
		"see https://xmpp.org/a_(b). www.example.org, xmpp:juliet@capulet.lit",
		"*https://x.org/*",
		"• item\n1. item",
		"😀 *日本語*",
	} {
		if got := Compose(Parse(body)); got != body {
			t.Errorf("Compose(Parse(%q))\n= %q", body, got)
		}
	}
}

// Docs using only what XEP-0393 can say (styles on whole words, no text
// that looks like a directive) read back with the same styles on the same
// text, quotations and preformatted blocks; and Compose is stable.
func TestComposeRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 93))
	n := 2000
	if testing.Short() {
		n = 200
	}
	for i := range n {
		d := x.Build(randBlocks(r, 0)...)
		body := Compose(d)
		back := Parse(body)
		if got, want := flatten(back), flatten(d); !reflect.DeepEqual(got, want) {
			t.Fatalf("%d: Parse(Compose(d)) differs\nd     %s\nbody  %q\nback  %s\ngot  %v\nwant %v", i, dump(d), body, dump(back), got, want)
		}
		if again := Compose(back); again != body {
			t.Fatalf("%d: Compose not stable\n%q\n%q", i, body, again)
		}
	}
}

var words = []string{"a", "xmpp", "héllo", "日本語", "😀", "x1", "Ça", "né", "👍🏽", "ok."}

func randLine(r *rand.Rand) []x.Inline {
	var in []x.Inline
	for k := range 1 + r.IntN(6) {
		if k > 0 {
			st := x.Style{}
			if r.IntN(2) == 0 && len(in) > 0 {
				st = in[len(in)-1].Style
			}
			in = append(in, x.Styled(" ", st))
		}
		in = append(in, x.Styled(words[r.IntN(len(words))], randStyle(r)))
	}
	return in
}

func randStyle(r *rand.Rand) x.Style {
	b := r.IntN(16)
	if r.IntN(2) == 0 {
		b = 0
	}
	return x.Style{Bold: b&1 != 0, Italic: b&2 != 0, Strike: b&4 != 0, Code: b&8 != 0}
}

func randBlocks(r *rand.Rand, depth int) []x.Block {
	var bs []x.Block
	for range 1 + r.IntN(3) {
		switch k := r.IntN(6); {
		case k == 0:
			var lines []string
			for range 1 + r.IntN(3) {
				lines = append(lines, strings.Repeat(" ", r.IntN(3))+words[r.IntN(len(words))]+" *"+words[r.IntN(len(words))]+"*")
			}
			bs = append(bs, x.Preformatted(strings.Join(lines, "\n")))
		case k == 1 && depth < 3:
			bs = append(bs, x.BlockQuote(randBlocks(r, depth+1)...))
		default:
			var in []x.Inline
			for l := range 1 + r.IntN(3) {
				if l > 0 {
					in = append(in, x.Break())
					if r.IntN(4) == 0 {
						in = append(in, x.Break())
					}
				}
				in = append(in, randLine(r)...)
			}
			bs = append(bs, x.Para(in...))
		}
	}
	return bs
}

// fchar is a visible character with its styles; fline a line of them in
// its quotation depth, preformatted or not.
type fchar struct {
	r  rune
	st uint8
}

type fline struct {
	depth int
	pre   bool
	text  []fchar
}

// flatten lists the non-blank lines of d without the styling directives
// (the fences of preformatted blocks, the * _ ~ ` of spans: the random
// docs have none in their text).
func flatten(d x.Doc) []fline {
	var out []fline
	var blocks func(bs []x.Block, depth int)
	blocks = func(bs []x.Block, depth int) {
		for _, b := range bs {
			switch b.Kind {
			case x.Quote:
				blocks(b.Blocks, depth+1)
			case x.Pre:
				var s strings.Builder
				for _, in := range b.Inlines {
					s.WriteString(in.Text)
				}
				lines := strings.Split(s.String(), "\n")
				if strings.HasPrefix(lines[0], fence) {
					lines = lines[1:]
				}
				if n := len(lines); n > 0 && lines[n-1] == fence {
					lines = lines[:n-1]
				}
				for _, l := range lines {
					var fl fline
					for _, c := range l {
						if !isSpace(c) {
							fl.text = append(fl.text, fchar{c, 0})
						}
					}
					if len(fl.text) > 0 {
						fl.depth, fl.pre = depth, true
						out = append(out, fl)
					}
				}
			default:
				fl := fline{depth: depth}
				flush := func() {
					if len(fl.text) > 0 {
						out = append(out, fl)
					}
					fl = fline{depth: depth}
				}
				for _, in := range b.Inlines {
					if in.Kind == x.LineBreak {
						flush()
						continue
					}
					for _, c := range in.Text {
						if !isSpace(c) && !strings.ContainsRune("*_~`", c) {
							fl.text = append(fl.text, fchar{c, bits(in.Style)})
						}
					}
				}
				flush()
			}
		}
	}
	blocks(d, 0)
	return out
}
