package account

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// FileName is the name of the accounts file inside the store directory.
const FileName = "accounts.json"

// FileVersion is the version of the accounts file this package writes and
// reads.
const FileVersion = 1

const tempPrefix = "." + FileName + ".tmp-"

// ErrCorruptFile is matched (errors.Is) by OpenStore's error when
// accounts.json exists but cannot be understood (bad JSON, unknown version,
// invalid or duplicate accounts). The file is left untouched.
var ErrCorruptFile = errors.New("accounts file is corrupt or from an unsupported version")

type fileFormat struct {
	Version  int       `json:"version"`
	Accounts []Account `json:"accounts"`
}

// Store holds the accounts in memory and in dir/accounts.json. Its methods
// are safe for concurrent use. One Store per directory: two Stores (or two
// processes) writing the same file overwrite each other's changes.
type Store struct {
	dir  string
	path string

	mu       sync.Mutex
	accounts []Account // normalised, insertion order
	// former maps an account's key to the form accounts.json wrote it in,
	// when this version's normalisation (RFC 7622) changed it: the
	// account's keyring item is still under that form (see FormerJID).
	former map[string]string
}

// DefaultDir returns os.UserConfigDir()/causerie (on Linux usually
// ~/.config/causerie). It does not create it.
func DefaultDir() (string, error) {
	base, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("account: no user config dir: %w", err)
	}
	return filepath.Join(base, "causerie"), nil
}

// OpenStore creates dir (mode 0700) if needed and reads dir/accounts.json
// if present. A missing file is an empty store. Temporary files left behind
// by an interrupted write are removed.
func OpenStore(dir string) (*Store, error) {
	if dir == "" {
		return nil, errors.New("account: empty store directory")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("account: create store directory: %w", err)
	}
	s := &Store{dir: dir, path: filepath.Join(dir, FileName)}
	if stale, err := filepath.Glob(filepath.Join(dir, tempPrefix+"*")); err == nil {
		for _, p := range stale {
			_ = os.Remove(p)
		}
	}
	data, err := os.ReadFile(s.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return s, nil
	case err != nil:
		return nil, fmt.Errorf("account: read %s: %w", s.path, err)
	}
	accounts, former, err := decode(data)
	if err != nil {
		return nil, fmt.Errorf("account: %s: %w", s.path, err)
	}
	s.accounts, s.former = accounts, former
	return s, nil
}

