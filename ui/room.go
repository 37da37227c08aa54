package ui

import (
	"context"
	"crypto/sha1"
	"errors"
	"image/color"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/muc"
	"github.com/causerie/causerie/core/safetext"
	"github.com/causerie/causerie/ui/roster"
	"github.com/causerie/causerie/ui/transcript"
	"github.com/causerie/causerie/ui/widgets"
)

// Group chats (XEP-0045) in the chat window. A room's tab is a
// chatConversation with a roomPart: the room's name and subject in the
// header, who is there in a panel at the right (a virtualised list,
// grouped by role), what the user may do in a menu (invite, nick,
// subject, information, bookmark, leave) and on each occupant (mention,
// and for moderators and admins: voice, kick, ban, membership), and a
// bar that says when we are not in the room, and why, with Join.

// roomNotify is how much of a room notifies (a per-room preference).
type roomNotify string

const (
	notifyAll      roomNotify = "all"
	notifyMentions roomNotify = "mentions" // the default
	notifyNone     roomNotify = "none"
)

func roomNotifyKey(k ChatKey) string { return "room.notify|" + k.Account + "|" + k.JID }

// RoomNotify is what of room k's messages notifies.
func (a *App) RoomNotify(k ChatKey) roomNotify {
	switch v := roomNotify(a.FyneApp.Preferences().String(roomNotifyKey(k))); v {
	case notifyAll, notifyNone:
		return v
	}
	return notifyMentions
}

// SetRoomNotify sets what of room k's messages notifies.
func (a *App) SetRoomNotify(k ChatKey, v roomNotify) {
	a.FyneApp.Preferences().SetString(roomNotifyKey(k), string(v))
}

// roomPart is what a group chat's tab has that a one-to-one chat has not.
type roomPart struct {
	c     *chatConversation
	rooms *muc.Rooms

	joined, joining bool
	nick, subject   string
	occupants       map[string]muc.Occupant
	rows            []occupantItem // the panel's rows, in order
	occupantsQueued bool           // occupantsChanged is to run

	list   *widget.List
	side   *fyne.Container // the occupant panel
	count  *widget.Label
	people *widget.Button    // shows or hides the panel
	bar    statusBar         // not in the room: why, and Join
	info   *widget.Label     // what the room said of itself as we came in
	config *roomConfigDialog // the open settings, nil when none
	// configuring: the settings are being read or shown (one dialog
	// at a time, even when Joined reaches the tab twice).
	configuring bool
	members     *membersDialog // the open affiliation lists, nil when none

	// private is the occupant the composer writes to alone (XEP-0045
	// §7.5), "" when it writes to the room; privateBar says so.
	private      string
	privateBar   *fyne.Container
	privateLabel *widget.Label
}

// occupantItem is a row of the occupant panel: a role's heading, or an
// occupant.
type occupantItem struct {
	heading string
	occ     muc.Occupant
}

// isRoom reports whether jid on s is one of the account's group chats.
func isRoom(s *core.Session, jid string) bool {
	r := muc.Of(s)
	return r != nil && r.IsRoom(jid)
}

func newRoomPart(c *chatConversation) *roomPart {
	p := &roomPart{c: c, rooms: muc.Of(c.session), occupants: map[string]muc.Occupant{}}
	p.count = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.list = widget.NewList(func() int { return len(p.rows) },
		func() fyne.CanvasObject { return newOccupantRow(p) },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= 0 && id < len(p.rows) {
				o.(*occupantRow).set(p.rows[id])
			}
		})
	p.list.HideSeparators = true
	p.side = container.New(&minWidthLayout{w: 190}, container.NewBorder(p.count, nil, nil, nil, p.list))
	p.people = widget.NewButtonWithIcon("", theme.AccountIcon(), func() {
		widgets.SetVisible(p.side, !p.side.Visible())
		c.content.Refresh()
	})
	p.people.Importance = widget.LowImportance
	p.info = widget.NewLabel("")
	p.info.Importance = widget.LowImportance
	p.info.Wrapping = fyne.TextWrapWord
	p.info.Hide()
	p.privateLabel = widget.NewLabel("")
	p.privateLabel.Importance = widget.WarningImportance
	p.privateLabel.Wrapping = fyne.TextWrapWord
	end := widget.NewButtonWithIcon("", theme.CancelIcon(), p.endPrivate)
	end.Importance = widget.LowImportance
	p.privateBar = container.NewBorder(nil, nil, nil, end, p.privateLabel)
	p.privateBar.Hide()
	p.bar = newStatusBar(p.join)
	p.bar.retry.SetText(lang.L("Join"))
	if p.rooms != nil {
		p.nick = p.rooms.Nick(c.key.JID)
		p.joined = p.rooms.In(c.key.JID)
		p.joining = !p.joined && p.nick != ""
		for _, o := range p.rooms.Occupants(c.key.JID) {
			p.occupants[o.Nick] = o
		}
		p.subject = p.rooms.Subject(c.key.JID)
	}
	p.occupantsChanged()
	return p
}

// header is the room's part of the tab's top: buttons at the right of
// the title.
func (p *roomPart) buttons() fyne.CanvasObject {
	menu := widget.NewButtonWithIcon("", theme.MoreVerticalIcon(), nil)
	menu.Importance = widget.LowImportance
	menu.OnTapped = func() {
		cv := p.c.win.win.Canvas()
		pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(menu)
		widget.ShowPopUpMenuAtPosition(p.menu(), cv, pos.Add(fyne.NewPos(0, menu.Size().Height)))
	}
	return container.NewHBox(p.people, menu)
}

