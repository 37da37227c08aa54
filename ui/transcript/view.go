package transcript

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/omemo"
)

// View shows a conversation in a widget.List: only the rows on
// screen exist as widgets (a few dozen, whatever the length), so 100,000
// messages scroll like 100.
//
// Row heights vary (wrapped bodies, subjects, errors). Fyne's List takes
// per-row heights through SetItemHeight, which refreshes the list, so it
// must not be called from inside UpdateItem (the list is mid-layout). A
// row is therefore measured when it is bound (its width is known then),
// the height stored in the model, and applied in one deferred batch
// (do) after the layout pass; the list shows it at the template
// height for that one frame. Heights are re-measured when the width
// changes. Inserting rows before others (older pages, delayed messages)
// shifts every index, and the List keys heights by index with no way to
// clear them, so those changes build a fresh List whose heights are set
// before it has a renderer (cheap: map writes) and keep the scroll
// position on the same message.
type View struct {
	model *model
	do    func(func())
	// sender names a message's author ("Me", the contact's name).
	sender func(history.Message) string
	// OnTop is called when the first row is bound while the user has
	// scrolled away from the bottom: time to load an older page.
	OnTop func()
	// OnBottom is called when the last row is bound: with a stretch of
	// history shown from the middle (SetAround), time to load a newer
	// page.
	OnBottom func()
	// Env renders rich text: links, images (see Segments).
	Env Env
	// ShowEdits, when set, makes "corrected" a link that shows what a
	// message said before.
	ShowEdits func(history.Message)
	// NameColor, when set, colours each sender's name (the nicks of a
	// group chat); "" leaves a name in the text colour.
	NameColor func(history.Message) fyne.ThemeColorName
	// Mentions, when set, says which messages name the user (a group
	// chat's messages that say our nick): their rows are tinted.
	Mentions func(history.Message) bool
	// AutoPicture, when set, says which messages' pictures (a file
	// alone, XEP-0066) are fetched without a tap.
	AutoPicture func(history.Message) bool
	// Menu, when set, shows a message's menu (a secondary tap on it) at
	// a position in the window's canvas.
	Menu func(m history.Message, at fyne.Position)
	// OpenReplied, when set, goes to the message a reply answers (a tap
	// on the quotation above it): shown is that message when it is
	// among those shown.
	OpenReplied func(reply history.Message, shown *history.Message)
	// Reactor names who reacted (a history.Reaction's Sender); Mine says
	// whether that is us. Toggle, when set, adds or takes back our
	// reaction emoji to m (a tap on it under m).
	Reactor func(sender string) string
	Mine    func(sender string) bool
	Toggle  func(m history.Message, emoji string)

	now func() time.Time

	list  *widget.List
	box   *fyne.Container // holds list; list is swapped on resets
	width float32
	// shown holds the row widgets ever bound: a few dozen, whatever the
	// length (the template CreateItem also makes on refreshes is not one)
	shown map[*rowWidget]struct{}

	pending     map[*row]struct{}
	flushQueued bool
	stick       bool    // keep the newest message in view
	lastOffset  float32 // offset after our last scroll (to the bottom, or to target)
	// target is the row kept in view (Reveal) until the user scrolls;
	// mark is the message shown marked (the one a search found).
	target *row
	mark   int64
	// anchor is the row an older page was put above, kept at anchorAt
	// (its y in the view) while the rows above it are measured, until
	// the user scrolls.
	anchor    *row
	anchorAt  float32
	templateH float32
	padding   float32
	// names is bumped when sender names change (roster) or an image
	// arrived: rows re-bind
	names uint32
}

// New makes an empty transcript. do runs a function on Fyne's goroutine
// after the current layout pass (fyne.Do in the app); sender names a
// message's author.
func New(do func(func()), sender func(history.Message) string) *View {
	t := &View{
		model:   newModel(sender),
		do:      do,
		sender:  sender,
		now:     time.Now,
		pending: map[*row]struct{}{},
		shown:   map[*rowWidget]struct{}{},
		stick:   true,
	}
	t.templateH = newRowWidget(nil).MinSize().Height
	t.padding = theme.Padding()
	t.box = container.NewStack()
	t.box.Layout = &viewLayout{t: t}
	t.newList()
	return t
}

// Object is the transcript's canvas object.
func (t *View) Object() fyne.CanvasObject { return t.box }

