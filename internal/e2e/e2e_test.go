// Package e2e runs the real Causerie binary in a real X server (Xvfb)
// with a real D-Bus session and gnome-keyring, against a real Prosody:
// a person's whole first session, driven by typing with xdotool. It saves
// screenshots under testdata/screenshots (looked at by the developers; the
// README's come from here).
package e2e

import (
	"bytes"
	"context"
	"crypto/tls"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/account"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/internal/testserver"
)

func TestMain(m *testing.M) { testserver.Main(m) }

func need(t *testing.T, what string, ok bool) {
	if ok {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("end-to-end test needs %s (make test provides it)", what)
	}
	t.Skipf("end-to-end test needs %s: run it through make test", what)
}

func haveCmd(name string) bool { _, err := exec.LookPath(name); return err == nil }

// headless is a real user driven from the test with core (no GUI).
type headless struct {
	jid, pass string
	client    *core.Client
	session   *core.Session
	events    chan core.Event
}

func newHeadless(t *testing.T, srv *testserver.Server, jid, pass string) *headless {
	dir := t.TempDir()
	accts, _ := account.OpenStore(filepath.Join(dir, "config"))
	store, err := history.Open(filepath.Join(dir, "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	c := core.NewClient(accts, nil, store, core.Options{TLSConfig: &tls.Config{RootCAs: srv.CertPool}})
	h := &headless{jid: jid, pass: pass, client: c, events: make(chan core.Event, 10000)}
	c.Subscribe(func(e core.Event) { h.events <- e })
	t.Cleanup(func() { c.Close(); store.Close() })
	s, err := c.AddAccount(context.Background(), account.Account{JID: jid, Host: srv.Host, Port: srv.Port}, pass)
	if err != nil {
		t.Fatal(err)
	}
	h.session = s
	s.Connect()
	h.wait(t, "online", func(e core.Event) bool {
		st, ok := e.(core.ConnectionStateChanged)
		return ok && st.State == core.StateOnline
	})
	return h
}

func (h *headless) wait(t *testing.T, what string, f func(core.Event) bool) core.Event {
	t.Helper()
	deadline := time.After(60 * time.Second)
	for {
		select {
		case e := <-h.events:
			if f(e) {
				return e
			}
		case <-deadline:
			t.Fatalf("%s: timed out waiting for %s", h.jid, what)
		}
	}
}

// mutual makes a and b contacts (subscription both), b in a's groups.
func mutual(t *testing.T, a, b *headless, name string, groups []string) {
	ctx := context.Background()
	if err := a.session.AddContact(ctx, core.AddContactRequest{JID: b.jid, Name: name, Groups: groups, Subscribe: true}); err != nil {
		t.Fatal(err)
	}
	b.wait(t, "request", func(e core.Event) bool { _, ok := e.(core.SubscriptionRequested); return ok })
	if err := b.session.ApproveSubscription(ctx, a.jid, core.ApproveOptions{AddBack: true}); err != nil {
		t.Fatal(err)
	}
	a.wait(t, "request back", func(e core.Event) bool { _, ok := e.(core.SubscriptionRequested); return ok })
	if err := a.session.ApproveSubscription(ctx, b.jid, core.ApproveOptions{AddBack: true}); err != nil {
		t.Fatal(err)
	}
	a.wait(t, "both", func(core.Event) bool {
		c, _ := a.session.Roster().Contact(b.jid)
		return c.Subscription == core.SubBoth
	})
}

// app is the real binary running in the X server.
type app struct {
	t   *testing.T
	cmd *exec.Cmd
	out bytes.Buffer
}

func buildApp(t *testing.T) string {
	root, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "causerie")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = filepath.Dir(strings.TrimSpace(string(root)))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func startApp(t *testing.T, bin, profile string, env ...string) *app {
	a := &app{t: t}
	a.cmd = exec.Command(bin, "-config", filepath.Join(profile, "config"), "-history", filepath.Join(profile, "history.db"))
	a.cmd.Env = append(os.Environ(), env...)
	a.cmd.Stdout, a.cmd.Stderr = &a.out, &a.out
	if err := a.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.kill)
	return a
}

func (a *app) kill() {
	if a.cmd.ProcessState == nil {
		a.cmd.Process.Kill()
		a.cmd.Wait()
	}
}

// xdo runs xdotool.
func xdo(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("xdotool", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("xdotool %v: %v: %s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// waitWindow waits until a window whose title contains name is mapped and
// returns its id.
func waitWindow(t *testing.T, name string) string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		out, err := exec.Command("xdotool", "search", "--onlyvisible", "--name", name).Output()
		if ids := strings.Fields(string(out)); err == nil && len(ids) > 0 {
			return ids[len(ids)-1]
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no window %q", name)
	return ""
}

// screenshot saves the whole screen as testdata/screenshots/name.png.
func screenshot(t *testing.T, name string) {
	t.Helper()
	time.Sleep(700 * time.Millisecond) // let the frame settle
	dir := filepath.Join("testdata", "screenshots")
	os.MkdirAll(dir, 0o755)
	if out, err := exec.Command("import", "-window", "root", filepath.Join(dir, name+".png")).CombinedOutput(); err != nil {
		t.Logf("screenshot %s: %v %s", name, err, out)
	}
}

// typeText types into the focused widget of the window.
func typeText(t *testing.T, win, text string) {
	xdo(t, "windowactivate", "--sync", win)
	xdo(t, "type", "--delay", "30", text)
}

func key(t *testing.T, win string, keys ...string) {
	xdo(t, "windowactivate", "--sync", win)
	xdo(t, append([]string{"key", "--delay", "80"}, keys...)...)
}
