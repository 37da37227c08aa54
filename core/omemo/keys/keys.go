// Package keys keeps the OMEMO keys and Signal sessions of a profile's
// accounts (XEP-0384 version 0.3, issue 21): what go.mau.fi/libsignal
// reads and writes (our identity, signed prekeys, one-time prekeys, the
// sessions with others' devices, their identity keys), in a SQLite
// database of the profile, and each account's identity private key in
// the OS keyring, never in a file.
//
// A message's key is decrypted into a [Pending] change: the session's
// new state and the prekey it used are kept in memory, seen by the
// decryptions that follow, and written only when the caller commits it,
// once the message is in the history. A crash in between loses nothing:
// the server delivers the message again, and the session on disk still
// decrypts it.
//
// libsignal's logger is silenced: nothing of a key, a message or a
// session reaches a log. Its panics on malformed input are recovered
// into errors.
package keys

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/causerie/causerie/core/xmpp/omemo"
	"go.mau.fi/libsignal/ecc"
	"go.mau.fi/libsignal/keys/identity"
	"go.mau.fi/libsignal/keys/prekey"
	"go.mau.fi/libsignal/logger"
	"go.mau.fi/libsignal/protocol"
	"go.mau.fi/libsignal/serialize"
	"go.mau.fi/libsignal/session"
	"go.mau.fi/libsignal/signalerror"
	"go.mau.fi/libsignal/state/record"
	"go.mau.fi/libsignal/util/keyhelper"
	"go.mau.fi/libsignal/util/optional"
	"golang.org/x/crypto/curve25519"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver
)

func init() { logger.Setup(&silent) }

// silent is libsignal's logger: it says nothing.
var silent logger.Loggable = quiet{}

type quiet struct{}

func (quiet) Debug(string, string)   {}
func (quiet) Info(string, string)    {}
func (quiet) Warning(string, string) {}
func (quiet) Error(string, string)   {}
func (quiet) Configure(string)       {}

// PreKeys is how many one-time prekeys a device publishes.
const PreKeys = 100

// Errors.
var (
	// ErrNoSecret: Secrets holds no identity private key for the account.
	ErrNoSecret = errors.New("no OMEMO identity key in the keyring")
	// ErrIdentityLost: the account's identity is in the database, but
	// its private key is no longer in the keyring.
	ErrIdentityLost = errors.New("the OMEMO identity key is missing from the keyring")
	// ErrNoSession: no session with that device yet.
	ErrNoSession = errors.New("no OMEMO session with that device")
	// ErrMalformed: what came cannot be a Signal message.
	ErrMalformed = errors.New("not a Signal message")
	// ErrIdentityChanged: a device we know came with another identity
	// key: refused (a server, or someone else, speaking for it).
	ErrIdentityChanged = signalerror.ErrUntrustedIdentity
)

// Secrets keeps the identity private key of each account's device: the
// OS keyring. One per device, so that two profiles of one account (two
// databases, two devices) each keep their own.
type Secrets interface {
	// Get returns the key stored for account's device, or an error
	// matching ErrNoSecret when there is none. Device 0 is where the
	// first builds kept the account's.
	Get(ctx context.Context, account string, device uint32) ([]byte, error)
	Set(ctx context.Context, account string, device uint32, key []byte) error
	Delete(ctx context.Context, account string, device uint32) error
}

// DB is the profile's OMEMO database.
type DB struct {
	db  *sql.DB
	ser *serialize.Serializer
}

const schema = `
CREATE TABLE IF NOT EXISTS identity (
	account TEXT PRIMARY KEY,
	device  INTEGER NOT NULL,
	public  BLOB NOT NULL,          -- Curve25519, serialised (33 bytes)
	created INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS prekeys (
	account TEXT NOT NULL,
	id      INTEGER NOT NULL,
	record  BLOB NOT NULL,
	used    INTEGER NOT NULL DEFAULT 0, -- when a session was built with it (unix s)
	PRIMARY KEY (account, id)
);
CREATE TABLE IF NOT EXISTS signed_prekeys (
	account TEXT NOT NULL,
	id      INTEGER NOT NULL,
	record  BLOB NOT NULL,
	created INTEGER NOT NULL,
	PRIMARY KEY (account, id)
);
CREATE TABLE IF NOT EXISTS sessions (
	account TEXT NOT NULL,
	jid     TEXT NOT NULL,
	device  INTEGER NOT NULL,
	record  BLOB NOT NULL,
	PRIMARY KEY (account, jid, device)
);
CREATE TABLE IF NOT EXISTS counters (
	account     TEXT PRIMARY KEY,
	next_prekey INTEGER NOT NULL    -- one-time prekey ids are never used twice
);
CREATE TABLE IF NOT EXISTS identities (
	account TEXT NOT NULL,
	jid     TEXT NOT NULL,
	device  INTEGER NOT NULL,
	public  BLOB NOT NULL,
	first   INTEGER NOT NULL,
	PRIMARY KEY (account, jid, device)
);
CREATE TABLE IF NOT EXISTS trust (
	account TEXT NOT NULL,
	jid     TEXT NOT NULL,
	device  INTEGER NOT NULL,
	level   INTEGER NOT NULL,       -- a Trust
	PRIMARY KEY (account, jid, device)
);
CREATE TABLE IF NOT EXISTS verified (
	account TEXT NOT NULL,
	jid     TEXT NOT NULL,          -- one of its devices was verified once
	PRIMARY KEY (account, jid)
);
CREATE TABLE IF NOT EXISTS devices (
	account TEXT NOT NULL,
	jid     TEXT NOT NULL,
	device  INTEGER NOT NULL,
	active  INTEGER NOT NULL,       -- in the device list as last published
	PRIMARY KEY (account, jid, device)
);
CREATE TABLE IF NOT EXISTS chats (
	account TEXT NOT NULL,
	jid     TEXT NOT NULL,
	encrypt INTEGER NOT NULL,       -- the chat's switch, as the user left it
	PRIMARY KEY (account, jid)
);
`