func (t *View) newList() {
	l := widget.NewList(
		func() int { return len(t.model.rows) },
		func() fyne.CanvasObject { return newRowWidget(t) },
		t.update,
	)
	l.HideSeparators = true
	for _, r := range t.model.rows {
		if r.h > 0 {
			l.SetItemHeight(r.idx, r.h)
		}
	}
	t.list = l
	t.lastOffset = 0 // where a new list starts: not a scroll of the user's
	t.pending = map[*row]struct{}{}
	t.shown = map[*rowWidget]struct{}{}
	t.box.Objects = []fyne.CanvasObject{l}
	t.box.Refresh()
}

func (t *View) update(id widget.ListItemID, o fyne.CanvasObject) {
	if id < 0 || id >= len(t.model.rows) {
		return
	}
	r := t.model.rows[id]
	v := o.(*rowWidget)
	t.shown[v] = struct{}{}
	v.bind(r)
	if id == 0 && t.OnTop != nil && !t.followsBottom() {
		t.do(t.OnTop)
	}
	if id == len(t.model.rows)-1 && t.OnBottom != nil {
		t.do(t.OnBottom)
	}
	w := v.Size().Width
	if w <= 0 || r.w == w {
		return
	}
	h := v.heightFor(w)
	r.w = w
	if h != r.h {
		r.h = h
		t.pending[r] = struct{}{}
		t.scheduleFlush()
	}
}

func (t *View) scheduleFlush() {
	if t.flushQueued {
		return
	}
	t.flushQueued = true
	list := t.list
	t.do(func() { t.flush(list) })
}

// flush applies measured heights, then keeps the bottom in view if the
// user had not scrolled away.
func (t *View) flush(list *widget.List) {
	t.flushQueued = false
	if list != t.list {
		return // replaced: the new list got all heights
	}
	t.followsBottom()
	pending := t.pending
	t.pending = map[*row]struct{}{}
	for r := range pending {
		if r.idx < len(t.model.rows) && t.model.rows[r.idx] == r {
			list.SetItemHeight(r.idx, r.h)
		}
	}
	switch {
	case t.stick:
		t.scrollToBottom()
	case t.followsTarget():
		t.scrollToTarget()
	case t.followsAnchor():
		t.list.ScrollToOffset(max(0, t.offsetOf(t.anchor)-t.anchorAt))
		t.lastOffset = t.list.GetScrollOffset()
	}
}

// followsAnchor reports whether the row an older page went above is to
// stay where it is in the view: until the user scrolls.
func (t *View) followsAnchor() bool {
	if t.anchor != nil && (t.list.GetScrollOffset() != t.lastOffset || t.anchor.idx >= len(t.model.rows) || t.model.rows[t.anchor.idx] != t.anchor) {
		t.anchor = nil
	}
	return t.anchor != nil
}

// followsTarget reports whether a revealed row is to be kept in view: no
// longer once the user scrolled away from where we put it.
func (t *View) followsTarget() bool {
	if t.target != nil && t.list.GetScrollOffset() != t.lastOffset {
		t.target = nil
	}
	return t.target != nil
}

// scrollToTarget puts the target row in the middle of the view (at the
// top when it is taller than the view), with the heights known so far:
// flush does it again as rows around it are measured.
func (t *View) scrollToTarget() {
	view := t.list.Size().Height
	if view <= 0 || t.target == nil {
		return
	}
	h := t.target.h
	if h <= 0 {
		h = t.templateH
	}
	y := t.offsetOf(t.target) - max(0, (view-h)/2)
	y = max(0, min(y, t.contentHeight()-view))
	t.list.ScrollToOffset(y)
	t.lastOffset = t.list.GetScrollOffset()
}

// followsBottom reports whether the newest message is to be kept in
// view: no longer once the user scrolled away from where we put it.
func (t *View) followsBottom() bool {
	if t.stick && t.list.GetScrollOffset() != t.lastOffset && !t.atBottom() {
		t.stick = false
	}
	return t.stick
}

func (t *View) scrollToBottom() {
	if t.list.Size().Height <= 0 {
		return
	}
	t.list.ScrollToBottom()
	t.lastOffset = t.list.GetScrollOffset()
}

