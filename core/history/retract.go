package history

import (
	"database/sql"
	"fmt"
	"slices"
	"strings"
)

// Retract takes back the message of conversation (account, peer) named
// target (its stanza-id, origin-id or id attribute), when may says its
// sender is the one asking (XEP-0424 §6: the same bare JID, or in a
// room the same occupant): its text, subject, file, quotation and
// earlier versions are deleted, it leaves the search index, and it stays
// as a tombstone (Retracted). found is false when no such message is
// stored (yet); done is false when may refused or it was retracted
// already. moderated: a room's moderator took it back (XEP-0425). m is
// the message as stored after. Of several messages named
// target (anyone can reuse an id), the newest that may accepts is the
// one. The replies to it lose their quotation of it.
func (s *Store) Retract(account, peer, target string, may func(Message) bool, moderated bool) (m Message, found, done bool, err error) {
	cands, err := s.referenced(account, peer, target, 8)
	if err != nil || len(cands) == 0 {
		return Message{}, false, false, err
	}
	i := slices.IndexFunc(cands, may)
	if i < 0 {
		return cands[0], true, false, nil
	}
	if m = cands[i]; m.Retracted {
		return m, true, false, nil
	}
	err = s.write(func(tx *sql.Tx) error {
		var chrono int64
		if err := tx.QueryRow(`SELECT chrono FROM messages WHERE id = ?`, m.ID).Scan(&chrono); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE messages SET body = '', rich = '', subject = '', oob = '', file = '', file_size = 0,
			reply_quote = '', corrected = 0, retracted = ? WHERE id = ?`, retractedBy(moderated), m.ID); err != nil {
			return err
		}
		if _, err := tx.Exec(`DELETE FROM edits WHERE message = ?`, m.ID); err != nil {
			return err
		}
		if _, err := tx.Exec(`DELETE FROM messages_fts WHERE rowid = ?`, chrono); err != nil {
			return err
		}
		// What replies quoted of it goes too.
		var ids []any
		for _, id := range []string{m.StanzaID, m.OriginID, m.WireID} {
			if id != "" {
				ids = append(ids, id)
			}
		}
		if len(ids) == 0 {
			return nil
		}
		_, err := tx.Exec(`UPDATE messages SET reply_quote = '' WHERE conv = (SELECT conv FROM messages WHERE id = ?)
			AND reply_id IN (?`+strings.Repeat(",?", len(ids)-1)+`)`, append([]any{m.ID}, ids...)...)
		return err
	})
	if err != nil {
		return m, true, false, fmt.Errorf("history: Retract: %w", err)
	}
	m.Body, m.Rich, m.Subject, m.OOB, m.File, m.FileSize, m.ReplyQuote = "", "", "", "", "", 0, ""
	m.Corrected, m.Retracted, m.Moderated = false, true, moderated
	return m, true, true, nil
}

// retractedBy is the retracted column's value: 1 by the sender, 2 by a
// room's moderator.
func retractedBy(moderated bool) int {
	if moderated {
		return 2
	}
	return 1
}