// Open opens (making it if need be) the database at path.
func Open(path string) (*DB, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") { // Windows: file:///C:/...
		p = "/" + p
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file://"+(&url.URL{Path: p}).EscapedPath()+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("keys: %w", err)
	}
	// Contacts verified before the verified table was.
	if _, err := db.Exec(`INSERT OR IGNORE INTO verified(account, jid) SELECT DISTINCT account, jid FROM trust WHERE level = ?`, Verified); err != nil {
		db.Close()
		return nil, fmt.Errorf("keys: %w", err)
	}
	// Identities kept before trust was: trusted blindly, as they were.
	if _, err := db.Exec(`INSERT INTO trust(account, jid, device, level)
		SELECT account, jid, device, ? FROM identities i WHERE NOT EXISTS
		(SELECT 1 FROM trust t WHERE t.account = i.account AND t.jid = i.jid AND t.device = i.device)`, Blind); err != nil {
		db.Close()
		return nil, fmt.Errorf("keys: %w", err)
	}
	return &DB{db: db, ser: serialize.NewProtoBufSerializer()}, nil
}

// Close closes the database.
func (d *DB) Close() error { return d.db.Close() }

// Store is one account's keys and sessions: libsignal's stores.
type Store struct {
	d        *DB
	account  string
	device   uint32
	identity *identity.KeyPair

	// op serialises what libsignal does with the sessions (it loads,
	// changes and stores them): the live reader and the archive's
	// catch-up decrypt at the same time.
	op sync.Mutex

	mu        sync.Mutex
	session   map[addr][]byte // decrypted with, not yet committed
	issued    map[addr]uint64 // the last decryption's sequence number, per device
	committed map[addr]uint64 // the last committed one's
	used      map[uint32]bool // prekeys used by pending changes
}

type addr struct {
	jid    string
	device uint32
}

// Load returns account's store. The first time, it makes the account's
// identity: a device id, an identity key pair (its private key into
// secrets), a signed prekey and PreKeys one-time prekeys.
func (d *DB) Load(ctx context.Context, account string, secrets Secrets) (*Store, error) {
	s := &Store{d: d, account: account, session: map[addr][]byte{}, issued: map[addr]uint64{}, committed: map[addr]uint64{}, used: map[uint32]bool{}}
	var pub []byte
	err := d.db.QueryRowContext(ctx, `SELECT device, public FROM identity WHERE account = ?`, account).Scan(&s.device, &pub)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return s, s.create(ctx, secrets)
	case err != nil:
		return nil, fmt.Errorf("keys: %w", err)
	}
	priv, err := secrets.Get(ctx, account, s.device)
	moved := false
	if errors.Is(err, ErrNoSecret) {
		// Kept for the account alone by the first builds.
		priv, err = secrets.Get(ctx, account, 0)
		moved = err == nil
	}
	if errors.Is(err, ErrNoSecret) {
		return nil, ErrIdentityLost
	}
	if err != nil {
		return nil, err
	}
	if s.identity, err = keyPair(pub, priv); err != nil {
		return nil, err
	}
	if moved && secrets.Set(ctx, account, s.device, priv) == nil {
		secrets.Delete(ctx, account, 0) // (read from there again until it is moved)
	}
	return s, nil
}

func keyPair(pub, priv []byte) (*identity.KeyPair, error) {
	if len(priv) != 32 {
		return nil, errors.New("keys: the identity private key is not 32 bytes")
	}
	// The keyring's key must be this identity's (another database of
	// the same account may have made one of its own).
	if p, err := curve25519.X25519(priv, curve25519.Basepoint); err != nil || len(pub) != 33 || string(p) != string(pub[1:]) {
		return nil, ErrIdentityLost
	}
	pk, err := ecc.DecodePoint(pub, 0)
	if err != nil {
		return nil, fmt.Errorf("keys: our identity key: %w", err)
	}
	return identity.NewKeyPair(identity.NewKey(pk), ecc.NewDjbECPrivateKey([32]byte(priv))), nil
}

