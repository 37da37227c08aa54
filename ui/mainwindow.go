package ui

import (
	"context"
	"errors"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/safetext"
	"github.com/causerie/causerie/core/xmpp"
)

// Preference keys of the main window.
const (
	prefShowOffline = "roster.showOffline"
	prefShowStatus  = "roster.showStatus"
	prefCollapsed   = "roster.collapsed"
)

// openChatHook, when set (by tests), sees every chat the main window opens
// before App.OpenChat does.
var openChatHook func(account, jid string)

// actionTimeout bounds a network action started from the main window.
const actionTimeout = 30 * time.Second

// mainWindow is the roster window: presence selector, connection state of
// each account, filter, and the roster tree with subscription requests.
//
// It keeps its own copy of each account's contacts and requests, updated
// from core events on Fyne's goroutine, and rebuilds the tree model
// (buildRosterModel) from it, coalescing bursts of events (a sign-in
// brings one presence per contact) into one rebuild.
type mainWindow struct {
	app *App
	win fyne.Window

	accounts []string // account JIDs, in the client's order
	views    map[string]*accountState

	presence    *widget.Select
	status      *widget.Entry
	priorityBtn *widget.Button
	states      *fyne.Container
	root        *fyne.Container
	filter      *widget.Entry
	showOffline *widget.Check
	tree        *rosterTree
	hint        *widget.Label

	model         *rosterModel
	collapsed     map[string]bool // branches the user closed
	offlinePref   bool
	statusPref    bool
	priority      int
	settingSelect bool // the selector is being set from core, not by a person
	rebuildQueued bool
	tickQueued    bool
	closed        bool
	// hidden: the last account was removed; the window waits, hidden,
	// for the welcome window to add one.
	hidden bool
	// visible: the window is shown (not hidden to the tray).
	visible bool
	// contactDialog and requestDialog are the open contact form and
	// subscription request dialog (contact_dialogs.go), for tests.
	contactDialog *contactForm
	requestDialog *dialog.CustomDialog
	// menu is the last context menu shown (tests use its items).
	menu *fyne.Menu
	// passwordDialog asks for a refused password (askPassword).
	passwordDialog *dialog.CustomDialog
	// trustDialog asks about a server's certificate (askTrust).
	trustDialog dialog.Dialog
	// avatars are the contacts' pictures, by account and JID.
	avatars map[ChatKey]fyne.Resource
}

// accountState is the main window's view of one account.
type accountState struct {
	jid      string
	session  *core.Session
	contacts map[string]core.Contact
	requests map[string]history.Request
	state    core.State
	err      error
	retry    core.RetryInfo

	label  *widget.Label
	signIn *widget.Button
	row    fyne.CanvasObject
}

var presenceShows = []core.Show{core.ShowAvailable, core.ShowChat, core.ShowAway, core.ShowXA, core.ShowDND, core.ShowInvisible, core.ShowOffline}

// presenceOption is a show's label in the selector.
func presenceOption(s core.Show) string {
	if s == core.ShowXA {
		return lang.L("Not available (xa)")
	}
	return showLabel(s)
}

// ShowMain opens the main window, or brings it to the front.
func (a *App) ShowMain() {
	if a.main != nil {
		a.main.hidden = false
		a.main.visible = true
		a.main.win.Show()
		a.main.win.RequestFocus()
		a.updateTitles()
		return
	}
	m := newMainWindow(a)
	a.main = m
	m.visible = true
	m.win.Show()
	a.updateTitles()
	a.trace("main window shown")
}

