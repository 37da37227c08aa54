package account

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
)

func openTemp(t *testing.T) (*Store, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "causerie")
	s, err := OpenStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s, dir
}

// checkFile asserts the file is valid versioned JSON with mode 0600 and
// that no temp file is left next to it; it returns the decoded file.
func checkFile(t *testing.T, dir string) fileFormat {
	t.Helper()
	path := filepath.Join(dir, FileName)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var f fileFormat
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatalf("file is not valid JSON: %v\n%s", err, data)
	}
	if f.Version != FileVersion {
		t.Errorf("version = %d, want %d", f.Version, FileVersion)
	}
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("file mode = %v, want 0600", fi.Mode().Perm())
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != FileName {
			t.Errorf("unexpected file left in the store dir: %s", e.Name())
		}
	}
	return f
}

func TestStoreRoundTrip(t *testing.T) {
	s, dir := openTemp(t)
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(dir)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o700 {
			t.Errorf("dir mode = %v, want 0700", fi.Mode().Perm())
		}
	}
	if got := s.List(); len(got) != 0 {
		t.Fatalf("new store lists %v", got)
	}
	if _, err := os.Stat(filepath.Join(dir, FileName)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("OpenStore wrote a file before any Put: %v", err)
	}

	a := Account{
		JID: "Alice@Example.COM", DisplayName: "Alice", Resource: "laptop",
		Host: "xmpp.example.com", Port: 5223, TLSMode: TLSDirect,
		Pinned:      []string{strings.ToLower(fpOK)},
		AutoConnect: true, Priority: 5, RememberPassword: true,
	}
	b := Account{JID: "bob@example.org", Disabled: true, Priority: -1}
	c := Account{JID: "carol@example.net"}
	for _, acc := range []Account{a, b, c} {
		if err := s.Put(acc); err != nil {
			t.Fatal(err)
		}
		checkFile(t, dir)
	}

	wantA := a
	wantA.JID = "alice@example.com"
	wantA.Pinned = []string{fpOK}
	want := []Account{wantA, b, c}
	if got := s.List(); !reflect.DeepEqual(got, want) {
		t.Fatalf("List() =\n%+v\nwant\n%+v", got, want)
	}

	// Normalisation: both spellings find it; replacing keeps the position.
	for _, j := range []string{"alice@example.com", "ALICE@EXAMPLE.COM", "Alice@Example.COM"} {
		if got, ok := s.Get(j); !ok || got.JID != "alice@example.com" {
			t.Errorf("Get(%q) = %+v, %v", j, got, ok)
		}
	}
	a2 := wantA
	a2.JID = "alice@EXAMPLE.com"
	a2.DisplayName = "Alice B."
	if err := s.Put(a2); err != nil {
		t.Fatal(err)
	}
	list := s.List()
	if len(list) != 3 || list[0].DisplayName != "Alice B." || list[0].JID != "alice@example.com" {
		t.Fatalf("after replace: %+v", list)
	}
	want[0].DisplayName = "Alice B."

	// List and Get return copies.
	list[0].Pinned[0] = "changed"
	if got, _ := s.Get("alice@example.com"); got.Pinned[0] != fpOK {
		t.Errorf("List shares the Pinned slice with the store")
	}

	// Re-open reads the same.
	s2, err := OpenStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := s2.List(); !reflect.DeepEqual(got, want) {
		t.Fatalf("re-opened List() =\n%+v\nwant\n%+v", got, want)
	}

	// Remove (any spelling), idempotent.
	if err := s2.Remove("BOB@example.org"); err != nil {
		t.Fatal(err)
	}
	if _, ok := s2.Get("bob@example.org"); ok {
		t.Error("Get after Remove found the account")
	}
	if err := s2.Remove("bob@example.org"); err != nil {
		t.Errorf("removing a missing account: %v", err)
	}
	f := checkFile(t, dir)
	if len(f.Accounts) != 2 || f.Accounts[0].JID != "alice@example.com" || f.Accounts[1].JID != "carol@example.net" {
		t.Errorf("file after Remove: %+v", f.Accounts)
	}
	s3, err := OpenStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := s3.List(); len(got) != 2 {
		t.Errorf("re-opened after Remove: %+v", got)
	}
}

func TestStorePutInvalidLeavesStoreUnchanged(t *testing.T) {
	s, dir := openTemp(t)
	if err := s.Put(Account{JID: "alice@example.com"}); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(dir, FileName))
	err := s.Put(Account{JID: "alice@example.com", Port: 70000})
	if !errors.Is(err, ErrInvalidAccount) {
		t.Fatalf("Put(invalid) = %v, want ErrInvalidAccount", err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, FileName))
	if string(before) != string(after) {
		t.Error("an invalid Put changed the file")
	}
	if got, _ := s.Get("alice@example.com"); got.Port != 0 {
		t.Error("an invalid Put changed the store")
	}
}

func TestStoreFileFormat(t *testing.T) {
	s, dir := openTemp(t)
	if err := s.Put(Account{JID: "alice@example.com"}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join(dir, FileName))
	var raw map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	if raw["version"] != float64(1) {
		t.Errorf("version = %v", raw["version"])
	}
	accs, _ := raw["accounts"].([]any)
	if len(accs) != 1 {
		t.Fatalf("accounts = %v", raw["accounts"])
	}
	acc := accs[0].(map[string]any)
	for _, k := range []string{"jid", "auto_connect", "priority", "remember_password"} {
		if _, ok := acc[k]; !ok {
			t.Errorf("key %q missing from %s", k, data)
		}
	}
	for k := range acc {
		if strings.Contains(strings.ToLower(k), "pass") && k != "remember_password" {
			t.Errorf("password-like key %q in the file", k)
		}
	}
	if reflect.TypeOf(Account{}).NumField() != 13 { // 13th: IgnoreStrangers, a preference
		t.Errorf("Account gained a field: make sure it is not a secret")
	}
}

