package core

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/causerie/causerie/core/account"
	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/register"
	"github.com/causerie/causerie/internal/testserver"
)

// TestSignup: the server's form, a new account that signs in, and the
// same name refused, on Prosody and ejabberd.
func TestSignup(t *testing.T) { bothServers(t, testSignup) }

func testSignup(t *testing.T, srv *testserver.Server) {
	c, _ := testClient(t, Options{TLSConfig: &tls.Config{RootCAs: srv.CertPool},
		MinBackoff: 50 * time.Millisecond, MaxBackoff: 500 * time.Millisecond})
	rec := record(c)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	s, err := c.StartSignup(ctx, srv.Domain, srv.Host, srv.Port, false)
	if err != nil {
		t.Fatal(err)
	}
	f := s.Form()
	if f.Domain != srv.Domain {
		t.Errorf("form %+v", f)
	}
	names := map[string]SignupField{}
	for _, fl := range f.Fields {
		names[fl.Name] = fl
	}
	if names["username"].Label != "Username" || names["password"].Label != "Password" || !names["password"].Secret {
		t.Fatalf("fields %+v", f.Fields)
	}
	if f.Form != nil && (f.Form.Field("username") == nil || f.Form.Field("password") == nil) {
		t.Fatalf("data form without username/password: %+v", f.Form)
	}

	user := fmt.Sprintf("signup%d", time.Now().UnixNano())
	if err := s.Submit(ctx, map[string]string{"username": user, "password": "first-pass-1"}); err != nil {
		t.Fatalf("submit: %v", err)
	}
	s.Close()

	// The new account signs in.
	jid := user + "@" + srv.Domain
	sess, err := c.AddAccount(ctx, account.Account{JID: jid, Host: srv.Host, Port: srv.Port}, "first-pass-1")
	if err != nil {
		t.Fatal(err)
	}
	sess.Connect()
	rec.Wait(t, "online", func(e Event) bool {
		st, ok := e.(ConnectionStateChanged)
		if ok && st.State == StateOffline && st.Err != nil {
			t.Fatalf("offline: %v", st.Err)
		}
		return ok && st.State == StateOnline && st.Account == jid
	})

	// The same name again: conflict.
	s2, err := c.StartSignup(ctx, srv.Domain, srv.Host, srv.Port, false)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	err = s2.Submit(ctx, map[string]string{"username": user, "password": "other-pass-2"})
	if !errors.Is(err, register.ErrConflict) {
		t.Fatalf("err = %v, want ErrConflict", err)
	}
}

func TestSignupCertificateError(t *testing.T) {
	srv := testserver.Shared(t, testserver.Prosody, testserver.Options{})
	accts, _ := account.OpenStore(filepath.Join(t.TempDir(), "config"))
	c := NewClient(accts, nil, nil, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := c.StartSignup(ctx, srv.Domain, srv.Host, srv.Port, false)
	ce, ok := CertificateOf(err)
	if !ok {
		t.Fatalf("err = %v, want a certificate error", err)
	}
	if ce.Fingerprint != xmpp.FormatFingerprint(srv.CertSHA256) {
		t.Error("wrong fingerprint")
	}
	// Pinned: it connects.
	s, err := c.StartSignup(ctx, srv.Domain, srv.Host, srv.Port, false, xmpp.FormatFingerprint(srv.CertSHA256))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
}