// contentHeight is the list's content height as the model knows it.
func (t *View) contentHeight() float32 {
	n := len(t.model.rows)
	if n == 0 {
		return 0
	}
	h := float64(0)
	for _, r := range t.model.rows {
		if r.h > 0 {
			h += float64(r.h)
		} else {
			h += float64(t.templateH)
		}
	}
	return float32(h + float64(t.padding)*float64(n-1))
}

// atBottom reports whether the newest rows are in view.
func (t *View) atBottom() bool {
	view := t.list.Size().Height
	if view <= 0 {
		return true
	}
	return t.list.GetScrollOffset()+view >= t.contentHeight()-2*t.templateH
}

// Set shows msgs (oldest first), scrolled to the newest.
func (t *View) Set(msgs []history.Message) {
	t.model.set(msgs)
	t.stick = true
	t.target, t.anchor = nil, nil
	t.mark = 0
	t.newList()
	t.scheduleFlush()
}

// SetAround shows msgs (oldest first), a stretch of the conversation
// that may not reach its newest message, with the message id marked and
// scrolled to the middle of the view.
func (t *View) SetAround(msgs []history.Message, id int64) {
	t.model.set(msgs)
	t.stick = false
	t.mark = 0
	t.target, t.anchor = nil, nil
	t.newList()
	t.Reveal(id)
}

// Reveal scrolls message id (one shown) to the middle of the view and
// marks it; false when it is not shown.
func (t *View) Reveal(id int64) bool {
	r, ok := t.model.byID[id]
	if !ok {
		return false
	}
	if old, ok := t.model.byID[t.mark]; ok && old != r {
		old.ver++
		t.list.RefreshItem(old.idx)
	}
	t.mark = id
	r.ver++
	t.stick = false
	t.target = r
	t.list.RefreshItem(r.idx)
	t.lastOffset = t.list.GetScrollOffset()
	t.scrollToTarget()
	t.scheduleFlush()
	return true
}

// Append shows a newer page below the rows (of a stretch shown from the
// middle), leaving the view where it is.
func (t *View) Append(newer []history.Message) {
	if t.model.appendPage(newer) == 0 {
		return
	}
	t.stick = false
	t.list.Refresh()
}

// Last is the newest message shown; false when there is none.
func (t *View) Last() (history.Message, bool) {
	if r := t.model.lastMsg(); r != nil {
		return r.msg, true
	}
	return history.Message{}, false
}

// Marked is the message marked by SetAround or Reveal, 0 if none.
func (t *View) Marked() int64 { return t.mark }

// Has reports whether message id is shown.
func (t *View) Has(id int64) bool {
	_, ok := t.model.byID[id]
	return ok
}

// Add shows one new message (from an event). It follows the conversation
// when the user was at the bottom, or when the message is ours.
func (t *View) Add(m history.Message) {
	stick := t.followsBottom() || t.atBottom() || m.Direction == history.Out
	added, appended := t.model.add(m)
	if !added {
		return
	}
	t.stick = stick
	if appended {
		t.list.Refresh()
	} else {
		t.newList()
	}
	t.scheduleFlush()
}

// Prepend shows an older page above the current rows, keeping the rows
// in view where they are.
func (t *View) Prepend(older []history.Message) {
	offset := t.list.GetScrollOffset()
	anchor := t.model.firstMsg()
	before := t.offsetOf(anchor)
	target := t.followsTarget()
	if t.model.prepend(older) == 0 {
		return
	}
	t.stick = false
	t.newList()
	if target {
		t.lastOffset = t.list.GetScrollOffset()
		t.scrollToTarget() // still where the user has not scrolled from
		return
	}
	t.list.ScrollToOffset(offset + t.offsetOf(anchor) - before)
	t.lastOffset = t.list.GetScrollOffset()
	if anchor != nil {
		t.anchor, t.anchorAt = anchor, before-offset
	}
}

// offsetOf is the y of a row in the list's content.
func (t *View) offsetOf(r *row) float32 {
	if r == nil {
		return 0
	}
	y := float32(0)
	for _, o := range t.model.rows[:r.idx] {
		h := o.h
		if h <= 0 {
			h = t.templateH
		}
		y += h + t.padding
	}
	return y
}

// NamesChanged re-draws the rows on screen with the new sender names.
func (t *View) NamesChanged() {
	t.names++
	t.list.Refresh()
}

