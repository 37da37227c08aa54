package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestStartErrorInWords: the real app given a damaged history file opens a
// window that says so in words (not a Go error), quits on Escape, and
// leaves the technical detail on standard error.
func TestStartErrorInWords(t *testing.T) {
	needGUI(t)
	bin := buildApp(t)
	profile := t.TempDir()
	db := filepath.Join(profile, "history.db")
	if err := os.WriteFile(db, []byte(strings.Repeat("this is not a database ", 200)), 0o600); err != nil {
		t.Fatal(err)
	}
	a := startApp(t, bin, profile)
	win := waitWindow(t, "Causerie cannot start")
	screenshot(t, "start-error")
	key(t, win, "Escape")
	done := make(chan error, 1)
	go func() { done <- a.cmd.Wait() }()
	select {
	case err := <-done:
		if err == nil {
			t.Error("the app exited with status 0 after failing to start")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Escape did not quit")
	}
	if out := a.out.String(); !strings.Contains(out, db) || !strings.Contains(out, "not a database") {
		t.Errorf("standard error lacks the detail: %q", out)
	}
}
