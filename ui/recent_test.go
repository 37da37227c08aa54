package ui

import (
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/account"
	"github.com/causerie/causerie/core/blocking"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/ui/recent"
)

// recentRows renders the Chats list as the window would (each row through
// the list's update function).
func recentRows(m *mainWindow) []*recent.Row {
	out := make([]*recent.Row, len(m.recentKeys))
	for i, k := range m.recentKeys {
		r := m.newRecentRow()
		m.updateRecentRow(k, r)
		out[i] = r
	}
	return out
}

// TestRecentConversations is issue 15's list against a real server: a
// contact and a stranger write, we answer the contact; the Chats tab
// lists both, the latest first, with previews, unread badges that add up
// to the title's count and open their messages; a closed conversation
// goes (history kept) and comes back with the next message; the filter
// and the remembered tab.
func TestRecentConversations(t *testing.T) {
	srv := prosody(t)
	h, s, m := signedIn(t, srv)
	me := s.Account().JID
	friend, stranger := newPeer(t, srv), newPeer(t, srv)
	if err := s.AddContact(t.Context(), core.AddContactRequest{JID: friend.jid, Name: "Paul"}); err != nil {
		t.Fatal(err)
	}
	h.pump("Paul in the roster", func() bool { _, ok := m.views[me].contacts[friend.jid]; return ok })
	if m.tabs.SelectedIndex() != 0 {
		t.Fatalf("first tab shown: %d, want Chats", m.tabs.SelectedIndex())
	}
	if !m.recentHint.Visible() || !strings.Contains(m.recentHint.Text, "No conversations yet") {
		t.Fatalf("empty list: hint %q", m.recentHint.Text)
	}

	send := func(p *peer, body string) {
		t.Helper()
		if _, err := p.session.SendMessage(me, core.TypeChat, "", body); err != nil {
			t.Fatal(err)
		}
	}
	send(friend, "Salut, c'est Paul")
	h.pump("Paul's conversation", func() bool { return len(m.recentKeys) == 1 })
	if _, err := s.SendMessage(friend.jid, core.TypeChat, "", "Salut Paul"); err != nil {
		t.Fatal(err)
	}
	send(stranger, "Bonjour, vous ne me connaissez pas")
	send(stranger, "Deuxième ligne\navec un retour")
	h.pump("the stranger's two messages", func() bool {
		return len(m.recentKeys) == 2 && m.app.Unread(ChatKey{me, stranger.jid}) == 2
	})

	rows := recentRows(m)
	if rows[0].Key.Peer != stranger.jid || rows[1].Key.Peer != friend.jid {
		t.Fatalf("order: %v, want the stranger (latest) then Paul", m.recentKeys)
	}
	if !strings.Contains(rows[0].Name, stranger.jid) || !strings.Contains(rows[0].Name, "not a contact") {
		t.Errorf("stranger's name %q", rows[0].Name)
	}
	if rows[0].Detail != "Deuxième ligne …" || rows[0].Unread != 2 || rows[0].When == "" {
		t.Errorf("stranger's row: %q, %d unread, %q", rows[0].Detail, rows[0].Unread, rows[0].When)
	}
	if rows[1].Name != "Paul" || rows[1].Detail != "You: Salut Paul" || rows[1].Unread != 1 {
		t.Errorf("Paul's row: %q %q %d unread", rows[1].Name, rows[1].Detail, rows[1].Unread)
	}
	sum := 0
	for _, r := range rows {
		sum += r.Unread
	}
	if sum != m.app.UnreadTotal() || sum != 3 || m.win.Title() != "Causerie (3)" {
		t.Fatalf("badges add up to %d; unread total %d; title %q", sum, m.app.UnreadTotal(), m.win.Title())
	}

	// Each badge opens its messages: the chat shows them and they are read.
	var opened []string
	openChatHook = func(acct, jid string) { opened = append(opened, jid) }
	t.Cleanup(func() { openChatHook = nil })
	test.Tap(rows[0])
	if len(opened) != 1 || opened[0] != stranger.jid {
		t.Fatalf("opened %q", opened)
	}
	h.pump("the stranger's messages read in their chat", func() bool {
		return m.app.Unread(ChatKey{me, stranger.jid}) == 0 && h.app.chat != nil &&
			h.app.chat.isShowing(ChatKey{me, stranger.jid})
	})
	if m.win.Title() != "Causerie (1)" {
		t.Errorf("title %q after reading the stranger's messages", m.win.Title())
	}

	// Their chat says they are not a contact and offers Add and Block.
	conv := h.app.chat.convs[ChatKey{me, stranger.jid}]
	if !conv.stranger.Visible() || !strings.Contains(conv.strangerNote.Text, "is not in your contacts") ||
		conv.approve.Visible() {
		t.Fatalf("stranger bar: shown %v, %q, approve %v", conv.stranger.Visible(), conv.strangerNote.Text, conv.approve.Visible())
	}
	test.Tap(conv.addBtn)
	if m.contactDialog == nil || m.contactDialog.jid.Text != stranger.jid {
		t.Fatal("Add does not open the add-contact form for the stranger")
	}
	m.contactDialog.dlg.Hide()
	m.contactDialog = nil
	test.Tap(conv.block)
	test.Tap(overlayButton(t, h.app.chat.win, "Yes"))
	h.pump("blocked on the server", func() bool { return conv.block.Text == "Blocked" })
	if got, _ := blocking.Of(s).Blocked(t.Context()); !slices.Contains(got, stranger.jid) {
		t.Fatalf("block list %q", got)
	}
	// Contacts have no bar.
	m.openChat(me, friend.jid)
	h.drain()
	if h.app.chat.convs[ChatKey{me, friend.jid}].stranger.Visible() {
		t.Error("the bar shows for a contact")
	}

	// Paul's badge opens his message too.
	test.Tap(recentRows(m)[1])
	h.pump("Paul's message read", func() bool { return m.app.UnreadTotal() == 0 && m.win.Title() == "Causerie" })

	// Filter: by address or name.
	m.filter.SetText("paul")
	if len(m.recentKeys) != 1 || m.recentKeys[0].Peer != friend.jid {
		t.Fatalf("filter paul: %v", m.recentKeys)
	}
	m.filter.SetText("")

	// Close Paul's conversation: gone, unread cleared, history kept; gone
	// after a reload from the history too; back with his next message.
	paul := recent.Key{Account: me, Peer: friend.jid}
	m.openChat(me, stranger.jid) // Paul's chat no longer in view
	h.drain()
	send(friend, "Tu as lu ?")
	h.pump("Paul's new message", func() bool { return m.app.Unread(ChatKey{me, friend.jid}) == 1 })
	m.hideConversation(paul)
	if len(m.recentKeys) != 1 || m.app.UnreadTotal() != 0 {
		t.Fatalf("after closing: %v, %d unread", m.recentKeys, m.app.UnreadTotal())
	}
	h.pump("hidden in the history", func() bool {
		cs, err := s.Conversations()
		return err == nil && len(cs) == 1
	})
	if hist, _ := s.History(friend.jid, 10); len(hist) != 3 {
		t.Fatalf("Paul's history after closing: %d messages", len(hist))
	}
	m.loadRecent()
	h.drain()
	if len(m.recentKeys) != 1 {
		t.Fatalf("after a reload: %v", m.recentKeys)
	}
	send(friend, "Tu es là ?")
	h.pump("Paul's conversation back", func() bool { return len(m.recentKeys) == 2 && m.recentKeys[0] == paul })

	// The tab shown is remembered.
	m.tabs.SelectIndex(1)
	if got := h.fyne.Preferences().IntWithFallback(prefMainTab, -1); got != 1 {
		t.Fatalf("tab preference %d", got)
	}
}

