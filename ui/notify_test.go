package ui

import (
	"fmt"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/account"
	"github.com/causerie/causerie/core/history"
)

// TestNotifications: a message notifies unless its conversation is shown
// while the app is in front, or it is muted, or notifications are off; a
// subscription request notifies while the contact list is not in view.
// The unread count is in the window title.
func TestNotifications(t *testing.T) {
	h := newChatHarness(t, false)
	msg := func(peer, body string) core.MessageReceived {
		return core.MessageReceived{Account: h.me, Message: history.Message{Peer: peer, Direction: history.In, Type: "chat", Body: body}}
	}
	test.AssertNotificationSent(t, fyne.NewNotification("Message from bob@example.org", "Salut"), func() {
		h.app.dispatch(msg("bob@example.org", "Salut"))
	})
	// Shown and in front: no notification.
	h.app.ShowMain()
	h.open("bob@example.org")
	test.AssertNotificationSent(t, nil, func() { h.app.dispatch(msg("bob@example.org", "Encore")) })
	// In the background: notified. (Bob is not a contact: one
	// notification per 10 minutes, see TestStrangerNotificationsLimited.)
	h.app.foreground = false
	clock := time.Now().Add(11 * time.Minute)
	h.app.now = func() time.Time { return clock }
	test.AssertNotificationSent(t, fyne.NewNotification("Message from bob@example.org", "Tu es là ?"), func() {
		h.app.dispatch(msg("bob@example.org", "Tu es là ?"))
	})
	// Muted: nothing.
	h.app.SetMuted(ChatKey{h.me, "bob@example.org"}, true)
	test.AssertNotificationSent(t, nil, func() { h.app.dispatch(msg("bob@example.org", "Allô")) })
	if !h.app.chat.convs[ChatKey{h.me, "bob@example.org"}].mute.Checked {
		t.Error("mute box not checked")
	}
	h.app.SetMuted(ChatKey{h.me, "bob@example.org"}, false)
	// Off in the preferences: nothing.
	h.fyne.Preferences().SetBool(prefNotify, false)
	test.AssertNotificationSent(t, nil, func() { h.app.dispatch(msg("carol@example.org", "Coucou")) })
	h.fyne.Preferences().SetBool(prefNotify, true)
	// A request while the app is in the background.
	test.AssertNotificationSent(t, fyne.NewNotification("Subscription request", "dave@example.org wants to see your presence."), func() {
		h.app.dispatch(core.SubscriptionRequested{Account: h.me, Request: history.Request{From: "dave@example.org"}})
	})
	// Unread count in the title: carol's message and bob's while away.
	if got := h.app.main.win.Title(); got != "Causerie (1)" && got != "Causerie (2)" {
		t.Errorf("title %q", got)
	}
}

// TestStrangerNotificationsLimited: a stranger's messages notify once per
// 10 minutes, and at most 3 strangers a minute; their messages are still
// counted unread.
func TestStrangerNotificationsLimited(t *testing.T) {
	h := newChatHarness(t, false)
	h.app.foreground = false
	clock := time.Date(2026, 12, 4, 12, 0, 0, 0, time.Local)
	h.app.now = func() time.Time { return clock }
	msg := func(peer, body string) core.MessageReceived {
		return core.MessageReceived{Account: h.me, Message: history.Message{Peer: peer, Direction: history.In, Type: "chat", Body: body}}
	}
	test.AssertNotificationSent(t, fyne.NewNotification("Message from spam@example.org", "Promo 1"), func() {
		h.app.dispatch(msg("spam@example.org", "Promo 1"))
	})
	clock = clock.Add(9 * time.Minute)
	test.AssertNotificationSent(t, nil, func() { h.app.dispatch(msg("spam@example.org", "Promo 2")) })
	clock = clock.Add(2 * time.Minute)
	test.AssertNotificationSent(t, fyne.NewNotification("Message from spam@example.org", "Promo 3"), func() {
		h.app.dispatch(msg("spam@example.org", "Promo 3"))
	})
	// Many addresses at once: the first ones only (spam@ counted above).
	for i, want := range []bool{true, true, false, false} {
		peer := fmt.Sprintf("bot%d@example.net", i)
		var n *fyne.Notification
		if want {
			n = fyne.NewNotification("Message from "+peer, "Hi")
		}
		test.AssertNotificationSent(t, n, func() { h.app.dispatch(msg(peer, "Hi")) })
	}
	clock = clock.Add(time.Minute)
	test.AssertNotificationSent(t, fyne.NewNotification("Message from bot3@example.net", "Again"), func() {
		h.app.dispatch(msg("bot3@example.net", "Again"))
	})
	if n := h.app.Unread(ChatKey{h.me, "spam@example.org"}); n != 3 {
		t.Errorf("spam's unread %d, want 3", n)
	}
}