// TestStrongestAuthCompatible: a file written before StrongestAuth existed
// loads with no floor; the field round-trips and is left out when empty.
func TestStrongestAuthCompatible(t *testing.T) {
	dir := t.TempDir()
	old := `{"version":1,"accounts":[{"jid":"a@b.c","pinned_sha256":["` + fpOK + `"],"auto_connect":true,"priority":0,"remember_password":true}]}`
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := OpenStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := s.Get("a@b.c")
	if a.StrongestAuth != "" || len(a.Pinned) != 1 {
		t.Fatalf("old file read as %+v", a)
	}
	if err := s.Put(a); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, FileName)); strings.Contains(string(data), "strongest_auth") {
		t.Errorf("empty field written: %s", data)
	}
	a.StrongestAuth = "SCRAM-SHA-256"
	if err := s.Put(a); err != nil {
		t.Fatal(err)
	}
	s2, err := OpenStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := s2.Get("a@b.c"); b.StrongestAuth != "SCRAM-SHA-256" {
		t.Errorf("read back %q", b.StrongestAuth)
	}
	for _, bad := range []string{"SCRAM SHA", "x\n", strings.Repeat("A", 65)} {
		a.StrongestAuth = bad
		if err := a.Validate(); !errors.Is(err, ErrInvalidAccount) {
			t.Errorf("StrongestAuth %q accepted", bad)
		}
	}
}

func TestOpenStoreRejectsBadFiles(t *testing.T) {
	for name, content := range map[string]string{
		"not json":      "{",
		"no version":    `{"accounts":[]}`,
		"future":        `{"version":2,"accounts":[]}`,
		"invalid":       `{"version":1,"accounts":[{"jid":"nobody"}]}`,
		"duplicate jid": `{"version":1,"accounts":[{"jid":"a@b.c"},{"jid":"A@B.C"}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, FileName)
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := OpenStore(dir)
			if !errors.Is(err, ErrCorruptFile) {
				t.Fatalf("OpenStore = %v, want ErrCorruptFile", err)
			}
			if got, _ := os.ReadFile(path); string(got) != content {
				t.Error("OpenStore changed a file it could not read")
			}
		})
	}
}

func TestOpenStoreReadsAndNormalises(t *testing.T) {
	dir := t.TempDir()
	content := `{"version":1,"accounts":[{"jid":"Zed@Example.com","priority":3,"auto_connect":true,"remember_password":false,"future_field":1}]}`
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	// A temp file left by a crash mid-write is cleaned up.
	stale := filepath.Join(dir, tempPrefix+"123")
	if err := os.WriteFile(stale, []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := OpenStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale temp file still there: %v", err)
	}
	a, ok := s.Get("zed@example.com")
	if !ok || a.Priority != 3 || !a.AutoConnect {
		t.Fatalf("Get = %+v, %v", a, ok)
	}
}

func TestStoreConcurrentPut(t *testing.T) {
	s, dir := openTemp(t)
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			jid := "user" + string(rune('a'+i)) + "@example.com"
			if err := s.Put(Account{JID: jid, Priority: i}); err != nil {
				t.Error(err)
			}
			s.List()
			s.Get(jid)
		}()
	}
	wg.Wait()
	if f := checkFile(t, dir); len(f.Accounts) != 16 {
		t.Errorf("%d accounts in the file, want 16", len(f.Accounts))
	}
	s2, err := OpenStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(s2.List()) != 16 {
		t.Errorf("re-opened: %d accounts", len(s2.List()))
	}
}

func TestStoreWriteFailureKeepsState(t *testing.T) {
	s, dir := openTemp(t)
	if err := s.Put(Account{JID: "alice@example.com"}); err != nil {
		t.Fatal(err)
	}
	// Make the rename fail, even for root: the file's name is taken by a
	// non-empty directory.
	path := filepath.Join(dir, FileName)
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(path, "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(Account{JID: "bob@example.com"}); err == nil {
		t.Fatal("Put succeeded although the file could not be replaced")
	} else {
		t.Logf("Put: %v", err)
	}
	if _, ok := s.Get("bob@example.com"); ok {
		t.Error("failed Put changed the in-memory store")
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), tempPrefix) {
			t.Errorf("temp file left behind: %s", e.Name())
		}
	}
}

func TestDefaultDir(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", "/tmp/xdg-test")
	d, err := DefaultDir()
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS == "linux" && d != "/tmp/xdg-test/causerie" {
		t.Errorf("DefaultDir() = %q", d)
	}
}

// TestFormerJID: an address the lower-casing key kept in another form than
// RFC 7622's (full-width, decomposed) is read under its normal key, and
// the store says under which key its keyring item was written. ASCII
// addresses, whatever their case, have no former key.
func TestFormerJID(t *testing.T) {
	dir := t.TempDir()
	content := `{"version":1,"accounts":[{"jid":"ｊｅａｎ@example.org"},{"jid":"e\u0301lodie@example.org"},{"jid":"Zed@Example.com"}]}`
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := OpenStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ jid, former string }{
		{"jean@example.org", "ｊｅａｎ@example.org"},
		{"\u00e9lodie@example.org", "e\u0301lodie@example.org"},
		{"zed@example.com", ""},
	} {
		if _, ok := s.Get(c.jid); !ok {
			t.Errorf("%q not found under its normal key", c.jid)
		}
		if f, ok := s.FormerJID(c.jid); f != c.former || ok != (c.former != "") {
			t.Errorf("FormerJID(%q) = %q, %v; want %q", c.jid, f, ok, c.former)
		}
	}
}
