package ui

import (
	"fmt"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
)

// clippedTexts lists the texts of the canvas's top overlay (a dialog)
// that are not wholly shown: cut by the window's edges, or drawn in less
// room than they need.
func clippedTexts(c fyne.Canvas) []string {
	top := c.Overlays().Top()
	if top == nil {
		return []string{"no dialog shown"}
	}
	size := c.Size()
	drv := fyne.CurrentApp().Driver()
	var bad []string
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if !o.Visible() {
			return
		}
		if t, ok := o.(*canvas.Text); ok && t.Text != "" {
			pos, sz := drv.AbsolutePositionForObject(o), o.Size()
			if pos.X < -0.5 || pos.Y < -0.5 || pos.X+sz.Width > size.Width+0.5 || pos.Y+sz.Height > size.Height+0.5 ||
				t.MinSize().Width > sz.Width+1 {
				bad = append(bad, fmt.Sprintf("%q at %v, %v (needs %v) in a %v window", t.Text, pos, sz, t.MinSize(), size))
			}
		}
		switch o := o.(type) {
		case fyne.Widget:
			for _, ch := range test.WidgetRenderer(o).Objects() {
				walk(ch)
			}
		case *fyne.Container:
			for _, ch := range o.Objects {
				walk(ch)
			}
		}
	}
	walk(top)
	return bad
}

// TestMainWindowDialogsFit opens every dialog of the main window in the
// window's default size (340×600) and fails on any text cut off: each
// must wrap or be sized to fit (issue 15: the request dialog was cut at
// "your prese…").
func TestMainWindowDialogsFit(t *testing.T) {
	h, m := newOfflineWindow(t)
	const me = "me@example.org"
	m.win.Resize(fyne.NewSize(340, 600))
	bob := core.Contact{JID: "bob.with.a.long.address@example.org", Name: "Bob", Groups: []string{"Friends"}, Subscription: core.SubBoth, InRoster: true}
	h.app.dispatch(core.RosterChanged{Account: me, Contacts: []core.Contact{bob}})
	h.drain()
	v := m.views[me]
	v.err = core.ErrPasswordNeeded
	dialogs := []struct {
		name string
		open func()
	}{
		{"add contact", m.showAddContact},
		{"subscription request", func() {
			m.showRequest(me, history.Request{From: "someone.unknown@example.net", At: time.Now(),
				Message: "Bonjour, c'est Henri du club de randonnée, on s'est vus samedi."})
		}},
		{"edit contact", func() { m.showEditContact(me, bob) }},
		{"new group", func() { m.askNewGroup("Rename group", "Friends", func(string) {}) }},
		{"remove contact", func() { m.confirmRemove(me, bob) }},
		{"priority", m.showPriority},
		{"password", func() { m.askPassword(v) }},
		{"certificate", func() {
			m.askTrust(v, core.UntrustedCertificate{Domain: "example.org",
				Fingerprint: "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89"})
		}},
		{"about", m.showAbout},
	}
	for _, d := range dialogs {
		d.open()
		h.drain()
		for _, c := range clippedTexts(m.win.Canvas()) {
			t.Errorf("%s: %s", d.name, c)
		}
		if d.name == "subscription request" {
			test.AssertRendersToImage(t, "main/request.png", m.win.Canvas())
		}
		for m.win.Canvas().Overlays().Top() != nil {
			m.win.Canvas().Overlays().Remove(m.win.Canvas().Overlays().Top())
		}
	}
}
