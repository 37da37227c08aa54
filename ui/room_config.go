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
	d        *dialog.CustomDialog
	values   map[string]func() string
	required map[string]string
	entries  map[string]*widgets.Entry // the text fields, by var
	status   *widget.Label
	save     *widget.Button
}

// configure reads the room's configuration and shows it.
func (p *roomPart) configure() {
	room, rooms := p.c.key.JID, p.rooms
	var cfg muc.RoomConfig
	p.fetch(lang.L("Room settings"), func(ctx context.Context) (err error) {
		cfg, err = rooms.Config(ctx, room)
		return err
	}, func(err error) {
		if err != nil {
			p.c.showNotice(lang.L("The room's settings could not be read: {{.Reason}}", map[string]any{"Reason": roomProblem(err)}))
			return
		}
		p.showConfig(cfg)
	})
}

// showConfig shows cfg's form; Save sends it back.
func (p *roomPart) showConfig(cfg muc.RoomConfig) {
	cd := &roomConfigDialog{p: p, values: map[string]func() string{}, required: map[string]string{}, entries: map[string]*widgets.Entry{}}
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
	content := container.NewBorder(nil, container.NewVBox(cd.status, container.NewHBox(layout.NewSpacer(), cancel, cd.save)), nil, nil,
		container.NewVScroll(grid))
	cd.d = dialog.NewCustomWithoutButtons(lang.L("Settings of {{.Room}}", map[string]any{"Room": safetext.Isolate(p.name())}), content, p.c.win.win)
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
		cd.d.Hide()
		if p.config == cd {
			p.config = nil
		}
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