// SetState updates a message's delivery state in place.
func (t *View) SetState(id int64, st history.State, reason string) {
	r := t.model.setState(id, st, reason)
	if r == nil {
		return
	}
	t.list.RefreshItem(r.idx)
}

// RefreshAll re-binds the rows on screen (an image they show arrived).
func (t *View) RefreshAll() {
	t.names++
	for _, r := range t.model.rows {
		r.w = 0 // heights change with images
	}
	t.list.Refresh()
}

// Replace shows a corrected message's new text in place.
func (t *View) Replace(m history.Message) {
	r := t.model.replace(m)
	if r == nil {
		return
	}
	t.list.RefreshItem(r.idx)
}

// Retract shows message m (as stored now, Retracted) as taken back.
func (t *View) Retract(m history.Message) {
	if r := t.model.retract(m); r != nil {
		t.list.RefreshItem(r.idx)
	}
}

// SetFile shows where a message's file is on this computer now (a
// download finished: path and size; a copy gone: "", 0).
func (t *View) SetFile(id int64, path string, size int64) {
	if r := t.model.setFile(id, path, size); r != nil {
		t.list.RefreshItem(r.idx)
	}
}

// Touch draws a message's row again (its file's download moved on).
func (t *View) Touch(id int64) {
	if r := t.model.touch(id); r != nil {
		t.list.RefreshItem(r.idx)
	}
}

// First is the oldest message shown; false when there is none.
func (t *View) First() (history.Message, bool) {
	if r := t.model.firstMsg(); r != nil {
		return r.msg, true
	}
	return history.Message{}, false
}

// LastOutgoing is our last message, with true when it can be corrected
// (a chat message, neither failed nor pending).
func (t *View) LastOutgoing() (history.Message, bool) { return t.model.lastOutgoing() }

// Messages are the messages shown, oldest first.
func (t *View) Messages() []history.Message { return t.model.messages() }

// Len is the number of rows: the messages and a day separator before the
// first message of each day.
func (t *View) Len() int { return len(t.model.rows) }

// viewLayout fills the box with the list and re-binds the rows on
// screen when the width changes (wrapped heights depend on it).
type viewLayout struct{ t *View }

func (l *viewLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
	if size.Width != l.t.width {
		l.t.width = size.Width
		list := l.t.list
		l.t.do(func() {
			if list == l.t.list {
				list.Refresh()
				l.t.scheduleFlush()
			}
		})
	}
}

func (l *viewLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	return fyne.NewSize(100, 100)
}

// rowWidget draws one row: a day separator, or a message with
// its header (sender, time, tag, delivery state), subject, body and error.
type rowWidget struct {
	widget.BaseWidget
	t     *View
	row   *row
	ver   uint32
	names uint32

	mark    *canvas.Rectangle // the tint of a message that mentions us
	day     *widget.RichText
	header  *widget.RichText
	state   *widget.RichText
	subject *widget.RichText
	quote   *widget.RichText // what a reply answers (XEP-0461)
	reacts  *widget.RichText // the reactions to it (XEP-0444)
	body    *widget.RichText
	note    *widget.RichText
}

func newRowWidget(t *View) *rowWidget {
	v := &rowWidget{t: t}
	v.day = widget.NewRichText(&widget.TextSegment{Text: "Today",
		Style: widget.RichTextStyle{Alignment: fyne.TextAlignCenter, ColorName: theme.ColorNamePlaceHolder, TextStyle: fyne.TextStyle{Bold: true}}})
	v.header = widget.NewRichText(&widget.TextSegment{Text: "Me", Style: Strong})
	v.state = widget.NewRichText(&widget.TextSegment{Text: "", Style: Subtle})
	v.subject = widget.NewRichText()
	v.subject.Wrapping = fyne.TextWrapWord
	v.quote = widget.NewRichText()
	v.quote.Truncation = fyne.TextTruncateEllipsis
	v.quote.Hide()
	v.reacts = widget.NewRichText()
	v.reacts.Wrapping = fyne.TextWrapWord
	v.reacts.Hide()
	v.body = widget.NewRichText(&widget.TextSegment{Text: "M", Style: widget.RichTextStyleInline})
	v.body.Wrapping = fyne.TextWrapWord
	v.note = widget.NewRichText()
	v.note.Wrapping = fyne.TextWrapWord
	v.mark = canvas.NewRectangle(color.Transparent)
	v.mark.CornerRadius = theme.InputRadiusSize()
	v.mark.Hide()
	v.day.Hide()
	v.subject.Hide()
	v.note.Hide()
	v.ExtendBaseWidget(v)
	return v
}

