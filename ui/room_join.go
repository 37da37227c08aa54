package ui

import (
	"context"
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/muc"
	"github.com/causerie/causerie/core/safetext"
	"github.com/causerie/causerie/ui/widgets"
)

// joinDialog is "Join group chat…": the room's address (typed, or picked
// in the browser of the server's public rooms), the nick, a password,
// and whether to bookmark the room and enter it at each sign-in. It
// stays open until the room lets us in, and says why when it does not.
type joinDialog struct {
	a   *App
	d   *dialog.CustomDialog
	win fyne.Window

	account  *widget.Select
	accounts []string
	room     *widget.Entry
	nick     *widget.Entry
	password *widget.Entry
	bookmark *widget.Check
	autojoin *widget.Check
	setUp    *widget.Check // a new room is configured before it opens
	status   *widget.Label
	progress *widget.ProgressBarInfinite
	join     *widget.Button

	browse    *widget.Button
	filter    *widget.Entry
	list      *widget.List
	found     []muc.RoomInfo // the service's rooms
	shown     []muc.RoomInfo // those the filter keeps
	service   string
	waiting   string // the room being joined, "" when none
	waitAcct  string
	browsing  bool
	listPanel *fyne.Container
}

// ShowJoinRoom shows "Join group chat…" over the main window, with room
// filled in when given (a link, an invitation).
func (a *App) ShowJoinRoom(account, room, password string) {
	if a.main == nil {
		a.ShowMain()
	}
	j := &joinDialog{a: a, win: a.main.win}
	for _, s := range a.Client.Sessions() {
		j.accounts = append(j.accounts, s.Account().JID)
	}
	if len(j.accounts) == 0 {
		return
	}
	if a.joinDlg != nil {
		a.joinDlg.d.Hide()
	}
	a.joinDlg = j
	j.account = widget.NewSelect(j.accounts, func(string) { j.accountChanged() })
	j.room = widget.NewEntry()
	j.room.SetPlaceHolder("room@conference.example.org")
	j.room.SetText(room)
	j.nick = widget.NewEntry()
	j.password = widget.NewPasswordEntry()
	j.password.SetPlaceHolder(lang.L("Only if the room has one"))
	j.password.SetText(password)
	j.bookmark = widget.NewCheck(lang.L("Bookmark this room"), func(on bool) {
		if on {
			j.autojoin.Enable()
		} else {
			j.autojoin.SetChecked(false)
			j.autojoin.Disable()
		}
	})
	j.autojoin = widget.NewCheck(lang.L("Join at sign-in"), nil)
	j.bookmark.SetChecked(true)
	j.autojoin.SetChecked(true)
	j.setUp = widget.NewCheck(lang.L("If the room is new, set it up before anyone can enter"), nil)
	j.status = widget.NewLabel("")
	j.status.Wrapping = fyne.TextWrapWord
	j.status.Importance = widget.DangerImportance
	j.status.Hide()
	j.progress = widget.NewProgressBarInfinite()
	j.progress.Stop()
	j.progress.Hide()

	j.filter = widget.NewEntry()
	j.filter.SetPlaceHolder(lang.L("Filter rooms"))
	j.filter.OnChanged = func(string) { j.applyFilter() }
	j.list = widget.NewList(func() int { return len(j.shown) },
		func() fyne.CanvasObject {
			name := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			name.Truncation = fyne.TextTruncateEllipsis
			detail := widget.NewLabel("")
			detail.Truncation = fyne.TextTruncateEllipsis
			detail.Importance = widget.LowImportance
			return container.NewVBox(name, detail)
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(j.shown) {
				return
			}
			r := j.shown[id]
			box := o.(*fyne.Container)
			name := r.Name
			if name == "" {
				name = r.JID
			}
			box.Objects[0].(*widget.Label).SetText(safetext.Isolate(oneLine(name)))
			box.Objects[1].(*widget.Label).SetText(roomDetail(r))
		})
	j.list.OnSelected = func(id widget.ListItemID) {
		if id < len(j.shown) {
			j.room.SetText(j.shown[id].JID)
			j.win.Canvas().Focus(j.nick)
		}
	}
	j.browse = widget.NewButtonWithIcon(lang.L("Browse rooms"), theme.SearchIcon(), j.browseRooms)
	j.listPanel = container.NewBorder(j.filter, nil, nil, nil, j.list)
	j.listPanel.Hide()

	form := widget.NewForm()
	if len(j.accounts) > 1 {
		form.Append(lang.L("Account"), j.account)
	}
	form.Append(lang.L("Room"), container.NewBorder(nil, nil, nil, j.browse, j.room))
	form.Append(lang.L("Nickname"), j.nick)
	form.Append(lang.L("Password"), j.password)
	form.Append("", container.NewVBox(j.bookmark, j.autojoin, j.setUp))

	cancel := widget.NewButton(lang.L("Cancel"), j.close)
	j.join = widget.NewButtonWithIcon(lang.L("Join"), theme.ConfirmIcon(), j.submit)
	j.join.Importance = widget.HighImportance
	buttons := container.NewHBox(layout.NewSpacer(), cancel, j.join)
	content := container.NewBorder(container.NewVBox(form, j.status, j.progress), buttons, nil, nil, j.listPanel)
	j.d = dialog.NewCustomWithoutButtons(lang.L("Join group chat"), content, j.win)
	j.room.OnSubmitted = func(string) { j.submit() }
	j.nick.OnSubmitted = func(string) { j.submit() }
	j.password.OnSubmitted = func(string) { j.submit() }
	j.account.SetSelectedIndex(0)
	if account != "" {
		j.account.SetSelected(account)
	}
	j.d.Resize(fyne.NewSize(540, 300))
	j.d.Show()
	if room == "" {
		j.win.Canvas().Focus(j.room)
	} else {
		j.win.Canvas().Focus(j.nick)
	}
}

