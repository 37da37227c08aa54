package keys

import (
	"context"
	"database/sql"
	"time"

	"go.mau.fi/libsignal/util/keyhelper"
)

// Signed prekey rotation (as python-omemo and Conversations do): the
// bundle's signed prekey is replaced once a week; those replaced are kept
// a month, for the prekey messages built on them that may still come
// (from a device that read our bundle and sends later, or the archive).
const (
	SignedPreKeyAge  = 7 * 24 * time.Hour
	SignedPreKeyKeep = 30 * 24 * time.Hour
)

// RotateSignedPreKey makes a new signed prekey when the newest is older
// than SignedPreKeyAge at now (the bundle is then to be published again)
// and deletes those older than SignedPreKeyAge+SignedPreKeyKeep, never
// the newest.
func (s *Store) RotateSignedPreKey(ctx context.Context, now time.Time) (rotated bool, err error) {
	s.op.Lock()
	defer s.op.Unlock()
	var newest, created int64
	if err := s.d.db.QueryRowContext(ctx, `SELECT id, created FROM signed_prekeys WHERE account = ? ORDER BY created DESC, id DESC LIMIT 1`,
		s.account).Scan(&newest, &created); err != nil {
		return false, err
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if now.Sub(time.Unix(created, 0)) >= SignedPreKeyAge {
			var top uint32
			if err := tx.QueryRow(`SELECT MAX(id) FROM signed_prekeys WHERE account = ?`, s.account).Scan(&top); err != nil {
				return err
			}
			spk, err := keyhelper.GenerateSignedPreKey(s.identity, top+1, s.d.ser.SignedPreKeyRecord)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(`INSERT INTO signed_prekeys(account, id, record, created) VALUES (?, ?, ?, ?)`,
				s.account, spk.ID(), spk.Serialize(), now.Unix()); err != nil {
				return err
			}
			newest, rotated = int64(spk.ID()), true
		}
		_, err := tx.Exec(`DELETE FROM signed_prekeys WHERE account = ? AND id != ? AND created < ?`,
			s.account, newest, now.Add(-SignedPreKeyAge-SignedPreKeyKeep).Unix())
		return err
	})
	return rotated, err
}
