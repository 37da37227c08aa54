package history

import (
	"path/filepath"
	"testing"
	"time"
)

// TestUnreadSurvivesRestart: unread counts come from what was read, kept
// in the database; errors and our own messages never count.
func TestUnreadSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	add := func(peer string, dir Direction, typ string) {
		t.Helper()
		m := Message{Account: "me@x", Peer: peer, Direction: dir, Type: typ, Body: "b", Sent: time.Now()}
		if err := s.Add(&m); err != nil {
			t.Fatal(err)
		}
	}
	add("a@x", In, "chat")
	add("a@x", In, "chat")
	add("a@x", Out, "chat")
	add("b@x", In, "error")
	add("b@x", In, "normal")
	u, err := s.Unread("me@x")
	if err != nil || u["a@x"] != 2 || u["b@x"] != 1 {
		t.Fatalf("unread %v %v", u, err)
	}
	if err := s.MarkRead("me@x", "a@x"); err != nil {
		t.Fatal(err)
	}
	add("a@x", In, "chat")
	s.Close()
	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if u, _ := s.Unread("me@x"); u["a@x"] != 1 || u["b@x"] != 1 {
		t.Fatalf("after restart %v", u)
	}
}

// TestMigrationReadMarks: a database from before read marks counts what
// it holds as read.
func TestMigrationReadMarks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	m := Message{Account: "me@x", Peer: "a@x", Direction: In, Type: "chat", Body: "old", Sent: time.Now()}
	if err := s.Add(&m); err != nil {
		t.Fatal(err)
	}
	s = reopenAt(t, s, path, 3, append(undoWireID, `DROP TABLE read_marks`)...)
	if u, err := s.Unread("me@x"); err != nil || len(u) != 0 {
		t.Fatalf("old messages unread after the upgrade: %v %v", u, err)
	}
}