// roomDetail is a browsed room's second line: its address, who is in
// it, whether it needs a password or membership.
func roomDetail(r muc.RoomInfo) string {
	parts := []string{r.JID}
	if r.Occupants >= 0 {
		parts = append(parts, lang.L("{{.Count}} in it", map[string]any{"Count": r.Occupants}))
	}
	if r.Password {
		parts = append(parts, lang.L("password"))
	}
	if r.MembersOnly {
		parts = append(parts, lang.L("members only"))
	}
	return safetext.Isolate(strings.Join(parts, " · "))
}

// session is the chosen account's session.
func (j *joinDialog) session() (*core.Session, bool) {
	return j.a.Client.Session(j.account.Selected)
}

// accountChanged offers the account's default nick, and forgets the
// other account's rooms.
func (j *joinDialog) accountChanged() {
	s, ok := j.session()
	if !ok {
		return
	}
	j.nick.SetText(defaultNick(s))
	j.found, j.shown, j.service = nil, nil, ""
	j.list.Refresh()
}

// browseRooms lists the public rooms of the account's server's group
// chat service (or of the service the room field names).
func (j *joinDialog) browseRooms() {
	s, ok := j.session()
	if !ok || j.browsing {
		return
	}
	r := muc.Of(s)
	if r == nil {
		return
	}
	service := ""
	if t := strings.TrimSpace(j.room.Text); t != "" && !strings.Contains(t, "@") && strings.Contains(t, ".") {
		service = t // a service's address typed in
	}
	j.browsing = true
	j.browse.Disable()
	j.setStatus("", true)
	var rooms []muc.RoomInfo
	j.a.background(func() (err error) {
		ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
		defer cancel()
		service, rooms, err = r.Browse(ctx, service)
		return err
	}, func(err error) {
		j.browsing = false
		j.browse.Enable()
		if err != nil {
			j.setStatus(lang.L("The rooms could not be listed: {{.Reason}}", map[string]any{"Reason": roomProblem(err)}), false)
			return
		}
		j.setStatus("", false)
		j.service, j.found = service, rooms
		if len(rooms) == 0 {
			j.setStatus(lang.L("{{.Service}} lists no public rooms. Type a room's address.", map[string]any{"Service": safetext.Isolate(service)}), false)
			j.status.Importance = widget.MediumImportance
			j.status.Refresh()
			return
		}
		j.applyFilter()
		j.listPanel.Show()
		j.d.Resize(fyne.NewSize(540, 600))
		j.win.Canvas().Focus(j.filter)
	})
}

