package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/account"
	"github.com/causerie/causerie/core/mam"
)

// TestAccountSettingsArchive: the settings read what the server keeps
// (Prosody: everything) and Save changes it; signed out, the setting
// says to sign in.
func TestAccountSettingsArchive(t *testing.T) {
	srv := prosody(t)
	h := newHarness(t, srv)
	jid, pass := srv.NewUser(t)
	s, err := h.client.AddAccount(context.Background(), account.Account{JID: jid, Host: srv.Host, Port: srv.Port, AutoConnect: true}, pass)
	if err != nil {
		t.Fatal(err)
	}
	h.app.Start()
	h.online(s)
	h.app.ShowAccounts()
	aw := h.app.accounts
	test.Tap(aw.rows[jid].settings)
	d := aw.settings
	h.pump("the server's policy", func() bool { return !d.archive.Disabled() })
	if d.archive.Selected != "All conversations" {
		t.Fatalf("shown: %q (%q)", d.archive.Selected, d.archiveNote.Text)
	}
	d.archive.SetSelected("Only with my contacts")
	test.Tap(d.save)
	h.pump("saved", func() bool { return aw.settings == nil })
	if p, err := mam.Of(s).Policy(context.Background()); err != nil || p != mam.PolicyRoster {
		t.Fatalf("the server's policy: %q, %v", p, err)
	}

	// Reopened: the new policy. Signed out: a word instead.
	test.Tap(aw.rows[jid].settings)
	d = aw.settings
	h.pump("the new policy", func() bool { return d.archive.Selected == "Only with my contacts" })
	d.close()
	s.Disconnect()
	h.pump("offline", func() bool { st, _ := s.State(); return st == core.StateOffline })
	test.Tap(aw.rows[jid].settings)
	d = aw.settings
	if !d.archive.Disabled() || !strings.Contains(d.archiveNote.Text, "Sign in") {
		t.Errorf("offline: disabled %v, %q", d.archive.Disabled(), d.archiveNote.Text)
	}
	d.close()
}