func newMainWindow(a *App) *mainWindow {
	prefs := a.FyneApp.Preferences()
	m := &mainWindow{
		app:         a,
		win:         a.FyneApp.NewWindow("Causerie"),
		views:       map[string]*accountState{},
		avatars:     map[ChatKey]fyne.Resource{},
		collapsed:   map[string]bool{},
		offlinePref: prefs.BoolWithFallback(prefShowOffline, false),
		statusPref:  prefs.BoolWithFallback(prefShowStatus, true),
	}
	for _, uid := range prefs.StringList(prefCollapsed) {
		m.collapsed[uid] = true
	}

	// Presence: selector, priority, status message.
	var opts []string
	for _, s := range presenceShows {
		opts = append(opts, presenceOption(s))
	}
	m.presence = widget.NewSelect(opts, m.presenceChosen)
	m.priorityBtn = widget.NewButtonWithIcon("", theme.MoreVerticalIcon(), m.showPriority)
	m.status = widget.NewEntry()
	m.status.SetPlaceHolder(lang.L("Status message (Enter to apply)"))
	m.status.OnSubmitted = func(string) { m.applyStatus() }
	m.states = container.NewVBox()

	// Filter and the offline toggle.
	m.filter = widget.NewEntry()
	m.filter.SetPlaceHolder(lang.L("Filter contacts"))
	m.filter.ActionItem = widget.NewIcon(theme.SearchIcon())
	m.filter.OnChanged = func(string) { m.rebuild() }
	m.filter.OnSubmitted = func(string) { m.openFirstMatch() }
	m.showOffline = widget.NewCheck(lang.L("Show offline"), m.setShowOffline)
	m.showOffline.Checked = m.offlinePref

	// The roster.
	m.model = buildRosterModel(nil, "", false)
	m.tree = newRosterTree()
	m.tree.ChildUIDs = func(uid string) []string { return m.model.children[uid] }
	m.tree.IsBranch = func(uid string) bool { return m.model.isBranch(uid) }
	m.tree.CreateNode = m.createNode
	m.tree.UpdateNode = m.updateNode
	m.tree.OnSelected = func(uid string) { m.tree.sel = uid }
	m.tree.OnUnselected = func(uid string) {
		if m.tree.sel == uid {
			m.tree.sel = ""
		}
	}
	m.tree.OnBranchOpened = func(uid string) { m.setCollapsed(uid, false) }
	m.tree.OnBranchClosed = func(uid string) { m.setCollapsed(uid, true) }
	m.tree.onEnter = m.activate
	m.tree.visible = m.visibleRows
	m.hint = widget.NewLabel("")
	m.hint.Alignment = fyne.TextAlignCenter
	m.hint.Wrapping = fyne.TextWrapWord
	m.hint.Importance = widget.LowImportance
	m.hint.Hide()

	top := container.NewVBox(
		container.NewBorder(nil, nil, nil, m.priorityBtn, m.presence),
		m.status,
		m.states,
		container.NewBorder(nil, nil, nil, m.showOffline, m.filter),
	)
	m.root = container.NewBorder(top, nil, nil, nil,
		container.NewStack(m.tree, container.NewPadded(container.NewVBox(m.hint))))
	m.win.SetContent(m.root)
	m.win.Resize(fyne.NewSize(340, 600))
	m.setupMenu()
	m.win.Canvas().SetOnTypedKey(func(e *fyne.KeyEvent) {
		if (e.Name == fyne.KeyReturn || e.Name == fyne.KeyEnter) && m.tree.sel != "" {
			m.activate(m.tree.sel)
		}
	})
	m.win.SetCloseIntercept(m.closeRequested)
	m.win.SetOnClosed(func() {
		m.closed = true
		if a.main == m {
			a.main = nil
		}
		// Without a tray, the roster is the application (as in Pidgin
		// and Dino): closing it quits, chats included.
		a.FyneApp.Quit()
	})

	// The roster from the cache, before any network answer.
	m.syncAccounts()
	m.rebuild()
	if len(m.accounts) > 0 {
		p := m.views[m.accounts[0]].session.Presence()
		m.priority = p.Priority
		m.status.SetText(p.Status)
	}
	m.updatePresenceSelector()
	return m
}

// closeRequested is the window's close button: with a tray icon it hides
// the contact list and the app goes on (Quit is in the tray's menu and
// Ctrl+Q); without, it quits.
func (m *mainWindow) closeRequested() {
	if m.app.tray != nil {
		m.win.Hide()
		m.visible = false
		m.app.updateTray(m.app.UnreadTotal())
		return
	}
	m.win.Close()
}

// setupMenu installs the main menu and its keyboard shortcuts.
func (m *mainWindow) setupMenu() {
	ctrl := func(k fyne.KeyName) *desktop.CustomShortcut {
		return &desktop.CustomShortcut{KeyName: k, Modifier: fyne.KeyModifierShortcutDefault}
	}
	accounts := fyne.NewMenuItem(lang.L("Accounts…"), m.app.ShowAccounts)
	accounts.Shortcut = &desktop.CustomShortcut{KeyName: fyne.KeyA, Modifier: fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift}
	add := fyne.NewMenuItem(lang.L("Add contact…"), m.showAddContact)
	add.Shortcut = ctrl(fyne.KeyN)
	add.Icon = theme.ContentAddIcon()
	find := fyne.NewMenuItem(lang.L("Find contact"), m.focusFilter)
	find.Shortcut = ctrl(fyne.KeyF)
	find.Icon = theme.SearchIcon()
	prefs := fyne.NewMenuItem(lang.L("Preferences…"), m.app.ShowPreferences)
	prefs.Icon = theme.SettingsIcon()
	quit := fyne.NewMenuItem(lang.L("Quit"), m.app.FyneApp.Quit)
	quit.IsQuit = true
	quit.Shortcut = ctrl(fyne.KeyQ)
	about := fyne.NewMenuItem(lang.L("About Causerie"), m.showAbout)
	m.win.SetMainMenu(fyne.NewMainMenu(
		fyne.NewMenu(lang.L("Causerie"), accounts, add, find, fyne.NewMenuItemSeparator(), prefs, fyne.NewMenuItemSeparator(), quit),
		fyne.NewMenu(lang.L("Help"), about),
	))
	// The menu's shortcuts work from the native menu bar; these make them
	// work wherever the menu is drawn in the window, and in tests.
	for _, it := range []*fyne.MenuItem{accounts, add, find, quit} {
		action := it.Action
		m.win.Canvas().AddShortcut(it.Shortcut, func(fyne.Shortcut) { action() })
	}
}

