package roster

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/ui/widgets"
)

// PresenceColor is the colour of a presence dot; ok is false for an
// outline (offline, or presence not known).
func PresenceColor(s core.Show) (c color.Color, ok bool) {
	switch s {
	case core.ShowChat:
		return color.NRGBA{0x00, 0xc8, 0x53, 0xff}, true
	case core.ShowAvailable:
		return color.NRGBA{0x43, 0xa0, 0x47, 0xff}, true
	case core.ShowAway:
		return color.NRGBA{0xfb, 0x8c, 0x00, 0xff}, true
	case core.ShowXA:
		return color.NRGBA{0x9e, 0x9e, 0x9e, 0xff}, true
	case core.ShowDND:
		return color.NRGBA{0xe5, 0x39, 0x35, 0xff}, true
	}
	return color.NRGBA{0x9e, 0x9e, 0x9e, 0xff}, false
}

// PaintDot colours a presence dot: filled for a known availability, an
// outline when offline or not known.
func PaintDot(dot *canvas.Circle, s core.Show, known bool) {
	fill, solid := PresenceColor(s)
	if solid && known {
		dot.FillColor, dot.StrokeWidth = fill, 0
	} else {
		dot.FillColor, dot.StrokeColor, dot.StrokeWidth = color.Transparent, fill, 1.5
	}
}

// Callbacks are what the rows do, on the main window's behalf; each gets
// the node ID of the row.
type Callbacks struct {
	// Tapped selects the row (and focuses the tree), as a tap on a Tree
	// row does.
	Tapped func(uid string)
	// Activated is a double tap: a contact's chat opens, a request shows.
	Activated func(uid string)
	// Menu is a secondary tap: the row's context menu, at a position on
	// the canvas.
	Menu func(uid string, at fyne.Position)
	// Answer is Approve (true) or Deny on a subscription request.
	Answer func(uid string, approve bool)
}

// Row is a leaf of the roster tree: a contact (presence dot, name,
// status or subscription hint, unread badge) or a subscription request
// (with Approve and Deny). It is tappable itself, so that it can take
// double taps (Fyne's Tree has none): a tap selects as the Tree would.
// The window sets the fields, then calls Refresh.
type Row struct {
	widget.BaseWidget
	// UID is the node the row shows, Kind its kind.
	UID  string
	Kind NodeKind
	// Name and Status are the two lines (Status may be "").
	Name, Status string
	// Presence is the contact's availability: the dot's colour.
	Presence core.Show
	// Known: the presence is known (else the dot is an outline).
	Known  bool
	Unread int
	// Mention: some of the unread messages name the user (a group chat).
	Mention bool
	// Avatar is the contact's picture, nil when none.
	Avatar fyne.Resource

	on            Callbacks
	approve, deny *widget.Button
}

// NewRow makes a row that acts through on.
func NewRow(on Callbacks) *Row {
	r := &Row{on: on, Presence: core.ShowOffline}
	r.approve = widget.NewButton(lang.L("Approve"), func() { r.on.Answer(r.UID, true) })
	r.approve.Importance = widget.HighImportance
	r.deny = widget.NewButton(lang.L("Deny"), func() { r.on.Answer(r.UID, false) })
	r.ExtendBaseWidget(r)
	return r
}

// Tapped selects the row and focuses the tree, as a tap on a Tree row does.
func (r *Row) Tapped(*fyne.PointEvent) { r.on.Tapped(r.UID) }

// DoubleTapped opens the contact's chat.
func (r *Row) DoubleTapped(*fyne.PointEvent) { r.on.Activated(r.UID) }

// TappedSecondary shows the contact's menu.
func (r *Row) TappedSecondary(e *fyne.PointEvent) { r.on.Menu(r.UID, e.AbsolutePosition) }

// CreateRenderer is the row's renderer.
func (r *Row) CreateRenderer() fyne.WidgetRenderer {
	rr := &rosterRowRenderer{
		row:    r,
		dot:    &canvas.Circle{},
		name:   canvas.NewText("", color.Black),
		status: canvas.NewText("", color.Black),
		badge:  widgets.NewBadge(),
		avatar: &canvas.Image{FillMode: canvas.ImageFillContain, ScaleMode: canvas.ImageScaleSmooth},
	}
	rr.objects = append([]fyne.CanvasObject{rr.dot, rr.avatar, rr.name, rr.status}, rr.badge.Objects()...)
	rr.objects = append(rr.objects, r.approve, r.deny)
	rr.Refresh()
	return rr
}

