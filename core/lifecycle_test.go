package core

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/causerie/causerie/core/account"
	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/internal/testserver"
)

// TestAccountLifecycle is the whole life of an account on both servers:
// created in-band, password changed (the old one refused after), signed
// out and in with the new one, deleted on the server (the end of stream
// that follows is not an error, nothing reconnects), and gone.
func TestAccountLifecycle(t *testing.T) { bothServers(t, testAccountLifecycle) }

func testAccountLifecycle(t *testing.T, srv *testserver.Server) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	user := fmt.Sprintf("life%d", time.Now().UnixNano())
	jid := user + "@" + srv.Domain
	e := newEnvNoAccount(t, srv)
	su, err := e.client.StartSignup(ctx, srv.Domain, srv.Host, srv.Port, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := su.Submit(ctx, map[string]string{"username": user, "password": "first-pass-1"}); err != nil {
		t.Fatalf("sign-up: %v", err)
	}
	su.Close()
	s, err := e.client.AddAccount(ctx, account.Account{JID: jid, Host: srv.Host, Port: srv.Port}, "first-pass-1")
	if err != nil {
		t.Fatal(err)
	}
	e.jid, e.s = jid, s
	e.connect()

	// A wrong current password is caught before anything is sent.
	if err := s.ChangePassword(ctx, "not-it", "second-pass-2"); !errors.Is(err, ErrWrongOldPassword) {
		t.Fatalf("wrong old password: err = %v", err)
	}
	if err := s.ChangePassword(ctx, "first-pass-1", "second-pass-2"); err != nil {
		t.Fatalf("change: %v", err)
	}
	// The session stays usable: a round trip on the same stream.
	if st, _ := s.State(); st != StateOnline {
		t.Fatalf("state after change: %v", st)
	}
	if _, err := s.InvisibleSupported(ctx); err != nil {
		t.Fatalf("stream unusable after the change: %v", err)
	}

	// The old password is refused, the new one works.
	if _, err := xmpp.Dial(ctx, xmpp.Config{JID: jid, Password: "first-pass-1", Host: srv.Host, Port: srv.Port,
		TLSConfig: &tls.Config{RootCAs: srv.CertPool}}); Classify(err) != ProblemWrongPassword {
		t.Fatalf("old password: err = %v", err)
	}
	s.Disconnect()
	mark := e.rec.Mark()
	s.Connect()
	e.rec.WaitFrom(t, mark, "online again with the new password", func(ev Event) bool {
		st, ok := ev.(ConnectionStateChanged)
		if ok && st.State == StateOffline && st.Err != nil {
			t.Fatalf("offline: %v", st.Err)
		}
		return ok && st.State == StateOnline
	})

	// Deleted on the server: offline without an error, then forgotten.
	mark = e.rec.Mark()
	if err := e.client.DeleteFromServer(ctx, jid, true); err != nil {
		t.Fatalf("delete: %v", err)
	}
	var sawRemoved bool
	for _, ev := range e.rec.Since(mark) {
		switch ev := ev.(type) {
		case ConnectionStateChanged:
			if ev.Err != nil || ev.State == StateReconnecting {
				t.Errorf("after deletion: %v %v", ev.State, ev.Err)
			}
		case AccountsChanged:
			sawRemoved = sawRemoved || ev.Removed && ev.Account == jid
		}
	}
	if !sawRemoved {
		t.Error("no AccountsChanged{Removed} event")
	}
	if _, ok := e.client.Session(jid); ok {
		t.Error("account still on this computer")
	}
	if _, err := xmpp.Dial(ctx, xmpp.Config{JID: jid, Password: "second-pass-2", Host: srv.Host, Port: srv.Port,
		TLSConfig: &tls.Config{RootCAs: srv.CertPool}}); Classify(err) != ProblemWrongPassword {
		t.Fatalf("deleted account signs in: err = %v", err)
	}
}

// newEnvNoAccount is a client with its own store and no account yet.
func newEnvNoAccount(t *testing.T, srv *testserver.Server) *env {
	c, dir := testClient(t, Options{TLSConfig: &tls.Config{RootCAs: srv.CertPool},
		MinBackoff: 50 * time.Millisecond, MaxBackoff: 500 * time.Millisecond})
	return &env{t: t, dir: dir, server: srv, client: c, rec: record(c)}
}

// TestChangePasswordUpdatesKeyring: with the password remembered, the
// real Secret Service holds the new password once the server confirmed,
// and a restart signs in with it.
func TestChangePasswordUpdatesKeyring(t *testing.T) {
	srv, jid, pass, accts, store, kr := keyringSetup(t)
	ctx := context.Background()
	t.Cleanup(func() { kr.Delete(ctx, jid) })
	c := NewClient(accts, kr, store, Options{TLSConfig: &tls.Config{RootCAs: srv.CertPool}})
	defer c.Close()
	rec := record(c)
	s, err := c.AddAccount(ctx, account.Account{JID: jid, Host: srv.Host, Port: srv.Port, RememberPassword: true}, pass)
	if err != nil {
		t.Fatal(err)
	}
	s.Connect()
	rec.Wait(t, "online", func(e Event) bool {
		st, ok := e.(ConnectionStateChanged)
		return ok && st.State == StateOnline
	})
	if err := s.ChangePassword(ctx, pass, "keyring-new-pass-9"); err != nil {
		t.Fatal(err)
	}
	if got, err := kr.Get(ctx, jid); err != nil || got != "keyring-new-pass-9" {
		t.Fatalf("keyring holds %q, %v", got, err)
	}
	s.Disconnect()

	// Not remembering any more deletes it from the keyring.
	c2 := NewClient(accts, kr, store, Options{TLSConfig: &tls.Config{RootCAs: srv.CertPool}})
	defer c2.Close()
	rec2 := record(c2)
	s2, _ := c2.Session(jid)
	s2.Connect()
	rec2.Wait(t, "online after restart with the keyring's new password", func(e Event) bool {
		st, ok := e.(ConnectionStateChanged)
		if ok && st.State == StateOffline && st.Err != nil {
			t.Fatalf("offline: %v", st.Err)
		}
		return ok && st.State == StateOnline
	})
	if err := s2.RememberPassword(ctx, false); err != nil {
		t.Fatal(err)
	}
	if _, err := kr.Get(ctx, jid); !errors.Is(err, account.ErrPasswordNotFound) {
		t.Fatalf("still in the keyring: %v", err)
	}
	if a, _ := accts.Get(jid); a.RememberPassword {
		t.Fatal("setting not saved")
	}
	if err := s2.RememberPassword(ctx, true); err != nil {
		t.Fatal(err)
	}
	if got, _ := kr.Get(ctx, jid); got != "keyring-new-pass-9" {
		t.Fatalf("keyring holds %q after remembering again", got)
	}
}
