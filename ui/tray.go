package ui

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os"
	"runtime"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"github.com/godbus/dbus/v5"

	"github.com/causerie/causerie/assets"
	"github.com/causerie/causerie/core"
)

// The system tray icon: show or hide the contact list, set the presence,
// quit; its icon gets a dot while messages are unread. It is only set up
// where a tray exists: on Linux that is a StatusNotifier host on the
// session bus (Fyne's tray panics at quit without a session bus, and
// without a host the icon would be nowhere while closing the window hid
// the app). With a tray, closing the contact list hides it; without, it
// quits.

// trayAvailable reports whether a system tray can show our icon.
func trayAvailable() bool {
	switch runtime.GOOS {
	case "windows", "darwin":
		return true
	}
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		return false
	}
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return false
	}
	defer conn.Close()
	var owned bool
	err = conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, "org.kde.StatusNotifierWatcher").Store(&owned)
	return err == nil && owned
}

// setupTray installs the icon and menu when there is a tray. It asks
// at once (one local D-Bus round trip, about a millisecond): Fyne starts
// its tray only if it is set before the app runs.
func (a *App) setupTray() {
	desk, ok := a.FyneApp.(desktop.App)
	if !ok || a.trayCheck == nil || !a.trayCheck() {
		return
	}
	a.installTray(desk)
}

// installTray sets the tray icon and menu up (UI goroutine).
func (a *App) installTray(desk desktop.App) {
	a.tray = desk
	a.trayShow = fyne.NewMenuItem(lang.L("Show contacts"), a.toggleMain)
	var presence []*fyne.MenuItem
	for _, s := range []core.Show{core.ShowAvailable, core.ShowAway, core.ShowDND, core.ShowInvisible, core.ShowOffline} {
		it := fyne.NewMenuItem(presenceOption(s), func() {
			if a.main != nil {
				a.main.presence.SetSelected(presenceOption(s))
			}
		})
		it.Icon = assets.PresenceIcon(string(s))
		presence = append(presence, it)
	}
	status := fyne.NewMenuItem(lang.L("Presence"), nil)
	status.ChildMenu = fyne.NewMenu("", presence...)
	quit := fyne.NewMenuItem(lang.L("Quit"), a.FyneApp.Quit)
	quit.IsQuit = true
	a.trayMenu = fyne.NewMenu("Causerie", a.trayShow, status, fyne.NewMenuItemSeparator(), quit)
	desk.SetSystemTrayMenu(a.trayMenu)
	desk.SetSystemTrayIcon(assets.TrayIcon)
	a.updateTray(a.UnreadTotal())
}

// toggleMain shows or hides the contact list.
func (a *App) toggleMain() {
	if a.main != nil && !a.main.hidden && a.main.visible {
		a.main.win.Hide()
		a.main.visible = false
		a.updateTray(a.UnreadTotal())
		a.attentionChanged()
		return
	}
	a.Raise()
}

// updateTray shows the unread count in the tray's menu and icon.
func (a *App) updateTray(unread int) {
	if a.tray == nil {
		return
	}
	label := lang.L("Show contacts")
	if a.main != nil && a.main.visible && !a.main.hidden {
		label = lang.L("Hide contacts")
	}
	if unread > 0 {
		label += " — " + lang.L("{{.Count}} unread", map[string]any{"Count": unread})
	}
	if a.trayShow.Label != label {
		a.trayShow.Label = label
		a.trayMenu.Refresh()
	}
	if (unread > 0) != a.trayBadge {
		a.trayBadge = unread > 0
		if a.trayBadge {
			a.tray.SetSystemTrayIcon(badgeIcon())
		} else {
			a.tray.SetSystemTrayIcon(assets.TrayIcon)
		}
	}
}

var badged fyne.Resource

// badgeIcon is the app icon with a red dot: unread messages.
func badgeIcon() fyne.Resource {
	if badged != nil {
		return badged
	}
	src, err := png.Decode(bytes.NewReader(assets.TrayIcon.Content()))
	if err != nil {
		return assets.TrayIcon
	}
	b := src.Bounds()
	img := image.NewNRGBA(b)
	draw.Draw(img, b, src, b.Min, draw.Src)
	r := b.Dx() / 4
	cx, cy := b.Max.X-r-1, b.Min.Y+r+1
	red := color.NRGBA{0xe5, 0x39, 0x35, 0xff}
	for y := cy - r; y <= cy+r; y++ {
		for x := cx - r; x <= cx+r; x++ {
			if (x-cx)*(x-cx)+(y-cy)*(y-cy) <= r*r {
				img.Set(x, y, red)
			}
		}
	}
	var out bytes.Buffer
	if png.Encode(&out, img) != nil {
		return assets.TrayIcon
	}
	badged = fyne.NewStaticResource("causerie-unread.png", out.Bytes())
	return badged
}