func (m *mainWindow) focusFilter() { m.win.Canvas().Focus(m.filter) }

// handle runs on Fyne's goroutine.
func (m *mainWindow) handle(e core.Event) {
	if m.closed {
		return
	}
	if _, ok := e.(core.AccountsChanged); ok {
		m.accountsChanged()
		return
	}
	acct := core.AccountOf(e)
	v := m.views[acct]
	if v == nil {
		m.syncAccounts()
		if v = m.views[acct]; v == nil {
			return
		}
	}
	switch e := e.(type) {
	case core.ConnectionStateChanged:
		v.state, v.err, v.retry = e.State, e.Err, e.Retry
		m.updateState(v)
		m.updatePresenceSelector()
		m.scheduleRebuild() // whether presence is known changed
	case core.RosterChanged:
		for _, c := range e.Contacts {
			if c.InRoster {
				v.contacts[c.JID] = c
			} else {
				delete(v.contacts, c.JID)
			}
			if !c.PendingIn {
				delete(v.requests, c.JID) // answered (here or elsewhere)
			}
		}
		for _, jid := range e.Removed {
			delete(v.contacts, jid)
		}
		m.scheduleRebuild()
	case core.PresenceChanged:
		if _, ok := v.contacts[e.Contact.JID]; ok {
			v.contacts[e.Contact.JID] = e.Contact
			m.scheduleRebuild()
		}
	case core.SubscriptionRequested:
		v.requests[e.Request.From] = e.Request
		m.setCollapsed(requestsUID, false)
		m.scheduleRebuild()
	case core.SubscriptionChanged:
		if e.Kind == "unsubscribe" && v.requests[e.JID].From != "" {
			delete(v.requests, e.JID) // they withdrew their request
			m.scheduleRebuild()
		}
	case core.OwnPresenceChanged:
		m.updatePresenceSelector()
	case core.AvatarChanged:
		m.loadAvatar(v.session, e.JID)
	case core.MessageReceived:
		if e.Message.Direction == history.In {
			m.scheduleRebuild() // an offline contact with unread messages shows
		}
	}
}

// loadAvatars reads the cached pictures of an account's contacts (off
// the UI goroutine: they are in the history database).
func (m *mainWindow) loadAvatars(s *core.Session) {
	acct := s.Account().JID
	found := map[ChatKey]fyne.Resource{}
	m.app.background(func() error {
		for _, c := range s.Roster().Contacts() {
			if data, ok := s.Avatar(c.JID); ok && len(data) > 0 {
				found[ChatKey{acct, c.JID}] = fyne.NewStaticResource("avatar-"+acct+"-"+c.JID, data)
			}
		}
		return nil
	}, func(error) {
		for k, r := range found {
			m.avatars[k] = r
		}
		if len(found) > 0 {
			m.scheduleRebuild()
		}
	})
}

// loadAvatar reads one contact's new picture.
func (m *mainWindow) loadAvatar(s *core.Session, jid string) {
	k := ChatKey{s.Account().JID, jid}
	var res fyne.Resource
	m.app.background(func() error {
		if data, ok := s.Avatar(jid); ok && len(data) > 0 {
			res = fyne.NewStaticResource("avatar-"+k.Account+"-"+jid+"-"+strconv.Itoa(len(data)), data)
		}
		return nil
	}, func(error) {
		if res == nil {
			delete(m.avatars, k)
		} else {
			m.avatars[k] = res
		}
		m.scheduleRebuild()
	})
}

// accountsChanged follows added, changed and removed accounts. When the
// last one is gone the window hides and the welcome window shows.
func (m *mainWindow) accountsChanged() {
	m.syncAccounts()
	m.rebuild()
	if len(m.accounts) == 0 {
		m.hidden = true
		m.win.Hide()
		m.app.ShowLogin()
	} else if m.hidden {
		m.hidden = false
		m.win.Show()
	}
}

// unreadChanged runs on Fyne's goroutine when a conversation was read.
func (m *mainWindow) unreadChanged(k ChatKey) {
	if !m.closed {
		m.scheduleRebuild()
	}
}

