package ui

import (
	"github.com/causerie/causerie/core/omemo"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/mam"
	"github.com/causerie/causerie/core/muc"
)

// chatWindow is the one chat window: a container.DocTabs with one tab per
// conversation (account, contact), the default of Gajim and Pidgin.
//
// Why tabs in one window rather than a window per contact: a person who
// talks to five people manages one window, not five scattered over the
// desktop and the task bar; conversations are switched from the keyboard
// (Ctrl+Tab / Ctrl+Shift+Tab, Ctrl+PageDown / Ctrl+PageUp) and closed with
// Ctrl+W, as in a browser; the unread count of each background
// conversation is on its tab, in view; and one window is one GL context
// and one set of widgets less per contact (Fyne windows are not cheap:
// ~0.7 s and tens of MiB each on llvmpipe). Closing the window closes all
// its tabs; history stays in the local store and comes back on reopening.
//
// All methods run on Fyne's goroutine (App.dispatch, a.do callbacks).
type chatWindow struct {
	app     *App
	win     fyne.Window
	tabs    *container.DocTabs
	convs   map[ChatKey]*chatConversation
	byItem  map[*container.TabItem]*chatConversation
	visible bool
	// focused is the conversation the contact is told we look at.
	focused *chatConversation
}

// OpenChat opens (or focuses) the conversation with jid on account: the
// chat window is made on first use, the conversation's tab added or
// selected, the window shown with the focus in the message box.
func (a *App) OpenChat(account, jid string) {
	a.openConversation(account, jid, false)
}

// OpenRoom opens (or focuses) the tab of a group chat of account, as
// OpenChat does a one-to-one chat's.
func (a *App) OpenRoom(account, room string) {
	a.openConversation(account, room, true)
}

// openConversation is OpenChat, and OpenRoom when room (or when jid is a
// group chat of the account: one it is in, or a bookmarked one).
func (a *App) openConversation(account, jid string, room bool) {
	s, ok := a.Client.Session(account)
	if !ok {
		return
	}
	jid = chatBareJID(jid)
	if jid == "" {
		return
	}
	room = room || isRoom(s, jid)
	if a.chat == nil {
		a.chat = newChatWindow(a)
	}
	c := a.chat
	key := ChatKey{Account: s.Account().JID, JID: jid}
	conv := c.convs[key]
	if conv != nil && (conv.room != nil) != room {
		// A one-to-one tab for what is now known as a room (or the
		// other way round): made again as it is.
		c.closeTab(conv.item)
		if a.chat == nil {
			a.chat = newChatWindow(a)
		}
		c = a.chat
		conv = nil
	}
	if conv == nil {
		conv = newChatConversation(c, s, key, room)
		c.convs[key] = conv
		c.byItem[conv.item] = conv
		c.tabs.Append(conv.item)
	}
	c.tabs.Select(conv.item)
	c.win.Show()
	c.visible = true
	c.win.RequestFocus()
	c.selectionChanged()
	c.app.windowShownNow()
}

// chatBareJID is the key of a conversation with j: its normalised bare
// JID (an address that does not parse is only lower-cased).
func chatBareJID(j string) string {
	j = strings.TrimSpace(j)
	if p, err := core.ParseJID(j); err == nil {
		return p.Bare().String()
	}
	return strings.ToLower(j)
}

func newChatWindow(a *App) *chatWindow {
	c := &chatWindow{
		app:    a,
		convs:  map[ChatKey]*chatConversation{},
		byItem: map[*container.TabItem]*chatConversation{},
	}
	c.win = a.FyneApp.NewWindow(lang.L("Chat") + " — Causerie")
	c.tabs = container.NewDocTabs()
	c.tabs.OnSelected = func(*container.TabItem) { c.selectionChanged() }
	c.tabs.CloseIntercept = func(it *container.TabItem) { c.closeTab(it) }
	c.win.SetContent(c.tabs)
	c.win.Resize(fyne.NewSize(560, 640))
	c.win.SetCloseIntercept(c.close)
	for _, s := range chatShortcuts {
		sc := s
		c.win.Canvas().AddShortcut(sc, func(fyne.Shortcut) { c.shortcut(sc) })
	}
	// Files dropped on the window go to the tab shown.
	c.win.SetOnDropped(func(_ fyne.Position, uris []fyne.URI) {
		if conv := c.selected(); conv != nil {
			conv.dropped(uris)
		}
	})
	return c
}