// The inline styles of a message's header, also used by the chat
// window's own header: Strong for a name, Subtle for what goes with it.
var (
	Strong = widget.RichTextStyle{Inline: true, TextStyle: fyne.TextStyle{Bold: true}}
	Subtle = widget.RichTextStyle{Inline: true, ColorName: theme.ColorNamePlaceHolder}
)

var (
	styleError = widget.RichTextStyle{Inline: true, ColorName: theme.ColorNameError}
	styleTag   = widget.RichTextStyle{Inline: true, ColorName: theme.ColorNamePrimary, TextStyle: fyne.TextStyle{Bold: true}}
)

// bind shows r (no-op when r is already shown as it is).
func (v *rowWidget) bind(r *row) {
	names := uint32(0)
	if v.t != nil {
		names = v.t.names
	}
	if v.row == r && v.ver == r.ver && v.names == names {
		return
	}
	v.row, v.ver, v.names = r, r.ver, names
	if r.kind == rowDay {
		now := time.Now()
		if v.t != nil {
			now = v.t.now()
		}
		v.day.Segments[0].(*widget.TextSegment).Text = dayLabel(r.day, now)
		v.day.Refresh()
		v.day.Show()
		v.mark.Hide()
		v.header.Hide()
		v.state.Hide()
		v.subject.Hide()
		v.quote.Hide()
		v.reacts.Hide()
		v.body.Hide()
		v.note.Hide()
		v.Refresh()
		return
	}
	m := r.msg
	v.day.Hide()
	name := m.Peer
	if v.t != nil && v.t.sender != nil {
		name = v.t.sender(m)
	}
	nameStyle := Strong
	if v.t != nil && v.t.NameColor != nil {
		nameStyle.ColorName = v.t.NameColor(m)
	}
	if v.t != nil && v.t.mark != 0 && m.ID == v.t.mark {
		v.mark.FillColor = theme.Color(theme.ColorNameSelection)
		v.mark.Show()
	} else if v.t != nil && v.t.Mentions != nil && v.t.Mentions(m) {
		p := theme.Color(theme.ColorNamePrimary)
		r, g, b, _ := p.RGBA()
		v.mark.FillColor = color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: 0x30}
		v.mark.Show()
	} else {
		v.mark.Hide()
	}
	head := []widget.RichTextSegment{
		&widget.TextSegment{Text: name, Style: nameStyle},
		&widget.TextSegment{Text: "  " + m.Sent.Local().Format("15:04"), Style: Subtle},
	}
	switch {
	case m.Type == "headline":
		head = append(head, &widget.TextSegment{Text: "  " + lang.L("Headline"), Style: styleTag})
	case m.Type == "error":
		head = append(head, &widget.TextSegment{Text: "  " + lang.L("Error"), Style: styleError})
	}
	if m.Corrected {
		if v.t != nil && v.t.ShowEdits != nil {
			show := v.t.ShowEdits
			head = append(head, &widget.TextSegment{Text: "  ", Style: Subtle},
				&widget.HyperlinkSegment{Text: lang.L("✎ corrected"), OnTapped: func() { show(m) }})
		} else {
			head = append(head, &widget.TextSegment{Text: "  " + lang.L("✎ corrected"), Style: Subtle})
		}
	}
	switch m.Encryption {
	case history.NotEncrypted:
	case history.OMEMOUntrusted:
		head = append(head, &widget.TextSegment{Text: "  " + lang.L("🔒 ⚠ encrypted by a device you have not trusted"), Style: Subtle})
	default:
		head = append(head, &widget.TextSegment{Text: "  " + lang.L("🔒 encrypted"), Style: Subtle})
	}
	v.header.Segments = head
	v.header.Refresh()
	// A message that continues the one before (same sender, minutes
	// apart) goes under its header, unless it has something of its own
	// to say there.
	if r.cont && !m.Corrected && m.Type != "headline" && m.Type != "error" && m.Encryption != history.OMEMOUntrusted {
		v.header.Hide()
	} else {
		v.header.Show()
	}

	stateText, failed := deliveryText(m)
	if stateText != "" && !failed {
		v.state.Segments = []widget.RichTextSegment{&widget.TextSegment{Text: stateText, Style: Subtle}}
		v.state.Refresh()
		v.state.Show()
	} else {
		v.state.Hide()
	}

	if m.Subject != "" && m.Type != "chat" {
		v.subject.Segments = []widget.RichTextSegment{&widget.TextSegment{Text: m.Subject,
			Style: widget.RichTextStyle{TextStyle: fyne.TextStyle{Bold: true}}}}
		v.subject.Refresh()
		v.subject.Show()
	} else {
		v.subject.Hide()
	}

	if m.ReplyID != "" && v.t != nil && !m.Retracted {
		v.quote.Segments = v.t.quoteSegments(m)
		v.quote.Refresh()
		v.quote.Show()
	} else {
		v.quote.Hide()
	}

	bodyStyle := widget.RichTextStyle{}
	switch m.Type {
	case "headline":
		bodyStyle.TextStyle.Italic = true
	case "error":
		bodyStyle.ColorName = theme.ColorNameError
	}
	if m.Retracted {
		text := lang.L("Message deleted")
		switch {
		case m.Moderated:
			text = lang.L("Deleted by a moderator")
		case m.Direction == history.Out:
			text = lang.L("You deleted this message")
		}
		v.body.Segments = []widget.RichTextSegment{&widget.TextSegment{Text: "🗑 " + text,
			Style: widget.RichTextStyle{Inline: true, ColorName: theme.ColorNamePlaceHolder, TextStyle: fyne.TextStyle{Italic: true}}}}
		v.body.Refresh()
		v.body.Show()
	} else if m.Undecrypted != "" {
		v.body.Segments = []widget.RichTextSegment{&widget.TextSegment{Text: "🔒 " + Undecrypted(m.Undecrypted),
			Style: widget.RichTextStyle{Inline: true, ColorName: theme.ColorNameError, TextStyle: fyne.TextStyle{Italic: true}}}}
		v.body.Refresh()
		v.body.Show()
	} else if m.Body != "" || m.Rich != "" {
		var env Env
		if v.t != nil {
			env = v.t.Env
		}
		file := IsFile(m)
		if file && strings.HasPrefix(m.OOB, "https://") && v.t != nil && v.t.AutoPicture != nil && v.t.AutoPicture(m) {
			env.auto = m.OOB
		}
		if file && m.File != "" {
			env.local, env.own = m.File, m.Direction == history.Out
		}
		if IsAction(m) && m.Rich == "" {
			// "/me waves" from Alice: "* Alice waves" (XEP-0245).
			bodyStyle.TextStyle.Italic = true
			v.body.Segments = []widget.RichTextSegment{&widget.TextSegment{Text: "* " + name + " ", Style: widget.RichTextStyle{Inline: true, TextStyle: fyne.TextStyle{Italic: true, Bold: true}}}}
			v.body.Segments = append(v.body.Segments, Segments(core.MessageDoc(history.Message{Body: strings.TrimPrefix(m.Body, "/me ")}), bodyStyle, env)...)
		} else {
			v.body.Segments = Segments(r.doc(), bodyStyle, env)
		}
		if file && env.Files != nil {
			v.body.Segments = append(v.body.Segments, fileLine(m, env.Files)...)
		}
		v.body.Refresh()
		v.body.Show()
	} else {
		v.body.Hide()
	}

	if segs := v.t.reactionSegments(m); len(segs) > 0 && !m.Retracted {
		v.reacts.Segments = segs
		v.reacts.Refresh()
		v.reacts.Show()
	} else {
		v.reacts.Hide()
	}

	note := ""
	switch {
	case failed:
		note = stateText
	case m.Type == "error":
		note = lang.L("⚠ Error: {{.Reason}}", map[string]any{"Reason": reasonText(m.Error)})
	}
	if note != "" {
		v.note.Segments = []widget.RichTextSegment{&widget.TextSegment{Text: note,
			Style: widget.RichTextStyle{ColorName: theme.ColorNameError}}}
		v.note.Refresh()
		v.note.Show()
	} else {
		v.note.Hide()
	}
	v.Refresh()
}