// syncAccounts follows the client's accounts (added from the sign-in
// window, or removed).
func (m *mainWindow) syncAccounts() {
	sessions := m.app.Client.Sessions()
	m.accounts = m.accounts[:0]
	keep := map[string]bool{}
	for _, s := range sessions {
		jid := s.Account().JID
		keep[jid] = true
		m.accounts = append(m.accounts, jid)
		if m.views[jid] != nil {
			continue
		}
		v := &accountState{jid: jid, session: s, contacts: map[string]core.Contact{}, requests: map[string]history.Request{}}
		for _, c := range s.Roster().Contacts() {
			v.contacts[c.JID] = c
		}
		v.state, v.err = s.State()
		m.loadAvatars(s)
		v.label = widget.NewLabel("")
		v.label.Wrapping = fyne.TextWrapWord
		v.signIn = widget.NewButton(lang.L("Sign in again"), func() { m.signInAgain(v) })
		v.row = container.NewBorder(nil, nil, nil, container.NewCenter(v.signIn), v.label)
		m.views[jid] = v
		// Requests are in the history store: read off the UI goroutine.
		m.app.background(func() error {
			reqs, err := s.PendingRequests()
			if err == nil {
				m.app.do(func() {
					for _, r := range reqs {
						if _, ok := v.requests[r.From]; !ok {
							v.requests[r.From] = r
						}
					}
					m.scheduleRebuild()
				})
			}
			return err
		}, func(error) {})
	}
	for jid := range m.views {
		if !keep[jid] {
			delete(m.views, jid)
		}
	}
	m.states.Objects = m.states.Objects[:0]
	for _, jid := range m.accounts {
		v := m.views[jid]
		m.updateState(v)
		m.states.Objects = append(m.states.Objects, v.row)
	}
	m.relayout()
}

// updateState shows an account's connection state.
func (m *mainWindow) updateState(v *accountState) {
	text, imp := accountStateText(v.state, v.err)
	if v.state == core.StateReconnecting {
		if secs := int(math.Ceil(time.Until(v.retry.At).Seconds())); !v.retry.At.IsZero() && secs > 0 {
			text = lang.L("Reconnecting in {{.Seconds}} s…", map[string]any{"Seconds": secs})
			m.scheduleTick()
		}
	}
	if len(m.accounts) > 1 {
		text = v.jid + ": " + text
	}
	signIn := v.state == core.StateOffline && v.err != nil
	if v.label.Text == text && v.label.Importance == imp && v.signIn.Visible() == signIn {
		return
	}
	v.label.Importance = imp
	v.label.SetText(text)
	setVisible(v.signIn, signIn)
	m.relayout()
}

// relayout lays the window out again after the state lines changed
// height (a container does not tell its parent that its size changed).
func (m *mainWindow) relayout() {
	if m.root != nil {
		m.root.Refresh()
	}
}

// scheduleTick refreshes the reconnection countdowns in a second.
func (m *mainWindow) scheduleTick() {
	if m.tickQueued {
		return
	}
	m.tickQueued = true
	time.AfterFunc(time.Second, func() {
		m.app.do(func() {
			m.tickQueued = false
			if m.closed {
				return
			}
			for _, v := range m.views {
				if v.state == core.StateReconnecting {
					m.updateState(v)
				}
			}
		})
	})
}

// signInAgain retries an account that went offline with an error: the
// sign-in window when the person must act (password, certificate), else a
// new connection.
func (m *mainWindow) signInAgain(v *accountState) {
	switch core.Classify(v.err) {
	case core.ProblemWrongPassword, core.ProblemPasswordNeeded, core.ProblemKeyring:
		m.askPassword(v)
		return
	case core.ProblemCertificate:
		if ce, ok := core.CertificateOf(v.err); ok {
			m.askTrust(v, ce)
			return
		}
		m.app.ShowLogin()
		return
	case core.ProblemAccountDisabled, core.ProblemInvalidAddress:
		m.app.ShowLogin()
		return
	}
	s := v.session
	m.app.background(func() error { s.Connect(); return nil }, func(error) {})
}

// askTrust asks whether to trust the certificate an account's server
// presented: for the first time, or changed since it was pinned (then the
// dialog says so and shows the old fingerprints too). Trusting pins it in
// place of the old ones and signs in.
func (m *mainWindow) askTrust(v *accountState, ce *xmpp.CertificateError) {
	fp := xmpp.FormatFingerprint(ce.Fingerprint)
	domain := ce.Domain
	if domain == "" {
		domain = loginDomain(v.jid)
	}
	s := v.session
	m.trustDialog = showCertificateDialog(m.win, domain, fp, pinnedFingerprints(ce), func(trust bool) {
		m.trustDialog = nil
		if !trust {
			return
		}
		m.app.background(func() error {
			if err := m.app.Client.TrustCertificate(s.Account().JID, fp); err != nil {
				return err
			}
			s.Connect()
			return nil
		}, func(err error) {
			if err != nil && !m.closed {
				dialog.ShowInformation(lang.L("Certificate not saved"),
					lang.L("Causerie could not save the account on this computer. Check that your configuration folder can be written to, then try again."), m.win)
			}
		})
	})
}

