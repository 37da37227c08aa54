// Package omemotest gives the tests of OMEMO (core/omemo and the GUI's)
// what a device's keys need: a key database of the test's own and the
// real OS keyring (gnome-keyring under .ci/with-desktop.sh), under a
// keyring service of the test's own.
package omemotest

import (
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/causerie/causerie/core/account"
	"github.com/causerie/causerie/core/omemo/keys"
)

var seq atomic.Int64

// Keys is a new key database in the test's directory (closed at the
// end) and the keyring under a service of its own, named after prefix.
// Without a session bus the test is skipped, or fails under CI.
func Keys(t testing.TB, prefix string) (*keys.DB, keys.Keyring) {
	t.Helper()
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("no session bus: run under .ci/with-desktop.sh (make test)")
		}
		t.Skip("no session bus: run under .ci/with-desktop.sh (make test)")
	}
	db, err := keys.Open(filepath.Join(t.TempDir(), "omemo.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	service := fmt.Sprintf("%s-%d-%d", prefix, os.Getpid(), seq.Add(1))
	return db, keys.Keyring{K: &account.Keyring{Service: service, Timeout: 10 * time.Second}}
}