// decode reads the file; former maps the keys that normalisation changed
// to the form the file has.
func decode(data []byte) (accounts []Account, former map[string]string, err error) {
	var probe struct {
		Version *int `json:"version"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrCorruptFile, err)
	}
	if probe.Version == nil {
		return nil, nil, fmt.Errorf("%w: no \"version\"", ErrCorruptFile)
	}
	if *probe.Version != FileVersion {
		return nil, nil, fmt.Errorf("%w: version %d, this Causerie reads version %d", ErrCorruptFile, *probe.Version, FileVersion)
	}
	var f fileFormat
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrCorruptFile, err)
	}
	seen := make(map[string]bool, len(f.Accounts))
	out := make([]Account, 0, len(f.Accounts))
	for i, a := range f.Accounts {
		written := a.JID
		a = a.normalized()
		if err := a.Validate(); err != nil {
			return nil, nil, fmt.Errorf("%w: account %d: %v", ErrCorruptFile, i, err)
		}
		if seen[a.JID] {
			return nil, nil, fmt.Errorf("%w: account %s appears twice", ErrCorruptFile, a.JID)
		}
		seen[a.JID] = true
		out = append(out, a)
		if old := legacyKey(written); old != a.JID {
			if former == nil {
				former = map[string]string{}
			}
			former[a.JID] = old
		}
	}
	return out, former, nil
}

// legacyKey is the key Causerie used for a JID before the RFC 7622
// normalisation: lower-cased, without a final dot.
func legacyKey(jid string) string {
	jid = strings.ToLower(jid)
	if strings.HasSuffix(jid, ".") && !strings.HasSuffix(jid, "@.") {
		jid = strings.TrimSuffix(jid, ".")
	}
	return jid
}

// FormerJID returns the key an account had before addresses were
// normalised under RFC 7622, when that normalisation changed it (a
// full-width or decomposed localpart, for example): its keyring item is
// still under that key until moved.
func (s *Store) FormerJID(jid string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.former[NormalizeJID(jid)]
	return f, ok
}

// Dir returns the store's directory.
func (s *Store) Dir() string { return s.dir }

// Path returns the accounts file's path.
func (s *Store) Path() string { return s.path }

// List returns a copy of the accounts in insertion order.
func (s *Store) List() []Account {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Account, len(s.accounts))
	for i, a := range s.accounts {
		out[i] = a.clone()
	}
	return out
}

// Get returns the account whose JID matches jid after normalisation
// (Alice@Example.COM finds alice@example.com).
func (s *Store) Get(jid string) (Account, bool) {
	key := NormalizeJID(jid)
	s.mu.Lock()
	defer s.mu.Unlock()
	if i := s.index(key); i >= 0 {
		return s.accounts[i].clone(), true
	}
	return Account{}, false
}

func (s *Store) index(key string) int {
	for i, a := range s.accounts {
		if a.JID == key {
			return i
		}
	}
	return -1
}

// Put validates a, normalises its JID (lower-case) and fingerprints
// (upper-case), adds it or replaces the account with the same JID (keeping
// its position), and writes the file atomically. On error the store is
// unchanged.
func (s *Store) Put(a Account) error {
	a = a.normalized()
	if err := a.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	next := make([]Account, len(s.accounts), len(s.accounts)+1)
	copy(next, s.accounts)
	if i := s.index(a.JID); i >= 0 {
		next[i] = a
	} else {
		next = append(next, a)
	}
	if err := s.write(next); err != nil {
		return err
	}
	s.accounts = next
	return nil
}

// Remove deletes the account with that JID (after normalisation) and writes
// the file. Removing an account that is not there is not an error. It does
// not touch the keyring: call Keyring.Delete too.
func (s *Store) Remove(jid string) error {
	key := NormalizeJID(jid)
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.index(key)
	if i < 0 {
		return nil
	}
	next := make([]Account, 0, len(s.accounts)-1)
	next = append(next, s.accounts[:i]...)
	next = append(next, s.accounts[i+1:]...)
	if err := s.write(next); err != nil {
		return err
	}
	s.accounts = next
	return nil
}

// write replaces the file atomically: a temp file in the same directory,
// fsync, rename over the old file, fsync the directory. Mode 0600.
func (s *Store) write(accounts []Account) (err error) {
	if accounts == nil {
		accounts = []Account{}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(fileFormat{Version: FileVersion, Accounts: accounts}); err != nil {
		return fmt.Errorf("account: encode accounts: %w", err)
	}
	tmp, err := os.CreateTemp(s.dir, tempPrefix+"*")
	if err != nil {
		return fmt.Errorf("account: write accounts: %w", err)
	}
	tmpName := tmp.Name()
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmpName)
		}
	}()
	// CreateTemp already uses 0600; be explicit all the same.
	if runtime.GOOS != "windows" {
		if err = tmp.Chmod(0o600); err != nil {
			return fmt.Errorf("account: write accounts: %w", err)
		}
	}
	if _, err = tmp.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("account: write accounts: %w", err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("account: write accounts: sync: %w", err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("account: write accounts: %w", err)
	}
	if err = os.Rename(tmpName, s.path); err != nil {
		return fmt.Errorf("account: write accounts: %w", err)
	}
	syncDir(s.dir)
	return nil
}

// syncDir makes the rename durable. Best effort: not every platform or
// file system supports fsync on a directory (Windows does not).
func syncDir(dir string) {
	if runtime.GOOS == "windows" {
		return
	}
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}
