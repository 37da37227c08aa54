package styling

import (
	"reflect"
	"strings"
	"testing"

	"github.com/causerie/causerie/core/xmpp/xhtmlim"
)

var parseCases = []struct {
	name, body, want string
}{
	// Unbalanced and misplaced directives.
	{"unbalanced star", "a * b", "P[a * b]"},
	{"three stars", "***", "P[***]"},
	{"double stars are no span", "**bold**", "P[**bold**]"},
	{"spaces inside", "* not bold *", "P[* not bold *]"},
	{"space before closing", "*not bold *", "P[*not bold *]"},
	{"space after opening", "_ not italic_", "P[_ not italic_]"},
	{"inside a word", "snake_case_name and 2*3*4", "P[snake_case_name and 2*3*4]"},
	{"closing inside a word", "a *b*c", "P[a {b:*b*}c]"},
	{"overlap", "*this cannot _overlap*_", "P[{b:*this cannot _overlap*}_]"},
	{"spans do not cross lines", "*a\nb*", "P[*a|b*]"},

	// Several spans, nesting.
	{"several on a line", "*a* _b_ ~c~ `d`", "P[{b:*a*} {i:_b_} {s:~c~} {c:`d`}]"},
	{"bold italic", "*_bold italic_*", "P[{b:*}{bi:_bold italic_}{b:*}]"},
	{"italic bold", "_*x*_", "P[{i:_}{bi:*x*}{i:_}]"},
	{"three deep", "~*_x_*~", "P[{s:~}{bs:*}{bis:_x_}{bs:*}{s:~}]"},
	{"all four", "*_~`x`~_*", "P[{b:*}{bi:_}{bis:~}{bisc:`x`}{bis:~}{bi:_}{b:*}]"},
	{"after a closing directive", "*a*_b_", "P[{b:*a*}{i:_b_}]"},
	{"same directive after a closing one", "*a**b*", "P[{b:*a**b*}]"},
	{"code keeps directives", "_no pre `with *children*`_", "P[{i:_no pre }{ic:`with *children*`}{i:_}]"},
	{"code closes lazily", "`a` b`", "P[{c:`a`} b`]"},
	{"span inside a span ends with it", "*a _b* c_", "P[{b:*a _b*} c_]"},

	// Unicode.
	{"non-ASCII", "*héllo* _日本語_ ~ünïcödé~", "P[{b:*héllo*} {i:_日本語_} {s:~ünïcödé~}]"},
	{"emoji", "*😀* 👍 _🎉 party_", "P[{b:*😀*} 👍 {i:_🎉 party_}]"},
	{"no-break space is whitespace", "a\u00a0*b*\u00a0_c_", "P[a\u00a0{b:*b*}\u00a0{i:_c_}]"},
	{"ideographic space is whitespace", "全角\u3000*太字*", "P[全角\u3000{b:*太字*}]"},
	{"no-break space before closing", "*a\u00a0*", "P[*a\u00a0*]"},
	{"invalid UTF-8", "*a\xffb*", "P[{b:*a\ufffdb*}]"},

	// Line endings and blank lines.
	{"CRLF", "a\r\n*b*\r\nc", "P[a|{b:*b*}|c]"},
	{"CR", "a\rb", "P[a|b]"},
	{"CRLF quote", "> q\r\n> r\r\ns", "Q[P[q|r]] P[s]"},
	{"blank lines", "\n\na\n\n\nb\n\n", "P[a|||b]"},
	{"only whitespace", " \n\t\n", "P[\u00a0|\u00a0]"},
	{"empty", "", ""},

	// Preformatted blocks.
	{"pre", "```\ncode *x*\n```", "PRE[```\ncode *x*\n```]"},
	{"pre with hint and text after", "```go\nfmt.Println(`hi`)\n```\n*after*", "PRE[```go\nfmt.Println(`hi`)\n```] P[{b:*after*}]"},
	{"pre unterminated", "text\n```\n  x\n\ty", "P[text] PRE[```\n  x\n\ty]"},
	{"pre alone", "```", "PRE[```]"},
	{"pre closes only on exactly ```", "```\na\n``` \n````\nb\n```\nc", "PRE[```\na\n``` \n````\nb\n```] P[c]"},
	{"pre line starting with more", "```a```\nb", "PRE[```a```\nb]"},
	{"fence not at line start", "a ```b```", "P[a ```b```]"},
	{"pre keeps blank lines inside", "```\na\n\n\nb\n```", "PRE[```\na\n\n\nb\n```]"},
	{"two pres", "```\na\n```\n```\nb\n```", "PRE[```\na\n```] PRE[```\nb\n```]"},

	// Quotations.
	{"quote without space", ">a\n>b", "Q[P[a|b]]"},
	{"quote trims one whitespace", ">  two", "Q[P[\u00a0two]]"},
	{"quote trims a tab", ">\tx", "Q[P[x]]"},
	{"quote ends at a line without >", "> a\nb\n> c", "Q[P[a]] P[b] Q[P[c]]"},
	{"quote nesting", "> a\n>> b\n> c", "Q[P[a] Q[P[b]] P[c]]"},
	{"quote nesting with spaces", "> > b", "Q[Q[P[b]]]"},
	{"styles in a quote", "> *bold* and `code`", "Q[P[{b:*bold*} and {c:`code`}]]"},
	{"pre in a quote", "> ```\n> *x*\n> ```\n> after", "Q[PRE[```\n*x*\n```] P[after]]"},
	{"quote with blank line", "> a\n>\n> b", "Q[P[a||b]]"},
	{"leading space is no quote", " > a", "P[\u00a0> a]"},
	{"empty quote is text", ">", "P[>]"},
	{"empty quotes are text", ">\n> ", "P[>|>]"},
	{"empty nested quote is text", ">\n> \n>>", "Q[P[>]]"},
	{"quote deeper than the model", strings.Repeat(">", 10) + " x",
		strings.Repeat("Q[", xhtmlim.MaxBlockDepth) + "P[>> x]" + strings.Repeat("]", xhtmlim.MaxBlockDepth)},

	// Links are covered in autolink_test.go; one in context here.
	{"link in a quote", "> see https://xmpp.org/extensions/", "Q[P[see {l=https://xmpp.org/extensions/:https://xmpp.org/extensions/}]]"},
}

