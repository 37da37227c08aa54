package styling

import "testing"

func TestAutolink(t *testing.T) {
	for _, c := range []struct{ name, body, want string }{
		{"http", "http://example.org", "P[{l=http://example.org:http://example.org}]"},
		{"https with path and query", "go to https://example.org/a/b?c=d&e=f#g now",
			"P[go to {l=https://example.org/a/b?c=d&e=f#g:https://example.org/a/b?c=d&e=f#g} now]"},
		{"xmpp", "join xmpp:room@conference.example.org?join", "P[join {l=xmpp:room@conference.example.org?join:xmpp:room@conference.example.org?join}]"},
		{"mailto", "write to mailto:juliet@capulet.lit.", "P[write to {l=mailto:juliet@capulet.lit:mailto:juliet@capulet.lit}.]"},
		{"www", "www.example.org/page", "P[{l=https://www.example.org/page:www.example.org/page}]"},
		{"upper case", "HTTPS://EXAMPLE.ORG and WWW.EXAMPLE.ORG", "P[{l=HTTPS://EXAMPLE.ORG:HTTPS://EXAMPLE.ORG} and {l=https://WWW.EXAMPLE.ORG:WWW.EXAMPLE.ORG}]"},
		{"two", "https://a.example https://b.example", "P[{l=https://a.example:https://a.example} {l=https://b.example:https://b.example}]"},

		// Trailing punctuation.
		{"final dot", "see https://x.org/a.", "P[see {l=https://x.org/a:https://x.org/a}.]"},
		{"punctuation run", "really? https://x.org/a?!...", "P[really? {l=https://x.org/a:https://x.org/a}?!...]"},
		{"comma and colon", "https://x.org/a, https://x.org/b: yes", "P[{l=https://x.org/a:https://x.org/a}, {l=https://x.org/b:https://x.org/b}: yes]"},
		{"quotes", `"https://x.org/a" 'https://x.org/b'`, `P["{l=https://x.org/a:https://x.org/a}" '{l=https://x.org/b:https://x.org/b}']`},
		{"angle brackets", "<https://x.org/a>", "P[<{l=https://x.org/a:https://x.org/a}>]"},
		{"non-ASCII punctuation", "https://x.org/a… «https://x.org/b»", "P[{l=https://x.org/a:https://x.org/a}… «{l=https://x.org/b:https://x.org/b}»]"},
		{"dot inside kept", "https://x.org/a.html.", "P[{l=https://x.org/a.html:https://x.org/a.html}.]"},

		// Parentheses.
		{"in parentheses", "(see https://x.org/a)", "P[(see {l=https://x.org/a:https://x.org/a})]"},
		{"balanced", "https://en.wikipedia.org/wiki/Go_(programming_language)",
			"P[{l=https://en.wikipedia.org/wiki/Go_(programming_language):https://en.wikipedia.org/wiki/Go_(programming_language)}]"},
		{"balanced in parentheses", "(https://en.wikipedia.org/wiki/Go_(programming_language)).",
			"P[({l=https://en.wikipedia.org/wiki/Go_(programming_language):https://en.wikipedia.org/wiki/Go_(programming_language)}).]"},
		{"brackets", "[https://x.org/a]", "P[[{l=https://x.org/a:https://x.org/a}]]"},

		// Not links.
		{"javascript", "javascript:alert(1)", "P[javascript:alert(1)]"},
		{"ftp", "ftp://x.org/", "P[ftp://x.org/]"},
		{"scheme alone", "http:// and https:// and xmpp: and www.", "P[http:// and https:// and xmpp: and www.]"},
		{"user information", "http://bank.example@evil.example/", "P[http://bank.example@evil.example/]"},
		{"inside a word", "foohttp://x.org", "P[foohttp://x.org]"},
		{"www inside a host", "a.www.x.org and user@www.x.org", "P[a.www.x.org and user@www.x.org]"},
		{"bidi control", "https://x.org/\u202egpj.exe", "P[https://x.org/\u202egpj.exe]"},
		{"zero-width space", "https://paypal.com\u200b.evil.example/", "P[https://paypal.com\u200b.evil.example/]"},
		{"soft hyphen", "https://pay\u00adpal.example/", "P[https://pay\u00adpal.example/]"},

		// Styles and code.
		{"bold link", "*https://x.org*", "P[{b:*}{b l=https://x.org:https://x.org}{b:*}]"},
		{"directives inside a URL", "_see https://x.org/a_b_c_", "P[{i:_see }{i l=https://x.org/a_b_c:https://x.org/a_b_c}{i:_}]"},
		{"star inside a URL", "*x https://x.org/*y* z*", "P[{b:*x }{b l=https://x.org/*y:https://x.org/*y}{b:*} z*]"},
		{"not in a code span", "`https://x.org` https://y.org", "P[{c:`https://x.org`} {l=https://y.org:https://y.org}]"},
		{"not in a pre block", "```\nhttps://x.org\n```", "PRE[```\nhttps://x.org\n```]"},
		{"non-ASCII path", "https://de.wikipedia.org/wiki/Straße", "P[{l=https://de.wikipedia.org/wiki/Straße:https://de.wikipedia.org/wiki/Straße}]"},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := Parse(c.body)
			if got := dump(d); got != c.want {
				t.Errorf("Parse(%q)\ngot  %s\nwant %s", c.body, got, c.want)
			}
			if d.PlainText() != c.body {
				t.Errorf("PlainText %q", d.PlainText())
			}
		})
	}
}