// askPassword asks for an account's password (it was refused, or is not
// known) and signs in with it; "remember" stores it in the keyring.
func (m *mainWindow) askPassword(v *accountState) {
	s := v.session
	a := s.Account()
	var d *dialog.CustomDialog
	pw := newLoginEntry(func() { d.Hide() })
	pw.Password = true
	pw.ActionItem = newLoginRevealer(pw)
	remember := widget.NewCheck(lang.L("Remember password"), nil)
	remember.SetChecked(a.RememberPassword)
	why := widget.NewLabel(Explain(v.err))
	why.Wrapping = fyne.TextWrapWord
	msg := loginMessageLabel(widget.DangerImportance)
	content := container.NewVBox(why, pw, remember, msg)
	submit := func() {
		if pw.Text == "" {
			setFieldMessage(msg, lang.L("Type the password to sign in."), content)
			return
		}
		password, keep := pw.Text, remember.Checked
		d.Hide()
		m.app.background(func() error {
			s.SetPassword(password)
			var kerr error
			if keep != s.Account().RememberPassword || keep {
				ctx, cancel := context.WithTimeout(context.Background(), loginTimeout)
				defer cancel()
				kerr = s.RememberPassword(ctx, keep)
			}
			s.Connect()
			return kerr
		}, func(err error) {
			if err != nil && !m.closed {
				dialog.ShowInformation(lang.L("Password not remembered"),
					lang.L("Signing in with it, but the system keyring could not store it: Causerie will ask again next time."), m.win)
			}
		})
	}
	pw.OnSubmitted = func(string) { submit() }
	ok := widget.NewButton(lang.L("Sign in"), submit)
	ok.Importance = widget.HighImportance
	d = dialog.NewCustomWithoutButtons(lang.L("Password for {{.Account}}", map[string]any{"Account": a.JID}),
		container.NewBorder(nil, container.NewHBox(layout.NewSpacer(), widget.NewButton(lang.L("Cancel"), func() { d.Hide() }), ok), nil, nil, content), m.win)
	d.Resize(fyne.NewSize(400, 0))
	m.passwordDialog = d
	d.Show()
	m.win.Canvas().Focus(pw)
}

// scheduleRebuild rebuilds the tree once the events queued now have run.
func (m *mainWindow) scheduleRebuild() {
	if m.rebuildQueued {
		return
	}
	m.rebuildQueued = true
	m.app.do(func() {
		m.rebuildQueued = false
		if !m.closed {
			m.rebuild()
		}
	})
}

// accountViews snapshots the accounts for the model.
func (m *mainWindow) accountViews() []accountView {
	unread := map[string]map[string]int{}
	for k, n := range m.app.unread {
		if unread[k.Account] == nil {
			unread[k.Account] = map[string]int{}
		}
		unread[k.Account][k.JID] = n
	}
	out := make([]accountView, 0, len(m.accounts))
	for _, jid := range m.accounts {
		v := m.views[jid]
		av := accountView{JID: jid, Name: v.session.Account().DisplayName, Unread: unread[jid], PresenceKnown: v.state == core.StateOnline}
		av.Contacts = make([]core.Contact, 0, len(v.contacts))
		for _, c := range v.contacts {
			av.Contacts = append(av.Contacts, c)
		}
		for _, r := range v.requests {
			av.Requests = append(av.Requests, r)
		}
		sort.Slice(av.Requests, func(i, j int) bool {
			if !av.Requests[i].At.Equal(av.Requests[j].At) {
				return av.Requests[i].At.Before(av.Requests[j].At)
			}
			return av.Requests[i].From < av.Requests[j].From
		})
		out = append(out, av)
	}
	return out
}

// rebuild recomputes the roster model and refreshes the tree (it is
// virtualised: only the rows on screen are updated).
func (m *mainWindow) rebuild() {
	views := m.accountViews()
	m.model = buildRosterModel(views, m.filter.Text, m.offlinePref)
	if m.app.Trace != nil {
		total, online := 0, 0
		for _, v := range views {
			total += len(v.Contacts)
			for _, c := range v.Contacts {
				if c.Online() {
					online++
				}
			}
		}
		m.app.trace("roster %d contacts %d online", total, online)
	}
	for uid := range m.model.children {
		if uid != "" && !m.collapsed[uid] && !m.tree.IsBranchOpen(uid) {
			m.tree.OpenBranch(uid)
		}
	}
	m.tree.Refresh()

	filter := strings.TrimSpace(m.filter.Text)
	switch {
	case len(m.model.children[""]) > 0:
		m.hint.Hide()
	case m.model.contacts == 0:
		m.hint.SetText(lang.L("No contacts yet. Add one with Causerie → Add contact… (Ctrl+N)."))
		m.hint.Show()
	case filter != "":
		m.hint.SetText(lang.L("No contact matches “{{.Filter}}”.", map[string]any{"Filter": filter}))
		m.hint.Show()
	default:
		m.hint.SetText(lang.L("Nobody is online. Tick “Show offline” to see all your contacts."))
		m.hint.Show()
	}

	title := "Causerie"
	if n := m.app.UnreadTotal(); n > 0 {
		title = "Causerie (" + strconv.Itoa(n) + ")"
	}
	if m.win.Title() != title {
		m.win.SetTitle(title)
	}
}

