package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/ui/roster"
)

// pumpBoth runs both GUIs' queued work until cond holds.
func pumpBoth(t *testing.T, a, b *harness, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for: %s", what)
		}
		a.drain()
		b.drain()
		time.Sleep(5 * time.Millisecond)
	}
}

// TestStrangersBecomeMutualContacts is issue 6's acceptance with two
// real GUIs on one real server: Alice adds Bob with a message through
// the add dialog; Bob answers with the request dialog (approve, add back
// with a name and a group); Alice's client gets Bob's request back and
// approves it from the contact list; both see each other online, each
// other's profile and client in the info window; then they undo it all.
func TestStrangersBecomeMutualContacts(t *testing.T) {
	srv := prosody(t)
	ha, sa, ma := signedIn(t, srv)
	hb, sb, mb := signedIn(t, srv)
	alice, bob := sa.Account().JID, sb.Account().JID
	ctx := t.Context()
	if err := sb.SetVCard(ctx, core.VCard{FullName: "Bob Morane", Photo: testPNG(64, 64)}); err != nil {
		t.Fatal(err)
	}

	// Alice: Add contact.
	ma.showAddContact()
	f := ma.contactDialog
	f.jid.SetText(bob)
	f.name.SetText("Bob")
	test.Type(f.message, "Bonjour, c'est Alice du club")
	test.Tap(f.ok)
	// Bob: the request shows; he opens it and approves, adding Alice back.
	req := roster.RequestUID(bob, alice)
	pumpBoth(t, ha, hb, "Bob sees the request", func() bool { return mb.model.Nodes[req] != nil })
	mb.activate(req)
	if !overlayHasText(mb, "Their message: “Bonjour, c'est Alice du club”") {
		t.Fatal("Bob does not see Alice's message")
	}
	entries := overlayEntries(mb.win.Canvas().Overlays().Top())
	entries[0].SetText("Alice")
	entries[1].SetText("Club")
	test.Tap(loginFindButton(t, mb.win.Canvas().Overlays().Top(), "Approve"))
	// Alice: Bob's request back arrives; she approves it in the list.
	back := roster.RequestUID(alice, bob)
	pumpBoth(t, ha, hb, "Alice gets Bob's request", func() bool {
		n := ma.model.Nodes[back]
		if n == nil {
			// Alice's client may approve it on its own: she asked first
			// (pre-approval) — then there is nothing to answer.
			c, _ := sa.Roster().Contact(bob)
			return c.Subscription == core.SubBoth
		}
		return renderedRow(ma, back) != nil
	})
	if ma.model.Nodes[back] != nil {
		test.Tap(rowButton(renderedRow(ma, back), "Approve"))
	}
	pumpBoth(t, ha, hb, "mutual and online", func() bool {
		ca, _ := sa.Roster().Contact(bob)
		cb, _ := sb.Roster().Contact(alice)
		return ca.Subscription == core.SubBoth && cb.Subscription == core.SubBoth && ca.Online() && cb.Online()
	})
	if cb, _ := sb.Roster().Contact(alice); cb.Name != "Alice" || len(cb.Groups) != 1 || cb.Groups[0] != "Club" {
		t.Errorf("Bob's entry for Alice: %+v", cb)
	}
	// Alice looks at Bob: profile, photo, client.
	ha.app.ShowContactInfo(alice, bob)
	ci := ha.app.infos[ChatKey{alice, bob}]
	pumpBoth(t, ha, hb, "Bob's profile and client", func() bool {
		text := strings.Join(loginLabels(ci.win.Content()), "\n")
		return strings.Contains(text, "Bob Morane") && strings.Contains(text, "Client: Causerie")
	})
	if ci.sub.Text != "You see their presence. They see yours." {
		t.Errorf("Alice's view: %q", ci.sub.Text)
	}
	// Undo: Alice removes Bob (both subscriptions end).
	n := ma.model.Nodes[roster.ContactUID(alice, "", bob)]
	if n == nil {
		t.Fatal("no row for Bob")
	}
	ma.confirmRemove(alice, n.Contact)
	test.Tap(loginFindButton(t, ma.win.Canvas().Overlays().Top(), "Yes"))
	pumpBoth(t, ha, hb, "undone", func() bool {
		_, inA := sa.Roster().Contact(bob)
		cb, _ := sb.Roster().Contact(alice)
		return !inA && cb.Subscription == core.SubNone
	})
	ci.win.Close()
}
