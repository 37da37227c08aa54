package ui

import (
	"sort"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/muc"
	"github.com/causerie/causerie/core/safetext"
	"github.com/causerie/causerie/ui/roster"
)

// The main window's roster view: the tree of accounts, groups, contacts
// and requests, rebuilt from the model, and what a row does.

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
func (m *mainWindow) accountViews() []roster.AccountView {
	unread := map[string]map[string]int{}
	for k, n := range m.app.unread {
		if unread[k.Account] == nil {
			unread[k.Account] = map[string]int{}
		}
		unread[k.Account][k.JID] = n
	}
	out := make([]roster.AccountView, 0, len(m.accounts))
	for _, jid := range m.accounts {
		v := m.views[jid]
		av := roster.AccountView{JID: jid, Name: v.session.Account().DisplayName, Unread: unread[jid], PresenceKnown: v.state == core.StateOnline}
		av.Contacts = make([]core.Contact, 0, len(v.contacts))
		for _, c := range v.contacts {
			av.Contacts = append(av.Contacts, c)
		}
		for _, r := range v.requests {
			av.Requests = append(av.Requests, r)
		}
		av.Rooms = m.roomViews(v.session)
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
	m.model = roster.Build(views, m.filter.Text, m.offlinePref)
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
	var open []string
	for uid := range m.model.Children {
		if uid != "" && !m.collapsed[uid] && !m.tree.IsBranchOpen(uid) {
			open = append(open, uid)
		}
	}
	if len(open) > 0 {
		m.tree.OpenBranches(open)
	} else {
		m.tree.Refresh()
	}
	m.rebuildRecent()

	filter := strings.TrimSpace(m.filter.Text)
	switch {
	case len(m.model.Children[""]) > 0:
		m.hint.Hide()
	case m.model.Contacts == 0:
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
		for _, c := range m.model.Children[uid] {
			out = append(out, c)
			if m.model.IsBranch(c) && m.tree.IsBranchOpen(c) {
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

// rowCallbacks are what the roster's rows do in this window.
func (m *mainWindow) rowCallbacks() roster.Callbacks {
	return roster.Callbacks{Tapped: m.rowTapped, Activated: m.activate, Menu: m.rowMenu, Answer: m.answerRequest}
}

// newRosterRow makes a contact or request row acting on m.
func newRosterRow(m *mainWindow) *roster.Row { return roster.NewRow(m.rowCallbacks()) }

// newBranchLabel makes a group or section row acting on m.
func newBranchLabel(m *mainWindow) *roster.Branch { return roster.NewBranch(m.rowCallbacks()) }

func (m *mainWindow) createNode(branch bool) fyne.CanvasObject {
	if branch {
		return newBranchLabel(m)
	}
	return newRosterRow(m)
}

func (m *mainWindow) updateNode(uid string, branch bool, o fyne.CanvasObject) {
	n := m.model.Nodes[uid]
	if n == nil {
		return
	}
	if branch {
		b, ok := o.(*roster.Branch)
		if !ok {
			return
		}
		b.UID = uid
		l := &b.Label
		switch n.Kind {
		case roster.NodeRequests:
			l.SetText(lang.L("Requests ({{.Count}})", map[string]any{"Count": n.Total}))
		case roster.NodeRooms:
			l.SetText(lang.L("Group chats ({{.Online}}/{{.Total}})", map[string]any{"Online": n.Online, "Total": n.Total}))
		case roster.NodeAccount:
			l.SetText(lang.L("{{.Name}} ({{.Online}}/{{.Total}})", map[string]any{"Name": n.Label, "Online": n.Online, "Total": n.Total}))
		default:
			g := n.Group
			if g == "" {
				g = lang.L("Contacts")
			}
			l.SetText(lang.L("{{.Name}} ({{.Online}}/{{.Total}})", map[string]any{"Name": safetext.Isolate(g), "Online": n.Online, "Total": n.Total}))
		}
		return
	}
	r, ok := o.(*roster.Row)
	if !ok {
		return
	}
	r.UID, r.Kind = uid, n.Kind
	r.Mention = false
	switch n.Kind {
	case roster.NodeRoom:
		rm := n.Room
		r.Name, r.Presence, r.Known, r.Avatar = safetext.Isolate(rm.Label()), core.ShowAvailable, rm.Joined, nil
		if !rm.Joined {
			r.Presence = core.ShowOffline
		}
		r.Unread, r.Mention = rm.Unread, rm.Mentions > 0
		switch {
		case rm.Joined && rm.Subject != "":
			r.Status = safetext.Isolate(oneLine(rm.Subject))
		case rm.Joined:
			r.Status = lang.L("In the room: {{.Count}}", map[string]any{"Count": rm.Occupants})
		default:
			r.Status = lang.L("Not joined")
		}
	case roster.NodeRequest:
		r.Name, r.Presence, r.Known, r.Unread = safetext.Isolate(n.Request.From), core.ShowOffline, false, 0
		if v := m.views[n.Account]; v != nil {
			if c, ok := v.contacts[n.Request.From]; ok && c.Name != "" {
				r.Name = safetext.Isolate(c.Name) + " (" + safetext.Isolate(c.JID) + ")"
			}
		}
		r.Status = lang.L("Wants to see your presence")
		if msg := strings.TrimSpace(n.Request.Message); msg != "" {
			r.Status = "“" + safetext.Isolate(msg) + "”"
		}
		if len(m.accounts) > 1 {
			r.Status = lang.L("{{.Text}} (to {{.Account}})", map[string]any{"Text": r.Status, "Account": n.Account})
		}
	default:
		c := n.Contact
		r.Name, r.Presence = safetext.Isolate(c.DisplayName()), c.Show()
		r.Known = m.views[n.Account] != nil && m.views[n.Account].state == core.StateOnline
		r.Unread = m.app.Unread(ChatKey{n.Account, c.JID})
		r.Avatar = m.avatars[ChatKey{n.Account, c.JID}]
		r.Status = m.secondary(c)
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
	n := m.model.Nodes[uid]
	if n == nil {
		return
	}
	switch n.Kind {
	case roster.NodeContact:
		m.openChat(n.Account, n.Contact.JID)
	case roster.NodeRoom:
		m.openRoom(n.Account, n.Room)
	case roster.NodeRequest:
		m.showRequest(n.Account, n.Request)
	case roster.NodeAccount, roster.NodeGroup, roster.NodeRequests, roster.NodeRooms:
		m.tree.ToggleBranch(uid)
	}
}

func (m *mainWindow) openChat(account, jid string) {
	if openChatHook != nil {
		openChatHook(account, jid)
	}
	m.app.OpenChat(account, jid)
}

// openFirstMatch is Enter in the filter: on the Chats tab the first
// conversation shown; else (or when no conversation matches) the selected
// contact if shown, else the first one.
func (m *mainWindow) openFirstMatch() {
	if m.tabs.SelectedIndex() == 0 && len(m.recentKeys) > 0 {
		k := m.recentKeys[0]
		m.openChat(k.Account, k.Peer)
		return
	}
	if n := m.model.Nodes[m.tree.Selected()]; n != nil && n.Kind == roster.NodeContact {
		m.activate(m.tree.Selected())
		return
	}
	if m.model.First != "" {
		m.activate(m.model.First)
	}
}

// roomViews lists an account's group chats for the roster: those it is
// in or entering, and its bookmarks.
func (m *mainWindow) roomViews(s *core.Session) []roster.RoomView {
	r := muc.Of(s)
	if r == nil {
		return nil
	}
	acct := s.Account().JID
	var out []roster.RoomView
	seen := map[string]bool{}
	view := func(v roster.RoomView) roster.RoomView {
		k := ChatKey{acct, v.JID}
		v.Unread, v.Mentions = m.app.Unread(k), m.app.Mentions(k)
		if b, ok := r.Bookmark(v.JID); ok {
			v.Name = b.Name
		}
		return v
	}
	for _, rm := range r.List() {
		seen[rm.JID] = true
		out = append(out, view(roster.RoomView{JID: rm.JID, Subject: rm.Subject, Joined: rm.Joined, Occupants: rm.Occupants}))
	}
	for _, b := range r.Bookmarks() {
		if !seen[b.JID] {
			out = append(out, view(roster.RoomView{JID: b.JID}))
		}
	}
	sort.Slice(out, func(i, j int) bool {
		li, lj := strings.ToLower(out[i].Label()), strings.ToLower(out[j].Label())
		if li != lj {
			return li < lj
		}
		return out[i].JID < out[j].JID
	})
	return out
}

// openRoom opens a room's tab, joining it first when we are not in it
// (a bookmark's room: with its nick and password).
func (m *mainWindow) openRoom(account string, rm roster.RoomView) {
	s, ok := m.app.Client.Session(account)
	if !ok {
		return
	}
	if r := muc.Of(s); r != nil && r.Nick(rm.JID) == "" {
		a := m.app
		enterRoom(a, s, rm.JID, "", func(err error) {
			if a.chat == nil {
				return
			}
			if conv := a.chat.convs[ChatKey{account, rm.JID}]; conv != nil && conv.room != nil {
				conv.room.showBar(roomProblem(err), true)
			}
		})
	}
	m.app.OpenRoom(account, rm.JID)
}
