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

// TestMarkReadUpTo: read up to a message named by its id (another
// device's marker): what came after stays unread; an older or unknown id
// changes nothing.
func TestMarkReadUpTo(t *testing.T) {
	s, _ := openTemp(t)
	for i, id := range []string{"m1", "m2", "m3"} {
		m := Message{Account: "me@x", Peer: "a@x", Direction: In, Type: "chat", Body: "b", WireID: id, Sent: time.Now().Add(time.Duration(i) * time.Millisecond)}
		if err := s.Add(&m); err != nil {
			t.Fatal(err)
		}
	}
	if moved, err := s.MarkReadUpTo("me@x", "a@x", "m2"); err != nil || !moved {
		t.Fatalf("m2: %v %v", moved, err)
	}
	if u, _ := s.Unread("me@x"); u["a@x"] != 1 {
		t.Fatalf("after m2: %v", u)
	}
	for _, id := range []string{"m1", "nope", ""} {
		if moved, err := s.MarkReadUpTo("me@x", "a@x", id); err != nil || moved {
			t.Errorf("%q: %v %v", id, moved, err)
		}
	}
	if u, _ := s.Unread("me@x"); u["a@x"] != 1 {
		t.Fatalf("went back: %v", u)
	}
}

// TestMarkReadUpToStanzaID: read up to the message with a stanza-id
// (another device's XEP-0490 state); an unknown one is not found.
func TestMarkReadUpToStanzaID(t *testing.T) {
	s, _ := openTemp(t)
	for i, id := range []string{"s1", "s2", "s3"} {
		m := Message{Account: "me@x", Peer: "a@x", Direction: In, Type: "chat", Body: "b", StanzaID: id, Sent: time.Now().Add(time.Duration(i) * time.Millisecond)}
		if err := s.Add(&m); err != nil {
			t.Fatal(err)
		}
	}
	if found, moved, err := s.MarkReadUpToStanzaID("me@x", "a@x", "s2"); !found || !moved || err != nil {
		t.Fatalf("s2: %v %v %v", found, moved, err)
	}
	if u, _ := s.Unread("me@x"); u["a@x"] != 1 {
		t.Fatalf("after s2: %v", u)
	}
	if found, moved, err := s.MarkReadUpToStanzaID("me@x", "a@x", "later"); found || moved || err != nil {
		t.Fatalf("unknown: %v %v %v", found, moved, err)
	}
}