// applyFilter keeps the browsed rooms whose name or address has the
// filter's text.
func (j *joinDialog) applyFilter() {
	f := strings.ToLower(strings.TrimSpace(j.filter.Text))
	j.shown = j.shown[:0]
	for _, r := range j.found {
		if f == "" || strings.Contains(strings.ToLower(r.Name), f) || strings.Contains(r.JID, f) ||
			strings.Contains(strings.ToLower(r.Description), f) {
			j.shown = append(j.shown, r)
		}
	}
	j.list.UnselectAll()
	j.list.Refresh()
}

// setStatus shows a problem (or hides it with ""), and the progress bar
// while busy.
func (j *joinDialog) setStatus(text string, busy bool) {
	j.status.Importance = widget.DangerImportance
	j.status.SetText(text)
	widgets.SetVisible(j.status, text != "")
	if busy {
		j.progress.Start()
		j.progress.Show()
	} else {
		j.progress.Stop()
		j.progress.Hide()
	}
}

// roomAddress is the room field as an address: a bare name is a room of
// the service browsed.
func (j *joinDialog) roomAddress() string {
	room := strings.ToLower(strings.TrimSpace(j.room.Text))
	room = strings.TrimPrefix(room, "xmpp:")
	if i := strings.IndexByte(room, '?'); i >= 0 {
		room = room[:i]
	}
	if room != "" && !strings.Contains(room, "@") && j.service != "" && !strings.Contains(room, ".") {
		room += "@" + j.service
	}
	return room
}

// submit joins the room; the dialog waits for the room's answer (handle).
func (j *joinDialog) submit() {
	if j.waiting != "" {
		return
	}
	s, ok := j.session()
	if !ok {
		return
	}
	r := muc.Of(s)
	if r == nil {
		return
	}
	if st, _ := s.State(); st != core.StateOnline {
		j.setStatus(lang.L("Not connected. Sign in first."), false)
		return
	}
	room := chatBareJID(j.roomAddress())
	nick := strings.TrimSpace(j.nick.Text)
	if r.In(room) {
		j.close() // already in: shown as it is, its bookmark untouched
		j.a.OpenRoom(s.Account().JID, room)
		return
	}
	if nick == "" {
		j.setStatus(roomProblem(muc.ErrNoNick), false)
		j.win.Canvas().Focus(j.nick)
		return
	}
	password, setUp := j.password.Text, j.setUp.Checked
	j.a.background(func() error {
		if setUp {
			return r.JoinReserved(room, nick, password)
		}
		return r.Join(room, nick, password)
	}, func(err error) {
		if err == nil || j.waiting != room {
			return
		}
		j.waiting = ""
		j.join.Enable()
		j.setStatus(roomProblem(err), false)
		j.win.Canvas().Focus(j.room)
	})
	j.waiting, j.waitAcct = room, s.Account().JID
	j.join.Disable()
	j.setStatus("", true)
	j.status.SetText(lang.L("Joining {{.Room}}…", map[string]any{"Room": safetext.Isolate(room)}))
	j.status.Importance = widget.MediumImportance
	j.status.Show()
}

