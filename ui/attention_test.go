package ui

import (
	"testing"
	"time"

	"github.com/causerie/causerie/core/csi"
)

// TestAttention: the servers hear that nobody looks once no window has
// had the focus for a while (a minimised one loses it), at once when the
// contact list goes to the tray with no chat open, and that someone does
// again as soon as a window is focused or shown. A new account is told
// too. (TestHeldWhileAway in core/csi checks what the servers do with
// it.)
func TestAttention(t *testing.T) {
	h := newChatHarness(t, true)
	tray := &recordingTray{App: h.fyne}
	h.app.FyneApp = tray
	h.app.trayCheck = func() bool { return true }
	h.app.setupTray()
	h.app.att.after = 100 * time.Millisecond
	h.app.ShowMain()
	ind := csi.Of(h.s)
	if !ind.Active() {
		t.Fatal("inactive with the contact list shown")
	}

	h.app.setForeground(false)
	if !ind.Active() {
		t.Fatal("inactive as soon as the focus left")
	}
	h.pump("away once unfocused a while", func() bool { return !ind.Active() })
	h.app.setForeground(true)
	if !ind.Active() {
		t.Fatal("still away with the focus back")
	}

	h.app.main.closeRequested() // to the tray
	if ind.Active() {
		t.Fatal("active with every window hidden")
	}
	p := newPeer(t, h.server)
	h.app.OpenChat(h.me, p.jid)
	if !ind.Active() {
		t.Fatal("away with a chat window shown")
	}
	h.app.chat.close()
	if ind.Active() {
		t.Fatal("active after the chat window closed")
	}

	// A new account, while nobody looks, is told so.
	s2 := h.addAccount(h.server.NewUser(t))
	h.pump("the new account told", func() bool { i := csi.Of(s2); return i != nil && !i.Active() })
	h.app.ShowMain()
	if !ind.Active() || !csi.Of(s2).Active() {
		t.Fatal("away with the contact list shown again")
	}
}