// heightFor is the height the row needs at width w, in whole units: the
// List adds row heights up in float32, and with fractional heights the
// sum drifts far enough over 100,000 rows that the rows at the bottom
// are never found visible. Whole numbers add up exactly (to 2^24).
func (v *rowWidget) heightFor(w float32) float32 {
	return float32(math.Ceil(float64(v.stack(w, false))))
}

// stack lays the parts out top to bottom at width w (when apply) and
// returns the height. RichTexts pad themselves; consecutive parts share
// that padding instead of doubling it.
func (v *rowWidget) stack(w float32, apply bool) float32 {
	if v.day.Visible() {
		h := v.day.MinSize().Height
		if apply {
			v.day.Move(fyne.NewPos(0, 0))
			v.day.Resize(fyne.NewSize(w, h))
		}
		return h
	}
	overlap := theme.InnerPadding()
	y := float32(0)
	if apply && v.mark.Visible() {
		defer func() {
			v.mark.Move(fyne.NewPos(0, 0))
			v.mark.Resize(fyne.NewSize(w, y))
		}()
	}
	// header line: text at the left, delivery state at the right
	hh := float32(0)
	if v.header.Visible() {
		hh = v.header.MinSize().Height
	}
	sw := float32(0)
	if v.state.Visible() {
		ss := v.state.MinSize()
		sw = ss.Width
		if ss.Height > hh && v.header.Visible() {
			hh = ss.Height
		}
		if apply {
			v.state.Move(fyne.NewPos(w-sw, 0))
			v.state.Resize(fyne.NewSize(sw, ss.Height))
		}
	}
	if apply && v.header.Visible() {
		v.header.Move(fyne.NewPos(0, 0))
		v.header.Resize(fyne.NewSize(w-sw, hh))
	}
	y += hh
	// Without a header (a message continuing the one before), the
	// delivery state sits at the right of the text, which leaves it room.
	pw, first := w, true
	if !v.header.Visible() {
		pw = w - sw
	}
	for _, o := range []*widget.RichText{v.subject, v.quote, v.body, v.reacts, v.note} {
		if !o.Visible() {
			continue
		}
		if o.Size().Width != pw {
			o.Resize(fyne.NewSize(pw, o.Size().Height))
		}
		h := o.MinSize().Height
		if !first || v.header.Visible() {
			y -= overlap
		}
		first = false
		if apply {
			o.Move(fyne.NewPos(0, y))
			o.Resize(fyne.NewSize(pw, h))
		}
		y += h
	}
	return y
}