// menu is the room's menu.
func (p *roomPart) menu() *fyne.Menu {
	in := p.joined
	item := func(label string, enabled bool, f func()) *fyne.MenuItem {
		it := fyne.NewMenuItem(label, f)
		it.Disabled = !enabled
		return it
	}
	bookmarked := false
	if p.rooms != nil {
		_, bookmarked = p.rooms.Bookmark(p.c.key.JID)
	}
	items := []*fyne.MenuItem{
		item(lang.L("Invite someone…"), in, p.askInvite),
		item(lang.L("Change nickname…"), in, p.askNick),
		item(lang.L("Change subject…"), in, p.askSubject),
		item(lang.L("Room information"), true, p.showInfo),
		p.notifyMenu(),
	}
	if me, ok := p.me(); ok && (me.Affiliation == muc.AffOwner || me.Affiliation == muc.AffAdmin) {
		items = append(items, item(lang.L("Members…"), true, p.showMembers))
	}
	if me, ok := p.me(); ok && me.Affiliation == muc.AffOwner {
		items = append(items,
			item(lang.L("Room settings…"), true, p.configure),
			item(lang.L("Close the room for good…"), true, p.askDestroy))
	}
	items = append(items, fyne.NewMenuItemSeparator())
	if bookmarked {
		items = append(items, item(lang.L("Edit bookmark…"), true, p.editBookmark), item(lang.L("Remove bookmark"), true, p.removeBookmark))
	} else {
		items = append(items, item(lang.L("Bookmark this room…"), true, p.editBookmark))
	}
	items = append(items, fyne.NewMenuItemSeparator())
	if in || p.joining {
		items = append(items, item(lang.L("Leave room"), true, p.leave))
	} else {
		items = append(items, item(lang.L("Join room"), true, p.join))
	}
	return fyne.NewMenu("", items...)
}

// notifyMenu is "Notifications ▸": what of the room's messages notify,
// the current choice ticked.
func (p *roomPart) notifyMenu() *fyne.MenuItem {
	a, k := p.c.win.app, p.c.key
	now := a.RoomNotify(k)
	choice := func(label string, v roomNotify) *fyne.MenuItem {
		it := fyne.NewMenuItem(label, func() { a.SetRoomNotify(k, v) })
		it.Checked = now == v
		return it
	}
	it := fyne.NewMenuItem(lang.L("Notifications"), nil)
	it.ChildMenu = fyne.NewMenu("",
		choice(lang.L("All messages"), notifyAll),
		choice(lang.L("Only when I am mentioned"), notifyMentions),
		choice(lang.L("Never"), notifyNone))
	return it
}

// name is the room's name (roomLabel).
func (p *roomPart) name() string { return roomLabel(p.c.session, p.c.key.JID) }

// roomLabel is a room's name: its bookmark's, else its address's local
// part (s may be nil).
func roomLabel(s *core.Session, room string) string {
	v := roster.RoomView{JID: room}
	if s != nil {
		if r := muc.Of(s); r != nil {
			if b, ok := r.Bookmark(room); ok {
				v.Name = b.Name
			}
		}
	}
	return v.Label()
}

// refreshHeader shows the room's name, address, our state and subject.
func (p *roomPart) refreshHeader() {
	c := p.c
	address := transcript.Subtle
	address.Inline = p.subject == "" // the subject goes on a line of its own
	segs := []widget.RichTextSegment{
		&widget.TextSegment{Text: safetext.Isolate(p.name()), Style: transcript.Strong},
		&widget.TextSegment{Text: "  " + safetext.Isolate(c.key.JID), Style: address},
	}
	if p.subject != "" {
		segs = append(segs, &widget.TextSegment{Text: safetext.Isolate(shortLine(p.subject)), Style: widget.RichTextStyleParagraph})
	}
	c.header.Segments = segs
	c.header.Refresh()
	show := core.ShowOffline
	if p.joined {
		show = core.ShowAvailable
	}
	c.dot.FillColor = chatShowColor(show)
	c.dot.Refresh()
	st, _ := c.session.State()
	switch {
	case p.joined:
		p.bar.box.Hide()
	case st != core.StateOnline:
		p.showBar(lang.L("You are offline: the room is entered again when you are connected."), false)
	case p.joining:
		p.showBar(lang.L("Joining the room…"), false)
		p.bar.progress.Start()
		p.bar.progress.Show()
	default:
		if !p.bar.box.Visible() {
			p.showBar(lang.L("You are not in this room."), true)
		}
	}
	c.updateTitle()
}

// oneLine is s with its line breaks and runs of spaces made single
// spaces (a subject in a header).
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// shortLineMax bounds what a room or a stranger says in one line of the
// window (a subject, a reason): the rest is cut, with "…".
const shortLineMax = 300

// shortLine is oneLine of the first shortLineMax runes of s.
func shortLine(s string) string {
	if utf8.RuneCountInString(s) > shortLineMax {
		s = string([]rune(s)[:shortLineMax]) + "…"
	}
	return oneLine(s)
}