// visibleRows lists the tree's rows in display order.
func (m *mainWindow) visibleRows() []string {
	var out []string
	var walk func(string)
	walk = func(uid string) {
		for _, c := range m.model.children[uid] {
			out = append(out, c)
			if m.model.isBranch(c) && m.tree.IsBranchOpen(c) {
				walk(c)
			}
		}
	}
	walk("")
	return out
}

func (m *mainWindow) setCollapsed(uid string, c bool) {
	if m.collapsed[uid] == c {
		return
	}
	if c {
		m.collapsed[uid] = true
	} else {
		delete(m.collapsed, uid)
	}
	list := make([]string, 0, len(m.collapsed))
	for k := range m.collapsed {
		list = append(list, k)
	}
	sort.Strings(list)
	m.app.FyneApp.Preferences().SetStringList(prefCollapsed, list)
}

func (m *mainWindow) setShowOffline(b bool) {
	if b == m.offlinePref {
		return
	}
	m.offlinePref = b
	m.app.FyneApp.Preferences().SetBool(prefShowOffline, b)
	m.showOffline.SetChecked(b)
	m.rebuild()
}

func (m *mainWindow) setShowStatus(b bool) {
	if b == m.statusPref {
		return
	}
	m.statusPref = b
	m.app.FyneApp.Preferences().SetBool(prefShowStatus, b)
	m.tree.Refresh()
}

func (m *mainWindow) createNode(branch bool) fyne.CanvasObject {
	if branch {
		return newBranchLabel(m)
	}
	return newRosterRow(m)
}

func (m *mainWindow) updateNode(uid string, branch bool, o fyne.CanvasObject) {
	n := m.model.nodes[uid]
	if n == nil {
		return
	}
	if branch {
		b, ok := o.(*branchLabel)
		if !ok {
			return
		}
		b.uid = uid
		l := &b.Label
		switch n.kind {
		case nodeRequests:
			l.SetText(lang.L("Requests ({{.Count}})", map[string]any{"Count": n.total}))
		case nodeAccount:
			l.SetText(lang.L("{{.Name}} ({{.Online}}/{{.Total}})", map[string]any{"Name": n.label, "Online": n.online, "Total": n.total}))
		default:
			g := n.group
			if g == "" {
				g = lang.L("Contacts")
			}
			l.SetText(lang.L("{{.Name}} ({{.Online}}/{{.Total}})", map[string]any{"Name": safetext.Isolate(g), "Online": n.online, "Total": n.total}))
		}
		return
	}
	r, ok := o.(*rosterRow)
	if !ok {
		return
	}
	r.uid, r.kind = uid, n.kind
	switch n.kind {
	case nodeRequest:
		r.name, r.show, r.known, r.unread = safetext.Isolate(n.request.From), core.ShowOffline, false, 0
		if v := m.views[n.account]; v != nil {
			if c, ok := v.contacts[n.request.From]; ok && c.Name != "" {
				r.name = safetext.Isolate(c.Name) + " (" + safetext.Isolate(c.JID) + ")"
			}
		}
		r.status = lang.L("Wants to see your presence")
		if msg := strings.TrimSpace(n.request.Message); msg != "" {
			r.status = "“" + safetext.Isolate(msg) + "”"
		}
		if len(m.accounts) > 1 {
			r.status = lang.L("{{.Text}} (to {{.Account}})", map[string]any{"Text": r.status, "Account": n.account})
		}
	default:
		c := n.contact
		r.name, r.show = safetext.Isolate(c.DisplayName()), c.Show()
		r.known = m.views[n.account] != nil && m.views[n.account].state == core.StateOnline
		r.unread = m.app.Unread(ChatKey{n.account, c.JID})
		r.avatar = m.avatars[ChatKey{n.account, c.JID}]
		r.status = m.secondary(c)
	}
	r.Refresh()
}

// secondary is a contact row's second line: a subscription hint when the
// subscription needs attention, else the status message (or the
// availability when there is none).
func (m *mainWindow) secondary(c core.Contact) string {
	switch {
	case c.PendingIn:
		return lang.L("Wants to see your presence")
	case !c.WeSee() && c.PendingOut:
		return lang.L("Waiting for approval")
	case c.Subscription == core.SubFrom:
		return lang.L("Sees your presence; does not share theirs")
	case c.Subscription == core.SubNone || c.Subscription == "":
		return lang.L("Presence not shared")
	}
	r, ok := c.Best()
	if !ok || !m.statusPref {
		return ""
	}
	if s := strings.TrimSpace(r.Status); s != "" {
		return safetext.Isolate(strings.Join(strings.Fields(s), " "))
	}
	if r.Show != core.ShowAvailable {
		return showLabel(r.Show)
	}
	return ""
}

