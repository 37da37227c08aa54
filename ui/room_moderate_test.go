package ui

import (
	"fmt"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/muc"
)

// TestModerateInGUI: in a room she made (on Prosody with
// mod_muc_moderation), the user has "Delete as moderator…" on Bob's
// message, gives a reason and confirms: the message is gone for Bob too,
// and shows "Deleted by a moderator" here. Her own message has no such
// item; Bob's client offers none.
func TestModerateInGUI(t *testing.T) {
	ch := newChatHarness(t, true)
	h := ch.harness
	room := fmt.Sprintf("moderation%d@conference.%s", time.Now().UnixNano(), h.server.Domain)
	h.app.ShowMain()
	h.app.ShowJoinRoom("", room, "")
	j := h.app.joinDlg
	j.nick.SetText("Moi")
	j.submit()
	key := ch.key(room)
	h.pump("the room's tab", func() bool {
		return h.app.chat != nil && h.app.chat.convs[key] != nil && h.app.chat.convs[key].room.joined
	})
	conv := h.app.chat.convs[key]
	h.app.chat.win.Resize(fyne.NewSize(700, 640))
	rooms := muc.Of(ch.s)
	h.pump("the room lets its moderators delete", func() bool { return rooms.CanModerate(room) })

	b := newPeer(t, h.server)
	br := muc.Of(b.session)
	if err := br.Join(room, "Bob", ""); err != nil {
		t.Fatal(err)
	}
	h.pump("Bob in", func() bool { return len(conv.room.occupants) == 2 && br.In(room) })
	sent, err := br.Say(room, "Potions magiques gratuites !")
	if err != nil {
		t.Fatal(err)
	}
	ch.waitLaidOut("Potions magiques gratuites !")
	var spam history.Message
	for _, m := range conv.trans.Messages() {
		if m.Body == sent.Body {
			spam = m
		}
	}
	del := messageItem(conv, spam, "Delete as moderator…")
	if del == nil {
		t.Fatal("no Delete as moderator… on Bob's message")
	}
	del.Action()
	var reason *widget.Entry
	for _, o := range test.LaidOutObjects(h.app.chat.win.Canvas().Overlays().Top()) {
		if e, ok := o.(*widget.Entry); ok {
			reason = e
		}
	}
	if reason == nil {
		t.Fatal("no reason to give")
	}
	reason.SetText("publicité")
	test.Tap(overlayButton(t, h.app.chat.win, "Delete"))
	h.pump("gone at Bob's", func() bool {
		m, _ := b.client.Store().Get(sent.ID)
		return m.Retracted && m.Moderated
	})
	ch.waitLaidOut("Deleted by a moderator")

	// Our own message: only ours to delete, not as a moderator.
	conv.composer.SetText("Bienvenue")
	conv.sendNow()
	ch.waitLaidOut("Bienvenue")
	msgs := conv.trans.Messages()
	if messageItem(conv, msgs[len(msgs)-1], "Delete as moderator…") != nil {
		t.Fatal("Delete as moderator… on our own message")
	}
	if br.CanModerate(room) {
		t.Fatal("Bob may moderate")
	}
}
