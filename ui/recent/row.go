package recent

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/ui/roster"
	"github.com/causerie/causerie/ui/widgets"
)

// Row is one conversation of the list: the peer's presence dot and
// picture, name and time of the last message on the first line, the
// message (after the account, when there are several) and the unread
// count on the second. A tap calls Open, a secondary tap Menu (the row
// takes its own taps: Fyne gives a click to the first object under the
// pointer that takes any kind of tap). The window sets the fields, then
// calls Refresh.
type Row struct {
	widget.BaseWidget
	Key                Key
	Name, Detail, When string
	Unread             int
	Mention            bool // some unread messages name the user (a group chat)
	Presence           core.Show
	Known              bool // presence known (else the dot is an outline)
	Avatar             fyne.Resource
	Open               func(k Key)
	Menu               func(k Key, at fyne.Position)
}

// NewRow makes an empty row whose tap calls open and secondary tap menu.
func NewRow(open func(k Key), menu func(k Key, at fyne.Position)) *Row {
	r := &Row{Open: open, Menu: menu, Presence: core.ShowOffline}
	r.ExtendBaseWidget(r)
	return r
}

// Tapped opens the conversation.
func (r *Row) Tapped(*fyne.PointEvent) {
	if r.Open != nil {
		r.Open(r.Key)
	}
}

// TappedSecondary shows the conversation's menu.
func (r *Row) TappedSecondary(e *fyne.PointEvent) {
	if r.Menu != nil {
		r.Menu(r.Key, e.AbsolutePosition)
	}
}

// CreateRenderer is the row's renderer.
func (r *Row) CreateRenderer() fyne.WidgetRenderer {
	rr := &rowRenderer{
		row:    r,
		dot:    &canvas.Circle{},
		name:   canvas.NewText("", color.Black),
		when:   canvas.NewText("", color.Black),
		detail: canvas.NewText("", color.Black),
		badge:  widgets.NewBadge(),
		avatar: &canvas.Image{FillMode: canvas.ImageFillContain, ScaleMode: canvas.ImageScaleSmooth},
	}
	rr.objects = append([]fyne.CanvasObject{rr.dot, rr.avatar, rr.name, rr.when, rr.detail}, rr.badge.Objects()...)
	rr.Refresh()
	return rr
}

type rowRenderer struct {
	row                *Row
	dot                *canvas.Circle
	name, when, detail *canvas.Text
	badge              *widgets.Badge
	avatar             *canvas.Image
	objects            []fyne.CanvasObject
}

const (
	dotSize    = 12
	avatarSize = 32
)

func (rr *rowRenderer) Destroy()                     {}
func (rr *rowRenderer) Objects() []fyne.CanvasObject { return rr.objects }

func (rr *rowRenderer) MinSize() fyne.Size {
	p := theme.Padding()
	nh := fyne.MeasureText("Mg", theme.TextSize(), fyne.TextStyle{Bold: true}).Height
	sh := fyne.MeasureText("Mg", theme.CaptionTextSize(), fyne.TextStyle{}).Height
	return fyne.NewSize(dotSize+avatarSize+4*p+80, max(nh+sh, avatarSize)+p)
}

func (rr *rowRenderer) Layout(size fyne.Size) {
	r := rr.row
	p := theme.Padding()
	rr.dot.Resize(fyne.NewSize(dotSize, dotSize))
	rr.dot.Move(fyne.NewPos(p, (size.Height-dotSize)/2))
	x := p + dotSize + 2*p
	if r.Avatar != nil {
		rr.avatar.Resize(fyne.NewSize(avatarSize, avatarSize))
		rr.avatar.Move(fyne.NewPos(x, (size.Height-avatarSize)/2))
		x += avatarSize + p
	}
	right := size.Width - p
	nh := rr.name.MinSize().Height
	dh := rr.detail.MinSize().Height
	y := (size.Height - nh - dh) / 2

	// First line: the time at the right, the name before it.
	ws := fyne.MeasureText(r.When, rr.when.TextSize, rr.when.TextStyle)
	rr.when.Resize(ws)
	rr.when.Move(fyne.NewPos(right-ws.Width, y+(nh-ws.Height)/2))
	nameW := right - ws.Width - p - x
	rr.name.Text = widgets.Ellipsize(r.Name, rr.name.TextSize, rr.name.TextStyle, nameW)
	rr.name.Move(fyne.NewPos(x, y))
	rr.name.Resize(fyne.NewSize(nameW, nh))

	// Second line: the badge at the right, the message before it.
	detailRight := right
	if bw := rr.badge.Place(right, y+nh+dh/2); bw > 0 {
		detailRight -= bw + p
	}
	dw := detailRight - x
	rr.detail.Text = widgets.Ellipsize(r.Detail, rr.detail.TextSize, rr.detail.TextStyle, dw)
	rr.detail.Move(fyne.NewPos(x, y+nh))
	rr.detail.Resize(fyne.NewSize(dw, dh))
}

func (rr *rowRenderer) Refresh() {
	r := rr.row
	roster.PaintDot(rr.dot, r.Presence, r.Known)
	rr.name.Color = theme.Color(theme.ColorNameForeground)
	rr.name.TextSize = theme.TextSize()
	rr.name.TextStyle = fyne.TextStyle{Bold: r.Unread > 0}
	rr.when.Text = r.When
	rr.when.Color = theme.Color(theme.ColorNamePlaceHolder)
	rr.when.TextSize = theme.CaptionTextSize()
	rr.detail.Color = theme.Color(theme.ColorNamePlaceHolder)
	if r.Unread > 0 {
		rr.detail.Color = theme.Color(theme.ColorNameForeground)
	}
	rr.detail.TextSize = theme.CaptionTextSize()
	rr.badge.SetMention(r.Unread, r.Mention)
	if rr.avatar.Resource != r.Avatar {
		rr.avatar.Resource = r.Avatar
		rr.avatar.Refresh()
	}
	widgets.SetVisible(rr.avatar, r.Avatar != nil)
	rr.Layout(r.Size())
	for _, o := range []fyne.CanvasObject{rr.dot, rr.name, rr.when, rr.detail} {
		o.Refresh()
	}
}