// create makes the account's identity.
func (s *Store) create(ctx context.Context, secrets Secrets) error {
	pair, err := keyhelper.GenerateIdentityKeyPair()
	if err != nil {
		return err
	}
	priv := pair.PrivateKey().Serialize()
	s.device = NewDeviceID()
	if err := secrets.Set(ctx, s.account, s.device, priv[:]); err != nil {
		return err
	}
	s.identity = pair
	now := time.Now().Unix()
	spk, err := keyhelper.GenerateSignedPreKey(pair, 1, s.d.ser.SignedPreKeyRecord)
	if err != nil {
		return err
	}
	pks, err := keyhelper.GeneratePreKeys(1, PreKeys, s.d.ser.PreKeyRecord)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.Exec(`INSERT INTO identity(account, device, public, created) VALUES (?, ?, ?, ?)`,
			s.account, s.device, pair.PublicKey().Serialize(), now); err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO signed_prekeys(account, id, record, created) VALUES (?, ?, ?, ?)`,
			s.account, spk.ID(), spk.Serialize(), now); err != nil {
			return err
		}
		for _, pk := range pks {
			if _, err := tx.Exec(`INSERT INTO prekeys(account, id, record) VALUES (?, ?, ?)`, s.account, pk.ID().Value, pk.Serialize()); err != nil {
				return err
			}
		}
		_, err := tx.Exec(`INSERT OR REPLACE INTO counters(account, next_prekey) VALUES (?, ?)`, s.account, PreKeys+1)
		return err
	})
}

// NewDeviceID draws a device id: 1..2^31-1.
func NewDeviceID() uint32 {
	var b [4]byte
	for {
		rand.Read(b[:])
		if id := binary.BigEndian.Uint32(b[:]) & (1<<31 - 1); omemo.ValidID(id) {
			return id
		}
	}
}

func (s *Store) tx(ctx context.Context, f func(tx *sql.Tx) error) error {
	tx, err := s.d.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("keys: %w", err)
	}
	if err := f(tx); err != nil {
		tx.Rollback()
		return fmt.Errorf("keys: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("keys: %w", err)
	}
	return nil
}

// DeviceID is our device's id for the account.
func (s *Store) DeviceID() uint32 { return s.device }

// IdentityKey is our identity public key, serialised (33 bytes).
func (s *Store) IdentityKey() []byte { return s.identity.PublicKey().Serialize() }

// Bundle is what we publish: our identity key, the newest signed prekey
// and the one-time prekeys not used yet.
func (s *Store) Bundle(ctx context.Context) (omemo.Keys, error) {
	k := omemo.Keys{IdentityKey: s.IdentityKey()}
	var rec []byte
	if err := s.d.db.QueryRowContext(ctx, `SELECT record FROM signed_prekeys WHERE account = ? ORDER BY created DESC, id DESC LIMIT 1`,
		s.account).Scan(&rec); err != nil {
		return omemo.Keys{}, fmt.Errorf("keys: signed prekey: %w", err)
	}
	spk, err := s.signedPreKey(rec)
	if err != nil {
		return omemo.Keys{}, fmt.Errorf("keys: signed prekey: %w", err)
	}
	sig := spk.Signature()
	k.SignedPreKeyID, k.SignedPreKey, k.Signature = spk.ID(), spk.KeyPair().PublicKey().Serialize(), sig[:]
	rows, err := s.d.db.QueryContext(ctx, `SELECT record FROM prekeys WHERE account = ? AND used = 0 ORDER BY id`, s.account)
	if err != nil {
		return omemo.Keys{}, fmt.Errorf("keys: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := rows.Scan(&rec); err != nil {
			return omemo.Keys{}, err
		}
		pk, err := s.preKey(rec)
		if err != nil {
			return omemo.Keys{}, fmt.Errorf("keys: prekey: %w", err)
		}
		s.mu.Lock()
		used := s.used[pk.ID().Value]
		s.mu.Unlock()
		if !used {
			k.PreKeys = append(k.PreKeys, omemo.PreKey{ID: pk.ID().Value, Key: pk.KeyPair().PublicKey().Serialize()})
		}
	}
	return k, rows.Err()
}

// libsignal v0.2.1 reads a stored prekey's public key wrong (the first
// 32 of its 33 serialised bytes, type byte included), so the records
// are read here with the public key worked out again from the private
// one (X25519 with the base point), which it reads right.

// preKey reads a stored one-time prekey record.
func (s *Store) preKey(rec []byte) (*record.PreKey, error) {
	r, err := record.NewPreKeyFromBytes(rec, s.d.ser.PreKeyRecord)
	if err != nil {
		return nil, err
	}
	pair, err := fixedPair(r.KeyPair())
	if err != nil {
		return nil, err
	}
	return record.NewPreKey(r.ID().Value, pair, s.d.ser.PreKeyRecord), nil
}

// signedPreKey reads a stored signed prekey record.
func (s *Store) signedPreKey(rec []byte) (*record.SignedPreKey, error) {
	r, err := record.NewSignedPreKeyFromBytes(rec, s.d.ser.SignedPreKeyRecord)
	if err != nil {
		return nil, err
	}
	pair, err := fixedPair(r.KeyPair())
	if err != nil {
		return nil, err
	}
	return record.NewSignedPreKey(r.ID(), r.Timestamp(), pair, r.Signature(), s.d.ser.SignedPreKeyRecord), nil
}

// fixedPair is the key pair with its public key made from its private
// key.
func fixedPair(p *ecc.ECKeyPair) (*ecc.ECKeyPair, error) {
	priv := p.PrivateKey().Serialize()
	pub, err := curve25519.X25519(priv[:], curve25519.Basepoint)
	if err != nil {
		return nil, err
	}
	return ecc.NewECKeyPair(ecc.NewDjbECPublicKey([32]byte(pub)), p.PrivateKey()), nil
}

// guard turns a libsignal panic (it has some on short input) into
// ErrMalformed.
func guard(err *error) {
	if r := recover(); r != nil {
		*err = ErrMalformed
	}
}

// builder is a session builder with the device jid/device.
func (s *Store) builder(a *protocol.SignalAddress) *session.Builder {
	return session.NewBuilder(s, s, s, s, a, s.d.ser)
}

// StartSession builds a session with device jid/device from its bundle:
// one of its one-time prekeys, drawn at random. The bundle's signature
// is verified first (an error if it does not hold).
func (s *Store) StartSession(ctx context.Context, jid string, device uint32, k omemo.Keys) (err error) {
	s.op.Lock()
	defer s.op.Unlock()
	defer guard(&err)
	if len(k.PreKeys) == 0 {
		return errors.New("keys: the bundle has no prekey")
	}
	var b [4]byte
	rand.Read(b[:])
	pk := k.PreKeys[binary.BigEndian.Uint32(b[:])%uint32(len(k.PreKeys))]
	ik, err := ecc.DecodePoint(k.IdentityKey, 0)
	if err != nil {
		return fmt.Errorf("keys: identity key: %w", err)
	}
	spk, err := ecc.DecodePoint(k.SignedPreKey, 0)
	if err != nil {
		return fmt.Errorf("keys: signed prekey: %w", err)
	}
	pkk, err := ecc.DecodePoint(pk.Key, 0)
	if err != nil {
		return fmt.Errorf("keys: prekey: %w", err)
	}
	if len(k.Signature) != omemo.SignatureSize {
		return errors.New("keys: the bundle's signature is not 64 bytes")
	}
	a := protocol.NewSignalAddress(jid, device)
	bundle := prekey.NewBundle(0, device, optional.NewOptionalUint32(pk.ID), k.SignedPreKeyID, pkk, spk, [64]byte(k.Signature), identity.NewKey(ik))
	if err := s.builder(a).ProcessBundle(ctx, bundle); err != nil {
		return fmt.Errorf("keys: %w", err)
	}
	return nil
}

// HasSession reports whether we have a session with jid/device.
func (s *Store) HasSession(ctx context.Context, jid string, device uint32) (bool, error) {
	return s.ContainsSession(ctx, protocol.NewSignalAddress(jid, device))
}

// Encrypt encrypts the payload's key and tag for jid/device with its
// session, and says whether that is a PreKeySignalMessage (the session
// was built by us and has not been answered yet).
func (s *Store) Encrypt(ctx context.Context, jid string, device uint32, keyAndTag []byte) (data []byte, preKey bool, err error) {
	s.op.Lock()
	defer s.op.Unlock()
	return s.encrypt(ctx, jid, device, keyAndTag)
}

// encrypt is Encrypt, s.op held.
func (s *Store) encrypt(ctx context.Context, jid string, device uint32, keyAndTag []byte) (data []byte, preKey bool, err error) {
	defer guard(&err)
	a := protocol.NewSignalAddress(jid, device)
	if ok, err := s.ContainsSession(ctx, a); err != nil || !ok {
		if err == nil {
			err = ErrNoSession
		}
		return nil, false, err
	}
	msg, err := session.NewCipher(s.builder(a), a).Encrypt(ctx, keyAndTag)
	if err != nil {
		return nil, false, fmt.Errorf("keys: %w", err)
	}
	return msg.Serialize(), msg.Type() == protocol.PREKEY_TYPE, nil
}

// A Target is a device to encrypt for.
type Target struct {
	JID    string
	Device uint32
}

// An Encrypted is what EncryptAll made for one target: the key's
// encryption, whether it is a PreKeySignalMessage, or why it failed.
type Encrypted struct {
	Data   []byte
	PreKey bool
	Err    error
}

// batchKey marks a context as EncryptAll's: sessions are written at its
// end, in one transaction.
type batchKey struct{}

type batch struct{ sessions map[addr][]byte }

// EncryptAll encrypts keyAndTag for each target, as Encrypt does, and
// writes the sessions' new states in one transaction (one write to
// disk for a message to many devices). A target without a session, or
// whose encryption fails, has its Err; an error is returned when the
// states could not be written (then nothing was encrypted, as far as
// the sessions are concerned: nothing is to be sent).
func (s *Store) EncryptAll(ctx context.Context, targets []Target, keyAndTag []byte) ([]Encrypted, error) {
	s.op.Lock()
	defer s.op.Unlock()
	b := &batch{sessions: map[addr][]byte{}}
	bctx := context.WithValue(ctx, batchKey{}, b)
	out := make([]Encrypted, len(targets))
	for i, t := range targets {
		out[i].Data, out[i].PreKey, out[i].Err = s.encrypt(bctx, t.JID, t.Device, keyAndTag)
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		for a, rec := range b.sessions {
			if _, err := tx.Exec(`INSERT INTO sessions(account, jid, device, record) VALUES (?, ?, ?, ?)
				ON CONFLICT(account, jid, device) DO UPDATE SET record = excluded.record`, s.account, a.jid, a.device, rec); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for a := range b.sessions {
		s.written(a)
	}
	return out, nil
}

// WaitSettled waits, up to limit, until no decryption of a message from
// the targets is waiting to be committed (the message being stored): an
// encryption then builds on a state that stays. (One built on a change
// that is rolled back after would leave the redelivered message
// unreadable.)
func (s *Store) WaitSettled(ctx context.Context, targets []Target, limit time.Duration) {
	deadline := time.Now().Add(limit)
	for {
		s.mu.Lock()
		pending := false
		for _, t := range targets {
			if _, ok := s.session[addr{t.JID, t.Device}]; ok {
				pending = true
				break
			}
		}
		s.mu.Unlock()
		if !pending || time.Now().After(deadline) || ctx.Err() != nil {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Pending is what decrypting a message changed, to be written by Commit
// once the message is stored.
type Pending struct {
	s       *Store
	a       addr
	seq     uint64 // per device: later decryptions have higher ones
	session []byte
	preKey  uint32 // used by this message, 0 if none
}

// Decrypt decrypts the key a message carries for us from jid/device. A
// prekey message builds (or replaces) the session with that device from
// one of our one-time prekeys. The session's new state is seen by later
// decryptions at once, and written to disk by the Pending's Commit.
func (s *Store) Decrypt(ctx context.Context, jid string, device uint32, k omemo.RecipientKey) (keyAndTag []byte, p *Pending, err error) {
	s.op.Lock()
	defer s.op.Unlock()
	pend := &Pending{s: s, a: addr{jid, device}}
	defer func() { // after guard: a panic is an error too
		if err != nil {
			pend.Rollback()
		}
	}()
	defer guard(&err)
	a := protocol.NewSignalAddress(jid, device)
	p = pend
	ctx = context.WithValue(ctx, pendingKey{}, p)
	cipher := session.NewCipher(s.builder(a), a)
	var derr error
	if k.PreKey {
		m, err := protocol.NewPreKeySignalMessageFromBytes(k.Data, s.d.ser.PreKeySignalMessage, s.d.ser.SignalMessage)
		if err != nil {
			return nil, nil, ErrMalformed
		}
		keyAndTag, derr = cipher.DecryptMessage(ctx, m)
	} else {
		m, err := protocol.NewSignalMessageFromBytes(k.Data, s.d.ser.SignalMessage)
		if err != nil {
			return nil, nil, ErrMalformed
		}
		if ok, err := s.ContainsSession(ctx, a); err != nil || !ok {
			if err == nil {
				err = ErrNoSession
			}
			return nil, nil, err
		}
		keyAndTag, derr = cipher.Decrypt(ctx, m)
	}
	if derr != nil {
		return nil, nil, fmt.Errorf("keys: %w", derr)
	}
	if len(keyAndTag) == 0 {
		return nil, nil, ErrMalformed
	}
	return keyAndTag, p, nil
}

// pendingKey marks a context as a decryption's: the stores then record
// what it changes in its Pending instead of on disk.
type pendingKey struct{}

func pendingOf(ctx context.Context) *Pending {
	p, _ := ctx.Value(pendingKey{}).(*Pending)
	return p
}

// Commit writes what the decryption changed: the session (unless a
// later decryption of the same device was committed already: its state
// follows this one's), and the prekey it used marked as used (it is
// deleted by ForgetUsedPreKeys, and a new one takes its place in the
// bundle: Replenish).
func (p *Pending) Commit(ctx context.Context) error {
	s := p.s
	// With the sessions' other users: an encryption between the check
	// below and the write would otherwise be written over.
	s.op.Lock()
	defer s.op.Unlock()
	s.mu.Lock()
	stale := p.seq <= s.committed[p.a]
	s.mu.Unlock()
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if p.session != nil && !stale {
			if _, err := tx.Exec(`INSERT INTO sessions(account, jid, device, record) VALUES (?, ?, ?, ?)
				ON CONFLICT(account, jid, device) DO UPDATE SET record = excluded.record`,
				s.account, p.a.jid, p.a.device, p.session); err != nil {
				return err
			}
		}
		if p.preKey != 0 {
			if _, err := tx.Exec(`UPDATE prekeys SET used = ? WHERE account = ? AND id = ? AND used = 0`,
				time.Now().Unix(), s.account, p.preKey); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.mu.Lock()
	if p.session != nil && !stale {
		s.committed[p.a] = p.seq
		if s.issued[p.a] == p.seq {
			delete(s.session, p.a) // no later decryption: the disk has it
		}
	}
	s.mu.Unlock()
	return nil
}

// Rollback forgets what the decryption changed, when its message could
// not be stored (or did not decrypt): later decryptions of that device
// start from what is on disk again, and the server's redelivery
// decrypts.
func (p *Pending) Rollback() {
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.session != nil && s.issued[p.a] == p.seq {
		delete(s.session, p.a)
	}
	if p.preKey != 0 {
		delete(s.used, p.preKey)
	}
}

// DropPending forgets every change not committed (the link dropped: the
// server delivers again what was not acknowledged).
func (s *Store) DropPending() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.session)
	clear(s.used)
}

// ForgetUsedPreKeys deletes the prekeys used before cutoff (once the
// archive's catch-up is over: a message it brings may still need one).
func (s *Store) ForgetUsedPreKeys(ctx context.Context, cutoff time.Time) error {
	_, err := s.d.db.ExecContext(ctx, `DELETE FROM prekeys WHERE account = ? AND used > 0 AND used < ?`, s.account, cutoff.Unix())
	return err
}

// Replenish adds one-time prekeys until PreKeys are unused, and says
// whether it added any (the bundle is then to be published again). Their
// ids follow the last ever made: an id is never given to two keys.
func (s *Store) Replenish(ctx context.Context) (bool, error) {
	var unused, maxID, next int
	if err := s.d.db.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE used = 0), coalesce(max(id), 0) FROM prekeys WHERE account = ?`,
		s.account).Scan(&unused, &maxID); err != nil {
		return false, fmt.Errorf("keys: %w", err)
	}
	if unused >= PreKeys {
		return false, nil
	}
	if err := s.d.db.QueryRowContext(ctx, `SELECT next_prekey FROM counters WHERE account = ?`, s.account).Scan(&next); err != nil {
		next = maxID + 1
	}
	next = max(next, maxID+1)
	// GeneratePreKeys takes the first and the last id.
	pks, err := keyhelper.GeneratePreKeys(next, next+PreKeys-unused-1, s.d.ser.PreKeyRecord)
	if err != nil {
		return false, err
	}
	return true, s.tx(ctx, func(tx *sql.Tx) error {
		for _, pk := range pks {
			if _, err := tx.Exec(`INSERT INTO prekeys(account, id, record) VALUES (?, ?, ?)`, s.account, pk.ID().Value, pk.Serialize()); err != nil {
				return err
			}
		}
		_, err := tx.Exec(`INSERT OR REPLACE INTO counters(account, next_prekey) VALUES (?, ?)`, s.account, next+PreKeys-unused)
		return err
	})
}