// handle follows the room's answer to our join.
func (j *joinDialog) handle(e core.Event) {
	if j.waiting == "" {
		return
	}
	switch e := e.(type) {
	case muc.Joined:
		if e.Account != j.waitAcct || e.Room != j.waiting {
			return
		}
		s, ok := j.a.Client.Session(e.Account)
		if !ok {
			return
		}
		j.done(s, e.Room)
		// The tab opened after the room let us in: it hears what the
		// room said then (created, addresses shown, logged).
		if conv := j.a.chat.convs[ChatKey{e.Account, e.Room}]; conv != nil && conv.room != nil {
			conv.room.handle(e)
		}
	case muc.JoinFailed:
		if e.Account != j.waitAcct || e.Room != j.waiting {
			return
		}
		j.waiting = ""
		j.join.Enable()
		j.setStatus(lang.L("Could not join the room: {{.Reason}}", map[string]any{"Reason": roomProblem(e.Err)}), false)
		switch {
		case errors.Is(e.Err, muc.ErrNickInUse):
			j.nick.SetText(j.nick.Text + "_")
			j.win.Canvas().Focus(j.nick)
		case errors.Is(e.Err, muc.ErrPasswordRequired):
			j.win.Canvas().Focus(j.password)
		}
	case core.ConnectionStateChanged:
		if e.Account == j.waitAcct && e.State != core.StateOnline {
			j.waiting = ""
			j.join.Enable()
			j.setStatus(lang.L("Not connected. Sign in first."), false)
		}
	}
}

// done: we are in room. The dialog closes, the room's tab opens, and the
// bookmark is saved when asked for.
func (j *joinDialog) done(s *core.Session, room string) {
	j.waiting = ""
	if j.bookmark.Checked {
		r := muc.Of(s)
		b, ok := r.Bookmark(room)
		if !ok {
			b = muc.Bookmark{JID: room}
		}
		// The nick the room gave us (it may have changed the one we
		// asked for); a password typed replaces the one kept.
		b.Nick, b.Autojoin = r.Nick(room), j.autojoin.Checked
		if j.password.Text != "" {
			b.Password = j.password.Text
		}
		acct := s.Account().JID
		a := j.a
		a.background(func() error {
			ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
			defer cancel()
			return r.SaveBookmark(ctx, b)
		}, func(err error) {
			if err != nil && a.chat != nil {
				if conv := a.chat.convs[ChatKey{acct, room}]; conv != nil {
					conv.showNotice(lang.L("The room was not bookmarked: {{.Reason}}", map[string]any{"Reason": roomProblem(err)}))
				}
			}
		})
	}
	j.close()
	j.a.OpenRoom(s.Account().JID, room)
}

func (j *joinDialog) close() {
	j.d.Hide()
	if j.a.joinDlg == j {
		j.a.joinDlg = nil
	}
}

// showInvitation asks whether to join the room someone invites us into:
// Join opens "Join group chat…" filled in, Decline tells a mediated
// invitation's sender. A stranger's invitations are limited like their
// messages' notifications (strangerMayNotify): spam cannot stack dialogs.
func (a *App) showInvitation(e muc.Invited) {
	inv := e.Invitation
	from := chatBareJID(inv.From)
	if from == "" || e.Sender == "" {
		return
	}
	// Limited by who sent it (a mediated invitation's inviter is only
	// claimed): a stranger's, and a room's we are not in, as rarely as
	// a stranger's messages notify.
	s, ok := a.Client.Session(e.Account)
	if !ok {
		return
	}
	k := ChatKey{e.Account, e.Sender}
	if a.stranger(k) && !isRoom(s, e.Sender) && !a.strangerMayNotify(k) {
		return
	}
	if r := muc.Of(s); r == nil || r.In(inv.Room) {
		return // already there
	}
	a.ShowMain()
	text := lang.L("{{.Name}} invites you to join the group chat {{.Room}}.", map[string]any{
		"Name": a.contactName(e.Account, from), "Room": safetext.Isolate(inv.Room)})
	if inv.Reason != "" {
		text += "\n“" + safetext.Isolate(shortLine(inv.Reason)) + "”"
	}
	label := widget.NewLabel(text)
	label.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm(lang.L("Invitation"), lang.L("Join…"), lang.L("Decline"), label, func(join bool) {
		if join {
			a.ShowJoinRoom(e.Account, inv.Room, inv.Password)
			return
		}
		if r := muc.Of(s); r != nil {
			a.background(func() error { return r.Decline(inv, "") }, func(error) {})
		}
	}, a.main.win)
	d.Resize(fyne.NewSize(420, 0))
	d.Show()
	if !a.foreground && a.notificationsOn() {
		a.FyneApp.SendNotification(fyne.NewNotification(lang.L("Invitation"), text))
	}
}
