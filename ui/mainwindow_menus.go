package ui

import (
	"context"
	"sort"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/muc"
	"github.com/causerie/causerie/core/safetext"
	"github.com/causerie/causerie/ui/roster"
)

// The main window's context menus (a contact's, a request's) and the
// network actions they start.

// rowMenu is a row's context menu: a contact's, a request's or a
// group's.
func (m *mainWindow) rowMenu(uid string, pos fyne.Position) {
	n := m.model.Nodes[uid]
	if n == nil {
		return
	}
	var items []*fyne.MenuItem
	switch n.Kind {
	case roster.NodeContact:
		items = m.contactMenu(n)
	case roster.NodeRequest:
		acct, r := n.Account, n.Request
		items = []*fyne.MenuItem{fyne.NewMenuItem(lang.L("Answer…"), func() { m.showRequest(acct, r) })}
	case roster.NodeRoom:
		items = m.roomMenu(n)
	case roster.NodeGroup:
		if n.Group == "" {
			return
		}
		acct, g := n.Account, n.Group
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
func (m *mainWindow) contactMenu(n *roster.Node) []*fyne.MenuItem {
	c, acct, from := n.Contact, n.Account, n.Group
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
	n := m.model.Nodes[uid]
	if n == nil || n.Kind != roster.NodeRequest {
		return
	}
	acct, from := n.Account, n.Request.From
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

// roomMenu is a group chat's context menu in the roster.
func (m *mainWindow) roomMenu(n *roster.Node) []*fyne.MenuItem {
	acct, rm := n.Account, n.Room
	items := []*fyne.MenuItem{fyne.NewMenuItem(lang.L("Open"), func() { m.openRoom(acct, rm) })}
	s, ok := m.app.Client.Session(acct)
	if !ok {
		return items
	}
	r := muc.Of(s)
	if r == nil {
		return items
	}
	if r.Nick(rm.JID) != "" {
		items = append(items, fyne.NewMenuItem(lang.L("Leave room"), func() {
			m.app.background(func() error { return r.Leave(rm.JID) }, func(error) { m.scheduleRebuild() })
		}))
	}
	items = append(items, fyne.NewMenuItem(lang.L("Copy address"), func() { m.app.FyneApp.Clipboard().SetContent(rm.JID) }))
	if _, ok := r.Bookmark(rm.JID); ok {
		items = append(items, fyne.NewMenuItem(lang.L("Remove bookmark"), func() {
			m.run(acct, lang.L("The bookmark was not removed."), func(ctx context.Context, s *core.Session) error {
				return r.RemoveBookmark(ctx, rm.JID)
			}, nil)
		}))
	}
	return items
}
