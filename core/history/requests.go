package history

import (
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// AddRequest records a pending incoming subscription request from r.From. A
// second request from the same JID replaces the first's message and time,
// unless it is older. A zero r.At means now.
func (s *Store) AddRequest(account string, r Request) error {
	if r.From == "" {
		return errors.New("history: AddRequest: empty From")
	}
	if r.At.IsZero() {
		r.At = time.Now()
	}
	return s.write(func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO requests(account, from_jid, message, at) VALUES(?, ?, ?, ?)
			ON CONFLICT(account, from_jid) DO UPDATE SET message = excluded.message, at = excluded.at
			WHERE excluded.at >= requests.at`, account, r.From, r.Message, nanos(r.At))
		if err != nil {
			return fmt.Errorf("history: AddRequest: %w", err)
		}
		return nil
	})
}

// Requests returns the pending subscription requests of account, oldest
// first.
func (s *Store) Requests(account string) ([]Request, error) {
	rows, err := s.r.Query(`SELECT from_jid, message, at FROM requests WHERE account = ?
		ORDER BY at, from_jid`, account)
	if err != nil {
		return nil, fmt.Errorf("history: Requests: %w", err)
	}
	defer rows.Close()
	var out []Request
	for rows.Next() {
		var r Request
		var at int64
		if err := rows.Scan(&r.From, &r.Message, &at); err != nil {
			return nil, fmt.Errorf("history: Requests: %w", err)
		}
		r.At = fromNanos(at)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("history: Requests: %w", err)
	}
	return out, nil
}

// RemoveRequest forgets the request from from (accepted, refused or
// withdrawn). Removing an unknown request is not an error.
func (s *Store) RemoveRequest(account, from string) error {
	return s.write(func(tx *sql.Tx) error {
		if _, err := tx.Exec(`DELETE FROM requests WHERE account = ? AND from_jid = ?`, account, from); err != nil {
			return fmt.Errorf("history: RemoveRequest: %w", err)
		}
		return nil
	})
}

// SaveRoster stores the roster cache of account: data is an opaque blob
// made by the caller, ver the XEP-0237 roster version it corresponds to.
func (s *Store) SaveRoster(account, ver string, data []byte) error {
	if data == nil {
		data = []byte{}
	}
	return s.write(func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO roster(account, ver, data) VALUES(?, ?, ?)
			ON CONFLICT(account) DO UPDATE SET ver = excluded.ver, data = excluded.data`, account, ver, data)
		if err != nil {
			return fmt.Errorf("history: SaveRoster: %w", err)
		}
		return nil
	})
}

// LoadRoster returns the roster cache of account, or ("", nil, nil) when
// there is none.
func (s *Store) LoadRoster(account string) (ver string, data []byte, err error) {
	err = s.r.QueryRow(`SELECT ver, data FROM roster WHERE account = ?`, account).Scan(&ver, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, nil
	}
	if err != nil {
		return "", nil, fmt.Errorf("history: LoadRoster: %w", err)
	}
	if data == nil {
		data = []byte{}
	}
	return ver, data, nil
}
