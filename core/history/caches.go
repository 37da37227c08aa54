package history

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Caches kept next to the history: other clients' verified capabilities
// (XEP-0115, shared by every entity advertising the same verification
// string) and avatars by bare JID (shared by every account that sees the
// contact). Neither belongs to an account, so DeleteAccount keeps them.

// SaveCaps records a verified disco#info result for (hash, ver); info is
// an opaque serialisation made by the caller.
func (s *Store) SaveCaps(hash, ver string, info []byte) error {
	if info == nil {
		info = []byte{}
	}
	return s.write(func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO caps(hash, ver, info) VALUES(?, ?, ?)
			ON CONFLICT(hash, ver) DO UPDATE SET info = excluded.info`, hash, ver, info)
		if err != nil {
			return fmt.Errorf("history: SaveCaps: %w", err)
		}
		return nil
	})
}

// LoadCaps returns what SaveCaps stored for (hash, ver); ok is false when
// nothing was.
func (s *Store) LoadCaps(hash, ver string) (info []byte, ok bool, err error) {
	err = s.r.QueryRow(`SELECT info FROM caps WHERE hash = ? AND ver = ?`, hash, ver).Scan(&info)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, s.readErr("LoadCaps", err)
	}
	if info == nil {
		info = []byte{}
	}
	return info, true, nil
}

// SaveAvatar records the avatar of jid (a bare JID, compared without case):
// data with its SHA-1 hash (hex), or hash "" and no data when jid is known
// to have no avatar.
func (s *Store) SaveAvatar(jid, hash string, data []byte) error {
	if data == nil {
		data = []byte{}
	}
	return s.write(func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO avatars(jid, hash, data, updated) VALUES(?, ?, ?, ?)
			ON CONFLICT(jid) DO UPDATE SET hash = excluded.hash, data = excluded.data, updated = excluded.updated`,
			strings.ToLower(jid), hash, data, time.Now().UnixNano())
		if err != nil {
			return fmt.Errorf("history: SaveAvatar: %w", err)
		}
		return nil
	})
}

// Avatar returns what SaveAvatar stored for jid; ok is false when nothing
// is known (hash "" with ok true means: no avatar).
func (s *Store) Avatar(jid string) (hash string, data []byte, ok bool, err error) {
	err = s.r.QueryRow(`SELECT hash, data FROM avatars WHERE jid = ?`, strings.ToLower(jid)).Scan(&hash, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, false, nil
	}
	if err != nil {
		return "", nil, false, s.readErr("Avatar", err)
	}
	if len(data) == 0 {
		data = nil
	}
	return hash, data, true, nil
}

// StoredAvatar is what SaveAvatar stored for a JID: Hash "" and no Data
// when it is known to have no avatar.
type StoredAvatar struct {
	Hash string
	Data []byte
}

// AvatarsOf returns what SaveAvatar stored for each of jids that has an
// entry, by the JID as given, in one query (a start reads the avatars of
// a whole roster). A JID that is not valid UTF-8 matches nothing.
func (s *Store) AvatarsOf(jids []string) (map[string]StoredAvatar, error) {
	given := make(map[string][]string, len(jids))
	keys := make([]string, 0, len(jids))
	for _, j := range jids {
		k := strings.ToLower(j)
		if given[k] == nil {
			keys = append(keys, k)
		}
		given[k] = append(given[k], j)
	}
	out := map[string]StoredAvatar{}
	if len(keys) == 0 {
		return out, nil
	}
	list, err := json.Marshal(keys)
	if err != nil {
		return nil, fmt.Errorf("history: AvatarsOf: %w", err)
	}
	rows, err := s.r.Query(`SELECT jid, hash, data FROM avatars WHERE jid IN (SELECT value FROM json_each(?))`, string(list))
	if err != nil {
		return nil, s.readErr("AvatarsOf", err)
	}
	defer rows.Close()
	for rows.Next() {
		var jid string
		var a StoredAvatar
		if err := rows.Scan(&jid, &a.Hash, &a.Data); err != nil {
			return nil, s.readErr("AvatarsOf", err)
		}
		if len(a.Data) == 0 {
			a.Data = nil
		}
		for _, j := range given[jid] {
			out[j] = a
		}
	}
	if err := rows.Err(); err != nil {
		return nil, s.readErr("AvatarsOf", err)
	}
	return out, nil
}

// readErr wraps a read's error; after Close it is ErrClosed.
func (s *Store) readErr(op string, err error) error {
	s.wmu.Lock()
	closed := s.closed
	s.wmu.Unlock()
	if closed {
		return ErrClosed
	}
	return fmt.Errorf("history: %s: %w", op, err)
}
