package ui

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/muc"
	"github.com/causerie/causerie/internal/slixpeer"
	"github.com/causerie/causerie/ui/roster"
)

// TestRoomInGUI: the user joins a new room from "Join group chat…" (the
// room is made; the user owns it), with a bookmark. B (Causerie's core)
// and C (slixmpp) come in: the occupant list shows all three, grouped
// by role. Messages from both show under their nicks; the user's own
// goes out from the composer and shows delivered when the room reflects
// it, once. With the chat window closed, a message naming the user
// counts as a mention in the contact list's "Group chats" section. From
// B's menu in the occupant list, the user removes B: B is told. A nick
// in use asks for another.
func TestRoomInGUI(t *testing.T) {
	ch := newChatHarness(t, true)
	h := ch.harness
	room := fmt.Sprintf("salon%d@conference.%s", time.Now().UnixNano(), h.server.Domain)
	key := ch.key(room)
	h.app.ShowMain()

	h.app.ShowJoinRoom("", room, "")
	j := h.app.joinDlg
	if j == nil {
		t.Fatal("no join dialog")
	}
	j.nick.SetText("Moi")
	j.submit()
	h.pump("the room's tab", func() bool {
		return h.app.chat != nil && h.app.chat.convs[key] != nil && h.app.chat.convs[key].room.joined
	})
	if h.app.joinDlg != nil {
		t.Fatal("the dialog stayed open")
	}
	conv := h.app.chat.convs[key]
	if !conv.room.info.Visible() || !strings.Contains(conv.room.info.Text, "You created this room.") {
		t.Errorf("the room's codes: %q", conv.room.info.Text)
	}
	h.pump("bookmarked", func() bool { _, ok := muc.Of(ch.s).Bookmark(room); return ok })
	if b, _ := muc.Of(ch.s).Bookmark(room); !b.Autojoin || b.Nick != "Moi" {
		t.Fatalf("bookmark %+v", b)
	}

	b := newPeer(t, h.server)
	bEvents := recordEvents(b.client)
	br := muc.Of(b.session)
	if err := br.Join(room, "Bob", ""); err != nil {
		t.Fatal(err)
	}
	cJID, cPass := h.server.NewUser(t)
	c := slixpeer.Start(t, h.server, cJID, cPass, slixpeer.Options{})
	c.Do(t, slixpeer.Command{Cmd: "raw", XML: fmt.Sprintf(`<presence to='%s/Carol'><x xmlns='http://jabber.org/protocol/muc'><history maxstanzas='0'/></x></presence>`, room)})
	h.pump("three in the room", func() bool { return len(conv.room.occupants) == 3 })
	ch.waitShown("In the room: 3", "Moderators", "Participants", "Bob", "Carol", "Moi")

	// Messages under their nicks; ours delivered, once.
	if _, err := br.Say(room, "Bonjour à tous"); err != nil {
		t.Fatal(err)
	}
	c.Do(t, slixpeer.Command{Cmd: "send", To: room, Type: "groupchat", Body: "Salut de slixmpp"})
	ch.waitShown("Bonjour à tous", "Salut de slixmpp")
	conv.composer.SetText("Bienvenue !")
	conv.sendNow()
	ch.waitShown("Bienvenue !", "✓✓ delivered")
	if n := strings.Count(ch.markup(), "Bienvenue !"); n != 1 {
		t.Errorf("our message shown %d times", n)
	}
	b.waitRoomBody(t, h, room, "Bienvenue !")

	// A mention while the window is closed.
	h.app.chat.close()
	if _, err := br.Say(room, "Moi: tu as vu ?"); err != nil {
		t.Fatal(err)
	}
	if _, err := br.Say(room, "Rien d'autre"); err != nil {
		t.Fatal(err)
	}
	h.pump("two unread, one mention", func() bool { return h.app.Unread(key) == 2 && h.app.Mentions(key) == 1 })
	h.pump("the room in the contact list", func() bool {
		h.drain()
		n := h.app.main.model.Nodes[roster.RoomUID(ch.me, room)]
		return n != nil && n.Room.Joined && n.Room.Mentions == 1 && n.Unread == 2
	})
	h.app.main.activate(roster.RoomUID(ch.me, room))
	conv = h.app.chat.convs[key]
	ch.waitShown("tu as vu ?")
	if h.app.Unread(key) != 0 || h.app.Mentions(key) != 0 {
		t.Errorf("still unread after opening: %d, %d mentions", h.app.Unread(key), h.app.Mentions(key))
	}

	var bob muc.Occupant
	for _, o := range conv.room.occupants {
		if o.Nick == "Bob" {
			bob = o
		}
	}

	// A private message to B from B's menu; Escape writes to the room
	// again. B and C answer privately.
	itemOf(t, conv.room.occupantMenu(bob), "Private message").Action()
	if !conv.room.privateBar.Visible() || !strings.Contains(conv.room.privateLabel.Text, "Bob") {
		t.Fatalf("the private bar: %v %q", conv.room.privateBar.Visible(), conv.room.privateLabel.Text)
	}
	// A file through the room would go to everyone: not now.
	conv.offerFiles([]string{"/nonexistent"})
	if !strings.Contains(conv.notice.Text, "Files go to everyone in the room.") {
		t.Errorf("a file while writing privately: %q", conv.notice.Text)
	}
	conv.composer.SetText("Psst, Bob")
	conv.sendNow()
	ch.waitShown("To Bob (private)", "Psst, Bob")
	bEvents.wait(t, h, "B gets it privately", func(e core.Event) bool {
		m, ok := e.(muc.MessageReceived)
		return ok && m.Message.Body == "Psst, Bob" && m.Message.Type == "chat" && m.Message.Resource == "Moi"
	})
	conv.cancelEdit() // Escape
	if conv.room.privateBar.Visible() {
		t.Fatal("the private bar stayed after Escape")
	}
	conv.composer.SetText("Pour tout le monde")
	conv.sendNow()
	b.waitRoomBody(t, h, room, "Pour tout le monde")
	if _, err := br.SayPrivately(room, "Moi", "Entre nous"); err != nil {
		t.Fatal(err)
	}
	c.Do(t, slixpeer.Command{Cmd: "send", To: room + "/Moi", Type: "chat", Body: "De Carol, en privé"})
	// In the chat first (a failure then says which did not come), then
	// in view.
	h.pump("the private messages in the chat", func() bool {
		got := map[string]bool{}
		for _, m := range conv.trans.Messages() {
			got[m.Body] = true
		}
		return got["Entre nous"] && got["De Carol, en privé"]
	})
	ch.waitShown("Bob (private)", "Entre nous", "Carol (private)", "De Carol, en privé")
	// From the keyboard: /msg.
	conv.composer.SetText("/msg Carol Merci Carol")
	conv.sendNow()
	if ev := c.WaitFor(t, "Carol gets it privately", func(e slixpeer.Event) bool { return e.Event == "message" && e.Body == "Merci Carol" }); ev.Type != "chat" || ev.From != room+"/Moi" {
		t.Fatalf("at Carol's: %+v", ev)
	}
	ch.waitShown("To Carol (private)")
	conv.composer.SetText("/msg Personne là ?")
	conv.sendNow()
	if !conv.notice.Visible() || !strings.Contains(conv.notice.Text, "No one in the room has this nickname now.") || conv.composer.Text != "/msg Personne là ?" {
		t.Errorf("/msg to no one: notice %q, box %q", conv.notice.Text, conv.composer.Text)
	}
	// A private message that fails goes back in the box as typed, /msg
	// and all: Enter again must not send it to everyone.
	// (Zoé left the room just before: the tab has not heard it yet.)
	conv.room.occupants["Zoé"] = muc.Occupant{Nick: "Zoé", Role: muc.RoleParticipant}
	conv.composer.SetText("/msg Zoé tu es là ?")
	conv.sendNow()
	h.pump("the private message refused", func() bool { return conv.notice.Visible() && conv.composer.Text == "/msg Zoé tu es là ?" })
	delete(conv.room.occupants, "Zoé")
	conv.composer.SetText("")

	// The user removes B from B's menu in the occupant list.
	menu := conv.room.occupantMenu(bob)
	kick := itemOf(t, menu, "Remove from the room…")
	kick.Action()
	ch.settle()
	test.Tap(overlayButton(t, h.app.chat.win, "Remove"))
	left := bEvents.wait(t, h, "B removed", func(e core.Event) bool {
		l, ok := e.(muc.Left)
		return ok && l.Room == room
	}).(muc.Left)
	if left.Reason != "kicked" || left.Actor != "Moi" {
		t.Fatalf("B's removal: %+v", left)
	}
	h.pump("two left", func() bool { return len(conv.room.occupants) == 2 })

	// The user invites B back: B's client is unknown to the user's, so
	// through the room. B declines, and the tab says so.
	conv.room.askInvite()
	ch.settle()
	var who *widget.SelectEntry
	var reason *widget.Entry
	for _, o := range test.LaidOutObjects(h.app.chat.win.Canvas().Overlays().Top()) {
		switch e := o.(type) {
		case *widget.SelectEntry:
			who = e
		case *widget.Entry:
			reason = e
		}
	}
	if who == nil || reason == nil {
		t.Fatal("the invitation dialog has no address or message field")
	}
	who.SetText(b.jid)
	reason.SetText("Reviens")
	test.Tap(overlayButton(t, h.app.chat.win, "Invite"))
	inv := bEvents.wait(t, h, "B invited", func(e core.Event) bool { _, ok := e.(muc.Invited); return ok }).(muc.Invited)
	if inv.Invitation.Room != room || inv.Invitation.Direct || inv.Invitation.Reason != "Reviens" {
		t.Fatalf("B's invitation: %+v", inv.Invitation)
	}
	if err := br.Decline(inv.Invitation, "Plus tard"); err != nil {
		t.Fatal(err)
	}
	ch.waitShown("declined your invitation.", "Plus tard")
	// A room that will not pass an invitation on: said in words.
	h.app.dispatch(muc.InviteFailed{FeatureEvent: core.FeatureEvent{Account: ch.me}, Room: room, To: b.jid, Err: muc.ErrNotAllowed})
	ch.waitShown("Not invited: You are not allowed to do that in this room.")

	// B comes back as Carol: the room says the nick is in use.
	if err := br.Join(room, "Carol", ""); err != nil {
		t.Fatal(err)
	}
	bEvents.wait(t, h, "B refused", func(e core.Event) bool { _, ok := e.(muc.JoinFailed); return ok })

	// The user changes nick to Carol's: refused in words.
	if err := muc.Of(ch.s).ChangeNick(room, "Carol"); err != nil {
		t.Fatal(err)
	}
	h.pump("the refusal in words", func() bool {
		return conv.notice.Visible() && conv.notice.Text == "Your nickname was not changed: Someone in the room already has this nickname."
	})

	// Leaving keeps the tab, with Join.
	conv.room.leave()
	ch.waitShown("You left this room.")
	if muc.Of(ch.s).In(room) {
		t.Fatal("still in the room")
	}
	test.Tap(conv.room.bar.retry)
	h.pump("back in", func() bool { return conv.room.joined })

	// Our own new nick replaces the old one in the panel.
	if err := muc.Of(ch.s).ChangeNick(room, "Moi2"); err != nil {
		t.Fatal(err)
	}
	h.pump("renamed in the panel", func() bool {
		_, old := conv.room.occupants["Moi"]
		_, now := conv.room.occupants["Moi2"]
		return now && !old && len(conv.room.occupants) == 2
	})

	// Signed out: the tab says so; signed in again: back in the room.
	ch.s.Disconnect()
	h.pump("offline in the tab", func() bool { return !conv.room.joined && conv.room.bar.box.Visible() })
	if !strings.Contains(conv.room.bar.label.Text, "offline") {
		t.Errorf("the bar says %q", conv.room.bar.label.Text)
	}
	h.online(ch.s)
	h.pump("back in after signing in", func() bool { return conv.room.joined && !conv.room.bar.box.Visible() })

	// The owner names the room in its settings (the room's own form).
	itemOf(t, conv.room.menu(), "Room settings…").Action()
	h.pump("the settings", func() bool { return conv.room.config != nil })
	cd := conv.room.config
	name := cd.entries["muc#roomconfig_roomname"]
	if name == nil {
		t.Fatalf("no room name in the form: %v", cd.entries)
	}
	name.SetText("Salon de test")
	test.Tap(cd.save)
	h.pump("saved", func() bool { return conv.room.config == nil })
	info, err := muc.Of(ch.s).Info(t.Context(), room)
	if err != nil || info.Name != "Salon de test" {
		t.Fatalf("the room's name: %+v, %v", info, err)
	}

	// The owner makes B a member, then takes it back, from the lists.
	itemOf(t, conv.room.menu(), "Members…").Action()
	md := conv.room.members
	h.pump("the members list read", func() bool { return md != nil && md.which.SelectedIndex() == 0 })
	md.who.SetText(b.jid)
	md.add()
	h.pump("B a member", func() bool { return len(md.shown) == 1 && md.shown[0].JID == b.jid })
	md.set(b.jid, muc.AffNone)
	h.pump("B no longer a member", func() bool { return len(md.shown) == 0 })
	md.d.Hide()

	// Notifications: by default only for mentions; then all; then none.
	h.app.chat.close()
	ev := func(body string) muc.MessageReceived {
		return muc.MessageReceived{FeatureEvent: core.FeatureEvent{Account: ch.me}, Message: history.Message{
			Account: ch.me, Peer: room, Resource: "Carol", Direction: history.In, Type: "groupchat", Body: body, Sent: time.Now()}}
	}
	local, _, _ := strings.Cut(room, "@")
	test.AssertNotificationSent(t, nil, func() { h.app.dispatch(ev("Il pleut")) })
	test.AssertNotificationSent(t, fyne.NewNotification("Carol in "+local, "Moi2, tu as un parapluie ?"), func() {
		h.app.dispatch(ev("Moi2, tu as un parapluie ?"))
	})
	private := ev("Psst")
	private.Message.Type = "chat"
	test.AssertNotificationSent(t, fyne.NewNotification("Private message from Carol in "+local, "Psst"), func() { h.app.dispatch(private) })
	itemOf(t, itemOf(t, conv.room.menu(), "Notifications").ChildMenu, "All messages").Action()
	test.AssertNotificationSent(t, fyne.NewNotification("Carol in "+local, "Il pleut encore"), func() { h.app.dispatch(ev("Il pleut encore")) })
	itemOf(t, itemOf(t, conv.room.menu(), "Notifications").ChildMenu, "Never").Action()
	if !itemOf(t, itemOf(t, conv.room.menu(), "Notifications").ChildMenu, "Never").Checked {
		t.Error("Never not ticked")
	}
	test.AssertNotificationSent(t, nil, func() { h.app.dispatch(ev("Moi2 ?")) })

	// The owner closes the room for good: the tab says so.
	h.app.OpenRoom(ch.me, room)
	conv = h.app.chat.convs[key]
	itemOf(t, conv.room.menu(), "Close the room for good…").Action()
	ch.settle()
	test.Tap(overlayButton(t, h.app.chat.win, "Close the room"))
	h.pump("closed", func() bool {
		return !conv.room.joined && strings.Contains(conv.room.bar.label.Text, "closed by its owner")
	})
}

