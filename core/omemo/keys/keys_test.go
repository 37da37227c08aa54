package keys

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/causerie/causerie/core/account"
	"github.com/causerie/causerie/core/xmpp/omemo"
	"go.mau.fi/libsignal/ecc"
)

// testKeyring is the real OS keyring (a Secret Service under
// .ci/with-desktop.sh), under a service of the tests' own; what a test
// stores there it deletes.
func testKeyring(t *testing.T) Keyring {
	t.Helper()
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("DBUS_SESSION_BUS_ADDRESS is empty: run under .ci/with-desktop.sh (make test)")
		}
		t.Skip("no session bus: run under .ci/with-desktop.sh (make test)")
	}
	return Keyring{K: &account.Keyring{Service: "causerie-omemo-test", Timeout: 10 * time.Second}}
}

var accountSeq int

// newAccount is a new account's store in db, its keyring entry removed
// at the end.
func newAccount(t *testing.T, db *DB, k Keyring, name string) *Store {
	t.Helper()
	accountSeq++
	jid := fmt.Sprintf("%s-%d-%d@example.test", name, os.Getpid(), accountSeq)
	s, err := db.Load(context.Background(), jid, k)
	if err == nil {
		t.Cleanup(func() { k.Delete(context.Background(), jid, s.DeviceID()) })
	}
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func openDB(t *testing.T, path string) *DB {
	t.Helper()
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// send encrypts keyAndTag from one store to the other's device.
func send(t *testing.T, from, to *Store, keyAndTag []byte) omemo.RecipientKey {
	t.Helper()
	data, pre, err := from.Encrypt(context.Background(), to.account, to.DeviceID(), keyAndTag)
	if err != nil {
		t.Fatal(err)
	}
	return omemo.RecipientKey{RID: to.DeviceID(), PreKey: pre, Data: data}
}

func receive(t *testing.T, to, from *Store, k omemo.RecipientKey, want []byte) *Pending {
	t.Helper()
	got, p, err := to.Decrypt(context.Background(), from.account, from.DeviceID(), k)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("decrypted %x, want %x", got, want)
	}
	return p
}

// Two accounts' devices: a session from a bundle, messages both ways;
// the prekey used leaves the bundle and a new one replaces it; a
// decryption not committed (a crash before the message was stored) is
// decrypted again from what is on disk; a committed one survives a
// restart.
func TestSessions(t *testing.T) {
	ctx := context.Background()
	k := testKeyring(t)
	dir := t.TempDir()
	db := openDB(t, filepath.Join(dir, "omemo.db"))
	alice, bob := newAccount(t, db, k, "alice"), newAccount(t, db, k, "bob")
	if !omemo.ValidID(alice.DeviceID()) || alice.DeviceID() == bob.DeviceID() {
		t.Fatalf("device ids %d, %d", alice.DeviceID(), bob.DeviceID())
	}
	bundle, err := bob.Bundle(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(bundle.PreKeys) != PreKeys || len(bundle.IdentityKey) != omemo.PublicKeySize ||
		!ecc.VerifySignature(mustPoint(t, bundle.IdentityKey), bundle.SignedPreKey, [64]byte(bundle.Signature)) {
		t.Fatalf("bob's bundle: %d prekeys, identity key %d bytes, signature verified %v", len(bundle.PreKeys), len(bundle.IdentityKey),
			ecc.VerifySignature(mustPoint(t, bundle.IdentityKey), bundle.SignedPreKey, [64]byte(bundle.Signature)))
	}
	// The bundle as published and read back.
	out, _ := xml.Marshal(omemo.NewBundle(bundle))
	var b omemo.Bundle
	xml.Unmarshal(out, &b)
	if bundle, err = b.Keys(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := alice.Encrypt(ctx, bob.account, bob.DeviceID(), []byte("x")); !errors.Is(err, ErrNoSession) {
		t.Fatalf("encrypting without a session: %v", err)
	}
	if err := alice.StartSession(ctx, bob.account, bob.DeviceID(), bundle); err != nil {
		t.Fatal(err)
	}

	first := bytes.Repeat([]byte{1}, 32)
	m1 := send(t, alice, bob, first)
	if !m1.PreKey {
		t.Fatal("the first message is not a prekey message")
	}
	// Bob decrypts, then "crashes" before storing the message: nothing
	// was written, the same message decrypts again after a restart.
	receive(t, bob, alice, m1, first)
	db2 := openDB(t, filepath.Join(dir, "omemo.db"))
	bob2, err := db2.Load(ctx, bob.account, k)
	if err != nil {
		t.Fatal(err)
	}
	if bob2.DeviceID() != bob.DeviceID() || !bytes.Equal(bob2.IdentityKey(), bob.IdentityKey()) {
		t.Fatal("bob's identity changed on reload")
	}
	p := receive(t, bob2, alice, m1, first)
	if err := p.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	after, _ := bob2.Bundle(ctx)
	if len(after.PreKeys) != PreKeys-1 {
		t.Fatalf("bundle after the prekey was used: %d prekeys", len(after.PreKeys))
	}
	if added, err := bob2.Replenish(ctx); err != nil || !added {
		t.Fatalf("replenish: %v %v", added, err)
	}
	if after, _ = bob2.Bundle(ctx); len(after.PreKeys) != PreKeys {
		t.Fatalf("bundle replenished: %d prekeys", len(after.PreKeys))
	}
	if err := bob2.ForgetUsedPreKeys(ctx, time.Now().Add(time.Second)); err != nil {
		t.Fatal(err)
	}

	// Bob answers: a plain Signal message, and Alice's session moves on.
	reply := bytes.Repeat([]byte{2}, 32)
	m2 := send(t, bob2, alice, reply)
	if m2.PreKey {
		t.Fatal("bob's answer is a prekey message")
	}
	receive(t, alice, bob2, m2, reply).Commit(ctx)
	m3 := send(t, alice, bob2, first)
	if m3.PreKey {
		t.Fatal("alice still sends prekey messages after the answer")
	}
	// Several decryptions before the commits (a burst): each sees the
	// one before.
	m4 := send(t, alice, bob2, reply)
	p3 := receive(t, bob2, alice, m3, first)
	p4 := receive(t, bob2, alice, m4, reply)
	if err := p3.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := p4.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	// A restart: what was committed holds.
	db3 := openDB(t, filepath.Join(dir, "omemo.db"))
	bob3, err := db3.Load(ctx, bob.account, k)
	if err != nil {
		t.Fatal(err)
	}
	m5 := send(t, alice, bob3, first)
	receive(t, bob3, alice, m5, first).Commit(ctx)
	if ik, err := bob3.Identity(ctx, alice.account, alice.DeviceID()); err != nil || !bytes.Equal(ik, alice.IdentityKey()) {
		t.Fatalf("alice's identity as bob saw it: %x %v", ik, err)
	}
}

func mustPoint(t *testing.T, b []byte) ecc.ECPublicKeyable {
	t.Helper()
	k, err := ecc.DecodePoint(b, 0)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// A bundle python-oldmemo made (core/xmpp/omemo/testdata): its
// signature holds for libsignal, and a session starts from it.
func TestOldmemoBundle(t *testing.T) {
	raw, err := os.ReadFile("../../xmpp/omemo/testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Bundle string `json:"bundle"`
	}
	json.Unmarshal(raw, &v)
	var b omemo.Bundle
	if err := xml.Unmarshal([]byte(v.Bundle), &b); err != nil {
		t.Fatal(err)
	}
	keys, err := b.Keys()
	if err != nil {
		t.Fatal(err)
	}
	if !ecc.VerifySignature(mustPoint(t, keys.IdentityKey), keys.SignedPreKey, [64]byte(keys.Signature)) {
		t.Fatal("oldmemo's signature does not verify")
	}
	db := openDB(t, filepath.Join(t.TempDir(), "omemo.db"))
	s := newAccount(t, db, testKeyring(t), "romeo")
	if err := s.StartSession(context.Background(), "juliet@capulet.lit", 31415, keys); err != nil {
		t.Fatal(err)
	}
	if _, pre, err := s.Encrypt(context.Background(), "juliet@capulet.lit", 31415, make([]byte, 32)); err != nil || !pre {
		t.Fatalf("encrypting for oldmemo's device: prekey %v, %v", pre, err)
	}
	// A signature that does not hold stops the session.
	keys.Signature[0] ^= 1
	if err := s.StartSession(context.Background(), "juliet@capulet.lit", 31416, keys); err == nil {
		t.Fatal("a bundle with a bad signature was taken")
	}
}

// The identity's private key is in the keyring only; without it, the
// store says so.
func TestIdentityInKeyring(t *testing.T) {
	ctx := context.Background()
	k := testKeyring(t)
	path := filepath.Join(t.TempDir(), "omemo.db")
	db := openDB(t, path)
	s := newAccount(t, db, k, "carol")
	priv, err := k.Get(ctx, s.account, s.DeviceID())
	if err != nil || len(priv) != 32 {
		t.Fatalf("keyring: %d bytes, %v", len(priv), err)
	}
	db.Close()
	for _, f := range []string{path, path + "-wal"} {
		if b, err := os.ReadFile(f); err == nil && bytes.Contains(b, priv) {
			t.Fatalf("the private key is in %s", f)
		}
	}
	k.Delete(ctx, s.account, s.DeviceID())
	db2 := openDB(t, path)
	if _, err := db2.Load(ctx, s.account, k); !errors.Is(err, ErrIdentityLost) {
		t.Fatalf("without the keyring's key: %v", err)
	}
}

// Whatever a stranger puts in a key element is refused, never a panic.
func TestDecryptHostile(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "omemo.db"))
	s := newAccount(t, db, testKeyring(t), "dave")
	for _, data := range [][]byte{nil, {}, {0x33}, {0x33, 0x08}, bytes.Repeat([]byte{0x33}, 100), bytes.Repeat([]byte{0xff}, 400)} {
		for _, pre := range []bool{false, true} {
			if _, _, err := s.Decrypt(context.Background(), "eve@example.test", 7, omemo.RecipientKey{RID: s.DeviceID(), PreKey: pre, Data: data}); err == nil {
				t.Errorf("%x (prekey %v) decrypted", data, pre)
			}
		}
	}
}

func FuzzDecrypt(f *testing.F) {
	f.Add([]byte{0x33, 0x0a, 0x21}, true)
	f.Add(base64Bytes("MwohBQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), false)
	f.Fuzz(func(t *testing.T, data []byte, pre bool) {
		if fuzzStore == nil {
			t.Skip("no keyring")
		}
		fuzzStore.Decrypt(context.Background(), "eve@example.test", 7, omemo.RecipientKey{RID: 1, PreKey: pre, Data: data})
	})
}

func base64Bytes(s string) []byte {
	b, _ := base64.StdEncoding.DecodeString(s)
	return b
}

// fuzzStore is a store for FuzzDecrypt, made once per process.
var fuzzStore *Store

func TestMain(m *testing.M) {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
		dir, _ := os.MkdirTemp("", "keys-fuzz")
		db, err := Open(filepath.Join(dir, "omemo.db"))
		if err == nil {
			k := Keyring{K: &account.Keyring{Service: "causerie-omemo-test", Timeout: 10 * time.Second}}
			jid := fmt.Sprintf("fuzz-%d@example.test", os.Getpid())
			if fuzzStore, err = db.Load(context.Background(), jid, k); err == nil {
				code := m.Run()
				k.Delete(context.Background(), jid, fuzzStore.DeviceID())
				db.Close()
				os.RemoveAll(dir)
				os.Exit(code)
			}
		}
	}
	os.Exit(m.Run())
}

// A device we know is not taken over: a bundle or a prekey message for
// it with another identity key is refused, and the key first seen
// stays.
func TestIdentityPinned(t *testing.T) {
	ctx := context.Background()
	k := testKeyring(t)
	db := openDB(t, filepath.Join(t.TempDir(), "omemo.db"))
	alice, bob, mallory := newAccount(t, db, k, "alice"), newAccount(t, db, k, "bob"), newAccount(t, db, k, "mallory")
	b, _ := bob.Bundle(ctx)
	if err := alice.StartSession(ctx, bob.account, bob.DeviceID(), b); err != nil {
		t.Fatal(err)
	}
	m1 := send(t, alice, bob, bytes.Repeat([]byte{1}, 32))
	receive(t, bob, alice, m1, bytes.Repeat([]byte{1}, 32)).Commit(ctx)
	// Mallory's bundle, as if it were bob's device's.
	mb, _ := mallory.Bundle(ctx)
	if err := alice.StartSession(ctx, bob.account, bob.DeviceID(), mb); !errors.Is(err, ErrIdentityChanged) {
		t.Fatalf("another identity for bob's device: %v", err)
	}
	if ik, _ := alice.Identity(ctx, bob.account, bob.DeviceID()); !bytes.Equal(ik, bob.IdentityKey()) {
		t.Fatal("bob's identity key was replaced")
	}
	// Mallory's prekey message, as if from alice's device.
	mbob, _ := bob.Bundle(ctx)
	if err := mallory.StartSession(ctx, bob.account, bob.DeviceID(), mbob); err != nil {
		t.Fatal(err)
	}
	data, pre, err := mallory.Encrypt(ctx, bob.account, bob.DeviceID(), bytes.Repeat([]byte{9}, 32))
	if err != nil || !pre {
		t.Fatal(err)
	}
	if _, _, err := bob.Decrypt(ctx, alice.account, alice.DeviceID(), omemo.RecipientKey{RID: bob.DeviceID(), PreKey: true, Data: data}); !errors.Is(err, ErrIdentityChanged) {
		t.Fatalf("mallory speaking for alice's device: %v", err)
	}
	// Alice's own messages still decrypt.
	m2 := send(t, alice, bob, bytes.Repeat([]byte{2}, 32))
	receive(t, bob, alice, m2, bytes.Repeat([]byte{2}, 32)).Commit(ctx)
}

// Commits in another order than the decryptions (an archive page and a
// live burst): the session on disk is the latest one, and a decryption
// that is rolled back leaves the next one decrypting.
func TestCommitOrder(t *testing.T) {
	ctx := context.Background()
	k := testKeyring(t)
	path := filepath.Join(t.TempDir(), "omemo.db")
	db := openDB(t, path)
	alice, bob := newAccount(t, db, k, "alice"), newAccount(t, db, k, "bob")
	b, _ := bob.Bundle(ctx)
	alice.StartSession(ctx, bob.account, bob.DeviceID(), b)
	key := bytes.Repeat([]byte{3}, 32)
	m1, m2, m3 := send(t, alice, bob, key), send(t, alice, bob, key), send(t, alice, bob, key)
	p1 := receive(t, bob, alice, m1, key)
	p2 := receive(t, bob, alice, m2, key)
	if err := p2.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := p1.Commit(ctx); err != nil { // older: its session is not written
		t.Fatal(err)
	}
	db2 := openDB(t, path)
	bob2, err := db2.Load(ctx, bob.account, k)
	if err != nil {
		t.Fatal(err)
	}
	// m2 was committed: decrypting it again fails, m3 decrypts.
	if _, _, err := bob2.Decrypt(ctx, alice.account, alice.DeviceID(), m2); err == nil {
		t.Fatal("m2 decrypted twice: the older session was written over the newer")
	}
	p3 := receive(t, bob2, alice, m3, key)
	p3.Rollback()
	// Rolled back: m3 decrypts again (its redelivery).
	receive(t, bob2, alice, m3, key).Commit(ctx)
}

// Two profiles of one account (two databases: two devices) keep each its
// own identity key in the keyring: the second's does not replace the
// first's.
func TestTwoProfilesOneAccount(t *testing.T) {
	ctx := context.Background()
	k := testKeyring(t)
	accountSeq++
	jid := fmt.Sprintf("twice-%d-%d@example.test", os.Getpid(), accountSeq)
	path1, path2 := filepath.Join(t.TempDir(), "omemo.db"), filepath.Join(t.TempDir(), "omemo.db")
	one, err := openDB(t, path1).Load(ctx, jid, k)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Delete(ctx, jid, one.DeviceID())
	two, err := openDB(t, path2).Load(ctx, jid, k)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Delete(ctx, jid, two.DeviceID())
	again, err := openDB(t, path1).Load(ctx, jid, k)
	if err != nil || again.DeviceID() != one.DeviceID() || string(again.IdentityKey()) != string(one.IdentityKey()) {
		t.Fatalf("the first profile, loaded again: %v", err)
	}
}

// An encryption while a decryption is not committed yet builds on what
// the decryption changed and writes it; that decryption's commit, later,
// does not take the sending chain back: the two messages sent after it
// both decrypt on the other side (a message key is never used twice).
func TestEncryptBetweenDecryptAndCommit(t *testing.T) {
	ctx := context.Background()
	k := testKeyring(t)
	db := openDB(t, filepath.Join(t.TempDir(), "omemo.db"))
	alice, bob := newAccount(t, db, k, "alice"), newAccount(t, db, k, "bob")
	b, _ := bob.Bundle(ctx)
	if err := alice.StartSession(ctx, bob.account, bob.DeviceID(), b); err != nil {
		t.Fatal(err)
	}
	key := bytes.Repeat([]byte{7}, 32)
	receive(t, bob, alice, send(t, alice, bob, key), key).Commit(ctx)
	receive(t, alice, bob, send(t, bob, alice, key), key).Commit(ctx)
	p := receive(t, bob, alice, send(t, alice, bob, key), key) // not committed yet
	first := send(t, bob, alice, key)                          // bob answers meanwhile
	if err := p.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	second := send(t, bob, alice, key)
	receive(t, alice, bob, first, key).Commit(ctx)
	receive(t, alice, bob, second, key).Commit(ctx)
}

// The signed prekey is replaced after a week, and the bundle names the
// new one; a prekey message built on the old one, sent later, still
// decrypts; the old one is deleted once kept a month past its week.
func TestSignedPreKeyRotation(t *testing.T) {
	ctx := context.Background()
	k := testKeyring(t)
	db := openDB(t, filepath.Join(t.TempDir(), "omemo.db"))
	alice, bob := newAccount(t, db, k, "alice"), newAccount(t, db, k, "bob")
	old, _ := alice.Bundle(ctx)
	now := time.Now()
	if rotated, err := alice.RotateSignedPreKey(ctx, now); err != nil || rotated {
		t.Fatalf("a fresh key rotated: %v %v", rotated, err)
	}
	if err := bob.StartSession(ctx, alice.account, alice.DeviceID(), old); err != nil {
		t.Fatal(err)
	}
	later := now.Add(SignedPreKeyAge + time.Hour)
	if rotated, err := alice.RotateSignedPreKey(ctx, later); err != nil || !rotated {
		t.Fatalf("a week later: %v %v", rotated, err)
	}
	b, _ := alice.Bundle(ctx)
	if b.SignedPreKeyID == old.SignedPreKeyID || string(b.SignedPreKey) == string(old.SignedPreKey) {
		t.Fatalf("the bundle still names signed prekey %d", b.SignedPreKeyID)
	}
	key := bytes.Repeat([]byte{9}, 32)
	m := send(t, bob, alice, key) // built on the old signed prekey
	if !m.PreKey {
		t.Fatal("not a prekey message")
	}
	receive(t, alice, bob, m, key).Commit(ctx)

	// A month past: the old one is gone, the newest kept (and, a week
	// old again, replaced).
	if _, err := alice.RotateSignedPreKey(ctx, later.Add(SignedPreKeyKeep+time.Hour)); err != nil {
		t.Fatal(err)
	}
	if ok, _ := alice.ContainsSignedPreKey(ctx, old.SignedPreKeyID); ok {
		t.Fatal("the old signed prekey was kept")
	}
	if ok, _ := alice.ContainsSignedPreKey(ctx, b.SignedPreKeyID); !ok {
		t.Fatal("the one before the newest was deleted")
	}
}