func TestParse(t *testing.T) {
	for _, c := range parseCases {
		t.Run(c.name, func(t *testing.T) {
			d := Parse(c.body)
			if got := dump(d); got != c.want {
				t.Errorf("Parse(%q)\ngot  %s\nwant %s", c.body, got, c.want)
			}
			if !reflect.DeepEqual(d, d.Normalize()) {
				t.Errorf("not normal: %s", dump(d))
			}
		})
	}
}

func TestParseMessageUnstyled(t *testing.T) {
	for _, c := range []struct{ body, want string }{
		{"*not bold* _nor italic_", "P[*not bold* _nor italic_]"},
		{"> not a quote\n```\nnot pre\n```", "P[> not a quote|```|not pre|```]"},
		{"`https://xmpp.org` still links", "P[`{l=https://xmpp.org:https://xmpp.org}` still links]"},
		{"a\r\nb", "P[a|b]"},
	} {
		d := ParseMessage(c.body, true)
		if got := dump(d); got != c.want {
			t.Errorf("ParseMessage(%q, true)\ngot  %s\nwant %s", c.body, got, c.want)
		}
		if styled, plain := dump(ParseMessage(c.body, false)), dump(Parse(c.body)); styled != plain {
			t.Errorf("ParseMessage(%q, false) = %s, Parse = %s", c.body, styled, plain)
		}
	}
}

// A body over the model's budget of inlines (here 3000 lines) is one
// preformatted block rather than a cut one.
func TestParseOverBudget(t *testing.T) {
	var b strings.Builder
	for i := range 3000 {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString("line *")
		b.WriteString(strings.Repeat("x", i%7+1))
		b.WriteString("*")
	}
	body := b.String()
	for _, unstyled := range []bool{false, true} {
		d := ParseMessage(body, unstyled)
		if len(d) != 1 || d[0].Kind != xhtmlim.Pre || d.PlainText() != body {
			t.Errorf("unstyled %v: %d blocks, first %v", unstyled, len(d), d[0].Kind)
		}
	}
	// Under the budget, styled as usual.
	small := strings.Join(strings.Split(body, "\n")[:500], "\n")
	if d := Parse(small); len(d) != 1 || d[0].Kind != xhtmlim.Paragraph || d.PlainText() != small {
		t.Errorf("500 lines: %d blocks, first %v", len(d), d[0].Kind)
	}
}

// Long adversarial lines parse in about linear time: no directive or URL
// is searched for more than once per position.
func TestParseAdversarial(t *testing.T) {
	for _, body := range adversarial() {
		d := Parse(body)
		if canon(d.PlainText()) != canon(body) {
			t.Errorf("text lost in %q...", body[:20])
		}
	}
}

func adversarial() []string {
	const n = 60 << 10
	return []string{
		strings.Repeat("*a ", n/3),
		strings.Repeat("_", n),
		strings.Repeat("*_~`", n/4),
		strings.Repeat(" *a", n/3) + "*",
		strings.Repeat("www.!", n/5),
		strings.Repeat("http://[ ", n/9),
		"https://x.org/" + strings.Repeat(")", n),
		strings.Repeat("> ", 100) + strings.Repeat("x", n),
		strings.Repeat(">\n", n/2),
		strings.Repeat("```\n", n/4),
	}
}

// budgetInlines is xhtmlim's: a Doc of that many inlines survives
// normalisation, one more does not.
func TestBudgetInlines(t *testing.T) {
	doc := func(n int) xhtmlim.Doc {
		in := make([]xhtmlim.Inline, n)
		for i := range in {
			in[i] = xhtmlim.Styled("x", xhtmlim.Style{Bold: i%2 == 0})
		}
		return xhtmlim.Doc{xhtmlim.Para(in...)}
	}
	if d := doc(budgetInlines); visible(d.Normalize()) != budgetInlines {
		t.Errorf("%d inlines: %d kept", budgetInlines, visible(d.Normalize()))
	}
	if d := doc(budgetInlines + 1); visible(d.Normalize()) != budgetInlines {
		t.Errorf("%d inlines: %d kept", budgetInlines+1, visible(d.Normalize()))
	}
}
