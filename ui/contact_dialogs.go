package ui

import (
	"context"
	"slices"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/safetext"
	"github.com/causerie/causerie/ui/widgets"
)

// The contact dialogs of the main window (the seed's "Gestion des
// contacts"): add, edit (name and groups), a subscription request, rename
// a group. Each changes the roster by roster sets and presence
// subscriptions through core, off the UI goroutine.

// groupPicker chooses any number of groups: the existing ones as check
// boxes, and new ones typed in.
type groupPicker struct {
	checks *widget.CheckGroup
	entry  *widgets.Entry
	add    *widget.Button
	box    *fyne.Container
}

func newGroupPicker(existing, selected []string, onEscape func()) *groupPicker {
	p := &groupPicker{}
	opts := slices.Clone(existing)
	for _, g := range selected {
		if !slices.Contains(opts, g) {
			opts = append(opts, g)
		}
	}
	sort.Strings(opts)
	p.checks = widget.NewCheckGroup(opts, nil)
	p.checks.SetSelected(slices.Clone(selected))
	p.entry = widgets.NewEntry(onEscape)
	p.entry.SetPlaceHolder(lang.L("New group"))
	p.add = widget.NewButton(lang.L("Add group"), p.addTyped)
	p.entry.OnSubmitted = func(string) { p.addTyped() }
	p.box = container.NewVBox(p.checks, container.NewBorder(nil, nil, nil, p.add, p.entry))
	return p
}

// addTyped adds the typed group, checked.
func (p *groupPicker) addTyped() {
	g := strings.TrimSpace(p.entry.Text)
	if g == "" {
		return
	}
	if !slices.Contains(p.checks.Options, g) {
		p.checks.Options = append(p.checks.Options, g)
	}
	if !slices.Contains(p.checks.Selected, g) {
		p.checks.SetSelected(append(slices.Clone(p.checks.Selected), g))
	}
	p.entry.SetText("")
	p.checks.Refresh()
}

// groups are the chosen groups, with a typed one not yet added.
func (p *groupPicker) groups() []string {
	out := slices.Clone(p.checks.Selected)
	if g := strings.TrimSpace(p.entry.Text); g != "" && !slices.Contains(out, g) {
		out = append(out, g)
	}
	return out
}

// contactForm is the add and edit form.
type contactForm struct {
	m        *mainWindow
	dlg      *dialog.CustomDialog
	account  *widget.Select
	jid      *widgets.Entry
	jidMsg   *widget.Label
	name     *widgets.Entry
	groups   *groupPicker
	message  *widgets.Entry
	ask      *widget.Check
	share    *widget.Check
	errText  *widget.Label
	ok       *widget.Button
	view     fyne.CanvasObject
	busy     bool
	editing  string // the JID being edited ("" when adding)
	accounts []string
}

func (f *contactForm) msg(l *widget.Label, text string) { setFieldMessage(l, text, f.view) }

// escape (Escape in a field) closes the form unless it is working.
func (f *contactForm) escape() {
	if !f.busy && f.dlg != nil {
		f.dlg.Hide()
	}
}

// showAddContact is the add-contact form: address (checked as typed),
// name, groups, the request message, "ask to see their presence" (on) and
// "let them see mine" (pre-approval, when the server offers it).
func (m *mainWindow) showAddContact() { m.showAddContactFor("", "") }

// showAddContactFor opens the form filled with jid (an xmpp: link, a
// request) on account acct ("" for the first online one).
func (m *mainWindow) showAddContactFor(acct, jid string) {
	if len(m.accounts) == 0 {
		m.app.ShowLogin()
		return
	}
	f := &contactForm{m: m, accounts: slices.Clone(m.accounts)}
	f.account = widget.NewSelect(f.accounts, func(string) { f.refreshShare() })
	f.account.SetSelected(f.accounts[0])
	for _, a := range f.accounts {
		if m.views[a].state == core.StateOnline {
			f.account.SetSelected(a)
			break
		}
	}
	if acct != "" && slices.Contains(f.accounts, acct) {
		f.account.SetSelected(acct)
	}
	f.jid = widgets.NewEntry(f.escape)
	f.jid.SetPlaceHolder("name@example.org")
	f.jid.SetText(jid)
	f.jidMsg = loginMessageLabel(widget.DangerImportance)
	f.jid.OnChanged = func(string) {
		if f.jidMsg.Visible() {
			f.checkJID()
		}
	}
	f.name = widgets.NewEntry(f.escape)
	f.name.SetPlaceHolder(lang.L("Optional"))
	f.groups = newGroupPicker(m.groupNames(), nil, f.escape)
	f.message = widgets.NewEntry(f.escape)
	f.message.SetPlaceHolder(lang.L("Optional: say who you are"))
	f.ask = widget.NewCheck(lang.L("Ask to see their presence"), func(on bool) {
		if on {
			f.message.Enable()
		} else {
			f.message.Disable()
		}
	})
	f.ask.SetChecked(true)
	f.share = widget.NewCheck(lang.L("Let them see my presence without asking"), nil)
	f.errText = loginMessageLabel(widget.DangerImportance)
	f.ok = widget.NewButton(lang.L("Add"), f.submitAdd)
	f.ok.Importance = widget.HighImportance
	var rows []fyne.CanvasObject
	if len(f.accounts) > 1 {
		rows = append(rows, widget.NewLabel(lang.L("Account")), f.account)
	}
	rows = append(rows,
		widget.NewLabel(lang.L("Address")), container.NewVBox(f.jid, f.jidMsg),
		widget.NewLabel(lang.L("Name")), f.name,
		widget.NewLabel(lang.L("Groups")), f.groups.box,
		widget.NewLabel(lang.L("Message")), f.message,
	)
	f.view = container.NewVBox(container.New(layout.NewFormLayout(), rows...), f.ask, f.share, f.errText)
	f.show(lang.L("Add contact"), 460, 520)
	f.refreshShare()
	if jid == "" {
		m.win.Canvas().Focus(f.jid)
	} else {
		m.win.Canvas().Focus(f.name)
	}
}

