package styling

import (
	"reflect"
	"testing"
)

// xepExamples are the examples of XEP-0393, in document order, with the
// rendering the XEP gives them (the parenthesised spans of its glossary
// and lists, the bold/italic/monospace markup of its examples). The
// styling directives stay in the styled text (Implementation Notes:
// "*emphasis*" is rendered as bold "*emphasis*").
var xepExamples = []struct {
	name, body, want string
}{
	// Glossary, "Span": "The following all contain spans marked by
	// parenthesis".
	{"glossary: plain span", "plain span", "P[plain span]"},
	{"glossary: strong span", "*strong span*", "P[{b:*strong span*}]"},
	{"glossary: emphasized span", "_emphasized span_", "P[{i:_emphasized span_}]"},
	{"glossary: span in a span", "_emphasized span containing *strong span*_",
		"P[{i:_emphasized span containing }{bi:*strong span*}{i:_}]"},
	{"glossary: two spans", "span one *span two*", "P[span one {b:*span two*}]"},

	// Business Rules, Blocks, Plain: Example 1, three plain blocks.
	{"example 1: plain blocks", "There are three blocks in this body marked by parens,\nbut there is no *formatting\nas spans* may not escape blocks.",
		"P[There are three blocks in this body marked by parens,|but there is no *formatting|as spans* may not escape blocks.]"},

	// Preformatted Text: Examples 2 and 3.
	{"example 2: preformatted block", "```ignored\n(println \"Hello, world!\")\n```\n\nThis should show up as monospace, preformatted text ⤴",
		"PRE[```ignored\n(println \"Hello, world!\")\n```] P[This should show up as monospace, preformatted text ⤴]"},
	{"example 3: no closing sequence", "> ```\n> (println \"Hello, world!\")\n\nThe entire blockquote is a preformatted text block, but this line\nis plaintext!",
		"Q[PRE[```\n(println \"Hello, world!\")]] P[The entire blockquote is a preformatted text block, but this line|is plaintext!]"},

	// Quotations: Examples 4 and 5.
	{"example 4: quotation", "> That that is, is.\n\nSaid the old hermit of Prague.",
		"Q[P[That that is, is.]] P[Said the old hermit of Prague.]"},
	{"example 5: nested quotation", ">> That that is, is.\n> Said the old hermit of Prague.\n\nWho?",
		"Q[Q[P[That that is, is.]] P[Said the old hermit of Prague.]] P[Who?]"},

	// Spans: "each of the following would be styled as indicated".
	{"spans: strong", "*strong*", "P[{b:*strong*}]"},
	{"spans: plain strong plain", "plain *strong* plain", "P[plain {b:*strong*} plain]"},
	{"spans: strong plain strong", "*strong* plain *strong*", "P[{b:*strong*} plain {b:*strong*}]"},
	{"spans: lazy match", "*strong*plain*", "P[{b:*strong*}plain*]"},
	{"spans: directive followed by space", "* plain *strong*", "P[* plain {b:*strong*}]"},

	// "Nothing would be styled in the following messages".
	{"unstyled: no opening", "not strong*", "P[not strong*]"},
	{"unstyled: no closing", "*not strong", "P[*not strong]"},
	{"unstyled: across a line", "*not \n strong*", "P[*not|\u00a0strong*]"},
	{"unstyled: closing after space", "*not *strong", "P[*not *strong]"},
	{"unstyled: empty", "**", "P[**]"},
	{"unstyled: four", "****", "P[****]"},

	// Spans, Plain: Example 6.
	{"example 6: plain", "Two spans, both *alike in dignity*", "P[Two spans, both {b:*alike in dignity*}]"},
	// Emphasis: Example 7.
	{"example 7: italic", "The full title is _Twelfth Night, or What You Will_ but\n_most_ people shorten it.",
		"P[The full title is {i:_Twelfth Night, or What You Will_} but|{i:_most_} people shorten it.]"},
	// Strong Emphasis: Example 8.
	{"example 8: strong", "The full title is \"Twelfth Night, or What You Will\" but\n*most* people shorten it.",
		"P[The full title is \"Twelfth Night, or What You Will\" but|{b:*most*} people shorten it.]"},
	// Strike through: Example 9.
	{"example 9: strike", "Everyone ~dis~likes cake.", "P[Everyone {s:~dis~}likes cake.]"},

	// Preformatted Span: "the following all contain valid preformatted
	// spans", then Example 10.
	{"pre span", "This is `monospace`", "P[This is {c:`monospace`}]"},
	{"pre span: no children", "This is `*monospace*`", "P[This is {c:`*monospace*`}]"},
	{"pre span: in strong", "This is *`monospace and bold`*", "P[This is {b:*}{bc:`monospace and bold`}{b:*}]"},
	{"example 10: monospace", "Wow, I can write in `monospace`!", "P[Wow, I can write in {c:`monospace`}!]"},
}

func TestXEPExamples(t *testing.T) {
	for _, ex := range xepExamples {
		t.Run(ex.name, func(t *testing.T) {
			d := Parse(ex.body)
			if got := dump(d); got != ex.want {
				t.Errorf("Parse(%q)\ngot  %s\nwant %s", ex.body, got, ex.want)
			}
			if !reflect.DeepEqual(d, d.Normalize()) {
				t.Errorf("not normal: %s", dump(d))
			}
		})
	}
}
