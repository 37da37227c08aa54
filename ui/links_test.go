package ui

import (
	"strings"
	"testing"
)

func TestHandleURI(t *testing.T) {
	srv := prosody(t)
	h, s, m := signedIn(t, srv)
	me := s.Account().JID

	h.app.HandleURI("xmpp:Bob@Example.org?message;body=Salut%20Bob")
	if h.app.chat == nil {
		t.Fatal("no chat opened")
	}
	conv := h.app.chat.convs[ChatKey{me, "bob@example.org"}]
	if conv == nil || conv.composer.Text != "Salut Bob" {
		t.Fatalf("chat with bob: %+v", conv)
	}
	h.app.chat.close()

	h.app.HandleURI("xmpp:romeo@montague.net?roster;name=Romeo%20Montague;group=Friends")
	f := m.contactDialog
	if f == nil || f.jid.Text != "romeo@montague.net" || f.name.Text != "Romeo Montague" || f.groups.entry.Text != "Friends" {
		t.Fatalf("add dialog: %+v", f)
	}
	f.dlg.Hide()

	h.app.HandleURI("xmpp:darkcave@macbeth.shakespeare.lit?join")
	if !overlayHasText(m, "Causerie cannot join group chats yet (darkcave@macbeth.shakespeare.lit).") {
		t.Error("join not explained")
	}
	m.win.Canvas().Overlays().Top().Hide()

	h.app.HandleURI("xmpp:a b@example.org")
	if !overlayHasText(m, "The address in this xmpp: link is not valid.") {
		t.Error("bad link not explained")
	}
}

func TestHandleURIWithoutAccount(t *testing.T) {
	h := newHarness(t, nil)
	h.app.Start()
	h.app.HandleURI("xmpp:bob@example.org")
	if h.app.login == nil {
		t.Fatal("welcome window not shown")
	}
	if got := overlayTexts(h.app.login.win); !strings.Contains(got, "To open bob@example.org, sign in to an account first.") {
		t.Errorf("explanation %q", got)
	}
}
