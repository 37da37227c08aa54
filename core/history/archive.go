package history

import (
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ArchiveCursor is how far a catch-up read account's server archive
// (XEP-0313): the archive id of the last message it stored, and the date
// the archive gave it (zero when unknown).
type ArchiveCursor struct {
	ID    string
	Stamp time.Time
}

// ArchiveCursor returns account's archive cursor; its ID is "" when no
// catch-up has stored one.
func (s *Store) ArchiveCursor(account string) (ArchiveCursor, error) {
	var c ArchiveCursor
	var stamp int64
	err := s.r.QueryRow(`SELECT last_id, stamp FROM archive_cursor WHERE account = ?`, account).Scan(&c.ID, &stamp)
	if errors.Is(err, sql.ErrNoRows) {
		return ArchiveCursor{}, nil
	}
	if err != nil {
		return ArchiveCursor{}, fmt.Errorf("history: ArchiveCursor: %w", err)
	}
	c.Stamp = fromNanos(stamp)
	return c, nil
}

// SetArchiveCursor records c as account's archive cursor; an empty c.ID
// forgets it (the next catch-up starts afresh).
func (s *Store) SetArchiveCursor(account string, c ArchiveCursor) error {
	return s.write(func(tx *sql.Tx) error {
		var err error
		if c.ID == "" {
			_, err = tx.Exec(`DELETE FROM archive_cursor WHERE account = ?`, account)
		} else {
			_, err = tx.Exec(`INSERT INTO archive_cursor(account, last_id, stamp, updated) VALUES(?, ?, ?, ?)
				ON CONFLICT(account) DO UPDATE SET last_id = excluded.last_id, stamp = excluded.stamp,
				updated = excluded.updated`,
				account, c.ID, nanos(c.Stamp), nanos(time.Now()))
		}
		if err != nil {
			return fmt.Errorf("history: SetArchiveCursor: %w", err)
		}
		return nil
	})
}