// The libsignal stores. Each runs on the caller's goroutine; a
// decryption's changes go to its Pending (see pendingOf).

// GetIdentityKeyPair is our identity.
func (s *Store) GetIdentityKeyPair() *identity.KeyPair { return s.identity }

// GetLocalRegistrationID is 0: OMEMO has device ids instead.
func (s *Store) GetLocalRegistrationID() uint32 { return 0 }

// SaveIdentity keeps the identity key of a device the first time it is
// seen; a key already kept is never replaced (IsTrustedIdentity refuses
// another one). Which devices are trusted is decided above this package.
//
// A device seen for the first time is trusted blindly while none of its
// owner's devices is verified, and waits for the user's decision once
// one is (blind trust before verification: SetTrust).
func (s *Store) SaveIdentity(ctx context.Context, a *protocol.SignalAddress, key *identity.Key) error {
	if known, err := s.Identity(ctx, a.Name(), a.DeviceID()); err != nil || known != nil {
		return err // kept already (each encryption saves it again)
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		r, err := tx.Exec(`INSERT INTO identities(account, jid, device, public, first) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT(account, jid, device) DO NOTHING`,
			s.account, a.Name(), a.DeviceID(), key.Serialize(), time.Now().Unix())
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return nil // known: its trust is as it was
		}
		level := Blind
		var verified int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM verified WHERE account = ? AND jid = ?`,
			s.account, a.Name()).Scan(&verified); err != nil {
			return err
		}
		if verified > 0 {
			level = Undecided
		}
		_, err = tx.Exec(`INSERT INTO trust(account, jid, device, level) VALUES (?, ?, ?, ?)
			ON CONFLICT(account, jid, device) DO NOTHING`, s.account, a.Name(), a.DeviceID(), level)
		return err
	})
}

// IsTrustedIdentity refuses a device whose identity key is not the one
// first seen for it (a server, or anyone, speaking for that device); a
// device never seen is taken, its trust decided above this package.
func (s *Store) IsTrustedIdentity(ctx context.Context, a *protocol.SignalAddress, key *identity.Key) (bool, error) {
	known, err := s.Identity(ctx, a.Name(), a.DeviceID())
	if err != nil {
		return false, err
	}
	return known == nil || string(known) == string(key.Serialize()), nil
}

// Identity returns the identity key (serialised) saved for jid/device.
func (s *Store) Identity(ctx context.Context, jid string, device uint32) ([]byte, error) {
	var pub []byte
	err := s.d.db.QueryRowContext(ctx, `SELECT public FROM identities WHERE account = ? AND jid = ? AND device = ?`,
		s.account, jid, device).Scan(&pub)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return pub, err
}

// LoadPreKey loads one of our one-time prekeys.
func (s *Store) LoadPreKey(ctx context.Context, id uint32) (*record.PreKey, error) {
	var rec []byte
	if err := s.d.db.QueryRowContext(ctx, `SELECT record FROM prekeys WHERE account = ? AND id = ?`, s.account, id).Scan(&rec); err != nil {
		return nil, fmt.Errorf("keys: prekey %d: %w", id, err)
	}
	return s.preKey(rec)
}

// StorePreKey stores one of our one-time prekeys.
func (s *Store) StorePreKey(ctx context.Context, id uint32, r *record.PreKey) error {
	_, err := s.d.db.ExecContext(ctx, `INSERT OR REPLACE INTO prekeys(account, id, record) VALUES (?, ?, ?)`, s.account, id, r.Serialize())
	return err
}

// ContainsPreKey reports whether prekey id is ours.
func (s *Store) ContainsPreKey(ctx context.Context, id uint32) (bool, error) {
	var n int
	err := s.d.db.QueryRowContext(ctx, `SELECT count(*) FROM prekeys WHERE account = ? AND id = ?`, s.account, id).Scan(&n)
	return n > 0, err
}

// RemovePreKey is called by libsignal once a prekey message used the
// prekey: it is marked used when the decryption is committed, and
// deleted later (ForgetUsedPreKeys).
func (s *Store) RemovePreKey(ctx context.Context, id uint32) error {
	if p := pendingOf(ctx); p != nil {
		p.preKey = id
		s.mu.Lock()
		s.used[id] = true
		s.mu.Unlock()
		return nil
	}
	_, err := s.d.db.ExecContext(ctx, `UPDATE prekeys SET used = ? WHERE account = ? AND id = ? AND used = 0`, time.Now().Unix(), s.account, id)
	return err
}

// LoadSignedPreKey loads one of our signed prekeys.
func (s *Store) LoadSignedPreKey(ctx context.Context, id uint32) (*record.SignedPreKey, error) {
	var rec []byte
	if err := s.d.db.QueryRowContext(ctx, `SELECT record FROM signed_prekeys WHERE account = ? AND id = ?`, s.account, id).Scan(&rec); err != nil {
		return nil, fmt.Errorf("keys: signed prekey %d: %w", id, err)
	}
	return s.signedPreKey(rec)
}

// LoadSignedPreKeys loads all our signed prekeys.
func (s *Store) LoadSignedPreKeys(ctx context.Context) ([]*record.SignedPreKey, error) {
	rows, err := s.d.db.QueryContext(ctx, `SELECT record FROM signed_prekeys WHERE account = ? ORDER BY id`, s.account)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*record.SignedPreKey
	for rows.Next() {
		var rec []byte
		if err := rows.Scan(&rec); err != nil {
			return nil, err
		}
		r, err := s.signedPreKey(rec)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// StoreSignedPreKey stores one of our signed prekeys.
func (s *Store) StoreSignedPreKey(ctx context.Context, id uint32, r *record.SignedPreKey) error {
	_, err := s.d.db.ExecContext(ctx, `INSERT OR REPLACE INTO signed_prekeys(account, id, record, created) VALUES (?, ?, ?, ?)`,
		s.account, id, r.Serialize(), time.Now().Unix())
	return err
}

// ContainsSignedPreKey reports whether signed prekey id is ours.
func (s *Store) ContainsSignedPreKey(ctx context.Context, id uint32) (bool, error) {
	var n int
	err := s.d.db.QueryRowContext(ctx, `SELECT count(*) FROM signed_prekeys WHERE account = ? AND id = ?`, s.account, id).Scan(&n)
	return n > 0, err
}

// RemoveSignedPreKey deletes one of our signed prekeys.
func (s *Store) RemoveSignedPreKey(ctx context.Context, id uint32) error {
	_, err := s.d.db.ExecContext(ctx, `DELETE FROM signed_prekeys WHERE account = ? AND id = ?`, s.account, id)
	return err
}

// sessionBytes is the session with a: a pending decryption's first,
// else the database's (nil if none).
func (s *Store) sessionBytes(ctx context.Context, a *protocol.SignalAddress) ([]byte, error) {
	k := addr{a.Name(), a.DeviceID()}
	if b, ok := ctx.Value(batchKey{}).(*batch); ok {
		if rec, ok := b.sessions[k]; ok {
			return rec, nil
		}
	}
	s.mu.Lock()
	b, ok := s.session[k]
	s.mu.Unlock()
	if ok {
		return b, nil
	}
	err := s.d.db.QueryRowContext(ctx, `SELECT record FROM sessions WHERE account = ? AND jid = ? AND device = ?`,
		s.account, k.jid, k.device).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return b, err
}

// LoadSession loads the session with a, or a fresh one.
func (s *Store) LoadSession(ctx context.Context, a *protocol.SignalAddress) (*record.Session, error) {
	b, err := s.sessionBytes(ctx, a)
	if err != nil {
		return nil, err
	}
	if b == nil {
		return record.NewSession(s.d.ser.Session, s.d.ser.State), nil
	}
	return record.NewSessionFromBytes(b, s.d.ser.Session, s.d.ser.State)
}

// GetSubDeviceSessions lists the devices of jid we have sessions with.
func (s *Store) GetSubDeviceSessions(ctx context.Context, jid string) ([]uint32, error) {
	rows, err := s.d.db.QueryContext(ctx, `SELECT device FROM sessions WHERE account = ? AND jid = ?`, s.account, jid)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []uint32
	for rows.Next() {
		var d uint32
		if err := rows.Scan(&d); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// StoreSession stores the session with a: in a decryption's Pending (and
// seen by later loads at once), else on disk.
func (s *Store) StoreSession(ctx context.Context, a *protocol.SignalAddress, r *record.Session) error {
	b := r.Serialize()
	if p := pendingOf(ctx); p != nil {
		p.session = b
		s.mu.Lock()
		s.issued[p.a]++
		p.seq = s.issued[p.a]
		s.session[p.a] = b
		s.mu.Unlock()
		return nil
	}
	if bt, ok := ctx.Value(batchKey{}).(*batch); ok {
		bt.sessions[addr{a.Name(), a.DeviceID()}] = b // written at its end
		return nil
	}
	_, err := s.d.db.ExecContext(ctx, `INSERT INTO sessions(account, jid, device, record) VALUES (?, ?, ?, ?)
		ON CONFLICT(account, jid, device) DO UPDATE SET record = excluded.record`, s.account, a.Name(), a.DeviceID(), b)
	if err == nil {
		s.written(addr{a.Name(), a.DeviceID()})
	}
	return err
}

// written records that a's session state on disk is the newest (an
// encryption wrote it, built on what decryptions not committed yet had
// changed): their commits are stale from now on, and would otherwise
// take the sending chain back (a message key used twice). Ops held.
func (s *Store) written(a addr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.session, a)
	s.committed[a] = s.issued[a]
}

// ContainsSession reports whether there is a session with a.
func (s *Store) ContainsSession(ctx context.Context, a *protocol.SignalAddress) (bool, error) {
	b, err := s.sessionBytes(ctx, a)
	return b != nil, err
}

// DeleteSession deletes the session with a.
func (s *Store) DeleteSession(ctx context.Context, a *protocol.SignalAddress) error {
	s.mu.Lock()
	delete(s.session, addr{a.Name(), a.DeviceID()})
	s.mu.Unlock()
	_, err := s.d.db.ExecContext(ctx, `DELETE FROM sessions WHERE account = ? AND jid = ? AND device = ?`, s.account, a.Name(), a.DeviceID())
	return err
}

// DeleteAllSessions deletes all the account's sessions.
func (s *Store) DeleteAllSessions(ctx context.Context) error {
	s.mu.Lock()
	clear(s.session)
	s.mu.Unlock()
	_, err := s.d.db.ExecContext(ctx, `DELETE FROM sessions WHERE account = ?`, s.account)
	return err
}