// showBar shows the room's bar with text, and Join when join.
func (p *roomPart) showBar(text string, join bool) {
	p.bar.progress.Stop()
	p.bar.progress.Hide()
	p.bar.label.SetText(text)
	widgets.SetVisible(p.bar.retry, join)
	p.bar.box.Show()
	if p.c.content != nil {
		p.c.content.Refresh()
	}
}

// join enters the room again (the Join button), with the nick we had or
// the default one.
func (p *roomPart) join() {
	if p.rooms == nil {
		return
	}
	p.joining = true
	p.refreshHeader()
	p.nick = enterRoom(p.c.win.app, p.c.session, p.c.key.JID, p.nick, func(err error) {
		p.joining = false
		p.showBar(roomProblem(err), true)
	})
}

// enterRoom joins room on s (off the UI goroutine: it writes to the
// network) as nick, else as its bookmark's nick, else the default one,
// with the bookmark's password or the one we had; failed runs on the UI
// goroutine if the join could not be sent. It returns the nick used.
func enterRoom(a *App, s *core.Session, room, nick string, failed func(error)) string {
	r := muc.Of(s)
	if r == nil {
		return nick
	}
	password := r.Password(room)
	b, bookmarked := r.Bookmark(room)
	if bookmarked && b.Password != "" {
		password = b.Password
	}
	if nick == "" && bookmarked {
		nick = b.Nick
	}
	if nick == "" {
		nick = defaultNick(s)
	}
	a.background(func() error { return r.Join(room, nick, password) }, func(err error) {
		if err != nil {
			failed(err)
		}
	})
	return nick
}

// leave leaves the room; the tab stays, with Join.
func (p *roomPart) leave() {
	if p.rooms == nil {
		return
	}
	rooms, room := p.rooms, p.c.key.JID
	p.c.win.app.background(func() error { return rooms.Leave(room) }, func(error) {})
	p.joined, p.joining = false, false
	clear(p.occupants)
	p.occupantsChanged()
	p.showBar(lang.L("You left this room."), true)
	p.refreshHeader()
}

// defaultNick is the nick offered for a new room: the account's display
// name, else its address's local part.
func defaultNick(s *core.Session) string {
	acct := s.Account()
	if n := strings.TrimSpace(acct.DisplayName); n != "" {
		return n
	}
	local, _, _ := strings.Cut(acct.JID, "@")
	return local
}

// handle takes the room's events.
func (p *roomPart) handle(e core.Event) {
	switch e := e.(type) {
	case muc.Joined:
		if e.Locked {
			p.configureNew() // no one else may enter until it is set up
		}
		p.joined, p.joining, p.nick = true, false, e.Nick
		p.info.SetText(joinedText(e))
		widgets.SetVisible(p.info, p.info.Text != "")
		clear(p.occupants)
		for _, o := range e.Occupants {
			p.occupants[o.Nick] = o
		}
		p.occupantsChanged()
		p.c.trans.NamesChanged() // mentions of the (new) nick
	case muc.JoinFailed:
		p.joining = false
		p.showBar(lang.L("Could not join the room: {{.Reason}}", map[string]any{"Reason": roomProblem(e.Err)}), true)
		if errors.Is(e.Err, muc.ErrNickInUse) {
			p.askNickToJoin(e.Nick)
		}
	case muc.Left:
		p.joined, p.joining = false, e.Reason == "offline"
		p.endPrivate()
		clear(p.occupants)
		p.occupantsChanged()
		if e.Reason != "offline" && e.Reason != "" {
			p.showBar(leftText(e), true)
		}
	case muc.OccupantChanged:
		if e.OldNick != "" {
			delete(p.occupants, e.OldNick)
			if p.private == e.OldNick {
				p.startPrivate(e.Occupant.Nick) // they took another nick
			}
		}
		if e.Gone && p.private == e.Occupant.Nick {
			p.endPrivate()
			p.c.showNotice(lang.L("{{.Nick}} left the room: what you write goes to everyone again.", map[string]any{"Nick": safetext.Isolate(e.Occupant.Nick)}))
		}
		if e.Gone {
			delete(p.occupants, e.Occupant.Nick)
		} else {
			p.occupants[e.Occupant.Nick] = e.Occupant
		}
		if p.rooms != nil {
			if n := p.rooms.Nick(p.c.key.JID); n != p.nick {
				p.nick = n
				p.c.trans.NamesChanged()
			}
		}
		// A busy room's comings and goings: the panel is redone once
		// for those that came together.
		if !p.occupantsQueued {
			p.occupantsQueued = true
			p.c.win.app.do(func() {
				p.occupantsQueued = false
				p.occupantsChanged()
			})
		}
		return
	case muc.SubjectChanged:
		p.subject = e.Subject
		if len(p.subject) > 4*shortLineMax {
			p.subject = shortLine(p.subject) // what is shown of it, no more
		}
	case muc.NickRefused:
		p.c.showNotice(lang.L("Your nickname was not changed: {{.Reason}}", map[string]any{"Reason": roomProblem(e.Err)}))
	case muc.InviteFailed:
		p.c.showNotice(lang.L("Not invited: {{.Reason}}", map[string]any{"Reason": roomProblem(e.Err)}))
	case muc.Declined:
		text := lang.L("Your invitation was declined.")
		if e.From != "" {
			text = lang.L("{{.Name}} declined your invitation.", map[string]any{"Name": p.c.win.app.contactName(p.c.key.Account, e.From)})
		}
		if r := strings.TrimSpace(e.Reason); r != "" {
			text += " " + lang.L("Reason: {{.Reason}}", map[string]any{"Reason": "“" + safetext.Isolate(shortLine(r)) + "”"})
		}
		p.c.showNotice(text)
	}
	p.refreshHeader()
}

