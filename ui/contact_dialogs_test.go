package ui

import (
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/ui/roster"
	"github.com/causerie/causerie/ui/widgets"
)

// menuItem finds an item of the last context menu by its label.
func menuItem(t *testing.T, m *mainWindow, label string) *fyne.MenuItem {
	t.Helper()
	if m.menu == nil {
		t.Fatal("no context menu")
	}
	return itemOf(t, m.menu, label)
}

func menuLabels(m *mainWindow) []string {
	var labels []string
	for _, it := range m.menu.Items {
		if !it.IsSeparator {
			labels = append(labels, it.Label)
		}
	}
	return labels
}

// expectPeerEvent starts listening to the peer's client for an event f
// accepts, before the action that causes it (so it cannot be missed), and
// returns the wait: it pumps until that event came.
func expectPeerEvent(h *harness, p *peer, what string, f func(core.Event) bool) (wait func() core.Event) {
	h.t.Helper()
	ch := make(chan core.Event, 1)
	cancel := p.client.Subscribe(func(e core.Event) {
		if f(e) {
			select {
			case ch <- e:
			default:
			}
		}
	})
	return func() core.Event {
		h.t.Helper()
		defer cancel()
		var got core.Event
		h.pump(what, func() bool {
			select {
			case got = <-ch:
				return true
			default:
				return false
			}
		})
		return got
	}
}

// TestAddContactDialog: the address is checked, groups are picked and
// typed, the request carries its message, and pre-approval is offered
// (Prosody supports it) and applied.
func TestAddContactDialog(t *testing.T) {
	srv := prosody(t)
	h, s, m := signedIn(t, srv)
	p := newPeer(t, srv)
	ch := make(chan core.SubscriptionRequested, 1)
	p.client.Subscribe(func(e core.Event) {
		if r, ok := e.(core.SubscriptionRequested); ok {
			ch <- r
		}
	})

	m.showAddContact()
	f := m.contactDialog
	if f == nil || m.win.Canvas().Focused() != f.jid {
		t.Fatal("add dialog not open with the focus on the address")
	}
	if !f.ask.Checked || f.share.Disabled() {
		t.Errorf("ask %v, share disabled %v (Prosody offers pre-approval)", f.ask.Checked, f.share.Disabled())
	}
	test.Type(f.jid, "not an address")
	test.Tap(f.ok)
	if !f.jidMsg.Visible() || f.busy {
		t.Fatal("a bad address was not refused")
	}
	f.jid.SetText(p.jid + "/phone")
	test.Tap(f.ok)
	if f.jidMsg.Text != "Type the address without the part after “/”." {
		t.Errorf("resource: %q", f.jidMsg.Text)
	}
	f.jid.SetText(strings.ToUpper(p.jid))
	if f.jidMsg.Visible() {
		t.Error("message not cleared by a good address")
	}
	test.Type(f.name, "Tintin")
	test.Type(f.groups.entry, "Amis")
	test.Tap(f.groups.add)
	test.Type(f.groups.entry, "Reporters") // typed, not added: still counts
	test.Type(f.message, "C'est moi")
	test.Tap(f.share)
	test.Tap(f.ok)
	h.pump("added", func() bool { return m.contactDialog == nil })
	select {
	case r := <-ch:
		if r.Request.Message != "C'est moi" {
			t.Errorf("request message %q", r.Request.Message)
		}
	default:
		h.pump("their request", func() bool { return len(ch) > 0 })
	}
	h.pump("in the roster", func() bool {
		c, ok := s.Roster().Contact(p.jid)
		return ok && c.Name == "Tintin" && c.PendingOut
	})
	// Pre-approved: once they ask, they see us without a question.
	if err := p.session.RequestSubscription(s.Account().JID, ""); err != nil {
		t.Fatal(err)
	}
	h.pump("they see us", func() bool { c, _ := s.Roster().Contact(p.jid); return c.SeesUs() })
	if reqs, _ := s.PendingRequests(); len(reqs) != 0 {
		t.Errorf("a pre-approved contact's request was shown: %+v", reqs)
	}
	c, _ := s.Roster().Contact(p.jid)
	if !slices.Equal(sorted(c.Groups), []string{"Amis", "Reporters"}) {
		t.Errorf("groups %q", c.Groups)
	}
	// Adding them again says so.
	m.showAddContactFor("", p.jid)
	f = m.contactDialog
	h.pump("roster shown", func() bool { _, ok := m.views[s.Account().JID].contacts[p.jid]; return ok })
	test.Tap(f.ok)
	if f.jidMsg.Text != "Tintin is already in your contacts." {
		t.Errorf("duplicate: %q", f.jidMsg.Text)
	}
}

