package ui

import (
	"strings"
	"testing"

	"github.com/causerie/causerie/core/muc"
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

	// XEP-0147's join: "Join group chat…" filled in, for the user to
	// confirm (a link does not enter a room by itself).
	h.app.HandleURI("xmpp:darkcave@macbeth.shakespeare.lit?join;password=cauldronburn")
	j := h.app.joinDlg
	if j == nil || j.room.Text != "darkcave@macbeth.shakespeare.lit" || j.password.Text != "cauldronburn" || muc.Of(s).IsRoom("darkcave@macbeth.shakespeare.lit") {
		t.Fatalf("join: %+v", j)
	}
	j.close()

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