// joinedText says what the room's status codes told us as we came in
// (XEP-0045 §7.2.2–7.2.13).
func joinedText(e muc.Joined) string {
	var parts []string
	for _, code := range e.Codes {
		switch code {
		case muc.StatusCreated:
			parts = append(parts, lang.L("You created this room."))
		case muc.StatusNonAnonymous:
			parts = append(parts, lang.L("Everyone in this room can see your address."))
		case muc.StatusLogging:
			parts = append(parts, lang.L("This room keeps a record of what is said."))
		case muc.StatusNickAssigned:
			parts = append(parts, lang.L("The room named you {{.Nick}}.", map[string]any{"Nick": safetext.Isolate(e.Nick)}))
		}
	}
	return strings.Join(parts, " ")
}

// leftText says why the room removed us.
func leftText(e muc.Left) string {
	var text string
	by := safetext.Isolate(e.Actor)
	switch e.Reason {
	case "kicked":
		text = lang.L("You were removed from the room.")
		if e.Actor != "" {
			text = lang.L("{{.Name}} removed you from the room.", map[string]any{"Name": by})
		}
	case "banned":
		text = lang.L("You were banned from the room.")
		if e.Actor != "" {
			text = lang.L("{{.Name}} banned you from the room.", map[string]any{"Name": by})
		}
	case "destroyed":
		text = lang.L("The room was closed by its owner.")
		if e.Alternate != "" {
			text += " " + lang.L("It moved to {{.Room}}.", map[string]any{"Room": safetext.Isolate(e.Alternate)})
		}
	case "affiliation", "members-only":
		text = lang.L("You are no longer a member of this room.")
	case "shutdown":
		text = lang.L("The group chat service shut down.")
	default:
		text = lang.L("The room removed you after an error.")
	}
	if t := strings.TrimSpace(e.Text); t != "" {
		text += " " + lang.L("Reason: {{.Reason}}", map[string]any{"Reason": "“" + safetext.Isolate(shortLine(t)) + "”"})
	}
	return text
}

// roomProblem says in words why a room action failed.
func roomProblem(err error) string {
	switch {
	case errors.Is(err, muc.ErrPasswordRequired):
		return lang.L("The room needs a password, or the password was wrong.")
	case errors.Is(err, muc.ErrMembersOnly):
		return lang.L("The room is for its members only.")
	case errors.Is(err, muc.ErrBanned):
		return lang.L("You are banned from this room.")
	case errors.Is(err, muc.ErrNickInUse):
		return lang.L("Someone in the room already has this nickname.")
	case errors.Is(err, muc.ErrRoomFull):
		return lang.L("The room is full.")
	case errors.Is(err, muc.ErrRoomLocked):
		return lang.L("There is no such room.")
	case errors.Is(err, muc.ErrCreateForbidden):
		return lang.L("There is no such room, and you may not create it.")
	case errors.Is(err, muc.ErrRoomUnreachable):
		return lang.L("The room's server cannot be reached.")
	case errors.Is(err, muc.ErrNotInRoom):
		return lang.L("You are not in this room.")
	case errors.Is(err, muc.ErrNotRoomAddress):
		return lang.L("This is not a room's address. A room's address looks like room@conference.example.org.")
	case errors.Is(err, muc.ErrNoNick):
		return lang.L("Choose a nickname.")
	case errors.Is(err, muc.ErrNoOccupant):
		return lang.L("No one in the room has this nickname now.")
	case errors.Is(err, muc.ErrNoService):
		return lang.L("Your server has no group chat service. Type the address of a room on another server.")
	case errors.Is(err, muc.ErrNotAllowed):
		return lang.L("You are not allowed to do that in this room.")
	case errors.Is(err, muc.ErrNoModeration):
		return lang.L("This room does not let its moderators delete messages.")
	case errors.Is(err, muc.ErrNoSuchRoom):
		return lang.L("There is no such room.")
	case errors.Is(err, muc.ErrUnsupported):
		return lang.L("The room does not offer this.")
	}
	return Explain(err)
}

// occupantsChanged rebuilds the panel's rows: moderators, then
// participants, then visitors, each by nick.
func (p *roomPart) occupantsChanged() {
	groups := []struct {
		role, title string
	}{
		{muc.RoleModerator, lang.L("Moderators")},
		{muc.RoleParticipant, lang.L("Participants")},
		{muc.RoleVisitor, lang.L("Visitors")},
	}
	type keyed struct {
		key string // the nick in lower case, computed once
		o   muc.Occupant
	}
	byRole := map[string][]keyed{}
	for _, o := range p.occupants {
		role := o.Role
		if role != muc.RoleModerator && role != muc.RoleVisitor {
			role = muc.RoleParticipant
		}
		byRole[role] = append(byRole[role], keyed{strings.ToLower(o.Nick), o})
	}
	p.rows = p.rows[:0]
	for _, g := range groups {
		list := byRole[g.role]
		if len(list) == 0 {
			continue
		}
		slices.SortFunc(list, func(a, b keyed) int {
			if c := strings.Compare(a.key, b.key); c != 0 {
				return c
			}
			return strings.Compare(a.o.Nick, b.o.Nick)
		})
		p.rows = append(p.rows, occupantItem{heading: g.title})
		for _, k := range list {
			p.rows = append(p.rows, occupantItem{occ: k.o})
		}
	}
	p.count.SetText(lang.L("In the room: {{.Count}}", map[string]any{"Count": len(p.occupants)}))
	p.list.Refresh()
}