// quoteLen bounds the quotation shown above a reply: one line.
const quoteLen = 120

// quoteSegments is the line above a reply: who said what it answers, and
// the start of it, from the message itself when it is shown, else from
// the quotation the reply carried; a tap goes there.
func (t *View) quoteSegments(m history.Message) []widget.RichTextSegment {
	text, who := m.ReplyQuote, ""
	var shown *history.Message
	if r := t.model.referenced(m.ReplyID); r != nil {
		shown = &r.msg
		text = core.MessageDoc(r.msg).PlainText()
		if r.msg.Retracted {
			text = lang.L("Message deleted")
		}
		if t.sender != nil {
			who = t.sender(r.msg)
		}
	}
	text = strings.Join(strings.Fields(text), " ")
	if r := []rune(text); len(r) > quoteLen {
		text = string(r[:quoteLen]) + "…"
	}
	if text == "" {
		text = lang.L("an earlier message")
	}
	if who != "" {
		text = lang.L("{{.Name}}: {{.Text}}", map[string]any{"Name": who, "Text": text})
	}
	segs := []widget.RichTextSegment{&widget.TextSegment{Text: "↱ ", Style: styleTag}}
	if t.OpenReplied == nil {
		return append(segs, &widget.TextSegment{Text: text, Style: Subtle})
	}
	open := t.OpenReplied
	return append(segs, &widget.HyperlinkSegment{Text: text, OnTapped: func() { open(m, shown) }})
}

// maxReactors is how many names a reaction lists before counting the
// rest.
const maxReactors = 3