// TestStrangerBarAnswersRequest: a stranger who asked to see our presence
// gets Approve and Deny in their chat's bar; Approve makes them a contact
// (added back), and the bar goes.
func TestStrangerBarAnswersRequest(t *testing.T) {
	srv := prosody(t)
	h, s, m := signedIn(t, srv)
	me := s.Account().JID
	stranger := newPeer(t, srv)
	if _, err := stranger.session.SendMessage(me, core.TypeChat, "", "Bonjour, on peut se suivre ?"); err != nil {
		t.Fatal(err)
	}
	if err := stranger.session.AddContact(t.Context(), core.AddContactRequest{JID: me, Subscribe: true}); err != nil {
		t.Fatal(err)
	}
	h.pump("the request", func() bool { return m.views[me].requests[stranger.jid].From != "" })
	m.openChat(me, stranger.jid)
	h.drain()
	conv := h.app.chat.convs[ChatKey{me, stranger.jid}]
	if !conv.approve.Visible() || !conv.deny.Visible() || !strings.Contains(conv.strangerNote.Text, "asks to see when you are online") {
		t.Fatalf("bar: %q, approve %v", conv.strangerNote.Text, conv.approve.Visible())
	}
	test.Tap(conv.approve)
	h.pump("a contact now, the bar gone", func() bool {
		c, _ := s.Roster().Contact(stranger.jid)
		return c.InRoster && c.SeesUs() && !conv.stranger.Visible()
	})
}

// TestRecentAcrossAccounts: with two accounts, each conversation says
// which account it is on, and the two accounts' conversations mix by
// time.
func TestRecentAcrossAccounts(t *testing.T) {
	h, m := newOfflineWindow(t)
	const me, work = "me@example.org", "work@example.com"
	if _, err := h.client.AddAccount(t.Context(), account.Account{JID: work, DisplayName: "Travail"}, ""); err != nil {
		t.Fatal(err)
	}
	h.drain()
	at := func(min int) time.Time { return time.Date(2024, 5, 1, 9, min, 0, 0, time.Local) }
	h.app.dispatch(core.MessageReceived{Account: me, Message: history.Message{ID: 1, Peer: "a@example.org", Direction: history.In, Body: "perso", Sent: at(1)}})
	h.app.dispatch(core.MessageReceived{Account: work, Message: history.Message{ID: 2, Peer: "b@example.com", Direction: history.In, Body: "boulot", Sent: at(2)}})
	h.drain()
	rows := recentRows(m)
	if len(rows) != 2 || rows[0].Detail != "Travail · boulot" || rows[1].Detail != me+" · perso" {
		var got []string
		for _, r := range rows {
			got = append(got, r.Detail)
		}
		t.Fatalf("rows %q", got)
	}
}