// chatShortcuts are the window's keyboard shortcuts.
var chatShortcuts = []*desktop.CustomShortcut{
	{KeyName: fyne.KeyTab, Modifier: fyne.KeyModifierShortcutDefault},
	{KeyName: fyne.KeyTab, Modifier: fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift},
	{KeyName: fyne.KeyPageDown, Modifier: fyne.KeyModifierShortcutDefault},
	{KeyName: fyne.KeyPageUp, Modifier: fyne.KeyModifierShortcutDefault},
	{KeyName: fyne.KeyW, Modifier: fyne.KeyModifierShortcutDefault},
	{KeyName: fyne.KeyO, Modifier: fyne.KeyModifierShortcutDefault},                         // send a file
	{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault},                         // search this conversation
	{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift}, // search all
}

// shortcut runs a window shortcut; false when s is not one.
func (c *chatWindow) shortcut(s fyne.Shortcut) bool {
	cs, ok := s.(*desktop.CustomShortcut)
	if !ok || cs.Modifier&fyne.KeyModifierShortcutDefault == 0 {
		return false
	}
	n := len(c.tabs.Items)
	switch {
	case cs.KeyName == fyne.KeyTab && cs.Modifier&fyne.KeyModifierShift != 0, cs.KeyName == fyne.KeyPageUp:
		if n > 0 {
			c.tabs.SelectIndex((c.tabs.SelectedIndex() + n - 1) % n)
		}
	case cs.KeyName == fyne.KeyTab, cs.KeyName == fyne.KeyPageDown:
		if n > 0 {
			c.tabs.SelectIndex((c.tabs.SelectedIndex() + 1) % n)
		}
	case cs.KeyName == fyne.KeyW:
		if it := c.tabs.Selected(); it != nil {
			c.closeTab(it)
		}
	case cs.KeyName == fyne.KeyF && cs.Modifier&fyne.KeyModifierShift != 0:
		c.app.ShowSearch("", "")
	case cs.KeyName == fyne.KeyF:
		if conv := c.selected(); conv != nil {
			c.app.ShowSearch(conv.key.Account, conv.key.JID)
		}
	case cs.KeyName == fyne.KeyO:
		if conv := c.selected(); conv != nil && conv.attachBtn.Visible() {
			conv.attach()
		}
	default:
		return false
	}
	return true
}

// selected is the conversation of the selected tab, or nil.
func (c *chatWindow) selected() *chatConversation {
	if it := c.tabs.Selected(); it != nil {
		return c.byItem[it]
	}
	return nil
}

// selectionChanged follows the selected tab: window title, read state,
// focus. Idempotent (DocTabs does not always call OnSelected, e.g. when a
// tab before the selected one is removed).
func (c *chatWindow) selectionChanged() {
	conv := c.selected()
	if conv != c.focused {
		if c.focused != nil && c.convs[c.focused.key] == c.focused {
			c.focused.focusChanged(false)
		}
		c.focused = conv
		if conv != nil {
			conv.focusChanged(true)
		}
	}
	if conv == nil {
		c.win.SetTitle("Causerie")
		return
	}
	c.win.SetTitle(conv.displayName() + " — Causerie")
	if c.visible {
		c.app.MarkRead(conv.key)
		conv.shown()
		c.win.Canvas().Focus(conv.composer)
	}
	for _, other := range c.convs {
		other.updateTitle()
	}
}

// closeTab ends a conversation's tab; the last one closes the window.
func (c *chatWindow) closeTab(it *container.TabItem) {
	conv := c.byItem[it]
	if conv != nil {
		delete(c.convs, conv.key)
		delete(c.byItem, it)
		conv.closed()
		if c.focused == conv {
			c.focused = nil
		}
	}
	c.tabs.Remove(it)
	if len(c.tabs.Items) == 0 {
		c.close()
		return
	}
	c.selectionChanged()
}

// close closes the window and all its conversations.
func (c *chatWindow) close() {
	for _, conv := range c.convs {
		conv.closed()
	}
	c.visible = false
	c.win.Close()
	if c.app.chat == c {
		c.app.chat = nil
	}
	c.app.attentionChanged()
}

// refreshLocks shows again the encryption of the account's chats.
func (c *chatWindow) refreshLocks(account string) {
	for k, conv := range c.convs {
		if k.Account == account {
			conv.refreshLock()
		}
	}
}

