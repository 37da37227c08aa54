package widgets

import (
	"image/color"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
)

// Badge is a count in a pill of the primary colour (unread messages), for
// the renderers of list rows: they add Objects to theirs, call Set in
// Refresh and Place in Layout.
type Badge struct {
	bg   *canvas.Rectangle
	text *canvas.Text
	n    int
	at   bool // mentions: "@" and the error colour
}

// NewBadge makes a hidden badge.
func NewBadge() *Badge {
	b := &Badge{bg: canvas.NewRectangle(color.Black), text: canvas.NewText("", color.White)}
	b.text.TextStyle.Bold = true
	b.bg.Hide()
	b.text.Hide()
	return b
}

// Objects are the badge's canvas objects.
func (b *Badge) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{b.bg, b.text} }

// Set shows n ("99+" above 99), or nothing for 0, in the theme's colours.
func (b *Badge) Set(n int) { b.SetMention(n, false) }

// SetMention is Set, and when mention (a group chat's unread messages
// name the user) the count reads "@n" on the error colour, as it does in
// the group chat clients people know.
func (b *Badge) SetMention(n int, mention bool) {
	b.n, b.at = n, mention
	b.bg.FillColor = theme.Color(theme.ColorNamePrimary)
	b.text.Color = theme.Color(theme.ColorNameForegroundOnPrimary)
	if mention {
		b.bg.FillColor = theme.Color(theme.ColorNameError)
		b.text.Color = theme.Color(theme.ColorNameForegroundOnError)
	}
	b.text.TextSize = theme.CaptionTextSize()
	b.text.Text = strconv.Itoa(n)
	if n > 99 {
		b.text.Text = "99+"
	}
	if mention {
		b.text.Text = "@" + b.text.Text
	}
	SetVisible(b.bg, n > 0)
	SetVisible(b.text, n > 0)
	b.bg.Refresh()
	b.text.Refresh()
}

// Place lays the badge out with its right edge at right, centred on
// centerY, and returns its width (0 when hidden).
func (b *Badge) Place(right, centerY float32) float32 {
	if b.n <= 0 {
		return 0
	}
	p := theme.Padding()
	ts := fyne.MeasureText(b.text.Text, b.text.TextSize, b.text.TextStyle)
	bh := ts.Height + 2
	bw := max(ts.Width+2*p+2, bh)
	b.bg.CornerRadius = bh / 2
	b.bg.Resize(fyne.NewSize(bw, bh))
	b.bg.Move(fyne.NewPos(right-bw, centerY-bh/2))
	b.text.Resize(ts)
	b.text.Move(fyne.NewPos(right-bw+(bw-ts.Width)/2, centerY-ts.Height/2))
	return bw
}
