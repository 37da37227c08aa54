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
	"github.com/causerie/causerie/internal/testserver"
	"github.com/causerie/causerie/internal/uitest"
)

func TestMain(m *testing.M) {
	uitest.Hermetic(LoadTranslations) // useFrench switches to French for one test
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
	queue  *uitest.Queue
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
	h := &harness{t: t, queue: uitest.NewQueue(), dir: t.TempDir(), server: srv}
	h.fyne = uitest.NewApp(t)
	opts := core.Options{MinBackoff: 50 * time.Millisecond, MaxBackoff: 500 * time.Millisecond, Features: Features}
	if srv != nil && trustCA {
		opts.TLSConfig = &tls.Config{RootCAs: srv.CertPool}
	}
	h.client = uitest.NewClient(t, h.dir, opts)
	h.app = New(h.fyne, h.client, "test")
	h.app.do = h.queue.Do
	h.app.images = h.app.imageCacheIn(filepath.Join(h.dir, "cache", "images"))
	h.app.trayCheck = func() bool { return false } // no tray unless a test says so
	t.Cleanup(h.app.Stop)
	return h
}

// pump runs queued UI work until cond holds (checked on this goroutine).
func (h *harness) pump(what string, cond func() bool) {
	h.t.Helper()
	h.queue.Pump(h.t, what, cond)
}

// drain runs what is queued now.
func (h *harness) drain() { h.queue.Drain() }

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
	c := uitest.NewClient(t, t.TempDir(), core.Options{TLSConfig: &tls.Config{RootCAs: srv.CertPool}, Features: Features})
	jid, pass, s := uitest.SignIn(t, c, srv)
	return &peer{jid: jid, pass: pass, client: c, session: s}
}

func prosody(t *testing.T) *testserver.Server { return uitest.Prosody(t) }
