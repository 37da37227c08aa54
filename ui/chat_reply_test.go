package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/reply"
)

// TestReplyInGUI: Reply in a message's menu shows what the next message
// answers above the box (Escape answers nothing); the message sent is an
// answer at the contact's, and ours shows the start of the message it
// answers above its text. The contact's answer to a message far back
// shows that message's quotation, and a tap on it opens the chat there.
func TestReplyInGUI(t *testing.T) {
	h := newChatHarness(t, true)
	p := newPeer(t, h.server)
	store := h.client.Store()
	start := time.Now().AddDate(0, 0, -3)
	for i := 1; i <= 400; i++ {
		m := history.Message{Account: h.me, Peer: p.jid, Direction: history.In, Type: "chat",
			Body: fmt.Sprintf("vieux %d", i), WireID: fmt.Sprintf("old-%d", i), Sent: start.Add(time.Duration(i) * time.Minute)}
		if err := store.Add(&m); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := p.session.SendMessage(h.me, core.TypeChat, "", "On fait un gâteau ?"); err != nil {
		t.Fatal(err)
	}
	h.pump("the question stored", func() bool { return h.app.Unread(h.key(p.jid)) == 1 })
	conv := h.open(p.jid)
	h.app.chat.win.Resize(fyne.NewSize(560, 640))
	msgs := conv.trans.Messages()
	q := msgs[len(msgs)-1]
	if q.Body != "On fait un gâteau ?" {
		t.Fatalf("last shown %q", q.Body)
	}

	answer := messageItem(conv, q, "Reply")
	if answer == nil {
		t.Fatal("no Reply in the menu")
	}
	answer.Action()
	if !conv.replyBar.Visible() || !strings.Contains(conv.replyNote.Text, "On fait un gâteau ?") {
		t.Fatalf("reply bar %v %q", conv.replyBar.Visible(), conv.replyNote.Text)
	}
	// Escape answers nothing; Reply again.
	conv.composer.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if conv.replyBar.Visible() || conv.replyTo != nil {
		t.Fatal("Escape kept the answer")
	}
	answer.Action()
	test.Type(conv.composer, "Oui !")
	conv.composer.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if conv.replyBar.Visible() {
		t.Fatal("the bar stays after sending")
	}
	var got history.Message
	h.pump("the contact gets an answer", func() bool {
		ms, _ := p.session.History(h.me, 5)
		for _, m := range ms {
			if m.Direction == history.In && m.Body == "Oui !" {
				got = m
				return true
			}
		}
		return false
	})
	if got.ReplyQuote != "On fait un gâteau ?" || got.ReplyID == "" {
		t.Fatalf("the contact stored %+v", got)
	}
	h.waitLaidOut("↱ ", "On fait un gâteau ?", "Oui !")

	// The contact answers a message of four days ago (its own, which it
	// named old-42): the quotation shows, a tap goes there.
	if _, err := reply.Of(p.session).Send(h.me, "Je réponds à l'ancien", history.Message{Direction: history.Out, OriginID: "old-42", Body: "vieux 42"}); err != nil {
		t.Fatal(err)
	}
	h.waitLaidOut("Je réponds à l'ancien", "vieux 42")
	var late history.Message
	for _, m := range conv.trans.Messages() {
		if m.Body == "Je réponds à l'ancien" {
			late = m
		}
	}
	if late.ReplyID != "old-42" || late.ReplyQuote != "vieux 42" {
		t.Fatalf("stored %+v", late)
	}
	conv.openReplied(late, nil)
	h.pump("the chat at the message answered", func() bool { return conv.away && conv.trans.Marked() != 0 })
	if m, _ := store.Get(conv.trans.Marked()); m.Body != "vieux 42" {
		t.Fatalf("marked %q", m.Body)
	}
	h.waitLaidOut("vieux 41", "vieux 42", "vieux 43")
}
