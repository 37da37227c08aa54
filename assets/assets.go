// Package assets holds the files Causerie embeds: the application icon, the
// presence icons and the new-message sound. Only main and ui import it (it
// imports Fyne); core never does.
//
// Derived files (appicon/*.png, icon.png, sounds/message.wav) are committed
// and regenerated with `make assets` (generate.sh).
package assets

import (
	"embed"

	"fyne.io/fyne/v2"
)

//go:embed icon.png
var iconPNG []byte

// Icon is the application icon (512×512 PNG rendered from icon.svg).
var Icon fyne.Resource = fyne.NewStaticResource("icon.png", iconPNG)

//go:embed appicon/icon-256x256.png
var icon256 []byte

// LargeIcon is the icon at 256×256, for pictures of the icon in windows
// (96 points wide up to a 2.6× screen scale). A quarter of Icon's pixels:
// it decodes four times faster.
var LargeIcon fyne.Resource = fyne.NewStaticResource("icon-256.png", icon256)

//go:embed appicon/icon-128x128.png
var icon128 []byte

// WindowIcon is the icon at 128×128, given to the window manager for each
// window (taskbars and switchers show 16 to 128 pixels). At 512 pixels each
// new window would decode a megapixel and send 2 MB to the X server.
var WindowIcon fyne.Resource = fyne.NewStaticResource("icon-128.png", icon128)

//go:embed appicon/icon-64x64.png
var icon64 []byte

// TrayIcon is the icon at 64×64, for the system tray (shown at 16 to 48
// pixels): a StatusNotifier host gets it as a pixmap over D-Bus.
var TrayIcon fyne.Resource = fyne.NewStaticResource("icon-64.png", icon64)

//go:embed icon.svg
var iconSVG []byte

// IconSVG is the application icon as SVG, for places that scale it.
var IconSVG fyne.Resource = fyne.NewStaticResource("icon.svg", iconSVG)

// The presence shows, in the order a presence selector lists them: the four
// <show/> values of RFC 6121 plus plain available, and offline (unavailable).
const (
	PresenceAvailable = "available"
	PresenceChat      = "chat"
	PresenceAway      = "away"
	PresenceXA        = "xa"
	PresenceDND       = "dnd"
	PresenceOffline   = "offline"
)

// PresenceShows lists the keys of PresenceIcons in display order.
var PresenceShows = []string{PresenceAvailable, PresenceChat, PresenceAway, PresenceXA, PresenceDND, PresenceOffline}

//go:embed presence/*.svg
var presenceFS embed.FS

// PresenceIcons maps each of PresenceShows to a small round SVG icon (16×16
// view box; Fyne scales it): available a green dot, chat a green dot with a
// speech bubble, away an amber dot with clock hands, xa a dark orange dot
// with a ringed clock, dnd a red dot with a bar, offline a grey ring. Shapes
// differ as well as colours, so they read without colour vision too.
var PresenceIcons = loadPresenceIcons()

func loadPresenceIcons() map[string]fyne.Resource {
	m := make(map[string]fyne.Resource, len(PresenceShows))
	for _, show := range PresenceShows {
		name := "presence-" + show + ".svg"
		b, err := presenceFS.ReadFile("presence/" + show + ".svg")
		if err != nil {
			panic("assets: " + err.Error()) // a build without the file; caught by the tests
		}
		m[show] = fyne.NewStaticResource(name, b)
	}
	return m
}

// PresenceIcon returns the icon for a presence show (see PresenceShows); an
// unknown or empty show gets the available icon, as RFC 6121 reads a
// presence without <show/> as available.
func PresenceIcon(show string) fyne.Resource {
	if r, ok := PresenceIcons[show]; ok {
		return r
	}
	return PresenceIcons[PresenceAvailable]
}

// MessageSound is the new-message chime: a WAV file (RIFF, PCM 16-bit mono,
// 44.1 kHz), two sine tones a fifth apart, 150 ms, peak -4 dBFS.
//
//go:embed sounds/message.wav
var MessageSound []byte

// MessageSoundResource is MessageSound as a Fyne resource.
var MessageSoundResource fyne.Resource = fyne.NewStaticResource("message.wav", MessageSound)
