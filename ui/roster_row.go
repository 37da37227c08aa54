package ui

import (
	"image/color"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/core"
)

// rosterTree is the roster's widget.Tree with keyboard activation: Enter
// opens the selected contact's chat (or toggles the selected group), and
// Up/Down move the selection itself (as in GTK tree views, so that Enter
// acts on what the arrows reached). Fyne's Tree has neither.
type rosterTree struct {
	widget.Tree
	onEnter func(uid string)
	visible func() []string // node IDs in display order, open branches expanded
	sel     string          // the selected node (the Tree keeps its own private)
}

func newRosterTree() *rosterTree {
	t := &rosterTree{}
	t.ExtendBaseWidget(t)
	return t
}

// TypedKey handles Enter and the selection keys, then defers to the Tree.
func (t *rosterTree) TypedKey(e *fyne.KeyEvent) {
	switch e.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		if t.onEnter != nil && t.sel != "" {
			t.onEnter(t.sel)
		}
		return
	case fyne.KeyUp, fyne.KeyDown:
		if t.visible == nil {
			break
		}
		rows := t.visible()
		if len(rows) == 0 {
			return
		}
		i := -1
		for k, uid := range rows {
			if uid == t.sel {
				i = k
				break
			}
		}
		switch {
		case i < 0:
			i = 0
		case e.Name == fyne.KeyUp && i > 0:
			i--
		case e.Name == fyne.KeyDown && i < len(rows)-1:
			i++
		}
		t.Select(rows[i])
		return
	}
	t.Tree.TypedKey(e)
}