// rowTapped selects a row and focuses the tree, as Fyne's Tree does.
func (m *mainWindow) rowTapped(uid string) {
	m.tree.Select(uid)
	if c := m.win.Canvas(); c != nil && c.Focused() != m.tree {
		c.Focus(m.tree)
	}
}

// activate is a double tap or Enter on a row: a contact opens its chat, a
// group opens or closes.
func (m *mainWindow) activate(uid string) {
	n := m.model.nodes[uid]
	if n == nil {
		return
	}
	switch n.kind {
	case nodeContact:
		m.openChat(n.account, n.contact.JID)
	case nodeRequest:
		m.showRequest(n.account, n.request)
	case nodeAccount, nodeGroup, nodeRequests:
		m.tree.ToggleBranch(uid)
	}
}

func (m *mainWindow) openChat(account, jid string) {
	if openChatHook != nil {
		openChatHook(account, jid)
	}
	m.app.OpenChat(account, jid)
}

// openFirstMatch is Enter in the filter: the selected contact if shown,
// else the first one.
func (m *mainWindow) openFirstMatch() {
	if n := m.model.nodes[m.tree.sel]; n != nil && n.kind == nodeContact {
		m.activate(m.tree.sel)
		return
	}
	if m.model.first != "" {
		m.activate(m.model.first)
	}
}

// rowMenu is a row's context menu: a contact's, a request's or a
// group's.
func (m *mainWindow) rowMenu(uid string, pos fyne.Position) {
	n := m.model.nodes[uid]
	if n == nil {
		return
	}
	var items []*fyne.MenuItem
	switch n.kind {
	case nodeContact:
		items = m.contactMenu(n)
	case nodeRequest:
		acct, r := n.account, n.request
		items = []*fyne.MenuItem{fyne.NewMenuItem(lang.L("Answer…"), func() { m.showRequest(acct, r) })}
	case nodeGroup:
		if n.group == "" {
			return
		}
		acct, g := n.account, n.group
		items = []*fyne.MenuItem{fyne.NewMenuItem(lang.L("Rename group…"), func() { m.renameGroup(acct, g) })}
	default:
		return
	}
	m.tree.Select(uid)
	m.menu = fyne.NewMenu("", items...)
	widget.ShowPopUpMenuAtPosition(m.menu, m.win.Canvas(), pos)
}

// contactMenu is a contact's context menu: chat, edit, groups, the
// subscription in both directions, copy, remove.
func (m *mainWindow) contactMenu(n *rosterNode) []*fyne.MenuItem {
	c, acct, from := n.contact, n.account, n.group
	items := []*fyne.MenuItem{
		fyne.NewMenuItem(lang.L("Open chat"), func() { m.openChat(acct, c.JID) }),
		fyne.NewMenuItem(lang.L("Contact info…"), func() { m.app.ShowContactInfo(acct, c.JID) }),
		fyne.NewMenuItem(lang.L("Edit…"), func() { m.showEditContact(acct, c) }),
	}
	// Move to another group (the one this row is in is left).
	var moves []*fyne.MenuItem
	for _, g := range m.groupNames() {
		if g == from {
			continue
		}
		moves = append(moves, fyne.NewMenuItem(g, func() { m.moveToGroup(acct, c, from, g) }))
	}
	moves = append(moves, fyne.NewMenuItemSeparator(), fyne.NewMenuItem(lang.L("New group…"), func() {
		m.askNewGroup(lang.L("Move to a new group"), "", func(g string) { m.moveToGroup(acct, c, from, g) })
	}))
	if from != "" {
		moves = append(moves, fyne.NewMenuItem(lang.L("No group"), func() { m.moveToGroup(acct, c, from, "") }))
	}
	move := fyne.NewMenuItem(lang.L("Move to group"), nil)
	move.ChildMenu = fyne.NewMenu("", moves...)
	items = append(items, move, fyne.NewMenuItemSeparator())
	for _, a := range subscriptionActions(c) {
		items = append(items, fyne.NewMenuItem(a.label, func() {
			m.run(acct, a.fail, func(_ context.Context, s *core.Session) error { return a.do(s) }, nil)
		}))
	}
	items = append(items,
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem(lang.L("Copy address"), func() { m.app.FyneApp.Clipboard().SetContent(c.JID) }),
		fyne.NewMenuItem(lang.L("Remove contact…"), func() { m.confirmRemove(acct, c) }),
	)
	return items
}

func (m *mainWindow) confirmRemove(acct string, c core.Contact) {
	msg := lang.L("Remove {{.Name}} from your contacts? You will no longer see each other's presence.", map[string]any{"Name": safetext.Isolate(c.DisplayName())})
	dialog.ShowConfirm(lang.L("Remove contact"), msg, func(ok bool) {
		if ok {
			m.run(acct, lang.L("Contact not removed"), func(ctx context.Context, s *core.Session) error {
				return s.RemoveContact(ctx, c.JID)
			}, nil)
		}
	}, m.win)
}

