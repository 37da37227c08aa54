package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/ui/transcript"
)

// chatHarness is a harness with one signed-in account whose core events
// reach the App (as App.Start does, without showing the other windows).
type chatHarness struct {
	*harness
	s    *core.Session
	me   string
	pass string // the account's password (another device signs in with it)
}

func newChatHarness(t *testing.T, connect bool) *chatHarness {
	t.Helper()
	h := newHarness(t, prosody(t))
	jid, pass := h.server.NewUser(t)
	s := h.addAccount(jid, pass)
	h.app.cancel = h.client.Subscribe(func(e core.Event) {
		h.app.do(func() { h.app.dispatch(e) })
	})
	if connect {
		h.online(s)
	}
	return &chatHarness{harness: h, s: s, me: s.Account().JID, pass: pass}
}

func (h *chatHarness) key(jid string) ChatKey { return ChatKey{h.me, jid} }

// open opens a chat and pumps until its history is shown.
func (h *chatHarness) open(jid string) *chatConversation {
	h.t.Helper()
	h.app.OpenChat(h.me, jid)
	conv := h.app.chat.convs[h.key(jid)]
	if conv == nil {
		h.t.Fatalf("no conversation for %s", jid)
	}
	h.pump("history loaded", func() bool { return conv.loaded })
	h.settle()
	return conv
}

// settle runs queued UI work (row heights, scrolling) until none is left.
func (h *chatHarness) settle() {
	for i := 0; i < 5; i++ {
		h.drain()
		time.Sleep(2 * time.Millisecond)
	}
}

// markup is what the chat window shows.
func (h *chatHarness) markup() string {
	h.settle()
	return test.RenderObjectToMarkup(h.app.chat.win.Content())
}

// waitShown pumps until the chat window shows every string.
func (h *chatHarness) waitShown(what ...string) {
	h.t.Helper()
	var missing []string
	var last string
	defer func() {
		if h.t.Failed() && len(missing) > 0 {
			h.t.Logf("not shown: %q, in:\n%s", missing, last) // what the window showed then
		}
	}()
	h.pump("chat shows "+strings.Join(what, ", "), func() bool {
		h.settle()
		last = test.RenderObjectToMarkup(h.app.chat.win.Content())
		missing = missing[:0]
		for _, w := range what {
			if !strings.Contains(last, w) {
				missing = append(missing, w)
			}
		}
		return len(missing) == 0
	})
}

// peerGot pumps until the peer's history holds a message from us with body.
func (h *chatHarness) peerGot(p *peer, body string) {
	h.t.Helper()
	h.pump("peer receives "+body, func() bool {
		ms, _ := p.session.History(h.me, 50)
		for _, m := range ms {
			if m.Direction == history.In && m.Body == body {
				return true
			}
		}
		return false
	})
}

// transcriptList is the list the conversation's transcript shows (a new
// one after each reset of the transcript).
func transcriptList(c *chatConversation) *widget.List {
	for _, o := range test.LaidOutObjects(c.trans.Object()) {
		if l, ok := o.(*widget.List); ok {
			return l
		}
	}
	return nil
}

func TestChatSendWithEnter(t *testing.T) {
	h := newChatHarness(t, true)
	p := newPeer(t, h.server)
	conv := h.open(p.jid)

	if !h.app.chat.visible || h.app.chat.win.Canvas().Focused() != conv.composer {
		t.Fatal("the chat window is not shown with the focus in the composer")
	}
	if got := h.app.chat.win.Title(); got != p.jid+" — Causerie" {
		t.Errorf("title = %q", got)
	}

	// Enter on an empty or blank composer sends nothing
	conv.composer.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	test.Type(conv.composer, "   ")
	conv.composer.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	h.settle()
	if ms, _ := h.s.History(p.jid, 10); len(ms) != 0 {
		t.Fatalf("blank message sent: %+v", ms)
	}
	conv.composer.SetText("")

	test.Type(conv.composer, "Bonjour")
	conv.composer.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if conv.composer.Text != "" {
		t.Errorf("composer not cleared: %q", conv.composer.Text)
	}
	if h.app.chat.win.Canvas().Focused() != conv.composer {
		t.Error("focus left the composer after sending")
	}
	h.peerGot(p, "Bonjour")
	h.waitShown("Bonjour", "Me", "✓✓ on server")
	// shown once: from the event, not also when sending
	if n := strings.Count(h.markup(), "Bonjour"); n != 1 {
		t.Errorf("Bonjour shown %d times", n)
	}
}

