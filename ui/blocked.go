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

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/blocking"
	"github.com/causerie/causerie/ui/widgets"
)

// blockedDialog lists an account's blocked addresses (XEP-0191) with
// Unblock, and blocks any address typed in: a blocked address cannot
// message us or see our presence.
type blockedDialog struct {
	w       *accountsWindow
	jid     string
	dlg     *dialog.CustomDialog
	list    *fyne.Container
	entry   *widgets.Entry
	add     *widget.Button
	msg     *widget.Label
	content fyne.CanvasObject
	blocked []string
}

func (w *accountsWindow) showBlocked(jid string) {
	s, ok := w.app.Client.Session(jid)
	if !ok {
		return
	}
	d := &blockedDialog{w: w, jid: jid}
	d.list = container.NewVBox()
	d.entry = widgets.NewEntry(func() { d.dlg.Hide() })
	d.entry.SetPlaceHolder(lang.L("name@example.org or example.org"))
	d.add = widget.NewButton(lang.L("Block"), func() { d.change(true, strings.TrimSpace(d.entry.Text)) })
	d.entry.OnSubmitted = func(string) { d.add.OnTapped() }
	d.msg = loginMessageLabel(widget.DangerImportance)
	intro := widget.NewLabel(lang.L("Blocked addresses cannot send you messages or see your presence."))
	intro.Wrapping = fyne.TextWrapWord
	d.content = container.NewVBox(intro, d.list, container.NewBorder(nil, nil, nil, d.add, d.entry), d.msg)
	d.dlg = dialog.NewCustomWithoutButtons(lang.L("Blocked addresses of {{.Account}}", map[string]any{"Account": jid}),
		container.NewBorder(nil, container.NewHBox(layout.NewSpacer(), widget.NewButton(lang.L("Close"), func() { d.dlg.Hide() })),
			nil, nil, container.NewVScroll(d.content)), w.win)
	d.dlg.SetOnClosed(func() {
		if w.blocked == d {
			w.blocked = nil
		}
	})
	w.blocked = d
	d.dlg.Resize(fyne.NewSize(480, 420))
	d.dlg.Show()
	var supported bool
	var list []string
	w.app.background(func() (err error) {
		ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
		defer cancel()
		bl := blocking.Of(s)
		if bl == nil {
			return nil // a client without the feature: not offered
		}
		if supported, err = bl.Supported(ctx); err != nil || !supported {
			return err
		}
		list, err = bl.Blocked(ctx)
		return err
	}, func(err error) {
		switch {
		case err != nil:
			setFieldMessage(d.msg, lang.L("The blocked addresses could not be read: {{.Reason}}", map[string]any{"Reason": Explain(err)}), d.content)
			d.add.Disable()
		case !supported:
			setFieldMessage(d.msg, lang.L("This server does not support blocking."), d.content)
			d.add.Disable()
		default:
			d.show(list)
		}
	})
}

func (d *blockedDialog) show(list []string) {
	d.blocked = list
	d.list.Objects = nil
	if len(list) == 0 {
		l := widget.NewLabel(lang.L("Nobody is blocked."))
		l.Importance = widget.LowImportance
		d.list.Add(l)
	}
	for _, j := range list {
		d.list.Add(container.NewBorder(nil, nil, nil,
			widget.NewButton(lang.L("Unblock"), func() { d.change(false, j) }), widget.NewLabel(j)))
	}
	d.list.Refresh()
}

// change blocks or unblocks an address.
func (d *blockedDialog) change(block bool, jid string) {
	if block {
		if err := core.ValidateJID(jid); err != nil || jid == "" {
			setFieldMessage(d.msg, lang.L("This is not a valid address. An address looks like name@example.org."), d.content)
			return
		}
	}
	setFieldMessage(d.msg, "", d.content)
	s, ok := d.w.app.Client.Session(d.jid)
	if !ok {
		return
	}
	d.w.app.background(func() error {
		ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
		defer cancel()
		bl := blocking.Of(s)
		if bl == nil {
			return core.ErrNotConnected
		}
		if block {
			return bl.Block(ctx, jid)
		}
		return bl.Unblock(ctx, jid)
	}, func(err error) {
		if err != nil {
			setFieldMessage(d.msg, lang.L("Not changed: {{.Reason}}", map[string]any{"Reason": Explain(err)}), d.content)
			return
		}
		if block {
			d.entry.SetText("")
		}
	})
}

// handle follows the block list (changed here or from another client).
func (d *blockedDialog) handle(e core.Event) {
	if b, ok := e.(blocking.Changed); ok && b.Account == d.jid {
		d.show(b.Blocked)
	}
}
