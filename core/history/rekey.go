package history

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/causerie/causerie/core/xmpp"
)

// jidKey is the key form of a stored address: its RFC 7622 normalisation
// (what core now files under), or the address unchanged when it does not
// parse, since nothing better can be said of it.
func jidKey(s string) string {
	j, err := xmpp.ParseJID(s)
	if err != nil {
		return s
	}
	return j.String()
}

// rekeyJIDs is migration 8. Addresses used to be keyed lower-cased only;
// since the JID type they are keyed by their RFC 7622 form. A key written
// otherwise (a full-width or decomposed localpart, a punycode domain) would
// no longer be found, so it is rewritten; where two keys become one, their
// rows are merged:
//   - accounts: the conversations of the merged account move to the one kept;
//   - conversations: the messages move, a message stored in both (same
//     origin-id, or same stanza-id from the server) is kept once, the
//     search index follows, and the read mark is the older of the two
//     (see mergedMark), so nothing unread becomes read;
//   - subscription requests: the newest is kept;
//   - roster caches: the one already under the normal key is kept;
//   - cached avatars: forgotten, and fetched again under the new key.
//
// Keys already in normal form, which includes every ASCII address, are not
// touched.
func rekeyJIDs(tx *sql.Tx) error {
	moved, err := rekeyAccounts(tx)
	if err != nil {
		return fmt.Errorf("accounts: %w", err)
	}
	if err := rekeyConversations(tx, moved); err != nil {
		return fmt.Errorf("conversations: %w", err)
	}
	for from := range moved {
		if _, err := tx.Exec(`DELETE FROM accounts WHERE id = ?`, from); err != nil {
			return fmt.Errorf("accounts: %w", err)
		}
	}
	if err := rekeyRequests(tx); err != nil {
		return fmt.Errorf("requests: %w", err)
	}
	if err := rekeyKeyed(tx, "roster", "account"); err != nil {
		return fmt.Errorf("roster: %w", err)
	}
	if err := forgetAvatars(tx); err != nil {
		return fmt.Errorf("avatars: %w", err)
	}
	return nil
}

// stale returns the rows of a (id, key) query whose key is not in normal
// form, with the normal form. The rows are read in full before the caller
// changes the table.
func stale(tx *sql.Tx, query string) (ids []int64, keys, normal []string, err error) {
	rows, err := tx.Query(query)
	if err != nil {
		return nil, nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var k string
		if err := rows.Scan(&id, &k); err != nil {
			return nil, nil, nil, err
		}
		if n := jidKey(k); n != k {
			ids, keys, normal = append(ids, id), append(keys, k), append(normal, n)
		}
	}
	return ids, keys, normal, rows.Err()
}

// rekeyAccounts renames the accounts whose key is not in normal form and
// returns those that must merge into another (old id → kept id).
func rekeyAccounts(tx *sql.Tx) (map[int64]int64, error) {
	ids, _, normal, err := stale(tx, `SELECT id, jid FROM accounts ORDER BY id`)
	if err != nil {
		return nil, err
	}
	moved := map[int64]int64{}
	for i, id := range ids {
		var kept int64
		err := tx.QueryRow(`SELECT id FROM accounts WHERE jid = ?`, normal[i]).Scan(&kept)
		switch {
		case err == nil:
			moved[id] = kept
		case errors.Is(err, sql.ErrNoRows):
			if _, err := tx.Exec(`UPDATE accounts SET jid = ? WHERE id = ?`, normal[i], id); err != nil {
				return nil, err
			}
		default:
			return nil, err
		}
	}
	return moved, nil
}

