package ui

import (
	"context"
	"crypto/tls"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/account"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/internal/testserver"
)

func TestMain(m *testing.M) {
	hermeticLocale()
	testserver.Main(m)
}

// harness is a GUI over a real core client, in Fyne's headless test
// driver. Core events queue up and run on the test goroutine in pump, so
// widgets are only touched there (race-free, like fyne.Do in the app).
type harness struct {
	t      *testing.T
	fyne   fyne.App
	app    *App
	client *core.Client
	queue  chan func()
	dir    string
	server *testserver.Server
}

// newHarness makes an App over a fresh client (own config dir and history)
// that trusts the test server's certificate.
func newHarness(t *testing.T, srv *testserver.Server) *harness {
	t.Helper()
	return newHarnessTrust(t, srv, true)
}

// newUntrustingHarness is newHarness with a client that does not trust the
// test server's certificate (system roots only), as on a real desktop
// facing a self-signed server.
func newUntrustingHarness(t *testing.T, srv *testserver.Server) *harness {
	t.Helper()
	return newHarnessTrust(t, srv, false)
}

func newHarnessTrust(t *testing.T, srv *testserver.Server, trustCA bool) *harness {
	t.Helper()
	h := &harness{t: t, queue: make(chan func(), 100000), dir: t.TempDir(), server: srv}
	h.fyne = newTestApp(t)
	accts, err := account.OpenStore(filepath.Join(h.dir, "config"))
	if err != nil {
		t.Fatal(err)
	}
	store, err := history.Open(filepath.Join(h.dir, "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	opts := core.Options{MinBackoff: 50 * time.Millisecond, MaxBackoff: 500 * time.Millisecond}
	if srv != nil && trustCA {
		opts.TLSConfig = &tls.Config{RootCAs: srv.CertPool}
	}
	h.client = core.NewClient(accts, nil, store, opts)
	t.Cleanup(func() { h.client.Close(); store.Close() })
	h.app = New(h.fyne, h.client, "test")
	h.app.do = func(f func()) { h.queue <- f }
	h.app.images = h.app.imageCacheIn(filepath.Join(h.dir, "cache", "images"))
	h.app.trayCheck = func() bool { return false } // no tray unless a test says so
	t.Cleanup(h.app.Stop)
	return h
}

// pump runs queued UI work until cond holds (checked on this goroutine).
func (h *harness) pump(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out waiting for: %s", what)
		}
		select {
		case f := <-h.queue:
			f()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// drain runs what is queued now.
func (h *harness) drain() {
	for {
		select {
		case f := <-h.queue:
			f()
		default:
			return
		}
	}
}

// addAccount saves an account for jid on the test server (password kept
// for this run) and returns its session, not connected.
func (h *harness) addAccount(jid, pass string) *core.Session {
	h.t.Helper()
	s, err := h.client.AddAccount(context.Background(), account.Account{JID: jid, Host: h.server.Host, Port: h.server.Port}, pass)
	if err != nil {
		h.t.Fatal(err)
	}
	return s
}

// online connects a session and pumps until it is online.
func (h *harness) online(s *core.Session) {
	h.t.Helper()
	s.Connect()
	h.pump("online", func() bool { st, _ := s.State(); return st == core.StateOnline })
}

// peer is a second real user with its own headless client (no GUI).
type peer struct {
	jid, pass string
	client    *core.Client
	session   *core.Session
}

func newPeer(t *testing.T, srv *testserver.Server) *peer {
	t.Helper()
	jid, pass := srv.NewUser(t)
	dir := t.TempDir()
	accts, _ := account.OpenStore(filepath.Join(dir, "config"))
	store, err := history.Open(filepath.Join(dir, "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	c := core.NewClient(accts, nil, store, core.Options{TLSConfig: &tls.Config{RootCAs: srv.CertPool}})
	t.Cleanup(func() { c.Close(); store.Close() })
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
		t.Fatalf("peer %s not online", jid)
	}
	return &peer{jid: jid, pass: pass, client: c, session: s}
}

func prosody(t *testing.T) *testserver.Server {
	return testserver.Shared(t, testserver.Prosody, testserver.Options{})
}
