package ui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/muc"
	"github.com/causerie/causerie/core/safetext"
)

// Desktop notifications: a new message or a subscription request while
// the person is not looking at it (the app is in the background, or the
// conversation is not the one shown), unless notifications are off in
// the preferences or the conversation is muted. Fyne 2.7 notifications
// carry no click action: opening the chat from one is left to the
// desktop (it raises the app).

// Preference keys of notifications.
const (
	prefNotify = "notifications"
	// prefNotifyText: a message's notification shows its text (else only
	// who sent it, for screens others can see).
	prefNotifyText = "notifications.text"
	prefMuted      = "muted" // "account|jid" of muted conversations
)

// notificationLimit cuts long messages in a notification.
const notificationLimit = 160

// Strangers' messages (people not in the contact list) notify at most
// once per stranger per strangerQuiet, and at most strangerBurst of them
// a minute: spam from one address or from many cannot flood the desktop.
// Their messages still show in the Chats tab with their unread count.
const (
	strangerQuiet = 10 * time.Minute
	strangerBurst = 3
)

func (a *App) notificationsOn() bool {
	return a.FyneApp.Preferences().BoolWithFallback(prefNotify, true)
}

func mutedKey(k ChatKey) string { return k.Account + "|" + k.JID }

// Muted reports whether a conversation's notifications are off.
func (a *App) Muted(k ChatKey) bool {
	return slices.Contains(a.FyneApp.Preferences().StringList(prefMuted), mutedKey(k))
}

// SetMuted turns a conversation's notifications off or on.
func (a *App) SetMuted(k ChatKey, muted bool) {
	list := slices.DeleteFunc(a.FyneApp.Preferences().StringList(prefMuted), func(s string) bool { return s == mutedKey(k) })
	if muted {
		list = append(list, mutedKey(k))
	}
	a.FyneApp.Preferences().SetStringList(prefMuted, list)
	if a.chat != nil {
		if conv := a.chat.convs[k]; conv != nil && conv.mute.Checked != muted {
			conv.mute.SetChecked(muted)
		}
	}
}

// looking reports whether the person sees conversation k now.
func (a *App) looking(k ChatKey) bool {
	return a.foreground && a.chat != nil && a.chat.isShowing(k)
}

// archivedNotifyAge is how old a message a catch-up read from the
// archive may be and still be announced.
const archivedNotifyAge = 10 * time.Minute

// notifyEvent sends a notification for an event, when one is due.
func (a *App) notifyEvent(e core.Event) {
	if !a.notificationsOn() {
		return
	}
	switch e := e.(type) {
	case core.MessageReceived:
		m := e.Message
		k := ChatKey{e.Account, m.Peer}
		if m.Direction != history.In || m.Type == "error" || a.looking(k) || a.Muted(k) {
			return
		}
		if e.Archived && time.Since(m.Sent) > archivedNotifyAge {
			return // old history a catch-up brought, not news
		}
		if a.stranger(k) && !a.strangerMayNotify(k) {
			return
		}
		a.FyneApp.SendNotification(fyne.NewNotification(
			lang.L("Message from {{.Name}}", map[string]any{"Name": a.contactName(e.Account, m.Peer)}), a.notificationText(m)))
		a.playMessageSound()
	case muc.MessageReceived:
		m := e.Message
		k := ChatKey{e.Account, m.Peer}
		if m.Direction != history.In || a.looking(k) || time.Since(m.Sent) > archivedNotifyAge {
			return // ours, in view, or the history a room gives on entering
		}
		switch a.RoomNotify(k) {
		case notifyNone:
			return
		case notifyMentions:
			if !a.mentionsMe(e) {
				return
			}
		}
		title := lang.L("{{.Name}} in {{.Room}}", map[string]any{"Name": safetext.Isolate(m.Resource), "Room": a.roomName(e.Account, m.Peer)})
		if m.Type == "chat" {
			title = lang.L("Private message from {{.Name}} in {{.Room}}", map[string]any{"Name": safetext.Isolate(m.Resource), "Room": a.roomName(e.Account, m.Peer)})
		}
		a.FyneApp.SendNotification(fyne.NewNotification(title, a.notificationText(m)))
		a.playMessageSound()
	case core.SubscriptionRequested:
		if a.foreground && a.main != nil && !a.main.hidden {
			return // the request shows in the contact list in view
		}
		// Once per sender while the app runs: a stranger asking again
		// and again does not flood the desktop.
		k := ChatKey{e.Account, e.Request.From}
		if a.requestsNotified[k] {
			return
		}
		a.requestsNotified[k] = true
		a.FyneApp.SendNotification(fyne.NewNotification(lang.L("Subscription request"),
			lang.L("{{.Name}} wants to see your presence.", map[string]any{"Name": safetext.Isolate(e.Request.From)})))
	}
}

// stranger reports whether k's peer is not in the account's contacts.
func (a *App) stranger(k ChatKey) bool {
	s, ok := a.Client.Session(k.Account)
	if !ok {
		return true
	}
	c, ok := s.Roster().Contact(k.JID)
	return !ok || !c.InRoster
}

// strangerMayNotify applies the limits on strangers' notifications and
// counts the one it allows.
func (a *App) strangerMayNotify(k ChatKey) bool {
	now := a.now()
	if last, ok := a.strangerNotified[k]; ok && now.Sub(last) < strangerQuiet {
		return false
	}
	recent := a.strangerTimes[:0]
	for _, t := range a.strangerTimes {
		if now.Sub(t) < time.Minute {
			recent = append(recent, t)
		}
	}
	a.strangerTimes = recent
	if len(recent) >= strangerBurst {
		return false
	}
	a.strangerNotified[k] = now
	a.strangerTimes = append(a.strangerTimes, now)
	return true
}

// notificationText is what a message's notification says: its text,
// isolated and cut short, or only that there is one when the preferences
// hide message text.
func (a *App) notificationText(m history.Message) string {
	if !a.FyneApp.Preferences().BoolWithFallback(prefNotifyText, true) {
		return lang.L("New message")
	}
	text := strings.Join(strings.Fields(core.MessageDoc(m).PlainText()), " ")
	if r := []rune(text); len(r) > notificationLimit {
		text = string(r[:notificationLimit-1]) + "…"
	}
	return safetext.Isolate(text)
}

// contactName is a contact's roster name, else its address, isolated
// (safetext) so that it cannot reorder the text around it.
func (a *App) contactName(account, jid string) string {
	if s, ok := a.Client.Session(account); ok {
		if c, ok := s.Roster().Contact(jid); ok && c.Name != "" {
			return safetext.Isolate(c.Name)
		}
	}
	return safetext.Isolate(jid)
}

// updateTitles shows the unread count in the main window's title (and the
// task bar with it) and in the tray.
func (a *App) updateTitles() {
	n := a.UnreadTotal()
	title := "Causerie"
	if n > 0 {
		title = fmt.Sprintf("Causerie (%d)", n)
	}
	if a.main != nil && a.main.win.Title() != title {
		a.main.win.SetTitle(title)
	}
	a.updateTray(n)
}

// playMessageSound plays the new-message sound, when sounds are on
// (sound.go).
func (a *App) playMessageSound() {
	if a.FyneApp.Preferences().BoolWithFallback(prefSounds, true) {
		playSound(a)
	}
}

// roomName is a room's name, isolated (roomLabel).
func (a *App) roomName(account, room string) string {
	s, _ := a.Client.Session(account)
	return safetext.Isolate(roomLabel(s, room))
}
