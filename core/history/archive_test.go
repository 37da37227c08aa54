package history

import (
	"path/filepath"
	"testing"
)

// TestArchiveCursor: kept per account across a reopening, replaced,
// forgotten, and deleted with its account.
func TestArchiveCursor(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if id, err := s.ArchiveCursor("a@example.test"); id != "" || err != nil {
		t.Fatalf("fresh: %q, %v", id, err)
	}
	for _, step := range []struct{ account, id string }{{"a@example.test", "1"}, {"a@example.test", "2"}, {"b@example.test", "9"}} {
		if err := s.SetArchiveCursor(step.account, step.id); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	if s, err = Open(path); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if id, _ := s.ArchiveCursor("a@example.test"); id != "2" {
		t.Errorf("a: %q", id)
	}
	if err := s.SetArchiveCursor("a@example.test", ""); err != nil {
		t.Fatal(err)
	}
	if id, _ := s.ArchiveCursor("a@example.test"); id != "" {
		t.Errorf("a forgotten: %q", id)
	}
	if err := s.DeleteAccount("b@example.test"); err != nil {
		t.Fatal(err)
	}
	if id, _ := s.ArchiveCursor("b@example.test"); id != "" {
		t.Errorf("b deleted: %q", id)
	}
}