// me is our own occupant (role and affiliation), if we are in.
func (p *roomPart) me() (muc.Occupant, bool) {
	o, ok := p.occupants[p.nick]
	return o, ok && p.joined
}

// occupantMenu is what the user may do to o.
func (p *roomPart) occupantMenu(o muc.Occupant) *fyne.Menu {
	items := []*fyne.MenuItem{fyne.NewMenuItem(lang.L("Mention"), func() { p.mention(o.Nick) })}
	me, in := p.me()
	if !in || o.Nick == p.nick {
		return fyne.NewMenu("", items...)
	}
	items = append(items, fyne.NewMenuItem(lang.L("Private message"), func() { p.startPrivate(o.Nick) }))
	admin := me.Affiliation == muc.AffAdmin || me.Affiliation == muc.AffOwner
	theirRank := map[string]int{muc.AffOwner: 3, muc.AffAdmin: 2}[o.Affiliation]
	myRank := map[string]int{muc.AffOwner: 3, muc.AffAdmin: 2}[me.Affiliation]
	if me.Role == muc.RoleModerator && o.Role != muc.RoleModerator && theirRank == 0 {
		items = append(items, fyne.NewMenuItemSeparator())
		if o.Role == muc.RoleVisitor {
			items = append(items, fyne.NewMenuItem(lang.L("Give voice"), func() { p.setRole(o, muc.RoleParticipant, "") }))
		} else {
			items = append(items, fyne.NewMenuItem(lang.L("Take voice"), func() { p.setRole(o, muc.RoleVisitor, "") }))
		}
		items = append(items, fyne.NewMenuItem(lang.L("Remove from the room…"), func() { p.askKick(o) }))
	}
	if admin && o.JID != "" && myRank > theirRank {
		items = append(items, fyne.NewMenuItemSeparator())
		if o.Affiliation != muc.AffMember {
			items = append(items, fyne.NewMenuItem(lang.L("Make member"), func() { p.setAffiliation(o, muc.AffMember, "") }))
		}
		if me.Affiliation == muc.AffOwner && o.Affiliation != muc.AffAdmin {
			items = append(items, fyne.NewMenuItem(lang.L("Make admin"), func() { p.setAffiliation(o, muc.AffAdmin, "") }))
		}
		items = append(items, fyne.NewMenuItem(lang.L("Ban…"), func() { p.askBan(o) }))
	}
	return fyne.NewMenu("", items...)
}

// mention puts "nick: " in the composer.
func (p *roomPart) mention(nick string) {
	c := p.c
	text := c.composer.Text
	if text != "" && !strings.HasSuffix(text, " ") {
		text += " "
	}
	if text == "" {
		text = nick + ": "
	} else {
		text += nick + " "
	}
	c.composer.SetText(text)
	c.composer.CursorRow = strings.Count(text, "\n")
	c.composer.CursorColumn = len([]rune(text[strings.LastIndexByte(text, '\n')+1:]))
	c.composer.Refresh()
	c.win.win.Canvas().Focus(c.composer)
}

// privateCommand reads "/msg nick text" (as in IRC and Gajim), which
// writes text to the occupant nick alone: the longest nick of those in
// the room that the words after "/msg " start with. ok is false when
// text is not such a command; nick is "" when it is, but names no one
// in the room.
func privateCommand(text string, nicks []string) (nick, body string, ok bool) {
	rest, ok := strings.CutPrefix(text, "/msg ")
	if !ok {
		return "", "", false
	}
	rest = strings.TrimLeft(rest, " ")
	for _, n := range nicks {
		if len(n) > len(nick) && strings.HasPrefix(rest, n+" ") && strings.TrimSpace(rest[len(n):]) != "" {
			nick = n
		}
	}
	if nick == "" {
		return "", "", true
	}
	return nick, strings.TrimSpace(rest[len(nick):]), true
}

// startPrivate makes the composer write to nick alone, until Escape,
// the bar's button, or nick leaving.
func (p *roomPart) startPrivate(nick string) {
	p.private = nick
	p.privateLabel.SetText(lang.L("Private message to {{.Nick}}: only they will see what you write. Escape writes to everyone again.",
		map[string]any{"Nick": safetext.Isolate(nick)}))
	p.privateBar.Show()
	if cv := p.c.win.win.Canvas(); cv != nil {
		cv.Focus(p.c.composer)
	}
}

// endPrivate makes the composer write to the room again.
func (p *roomPart) endPrivate() {
	if p.private == "" {
		return
	}
	p.private = ""
	p.privateBar.Hide()
}

// roomAction runs a room request off the UI goroutine; a failure shows
// in the tab's notice.
func (p *roomPart) roomAction(work func(ctx context.Context) error) {
	p.c.hideNotice()
	p.c.win.app.background(func() error {
		ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
		defer cancel()
		return work(ctx)
	}, func(err error) {
		if err != nil {
			p.c.showNotice(lang.L("Not done: {{.Reason}}", map[string]any{"Reason": roomProblem(err)}))
		}
	})
}

