// Package assets holds the files Causerie embeds: the application icon and,
// later, sounds and other images. Only main and ui import it (it imports
// Fyne); core never does.
package assets

import (
	_ "embed"

	"fyne.io/fyne/v2"
)

//go:embed icon.png
var iconPNG []byte

// Icon is the application icon (512×512 PNG rendered from icon.svg).
var Icon fyne.Resource = fyne.NewStaticResource("icon.png", iconPNG)
