package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/core/muc"
	"github.com/causerie/causerie/core/safetext"
	"github.com/causerie/causerie/ui/widgets"
)

// A room's owner configures it (XEP-0045 §10.2) with the form the room
// sends, shown as it is (formFields), or closes it for good (§10.9).

// roomConfigDialog is the open configuration of a room.
type roomConfigDialog struct {
	p        *roomPart
	isNew    bool // the first configuration of a room we made (reserved)
	done     bool // saved, or given up
	d        *dialog.CustomDialog
	values   map[string]func() string
	required map[string]string
	entries  map[string]*widgets.Entry // the text fields, by var
	status   *widget.Label
	save     *widget.Button
}

// configure reads the room's configuration and shows it.
func (p *roomPart) configure() { p.readConfig(false) }

// configureNew shows the first configuration of a room we just made
// locked (muc.Rooms.JoinReserved): saving opens it, giving up closes it.
func (p *roomPart) configureNew() { p.readConfig(true) }

func (p *roomPart) readConfig(isNew bool) {
	if p.configuring {
		return // being read, or shown
	}
	p.configuring = true
	room, rooms := p.c.key.JID, p.rooms
	var cfg muc.RoomConfig
	p.fetch(lang.L("Room settings"), func(ctx context.Context) (err error) {
		cfg, err = rooms.Config(ctx, room)
		return err
	}, func(err error) {
		if err != nil {
			p.configuring = false
			p.c.showNotice(lang.L("The room's settings could not be read: {{.Reason}}", map[string]any{"Reason": roomProblem(err)}))
			return
		}
		p.showConfig(cfg, isNew)
	})
}

// showConfig shows cfg's form; Save sends it back. For a new room
// (isNew), Cancel, or closing the dialog any other way, gives the room
// up.
func (p *roomPart) showConfig(cfg muc.RoomConfig, isNew bool) {
	cd := &roomConfigDialog{p: p, isNew: isNew, values: map[string]func() string{}, required: map[string]string{}, entries: map[string]*widgets.Entry{}}
	var entries []*widgets.Entry
	ff := &formFields{values: cd.values, required: cd.required,
		input: func(fyne.Disableable) {},
		textEntry: func(name string, secret bool) *widgets.Entry {
			e := widgets.NewEntry(func() { cd.d.Hide() })
			e.Password = secret
			cd.values[name] = func() string { return e.Text }
			cd.entries[name] = e
			entries = append(entries, e)
			return e
		}}
	grid := container.New(layout.NewFormLayout())
	ff.build(cfg.Form, func(label, input fyne.CanvasObject) { grid.Objects = append(grid.Objects, label, input) })
	cd.status = widget.NewLabel("")
	cd.status.Wrapping = fyne.TextWrapWord
	cd.status.Importance = widget.DangerImportance
	cd.status.Hide()
	cancel := widget.NewButton(lang.L("Cancel"), func() { cd.d.Hide() })
	cd.save = widget.NewButton(lang.L("Save"), func() { cd.submit(cfg) })
	cd.save.Importance = widget.HighImportance
	title := lang.L("Settings of {{.Room}}", map[string]any{"Room": safetext.Isolate(p.name())})
	top := fyne.CanvasObject(nil)
	if isNew {
		title = lang.L("Set up {{.Room}}", map[string]any{"Room": safetext.Isolate(p.name())})
		cancel.SetText(lang.L("Do not create"))
		cd.save.SetText(lang.L("Create the room"))
		note := widget.NewLabel(lang.L("No one else can enter the room until you create it."))
		note.Wrapping = fyne.TextWrapWord
		top = note
	}
	content := container.NewBorder(top, container.NewVBox(cd.status, container.NewHBox(layout.NewSpacer(), cancel, cd.save)), nil, nil,
		container.NewVScroll(grid))
	cd.d = dialog.NewCustomWithoutButtons(title, content, p.c.win.win)
	cd.d.SetOnClosed(func() {
		if p.config == cd {
			p.config, p.configuring = nil, false
		}
		if cd.isNew && !cd.done {
			cd.done = true
			// Not made after all: nor kept as a bookmark (the join
			// dialog saved one), which would make it again.
			room, rooms := p.c.key.JID, p.rooms
			p.roomAction(func(ctx context.Context) error {
				if err := rooms.CancelNew(ctx, room); err != nil {
					return err
				}
				if _, ok := rooms.Bookmark(room); ok {
					return rooms.RemoveBookmark(ctx, room)
				}
				return nil
			})
		}
	})
	cd.d.Resize(fyne.NewSize(520, 560))
	cd.d.Show()
	p.config = cd
	if len(entries) > 0 {
		p.c.win.win.Canvas().Focus(entries[0])
	}
}

// submit sends the form back; the dialog closes once the room took it.
func (cd *roomConfigDialog) submit(cfg muc.RoomConfig) {
	values := map[string][]string{}
	for name, get := range cd.values {
		v := get()
		if label, ok := cd.required[name]; ok && strings.TrimSpace(v) == "" {
			cd.status.SetText(lang.L("Fill in “{{.Field}}”.", map[string]any{"Field": label}))
			cd.status.Show()
			return
		}
		values[name] = strings.Split(v, "\n")
	}
	p := cd.p
	room, rooms := p.c.key.JID, p.rooms
	cd.save.Disable()
	p.c.win.app.background(func() error {
		ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
		defer cancel()
		return rooms.Configure(ctx, room, cfg, values)
	}, func(err error) {
		cd.save.Enable()
		if err != nil {
			cd.status.SetText(lang.L("The settings were not saved: {{.Reason}}", map[string]any{"Reason": roomProblem(err)}))
			cd.status.Show()
			return
		}
		cd.done = true
		cd.d.Hide()
	})
}

// askDestroy asks, then closes the room for good.
func (p *roomPart) askDestroy() {
	p.askReason(lang.L("Close {{.Room}} for good?", map[string]any{"Room": safetext.Isolate(p.name())}), lang.L("Close the room"),
		func(reason string) {
			room, rooms := p.c.key.JID, p.rooms
			p.roomAction(func(ctx context.Context) error { return rooms.Destroy(ctx, room, reason) })
		})
}
