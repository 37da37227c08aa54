package e2e

import (
	"context"
	"crypto/tls"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/internal/testserver"
)

// signIn checks credentials with a fresh stream, outside the app.
func signIn(srv *testserver.Server, jid, pass string) error {
	c, err := xmpp.Dial(context.Background(), xmpp.Config{JID: jid, Password: pass, Host: srv.Host, Port: srv.Port,
		TLSConfig: &tls.Config{RootCAs: srv.CertPool}})
	if err == nil {
		c.Close()
	}
	return err
}

// TestSignupPasswordChangeAndDeletion: from a fresh start, a person
// creates an account with the sign-up wizard, changes its password in the
// accounts window and deletes the account on the server, all by mouse and
// keyboard in the real binary; the server is checked from outside at each
// step.
func TestSignupPasswordChangeAndDeletion(t *testing.T) {
	needGUI(t)
	srv := testserver.Start(t, testserver.Prosody, testserver.Options{})
	bin := buildApp(t)
	profile := t.TempDir()
	ca := filepath.Join(profile, "ca.pem")
	os.WriteFile(ca, srv.CertPEM, 0o600)
	startApp(t, bin, profile, "SSL_CERT_FILE="+ca)

	user := fmt.Sprintf("e2e%d", time.Now().UnixNano()%1e9)
	jid := user + "@" + srv.Domain
	pass1, pass2 := "Premier-Mot-2026", "Second-Mot-2027"

	// Welcome -> Create account -> the server, with Advanced for the
	// test server's loopback address and port.
	win := waitWindow(t, "^Causerie$")
	click(t, win, 206, 394) // Create account
	typeText(t, win, srv.Domain)
	click(t, win, 60, 164)  // Advanced
	click(t, win, 285, 203) // Server host
	typeText(t, win, srv.Host)
	click(t, win, 285, 242) // Port
	typeText(t, win, strconv.Itoa(srv.Port))
	screenshot(t, "account-1-signup-server")
	click(t, win, 451, 538) // Next
	time.Sleep(time.Second)
	// The server's form: username (focused), password twice.
	typeText(t, win, user)
	click(t, win, 270, 145)
	typeText(t, win, pass1)
	click(t, win, 270, 222) // below the strength hint that appeared
	typeText(t, win, pass1)
	screenshot(t, "account-2-signup-form")
	click(t, win, 445, 538) // Create
	waitGone(t, win)
	if err := signIn(srv, jid, pass1); err != nil {
		t.Fatalf("the new account does not sign in: %v", err)
	}
	mainWin := waitWindow(t, "^Causerie$")
	screenshot(t, "account-3-main")

	// Accounts window (Ctrl+Shift+A) -> Change password.
	key(t, mainWin, "ctrl+shift+a")
	accts := waitWindow(t, "^Accounts")
	time.Sleep(time.Second) // online
	screenshot(t, "account-4-accounts")
	click(t, accts, 270, 100) // Change password…
	typeText(t, accts, pass1)
	key(t, accts, "Return")
	typeText(t, accts, pass2)
	key(t, accts, "Return")
	typeText(t, accts, pass2)
	screenshot(t, "account-5-password")
	key(t, accts, "Return")
	deadline := time.Now().Add(20 * time.Second)
	for signIn(srv, jid, pass2) != nil {
		if time.Now().After(deadline) {
			t.Fatal("the new password does not sign in")
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err := signIn(srv, jid, pass1); core.Classify(err) != core.ProblemWrongPassword {
		t.Fatalf("the old password still works: %v", err)
	}
	screenshot(t, "account-6-password-changed")
	click(t, accts, 280, 348) // OK

	// Remove… -> Delete the account on the server -> confirm.
	click(t, accts, 400, 100) // Remove…
	click(t, accts, 190, 228) // Delete the account on the server
	screenshot(t, "account-7-remove")
	click(t, accts, 442, 478) // Delete account…
	screenshot(t, "account-8-confirm")
	click(t, accts, 340, 372) // Delete for good
	waitGone(t, accts)
	waitWindow(t, "^Causerie$") // the welcome window is back
	screenshot(t, "account-9-deleted")
	if err := signIn(srv, jid, pass2); core.Classify(err) != core.ProblemWrongPassword {
		t.Fatalf("the deleted account still signs in: %v", err)
	}
}
