package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/internal/uitest"
)

// bidiBalanced reports whether every bidi embedding, override and isolate
// s opens is closed in it: such text cannot reorder what follows it.
func bidiBalanced(s string) bool {
	depth := 0
	for _, r := range s {
		switch r {
		case '\u202A', '\u202B', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068':
			depth++
		case '\u202C', '\u2069':
			depth--
		}
		if depth < 0 {
			return false
		}
	}
	return depth == 0
}

// shownTexts are the texts of the labels and rich text under o.
func shownTexts(o fyne.CanvasObject) []string {
	var out []string
	for _, obj := range test.LaidOutObjects(o) {
		switch w := obj.(type) {
		case *widget.Label:
			out = append(out, w.Text)
		case *widget.RichText:
			for _, s := range uitest.Flatten(w.Segments) {
				if t, ok := s.(*widget.TextSegment); ok {
					out = append(out, t.Text)
				}
			}
		}
	}
	return out
}

// TestBidiOverridesIsolated: a message, a request message and a status
// with a right-to-left override ("\u202Egnp.exe" shows as "exe.png") are
// shown isolated: the override is closed inside, so the name, time and
// words around it keep their order. The chat is drawn for a look.
func TestBidiOverridesIsolated(t *testing.T) {
	h := newChatHarness(t, false)
	peer := "mallory@example.org"
	m := history.Message{Account: h.me, Peer: peer, Direction: history.In, Type: "chat",
		Body: "open \u202Egnp.exe now", Sent: time.Date(2024, 5, 1, 9, 30, 0, 0, time.Local)}
	if err := h.client.Store().Add(&m); err != nil {
		t.Fatal(err)
	}
	h.open(peer)
	h.app.chat.win.Resize(fyne.NewSize(420, 320)) // room for the stranger bar and the message
	h.waitShown("gnp.exe")
	var found bool
	for _, s := range shownTexts(h.app.chat.win.Content()) {
		if strings.Contains(s, "gnp.exe") {
			found = true
			if !bidiBalanced(s) {
				t.Errorf("shown unbalanced: %+q", s)
			}
		}
	}
	if !found {
		t.Fatal("the message is not shown")
	}
	test.AssertRendersToImage(t, "chat/bidi.png", h.app.chat.win.Canvas())

	// A request whose message carries an override, in its dialog.
	h.app.ShowMain()
	req := history.Request{From: "erin@example.org", Message: "\u202Eplease add me"}
	h.app.dispatch(core.SubscriptionRequested{Account: h.me, Request: req})
	h.app.main.showRequest(h.me, req)
	top := h.app.main.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no request dialog")
	}
	found = false
	for _, s := range shownTexts(top) {
		if strings.Contains(s, "please add me") {
			found = true
			if !bidiBalanced(s) || !strings.Contains(s, "\u2068\u202Eplease add me\u202C\u2069") {
				t.Errorf("request message shown as %+q", s)
			}
		}
	}
	if !found {
		t.Fatal("the request's message is not shown")
	}
}

// TestLinkConfirmationHostile: a link with an invisible character is not
// offered at all; one whose host imitates another with letters beyond
// ASCII shows that host in punycode too.
func TestLinkConfirmationHostile(t *testing.T) {
	h := newChatHarness(t, false)
	conv := h.open("alice@example.org")
	overlays := h.app.chat.win.Canvas().Overlays()
	conv.openLink("https://paypal.com\u200B.evil.example/")
	if overlays.Top() != nil {
		t.Fatal("a link with a zero-width space was offered")
	}
	conv.openLink("https://\u0430pple.com/login") // Cyrillic а
	top := overlays.Top()
	if top == nil {
		t.Fatal("no confirmation")
	}
	all := strings.Join(shownTexts(top), "\n")
	if !strings.Contains(all, "xn--pple-43d.com") || !strings.Contains(all, "\u0430pple.com") {
		t.Fatalf("confirmation shows:\n%s", all)
	}
	overlays.Remove(top)
	conv.openLink("https://example.org/")
	if all := strings.Join(shownTexts(overlays.Top()), "\n"); strings.Contains(all, "plain letters") {
		t.Fatalf("an ASCII host is flagged:\n%s", all)
	}
}

// TestCorrectedShowsWhatItWas: "corrected" on a message is a link; it
// shows the original text and what replaced it.
func TestCorrectedShowsWhatItWas(t *testing.T) {
	h := newChatHarness(t, false)
	peer := "alice@example.org"
	m := history.Message{Account: h.me, Peer: peer, Direction: history.In, Type: "chat", Body: "I owe you 10 euros", Sent: time.Now()}
	if err := h.client.Store().Add(&m); err != nil {
		t.Fatal(err)
	}
	if err := h.client.Store().Correct(m.ID, "I owe you nothing", ""); err != nil {
		t.Fatal(err)
	}
	h.open(peer)
	h.waitShown("I owe you nothing", "✎ corrected")
	var link *widget.Hyperlink
	for _, o := range test.LaidOutObjects(h.app.chat.win.Content()) {
		if l, ok := o.(*widget.Hyperlink); ok && l.Text == "✎ corrected" {
			link = l
		}
	}
	if link == nil {
		t.Fatal("no link on corrected")
	}
	link.OnTapped()
	h.pump("earlier versions shown", func() bool { return h.app.chat.win.Canvas().Overlays().Top() != nil })
	all := strings.Join(shownTexts(h.app.chat.win.Canvas().Overlays().Top()), "\n")
	for _, want := range []string{"Original, sent at", "I owe you 10 euros", "Now", "I owe you nothing"} {
		if !strings.Contains(all, want) {
			t.Errorf("%q not shown in:\n%s", want, all)
		}
	}
}