func (p *roomPart) setRole(o muc.Occupant, role, reason string) {
	room := p.c.key.JID
	p.roomAction(func(ctx context.Context) error { return p.rooms.SetRole(ctx, room, o.Nick, role, reason) })
}

func (p *roomPart) setAffiliation(o muc.Occupant, aff, reason string) {
	room := p.c.key.JID
	p.roomAction(func(ctx context.Context) error { return p.rooms.SetAffiliation(ctx, room, o.JID, aff, reason) })
}

// askReason asks for a confirmation with an optional reason.
func (p *roomPart) askReason(title, confirm string, done func(reason string)) {
	reason := widget.NewEntry()
	reason.SetPlaceHolder(lang.L("Reason (optional)"))
	d := dialog.NewCustomConfirm(title, confirm, lang.L("Cancel"), reason, func(ok bool) {
		if ok {
			done(strings.TrimSpace(reason.Text))
		}
	}, p.c.win.win)
	d.Resize(fyne.NewSize(380, 0))
	d.Show()
	p.c.win.win.Canvas().Focus(reason)
}

func (p *roomPart) askKick(o muc.Occupant) {
	p.askReason(lang.L("Remove {{.Name}} from the room?", map[string]any{"Name": safetext.Isolate(o.Nick)}), lang.L("Remove"),
		func(reason string) { p.setRole(o, muc.RoleNone, reason) })
}

func (p *roomPart) askBan(o muc.Occupant) {
	p.askReason(lang.L("Ban {{.Name}} from the room?", map[string]any{"Name": safetext.Isolate(o.Nick)}), lang.L("Ban"),
		func(reason string) { p.setAffiliation(o, muc.AffOutcast, reason) })
}

// askText asks for one line of text.
func (p *roomPart) askText(title, label, initial, confirm string, done func(string)) {
	e := widget.NewEntry()
	e.SetText(initial)
	form := widget.NewForm(widget.NewFormItem(label, e))
	d := dialog.NewCustomConfirm(title, confirm, lang.L("Cancel"), form, func(ok bool) {
		if ok {
			done(strings.TrimSpace(e.Text))
		}
	}, p.c.win.win)
	e.OnSubmitted = func(string) { d.Confirm() }
	d.Resize(fyne.NewSize(400, 0))
	d.Show()
	p.c.win.win.Canvas().Focus(e)
}

func (p *roomPart) askNick() {
	p.askText(lang.L("Change nickname"), lang.L("Nickname"), p.nick, lang.L("Change"), func(nick string) {
		if nick == "" || nick == p.nick {
			return
		}
		rooms, room := p.rooms, p.c.key.JID
		p.c.win.app.background(func() error { return rooms.ChangeNick(room, nick) }, func(err error) {
			if err != nil {
				p.c.showNotice(lang.L("Your nickname was not changed: {{.Reason}}", map[string]any{"Reason": roomProblem(err)}))
			}
		})
	})
}

// askNickToJoin asks for another nick when ours is taken, and joins.
func (p *roomPart) askNickToJoin(taken string) {
	p.askText(lang.L("Nickname in use"), lang.L("Another nickname"), taken+"_", lang.L("Join"), func(nick string) {
		if nick == "" {
			return
		}
		p.nick = nick
		p.join()
	})
}

func (p *roomPart) askSubject() {
	p.askText(lang.L("Change subject"), lang.L("Subject"), p.subject, lang.L("Change"), func(subject string) {
		rooms, room := p.rooms, p.c.key.JID
		p.c.win.app.background(func() error { return rooms.SetSubject(room, subject) }, func(err error) {
			if err != nil {
				p.c.showNotice(lang.L("The subject was not changed: {{.Reason}}", map[string]any{"Reason": roomProblem(err)}))
			}
		})
	})
}

// askInvite asks whom to invite (a contact, or any address).
func (p *roomPart) askInvite() {
	var jids []string
	for _, c := range p.c.session.Roster().Contacts() {
		if c.InRoster {
			jids = append(jids, c.JID)
		}
	}
	slices.Sort(jids)
	who := widget.NewSelectEntry(jids)
	who.SetPlaceHolder("name@example.org")
	reason := widget.NewEntry()
	reason.SetPlaceHolder(lang.L("Message (optional)"))
	form := widget.NewForm(widget.NewFormItem(lang.L("Invite"), who), widget.NewFormItem(lang.L("Message"), reason))
	room := p.c.key.JID
	d := dialog.NewCustomConfirm(lang.L("Invite someone"), lang.L("Invite"), lang.L("Cancel"), form, func(ok bool) {
		if !ok {
			return
		}
		to := strings.TrimSpace(who.Text)
		if err := core.ValidateJID(to); err != nil || !strings.Contains(to, "@") {
			p.c.showNotice(lang.L("Not invited: {{.Reason}}", map[string]any{"Reason": lang.L("This is not a valid address. An address looks like name@example.org.")}))
			return
		}
		rooms, text := p.rooms, strings.TrimSpace(reason.Text)
		p.c.win.app.background(func() error { return rooms.Invite(room, to, text) }, func(err error) {
			if err != nil {
				p.c.showNotice(lang.L("Not invited: {{.Reason}}", map[string]any{"Reason": roomProblem(err)}))
			}
		})
	}, p.c.win.win)
	d.Resize(fyne.NewSize(420, 0))
	d.Show()
}