// TestUnreadKeptAcrossRestart: unread counts come back after a restart;
// a conversation read before the restart has none.
func TestUnreadKeptAcrossRestart(t *testing.T) {
	h := newHarness(t, nil)
	const me = "me@example.org"
	if _, err := h.client.AddAccount(t.Context(), account.Account{JID: me}, ""); err != nil {
		t.Fatal(err)
	}
	st := h.client.Store()
	for _, p := range []string{"a@example.org", "a@example.org", "b@example.org"} {
		m := history.Message{Account: me, Peer: p, Direction: history.In, Type: "chat", Body: "hi", Sent: time.Now()}
		if err := st.Add(&m); err != nil {
			t.Fatal(err)
		}
	}
	h.app.Start()
	h.pump("unread loaded", func() bool { return h.app.Unread(ChatKey{me, "a@example.org"}) == 2 })
	h.app.OpenChat(me, "b@example.org") // read
	h.pump("b read", func() bool { return h.app.Unread(ChatKey{me, "b@example.org"}) == 0 })
	h.pump("b persisted", func() bool { u, _ := st.Unread(me); return u["b@example.org"] == 0 && u["a@example.org"] == 2 })

	// A new run of the app over the same history.
	h.app.Stop()
	app2 := New(h.fyne, h.client, "test")
	app2.do = h.app.do
	app2.images = h.app.images
	app2.trayCheck = func() bool { return false }
	h.app = app2
	app2.Start()
	h.pump("unread after restart", func() bool { return app2.Unread(ChatKey{me, "a@example.org"}) == 2 })
	if n := app2.Unread(ChatKey{me, "b@example.org"}); n != 0 {
		t.Errorf("b unread %d after restart", n)
	}
	if got := app2.main.win.Title(); got != "Causerie (2)" {
		t.Errorf("title %q", got)
	}
}

// TestNotificationsHostile: a subscription request notifies once per
// sender however often it is repeated; with message text hidden in the
// preferences a notification names only the sender; a name or text with
// a bidi override is isolated, so it cannot flip the words around it.
func TestNotificationsHostile(t *testing.T) {
	h := newChatHarness(t, false)
	h.app.foreground = false
	req := core.SubscriptionRequested{Account: h.me, Request: history.Request{From: "mallory@example.org"}}
	test.AssertNotificationSent(t, fyne.NewNotification("Subscription request", "mallory@example.org wants to see your presence."), func() {
		h.app.dispatch(req)
	})
	for range 5 {
		test.AssertNotificationSent(t, nil, func() { h.app.dispatch(req) })
	}
	// Another sender still notifies.
	test.AssertNotificationSent(t, fyne.NewNotification("Subscription request", "erin@example.org wants to see your presence."), func() {
		h.app.dispatch(core.SubscriptionRequested{Account: h.me, Request: history.Request{From: "erin@example.org"}})
	})
	msg := core.MessageReceived{Account: h.me, Message: history.Message{Peer: "bob@example.org", Direction: history.In, Type: "chat", Body: "the secret code is 1234"}}
	h.fyne.Preferences().SetBool(prefNotifyText, false)
	test.AssertNotificationSent(t, fyne.NewNotification("Message from bob@example.org", "New message"), func() { h.app.dispatch(msg) })
	h.fyne.Preferences().SetBool(prefNotifyText, true)
	// An override in the text is closed inside an isolate. (Another
	// stranger: bob's next notification would wait 10 minutes.)
	msg.Message.Peer, msg.Message.Body = "carl@example.org", "\u202egnp.exe is safe"
	test.AssertNotificationSent(t, fyne.NewNotification("Message from carl@example.org", "\u2068\u202egnp.exe is safe\u202c\u2069"), func() { h.app.dispatch(msg) })
}
