package uitest

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/account"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/internal/testserver"
)

// NewClient makes a core client over dir, with no keyring: its accounts
// in dir/config, its history in dir/history.db. It is closed when the
// test ends.
func NewClient(t testing.TB, dir string, opts core.Options) *core.Client {
	t.Helper()
	accts, err := account.OpenStore(filepath.Join(dir, "config"))
	if err != nil {
		t.Fatal(err)
	}
	store, err := history.Open(filepath.Join(dir, "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	c := core.NewClient(accts, nil, store, opts)
	t.Cleanup(func() { c.Close(); store.Close() })
	return c
}

// SignIn makes a new user on srv, adds it to c and connects it; it
// returns once the session is online (the test fails after 20 seconds).
func SignIn(t testing.TB, c *core.Client, srv *testserver.Server) (jid, pass string, s *core.Session) {
	t.Helper()
	jid, pass = srv.NewUser(t)
	s, err := c.AddAccount(context.Background(), account.Account{JID: jid, Host: srv.Host, Port: srv.Port}, pass)
	if err != nil {
		t.Fatal(err)
	}
	online := make(chan struct{}, 1)
	cancel := c.Subscribe(func(e core.Event) {
		if st, ok := e.(core.ConnectionStateChanged); ok && st.State == core.StateOnline {
			select {
			case online <- struct{}{}:
			default:
			}
		}
	})
	defer cancel()
	s.Connect()
	select {
	case <-online:
	case <-time.After(20 * time.Second):
		t.Fatalf("%s not online", jid)
	}
	return jid, pass, s
}

// Prosody is the Prosody server the tests of the process share.
func Prosody(t testing.TB) *testserver.Server {
	return testserver.Shared(t, testserver.Prosody, testserver.Options{})
}
