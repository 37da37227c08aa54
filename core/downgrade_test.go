package core

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/causerie/causerie/core/account"
	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/internal/testserver"
)

// No silent downgrade (issue 12, point 7), with internal/testserver.Fake
// playing the hostile server.

const (
	plainOnly  = "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms>"
	legacyOnly = "<auth xmlns='http://jabber.org/features/iq-auth'/>"
)

// storedAccount reads jid's account from the accounts file in dir, as the
// next start of the app would.
func storedAccount(t *testing.T, dir, jid string) account.Account {
	t.Helper()
	accts, err := account.OpenStore(filepath.Join(dir, "config"))
	if err != nil {
		t.Fatal(err)
	}
	a, ok := accts.Get(jid)
	if !ok {
		t.Fatalf("%s not stored", jid)
	}
	return a
}

// offlineWith connects and waits for the session to go offline with an
// error, which it returns.
func offlineWith(t *testing.T, rec *recorder, s *Session) error {
	t.Helper()
	seen := rec.Mark()
	s.Connect()
	ev := rec.WaitFrom(t, seen, "offline with an error", func(ev Event) bool {
		st, ok := ev.(ConnectionStateChanged)
		if ok && st.State == StateOnline {
			t.Fatal("signed in")
		}
		return ok && st.State == StateOffline && st.Err != nil
	}).(ConnectionStateChanged)
	s.Wait()
	return ev.Err
}

// TestDowngradeAfterSCRAMRefused: a sign-in with SCRAM on Prosody is
// remembered in the accounts file; the same account then facing a server
// that offers only PLAIN, or only legacy jabber:iq:auth, goes offline with
// ProblemDowngrade (not retried) and the server never receives a
// credential. A settings copy taken before the sign-in does not lower the
// floor when saved.
func TestDowngradeAfterSCRAMRefused(t *testing.T) {
	srv := prosody(t)
	e := newUser(t, srv)
	stale := e.s.Account()
	e.connect()
	e.s.Disconnect()
	got := e.s.Account().StrongestAuth
	if xmpp.MechanismLevel(got) != xmpp.AuthSCRAM {
		t.Fatalf("strongest sign-in %q after a SCRAM login", got)
	}
	if a := storedAccount(t, e.dir, e.jid); a.StrongestAuth != got {
		t.Fatalf("stored strongest sign-in %q, want %q", a.StrongestAuth, got)
	}

	// The account now reaches a man in the middle.
	f := testserver.StartFake(t)
	stale.Host, stale.Port = f.Host, f.Port
	stale.Pinned = []string{xmpp.FormatFingerprint(f.CertSHA256)}
	if err := e.client.UpdateAccount(stale); err != nil {
		t.Fatal(err)
	}
	if a := e.s.Account(); a.StrongestAuth != got {
		t.Fatalf("saving an older copy lowered the floor to %q", a.StrongestAuth)
	}
	for _, tc := range []struct{ name, features, never string }{
		{"PLAIN only", plainOnly, "auth"},
		{"legacy only", legacyOnly, "iq"},
	} {
		run := f.Play(testserver.STARTTLS(testserver.PrimaryCert), testserver.Features(tc.features))
		err := offlineWith(t, e.rec, e.s)
		if Classify(err) != ProblemDowngrade {
			t.Errorf("%s: %v classified as %v, want ProblemDowngrade", tc.name, err, Classify(err))
		}
		if err := run.Wait(t); err != nil {
			t.Fatal(err)
		}
		if run.Has("", tc.never) || len(run.Received()) != 1 {
			t.Errorf("%s: the server received %v", tc.name, run.Received())
		}
	}
	if n := f.Unscripted(); n != 0 {
		t.Errorf("retried %d times after a downgrade", n)
	}
	if a := storedAccount(t, e.dir, e.jid); a.StrongestAuth != got {
		t.Errorf("stored strongest sign-in now %q", a.StrongestAuth)
	}
}