type rosterRowRenderer struct {
	row     *Row
	dot     *canvas.Circle
	name    *canvas.Text
	status  *canvas.Text
	badge   *widgets.Badge
	avatar  *canvas.Image
	objects []fyne.CanvasObject
}

const (
	dotSize    = 12
	avatarSize = 28
)

func (rr *rosterRowRenderer) Destroy()                     {}
func (rr *rosterRowRenderer) Objects() []fyne.CanvasObject { return rr.objects }

func (rr *rosterRowRenderer) MinSize() fyne.Size {
	p := theme.Padding()
	nh := fyne.MeasureText("Mg", theme.TextSize(), fyne.TextStyle{Bold: true}).Height
	sh := fyne.MeasureText("Mg", theme.CaptionTextSize(), fyne.TextStyle{}).Height
	// Every leaf has the same height in a Tree: room for the buttons of a
	// request row too.
	h := max(nh+sh, rr.row.approve.MinSize().Height)
	return fyne.NewSize(dotSize+4*p+80, h+p/2)
}

func (rr *rosterRowRenderer) Layout(size fyne.Size) {
	r := rr.row
	p := theme.Padding()
	rr.dot.Resize(fyne.NewSize(dotSize, dotSize))
	rr.dot.Move(fyne.NewPos(p, (size.Height-dotSize)/2))

	right := size.Width - p
	if r.Kind == NodeRequest {
		for _, b := range []*widget.Button{r.deny, r.approve} {
			bs := b.MinSize()
			b.Resize(bs)
			b.Move(fyne.NewPos(right-bs.Width, (size.Height-bs.Height)/2))
			right -= bs.Width + p
		}
	} else if bw := rr.badge.Place(right, size.Height/2); bw > 0 {
		right -= bw + p
	}

	x := p + dotSize + 2*p
	if r.Avatar != nil {
		rr.avatar.Resize(fyne.NewSize(avatarSize, avatarSize))
		rr.avatar.Move(fyne.NewPos(x, (size.Height-avatarSize)/2))
		x += avatarSize + p
	}
	w := right - x
	rr.name.Text = widgets.Ellipsize(r.Name, rr.name.TextSize, rr.name.TextStyle, w)
	rr.status.Text = widgets.Ellipsize(r.Status, rr.status.TextSize, rr.status.TextStyle, w)
	ns := rr.name.MinSize()
	if r.Status == "" {
		rr.name.Move(fyne.NewPos(x, (size.Height-ns.Height)/2))
		rr.name.Resize(fyne.NewSize(w, ns.Height))
		rr.status.Resize(fyne.NewSize(0, 0))
		return
	}
	ss := rr.status.MinSize()
	y := (size.Height - ns.Height - ss.Height) / 2
	rr.name.Move(fyne.NewPos(x, y))
	rr.name.Resize(fyne.NewSize(w, ns.Height))
	rr.status.Move(fyne.NewPos(x, y+ns.Height))
	rr.status.Resize(fyne.NewSize(w, ss.Height))
}

func (rr *rosterRowRenderer) Refresh() {
	r := rr.row
	if r.Kind == NodeRequest {
		rr.dot.FillColor, rr.dot.StrokeWidth = theme.Color(theme.ColorNamePrimary), 0
	} else {
		PaintDot(rr.dot, r.Presence, r.Known)
	}
	rr.name.Color = theme.Color(theme.ColorNameForeground)
	rr.name.TextSize = theme.TextSize()
	rr.name.TextStyle = fyne.TextStyle{Bold: r.Unread > 0}
	rr.status.Color = theme.Color(theme.ColorNamePlaceHolder)
	rr.status.TextSize = theme.CaptionTextSize()
	if r.Kind == NodeRequest {
		rr.badge.Set(0)
	} else {
		rr.badge.SetMention(r.Unread, r.Mention)
	}
	widgets.SetVisible(r.approve, r.Kind == NodeRequest)
	widgets.SetVisible(r.deny, r.Kind == NodeRequest)
	if rr.avatar.Resource != r.Avatar {
		rr.avatar.Resource = r.Avatar
		rr.avatar.Refresh()
	}
	widgets.SetVisible(rr.avatar, r.Avatar != nil)
	rr.Layout(r.Size())
	for _, o := range []fyne.CanvasObject{rr.dot, rr.name, rr.status} {
		o.Refresh()
	}
}