// run does a network action of an account in the background; a failure is
// explained in a dialog titled failTitle, success calls ok (may be nil).
func (m *mainWindow) run(acct, failTitle string, work func(context.Context, *core.Session) error, ok func()) {
	m.runQuiet(acct, work, func(err error) {
		if err != nil {
			dialog.ShowInformation(failTitle, Explain(err), m.win)
			return
		}
		if ok != nil {
			ok()
		}
	})
}

// answerRequest is Approve (adding them back and asking to see their
// presence, the mutual default of Gajim and Dino) or Deny.
func (m *mainWindow) answerRequest(uid string, approve bool) {
	n := m.model.nodes[uid]
	if n == nil || n.kind != nodeRequest {
		return
	}
	acct, from := n.account, n.request.From
	done := func() {
		if v := m.views[acct]; v != nil {
			delete(v.requests, from)
		}
		m.rebuild()
	}
	if approve {
		m.run(acct, lang.L("Request not approved"), func(ctx context.Context, s *core.Session) error {
			return s.ApproveSubscription(ctx, from, core.ApproveOptions{AddBack: true})
		}, done)
		return
	}
	m.run(acct, lang.L("Request not denied"), func(_ context.Context, s *core.Session) error {
		return s.DenySubscription(from)
	}, done)
}

// currentShow is what the selector shows: the first connected account's
// chosen presence, or offline.
func (m *mainWindow) currentShow() core.Show {
	for _, jid := range m.accounts {
		v := m.views[jid]
		if v.state != core.StateOffline {
			return v.session.Presence().Show
		}
	}
	return core.ShowOffline
}

func (m *mainWindow) updatePresenceSelector() {
	m.settingSelect = true
	m.presence.SetSelected(presenceOption(m.currentShow()))
	m.settingSelect = false
}

// presenceChosen applies a presence picked in the selector to every
// account.
func (m *mainWindow) presenceChosen(label string) {
	if m.settingSelect {
		return
	}
	for _, s := range presenceShows {
		if presenceOption(s) == label {
			m.applyPresence(s)
			return
		}
	}
}

// applyStatus is Enter in the status message.
func (m *mainWindow) applyStatus() {
	if show := m.selectedShow(); show != core.ShowOffline {
		m.applyPresence(show)
	}
}

func (m *mainWindow) selectedShow() core.Show {
	for _, s := range presenceShows {
		if presenceOption(s) == m.presence.Selected {
			return s
		}
	}
	return core.ShowOffline
}

func (m *mainWindow) applyPresence(show core.Show) {
	p := core.Presence{Show: show, Status: strings.TrimSpace(m.status.Text), Priority: m.priority}
	for _, jid := range m.accounts {
		s := m.views[jid].session
		m.app.background(func() error {
			ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
			defer cancel()
			return s.SetPresence(ctx, p)
		}, func(err error) {
			if m.closed || err == nil {
				return
			}
			if errors.Is(err, core.ErrInvisibleUnsupported) {
				dialog.ShowInformation(lang.L("Invisible"), lang.L("This server does not support being invisible."), m.win)
			} else {
				dialog.ShowInformation(lang.L("Presence not changed"), Explain(err), m.win)
			}
			m.updatePresenceSelector() // back to what core has
		})
	}
}

// showPriority asks for the presence priority.
func (m *mainWindow) showPriority() {
	e := widget.NewEntry()
	e.SetText(strconv.Itoa(m.priority))
	e.Validator = func(s string) error {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < -128 || n > 127 {
			return errors.New(lang.L("A number from -128 to 127."))
		}
		return nil
	}
	help := widget.NewLabel(lang.L("When you are signed in from several places, messages go to the one with the highest priority. A negative priority receives no messages sent to your address."))
	help.Wrapping = fyne.TextWrapWord
	help.Importance = widget.LowImportance
	items := []*widget.FormItem{widget.NewFormItem(lang.L("Priority"), e), widget.NewFormItem("", help)}
	d := dialog.NewForm(lang.L("Presence priority"), lang.L("Apply"), lang.L("Cancel"), items, func(ok bool) {
		if !ok {
			return
		}
		n, _ := strconv.Atoi(strings.TrimSpace(e.Text))
		m.priority = n
		if show := m.selectedShow(); show != core.ShowOffline {
			m.applyPresence(show)
		}
	}, m.win)
	d.Resize(fyne.NewSize(320, 260))
	d.Show()
}

// groupNames lists the groups of all accounts, for the add-contact form.
func (m *mainWindow) groupNames() []string {
	set := map[string]bool{}
	for _, v := range m.views {
		for _, c := range v.contacts {
			for _, g := range c.Groups {
				set[g] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for g := range set {
		out = append(out, g)
	}
	sort.Strings(out)
	return out
}

func (m *mainWindow) showAbout() {
	dialog.ShowInformation(lang.L("About Causerie"),
		lang.L("Causerie {{.Version}}: a chat client for XMPP.", map[string]any{"Version": m.app.Version}), m.win)
}
