package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/retract"
	"github.com/causerie/causerie/ui/recent"
)

// TestRetractInGUI: "Delete for everyone…" on our message asks first,
// then takes it back at the contact's too; the chat shows "You deleted
// this message" in its place and the search no longer finds it. The
// contact's retraction of theirs shows "Message deleted".
func TestRetractInGUI(t *testing.T) {
	h := newChatHarness(t, true)
	p := newPeer(t, h.server)
	conv := h.open(p.jid)
	h.app.chat.win.Resize(fyne.NewSize(560, 640))
	test.Type(conv.composer, "le mot de passe est hunter2")
	conv.composer.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	var mine history.Message
	h.pump("our message on the server", func() bool {
		ms := conv.trans.Messages()
		if len(ms) == 0 {
			return false
		}
		mine = ms[len(ms)-1]
		return mine.State >= history.StateAcked
	})
	del := messageItem(conv, mine, "Delete for everyone…")
	if del == nil {
		t.Fatal("no Delete for everyone… on our message")
	}
	del.Action()
	yes := overlayButton(t, h.app.chat.win, "Delete")
	if yes == nil {
		t.Fatal("no confirmation")
	}
	test.Tap(yes)
	h.pump("the contact's copy taken back", func() bool {
		ms, _ := p.session.History(h.me, 5)
		return len(ms) == 1 && ms[0].Retracted && ms[0].Body == ""
	})
	h.waitLaidOut("You deleted this message")
	if strings.Contains(laidOutText(h.app.chat.win.Content()), "hunter2") {
		t.Fatal("the text is still shown")
	}
	if res, _ := h.client.Store().Search(h.me, "", "hunter2", 5); len(res) != 0 {
		t.Fatal("the search still finds it")
	}
	gone := conv.trans.Messages()[len(conv.trans.Messages())-1]
	for _, label := range []string{"Delete for everyone…", "Reply", "React…"} {
		if messageItem(conv, gone, label) != nil {
			t.Fatalf("%s on a deleted message", label)
		}
	}

	// The contact takes back theirs.
	theirs, err := p.session.SendMessage(h.me, core.TypeChat, "", "oublie ça")
	if err != nil {
		t.Fatal(err)
	}
	h.waitLaidOut("oublie ça")
	h.pump("acked", func() bool { m, _ := p.client.Store().Get(theirs.ID); return m.State >= history.StateAcked })
	theirs, _ = p.client.Store().Get(theirs.ID)
	if err := retract.Of(p.session).Retract(theirs); err != nil {
		t.Fatal(err)
	}
	h.waitLaidOut("Message deleted")
	if strings.Contains(laidOutText(h.app.chat.win.Content()), "oublie ça") {
		t.Fatal("their text is still shown")
	}
	if got := recent.Preview(history.Message{Retracted: true, Body: ""}); got != "Message deleted" {
		t.Fatalf("the Chats tab says %q", got)
	}
}