// showInfo shows what the room says of itself.
func (p *roomPart) showInfo() {
	room, rooms := p.c.key.JID, p.rooms
	var info muc.RoomInfo
	p.fetch(lang.L("Room information"), func(ctx context.Context) (err error) {
		info, err = rooms.Info(ctx, room)
		return err
	}, func(err error) {
		if err != nil {
			dialog.ShowInformation(lang.L("Room information"), roomProblem(err), p.c.win.win)
			return
		}
		d := dialog.NewCustom(lang.L("Room information"), lang.L("Close"), roomInfoBox(info), p.c.win.win)
		d.Resize(fyne.NewSize(440, 0))
		d.Show()
	})
}

// fetch asks the room something (work, off the UI goroutine) behind a
// dialog titled title with a progress bar, then runs done.
func (p *roomPart) fetch(title string, work func(ctx context.Context) error, done func(error)) {
	progress := dialog.NewCustomWithoutButtons(title, widget.NewProgressBarInfinite(), p.c.win.win)
	progress.Show()
	p.c.win.app.background(func() error {
		ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
		defer cancel()
		return work(ctx)
	}, func(err error) {
		progress.Hide()
		done(err)
	})
}

// roomInfoBox lays out a room's information.
func roomInfoBox(info muc.RoomInfo) fyne.CanvasObject {
	form := widget.NewForm()
	add := func(label, value string) {
		if value == "" {
			return
		}
		l := widget.NewLabel(safetext.Isolate(value))
		l.Wrapping = fyne.TextWrapWord
		form.Append(label, l)
	}
	add(lang.L("Name"), shortLine(info.Name))
	add(lang.L("Address"), info.JID)
	add(lang.X("ui.description", "Description"), shortLine(info.Description))
	add(lang.L("Subject"), shortLine(info.Subject))
	if info.Occupants >= 0 {
		add(lang.L("People in it"), strconv.Itoa(info.Occupants))
	}
	var traits []string
	yes := func(b bool, s string) {
		if b {
			traits = append(traits, s)
		}
	}
	yes(info.Password, lang.L("needs a password"))
	yes(info.MembersOnly, lang.L("members only"))
	yes(info.Moderated, lang.L("moderated: only those with voice speak"))
	yes(info.NonAnonymous, lang.L("everyone sees your address"))
	yes(info.Persistent, lang.L("kept when empty"))
	yes(info.Archived, lang.L("keeps an archive of its messages"))
	add(lang.L("The room"), strings.Join(traits, "; "))
	return form
}

// editBookmark adds or edits the room's bookmark: its name, our nick,
// joined at sign-in.
func (p *roomPart) editBookmark() {
	room := p.c.key.JID
	b, ok := p.rooms.Bookmark(room)
	if !ok {
		b = muc.Bookmark{JID: room, Nick: p.nick, Password: p.rooms.Password(room), Autojoin: true}
	}
	name := widget.NewEntry()
	name.SetText(b.Name)
	name.SetPlaceHolder(p.name())
	nick := widget.NewEntry()
	nick.SetText(b.Nick)
	auto := widget.NewCheck(lang.L("Join at sign-in"), nil)
	auto.SetChecked(b.Autojoin)
	form := widget.NewForm(widget.NewFormItem(lang.L("Name"), name), widget.NewFormItem(lang.L("Nickname"), nick), widget.NewFormItem("", auto))
	d := dialog.NewCustomConfirm(lang.L("Bookmark"), lang.L("Save"), lang.L("Cancel"), form, func(ok bool) {
		if !ok {
			return
		}
		b.Name, b.Nick, b.Autojoin = strings.TrimSpace(name.Text), strings.TrimSpace(nick.Text), auto.Checked
		p.roomAction(func(ctx context.Context) error { return p.rooms.SaveBookmark(ctx, b) })
	}, p.c.win.win)
	d.Resize(fyne.NewSize(400, 0))
	d.Show()
}

func (p *roomPart) removeBookmark() {
	room := p.c.key.JID
	p.roomAction(func(ctx context.Context) error { return p.rooms.RemoveBookmark(ctx, room) })
}

// senderName is a room message's author: the nick it came with.
func (p *roomPart) senderName(m history.Message) string {
	if m.Resource == "" {
		return safetext.Isolate(p.name())
	}
	if m.Type != "groupchat" {
		// A private message through the room (XEP-0045 §7.5): not
		// said to everyone.
		if m.Direction == history.Out {
			return lang.L("To {{.Nick}} (private)", map[string]any{"Nick": safetext.Isolate(m.Resource)})
		}
		return lang.L("{{.Nick}} (private)", map[string]any{"Nick": safetext.Isolate(m.Resource)})
	}
	return safetext.Isolate(m.Resource)
}

// nameColor colours a nick (XEP-0392).
func (p *roomPart) nameColor(m history.Message) fyne.ThemeColorName {
	if m.Resource == "" {
		return ""
	}
	return transcript.ColorName(nickColor(m.Resource))
}

// mentioned reports whether m is someone else's message naming us, or
// written to us alone.
func (p *roomPart) mentioned(m history.Message) bool {
	if m.Direction != history.In {
		return false
	}
	return m.Type == "chat" || (m.Resource != p.nick && muc.Mentions(m.Body, p.nick))
}