func TestChatShiftEnterInsertsNewline(t *testing.T) {
	h := newChatHarness(t, true)
	p := newPeer(t, h.server)
	conv := h.open(p.jid)

	test.Type(conv.composer, "Ligne 1")
	conv.composer.KeyDown(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})
	conv.composer.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	conv.composer.KeyUp(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})
	test.Type(conv.composer, "Ligne 2")
	// a driver that sends Shift+Enter as a shortcut works too
	conv.composer.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyReturn, Modifier: fyne.KeyModifierShift})
	test.Type(conv.composer, "Ligne 3")
	h.settle()
	if got, want := conv.composer.Text, "Ligne 1\nLigne 2\nLigne 3"; got != want {
		t.Fatalf("composer = %q, want %q", got, want)
	}
	if ms, _ := h.s.History(p.jid, 10); len(ms) != 0 {
		t.Fatalf("Shift+Enter sent a message: %+v", ms)
	}
	conv.send.OnTapped() // the Send button sends too
	h.peerGot(p, "Ligne 1\nLigne 2\nLigne 3")
	h.waitShown("Ligne 3")
}

func TestChatIncomingMessages(t *testing.T) {
	h := newChatHarness(t, true)
	p := newPeer(t, h.server)
	conv := h.open(p.jid)

	for _, b := range []string{"un", "deux", "trois"} {
		if _, err := p.session.SendMessage(h.me, core.TypeChat, "", b); err != nil {
			t.Fatal(err)
		}
	}
	h.waitShown("un", "deux", "trois", "Today")
	if _, err := p.session.SendMessage(h.me, core.TypeNormal, "Réunion", "Demain"); err != nil {
		t.Fatal(err)
	}
	h.waitShown("Réunion", "Demain")
	if _, err := p.session.SendMessage(h.me, core.TypeHeadline, "", "Dernière minute"); err != nil {
		t.Fatal(err)
	}
	h.waitShown("Headline", "Dernière minute")
	if n := h.app.Unread(conv.key); n != 0 {
		t.Errorf("unread = %d for the conversation in view", n)
	}
	// one day separator for all of today's messages (counted in the
	// model: the list shows only the rows in view)
	if days := conv.trans.Len() - len(conv.trans.Messages()); days != 1 {
		t.Errorf("%d day separators", days)
	}
}

func TestChatNotDelivered(t *testing.T) {
	h := newChatHarness(t, true)
	conv := h.open("nobody-here@" + h.server.Domain)
	test.Type(conv.composer, "allô ?")
	conv.composer.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	h.waitShown("allô ?", "Not delivered: the address does not exist or does not accept messages")
}

func TestChatHistoryAndDaySeparators(t *testing.T) {
	h := newChatHarness(t, true)
	p := newPeer(t, h.server)
	store := h.client.Store()
	now := time.Now()
	old := []history.Message{
		{Body: "il y a trois jours", Sent: now.AddDate(0, 0, -3)},
		{Body: "hier", Sent: now.AddDate(0, 0, -1)},
	}
	for i := range old {
		m := &old[i]
		m.Account, m.Peer, m.Direction, m.Type, m.State = h.me, p.jid, history.In, core.TypeChat, history.StateReceived
		if err := store.Add(m); err != nil {
			t.Fatal(err)
		}
	}
	// a message that arrives while no chat is open: counted, no window
	if _, err := p.session.SendMessage(h.me, core.TypeChat, "", "avant l'ouverture"); err != nil {
		t.Fatal(err)
	}
	h.pump("unread counted", func() bool { return h.app.Unread(h.key(p.jid)) == 1 })
	if h.app.chat != nil {
		t.Fatal("a message opened the chat window")
	}

	h.open(p.jid)
	// Tall enough for every row even while the bar of the archive's
	// older pages shows (a loaded server answers it late).
	h.app.chat.win.Resize(fyne.NewSize(560, 1200))
	day3 := transcript.DayLabel(old[0].Sent, now)
	h.waitShown("il y a trois jours", "hier", "avant l'ouverture", "Yesterday", "Today", day3)
	if n := h.app.Unread(h.key(p.jid)); n != 0 {
		t.Errorf("unread = %d after opening the chat", n)
	}
}