// presenceColor is the colour of a presence dot; ok is false for an
// outline (offline, or presence not known).
func presenceColor(s core.Show) (c color.Color, ok bool) {
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

// showLabel names an availability for a person.
func showLabel(s core.Show) string {
	switch s {
	case core.ShowChat:
		return lang.L("Free for chat")
	case core.ShowAvailable:
		return lang.L("Available")
	case core.ShowAway:
		return lang.L("Away")
	case core.ShowXA:
		return lang.L("Not available")
	case core.ShowDND:
		return lang.L("Do not disturb")
	case core.ShowInvisible:
		return lang.L("Invisible")
	}
	return lang.L("Offline")
}

// rosterRow is a leaf of the roster tree: a contact (presence dot, name,
// status or subscription hint, unread badge) or a subscription request
// (with Approve and Deny). It is tappable itself, so that it can take
// double taps (Fyne's Tree has none): a tap selects as the Tree would.
type rosterRow struct {
	widget.BaseWidget
	m   *mainWindow
	uid string

	kind   nodeKind
	name   string
	status string
	show   core.Show
	known  bool // presence known (else an outline dot)
	unread int
	avatar fyne.Resource // the contact's picture, nil when none

	approve, deny *widget.Button
}

func newRosterRow(m *mainWindow) *rosterRow {
	r := &rosterRow{m: m, show: core.ShowOffline}
	r.approve = widget.NewButton(lang.L("Approve"), func() { r.m.answerRequest(r.uid, true) })
	r.approve.Importance = widget.HighImportance
	r.deny = widget.NewButton(lang.L("Deny"), func() { r.m.answerRequest(r.uid, false) })
	r.ExtendBaseWidget(r)
	return r
}

// Tapped selects the row and focuses the tree, as a tap on a Tree row does.
func (r *rosterRow) Tapped(*fyne.PointEvent) { r.m.rowTapped(r.uid) }

// DoubleTapped opens the contact's chat.
func (r *rosterRow) DoubleTapped(*fyne.PointEvent) { r.m.activate(r.uid) }

// TappedSecondary shows the contact's menu.
func (r *rosterRow) TappedSecondary(e *fyne.PointEvent) { r.m.rowMenu(r.uid, e.AbsolutePosition) }

func (r *rosterRow) CreateRenderer() fyne.WidgetRenderer {
	rr := &rosterRowRenderer{
		row:       r,
		dot:       &canvas.Circle{},
		name:      canvas.NewText("", color.Black),
		status:    canvas.NewText("", color.Black),
		badgeBg:   canvas.NewRectangle(color.Black),
		badgeText: canvas.NewText("", color.White),
		avatar:    &canvas.Image{FillMode: canvas.ImageFillContain, ScaleMode: canvas.ImageScaleSmooth},
	}
	rr.badgeText.TextStyle.Bold = true
	rr.objects = []fyne.CanvasObject{rr.dot, rr.avatar, rr.name, rr.status, rr.badgeBg, rr.badgeText, r.approve, r.deny}
	rr.Refresh()
	return rr
}

type rosterRowRenderer struct {
	row       *rosterRow
	dot       *canvas.Circle
	name      *canvas.Text
	status    *canvas.Text
	badgeBg   *canvas.Rectangle
	badgeText *canvas.Text
	avatar    *canvas.Image
	objects   []fyne.CanvasObject
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
	if r.kind == nodeRequest {
		for _, b := range []*widget.Button{r.deny, r.approve} {
			bs := b.MinSize()
			b.Resize(bs)
			b.Move(fyne.NewPos(right-bs.Width, (size.Height-bs.Height)/2))
			right -= bs.Width + p
		}
	} else if r.unread > 0 {
		ts := fyne.MeasureText(rr.badgeText.Text, rr.badgeText.TextSize, rr.badgeText.TextStyle)
		bh := ts.Height + 2
		bw := max(ts.Width+2*p+2, bh)
		rr.badgeBg.CornerRadius = bh / 2
		rr.badgeBg.Resize(fyne.NewSize(bw, bh))
		rr.badgeBg.Move(fyne.NewPos(right-bw, (size.Height-bh)/2))
		rr.badgeText.Resize(ts)
		rr.badgeText.Move(fyne.NewPos(right-bw+(bw-ts.Width)/2, (size.Height-ts.Height)/2))
		right -= bw + p
	}

	x := p + dotSize + 2*p
	if r.avatar != nil {
		rr.avatar.Resize(fyne.NewSize(avatarSize, avatarSize))
		rr.avatar.Move(fyne.NewPos(x, (size.Height-avatarSize)/2))
		x += avatarSize + p
	}
	w := right - x
	rr.name.Text = ellipsize(r.name, rr.name.TextSize, rr.name.TextStyle, w)
	rr.status.Text = ellipsize(r.status, rr.status.TextSize, rr.status.TextStyle, w)
	ns := rr.name.MinSize()
	if r.status == "" {
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
	fill, solid := presenceColor(r.show)
	if !r.known {
		solid = false
	}
	if r.kind == nodeRequest {
		fill, solid = theme.Color(theme.ColorNamePrimary), true
	}
	if solid {
		rr.dot.FillColor, rr.dot.StrokeWidth = fill, 0
	} else {
		rr.dot.FillColor, rr.dot.StrokeColor, rr.dot.StrokeWidth = color.Transparent, fill, 1.5
	}
	rr.name.Color = theme.Color(theme.ColorNameForeground)
	rr.name.TextSize = theme.TextSize()
	rr.name.TextStyle = fyne.TextStyle{Bold: r.unread > 0}
	rr.status.Color = theme.Color(theme.ColorNamePlaceHolder)
	rr.status.TextSize = theme.CaptionTextSize()
	rr.badgeBg.FillColor = theme.Color(theme.ColorNamePrimary)
	rr.badgeText.Color = theme.Color(theme.ColorNameForegroundOnPrimary)
	rr.badgeText.TextSize = theme.CaptionTextSize()
	rr.badgeText.Text = strconv.Itoa(r.unread)
	if r.unread > 99 {
		rr.badgeText.Text = "99+"
	}
	badge := r.kind != nodeRequest && r.unread > 0
	setVisible(rr.badgeBg, badge)
	setVisible(rr.badgeText, badge)
	setVisible(r.approve, r.kind == nodeRequest)
	setVisible(r.deny, r.kind == nodeRequest)
	if rr.avatar.Resource != r.avatar {
		rr.avatar.Resource = r.avatar
		rr.avatar.Refresh()
	}
	setVisible(rr.avatar, r.avatar != nil)
	rr.Layout(r.Size())
	for _, o := range []fyne.CanvasObject{rr.dot, rr.name, rr.status, rr.badgeBg, rr.badgeText} {
		o.Refresh()
	}
}

func setVisible(o fyne.CanvasObject, v bool) {
	if v {
		o.Show()
	} else {
		o.Hide()
	}
}

// ellipsize shortens s with "…" to fit width.
func ellipsize(s string, size float32, style fyne.TextStyle, width float32) string {
	if s == "" || fyne.MeasureText(s, size, style).Width <= width {
		return s
	}
	rs := []rune(s)
	lo, hi := 0, len(rs)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if fyne.MeasureText(string(rs[:mid])+"…", size, style).Width <= width {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	if lo == 0 {
		return ""
	}
	return string(rs[:lo]) + "…"
}

// branchLabel is a group's (or section's) row: a bold label with a
// context menu (rename a group).
type branchLabel struct {
	widget.Label
	m   *mainWindow
	uid string
}

func newBranchLabel(m *mainWindow) *branchLabel {
	b := &branchLabel{m: m}
	b.TextStyle = fyne.TextStyle{Bold: true}
	b.Truncation = fyne.TextTruncateEllipsis
	b.ExtendBaseWidget(b)
	return b
}

// TappedSecondary opens the group's menu.
func (b *branchLabel) TappedSecondary(e *fyne.PointEvent) { b.m.rowMenu(b.uid, e.AbsolutePosition) }