// refreshShare offers pre-approval only where the server supports it.
func (f *contactForm) refreshShare() {
	if f.share == nil {
		return
	}
	v := f.m.views[f.account.Selected]
	if v != nil && v.session.PreApprovalSupported() {
		f.share.Enable()
	} else {
		f.share.SetChecked(false)
		f.share.Disable()
	}
}

func (f *contactForm) show(title string, w, h float32) {
	cancel := widget.NewButton(lang.L("Cancel"), func() {
		if !f.busy {
			f.dlg.Hide()
		}
	})
	f.dlg = dialog.NewCustomWithoutButtons(title, container.NewBorder(nil,
		container.NewHBox(layout.NewSpacer(), cancel, f.ok), nil, nil, container.NewVScroll(f.view)), f.m.win)
	f.dlg.Resize(dialogSize(f.m.win, fyne.NewSize(w, h)))
	f.dlg.Show()
	f.m.contactDialog = f
	f.dlg.SetOnClosed(func() {
		if f.m.contactDialog == f {
			f.m.contactDialog = nil
		}
	})
}

// checkJID says what is wrong with the address, if anything.
func (f *contactForm) checkJID() (string, bool) {
	jid := strings.TrimSpace(f.jid.Text)
	problem := ""
	switch {
	case jid == "":
		problem = lang.L("Type the contact's address.")
	case core.ValidateJID(jid) != nil:
		problem = loginAddressProblem(jid)
		if problem == "" {
			problem = lang.L("This is not a valid address. An address looks like name@example.org.")
		}
	case strings.Contains(jid, "/"):
		problem = lang.L("Type the address without the part after “/”.")
	}
	f.msg(f.jidMsg, problem)
	return strings.ToLower(jid), problem == ""
}

func (f *contactForm) setBusy(b bool) {
	f.busy = b
	if b {
		f.ok.Disable()
	} else {
		f.ok.Enable()
	}
}

// submitAdd adds the contact.
func (f *contactForm) submitAdd() {
	if f.busy {
		return
	}
	f.msg(f.errText, "")
	jid, ok := f.checkJID()
	if !ok {
		f.m.win.Canvas().Focus(f.jid)
		return
	}
	acct := f.account.Selected
	if v := f.m.views[acct]; v != nil {
		if c, in := v.contacts[jid]; in && c.InRoster {
			f.msg(f.jidMsg, lang.L("{{.Name}} is already in your contacts.", map[string]any{"Name": safetext.Isolate(c.DisplayName())}))
			return
		}
	}
	req := core.AddContactRequest{
		JID:        jid,
		Name:       strings.TrimSpace(f.name.Text),
		Groups:     f.groups.groups(),
		Subscribe:  f.ask.Checked,
		PreApprove: f.share.Checked && !f.share.Disabled(),
	}
	if req.Subscribe {
		req.Message = strings.TrimSpace(f.message.Text)
	}
	f.setBusy(true)
	f.m.runQuiet(acct, func(ctx context.Context, s *core.Session) error {
		return s.AddContact(ctx, req)
	}, func(err error) {
		f.setBusy(false)
		if err != nil {
			f.msg(f.errText, lang.L("The contact was not added: {{.Reason}}", map[string]any{"Reason": Explain(err)}))
			return
		}
		f.dlg.Hide()
	})
}

