package history

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// MaxReactedPerSender is how many messages of a conversation one sender's
// reactions are kept for.
const MaxReactedPerSender = 10000

// Reaction is one sender's reactions (XEP-0444) to a message.
type Reaction struct {
	// Sender is who reacted: a contact's bare JID, our own bare JID,
	// or in a room the occupant's id (XEP-0421) or nick.
	Sender string
	// Emojis are the reactions, in the order sent.
	Emojis []string
	// At is when they were sent.
	At time.Time
}

// SetReactions records sender's reactions to the message of conversation
// (account, peer) named target, sent at at: they replace what the sender
// said before, unless that was sent later (the archive brings old sets
// after new ones). No emojis takes them back. changed reports whether
// what is kept changed. A conversation with no message has nothing to
// react to: nothing is kept.
func (s *Store) SetReactions(account, peer, target, sender string, emojis []string, at time.Time) (changed bool, err error) {
	if target == "" {
		return false, nil
	}
	list := strings.Join(emojis, "\n")
	err = s.write(func(tx *sql.Tx) error {
		ids, _, ok, err := s.conv(tx, account, peer, false)
		if err != nil || !ok {
			return err
		}
		var old string
		var oldAt int64
		err = tx.QueryRow(`SELECT emojis, at FROM reactions WHERE conv = ? AND target = ? AND sender = ?`,
			ids.conv, target, sender).Scan(&old, &oldAt)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if list == "" {
				return nil // nothing to take back
			}
			// A sender cannot fill the database with reactions to
			// made-up messages.
			var n int
			if err := tx.QueryRow(`SELECT count(*) FROM reactions WHERE conv = ? AND sender = ?`, ids.conv, sender).Scan(&n); err != nil {
				return err
			}
			if n >= MaxReactedPerSender {
				return nil
			}
		case err != nil:
			return err
		case oldAt > nanos(at) || old == list && oldAt == nanos(at):
			return nil
		}
		if _, err := tx.Exec(`INSERT INTO reactions(conv, target, sender, emojis, at) VALUES(?,?,?,?,?)
			ON CONFLICT(conv, target, sender) DO UPDATE SET emojis = excluded.emojis, at = excluded.at`,
			ids.conv, target, sender, list, nanos(at)); err != nil {
			return err
		}
		changed = old != list
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("history: SetReactions: %w", err)
	}
	return changed, nil
}

// Reactions returns the reactions to the messages of conversation
// (account, peer) named by targets, by target, each sender's in the
// order they first reacted; senders who took theirs back are left out.
func (s *Store) Reactions(account, peer string, targets []string) (map[string][]Reaction, error) {
	out := map[string][]Reaction{}
	if len(targets) == 0 {
		return out, nil
	}
	var conv int64
	err := s.r.QueryRow(convSub, account, peer).Scan(&conv)
	if errors.Is(err, sql.ErrNoRows) {
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("history: Reactions: %w", err)
	}
	// In chunks: SQLite bounds the parameters of one statement.
	const chunk = 500
	for start := 0; start < len(targets); start += chunk {
		part := targets[start:min(start+chunk, len(targets))]
		args := make([]any, 0, len(part)+1)
		args = append(args, conv)
		for _, t := range part {
			args = append(args, t)
		}
		rows, err := s.r.Query(`SELECT target, sender, emojis, at FROM reactions WHERE conv = ? AND emojis <> ''
			AND target IN (?`+strings.Repeat(",?", len(part)-1)+`) ORDER BY at, sender`, args...)
		if err != nil {
			return nil, fmt.Errorf("history: Reactions: %w", err)
		}
		for rows.Next() {
			var target, sender, emojis string
			var at int64
			if err := rows.Scan(&target, &sender, &emojis, &at); err != nil {
				rows.Close()
				return nil, fmt.Errorf("history: Reactions: %w", err)
			}
			out[target] = append(out[target], Reaction{Sender: sender, Emojis: strings.Split(emojis, "\n"), At: fromNanos(at)})
		}
		if err := rows.Close(); err != nil {
			return nil, fmt.Errorf("history: Reactions: %w", err)
		}
	}
	return out, nil
}