// rekeyConversations gives every conversation its normal key under its
// (possibly merged) account, merging the ones that then share a key.
func rekeyConversations(tx *sql.Tx, movedAccounts map[int64]int64) error {
	type conv struct {
		id, account int64
		peer        string
	}
	var convs []conv
	rows, err := tx.Query(`SELECT id, account_id, peer FROM conversations ORDER BY id`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var c conv
		if err := rows.Scan(&c.id, &c.account, &c.peer); err != nil {
			rows.Close()
			return err
		}
		convs = append(convs, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, c := range convs {
		account, peer := c.account, jidKey(c.peer)
		if to, ok := movedAccounts[account]; ok {
			account = to
		}
		if account == c.account && peer == c.peer {
			continue
		}
		var into int64
		err := tx.QueryRow(`SELECT id FROM conversations WHERE account_id = ? AND peer = ?`, account, peer).Scan(&into)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if _, err := tx.Exec(`UPDATE conversations SET account_id = ?, peer = ? WHERE id = ?`, account, peer, c.id); err != nil {
				return err
			}
			if account != c.account {
				if err := reindex(tx, c.id, account, `SELECT id FROM messages WHERE conv = ?`, c.id); err != nil {
					return err
				}
			}
		case err != nil:
			return err
		default:
			if err := mergeConversation(tx, c.id, into, account); err != nil {
				return err
			}
		}
	}
	return nil
}

// mergeConversation moves the messages of conversation from into
// conversation into (of account) and deletes from.
func mergeConversation(tx *sql.Tx, from, into, account int64) error {
	// The search index is keyed by conversation: take the moving rows
	// out of it, and put back those that moved.
	var ids []int64
	rows, err := tx.Query(`SELECT id FROM messages WHERE conv = ?`, from)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if _, err := tx.Exec(`DELETE FROM messages_fts WHERE rowid IN (SELECT chrono FROM messages WHERE conv = ?)`, from); err != nil {
		return err
	}
	mark, haveMark, err := mergedMark(tx, from, into)
	if err != nil {
		return err
	}
	// OR IGNORE leaves behind the rows the unique indexes refuse: those
	// already stored in the conversation kept.
	if _, err := tx.Exec(`UPDATE OR IGNORE messages SET conv = ? WHERE conv = ?`, into, from); err != nil {
		return err
	}
	if _, err := tx.Exec(`DELETE FROM messages WHERE conv = ?`, from); err != nil {
		return err
	}
	for _, id := range ids {
		if err := reindex(tx, into, account, `SELECT id FROM messages WHERE id = ? AND conv = ?`, id, into); err != nil {
			return err
		}
	}
	if haveMark {
		if _, err := tx.Exec(`INSERT INTO read_marks(conv, last_id) VALUES(?, ?)
			ON CONFLICT (conv) DO UPDATE SET last_id = excluded.last_id`, into, mark); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(`UPDATE conversations SET count = (SELECT COUNT(*) FROM messages WHERE conv = ?1) WHERE id = ?1`, into); err != nil {
		return err
	}
	_, err = tx.Exec(`DELETE FROM conversations WHERE id = ?`, from)
	return err
}

// mergedMark is the read mark of conversations from and into once
// merged: one mark cannot say "up to X here, nothing there", so it is the
// older of the two, and nothing unread becomes read. A conversation never
// marked has read nothing: its mark is just below its first message. ok is
// false when neither has a message.
func mergedMark(tx *sql.Tx, from, into int64) (mark int64, ok bool, err error) {
	for _, conv := range []int64{from, into} {
		var m sql.NullInt64
		err := tx.QueryRow(`SELECT COALESCE((SELECT last_id FROM read_marks WHERE conv = ?1),
			(SELECT MIN(id) - 1 FROM messages WHERE conv = ?1))`, conv).Scan(&m)
		if err != nil {
			return 0, false, err
		}
		if m.Valid && (!ok || m.Int64 < mark) {
			mark, ok = m.Int64, true
		}
	}
	return mark, ok, nil
}

// reindex rewrites the search index entries of the messages that query
// selects, now in conversation conv of account.
func reindex(tx *sql.Tx, conv, account int64, query string, args ...any) error {
	tokens := convIDs{conv: conv, account: account}.ftsTokens()
	_, err := tx.Exec(`DELETE FROM messages_fts WHERE rowid IN (SELECT chrono FROM messages WHERE id IN (`+query+`))`, args...)
	if err != nil {
		return err
	}
	_, err = tx.Exec(`INSERT INTO messages_fts(rowid, body, subject, conv)
		SELECT chrono, body, subject, ? FROM messages
		WHERE id IN (`+query+`) AND (body <> '' OR subject <> '')`, append([]any{tokens}, args...)...)
	return err
}

// rekeyRequests rewrites the subscription requests whose account or
// sender is not in normal form, keeping the newest of those that merge.
func rekeyRequests(tx *sql.Tx) error {
	type req struct {
		account, from, msg string
		at                 int64
	}
	var reqs []req
	rows, err := tx.Query(`SELECT account, from_jid, message, at FROM requests`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var r req
		if err := rows.Scan(&r.account, &r.from, &r.msg, &r.at); err != nil {
			rows.Close()
			return err
		}
		reqs = append(reqs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range reqs {
		account, from := jidKey(r.account), jidKey(r.from)
		if account == r.account && from == r.from {
			continue
		}
		if _, err := tx.Exec(`DELETE FROM requests WHERE account = ? AND from_jid = ?`, r.account, r.from); err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO requests(account, from_jid, message, at) VALUES(?, ?, ?, ?)
			ON CONFLICT (account, from_jid) DO UPDATE SET message = excluded.message, at = excluded.at
			WHERE excluded.at > requests.at`, account, from, r.msg, r.at); err != nil {
			return err
		}
	}
	return nil
}

// rekeyKeyed rewrites the key column of table (its primary key), keeping
// the row already under the normal key when there is one.
func rekeyKeyed(tx *sql.Tx, table, column string) error {
	ids, _, normal, err := stale(tx, `SELECT rowid, `+column+` FROM `+table+` ORDER BY rowid`)
	if err != nil {
		return err
	}
	for i, id := range ids {
		if _, err := tx.Exec(`UPDATE OR IGNORE `+table+` SET `+column+` = ? WHERE rowid = ?`, normal[i], id); err != nil {
			return err
		}
		if _, err := tx.Exec(`DELETE FROM `+table+` WHERE rowid = ? AND `+column+` <> ?`, id, normal[i]); err != nil {
			return err
		}
	}
	return nil
}

// forgetAvatars deletes the cached avatars not under a normal key: a cache,
// fetched again when the contact is next seen.
func forgetAvatars(tx *sql.Tx) error {
	ids, _, _, err := stale(tx, `SELECT rowid, jid FROM avatars`)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := tx.Exec(`DELETE FROM avatars WHERE rowid = ?`, id); err != nil {
			return err
		}
	}
	return nil
}
