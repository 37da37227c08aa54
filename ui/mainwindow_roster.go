package ui

import (
	"sort"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/safetext"
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
