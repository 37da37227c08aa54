package history

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
)

func TestCapsCache(t *testing.T) {
	s, path := openTemp(t)
	if info, ok, err := s.LoadCaps("sha-1", "v1"); info != nil || ok || err != nil {
		t.Fatalf("LoadCaps(none) = %q %v %v", info, ok, err)
	}
	if err := s.SaveCaps("sha-1", "v1", []byte("<query/>")); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveCaps("sha-256", "v1", []byte("other")); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveCaps("sha-1", "v1", []byte("<query>2</query>")); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if info, ok, err := s.LoadCaps("sha-1", "v1"); string(info) != "<query>2</query>" || !ok || err != nil {
		t.Fatalf("LoadCaps = %q %v %v", info, ok, err)
	}
	if info, ok, _ := s.LoadCaps("sha-256", "v1"); string(info) != "other" || !ok {
		t.Fatalf("other hash: %q %v", info, ok)
	}
}

func TestAvatarCache(t *testing.T) {
	s, path := openTemp(t)
	if h, d, ok, err := s.Avatar(bob); h != "" || d != nil || ok || err != nil {
		t.Fatalf("Avatar(none) = %q %v %v %v", h, d, ok, err)
	}
	img := []byte("\x89PNG fake")
	if err := s.SaveAvatar("Bob@Example.org", "abc", img); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveAvatar(ann, "", nil); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if h, d, ok, err := s.Avatar(bob); h != "abc" || !bytes.Equal(d, img) || !ok || err != nil {
		t.Fatalf("Avatar = %q %q %v %v", h, d, ok, err)
	}
	if h, d, ok, _ := s.Avatar(ann); h != "" || d != nil || !ok {
		t.Fatalf("known without avatar = %q %v %v", h, d, ok)
	}
	// Removing: known to have none.
	if err := s.SaveAvatar(bob, "", nil); err != nil {
		t.Fatal(err)
	}
	if h, d, ok, _ := s.Avatar(bob); h != "" || d != nil || !ok {
		t.Fatalf("after removal = %q %v %v", h, d, ok)
	}
	// Caches are not an account's data.
	if err := s.DeleteAccount(me); err != nil {
		t.Fatal(err)
	}
	if _, _, ok, _ := s.Avatar(ann); !ok {
		t.Fatal("DeleteAccount dropped an avatar")
	}
	s.Close()
	if _, _, _, err := s.Avatar(ann); !errors.Is(err, ErrClosed) {
		t.Fatalf("Avatar after Close: %v", err)
	}
	if _, _, err := s.LoadCaps("sha-1", "v"); !errors.Is(err, ErrClosed) {
		t.Fatalf("LoadCaps after Close: %v", err)
	}
}

// TestMigrationToCaches: a database at schema 2 gains the cache tables and
// keeps its messages.
func TestMigrationToCaches(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	mustAdd(t, s, msg(bob, In, "avant", t0))
	s = reopenAt(t, s, path, 2, append(undoWireID, `DROP TABLE caps`, `DROP TABLE avatars`, `DROP TABLE read_marks`)...)
	var v int
	s.w.QueryRow("PRAGMA user_version").Scan(&v)
	if v != schemaVersion || v < 3 {
		t.Fatalf("user_version %d", v)
	}
	if ms, _ := s.Latest(me, bob, 10); len(ms) != 1 || ms[0].Body != "avant" {
		t.Fatalf("messages after migration: %+v", ms)
	}
	if err := s.SaveAvatar(bob, "h", []byte("x")); err != nil {
		t.Fatal(fmt.Errorf("avatars table: %w", err))
	}
	if err := s.SaveCaps("sha-1", "v", []byte("x")); err != nil {
		t.Fatal(err)
	}
}

// TestMigrationForgetsUnboundedAvatars: avatars stored before schema 5
// were kept as published, of any size; the migration forgets them (they
// are fetched again and stored downscaled) and keeps the caps cache.
func TestMigrationForgetsUnboundedAvatars(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SaveAvatar(bob, "h", []byte("a picture as published")); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveCaps("sha-1", "v", []byte("x")); err != nil {
		t.Fatal(err)
	}
	s = reopenAt(t, s, path, 4, undoWireID...)
	if _, _, ok, err := s.Avatar(bob); ok || err != nil {
		t.Fatalf("avatar kept: %v %v", ok, err)
	}
	if _, ok, err := s.LoadCaps("sha-1", "v"); !ok || err != nil {
		t.Fatalf("caps lost: %v %v", ok, err)
	}
}

// TestAvatarsOf: one query answers for a roster's JIDs, by the JID as
// given (compared without case, as SaveAvatar stores them); a JID with
// no entry is left out, one known to have none is there without data.
func TestAvatarsOf(t *testing.T) {
	s, _ := openTemp(t)
	defer s.Close()
	if got, err := s.AvatarsOf(nil); err != nil || len(got) != 0 {
		t.Fatalf("AvatarsOf(nil) = %v, %v", got, err)
	}
	img := []byte("\x89PNG fake")
	if err := s.SaveAvatar("bob@example.org", "abc", img); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveAvatar("ann@example.org", "", nil); err != nil {
		t.Fatal(err)
	}
	// A key with JSON's quotes and brackets in it (the JIDs go to the
	// query as a JSON array).
	odd := `odd"],"x\@example.org`
	if err := s.SaveAvatar(odd, "h-odd", []byte("odd")); err != nil {
		t.Fatal(err)
	}
	jids := []string{"Bob@Example.org", "bob@example.org", "ann@example.org", "eve@example.org", odd, `odd"]`}
	for i := 0; i < 1000; i++ {
		jids = append(jids, fmt.Sprintf("contact%04d@example.org", i))
	}
	got, err := s.AvatarsOf(jids)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 {
		t.Errorf("%d entries, want 4: %v", len(got), got)
	}
	if a := got[odd]; a.Hash != "h-odd" || string(a.Data) != "odd" {
		t.Errorf("%s: %q %q", odd, a.Hash, a.Data)
	}
	for _, j := range []string{"Bob@Example.org", "bob@example.org"} {
		if a := got[j]; a.Hash != "abc" || !bytes.Equal(a.Data, img) {
			t.Errorf("%s: %q %q", j, a.Hash, a.Data)
		}
	}
	if a, ok := got["ann@example.org"]; !ok || a.Hash != "" || a.Data != nil {
		t.Errorf("known without avatar: %v %q %v", ok, a.Hash, a.Data)
	}
	s.Close()
	if _, err := s.AvatarsOf(jids); !errors.Is(err, ErrClosed) {
		t.Fatalf("AvatarsOf after Close: %v", err)
	}
}
