package keys

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"strings"
)

// Trust is what the user decided about a device's identity key.
type Trust int

// Trust levels. Blind trust before verification: a device is Blind
// when first seen while none of its owner's devices is Verified, and
// Undecided (waiting for the user) once one is.
const (
	Undecided  Trust = iota // not encrypted for until the user decides
	Blind                   // trusted, not verified
	Verified                // its fingerprint compared by the user
	Distrusted              // never encrypted for
)

// Trusted reports whether messages are encrypted for a device at t.
func (t Trust) Trusted() bool { return t == Blind || t == Verified }

// Device is one device of a contact's (or of ours) as we know it.
type Device struct {
	ID uint32
	// Active: in its owner's device list as last published.
	Active bool
	// Identity is its identity key, serialised (nil before a session:
	// not seen yet).
	Identity []byte
	// Trust is what the user decided, or for a device not seen yet the
	// level it will have when it is.
	Trust Trust
}

// Fingerprint is an identity key's fingerprint as clients show it: its
// 32 bytes (without the key type) in hexadecimal, in 8 groups of 8.
func Fingerprint(identity []byte) string {
	if len(identity) == 33 {
		identity = identity[1:]
	}
	h := hex.EncodeToString(identity)
	var b strings.Builder
	for i := 0; i < len(h); i += 8 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(h[i:min(i+8, len(h))])
	}
	return b.String()
}

// Trust is jid/device's trust level; for a device never seen, the
// level it will have when it is (Blind until one of jid's devices was
// verified, Undecided after).
func (s *Store) Trust(ctx context.Context, jid string, device uint32) (Trust, error) {
	var t Trust
	err := s.d.db.QueryRowContext(ctx, `SELECT level FROM trust WHERE account = ? AND jid = ? AND device = ?`,
		s.account, jid, device).Scan(&t)
	if errors.Is(err, sql.ErrNoRows) {
		return s.firstTrust(ctx, jid)
	}
	return t, err
}

// firstTrust is the level a device of jid's seen for the first time
// gets.
func (s *Store) firstTrust(ctx context.Context, jid string) (Trust, error) {
	var n int
	if err := s.d.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM verified WHERE account = ? AND jid = ?`, s.account, jid).Scan(&n); err != nil {
		return Undecided, err
	}
	if n > 0 {
		return Undecided, nil
	}
	return Blind, nil
}

// SetTrust records the user's decision about jid/device (Verified,
// Blind for trusted without verification, or Distrusted). It applies to
// the identity key seen for that device; a device never seen has none
// (ErrNoSession).
func (s *Store) SetTrust(ctx context.Context, jid string, device uint32, t Trust) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM identities WHERE account = ? AND jid = ? AND device = ?`,
			s.account, jid, device).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return ErrNoSession
		}
		if _, err := tx.Exec(`INSERT INTO trust(account, jid, device, level) VALUES (?, ?, ?, ?)
			ON CONFLICT(account, jid, device) DO UPDATE SET level = excluded.level`, s.account, jid, device, t); err != nil {
			return err
		}
		if t == Verified {
			// From now on, for good, a new device of jid's waits.
			_, err := tx.Exec(`INSERT INTO verified(account, jid) VALUES (?, ?) ON CONFLICT DO NOTHING`, s.account, jid)
			return err
		}
		return nil
	})
}

// SetDevices records jid's device list as account read it: those in ids
// are active, the others known are not.
func (d *DB) SetDevices(ctx context.Context, account, jid string, ids []uint32) error {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`UPDATE devices SET active = 0 WHERE account = ? AND jid = ?`, account, jid); err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := tx.Exec(`INSERT INTO devices(account, jid, device, active) VALUES (?, ?, ?, 1)
			ON CONFLICT(account, jid, device) DO UPDATE SET active = 1`, account, jid, id); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// Devices lists jid's devices as known: those of its device list, and
// those we have an identity for (a device that left the list keeps its
// fingerprint and trust), by id.
func (s *Store) Devices(ctx context.Context, jid string) ([]Device, error) {
	first, err := s.firstTrust(ctx, jid)
	if err != nil {
		return nil, err
	}
	rows, err := s.d.db.QueryContext(ctx, `
		SELECT ids.device, COALESCE(d.active, 0), i.public, COALESCE(t.level, ?3)
		FROM (SELECT device FROM devices WHERE account = ?1 AND jid = ?2
		      UNION SELECT device FROM identities WHERE account = ?1 AND jid = ?2) ids
		LEFT JOIN devices d ON d.account = ?1 AND d.jid = ?2 AND d.device = ids.device
		LEFT JOIN identities i ON i.account = ?1 AND i.jid = ?2 AND i.device = ids.device
		LEFT JOIN trust t ON t.account = ?1 AND t.jid = ?2 AND t.device = ids.device
		ORDER BY ids.device`, s.account, jid, first)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ds []Device
	for rows.Next() {
		var d Device
		if err := rows.Scan(&d.ID, &d.Active, &d.Identity, &d.Trust); err != nil {
			return nil, err
		}
		ds = append(ds, d)
	}
	return ds, rows.Err()
}

// ChatSetting is the switch of account's chat with jid as the user left
// it; set is false when the user never touched it. (The database alone:
// it is read before the keys are loaded.)
func (d *DB) ChatSetting(ctx context.Context, account, jid string) (on, set bool, err error) {
	err = d.db.QueryRowContext(ctx, `SELECT encrypt FROM chats WHERE account = ? AND jid = ?`, account, jid).Scan(&on)
	if errors.Is(err, sql.ErrNoRows) {
		return false, false, nil
	}
	return on, err == nil, err
}

// HasDevices reports whether jid's device list, as account last read
// it, has devices.
func (d *DB) HasDevices(ctx context.Context, account, jid string) (bool, error) {
	var n int
	err := d.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM devices WHERE account = ? AND jid = ? AND active = 1`, account, jid).Scan(&n)
	return n > 0, err
}

// SetChat records the switch of account's chat with jid.
func (d *DB) SetChat(ctx context.Context, account, jid string, on bool) error {
	_, err := d.db.ExecContext(ctx, `INSERT INTO chats(account, jid, encrypt) VALUES (?, ?, ?)
		ON CONFLICT(account, jid) DO UPDATE SET encrypt = excluded.encrypt`, account, jid, on)
	return err
}