// itemOf finds a menu's item by its label.
func itemOf(t *testing.T, m *fyne.Menu, label string) *fyne.MenuItem {
	t.Helper()
	var labels []string
	for _, it := range m.Items {
		if it.Label == label {
			return it
		}
		labels = append(labels, it.Label)
	}
	t.Fatalf("no %q in the menu %q", label, labels)
	return nil
}

// waitRoomBody waits until p's history of room holds body.
func (p *peer) waitRoomBody(t *testing.T, h *harness, room, body string) {
	t.Helper()
	h.pump("the peer got "+body, func() bool {
		msgs, err := p.session.History(room, 50)
		if err != nil {
			return false
		}
		for _, m := range msgs {
			if m.Body == body {
				return true
			}
		}
		return false
	})
}

// eventLog keeps a client's events, for a test to wait for one.
type eventLog struct {
	mu     sync.Mutex
	events []core.Event
}

func recordEvents(c *core.Client) *eventLog {
	l := &eventLog{}
	c.Subscribe(func(e core.Event) {
		l.mu.Lock()
		l.events = append(l.events, e)
		l.mu.Unlock()
	})
	return l
}

// wait pumps the UI until an event that matches was recorded.
func (l *eventLog) wait(t *testing.T, h *harness, what string, match func(core.Event) bool) core.Event {
	t.Helper()
	var found core.Event
	h.pump(what, func() bool {
		l.mu.Lock()
		defer l.mu.Unlock()
		for _, e := range l.events {
			if match(e) {
				found = e
				return true
			}
		}
		return false
	})
	return found
}