// handle runs on Fyne's goroutine for each core event.
func (c *chatWindow) handle(e core.Event) {
	switch e := e.(type) {
	case core.AccountsChanged:
		if e.Removed {
			for k, conv := range c.convs {
				if k.Account == e.Account {
					c.closeTab(conv.item)
				}
			}
		}
	case core.MessageReceived:
		if conv := c.convs[ChatKey{e.Account, e.Message.Peer}]; conv != nil {
			c.show(conv, e.Message)
		}
	case muc.MessageReceived:
		// A catch-up's page is read at once when it ends (one by one,
		// each would be placed among those shown).
		if conv := c.convs[ChatKey{e.Account, e.Message.Peer}]; conv != nil && conv.room != nil && !e.Archived {
			c.show(conv, e.Message)
		}
	case muc.Joined, muc.JoinFailed, muc.Left, muc.OccupantChanged, muc.SubjectChanged, muc.NickRefused, muc.Declined, muc.InviteFailed:
		if acct, room, ok := roomEvent(e); ok {
			if conv := c.convs[ChatKey{acct, room}]; conv != nil && conv.room != nil {
				conv.room.handle(e)
			}
		}
	case muc.CatchUpDone:
		if conv := c.convs[ChatKey{e.Account, e.Room}]; conv != nil && conv.room != nil && e.Stored > 0 && !conv.away {
			// (Away from the newest messages, those stored come with
			// the newer pages.)
			conv.load()
		}
	case muc.BookmarksChanged:
		for k, conv := range c.convs {
			if k.Account == e.Account && conv.room != nil {
				conv.room.refreshHeader() // a bookmark names the room
			}
		}
		c.retitle()
	case omemo.DevicesChanged:
		for k, conv := range c.convs {
			if k.Account == e.Account && (k.JID == e.JID || e.JID == e.Account) {
				conv.refreshLock()
			}
		}
	case omemo.TrustChanged:
		c.refreshLocks(e.Account)
	case omemo.Ready:
		c.refreshLocks(e.Account)
	case core.MessageStateChanged:
		if conv := c.convs[ChatKey{e.Account, e.Peer}]; conv != nil {
			conv.stateChanged(e.ID, e.State, e.Reason)
		}
	case mam.CatchUpDone:
		for k, conv := range c.convs {
			if k.Account == e.Account {
				conv.catchUpDone(e.Err)
			}
		}
	case core.MessageCorrected:
		if conv := c.convs[ChatKey{e.Account, e.Message.Peer}]; conv != nil {
			conv.corrected(e.Message)
		}
	case core.MessageRetracted:
		if conv := c.convs[ChatKey{e.Account, e.Message.Peer}]; conv != nil {
			conv.retracted(e.Message)
		}
	case core.ReactionsChanged:
		if conv := c.convs[ChatKey{e.Account, e.Peer}]; conv != nil {
			conv.reacted(e.Target, e.Sender, e.Emojis)
		}
	case core.ChatStateChanged:
		if conv := c.convs[ChatKey{e.Account, e.JID}]; conv != nil {
			conv.chatState(e.State)
		}
	case core.RosterChanged:
		for _, conv := range c.convs {
			if conv.key.Account == e.Account {
				conv.contactChanged()
			}
		}
		c.retitle()
	case core.PresenceChanged:
		if conv := c.convs[ChatKey{e.Account, chatBareJID(e.Contact.JID)}]; conv != nil {
			conv.contactChanged()
			c.retitle()
		}
	case core.ConnectionStateChanged:
		for _, conv := range c.convs {
			if conv.key.Account == e.Account {
				conv.contactChanged()
			}
		}
	}
}

// show adds m to conv's transcript: read if conv is in view, else
// counted on its tab.
func (c *chatWindow) show(conv *chatConversation, m history.Message) {
	conv.received(m)
	if c.isShowing(conv.key) {
		c.app.MarkRead(conv.key)
	} else {
		conv.updateTitle()
	}
}

func (c *chatWindow) retitle() {
	if conv := c.selected(); conv != nil {
		c.win.SetTitle(conv.displayName() + " — Causerie")
	}
}

// isShowing reports whether k's tab is the selected tab of the visible
// chat window.
func (c *chatWindow) isShowing(k ChatKey) bool {
	if c == nil || !c.visible {
		return false
	}
	conv := c.selected()
	return conv != nil && conv.key == k
}

// roomEvent gives the account and room of a group chat event.
func roomEvent(e core.Event) (account, room string, ok bool) {
	switch e := e.(type) {
	case muc.Joined:
		return e.Account, e.Room, true
	case muc.JoinFailed:
		return e.Account, e.Room, true
	case muc.Left:
		return e.Account, e.Room, true
	case muc.OccupantChanged:
		return e.Account, e.Room, true
	case muc.SubjectChanged:
		return e.Account, e.Room, true
	case muc.NickRefused:
		return e.Account, e.Room, true
	case muc.Declined:
		return e.Account, e.Room, true
	case muc.InviteFailed:
		return e.Account, e.Room, true
	case muc.MessageReceived:
		return e.Account, e.Message.Peer, true
	}
	return "", "", false
}
