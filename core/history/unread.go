package history

import (
	"database/sql"
	"errors"
	"fmt"
)

// MarkRead records that the user has read conversation (account, peer) up
// to its newest message.
func (s *Store) MarkRead(account, peer string) error {
	return s.write(func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO read_marks (conv, last_id)
			SELECT c.id, COALESCE((SELECT MAX(id) FROM messages WHERE conv = c.id), 0)
			FROM conversations c JOIN accounts a ON a.id = c.account_id
			WHERE a.jid = ? AND c.peer = ?
			ON CONFLICT (conv) DO UPDATE SET last_id = excluded.last_id`, account, peer)
		if err != nil {
			return fmt.Errorf("history: MarkRead: %w", err)
		}
		return nil
	})
}

// Unread counts, by peer, an account's incoming messages (not errors)
// newer than what the user has read.
func (s *Store) Unread(account string) (map[string]int, error) {
	rows, err := s.r.Query(`SELECT c.peer, COUNT(*) FROM messages m
		JOIN conversations c ON c.id = m.conv
		JOIN accounts a ON a.id = c.account_id
		LEFT JOIN read_marks r ON r.conv = c.id
		WHERE a.jid = ? AND m.direction = ? AND m.type <> 'error' AND m.id > COALESCE(r.last_id, 0)
		GROUP BY c.peer`, account, In)
	if err != nil {
		return nil, fmt.Errorf("history: Unread: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var peer string
		var n int
		if err := rows.Scan(&peer, &n); err != nil {
			return nil, fmt.Errorf("history: Unread: %w", err)
		}
		out[peer] = n
	}
	return out, rows.Err()
}

// MarkReadUpTo records that the user has read conversation (account,
// peer) up to the peer's message with this id (origin-id, or id attribute
// for a message without one), as another of the user's devices said
// (XEP-0333 marker): messages stored after it stay unread. It reports
// whether that moved the read mark (false when the message is unknown
// or was read already).
func (s *Store) MarkReadUpTo(account, peer, id string) (bool, error) {
	if id == "" {
		return false, nil
	}
	_, moved, err := s.markReadAtRow("MarkReadUpTo", `SELECT conv, id FROM messages WHERE id = (`+byIDSQL+`)`, account, peer, In, id)
	return moved, err
}

// MarkReadAt records that the user has read the conversation of message
// msg (a row id) up to it: one of ours that another device of the user's
// sent, in a conversation they read there. It reports whether that moved
// the read mark.
func (s *Store) MarkReadAt(msg int64) (bool, error) {
	_, moved, err := s.markReadAtRow("MarkReadAt", `SELECT conv, id FROM messages WHERE id = ?`, msg)
	return moved, err
}

// markReadAtRow moves the read mark of a conversation forward to the
// message query selects (its conv and id); found is false when it
// selects none.
func (s *Store) markReadAtRow(op, query string, args ...any) (found, moved bool, err error) {
	err = s.write(func(tx *sql.Tx) error {
		var conv, msg int64
		err := tx.QueryRow(query, args...).Scan(&conv, &msg)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		found = true
		moved, err = readTo(tx, conv, msg)
		return err
	})
	if err != nil {
		return false, false, fmt.Errorf("history: %s: %w", op, err)
	}
	return found, moved, nil
}

// readTo moves the read mark of conversation conv forward to message msg.
func readTo(tx *sql.Tx, conv, msg int64) (bool, error) {
	res, err := tx.Exec(`INSERT INTO read_marks (conv, last_id) VALUES (?1, ?2)
		ON CONFLICT (conv) DO UPDATE SET last_id = excluded.last_id WHERE last_id < excluded.last_id`, conv, msg)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// MarkReadUpToStanzaID records that the user has read conversation
// (account, peer) up to the peer's message our server gave this
// stanza-id (XEP-0490: another device's displayed state). found is false
// when no such message is stored (yet); moved, when the read mark moved.
func (s *Store) MarkReadUpToStanzaID(account, peer, stanzaID string) (found, moved bool, err error) {
	if stanzaID == "" {
		return false, false, nil
	}
	return s.markReadAtRow("MarkReadUpToStanzaID", `SELECT conv, id FROM messages WHERE conv = (`+convSub+`)
		AND direction = ?3 AND stanza_id = ?4 AND stanza_id <> ''`, account, peer, In, stanzaID)
}
