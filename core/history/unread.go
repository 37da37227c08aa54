package history

import (
	"database/sql"
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
