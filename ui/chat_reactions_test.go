package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/reactions"
)

// TestReactionsInGUI: React… in a message's menu opens the picker; a
// pick is sent (the contact gets it) and shows under the message, ours
// marked; the contact's reaction shows with its name; a tap on ours
// takes it back; a chat opened again reads them from the history.
func TestReactionsInGUI(t *testing.T) {
	h := newChatHarness(t, true)
	p := newPeer(t, h.server)
	if _, err := p.session.SendMessage(h.me, core.TypeChat, "", "Le gâteau est prêt"); err != nil {
		t.Fatal(err)
	}
	h.pump("stored", func() bool { return h.app.Unread(h.key(p.jid)) == 1 })
	conv := h.open(p.jid)
	h.app.chat.win.Resize(fyne.NewSize(560, 640))
	msgs := conv.trans.Messages()
	cake := msgs[len(msgs)-1]

	react := messageItem(conv, cake, "React…")
	if react == nil {
		t.Fatal("no React… in the menu")
	}
	react.Action()
	thumbs := overlayButton(t, h.app.chat.win, "👍")
	if thumbs == nil {
		t.Fatal("no 👍 in the picker")
	}
	test.Tap(thumbs)
	target := reactions.Target(cake)
	// What the contact keeps of our reactions.
	peerKeeps := func(want string) {
		t.Helper()
		h.pump("the contact keeps "+want, func() bool {
			got, _ := p.client.Store().Reactions(p.jid, h.me, []string{target})
			var s string
			for _, r := range got[target] {
				if r.Sender == h.me {
					s += strings.Join(r.Emojis, "")
				}
			}
			return s == want
		})
	}
	// The contact names its own message by its origin-id: the same id.
	peerKeeps("👍")
	h.waitLaidOut("👍 1 ✓", "Me")

	// The contact reacts too.
	if err := reactions.Of(p.session).React(history.Message{Peer: h.me, Direction: history.Out, OriginID: target, Type: "chat"}, []string{"🎉"}); err != nil {
		t.Fatal(err)
	}
	h.waitLaidOut("👍 1 ✓", "🎉 1")
	if !strings.Contains(laidOutText(h.app.chat.win.Content()), p.jid) {
		t.Error("who reacted with 🎉 is not said")
	}
	// A tap on ours takes it back.
	conv.toggleReaction(cake, "👍")
	peerKeeps("")
	h.pump("ours gone", func() bool { return !strings.Contains(laidOutText(h.app.chat.win.Content()), "👍") })

	// Opened again: read from the history.
	h.app.chat.closeTab(conv.item)
	conv = h.open(p.jid)
	h.app.chat.win.Resize(fyne.NewSize(560, 640))
	h.waitLaidOut("🎉 1")
}
