package history

import (
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ArchiveCursor returns the archive id (XEP-0313) of the last message of
// account's server archive that a catch-up stored, "" when none has.
func (s *Store) ArchiveCursor(account string) (string, error) {
	var id string
	err := s.r.QueryRow(`SELECT last_id FROM archive_cursor WHERE account = ?`, account).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("history: ArchiveCursor: %w", err)
	}
	return id, nil
}

// SetArchiveCursor records id as the last message of account's archive
// stored; "" forgets it (the next catch-up starts afresh).
func (s *Store) SetArchiveCursor(account, id string) error {
	return s.write(func(tx *sql.Tx) error {
		var err error
		if id == "" {
			_, err = tx.Exec(`DELETE FROM archive_cursor WHERE account = ?`, account)
		} else {
			_, err = tx.Exec(`INSERT INTO archive_cursor(account, last_id, updated) VALUES(?, ?, ?)
				ON CONFLICT(account) DO UPDATE SET last_id = excluded.last_id, updated = excluded.updated`,
				account, id, nanos(time.Now()))
		}
		if err != nil {
			return fmt.Errorf("history: SetArchiveCursor: %w", err)
		}
		return nil
	})
}