// reactionSegments is the line under a message: each emoji with how many
// reacted with it (a tap adds or takes back ours) and who.
func (t *View) reactionSegments(m history.Message) []widget.RichTextSegment {
	if t == nil {
		return nil
	}
	rs := t.model.reactionsOf(m)
	if len(rs) == 0 {
		return nil
	}
	type group struct {
		emoji string
		who   []string
		mine  bool
	}
	var groups []*group
	for _, r := range rs {
		for _, e := range r.Emojis {
			i := slices.IndexFunc(groups, func(g *group) bool { return g.emoji == e })
			if i < 0 {
				groups = append(groups, &group{emoji: e})
				i = len(groups) - 1
			}
			g := groups[i]
			name := r.Sender
			if t.Reactor != nil {
				name = t.Reactor(r.Sender)
			}
			g.who = append(g.who, name)
			g.mine = g.mine || t.Mine != nil && t.Mine(r.Sender)
		}
	}
	var segs []widget.RichTextSegment
	for i, g := range groups {
		if i > 0 {
			segs = append(segs, &widget.TextSegment{Text: "   ", Style: widget.RichTextStyleInline})
		}
		label := fmt.Sprintf("%s %d", g.emoji, len(g.who))
		if g.mine {
			label += " ✓"
		}
		if t.Toggle != nil {
			toggle, emoji := t.Toggle, g.emoji
			segs = append(segs, &widget.HyperlinkSegment{Text: label, OnTapped: func() { toggle(m, emoji) }})
		} else {
			segs = append(segs, &widget.TextSegment{Text: label, Style: styleTag})
		}
		who := g.who
		more := ""
		if len(who) > maxReactors {
			more = " " + lang.L("and {{.Count}} more", map[string]any{"Count": len(who) - maxReactors})
			who = who[:maxReactors]
		}
		segs = append(segs, &widget.TextSegment{Text: " " + strings.Join(who, ", ") + more, Style: Subtle})
	}
	return segs
}

// SetReactions shows the reactions read from the history, by the id they
// name a message by (history.Store.Reactions), in place of those shown.
func (t *View) SetReactions(by map[string][]history.Reaction) {
	for target, rs := range by {
		for _, r := range rs {
			if row := t.model.setReactions(target, r.Sender, r.Emojis, r.At); row != nil {
				t.list.RefreshItem(row.idx)
			}
		}
	}
}

// React shows sender's reactions to the message named target (all of
// them: none takes theirs back).
func (t *View) React(target, sender string, emojis []string, at time.Time) {
	if r := t.model.setReactions(target, sender, emojis, at); r != nil {
		t.list.RefreshItem(r.idx)
	}
}

// Reactions are the reactions shown under message m.
func (t *View) Reactions(m history.Message) []history.Reaction { return t.model.reactionsOf(m) }

// TappedSecondary shows the message's menu.
func (v *rowWidget) TappedSecondary(e *fyne.PointEvent) {
	if v.t == nil || v.t.Menu == nil || v.row == nil || v.row.kind != rowMsg {
		return
	}
	v.t.Menu(v.row.msg, e.AbsolutePosition)
}

func (v *rowWidget) CreateRenderer() fyne.WidgetRenderer {
	return &rowRenderer{v: v}
}

type rowRenderer struct{ v *rowWidget }

func (r *rowRenderer) Layout(size fyne.Size) { r.v.stack(size.Width, true) }

func (r *rowRenderer) MinSize() fyne.Size {
	w := r.v.Size().Width
	if w <= 0 {
		w = 400
	}
	return fyne.NewSize(50, r.v.heightFor(w))
}

func (r *rowRenderer) Refresh() { r.Layout(r.v.Size()) }

func (r *rowRenderer) Objects() []fyne.CanvasObject {
	v := r.v
	return []fyne.CanvasObject{v.mark, v.day, v.header, v.state, v.subject, v.quote, v.body, v.reacts, v.note}
}

func (r *rowRenderer) Destroy() {}

// Undecrypted says, in words, that a message came encrypted and could
// not be read, and why (reason: history.Message's Undecrypted, one of
// core/omemo's Reason codes).
func Undecrypted(reason string) string {
	switch reason {
	case omemo.ReasonNotForDevice:
		return lang.L("This encrypted message could not be read: it was not encrypted for this device.")
	case omemo.ReasonNoSession:
		return lang.L("This encrypted message could not be read: there is no encryption session with the sender's device yet.")
	case omemo.ReasonNoKeys:
		return lang.L("This encrypted message could not be read: this device's encryption keys could not be read from the system's keyring.")
	case omemo.ReasonIdentityChanged:
		return lang.L("This encrypted message was refused: it came from a known device of the sender with another identity key, as if someone else spoke for that device.")
	}
	return lang.L("This encrypted message could not be read: it does not decrypt (altered on the way, or a broken session).")
}
