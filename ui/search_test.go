package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
)

// laidOutText is the text of the rich texts and labels a window lays
// out.
func laidOutText(o fyne.CanvasObject) string {
	var all strings.Builder
	for _, o := range test.LaidOutObjects(o) {
		switch w := o.(type) {
		case *widget.RichText:
			if w.Visible() {
				all.WriteString(w.String() + "\n")
			}
		case *widget.Label:
			if w.Visible() {
				all.WriteString(w.Text + "\n")
			}
		}
	}
	return all.String()
}

// TestSearchInGUI: words typed in the search window find messages of
// every conversation, newest first, with the words marked; the "In" and
// "When" filters narrow them; a result far back in a conversation opens
// its chat at that message, marked among its neighbours, and the chat
// goes back to its newest messages (a message that came meanwhile
// included) with "Show the latest messages". Keyboard: Ctrl+F in a chat,
// Down and Enter in the search box, Escape.
func TestSearchInGUI(t *testing.T) {
	h := newChatHarness(t, true)
	p := newPeer(t, h.server)
	store := h.client.Store()
	// 10:00 thirty days back: "Le zeppelin" (the 50th, at 10:50) and
	// "Encore un zeppelin" (the 900th, at 01:00) fall on two days,
	// whatever the hour the test runs at.
	y, mo, d := time.Now().AddDate(0, 0, -30).Date()
	start := time.Date(y, mo, d, 10, 0, 0, 0, time.Local)
	var far history.Message
	for i := 1; i <= 1000; i++ {
		m := history.Message{Account: h.me, Peer: p.jid, Direction: history.In, Type: "chat",
			Body: fmt.Sprintf("ligne %d.", i), Sent: start.Add(time.Duration(i) * time.Minute)}
		switch i {
		case 50:
			m.Body = "Le zeppelin décolle à midi."
		case 900:
			m.Body = "Encore un zeppelin ?"
		}
		if err := store.Add(&m); err != nil {
			t.Fatal(err)
		}
		if i == 50 {
			far = m
		}
	}
	ann := history.Message{Account: h.me, Peer: "ann@example.org", Direction: history.Out, Type: "chat",
		Body: "Des zeppelins chez Ann", Sent: start.Add(2000 * time.Minute)}
	if err := store.Add(&ann); err != nil {
		t.Fatal(err)
	}
	// One that comes now, from the server: found as soon as it is stored.
	if _, err := p.session.SendMessage(h.me, core.TypeChat, "", "Zeppelin en direct !"); err != nil {
		t.Fatal(err)
	}
	h.pump("the live message stored", func() bool { return h.app.Unread(h.key(p.jid)) == 1 })

	h.app.ShowSearch("", "")
	s := h.app.search
	s.win.Resize(fyne.NewSize(560, 600))
	test.Type(s.entry, "zepp")
	bodies := func() []string {
		var out []string
		for _, r := range s.results {
			out = append(out, r.Msg.Body)
		}
		return out
	}
	waitResults := func(what string, want ...string) {
		t.Helper()
		h.pump(what, func() bool { return fmt.Sprint(bodies()) == fmt.Sprint(want) })
	}
	waitResults("every conversation, newest first", "Zeppelin en direct !", "Des zeppelins chez Ann",
		"Encore un zeppelin ?", "Le zeppelin décolle à midi.")
	shown := laidOutText(s.win.Content())
	for _, want := range []string{"Zeppelin en direct !", "Le zeppelin décolle à midi.", "Messages found: 4", "Me"} {
		if !strings.Contains(shown, want) {
			t.Errorf("the window does not show %q:\n%s", want, shown)
		}
	}
	if r := s.results[3]; r.Snippet[r.Marks[0][0]:r.Marks[0][1]] != "zeppelin" {
		t.Errorf("marked: %v in %q", r.Marks, r.Snippet)
	}
	// The words: all of them, the last one as a prefix.
	s.entry.SetText("zeppelin mi")
	waitResults("two words", "Le zeppelin décolle à midi.")
	s.entry.SetText("")
	h.drain()
	if len(s.results) != 0 || !strings.Contains(s.status.Text, "Type words") {
		t.Fatalf("empty box: %d results, %q", len(s.results), s.status.Text)
	}
	s.entry.SetText("zeppelin")
	waitResults("again", "Zeppelin en direct !", "Des zeppelins chez Ann", "Encore un zeppelin ?", "Le zeppelin décolle à midi.")
	// Dates.
	s.when.SetSelectedIndex(whenWeek)
	waitResults("the past 7 days", "Zeppelin en direct !")
	s.when.SetSelectedIndex(whenBetween)
	day := far.Sent.Local()
	s.from.SetDate(&day)
	s.to.SetDate(&day)
	waitResults("one day", "Le zeppelin décolle à midi.")
	if !s.dates.Visible() {
		t.Error("the dates are hidden with Between dates…")
	}
	s.when.SetSelectedIndex(whenAny)
	waitResults("any time", "Zeppelin en direct !", "Des zeppelins chez Ann", "Encore un zeppelin ?", "Le zeppelin décolle à midi.")

	// Down three times and Enter: the fourth result, far back in its
	// conversation (1,000 messages, the chat reads the latest 200).
	for _, k := range []fyne.KeyName{fyne.KeyDown, fyne.KeyDown, fyne.KeyDown, fyne.KeyDown, fyne.KeyReturn} {
		s.entry.TypedKey(&fyne.KeyEvent{Name: k})
	}
	if h.app.chat == nil {
		t.Fatal("Enter opened no chat")
	}
	conv := h.app.chat.convs[h.key(p.jid)]
	h.pump("the chat at the message found", func() bool { return conv.trans.Has(far.ID) && conv.away })
	h.app.chat.win.Resize(fyne.NewSize(560, 640))
	h.settle()
	h.waitLaidOut("Le zeppelin décolle à midi.", "ligne 49.", "ligne 51.")
	if shown := laidOutText(h.app.chat.win.Content()); strings.Contains(shown, "Zeppelin en direct") {
		t.Fatal("the newest messages are shown")
	}
	if !conv.latestBtn.Visible() {
		t.Fatal("no way back to the latest messages")
	}
	// A message while away from the newest: it is not lost.
	if _, err := p.session.SendMessage(h.me, core.TypeChat, "", "Pendant la lecture"); err != nil {
		t.Fatal(err)
	}
	h.pump("stored", func() bool {
		ms, _ := store.Latest(h.me, p.jid, 1)
		return len(ms) == 1 && ms[0].Body == "Pendant la lecture"
	})
	test.Tap(conv.latestBtn)
	h.pump("the newest messages again", func() bool { return !conv.away && conv.loaded && !conv.loading })
	h.waitLaidOut("Pendant la lecture", "Zeppelin en direct !")
	if conv.latestBtn.Visible() {
		t.Fatal("Show the latest still shown")
	}

	// Going to a message shown marks it in place.
	nine := s.results[2].Msg
	s.open(2)
	h.settle()
	if conv.trans.Marked() != nine.ID || conv.away || conv.loading {
		t.Fatalf("a message shown: marked %d (want %d), away %v, loading %v", conv.trans.Marked(), nine.ID, conv.away, conv.loading)
	}
	// Ctrl+F in the chat: the search narrowed to this conversation.
	h.app.chat.win.Canvas().(fyne.Shortcutable).TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault})
	if h.app.search != s || s.scope != (searchScope{h.me, p.jid}) {
		t.Fatalf("Ctrl+F: scope %+v", s.scope)
	}
	waitResults("this conversation", "Zeppelin en direct !", "Encore un zeppelin ?", "Le zeppelin décolle à midi.")
	h.app.chat.win.Canvas().(fyne.Shortcutable).TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyF,
		Modifier: fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift})
	waitResults("every conversation", "Zeppelin en direct !", "Des zeppelins chez Ann",
		"Encore un zeppelin ?", "Le zeppelin décolle à midi.")
	s.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if h.app.search != nil {
		t.Fatal("Escape did not close the search")
	}
}
