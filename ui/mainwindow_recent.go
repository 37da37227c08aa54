package ui

import (
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/muc"
	"github.com/causerie/causerie/core/safetext"
	"github.com/causerie/causerie/ui/recent"
	"github.com/causerie/causerie/ui/roster"
)

// The main window's recent conversations (the Chats tab): every
// conversation with a message, with contacts and with strangers, across
// accounts, the most recently active first. Loaded from the history, then
// kept up to date from core events.

// prefMainTab remembers the tab shown: 0 for Chats, 1 for Contacts.
const prefMainTab = "main.tab"

// buildRecent makes the Chats tab's list.
func (m *mainWindow) buildRecent() fyne.CanvasObject {
	m.recent = recent.NewModel()
	m.recentList = widget.NewList(
		func() int { return len(m.recentKeys) },
		func() fyne.CanvasObject { return m.newRecentRow() },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(m.recentKeys) {
				m.updateRecentRow(m.recentKeys[id], o.(*recent.Row))
			}
		})
	// Selected from the keyboard (a tap goes to the row).
	m.recentList.OnSelected = func(id widget.ListItemID) {
		m.recentList.UnselectAll()
		if id < len(m.recentKeys) {
			m.openRecent(m.recentKeys[id])
		}
	}
	m.recentHint = widget.NewLabel("")
	m.recentHint.Alignment = fyne.TextAlignCenter
	m.recentHint.Wrapping = fyne.TextWrapWord
	m.recentHint.Importance = widget.LowImportance
	m.recentHint.Hide()
	return container.NewStack(m.recentList, container.NewPadded(container.NewVBox(m.recentHint)))
}

// newRecentRow makes a row of the list: a tap opens the chat, a
// secondary tap shows the conversation's menu.
func (m *mainWindow) newRecentRow() *recent.Row {
	return recent.NewRow(m.openRecent, m.recentMenu)
}

// loadRecent reads each account's conversations from the history (off
// Fyne's goroutine) and shows them.
func (m *mainWindow) loadRecent() {
	for _, jid := range m.accounts {
		s := m.views[jid].session
		var cs []history.Conversation
		m.app.background(func() (err error) {
			cs, err = s.Conversations()
			return err
		}, func(err error) {
			if err != nil || m.views[jid] == nil {
				return
			}
			m.recent.Load(jid, cs)
			m.scheduleRebuild()
		})
	}
}

// recentEvent follows what changes the list; it runs on Fyne's goroutine.
func (m *mainWindow) recentEvent(e core.Event) {
	switch e := e.(type) {
	case core.MessageReceived:
		msg := e.Message
		msg.Account = e.Account
		m.recent.Message(msg)
		m.scheduleRebuild()
	case muc.MessageReceived:
		msg := e.Message
		msg.Account = e.Account
		m.recent.Message(msg)
		m.scheduleRebuild()
	case core.MessageCorrected:
		msg := e.Message
		msg.Account = e.Account
		m.recent.Corrected(msg)
		m.scheduleRebuild()
	case core.MessageRetracted:
		msg := e.Message
		msg.Account = e.Account
		m.recent.Corrected(msg) // its last message, if it is, now says deleted
		m.scheduleRebuild()
	}
}

// rebuildRecent sorts the list (filtered like the contacts) and refreshes
// the rows on screen.
func (m *mainWindow) rebuildRecent() {
	filter := strings.ToLower(strings.TrimSpace(m.filter.Text))
	m.recentKeys = m.recent.Sorted(func(k recent.Key) bool {
		if m.views[k.Account] == nil {
			return false
		}
		return filter == "" || strings.Contains(strings.ToLower(k.Peer), filter) ||
			strings.Contains(strings.ToLower(m.recentName(k)), filter)
	})
	m.recentList.Refresh()
	switch {
	case len(m.recentKeys) > 0:
		m.recentHint.Hide()
	case filter != "":
		m.recentHint.SetText(lang.L("No conversation matches “{{.Filter}}”.", map[string]any{"Filter": m.filter.Text}))
		m.recentHint.Show()
	default:
		m.recentHint.SetText(lang.L("No conversations yet. Open a contact from the Contacts tab to write to them."))
		m.recentHint.Show()
	}
}