// TestStrongestAuthOnlyRises: the recorded mechanism is replaced only by
// a stronger one, whatever copy of the settings is saved.
func TestStrongestAuthOnlyRises(t *testing.T) {
	c, dir := testClient(t, Options{})
	a := account.Account{JID: "alice@example.test"}
	s, err := c.AddAccount(context.Background(), a, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ used, want string }{
		{"PLAIN", "PLAIN"},
		{"jabber:iq:auth", "PLAIN"},
		{"SCRAM-SHA-1", "SCRAM-SHA-1"},
		{"SCRAM-SHA-256-PLUS", "SCRAM-SHA-256-PLUS"},
		{"SCRAM-SHA-256", "SCRAM-SHA-256-PLUS"},
		{"PLAIN", "SCRAM-SHA-256-PLUS"},
	} {
		s.recordAuth(tc.used)
		if got := s.Account().StrongestAuth; got != tc.want {
			t.Errorf("after %s: %q, want %q", tc.used, got, tc.want)
		}
	}
	for _, weaker := range []string{"", "PLAIN", "SCRAM-SHA-1"} {
		a.StrongestAuth = weaker
		if err := c.UpdateAccount(a); err != nil {
			t.Fatal(err)
		}
		if _, err := c.AddAccount(context.Background(), a, ""); err != nil {
			t.Fatal(err)
		}
	}
	if got := storedAccount(t, dir, a.JID).StrongestAuth; got != "SCRAM-SHA-256-PLUS" {
		t.Errorf("stored %q after saving weaker copies", got)
	}
}

// TestChangedCertificateReplacesPin: a server presenting another
// certificate than the pinned one fails the sign-in with a
// *xmpp.CertificateError that gives the old (pinned) and the new
// fingerprints, and the pin is left as it was (the question refused).
// Trusting the new one replaces the pin, in the accounts file too, and the
// next sign-in gets through TLS.
func TestChangedCertificateReplacesPin(t *testing.T) {
	f := testserver.StartFake(t)
	c, dir := testClient(t, Options{
		TLSConfig:  &tls.Config{RootCAs: x509.NewCertPool()}, // trust comes from the pin only
		MinBackoff: 50 * time.Millisecond, MaxBackoff: 100 * time.Millisecond,
	})
	rec := record(c)
	old := xmpp.FormatFingerprint(f.CertSHA256)
	jid := "alice@" + f.Domain
	s, err := c.AddAccount(context.Background(), account.Account{JID: jid, Host: f.Host, Port: f.Port, Pinned: []string{old}}, "sesame")
	if err != nil {
		t.Fatal(err)
	}

	run := f.Play(testserver.STARTTLS(testserver.OtherCert))
	err = offlineWith(t, rec, s)
	run.Wait(t)
	ce, ok := CertificateOf(err)
	if !ok || Classify(err) != ProblemCertificate {
		t.Fatalf("sign-in ended with %v, want a certificate error", err)
	}
	newFP := xmpp.FormatFingerprint(f.OtherSHA256)
	if !ce.Changed() || len(ce.Pinned) != 1 || ce.Pinned[0] != old || ce.Fingerprint != newFP {
		t.Fatalf("certificate error: new %s, pinned %s", ce.Fingerprint, ce.Pinned)
	}
	if p := storedAccount(t, dir, jid).Pinned; !slices.Equal(p, []string{old}) {
		t.Fatalf("pins changed without consent: %v", p)
	}

	if err := c.TrustCertificate(jid, strings.ToLower(newFP)); err != nil {
		t.Fatal(err)
	}
	if p := s.Account().Pinned; !slices.Equal(p, []string{newFP}) {
		t.Errorf("pins %v, want only the new one", p)
	}
	if p := storedAccount(t, dir, jid).Pinned; !slices.Equal(p, []string{newFP}) {
		t.Errorf("stored pins %v, want only the new one", p)
	}
	run = f.Play(testserver.STARTTLS(testserver.OtherCert), testserver.Features(plainOnly),
		testserver.Expect(testserver.NSSASL, "auth"),
		testserver.Send("<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><not-authorized/></failure>"))
	if err := offlineWith(t, rec, s); Classify(err) != ProblemWrongPassword {
		t.Errorf("second sign-in: %v, want past TLS to the password", err)
	}
	if err := run.Wait(t); err != nil {
		t.Error(err)
	}
	if err := c.TrustCertificate(jid, "not a fingerprint"); err == nil {
		t.Error("a malformed fingerprint was pinned")
	}
}
