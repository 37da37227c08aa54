package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/core/history"
)

// TestMessageMenu: a secondary tap on a message shows its menu; Copy text
// puts its plain text on the clipboard, Quote puts it in the box as a
// quotation with the cursor below, Select text shows it selectable; an
// action line is copied as it shows.
func TestMessageMenu(t *testing.T) {
	h := newChatHarness(t, false)
	peer := "bob@example.org"
	at := time.Now().Add(-time.Hour)
	for _, m := range []history.Message{
		{Body: "Bonjour *tout* le monde\nDeuxième ligne", Sent: at},
		{Body: "/me fait signe", Sent: at.Add(10 * time.Minute)},
	} {
		m.Account, m.Peer, m.Direction, m.Type = h.me, peer, history.In, "chat"
		if err := h.client.Store().Add(&m); err != nil {
			t.Fatal(err)
		}
	}
	conv := h.open(peer)
	h.app.chat.win.Resize(fyne.NewSize(560, 640))
	h.settle()
	msgs := conv.trans.Messages()

	// The secondary tap on the first message's row.
	var row fyne.SecondaryTappable
	for _, o := range test.LaidOutObjects(h.app.chat.win.Content()) {
		if st, ok := o.(fyne.SecondaryTappable); ok && strings.Contains(fyneText(o), "Bonjour") {
			row = st
		}
	}
	if row == nil {
		t.Fatal("no row to tap")
	}
	row.TappedSecondary(&fyne.PointEvent{AbsolutePosition: fyne.NewPos(100, 200)})
	top := h.app.chat.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no menu")
	}
	shown := test.RenderObjectToMarkup(top)
	for _, want := range []string{"Quote", "Copy text", "Select text…"} {
		if !strings.Contains(shown, want) {
			t.Errorf("the menu lacks %q:\n%s", want, shown)
		}
	}
	h.app.chat.win.Canvas().Overlays().Remove(top)

	shownMsg := msgs[0]
	find := func(label string) *fyne.MenuItem {
		t.Helper()
		it := messageItem(conv, shownMsg, label)
		if it == nil {
			t.Fatalf("no %q", label)
		}
		return it
	}
	find("Copy text").Action()
	if got := h.app.FyneApp.Clipboard().Content(); got != "Bonjour *tout* le monde\nDeuxième ligne" {
		t.Errorf("copied %q", got)
	}
	conv.composer.SetText("Je réponds :")
	find("Quote").Action()
	if got := conv.composer.Text; got != "Je réponds :\n> Bonjour *tout* le monde\n> Deuxième ligne\n" || conv.composer.CursorRow != 3 {
		t.Errorf("quoted %q, cursor on row %d", got, conv.composer.CursorRow)
	}
	find("Select text…").Action()
	var sel *widget.Label
	for _, o := range test.LaidOutObjects(h.app.chat.win.Canvas().Overlays().Top()) {
		if l, ok := o.(*widget.Label); ok && l.Selectable {
			sel = l
		}
	}
	if sel == nil || sel.Text != "Bonjour *tout* le monde\nDeuxième ligne" {
		t.Fatalf("no selectable text: %+v", sel)
	}
	shownMsg = msgs[1]
	find("Copy text").Action()
	if got := h.app.FyneApp.Clipboard().Content(); got != "* bob@example.org fait signe" {
		t.Errorf("the action copied as %q", got)
	}
}

// fyneText is the text an object shows, for finding it.
func fyneText(o fyne.CanvasObject) string {
	var b strings.Builder
	for _, c := range test.LaidOutObjects(o) {
		if r, ok := c.(*widget.RichText); ok {
			b.WriteString(r.String())
		}
	}
	return b.String()
}

// messageItem is the item called label in the menu of message m, nil when
// the menu has none.
func messageItem(c *chatConversation, m history.Message, label string) *fyne.MenuItem {
	for _, it := range c.messageMenuItems(m).Items {
		if it.Label == label {
			return it
		}
	}
	return nil
}
