package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"github.com/causerie/causerie/core/xmpp/xhtmlim"
)

func TestParseComposer(t *testing.T) {
	red, _ := xhtmlim.ParseColor("#ff0000")
	cases := []struct {
		in        string
		formatted bool
		want      xhtmlim.Doc
		plain     string
	}{
		{"just text *not bold*", false, xhtmlim.Build(xhtmlim.Para(xhtmlim.Text("just text *not bold*"))), "just text *not bold*"},
		{"[b]gras[/b] et [i]italique[/i]", true, xhtmlim.Build(xhtmlim.Para(xhtmlim.Bold("gras"), xhtmlim.Text(" et "), xhtmlim.Italic("italique"))), "gras et italique"},
		{"[color=#ff0000]rouge[/color] [u]souligné[/u]", true, xhtmlim.Build(xhtmlim.Para(
			xhtmlim.Styled("rouge", xhtmlim.Style{Color: red}), xhtmlim.Text(" "), xhtmlim.Styled("souligné", xhtmlim.Style{Underline: true}))), "rouge souligné"},
		{"[url=https://example.org]le site[/url]", true, xhtmlim.Build(xhtmlim.Para(xhtmlim.Link("le site", "https://example.org"))), ""},
		{"> cité\nréponse", true, xhtmlim.Build(xhtmlim.BlockQuote(xhtmlim.Para(xhtmlim.Text("cité"))), xhtmlim.Para(xhtmlim.Text("réponse"))), ""},
		{"- un\n- deux", true, xhtmlim.Build(xhtmlim.BulletList(xhtmlim.Item(xhtmlim.Text("un")), xhtmlim.Item(xhtmlim.Text("deux")))), ""},
		// Unsafe or broken tags stay text.
		{"[url=javascript:alert(1)]x[/url]", false, xhtmlim.Build(xhtmlim.Para(xhtmlim.Text("[url=javascript:alert(1)]x[/url]"))), ""},
		{"[color=url(x)]y[/color] [/b]", false, xhtmlim.Build(xhtmlim.Para(xhtmlim.Text("[color=url(x)]y[/color] [/b]"))), ""},
		// A tag left open ends with the message.
		{"[b]open", true, xhtmlim.Build(xhtmlim.Para(xhtmlim.Bold("open"))), "open"},
	}
	for _, c := range cases {
		doc, formatted := parseComposer(c.in)
		if formatted != c.formatted {
			t.Errorf("%q: formatted %v", c.in, formatted)
		}
		if !docEqual(doc, c.want) {
			t.Errorf("%q:\n got %#v\nwant %#v", c.in, doc, c.want)
		}
		if c.plain != "" && doc.PlainText() != c.plain {
			t.Errorf("%q: plain %q", c.in, doc.PlainText())
		}
	}
}

func docEqual(a, b xhtmlim.Doc) bool {
	return string(xhtmlim.Marshal(a)) == string(xhtmlim.Marshal(b))
}

// TestComposerFormattingKeys: Ctrl+B wraps the selection, the preview
// shows the result.
func TestComposerFormattingKeys(t *testing.T) {
	h := newChatHarness(t, false)
	conv := h.open("alice@example.org")
	test.Type(conv.composer, "Salut ")
	ctrl := func(k fyne.KeyName) {
		conv.composer.TypedShortcut(&desktop.CustomShortcut{KeyName: k, Modifier: fyne.KeyModifierShortcutDefault})
	}
	ctrl(fyne.KeyB)
	test.Type(conv.composer, "toi")
	if conv.composer.Text != "Salut [b]toi[/b]" {
		t.Fatalf("box %q", conv.composer.Text)
	}
	if !conv.preview.Visible() || conv.preview.String() != "Salut toi" {
		t.Errorf("preview %q visible %v", conv.preview.String(), conv.preview.Visible())
	}
	conv.composer.SetText("plain")
	if conv.preview.Visible() {
		t.Error("preview shown for plain text")
	}
}