// recentName is the name a conversation shows: the contact's, or the
// address of a stranger.
func (m *mainWindow) recentName(k recent.Key) string {
	if m.recentIsRoom(k) {
		return roomLabel(m.views[k.Account].session, k.Peer)
	}
	if c, ok := m.views[k.Account].contacts[k.Peer]; ok {
		return c.DisplayName()
	}
	return k.Peer
}

func (m *mainWindow) updateRecentRow(k recent.Key, r *recent.Row) {
	v := m.views[k.Account]
	if v == nil {
		return
	}
	last, _ := m.recent.Last(k)
	r.Key = k
	r.Name = safetext.Isolate(m.recentName(k))
	c, inRoster := v.contacts[k.Peer]
	room := m.recentIsRoom(k)
	if !inRoster && !room {
		r.Name = lang.L("{{.Name}} (not a contact)", map[string]any{"Name": r.Name})
	}
	r.Presence, r.Known = c.Show(), inRoster && v.state == core.StateOnline
	if !inRoster {
		r.Presence = core.ShowOffline
	}
	r.When = recent.When(last.Sent, time.Now())
	r.Detail = recent.Preview(last)
	if room {
		if rs := muc.Of(v.session); rs != nil && rs.In(k.Peer) {
			r.Presence, r.Known = core.ShowAvailable, true
		}
		if last.Resource != "" {
			r.Detail = safetext.Isolate(last.Resource) + ": " + r.Detail
		}
	}
	if len(m.accounts) > 1 {
		acct := v.session.Account()
		name := acct.DisplayName
		if name == "" {
			name = acct.JID
		}
		r.Detail = safetext.Isolate(name) + " · " + r.Detail
	}
	r.Unread = m.app.Unread(ChatKey{k.Account, k.Peer})
	r.Mention = m.app.Mentions(ChatKey{k.Account, k.Peer}) > 0
	r.Avatar = m.avatars[ChatKey{k.Account, k.Peer}]
	r.Refresh()
}

// recentMenu is a conversation's context menu.
func (m *mainWindow) recentMenu(k recent.Key, at fyne.Position) {
	open := fyne.NewMenuItem(lang.L("Open chat"), func() { m.openRecent(k) })
	open.Icon = theme.MailComposeIcon()
	hide := fyne.NewMenuItem(lang.L("Close conversation"), func() { m.hideConversation(k) })
	hide.Icon = theme.ContentClearIcon()
	m.menu = fyne.NewMenu("", open, hide)
	widget.ShowPopUpMenuAtPosition(m.menu, m.win.Canvas(), at)
}

// hideConversation takes a conversation out of the list, history kept,
// until its next message. What was unread in it counts as read, so the
// title's count still matches what the list shows.
func (m *mainWindow) hideConversation(k recent.Key) {
	v := m.views[k.Account]
	if v == nil {
		return
	}
	m.recent.Hide(k)
	m.app.MarkRead(ChatKey{k.Account, k.Peer})
	m.rebuild()
	store := m.app.Client.Store() // the list's keys are the history's
	m.app.background(func() error { return store.Hide(k.Account, k.Peer) }, func(err error) {
		if err != nil && !m.closed {
			// Shown again: what the list shows is what is stored.
			m.loadRecent()
			dialog.ShowInformation(lang.L("Conversation not closed"),
				lang.L("Causerie could not write to its history on this computer. Check that the disk is not full, then try again."), m.win)
		}
	})
}

// recentIsRoom reports whether conversation k is a group chat's: one of
// the account's rooms, or one whose last message came from a room.
func (m *mainWindow) recentIsRoom(k recent.Key) bool {
	if v := m.views[k.Account]; v != nil && isRoom(v.session, k.Peer) {
		return true
	}
	last, _ := m.recent.Last(k)
	return last.Type == "groupchat"
}

// openRecent opens a conversation of the list: a room of ours in its
// tab (entered again when we are not in it), one we left (or anyone's
// "groupchat" message: a stranger can send one) through "Join group
// chat…", for the user to confirm; else the chat.
func (m *mainWindow) openRecent(k recent.Key) {
	v := m.views[k.Account]
	switch {
	case v != nil && isRoom(v.session, k.Peer):
		m.openRoom(k.Account, roster.RoomView{JID: k.Peer})
	case m.recentIsRoom(k):
		m.app.ShowJoinRoom(k.Account, k.Peer, "")
	default:
		m.openChat(k.Account, k.Peer)
	}
}
