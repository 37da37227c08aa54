package ui

import (
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/muc"
	"github.com/causerie/causerie/ui/recent"
	"github.com/causerie/causerie/ui/roster"
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
// (roster.Build) from it, coalescing bursts of events (a sign-in
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
	tree        *roster.Tree
	hint        *widget.Label
	// tabs: Chats (the recent conversations) and Contacts (the roster).
	tabs       *container.AppTabs
	recent     *recent.Model
	recentKeys []recent.Key // the list's rows
	recentList *widget.List
	recentHint *widget.Label

	model         *roster.Model
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

// ShowMain opens the main window, or brings it to the front.
func (a *App) ShowMain() {
	if a.main != nil {
		a.main.hidden = false
		a.main.visible = true
		a.main.win.Show()
		a.main.win.RequestFocus()
		a.updateTitles()
		a.windowShownNow()
		return
	}
	m := newMainWindow(a)
	a.main = m
	m.visible = true
	m.win.Show()
	a.updateTitles()
	a.windowShownNow()
	a.trace("main window shown")
}

func newMainWindow(a *App) *mainWindow {
	prefs := a.FyneApp.Preferences()
	m := &mainWindow{
		app:         a,
		win:         a.newWindow("Causerie"),
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
	m.model = roster.Build(nil, "", false)
	m.tree = roster.NewTree()
	m.tree.ChildUIDs = func(uid string) []string { return m.model.Children[uid] }
	m.tree.IsBranch = func(uid string) bool { return m.model.IsBranch(uid) }
	m.tree.CreateNode = m.createNode
	m.tree.UpdateNode = m.updateNode
	m.tree.OnBranchOpened = func(uid string) { m.setCollapsed(uid, false) }
	m.tree.OnBranchClosed = func(uid string) { m.setCollapsed(uid, true) }
	m.tree.OnEnter = m.activate
	m.tree.Rows = m.visibleRows
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
	contacts := container.NewStack(m.tree, container.NewPadded(container.NewVBox(m.hint)))
	m.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon(lang.L("Chats"), theme.MailComposeIcon(), m.buildRecent()),
		container.NewTabItemWithIcon(lang.L("Contacts"), theme.AccountIcon(), contacts),
	)
	m.tabs.SelectIndex(min(max(prefs.IntWithFallback(prefMainTab, 0), 0), 1))
	m.tabs.OnSelected = func(*container.TabItem) {
		a.FyneApp.Preferences().SetInt(prefMainTab, m.tabs.SelectedIndex())
	}
	m.root = container.NewBorder(top, nil, nil, nil, m.tabs)
	m.setupMenu()
	m.win.Canvas().SetOnTypedKey(func(e *fyne.KeyEvent) {
		if (e.Name == fyne.KeyReturn || e.Name == fyne.KeyEnter) && m.tree.Selected() != "" {
			m.activate(m.tree.Selected())
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

	// The roster from the cache, before any network answer, and the
	// conversations from the history; then the content is set, so that
	// the widgets are drawn once, with them (opening the roster's groups
	// in a tree already shown would lay it out again for each group).
	m.syncAccounts()
	m.rebuild()
	m.loadRecent()
	if len(m.accounts) > 0 {
		p := m.views[m.accounts[0]].session.Presence()
		m.priority = p.Priority
		m.status.SetText(p.Status)
	}
	m.updatePresenceSelector()
	m.win.SetContent(m.root)
	m.win.Resize(fyne.NewSize(340, 600))
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
		m.app.attentionChanged()
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
	join := fyne.NewMenuItem(lang.L("Join group chat…"), func() { m.app.ShowJoinRoom("", "", "") })
	join.Shortcut = ctrl(fyne.KeyJ)
	join.Icon = theme.AccountIcon()
	chats := fyne.NewMenuItem(lang.L("Chats"), func() { m.tabs.SelectIndex(0) })
	chats.Shortcut = ctrl(fyne.Key1)
	contacts := fyne.NewMenuItem(lang.L("Contacts"), func() { m.tabs.SelectIndex(1) })
	contacts.Shortcut = ctrl(fyne.Key2)
	find := fyne.NewMenuItem(lang.L("Find contact"), m.focusFilter)
	find.Shortcut = ctrl(fyne.KeyF)
	find.Icon = theme.SearchIcon()
	searchAll := fyne.NewMenuItem(lang.L("Search messages…"), func() { m.app.ShowSearch("", "") })
	searchAll.Shortcut = &desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift}
	searchAll.Icon = theme.SearchIcon()
	prefs := fyne.NewMenuItem(lang.L("Preferences…"), m.app.ShowPreferences)
	prefs.Icon = theme.SettingsIcon()
	quit := fyne.NewMenuItem(lang.L("Quit"), m.app.FyneApp.Quit)
	quit.IsQuit = true
	quit.Shortcut = ctrl(fyne.KeyQ)
	about := fyne.NewMenuItem(lang.L("About Causerie"), m.showAbout)
	m.win.SetMainMenu(fyne.NewMainMenu(
		fyne.NewMenu(lang.L("Causerie"), accounts, add, join, find, searchAll, fyne.NewMenuItemSeparator(), prefs, fyne.NewMenuItemSeparator(), quit),
		fyne.NewMenu(lang.L("View"), chats, contacts),
		fyne.NewMenu(lang.L("Help"), about),
	))
	// The menu's shortcuts work from the native menu bar; these make them
	// work wherever the menu is drawn in the window, and in tests.
	for _, it := range []*fyne.MenuItem{accounts, add, join, find, searchAll, chats, contacts, quit} {
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
	m.recentEvent(e)
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
		m.setCollapsed(roster.RequestsUID, false)
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
	case muc.Joined, muc.Left, muc.JoinFailed, muc.SubjectChanged, muc.BookmarksChanged:
		m.scheduleRebuild() // the "Group chats" section
	case muc.OccupantChanged:
		m.scheduleRebuild() // its count
	}
}

// loadAvatars reads the cached pictures of an account's contacts, jids
// (off the UI goroutine: they are in the history database; one read for
// the whole roster, which at a start runs beside the first window).
func (m *mainWindow) loadAvatars(acct string, jids []string) {
	found := map[ChatKey]fyne.Resource{}
	m.app.background(func() error {
		for jid, data := range m.app.Client.Avatars(jids) {
			found[ChatKey{acct, jid}] = fyne.NewStaticResource("avatar-"+acct+"-"+jid, data)
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
	m.recent.Forget(func(acct string) bool { return m.views[acct] != nil })
	m.rebuild()
	m.loadRecent()
	if len(m.accounts) == 0 {
		m.hidden = true
		m.win.Hide()
		m.app.ShowLogin()
	} else if m.hidden {
		m.hidden = false
		m.win.Show()
	}
	// A new account's stream begins active: it is told if nobody looks.
	m.app.tellAttention()
}

// unreadChanged runs on Fyne's goroutine when a conversation was read.
func (m *mainWindow) unreadChanged(k ChatKey) {
	if !m.closed {
		m.scheduleRebuild()
	}
}

func (m *mainWindow) showAbout() {
	dialog.ShowInformation(lang.L("About Causerie"),
		lang.L("Causerie {{.Version}}: a chat client for XMPP.", map[string]any{"Version": m.app.Version}), m.win)
}