// showEditContact edits a contact's name and groups (one roster set).
func (m *mainWindow) showEditContact(acct string, c core.Contact) {
	f := &contactForm{m: m, editing: c.JID}
	f.name = widgets.NewEntry(f.escape)
	f.name.SetText(c.Name)
	f.name.SetPlaceHolder(c.JID)
	f.groups = newGroupPicker(m.groupNames(), c.Groups, f.escape)
	f.errText = loginMessageLabel(widget.DangerImportance)
	f.ok = widget.NewButton(lang.L("Save"), func() {
		if f.busy {
			return
		}
		name, groups := strings.TrimSpace(f.name.Text), f.groups.groups()
		f.setBusy(true)
		m.runQuiet(acct, func(ctx context.Context, s *core.Session) error {
			return s.UpdateContact(ctx, c.JID, name, groups)
		}, func(err error) {
			f.setBusy(false)
			if err != nil {
				f.msg(f.errText, lang.L("The contact was not changed: {{.Reason}}", map[string]any{"Reason": Explain(err)}))
				return
			}
			f.dlg.Hide()
		})
	})
	f.ok.Importance = widget.HighImportance
	f.name.OnSubmitted = func(string) { f.ok.OnTapped() }
	f.view = container.NewVBox(container.New(layout.NewFormLayout(),
		widget.NewLabel(lang.L("Address")), wrappedLabel(safetext.Isolate(c.JID)),
		widget.NewLabel(lang.L("Name")), f.name,
		widget.NewLabel(lang.L("Groups")), f.groups.box,
	), f.errText)
	f.show(lang.L("Edit contact"), 420, 420)
	m.win.Canvas().Focus(f.name)
}

// moveToGroup moves a contact from the group its row is in to another
// (keeping its other groups); "" is no group.
func (m *mainWindow) moveToGroup(acct string, c core.Contact, from, to string) {
	groups := slices.DeleteFunc(slices.Clone(c.Groups), func(g string) bool { return g == from || g == to })
	if to != "" {
		groups = append(groups, to)
	}
	m.run(acct, lang.L("Contact not moved"), func(ctx context.Context, s *core.Session) error {
		return s.UpdateContact(ctx, c.JID, c.Name, groups)
	}, nil)
}

// askNewGroup asks for a group name, then calls done with it.
func (m *mainWindow) askNewGroup(title, initial string, done func(string)) {
	var d *dialog.CustomDialog
	e := widgets.NewEntry(func() { d.Hide() })
	e.SetText(initial)
	msg := loginMessageLabel(widget.DangerImportance)
	content := container.NewVBox(e, msg)
	apply := func() {
		g := strings.TrimSpace(e.Text)
		if g == "" {
			setFieldMessage(msg, lang.L("Type a group name."), content)
			return
		}
		d.Hide()
		done(g)
	}
	ok := widget.NewButton(lang.L("OK"), apply)
	ok.Importance = widget.HighImportance
	e.OnSubmitted = func(string) { apply() }
	d = dialog.NewCustomWithoutButtons(title, container.NewBorder(nil,
		container.NewHBox(layout.NewSpacer(), widget.NewButton(lang.L("Cancel"), func() { d.Hide() }), ok), nil, nil, content), m.win)
	d.Resize(dialogSize(m.win, fyne.NewSize(340, 0)))
	d.Show()
	m.win.Canvas().Focus(e)
}

// renameGroup renames a group for all its members.
func (m *mainWindow) renameGroup(acct, group string) {
	m.askNewGroup(lang.L("Rename group"), group, func(name string) {
		if name == group {
			return
		}
		m.run(acct, lang.L("Group not renamed"), func(ctx context.Context, s *core.Session) error {
			return s.RenameGroup(ctx, group, name)
		}, nil)
	})
}

