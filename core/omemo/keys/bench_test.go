package keys

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/causerie/causerie/core/xmpp/omemo"
)

// memorySecrets keeps identity keys in memory: the benchmark measures
// encryption, which never reads the keyring (tests use the real one).
type memorySecrets struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (s *memorySecrets) Get(_ context.Context, account string, device uint32) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if k, ok := s.m[fmt.Sprint(account, device)]; ok {
		return k, nil
	}
	return nil, ErrNoSecret
}

func (s *memorySecrets) Set(_ context.Context, account string, device uint32, key []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[fmt.Sprint(account, device)] = key
	return nil
}

func (s *memorySecrets) Delete(_ context.Context, account string, device uint32) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, fmt.Sprint(account, device))
	return nil
}

// BenchmarkEncryptFor10Devices: one message for 10 devices (sessions
// built): its payload sealed, its key encrypted for each device, the
// sessions' new states written to omemo.db (SQLite, synchronous, one
// transaction). The target: ≤ 5 ms.
func BenchmarkEncryptFor10Devices(b *testing.B) {
	ctx := context.Background()
	secrets := &memorySecrets{m: map[string][]byte{}}
	dir := b.TempDir()
	open := func(name string) *Store {
		db, err := Open(filepath.Join(dir, name+".db"))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { db.Close() })
		s, err := db.Load(ctx, name+"@example.test", secrets)
		if err != nil {
			b.Fatal(err)
		}
		return s
	}
	me := open("me")
	var them []*Store
	for i := range 10 {
		d := open(fmt.Sprintf("device%d", i))
		k, err := d.Bundle(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if err := me.StartSession(ctx, d.account, d.DeviceID(), k); err != nil {
			b.Fatal(err)
		}
		them = append(them, d)
	}
	var targets []Target
	for _, d := range them {
		targets = append(targets, Target{d.account, d.DeviceID()})
	}
	body := []byte("Un message ordinaire, d’une centaine d’octets, comme on en écrit des dizaines par jour.")
	b.ResetTimer()
	for b.Loop() {
		keyAndTag, _, _, err := omemo.Seal(body)
		if err != nil {
			b.Fatal(err)
		}
		out, err := me.EncryptAll(ctx, targets, keyAndTag)
		if err != nil || len(out) != 10 || out[9].Err != nil {
			b.Fatal(out, err)
		}
	}
}
