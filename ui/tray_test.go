package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/causerie/causerie/assets"
	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
)

// recordingTray is the test app with a system tray that records what it
// is given (there is no tray host in the test environment to show it).
type recordingTray struct {
	fyne.App
	menu *fyne.Menu
	icon fyne.Resource
}

func (r *recordingTray) SetSystemTrayMenu(m *fyne.Menu)    { r.menu = m }
func (r *recordingTray) SetSystemTrayIcon(i fyne.Resource) { r.icon = i }
func (r *recordingTray) SetSystemTrayWindow(w fyne.Window) {}

// TestTray: with a tray, the menu shows/hides the contact list and says
// how many messages are unread, the icon gets a dot, and closing the
// contact list hides it instead of quitting.
func TestTray(t *testing.T) {
	h := newChatHarness(t, false)
	tray := &recordingTray{App: h.fyne}
	h.app.FyneApp = tray
	h.app.trayCheck = func() bool { return true }
	h.app.setupTray()
	h.app.ShowMain()
	if tray.menu == nil || tray.icon != assets.TrayIcon {
		t.Fatal("tray not set up")
	}
	labels := func() []string {
		var out []string
		for _, it := range tray.menu.Items {
			out = append(out, it.Label)
		}
		return out
	}
	if got := labels(); got[0] != "Hide contacts" || got[1] != "Presence" || got[len(got)-1] != "Quit" {
		t.Errorf("menu %q", got)
	}
	h.app.dispatch(core.MessageReceived{Account: h.me, Message: history.Message{Peer: "bob@example.org", Direction: history.In, Type: "chat", Body: "Salut"}})
	if got := labels()[0]; !strings.Contains(got, "1 unread") {
		t.Errorf("unread not in the menu: %q", got)
	}
	if tray.icon == assets.TrayIcon {
		t.Error("no unread dot on the icon")
	}
	// Closing the contact list hides it; the tray shows it again.
	m := h.app.main
	m.closeRequested() // the window's close button
	if h.app.main == nil || m.visible {
		t.Fatal("closing quit the app instead of hiding to the tray")
	}
	h.app.toggleMain()
	if !m.visible {
		t.Error("not shown again")
	}
	h.app.toggleMain()
	if m.visible {
		t.Error("not hidden")
	}
	h.app.MarkRead(ChatKey{h.me, "bob@example.org"})
	if tray.icon != assets.TrayIcon {
		t.Error("dot not removed once read")
	}
}
