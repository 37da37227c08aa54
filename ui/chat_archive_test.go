package ui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/mam"
	"github.com/causerie/causerie/internal/coretest"
)

// TestOlderFromArchiveInGUI: a new computer for an account whose archive
// holds 250 messages from B. Signing in brings the last 100 (the window,
// made that small here);
// the chat, too short to scroll, asks the archive for the page before at
// once, and scrolling up brings the rest, every message once and in
// order. Signed out, scrolling up says the older messages are on the
// server, with Retry (the gap).
func TestOlderFromArchiveInGUI(t *testing.T) {
	srv := prosody(t)
	jid, pass := srv.NewUser(t)
	first := coretest.Login(t, srv, jid, pass)
	first.Connect(t)
	b := newPeer(t, srv)
	const n = 250
	for i := range n {
		if _, err := b.session.SendMessage(jid, core.TypeChat, "", fmt.Sprintf("#%03d", i)); err != nil {
			t.Fatal(err)
		}
	}
	first.Events.Wait(t, "the last message", func(e core.Event) bool {
		m, ok := e.(core.MessageReceived)
		return ok && m.Message.Body == fmt.Sprintf("#%03d", n-1)
	})
	first.Session.Disconnect()

	saved, savedPage := mam.WindowMessages, mam.PageSize
	mam.WindowMessages, mam.PageSize = 100, 100
	t.Cleanup(func() { mam.WindowMessages, mam.PageSize = saved, savedPage })
	h := newHarness(t, srv)
	s := h.addAccount(jid, pass)
	h.app.cancel = h.client.Subscribe(func(e core.Event) {
		h.app.do(func() { h.app.dispatch(e) })
	})
	h.online(s)
	h.pump("the catch-up's last page", func() bool {
		ms, _ := s.History(b.jid, 1000)
		return len(ms) >= 100
	})
	ch := &chatHarness{harness: h, s: s, me: jid}
	conv := ch.open(b.jid)
	shown := func() []string {
		var out []string
		for _, m := range conv.trans.Messages() {
			out = append(out, m.Body)
		}
		return out
	}
	h.pump("the page before, at once", func() bool { return len(shown()) >= 200 && !conv.archiveBusy })
	for i := 0; len(shown()) < n && i < 5; i++ {
		conv.loadOlder() // scrolled to the top
		h.pump("a page from the archive", func() bool { return !conv.archiveBusy && !conv.loading })
	}
	want := make([]string, n)
	for i := range want {
		want[i] = fmt.Sprintf("#%03d", i)
	}
	if got := strings.Join(shown(), " "); got != strings.Join(want, " ") {
		t.Fatalf("shown (%d): %.300s", len(shown()), got)
	}
	if !conv.archiveDone || conv.archive.box.Visible() {
		t.Errorf("done %v, bar shown %v (%q)", conv.archiveDone, conv.archive.box.Visible(), conv.archive.label.Text)
	}
	// The chat in view is the one the next catch-up reads first; once
	// closed, none is.
	if got := mam.Of(s).OpenChat(); got != b.jid {
		t.Errorf("the catch-up's open chat: %q", got)
	}
	h.app.chat.closeTab(h.app.chat.tabs.Selected())
	if got := mam.Of(s).OpenChat(); got != "" {
		t.Errorf("the catch-up's open chat after closing it: %q", got)
	}

	// Signed out, with the archive not read to its start: the gap says
	// so and offers Retry.
	conv.archiveDone, conv.exhausted = false, false
	s.Disconnect()
	h.pump("offline", func() bool { st, _ := s.State(); return st == core.StateOffline })
	conv.loadFromArchive()
	if !conv.archive.box.Visible() || !conv.archive.retry.Visible() || !strings.Contains(conv.archive.label.Text, "sign in") {
		t.Errorf("offline: bar %v, retry %v, %q", conv.archive.box.Visible(), conv.archive.retry.Visible(), conv.archive.label.Text)
	}
}
