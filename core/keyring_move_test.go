package core

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/causerie/causerie/core/account"
	"github.com/causerie/causerie/core/history"
	"github.com/zalando/go-keyring"
)

// TestPasswordMovesToNormalKey: an account saved before addresses were
// normalised under RFC 7622, with a full-width localpart, has its password
// under the old key in the real Secret Service. The session still finds it,
// moves it to the normal key, and RemoveAccount leaves nothing behind.
func TestPasswordMovesToNormalKey(t *testing.T) {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("no session bus: run under .ci/with-desktop.sh (make test does)")
		}
		t.Skip("no session bus: run under .ci/with-desktop.sh")
	}
	const (
		old    = "ｊｅａｎ@example.org"
		normal = "jean@example.org"
	)
	dir := t.TempDir()
	file := `{"version":1,"accounts":[{"jid":"` + old + `","remember_password":true}]}`
	if err := os.WriteFile(filepath.Join(dir, account.FileName), []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	accts, err := account.OpenStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	store, err := history.Open(filepath.Join(dir, "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	kr := &account.Keyring{Service: "causerie-test-move", Timeout: 5 * time.Second}
	ctx := context.Background()
	t.Cleanup(func() {
		keyring.Delete(kr.Service, old)
		keyring.Delete(kr.Service, normal)
	})
	// The old Causerie's key, which Keyring (normalising) cannot write.
	if err := keyring.Set(kr.Service, old, "le-mot-de-passe"); err != nil {
		t.Fatal(err)
	}
	c := NewClient(accts, kr, store, Options{})
	s, ok := c.Session(normal)
	if !ok {
		t.Fatalf("no session for %s", normal)
	}
	pw, err := s.passwordFor(ctx, s.Account())
	if err != nil || pw != "le-mot-de-passe" {
		t.Fatalf("password = %q, %v", pw, err)
	}
	if pw, err := kr.Get(ctx, normal); err != nil || pw != "le-mot-de-passe" {
		t.Fatalf("under the normal key: %q, %v", pw, err)
	}
	if _, err := keyring.Get(kr.Service, old); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("the old item is still there: %v", err)
	}

	// An item left under the old key (a move interrupted) goes with the account.
	if err := keyring.Set(kr.Service, old, "le-mot-de-passe"); err != nil {
		t.Fatal(err)
	}
	if err := c.RemoveAccount(ctx, normal, false); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{old, normal} {
		if _, err := keyring.Get(kr.Service, k); !errors.Is(err, keyring.ErrNotFound) {
			t.Errorf("%s still in the keyring: %v", k, err)
		}
	}
}