func TestChatTabsUnreadAndShortcuts(t *testing.T) {
	h := newChatHarness(t, true)
	p1 := newPeer(t, h.server)
	p2 := newPeer(t, h.server)
	c1 := h.open(p1.jid)
	c2 := h.open(p2.jid)
	if h.app.chat.selected() != c2 || len(h.app.chat.tabs.Items) != 2 {
		t.Fatal("second chat not in a second, selected tab")
	}
	if _, err := p1.session.SendMessage(h.me, core.TypeChat, "", "coucou"); err != nil {
		t.Fatal(err)
	}
	h.pump("unread on the tab", func() bool { return c1.item.Text == p1.jid+" (1)" })
	if h.app.Unread(c1.key) != 1 {
		t.Errorf("App.Unread = %d", h.app.Unread(c1.key))
	}
	// Ctrl+Tab from the composer selects the next tab (wrapping round)
	c2.composer.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyTab, Modifier: fyne.KeyModifierShortcutDefault})
	if h.app.chat.selected() != c1 {
		t.Fatal("Ctrl+Tab did not switch tabs")
	}
	if c1.item.Text != p1.jid || h.app.Unread(c1.key) != 0 {
		t.Errorf("unread not cleared on showing the tab: %q, %d", c1.item.Text, h.app.Unread(c1.key))
	}
	if got := h.app.chat.win.Title(); got != p1.jid+" — Causerie" {
		t.Errorf("title = %q", got)
	}
	h.waitShown("coucou")
	// Ctrl+W closes the tab, then the window with the last one
	c1.composer.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyW, Modifier: fyne.KeyModifierShortcutDefault})
	if len(h.app.chat.tabs.Items) != 1 || h.app.chat.selected() != c2 {
		t.Fatal("Ctrl+W did not close the tab")
	}
	h.app.chat.shortcut(&desktop.CustomShortcut{KeyName: fyne.KeyW, Modifier: fyne.KeyModifierShortcutDefault})
	if h.app.chat != nil {
		t.Fatal("closing the last tab left the window")
	}
	// reopening shows the history again
	h.open(p1.jid)
	h.waitShown("coucou")
}

// TestChatGolden renders a chat tab with fixed content: every kind of row.
func TestChatGolden(t *testing.T) {
	h := newChatHarness(t, false)
	peerJID := "alice@example.org"
	at := func(d, hh, mm int) time.Time { return time.Date(2024, 5, d, hh, mm, 0, 0, time.Local) }
	msgs := []history.Message{
		{Direction: history.In, Type: "chat", Body: "Salut ! Tu as reçu le dossier ?", Sent: at(1, 9, 30)},
		{Direction: history.Out, Type: "chat", Body: "Oui, merci. Je le lis ce soir et je te dis ce que j'en pense demain matin, promis.", Sent: at(1, 9, 32), State: history.StateAcked},
		{Direction: history.In, Type: "normal", Subject: "Réunion", Body: "Demain à 10 h, salle 3.", Sent: at(2, 8, 5)},
		{Direction: history.In, Type: "headline", Body: "Le serveur redémarre à minuit.", Sent: at(2, 18, 0)},
		{Direction: history.Out, Type: "chat", Body: "Tu es là ?", Sent: at(2, 18, 1), State: history.StateError, Error: "service-unavailable"},
		{Direction: history.In, Type: "error", Body: "", Sent: at(2, 18, 2), State: history.StateError, Error: "remote-server-not-found"},
		{Direction: history.Out, Type: "chat", Body: "À demain", Sent: at(2, 18, 3), State: history.StatePending},
	}
	for i := range msgs {
		m := &msgs[i]
		m.Account, m.Peer = h.me, peerJID
		if err := h.client.Store().Add(m); err != nil {
			t.Fatal(err)
		}
	}
	// not connected: the pending message stays pending
	h.open(peerJID)
	h.app.chat.win.Resize(fyne.NewSize(520, 800))
	h.settle()
	test.AssertRendersToMarkup(t, "chat/tab.xml", h.app.chat.win.Canvas())
	test.AssertRendersToImage(t, "chat/tab.png", h.app.chat.win.Canvas())
}

