package history

import (
	"path/filepath"
	"testing"
	"time"
)

// TestArchiveCursor: kept per account across a reopening with its date,
// replaced, forgotten, and deleted with its account.
func TestArchiveCursor(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if c, err := s.ArchiveCursor("a@example.test"); c.ID != "" || err != nil {
		t.Fatalf("fresh: %+v, %v", c, err)
	}
	at := time.Date(2026, 12, 5, 7, 30, 12, 0, time.UTC)
	for _, step := range []struct {
		account string
		c       ArchiveCursor
	}{{"a@example.test", ArchiveCursor{ID: "1"}}, {"a@example.test", ArchiveCursor{ID: "2", Stamp: at}}, {"b@example.test", ArchiveCursor{ID: "9"}}} {
		if err := s.SetArchiveCursor(step.account, step.c); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	if s, err = Open(path); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if c, _ := s.ArchiveCursor("a@example.test"); c.ID != "2" || !c.Stamp.Equal(at) {
		t.Errorf("a: %+v", c)
	}
	if c, _ := s.ArchiveCursor("b@example.test"); c.ID != "9" || !c.Stamp.IsZero() {
		t.Errorf("b: %+v", c)
	}
	if err := s.SetArchiveCursor("a@example.test", ArchiveCursor{}); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.ArchiveCursor("a@example.test"); c.ID != "" {
		t.Errorf("a forgotten: %+v", c)
	}
	if err := s.DeleteAccount("b@example.test"); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.ArchiveCursor("b@example.test"); c.ID != "" {
		t.Errorf("b deleted: %+v", c)
	}
}
