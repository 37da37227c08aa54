package main

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/causerie/causerie/core/account"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/ui"
)

func TestCheckDisplay(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the display check applies to Linux only")
	}
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	err := checkDisplay()
	if err == nil || !strings.Contains(err.Error(), "Causerie needs a graphical display") {
		t.Fatalf("checkDisplay() with no display = %v, want the explanatory error", err)
	}

	t.Setenv("DISPLAY", ":99")
	if err := checkDisplay(); err != nil {
		t.Fatalf("checkDisplay() with DISPLAY set = %v, want nil", err)
	}

	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "wayland-0")
	if err := checkDisplay(); err != nil {
		t.Fatalf("checkDisplay() with WAYLAND_DISPLAY set = %v, want nil", err)
	}
}

// TestOpenClientErrors: what keeps Causerie from starting comes back as a
// ui.StartError naming the step and the file, which the window puts in
// words; the history opened beside a bad account list is closed.
func TestOpenClientErrors(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config")
	db := filepath.Join(dir, "history.db")

	c, k, serr := openClient(cfg, openHistory(db))
	if serr != nil {
		t.Fatalf("fresh profile: %v", serr)
	}
	if k == nil {
		t.Fatal("no OMEMO key database beside the history")
	}
	c.Close()
	c.Store().Close()
	k.Close()

	if err := os.WriteFile(filepath.Join(cfg, account.FileName), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, serr = openClient(cfg, openHistory(db))
	if serr == nil || serr.Step != ui.StartAccounts || !errors.Is(serr, account.ErrCorruptFile) || serr.Path != filepath.Join(cfg, account.FileName) {
		t.Fatalf("corrupt account list: %#v", serr)
	}
	// The history was closed: it opens again at once.
	s, err := history.Open(db)
	if err != nil {
		t.Fatalf("history left open: %v", err)
	}
	s.Close()
	os.Remove(filepath.Join(cfg, account.FileName))

	if err := os.WriteFile(filepath.Join(dir, "not-a-db"), []byte(strings.Repeat("not a database ", 100)), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, serr = openClient(cfg, openHistory(filepath.Join(dir, "not-a-db")))
	if serr == nil || serr.Step != ui.StartHistory || serr.Path != filepath.Join(dir, "not-a-db") {
		t.Fatalf("damaged history: %#v", serr)
	}
	for _, e := range []*ui.StartError{serr, {Step: ui.StartAccounts, Path: "/x/accounts.json", Err: account.ErrCorruptFile}} {
		if w := e.Words(); strings.Contains(w, e.Err.Error()) || !strings.Contains(w, e.Path) {
			t.Errorf("in words: %q (error %v)", w, e.Err)
		}
	}
}

// TestPauseGC: the collector is off during the start, bounded by the
// start's memory limit, and its settings (as GOGC and GOMEMLIMIT set
// them) come back after.
func TestPauseGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	for _, c := range []struct {
		percent   int
		limit     int64
		wantLimit int64 // while paused
	}{
		{100, math.MaxInt64, startHeapLimit},
		{50, 1 << 40, startHeapLimit},
		{-1, math.MaxInt64, startHeapLimit}, // GOGC=off
		{100, 64 << 20, 64 << 20},           // a GOMEMLIMIT under the start's is kept
	} {
		debug.SetGCPercent(c.percent)
		debug.SetMemoryLimit(c.limit)
		resume := pauseGC()
		if p := debug.SetGCPercent(-1); p != -1 {
			t.Errorf("GOGC %d: while paused, GC percent %d, want -1 (off)", c.percent, p)
		}
		if l := debug.SetMemoryLimit(-1); l != c.wantLimit {
			t.Errorf("limit %d: while paused, memory limit %d, want %d", c.limit, l, c.wantLimit)
		}
		resume()
		if p := debug.SetGCPercent(c.percent); p != c.percent {
			t.Errorf("after the start, GC percent %d, want %d", p, c.percent)
		}
		if l := debug.SetMemoryLimit(-1); l != c.limit {
			t.Errorf("after the start, memory limit %d, want %d", l, c.limit)
		}
	}
}