func TestChatLoadsOlderPages(t *testing.T) {
	h := newChatHarness(t, false)
	peerJID := "bob@example.org"
	start := time.Now().Add(-time.Hour)
	for i := 1; i <= 450; i++ {
		m := history.Message{Account: h.me, Peer: peerJID, Direction: history.In, Type: "chat",
			Body: fmt.Sprintf("m%d.", i), Sent: start.Add(time.Duration(i) * time.Second)}
		if err := h.client.Store().Add(&m); err != nil {
			t.Fatal(err)
		}
	}
	conv := h.open(peerJID)
	if n := len(conv.trans.Messages()); n != chatPageSize {
		t.Fatalf("%d messages on open", n)
	}
	h.waitShown("m450.")
	// the user scrolls to the top: the page before is loaded, the view
	// stays on the message it showed
	transcriptList(conv).ScrollToTop()
	h.pump("second page", func() bool { return len(conv.trans.Messages()) == 2*chatPageSize })
	h.waitShown("m251.")
	if strings.Contains(h.markup(), ">m51.<") {
		t.Error("the view jumped to the older page")
	}
	transcriptList(conv).ScrollToTop()
	h.pump("last page", func() bool { return len(conv.trans.Messages()) == 450 })
	// The start of what this computer holds, signed out: the archive
	// may hold more (the gap says so, with Retry).
	if !conv.archive.box.Visible() || !conv.archive.retry.Visible() {
		t.Errorf("past the local history, offline: bar %v, %q", conv.archive.box.Visible(), conv.archive.label.Text)
	}
	msgs := conv.trans.Messages()
	for i, m := range msgs {
		if m.Body != fmt.Sprintf("m%d.", i+1) {
			t.Fatalf("message %d is %q", i, m.Body)
		}
	}
}

func TestChatContactName(t *testing.T) {
	h := newChatHarness(t, true)
	p := newPeer(t, h.server)
	conv := h.open(p.jid)
	if _, err := p.session.SendMessage(h.me, core.TypeChat, "", "salut"); err != nil {
		t.Fatal(err)
	}
	h.waitShown("salut")
	if err := h.s.AddContact(context.Background(), core.AddContactRequest{JID: p.jid, Name: "Paul"}); err != nil {
		t.Fatal(err)
	}
	h.pump("tab named", func() bool { return conv.item.Text == "Paul" })
	if got := h.app.chat.win.Title(); got != "Paul — Causerie" {
		t.Errorf("title = %q", got)
	}
	h.waitShown(">Paul<", p.jid)
}

