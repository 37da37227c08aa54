// Package xdriver drives the real app's windows on an X display as a
// person would, for the end-to-end tests (internal/e2e, and the Windows
// build under Wine in internal/wincheck): xdotool finds windows, clicks
// and types; ImageMagick's import takes screenshots. The display is the
// environment's DISPLAY (Xvfb in the tests).
package xdriver

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Output is an app's output: written by exec's copying goroutine while
// a test reads it (a failure shows what the app said so far).
type Output struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (o *Output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.Write(p)
}

// String is what was written so far.
func (o *Output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.String()
}

// Do runs xdotool with args and returns what it printed; the test fails
// if it fails.
func Do(t testing.TB, args ...string) string {
	t.Helper()
	out, err := exec.Command("xdotool", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("xdotool %v: %v: %s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// Find waits at most limit for a shown window whose title matches the
// regular expression name, and returns its id ("" if none came).
func Find(name string, limit time.Duration) string {
	for deadline := time.Now().Add(limit); ; time.Sleep(100 * time.Millisecond) {
		out, err := exec.Command("xdotool", "search", "--onlyvisible", "--name", name).Output()
		if ids := strings.Fields(string(out)); err == nil && len(ids) > 0 {
			return ids[len(ids)-1]
		}
		if time.Now().After(deadline) {
			return ""
		}
	}
}

// Window waits at most limit for a shown window whose title matches name
// and returns its id; the test fails, naming the windows shown, if none
// came.
func Window(t testing.TB, name string, limit time.Duration) string {
	t.Helper()
	if w := Find(name, limit); w != "" {
		return w
	}
	t.Fatalf("no window %q; shown:\n%s", name, Shown())
	return ""
}

// Shown describes the windows shown: id, title and geometry.
func Shown() string {
	out, _ := exec.Command("xdotool", "search", "--onlyvisible", "--name", ".").Output()
	var b strings.Builder
	for _, w := range strings.Fields(string(out)) {
		name, _ := exec.Command("xdotool", "getwindowname", w).Output()
		geo, _ := exec.Command("xdotool", "getwindowgeometry", w).Output()
		b.WriteString(w + " " + strings.TrimSpace(string(name)) + ": " + strings.Join(strings.Fields(string(geo)), " ") + "\n")
	}
	return b.String()
}

// Gone waits until window win is no longer shown.
func Gone(t testing.TB, win string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		out, _ := exec.Command("xdotool", "search", "--onlyvisible", "--name", ".").Output()
		if !strings.Contains(" "+strings.Join(strings.Fields(string(out)), " ")+" ", " "+win+" ") {
			return
		}
	}
	t.Fatalf("window %s still shown", win)
}

// Focus gives the window the keyboard (with no window manager there is
// no _NET_ACTIVE_WINDOW: it sets the X input focus directly).
func Focus(t testing.TB, win string) {
	t.Helper()
	exec.Command("xdotool", "windowraise", win).Run()
	Do(t, "windowfocus", "--sync", win)
	time.Sleep(150 * time.Millisecond)
}

// Click clicks at a position inside the window.
func Click(t testing.TB, win string, x, y int) {
	t.Helper()
	exec.Command("xdotool", "windowraise", win).Run()
	Do(t, "mousemove", "--window", win, strconv.Itoa(x), strconv.Itoa(y))
	Do(t, "click", "1")
	time.Sleep(300 * time.Millisecond)
}

// Type types text into the focused widget of the window.
func Type(t testing.TB, win, text string) {
	t.Helper()
	Focus(t, win)
	Do(t, "type", "--delay", "30", text)
}

// Key presses keys (xdotool's names: "Return", "ctrl+w") in the window.
func Key(t testing.TB, win string, keys ...string) {
	t.Helper()
	Focus(t, win)
	Do(t, append([]string{"key", "--delay", "80"}, keys...)...)
}

// Screenshot saves the whole screen as a PNG file at path, making its
// directory; a failure is logged, not fatal.
func Screenshot(t testing.TB, path string) {
	t.Helper()
	os.MkdirAll(filepath.Dir(path), 0o755)
	if out, err := exec.Command("import", "-window", "root", path).CombinedOutput(); err != nil {
		t.Logf("screenshot %s: %v %s", path, err, out)
	}
}

// FillSignIn fills Causerie's sign-in form in window win, from its
// welcome page (Enter on Sign in): the Advanced section's server host and
// port (the test servers listen on 127.0.0.1 and a random port), the
// address and the password, typed. It does not submit it.
func FillSignIn(t testing.TB, win, host string, port int, jid, pass string) {
	t.Helper()
	Key(t, win, "Return") // Sign in
	time.Sleep(500 * time.Millisecond)
	for _, f := range []struct {
		x, y int
		text string
	}{
		{70, 184, ""}, // Advanced
		{280, 223, host},
		{280, 262, strconv.Itoa(port)},
		{280, 66, jid}, // Address
	} {
		Focus(t, win)
		Click(t, win, f.x, f.y)
		if f.text != "" {
			Type(t, win, f.text)
		}
	}
	Key(t, win, "Return") // to the password
	Type(t, win, pass)
	time.Sleep(200 * time.Millisecond)
}