// TestEditMoveAndRenameGroup: edit a contact's name and groups, move it
// with the menu, rename a group for all members; the subscription menu
// follows the state.
func TestEditMoveAndRenameGroup(t *testing.T) {
	srv := prosody(t)
	h, s, m := signedIn(t, srv)
	me := s.Account().JID
	p := newPeer(t, srv)
	if err := s.AddContact(t.Context(), core.AddContactRequest{JID: p.jid, Name: "P", Groups: []string{"Work"}}); err != nil {
		t.Fatal(err)
	}
	m.setShowOffline(true)
	uid := roster.ContactUID(me, "Work", p.jid)
	h.pump("row", func() bool { return m.model.Nodes[uid] != nil })

	m.rowMenu(uid, fyne.NewPos(10, 10))
	if got := menuLabels(m); !slices.Equal(got, []string{"Open chat", "Contact info…", "Edit…", "Move to group",
		"Ask to see their presence", "Let them see my presence", "Copy address", "Remove contact…"}) {
		t.Errorf("menu %q", got)
	}
	menuItem(t, m, "Edit…").Action()
	f := m.contactDialog
	if f == nil || f.name.Text != "P" || !slices.Equal(f.groups.checks.Selected, []string{"Work"}) {
		t.Fatal("edit dialog not filled in")
	}
	f.name.SetText("Pierre")
	test.Type(f.groups.entry, "Friends")
	test.Tap(f.groups.add)
	test.Tap(f.ok)
	h.pump("edited", func() bool {
		c, _ := s.Roster().Contact(p.jid)
		return c.Name == "Pierre" && slices.Equal(sorted(c.Groups), []string{"Friends", "Work"})
	})

	// Move from Work to a new group: Friends stays.
	h.pump("row shows both groups", func() bool {
		n := m.model.Nodes[uid]
		return n != nil && len(n.Contact.Groups) == 2
	})
	m.rowMenu(uid, fyne.NewPos(10, 10))
	move := menuItem(t, m, "Move to group")
	var newGroup *fyne.MenuItem
	for _, it := range move.ChildMenu.Items {
		if it.Label == "New group…" {
			newGroup = it
		}
	}
	newGroup.Action()
	top := m.win.Canvas().Overlays().Top()
	var entry fyne.Focusable = m.win.Canvas().Focused()
	test.Type(entry.(interface {
		fyne.Focusable
		TypedRune(rune)
	}), "Press")
	test.Tap(loginFindButton(t, top, "OK"))
	h.pump("moved", func() bool {
		c, _ := s.Roster().Contact(p.jid)
		return slices.Equal(sorted(c.Groups), []string{"Friends", "Press"})
	})

	// Rename the group from its row's menu.
	g := roster.GroupUID(me, "Press")
	h.pump("group row", func() bool { return m.model.Nodes[g] != nil })
	m.rowMenu(g, fyne.NewPos(10, 10))
	menuItem(t, m, "Rename group…").Action()
	ren := overlayEntries(m.win.Canvas().Overlays().Top())
	if len(ren) != 1 || ren[0].Text != "Press" {
		t.Fatal("rename dialog not filled with the group name")
	}
	ren[0].SetText("Journalistes")
	test.Tap(loginFindButton(t, m.win.Canvas().Overlays().Top(), "OK"))
	h.pump("renamed", func() bool {
		c, _ := s.Roster().Contact(p.jid)
		return slices.Equal(sorted(c.Groups), []string{"Friends", "Journalistes"})
	})
}