// showRequest is an incoming subscription request: who asks and their
// message; Approve (adding them back with a name and groups, and asking
// to see their presence: the seed's mutual procedure), Deny, or Later (it
// stays in Requests, across restarts).
func (m *mainWindow) showRequest(acct string, r history.Request) {
	v := m.views[acct]
	if v == nil {
		return
	}
	c, inRoster := v.contacts[r.From]
	who := widget.NewLabelWithStyle(safetext.Isolate(r.From), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	if inRoster && c.Name != "" {
		who.SetText(safetext.Isolate(c.Name) + " (" + safetext.Isolate(r.From) + ")")
	}
	intro := widget.NewLabel(lang.L("wants to see when you are online (your presence)."))
	intro.Wrapping = fyne.TextWrapWord
	items := []fyne.CanvasObject{who, intro}
	if msg := strings.TrimSpace(r.Message); msg != "" {
		q := widget.NewLabel(lang.L("Their message: “{{.Message}}”", map[string]any{"Message": safetext.Isolate(msg)}))
		q.Wrapping = fyne.TextWrapWord
		items = append(items, q)
	}
	if len(m.accounts) > 1 {
		items = append(items, widget.NewLabel(lang.L("To your account {{.Account}}", map[string]any{"Account": acct})))
	}
	addBack := widget.NewCheck(lang.L("Add them to my contacts too"), nil)
	addBack.SetChecked(!c.WeSee())
	var d *dialog.CustomDialog
	esc := func() { d.Hide() }
	name := widgets.NewEntry(esc)
	name.SetPlaceHolder(lang.L("Name (optional)"))
	groups := newGroupPicker(m.groupNames(), c.Groups, esc)
	extra := container.NewVBox(name, groups.box)
	if inRoster && c.InRoster {
		name.SetText(c.Name)
	}
	addBack.OnChanged = func(on bool) { widgets.SetVisible(extra, on) }
	if c.WeSee() {
		addBack.Hide() // already mutual on their side
		extra.Hide()
	}
	items = append(items, addBack, extra)
	errText := loginMessageLabel(widget.DangerImportance)
	items = append(items, errText)
	content := container.NewVBox(items...)
	busy := false
	answer := func(approve bool) {
		if busy {
			return
		}
		busy = true
		opt := core.ApproveOptions{AddBack: addBack.Checked && addBack.Visible(), Name: strings.TrimSpace(name.Text), Groups: groups.groups()}
		m.runQuiet(acct, func(ctx context.Context, s *core.Session) error {
			if approve {
				return s.ApproveSubscription(ctx, r.From, opt)
			}
			return s.DenySubscription(r.From)
		}, func(err error) {
			busy = false
			if err != nil {
				setFieldMessage(errText, lang.L("Not answered: {{.Reason}}", map[string]any{"Reason": Explain(err)}), content)
				return
			}
			if v := m.views[acct]; v != nil {
				delete(v.requests, r.From)
			}
			m.rebuild()
			d.Hide()
		})
	}
	approve := widget.NewButton(lang.L("Approve"), func() { answer(true) })
	approve.Importance = widget.HighImportance
	deny := widget.NewButton(lang.L("Deny"), func() { answer(false) })
	later := widget.NewButton(lang.L("Decide later"), func() { d.Hide() })
	d = dialog.NewCustomWithoutButtons(lang.L("Subscription request"), container.NewBorder(nil,
		container.NewHBox(later, layout.NewSpacer(), deny, approve), nil, nil, container.NewVScroll(content)), m.win)
	d.Resize(dialogSize(m.win, fyne.NewSize(460, 460)))
	m.requestDialog = d
	d.SetOnClosed(func() {
		if m.requestDialog == d {
			m.requestDialog = nil
		}
	})
	d.Show()
}

// runQuiet is run with the outcome handed to done instead of a dialog.
func (m *mainWindow) runQuiet(acct string, work func(context.Context, *core.Session) error, done func(error)) {
	v := m.views[acct]
	if v == nil {
		done(core.ErrNotConnected)
		return
	}
	s := v.session
	m.app.background(func() error {
		ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
		defer cancel()
		return work(ctx, s)
	}, func(err error) {
		if !m.closed {
			done(err)
		}
	})
}

// subAction is an action on a contact's presence subscription.
type subAction struct {
	label, fail string
	do          func(*core.Session) error
}

// subscriptionActions are the actions a contact's subscription allows,
// in both directions: see or stop seeing their presence, share or stop
// sharing ours (the contact menu and the info window offer the same).
func subscriptionActions(c core.Contact) []subAction {
	var out []subAction
	switch {
	case c.WeSee():
		out = append(out, subAction{lang.L("Stop seeing their presence"), lang.L("Subscription not cancelled"),
			func(s *core.Session) error { return s.Unsubscribe(c.JID) }})
	case c.PendingOut:
		out = append(out, subAction{lang.L("Cancel my request"), lang.L("Request not cancelled"),
			func(s *core.Session) error { return s.Unsubscribe(c.JID) }})
	default:
		out = append(out, subAction{lang.L("Ask to see their presence"), lang.L("Request not sent"),
			func(s *core.Session) error { return s.RequestSubscription(c.JID, "") }})
	}
	if c.SeesUs() {
		out = append(out, subAction{lang.L("Stop sharing my presence"), lang.L("Presence still shared"),
			func(s *core.Session) error { return s.RevokeSubscription(c.JID) }})
	} else if !c.Approved {
		out = append(out, subAction{lang.L("Let them see my presence"), lang.L("Presence not shared"),
			func(s *core.Session) error {
				if c.PendingIn {
					return s.ApproveSubscription(context.Background(), c.JID, core.ApproveOptions{})
				}
				return s.PreApprove(c.JID)
			}})
	}
	return out
}