// TestChatTypingDeliveredAndCorrected: with a real contact's client, the
// chat shows "is typing…", the delivered tick (XEP-0184), and corrects our
// last message with Up (XEP-0308), live in both directions.
func TestChatTypingDeliveredAndCorrected(t *testing.T) {
	h := newChatHarness(t, true)
	p := newPeer(t, h.server)
	ctx := context.Background()
	pev := make(chan core.Event, 1000)
	p.client.Subscribe(func(e core.Event) {
		select {
		case pev <- e:
		default:
		}
	})
	waitPeer := func(what string, f func(core.Event) bool) {
		t.Helper()
		h.pump(what, func() bool {
			for {
				select {
				case e := <-pev:
					if f(e) {
						return true
					}
				default:
					return false
				}
			}
		})
	}
	// Mutual contacts: receipts go only to contacts who see our presence.
	if err := h.s.AddContact(ctx, core.AddContactRequest{JID: p.jid, Subscribe: true}); err != nil {
		t.Fatal(err)
	}
	waitPeer("the request", func(e core.Event) bool { _, ok := e.(core.SubscriptionRequested); return ok })
	if err := p.session.ApproveSubscription(ctx, h.me, core.ApproveOptions{AddBack: true}); err != nil {
		t.Fatal(err)
	}
	h.pump("their request back", func() bool { c, _ := h.s.Roster().Contact(p.jid); return c.PendingIn })
	if err := h.s.ApproveSubscription(ctx, p.jid, core.ApproveOptions{}); err != nil {
		t.Fatal(err)
	}
	h.pump("both", func() bool { c, _ := h.s.Roster().Contact(p.jid); return c.Subscription == core.SubBoth })

	// Their first message tells our client theirs takes chat states.
	conv := h.open(p.jid)
	if _, err := p.session.SendMessage(h.me, core.TypeChat, "", "Salut !"); err != nil {
		t.Fatal(err)
	}
	h.waitShown("Salut !")

	// We type: they see composing.
	test.Type(conv.composer, "Tu as vu")
	waitPeer("our composing", func(e core.Event) bool {
		cs, ok := e.(core.ChatStateChanged)
		return ok && cs.State == core.ChatComposing && cs.JID == h.me
	})
	// They type: we see it, until their message comes.
	p.session.Typing(h.me, core.TypingTyped)
	h.waitShown(p.jid + " is typing…")
	if !conv.typing.Visible() {
		t.Error("typing label hidden")
	}

	// We send: delivered.
	conv.composer.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	h.peerGot(p, "Tu as vu")
	h.waitShown("✓✓ delivered")

	// Up in the empty box edits it; Enter sends the correction.
	conv.composer.TypedKey(&fyne.KeyEvent{Name: fyne.KeyUp})
	if conv.composer.Text != "Tu as vu" || conv.editing == 0 || !conv.editingNote.Visible() {
		t.Fatalf("Up: box %q editing %d", conv.composer.Text, conv.editing)
	}
	test.Type(conv.composer, " Milou ?")
	conv.composer.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	waitPeer("the correction", func(e core.Event) bool {
		c, ok := e.(core.MessageCorrected)
		return ok && c.Message.Body == "Tu as vu Milou ?"
	})
	h.waitShown("Tu as vu Milou ?", "✎ corrected")
	if strings.Contains(h.markup(), ">Tu as vu<") || conv.editing != 0 || conv.editingNote.Visible() {
		t.Error("the old text is still shown, or still editing")
	}
	// Escape leaves an edit without sending.
	conv.composer.TypedKey(&fyne.KeyEvent{Name: fyne.KeyUp})
	conv.composer.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if conv.composer.Text != "" || conv.editing != 0 {
		t.Error("Escape did not cancel the correction")
	}

	// Their correction replaces their message here.
	ms, _ := p.session.History(h.me, 10)
	var theirs history.Message
	for _, m := range ms {
		if m.Direction == history.Out && m.Body == "Salut !" {
			theirs = m
		}
	}
	if _, err := p.session.CorrectMessage(ctx, theirs.ID, "Salut Tintin !"); err != core.ErrNotCorrectable {
		t.Logf("correcting an older message: %v", err) // not their last: refused
	}
	p.session.Typing(h.me, core.TypingCleared)
	if _, err := p.session.SendMessage(h.me, core.TypeChat, "", "Pas encore"); err != nil {
		t.Fatal(err)
	}
	h.waitShown("Pas encore")
	if conv.typing.Visible() {
		t.Error("still 'typing' after their message")
	}
	ms, _ = p.session.History(h.me, 10)
	last := ms[len(ms)-1]
	if _, err := p.session.CorrectMessage(ctx, last.ID, "Pas encore, et toi ?"); err != nil {
		t.Fatal(err)
	}
	h.waitShown("Pas encore, et toi ?")
}

// TestReloadKeepsMessagesComingMeanwhile: a message that comes while a
// chat reads its history again (a room's catch-up done) is not lost from
// view when the read replaces what is shown.
func TestReloadKeepsMessagesComingMeanwhile(t *testing.T) {
	h := newChatHarness(t, false)
	peer := "alice@example.org"
	old := history.Message{Account: h.me, Peer: peer, Direction: history.In, Type: "chat", Body: "avant", Sent: time.Now().Add(-time.Minute)}
	if err := h.client.Store().Add(&old); err != nil {
		t.Fatal(err)
	}
	conv := h.open(peer)
	conv.load()
	// Published while the read is under way (as a live message is, once
	// stored: here the read has it or not, and it must show either way).
	conv.received(history.Message{ID: old.ID + 1000, Account: h.me, Peer: peer, Direction: history.In, Type: "chat", Body: "pendant", Sent: time.Now()})
	h.pump("reloaded", func() bool { return conv.loaded })
	h.settle()
	var bodies []string
	for _, m := range conv.trans.Messages() {
		bodies = append(bodies, m.Body)
	}
	if strings.Join(bodies, "|") != "avant|pendant" {
		t.Fatalf("shown after the reload: %q", bodies)
	}
}