// TestSubscriptionRequestDialog: a request from a stranger shows who and
// their message; approving adds them with a name and a group and asks
// back; "Decide later" leaves it pending; Deny refuses.
func TestSubscriptionRequestDialog(t *testing.T) {
	srv := prosody(t)
	h, s, m := signedIn(t, srv)
	me := s.Account().JID
	p, q := newPeer(t, srv), newPeer(t, srv)
	if err := p.session.RequestSubscription(me, "Bonjour, c'est Tintin"); err != nil {
		t.Fatal(err)
	}
	uid := roster.RequestUID(me, p.jid)
	h.pump("request row", func() bool { return m.model.Nodes[uid] != nil })
	m.activate(uid)
	if m.requestDialog == nil || !overlayHasText(m, "Their message: “Bonjour, c'est Tintin”") || !overlayHasText(m, p.jid) {
		t.Fatal("request dialog does not say who and what")
	}
	test.Tap(loginFindButton(t, m.win.Canvas().Overlays().Top(), "Decide later"))
	if m.requestDialog != nil || m.model.Nodes[uid] == nil {
		t.Fatal("later: dialog still open or request gone")
	}
	m.activate(uid)
	top := m.win.Canvas().Overlays().Top()
	// Fill in the name (first entry) and a new group, then Approve.
	entries := overlayEntries(top)
	test.Type(entries[0], "Tintin")
	test.Type(entries[1], "Amis")
	test.Tap(loginFindButton(t, top, "Approve"))
	defer func() {
		c, ok := s.Roster().Contact(p.jid)
		t.Logf("contact %+v %v; overlay %q", c, ok, loginLabels(m.win.Canvas().Overlays().Top()))
	}()
	h.pump("approved and asked back", func() bool {
		c, ok := s.Roster().Contact(p.jid)
		return ok && c.SeesUs() && c.PendingOut && c.Name == "Tintin" && slices.Equal(c.Groups, []string{"Amis"})
	})
	h.pump("dialog closed", func() bool { return m.requestDialog == nil })

	// Deny: the other one does not see us.
	if err := q.session.RequestSubscription(me, ""); err != nil {
		t.Fatal(err)
	}
	uid = roster.RequestUID(me, q.jid)
	h.pump("second request", func() bool { return m.model.Nodes[uid] != nil })
	m.showRequest(me, m.model.Nodes[uid].Request)
	refused := expectPeerEvent(h, q, "refusal", func(e core.Event) bool {
		c, ok := e.(core.SubscriptionChanged)
		return ok && c.Kind == "unsubscribed"
	})
	test.Tap(loginFindButton(t, m.win.Canvas().Overlays().Top(), "Deny"))
	refused()
	h.pump("request gone", func() bool { return m.model.Nodes[uid] == nil })
}

// overlayEntries are the entries of a dialog, in layout order.
func overlayEntries(o fyne.CanvasObject) []*widgets.Entry {
	var out []*widgets.Entry
	for _, obj := range test.LaidOutObjects(o) {
		if e, ok := obj.(*widgets.Entry); ok && e.Visible() {
			out = append(out, e)
		}
	}
	return out
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

// TestEscapeClosesContactDialogs: Escape in a field closes the add form
// and the request dialog, as in the other dialogs.
func TestEscapeClosesContactDialogs(t *testing.T) {
	srv := prosody(t)
	_, s, m := signedIn(t, srv)
	m.showAddContact()
	f := m.contactDialog
	f.jid.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if m.contactDialog != nil {
		t.Error("add form still open")
	}
	m.showRequest(s.Account().JID, history.Request{From: "x@example.org"})
	overlayEntries(m.win.Canvas().Overlays().Top())[0].TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if m.requestDialog != nil {
		t.Error("request dialog still open")
	}
}