// TestReservedRoomInGUI: "If the room is new, set it up before anyone can
// enter" in the join dialog: the room's form comes first; "Create the
// room" opens it with its name; "Do not create" closes it, and the tab
// says so.
func TestReservedRoomInGUI(t *testing.T) {
	ch := newChatHarness(t, true)
	h := ch.harness
	h.app.ShowMain()
	setUp := func(room string, bookmark bool) *roomConfigDialog {
		t.Helper()
		h.app.ShowJoinRoom("", room, "")
		j := h.app.joinDlg
		j.nick.SetText("Moi")
		j.bookmark.SetChecked(bookmark)
		j.setUp.SetChecked(true)
		j.submit()
		h.pump("the new room's form", func() bool {
			if h.app.chat == nil {
				return false
			}
			conv := h.app.chat.convs[ch.key(room)]
			return conv != nil && conv.room.config != nil
		})
		cd := h.app.chat.convs[ch.key(room)].room.config
		if !cd.isNew || cd.save.Text != "Create the room" {
			t.Fatalf("the form of a new room: new %v, %q", cd.isNew, cd.save.Text)
		}
		return cd
	}

	room := fmt.Sprintf("neuf%d@conference.%s", time.Now().UnixNano(), h.server.Domain)
	cd := setUp(room, false)
	// Joined told again (the join dialog hands it to the tab too): still
	// one form.
	h.app.dispatch(muc.Joined{FeatureEvent: core.FeatureEvent{Account: ch.me}, Room: room, Nick: "Moi", Created: true, Locked: true})
	ch.settle()
	if conv := h.app.chat.convs[ch.key(room)]; conv.room.config != cd {
		t.Fatal("a second form for the new room")
	}
	if text := overlayTexts(h.app.chat.win); !strings.Contains(text, "No one else can enter the room until you create it.") {
		t.Errorf("the new room's form says %q", text)
	}
	cd.entries["muc#roomconfig_roomname"].SetText("Salon tout neuf")
	test.Tap(cd.save)
	conv := h.app.chat.convs[ch.key(room)]
	h.pump("created", func() bool { return conv.room.config == nil })
	if info, err := muc.Of(ch.s).Info(t.Context(), room); err != nil || info.Name != "Salon tout neuf" {
		t.Fatalf("the new room: %+v, %v", info, err)
	}
	if !conv.room.joined {
		t.Fatal("not in the room created")
	}

	other := fmt.Sprintf("jamais%d@conference.%s", time.Now().UnixNano(), h.server.Domain)
	setUp(other, true)
	h.pump("bookmarked", func() bool { _, ok := muc.Of(ch.s).Bookmark(other); return ok })
	test.Tap(overlayButton(t, h.app.chat.win, "Do not create"))
	conv = h.app.chat.convs[ch.key(other)]
	h.pump("given up", func() bool { return !conv.room.joined && conv.room.bar.box.Visible() })
	if !strings.Contains(conv.room.bar.label.Text, "closed") {
		t.Errorf("the bar says %q", conv.room.bar.label.Text)
	}
	if muc.Of(ch.s).In(other) {
		t.Error("still in the room given up")
	}
	// Its bookmark would make it again at the next sign-in.
	h.pump("the bookmark removed", func() bool { _, ok := muc.Of(ch.s).Bookmark(other); return !ok })
}

// TestPrivateCommand: "/msg nick text" picks the longest nick in the room
// that the words start with.
func TestPrivateCommand(t *testing.T) {
	nicks := []string{"Bob", "Bob Marley", "Carol"}
	for _, c := range []struct {
		text, nick, body string
		ok               bool
	}{
		{"/msg Bob salut", "Bob", "salut", true},
		{"/msg Bob Marley salut à toi", "Bob Marley", "salut à toi", true},
		{"/msg  Carol  deux espaces", "Carol", "deux espaces", true},
		{"/msg Dave salut", "", "", true},
		{"/msg Carol", "", "", true}, // nothing to send
		{"/msg Carol   ", "", "", true},
		{"Bonjour /msg Bob x", "", "", false},
		{"/msgBob x", "", "", false},
	} {
		nick, body, ok := privateCommand(c.text, nicks)
		if nick != c.nick || body != c.body || ok != c.ok {
			t.Errorf("%q: %q %q %v, want %q %q %v", c.text, nick, body, ok, c.nick, c.body, c.ok)
		}
	}
}