// nickColor is a nick's colour as XEP-0392 (Consistent Color Generation)
// derives it: the hue from the first two bytes of the nick's SHA-1
// (little-endian, over 65536 turns), here at a fixed saturation and
// lightness in HSL rather than HSLuv. The app's theme makes it readable
// on its background (theme.go).
func nickColor(nick string) color.Color {
	sum := sha1.Sum([]byte(nick))
	hue := float64(uint16(sum[0])|uint16(sum[1])<<8) / 65536 * 360
	return hsl(hue, 0.65, 0.45)
}

// hsl converts a colour from HSL (hue in degrees, s and l in 0..1).
func hsl(h, s, l float64) color.NRGBA {
	c := (1 - math.Abs(2*l-1)) * s
	x := c * (1 - math.Abs(math.Mod(h/60, 2)-1))
	m := l - c/2
	var r, g, b float64
	switch {
	case h < 60:
		r, g = c, x
	case h < 120:
		r, g = x, c
	case h < 180:
		g, b = c, x
	case h < 240:
		g, b = x, c
	case h < 300:
		r, b = x, c
	default:
		r, b = c, x
	}
	to := func(v float64) uint8 { return uint8(math.Round((v + m) * 255)) }
	return color.NRGBA{R: to(r), G: to(g), B: to(b), A: 0xff}
}

// occupantRow is a row of the occupant panel: a heading, or an
// occupant's presence dot and nick, whose menu opens on a tap.
type occupantRow struct {
	widget.BaseWidget
	p    *roomPart
	item occupantItem
	full string // the name, before it is shortened to fit
	dot  *canvas.Circle
	name *canvas.Text
}

func newOccupantRow(p *roomPart) *occupantRow {
	r := &occupantRow{p: p, dot: &canvas.Circle{}, name: canvas.NewText("", theme.Color(theme.ColorNameForeground))}
	r.name.TextSize = theme.TextSize()
	r.ExtendBaseWidget(r)
	return r
}

func (r *occupantRow) set(it occupantItem) {
	r.item = it
	if it.heading != "" {
		r.full = it.heading
		r.name.TextStyle = fyne.TextStyle{Bold: true}
		r.name.Color = theme.Color(theme.ColorNamePlaceHolder)
		r.dot.Hide()
	} else {
		r.full = safetext.Isolate(it.occ.Nick)
		r.name.TextStyle = fyne.TextStyle{Bold: it.occ.Nick == r.p.nick}
		r.name.Color = theme.Color(transcript.ColorName(nickColor(it.occ.Nick)))
		roster.PaintDot(r.dot, occupantShow(it.occ), true)
		r.dot.Show()
	}
	r.Refresh()
}

// occupantShow is an occupant's availability.
func occupantShow(o muc.Occupant) core.Show {
	switch o.Show {
	case "away":
		return core.ShowAway
	case "xa":
		return core.ShowXA
	case "dnd":
		return core.ShowDND
	case "chat":
		return core.ShowChat
	}
	return core.ShowAvailable
}

func (r *occupantRow) Tapped(e *fyne.PointEvent) { r.TappedSecondary(e) }

func (r *occupantRow) TappedSecondary(e *fyne.PointEvent) {
	if r.item.heading != "" {
		return
	}
	widget.ShowPopUpMenuAtPosition(r.p.occupantMenu(r.item.occ), r.p.c.win.win.Canvas(), e.AbsolutePosition)
}

func (r *occupantRow) CreateRenderer() fyne.WidgetRenderer {
	return &occupantRowRenderer{r: r}
}

type occupantRowRenderer struct{ r *occupantRow }

func (rr *occupantRowRenderer) Layout(size fyne.Size) {
	r := rr.r
	p := theme.Padding()
	x := p
	if r.dot.Visible() {
		r.dot.Resize(fyne.NewSize(10, 10))
		r.dot.Move(fyne.NewPos(p, (size.Height-10)/2))
		x += 10 + 2*p
	}
	w := size.Width - x - p
	r.name.Text = widgets.Ellipsize(r.full, r.name.TextSize, r.name.TextStyle, w)
	ns := r.name.MinSize()
	r.name.Move(fyne.NewPos(x, (size.Height-ns.Height)/2))
	r.name.Resize(fyne.NewSize(w, ns.Height))
}

func (rr *occupantRowRenderer) MinSize() fyne.Size {
	h := fyne.MeasureText("Mg", theme.TextSize(), fyne.TextStyle{Bold: true}).Height
	return fyne.NewSize(60, h+2*theme.Padding())
}

func (rr *occupantRowRenderer) Refresh() {
	rr.Layout(rr.r.Size())
	rr.r.name.Refresh()
	rr.r.dot.Refresh()
}

func (rr *occupantRowRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{rr.r.dot, rr.r.name}
}

func (rr *occupantRowRenderer) Destroy() {}

// minWidthLayout stacks its objects and asks for at least w of width.
type minWidthLayout struct{ w float32 }

func (l *minWidthLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

func (l *minWidthLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	s := fyne.NewSize(l.w, 0)
	for _, o := range objs {
		if o.Visible() {
			s = s.Max(o.MinSize())
		}
	}
	return s.Max(fyne.NewSize(l.w, 0))
}
