package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/muc"
	"github.com/causerie/causerie/core/safetext"
)

// The lists of a room's affiliations (XEP-0045 §9.5, §10.5, §9.1): its
// members, admins, owners and banned addresses, for its admins and
// owners to see, add to and remove from.

// membersDialog is the open lists of a room.
type membersDialog struct {
	p      *roomPart
	d      *dialog.CustomDialog
	which  *widget.Select
	affs   []string // per which's option
	list   *widget.List
	shown  []muc.Affiliate
	who    *widget.Entry
	status *widget.Label
}

// showMembers shows the room's members (an admin's or owner's).
func (p *roomPart) showMembers() {
	md := &membersDialog{p: p, affs: []string{muc.AffMember, muc.AffAdmin, muc.AffOwner, muc.AffOutcast}}
	md.which = widget.NewSelect([]string{lang.L("Members"), lang.L("Admins"), lang.L("Owners"), lang.L("Banned")},
		func(string) { md.load() })
	md.list = widget.NewList(func() int { return len(md.shown) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return container.NewBorder(nil, nil, nil, widget.NewButtonWithIcon("", theme.DeleteIcon(), nil), l)
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(md.shown) {
				return
			}
			a := md.shown[id]
			box := o.(*fyne.Container)
			text := a.JID
			if a.Nick != "" {
				text += " (" + a.Nick + ")"
			}
			box.Objects[0].(*widget.Label).SetText(safetext.Isolate(text))
			box.Objects[1].(*widget.Button).OnTapped = func() { md.set(a.JID, muc.AffNone) }
		})
	md.who = widget.NewEntry()
	md.who.SetPlaceHolder("name@example.org")
	add := widget.NewButtonWithIcon(lang.L("Add"), theme.ContentAddIcon(), func() { md.add() })
	md.who.OnSubmitted = func(string) { md.add() }
	md.status = widget.NewLabel("")
	md.status.Wrapping = fyne.TextWrapWord
	md.status.Importance = widget.DangerImportance
	md.status.Hide()
	content := container.NewBorder(md.which,
		container.NewVBox(md.status, container.NewBorder(nil, nil, nil, add, md.who)), nil, nil, md.list)
	md.d = dialog.NewCustom(lang.L("Members of {{.Room}}", map[string]any{"Room": safetext.Isolate(p.name())}), lang.L("Close"), content, p.c.win.win)
	md.d.Resize(fyne.NewSize(460, 480))
	md.d.Show()
	p.members = md
	md.which.SetSelectedIndex(0)
}

// aff is the affiliation of the list shown.
func (md *membersDialog) aff() string { return md.affs[max(md.which.SelectedIndex(), 0)] }

// load reads the list chosen.
func (md *membersDialog) load() {
	p := md.p
	room, rooms, aff := p.c.key.JID, p.rooms, md.aff()
	var list []muc.Affiliate
	md.status.Hide()
	p.c.win.app.background(func() (err error) {
		ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
		defer cancel()
		list, err = rooms.Affiliates(ctx, room, aff)
		return err
	}, func(err error) {
		if aff != md.aff() {
			return // another list was chosen meanwhile
		}
		if err != nil {
			md.fail(err)
			list = nil
		}
		md.shown = list
		md.list.Refresh()
	})
}

// add gives the address typed the list's affiliation.
func (md *membersDialog) add() {
	jid := strings.TrimSpace(md.who.Text)
	if err := core.ValidateJID(jid); err != nil || !strings.Contains(jid, "@") {
		md.status.SetText(lang.L("This is not a valid address. An address looks like name@example.org."))
		md.status.Show()
		return
	}
	md.set(jid, md.aff())
	md.who.SetText("")
}

// set gives jid affiliation aff, then reads the list again.
func (md *membersDialog) set(jid, aff string) {
	p := md.p
	room, rooms := p.c.key.JID, p.rooms
	md.status.Hide()
	p.c.win.app.background(func() error {
		ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
		defer cancel()
		return rooms.SetAffiliation(ctx, room, jid, aff, "")
	}, func(err error) {
		if err != nil {
			md.fail(err)
			return
		}
		md.load()
	})
}

func (md *membersDialog) fail(err error) {
	md.status.SetText(lang.L("Not done: {{.Reason}}", map[string]any{"Reason": roomProblem(err)}))
	md.status.Show()
}
