package instance

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestSecondLaunchHandsOver(t *testing.T) {
	dir := t.TempDir()
	if err := Send(dir, []string{"x"}); err == nil {
		t.Fatal("sent with nobody running")
	}
	got := make(chan []string, 1)
	s, err := Listen(dir, func(a []string) { got <- a })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Listen(dir, func([]string) {}); !errors.Is(err, ErrRunning) {
		t.Fatalf("second Listen: %v", err)
	}
	if err := Send(dir, []string{"xmpp:romeo@montague.net?message"}); err != nil {
		t.Fatal(err)
	}
	select {
	case a := <-got:
		if !slices.Equal(a, []string{"xmpp:romeo@montague.net?message"}) {
			t.Fatalf("got %q", a)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("not handed over")
	}
	if fi, err := os.Stat(filepath.Join(dir, SocketName)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("socket: %v %v", fi, err)
	}
	s.Close()
	if err := Send(dir, nil); err == nil {
		t.Fatal("sent after close")
	}
}

// A socket left by a crashed copy is taken over.
func TestStaleSocket(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, SocketName), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Listen(dir, func([]string) {})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
}
