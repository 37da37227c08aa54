package history

import (
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path"
	"strings"
	"time"
)

// msgCols is the column list scanned by scanMessage; queries alias messages
// as m, conversations as c and accounts as a.
const msgCols = `m.id, a.jid, c.peer, m.resource, m.direction, m.type, m.body, m.subject, m.thread, m.rich,
	m.origin_id, m.stanza_id, m.wire_id, m.sent, m.received, m.state, m.error, m.corrected, m.markable, m.occupant, m.oob, m.file, m.file_size,
	m.reply_id, m.reply_to, m.reply_quote, m.retracted > 0, m.retracted = 2, m.encryption, m.undecrypted`

// convMsgCols is msgCols for queries of one conversation, whose account and
// peer are the parameters ?1 and ?2.
const convMsgCols = `m.id, ?1, ?2, m.resource, m.direction, m.type, m.body, m.subject, m.thread, m.rich,
	m.origin_id, m.stanza_id, m.wire_id, m.sent, m.received, m.state, m.error, m.corrected, m.markable, m.occupant, m.oob, m.file, m.file_size,
	m.reply_id, m.reply_to, m.reply_quote, m.retracted > 0, m.retracted = 2, m.encryption, m.undecrypted`

type scanner interface{ Scan(dest ...any) error }

func scanMessage(sc scanner) (Message, error) {
	var m Message
	var sent, recv int64
	err := sc.Scan(&m.ID, &m.Account, &m.Peer, &m.Resource, &m.Direction, &m.Type, &m.Body, &m.Subject,
		&m.Thread, &m.Rich, &m.OriginID, &m.StanzaID, &m.WireID, &sent, &recv, &m.State, &m.Error, &m.Corrected, &m.Markable, &m.OccupantID, &m.OOB, &m.File, &m.FileSize,
		&m.ReplyID, &m.ReplyTo, &m.ReplyQuote, &m.Retracted, &m.Moderated, &m.Encryption, &m.Undecrypted)
	m.Sent, m.Received = fromNanos(sent), fromNanos(recv)
	return m, err
}

// collect scans all rows; reverse returns them in the opposite order.
func collect(rows *sql.Rows, reverse bool) ([]Message, error) {
	defer rows.Close()
	var out []Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, fmt.Errorf("history: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	if reverse {
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	}
	return out, nil
}

// conv returns the ids of (account, peer), creating the rows if create is
// set; ok is false when they do not exist and create is not set. The caller
// holds wmu and runs inside tx; newly created ids are reported through fresh
// so that the caller caches them only once tx commits.
func (s *Store) conv(tx *sql.Tx, account, peer string, create bool) (ids convIDs, fresh, ok bool, err error) {
	key := convKey{account, peer}
	if ids, ok := s.convs[key]; ok {
		return ids, false, true, nil
	}
	err = tx.Stmt(s.selConv).QueryRow(account, peer).Scan(&ids.conv, &ids.account)
	if err == nil {
		s.convs[key] = ids // committed row: safe to cache now
		return ids, false, true, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return ids, false, false, err
	}
	if !create {
		return ids, false, false, nil
	}
	if _, err = tx.Exec(`INSERT INTO accounts(jid) VALUES(?) ON CONFLICT(jid) DO NOTHING`, account); err != nil {
		return ids, false, false, err
	}
	if err = tx.QueryRow(`SELECT id FROM accounts WHERE jid = ?`, account).Scan(&ids.account); err != nil {
		return ids, false, false, err
	}
	if err = tx.QueryRow(`INSERT INTO conversations(account_id, peer) VALUES(?, ?) RETURNING id`,
		ids.account, peer).Scan(&ids.conv); err != nil {
		return ids, false, false, err
	}
	return ids, true, true, nil
}

// prepare checks a message to store and fills its default times.
func (m *Message) prepare(op string) error {
	if m.Account == "" || m.Peer == "" {
		return fmt.Errorf("history: %s: empty account or peer", op)
	}
	if m.Direction != In && m.Direction != Out {
		return fmt.Errorf("history: %s: invalid direction %d", op, m.Direction)
	}
	if m.Received.IsZero() {
		m.Received = time.Now()
	}
	if m.Sent.IsZero() {
		m.Sent = m.Received
	}
	return nil
}

// Add stores m and sets m.ID (and m.Received to now if it is zero; m.Sent
// defaults to m.Received). If the message is already stored (see
// ErrDuplicate), Add returns ErrDuplicate and sets m.ID to the stored row.
func (s *Store) Add(m *Message) error {
	if err := m.prepare("Add"); err != nil {
		return err
	}
	var (
		ids   convIDs
		fresh bool
		id    int64
		dup   bool
	)
	err := s.write(func(tx *sql.Tx) error {
		var err error
		ids, fresh, _, err = s.conv(tx, m.Account, m.Peer, true)
		if err != nil {
			return fmt.Errorf("history: Add: %w", err)
		}
		var idx indexer
		if id, dup, err = s.insert(tx, ids, m, &idx); err != nil {
			return err
		}
		return idx.flush(s, tx)
	}, func() {
		if fresh {
			s.convs[convKey{m.Account, m.Peer}] = ids
		}
	})
	if err != nil {
		return err
	}
	m.ID = id
	if dup {
		return ErrDuplicate
	}
	return nil
}

// A Burst is a group of writes committed together by Store.Commit, in one
// transaction (one fsync) instead of one each: what a connection received
// in one go. Adds are stored as Add stores them, in order; Moves advance
// delivery states as Advance does.
type Burst struct {
	Adds  []*Message
	Moves []Move

	// Refetchable says the server keeps all of the burst, so that it is
	// read again if lost: an archive page, whose cursor moves only after
	// it is stored. Such a burst is committed without waiting for the
	// disk (synchronous=NORMAL, a third of a page's cost): a crash of
	// the app cannot undo it, a power loss can, and any later commit
	// makes it durable with its own.
	Refetchable bool

	// Set by Commit: Dup[i] says Adds[i] was already stored (ErrDuplicate
	// for Add; earlier Adds of the burst included), Moved[i] that
	// Moves[i] changed the state.
	Dup   []bool
	Moved []bool
}

// Move is a delivery state change for Advance or a Burst.
type Move struct {
	ID     int64
	State  State
	Reason string // Message.Error, for StateError
	// StanzaID, when set, is the id a room gave our message (XEP-0359,
	// learnt from its reflection): replies in the room name it so. It is
	// kept whether or not the state moves.
	StanzaID string
}

// Commit stores a burst, setting the IDs and defaults of its messages and
// its Dup and Moved results. Any error other than a duplicate stores
// nothing of it.
func (s *Store) Commit(b *Burst) error {
	for _, m := range b.Adds {
		if err := m.prepare("Commit"); err != nil {
			return err
		}
	}
	dup := make([]bool, len(b.Adds))
	ids := make([]int64, len(b.Adds))
	moved := make([]bool, len(b.Moves))
	created := map[convKey]convIDs{} // by this transaction: cached once it commits
	err := s.writeSync(!b.Refetchable, func(tx *sql.Tx) error {
		clear(created)
		var idx indexer
		for i, m := range b.Adds {
			key := convKey{m.Account, m.Peer}
			cids, ok := created[key]
			if !ok {
				var isNew bool
				var err error
				if cids, isNew, _, err = s.conv(tx, m.Account, m.Peer, true); err != nil {
					return fmt.Errorf("history: Commit: %w", err)
				}
				if isNew {
					created[key] = cids
				}
			}
			var err error
			if ids[i], dup[i], err = s.insert(tx, cids, m, &idx); err != nil {
				return err
			}
		}
		if err := idx.flush(s, tx); err != nil {
			return err
		}
		for i, mv := range b.Moves {
			var err error
			if moved[i], err = advance(tx, mv); err != nil {
				return fmt.Errorf("history: Commit: %w", err)
			}
		}
		return nil
	}, func() {
		for k, v := range created {
			s.convs[k] = v
		}
	})
	if err != nil {
		return err
	}
	for i, m := range b.Adds {
		m.ID = ids[i]
	}
	b.Dup, b.Moved = dup, moved
	return nil
}

// Advance moves message id to mv.State only forward (StatePending, Sent,
// Acked, then Delivered and StateRead) and reports whether the state
// changed. The server's ack or a receipt may come before "sent" is
// recorded; it then stays. StateError comes after Acked, but not after
// Delivered or Read, and a receipt or a displayed marker moves a failed
// message on: a message to an account's bare address reaches one of its
// devices while the server bounces the copy a dying session of another
// held, and what the recipient confirmed got there.
func (s *Store) Advance(mv Move) (changed bool, err error) {
	err = s.write(func(tx *sql.Tx) error {
		changed, err = advance(tx, mv)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("history: Advance: %w", err)
	}
	return changed, nil
}

func advance(tx *sql.Tx, mv Move) (bool, error) {
	if mv.StanzaID != "" {
		if _, err := tx.Exec(`UPDATE messages SET stanza_id = ? WHERE id = ? AND direction = ? AND stanza_id = ''`,
			mv.StanzaID, mv.ID, Out); err != nil {
			return false, err
		}
	}
	res, err := tx.Exec(`UPDATE messages SET state = ?2, error = ?3 WHERE id = ?1 AND CASE
		WHEN ?2 = ?4 THEN state < ?5       -- failed: unless confirmed
		WHEN state = ?4 THEN ?2 >= ?5      -- over a failure: only a confirmation
		ELSE state < ?2 END`, mv.ID, mv.State, mv.Reason, StateError, StateDelivered)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// Chrono keys: Sent in milliseconds since 1970 (clamped to 0..2^42-1, i.e.
// until 2109) in the high 42 bits, a sequence number among the messages of
// that millisecond in the low 21 bits. Keys are unique and ordered like
// (Sent, insertion order), which is (Sent, ID) up to sub-millisecond
// differences.
const (
	chronoSeqBits = 21
	chronoMaxMs   = 1<<42 - 1
)

func chronoBase(sent time.Time) int64 {
	ms := sent.UnixMilli()
	if ms < 0 || sent.IsZero() {
		ms = 0
	}
	if ms > chronoMaxMs {
		ms = chronoMaxMs
	}
	return ms << chronoSeqBits
}

// nextChrono returns a free chrono key for a message sent at sent.
func (s *Store) nextChrono(st *sql.Stmt, sent time.Time) (int64, error) {
	lo := chronoBase(sent)
	hi := lo | (1<<chronoSeqBits - 1)
	var max sql.NullInt64
	if err := st.QueryRow(lo, hi).Scan(&max); err != nil {
		return 0, err
	}
	if !max.Valid {
		return lo, nil
	}
	if max.Int64 == hi {
		return 0, errors.New("too many messages in one millisecond")
	}
	return max.Int64 + 1, nil
}

// insert adds m to conversation ids inside tx. It reports dup (with the
// stored id) when the unique indexes reject the row. Its text goes to the
// search index, and its conversation's count and latest message are
// updated, through idx, which the caller flushes before commit.
func (s *Store) insert(tx *sql.Tx, ids convIDs, m *Message, idx *indexer) (id int64, dup bool, err error) {
	st := idx.stmts(s, tx)
	if m.OriginID == "" && m.WireID != "" {
		// No origin-id: the same id from the same sender with the same
		// text is the same message delivered again; a different text
		// under a reused id is another message.
		err := st.findWire.QueryRow(ids.conv, m.Direction, m.WireID, m.Resource, m.Body, m.Subject).Scan(&id)
		if err == nil {
			return id, true, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return 0, false, fmt.Errorf("history: Add: %w", err)
		}
	}
	chrono, err := s.nextChrono(st.maxChrono, m.Sent)
	if err != nil {
		return 0, false, fmt.Errorf("history: Add: %w", err)
	}
	// Exec, not a query: database/sql runs a goroutine for each query's
	// rows inside a transaction, a tenth of an archive page's cost.
	res, err := st.insMsg.Exec(ids.conv, chrono, m.Resource, m.Direction, m.Type, m.Body, m.Subject, m.Thread,
		m.Rich, m.OriginID, m.StanzaID, m.WireID, nanos(m.Sent), nanos(m.Received), m.State, m.Error, m.Markable, m.OccupantID, m.OOB, m.File, m.FileSize,
		m.ReplyID, m.ReplyTo, m.ReplyQuote, m.Encryption, m.Undecrypted)
	if err != nil {
		return 0, false, fmt.Errorf("history: Add: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return 0, false, fmt.Errorf("history: Add: %w", err)
	} else if n == 0 {
		err = tx.Stmt(s.findDup).QueryRow(ids.conv, m.Direction, m.StanzaID, m.OriginID).Scan(&id)
		if err != nil {
			return 0, false, fmt.Errorf("history: Add: conflict without duplicate: %w", err)
		}
		return id, true, nil
	}
	if id, err = res.LastInsertId(); err != nil {
		return 0, false, fmt.Errorf("history: Add: %w", err)
	}
	if m.Body != "" || m.Subject != "" {
		idx.rows = append(idx.rows, indexRow{chrono, indexed(m.Body, m.OOB), m.Subject, ids})
	}
	idx.bump(ids.conv, nanos(m.Sent), id)
	return id, false, nil
}

// indexed is the text of a message the search index holds: its body,
// and the name of the file it carries (oob, XEP-0066), unescaped from
// its address, so that a file is found by its name; a body that is the
// file's address alone is its name.
func indexed(body, oob string) string {
	if oob == "" {
		return body
	}
	u, err := url.Parse(oob)
	if err != nil {
		return body
	}
	name := path.Base(u.Path)
	if name == "/" || name == "." {
		return body
	}
	if strings.TrimSpace(body) == oob {
		return name
	}
	return body + "\n" + name
}

// An indexer holds what a transaction's new messages change besides
// their rows until its last message is stored: their search index rows
// and their conversations' counts and latest messages.
//
// Each insert into messages opens a statement savepoint, and FTS5 writes
// its pending terms out to disk at every savepoint: indexed as they came,
// a page of 100 messages would write and merge index segments 100 times
// (a third of a page's cost); written at the end, once. A conversation
// is updated once a transaction, not once a message.
type indexer struct {
	rows  []indexRow
	convs map[int64]*convBump
	st    *txStmts
}

type indexRow struct {
	chrono        int64
	body, subject string
	ids           convIDs
}

// A convBump is what a transaction adds to a conversation: n messages,
// of which the latest (by sent, then by id) is id.
type convBump struct {
	n        int
	sent, id int64
}

// txStmts are the insert's statements, bound to one transaction once.
type txStmts struct {
	insMsg, maxChrono, findWire, insFTS, bumpConv *sql.Stmt
}

func (idx *indexer) stmts(s *Store, tx *sql.Tx) *txStmts {
	if idx.st == nil {
		idx.st = &txStmts{insMsg: tx.Stmt(s.insMsg), maxChrono: tx.Stmt(s.maxChrono), findWire: tx.Stmt(s.findWire),
			insFTS: tx.Stmt(s.insFTS), bumpConv: tx.Stmt(s.bumpConv)}
	}
	return idx.st
}

// bump counts message id, sent at sent, in conversation conv. Stored one
// after the other, a later message sent at the same time is the latest.
func (idx *indexer) bump(conv, sent, id int64) {
	if idx.convs == nil {
		idx.convs = make(map[int64]*convBump)
	}
	b := idx.convs[conv]
	if b == nil {
		idx.convs[conv] = &convBump{1, sent, id}
		return
	}
	b.n++
	if sent >= b.sent {
		b.sent, b.id = sent, id
	}
}

// flush indexes the rows held and updates their conversations, in tx.
func (idx *indexer) flush(s *Store, tx *sql.Tx) error {
	st := idx.stmts(s, tx)
	for _, r := range idx.rows {
		if _, err := st.insFTS.Exec(r.chrono, r.body, r.subject, r.ids.ftsTokens()); err != nil {
			return fmt.Errorf("history: index: %w", err)
		}
	}
	idx.rows = idx.rows[:0]
	for conv, b := range idx.convs {
		if _, err := st.bumpConv.Exec(conv, b.sent, b.id, b.n); err != nil {
			return fmt.Errorf("history: Add: %w", err)
		}
	}
	clear(idx.convs)
	return nil
}

// SetFile records where the file message id carries is on this
// computer, and its size (a downloaded copy); "" forgets it (the copy
// is gone).
func (s *Store) SetFile(id int64, path string, size int64) error {
	return s.updateMessage("SetFile", id, `UPDATE messages SET file = ?, file_size = ? WHERE id = ?`, path, size, id)
}

// SetState changes the delivery state of message id; reason is stored as
// Message.Error (pass "" except for StateError).
func (s *Store) SetState(id int64, st State, reason string) error {
	return s.updateMessage("SetState", id, `UPDATE messages SET state = ?, error = ? WHERE id = ?`, st, reason, id)
}

// updateMessage runs query, which updates message id, in a transaction
// of its own; ErrNotFound when there is no such message. op names it in
// errors.
func (s *Store) updateMessage(op string, id int64, query string, args ...any) error {
	return s.write(func(tx *sql.Tx) error {
		res, err := tx.Exec(query, args...)
		if err != nil {
			return fmt.Errorf("history: %s: %w", op, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("history: %s: %w", op, err)
		} else if n == 0 {
			return fmt.Errorf("history: %s %d: %w", op, id, ErrNotFound)
		}
		return nil
	})
}

// Correct replaces the text of message id with a corrected version
// (XEP-0308): its body, its rich (XHTML-IM) form, and the search index;
// the message is marked Corrected. The delivery state is kept.
func (s *Store) Correct(id int64, body, rich string) error {
	return s.write(func(tx *sql.Tx) error {
		var chrono int64
		var conv int64
		var subject, oob string
		err := tx.QueryRow(`SELECT chrono, conv, subject, oob FROM messages WHERE id = ?`, id).Scan(&chrono, &conv, &subject, &oob)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("history: Correct %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("history: Correct: %w", err)
		}
		if err := keepEdit(tx, id); err != nil {
			return fmt.Errorf("history: Correct: %w", err)
		}
		if _, err := tx.Exec(`UPDATE messages SET body = ?, rich = ?, corrected = 1 WHERE id = ? AND retracted = 0`, body, rich, id); err != nil {
			return fmt.Errorf("history: Correct: %w", err)
		}
		if _, err := tx.Exec(`DELETE FROM messages_fts WHERE rowid = ?`, chrono); err != nil {
			return fmt.Errorf("history: Correct: index: %w", err)
		}
		var acct int64
		if err := tx.QueryRow(`SELECT account_id FROM conversations WHERE id = ?`, conv).Scan(&acct); err != nil {
			return fmt.Errorf("history: Correct: %w", err)
		}
		if body != "" || subject != "" {
			ids := convIDs{conv: conv, account: acct}
			if _, err := tx.Stmt(s.insFTS).Exec(chrono, indexed(body, oob), subject, ids.ftsTokens()); err != nil {
				return fmt.Errorf("history: Correct: index: %w", err)
			}
		}
		return nil
	})
}

// maxEdits bounds the replaced texts kept per message: the original and
// the latest ones (a sender correcting a message over and over cannot
// grow the database without end).
const maxEdits = 10

// keepEdit records message id's text before a correction replaces it:
// the original is always kept, then the newest maxEdits-1 versions.
func keepEdit(tx *sql.Tx, id int64) error {
	if _, err := tx.Exec(`INSERT INTO edits(message, body, rich, replaced)
		SELECT id, body, rich, ? FROM messages WHERE id = ?`, time.Now().UnixNano(), id); err != nil {
		return err
	}
	_, err := tx.Exec(`DELETE FROM edits WHERE message = ?1
		AND rowid <> (SELECT MIN(rowid) FROM edits WHERE message = ?1)
		AND rowid NOT IN (SELECT rowid FROM edits WHERE message = ?1 ORDER BY rowid DESC LIMIT ?2)`, id, maxEdits-1)
	return err
}

// LatestBy returns the newest message (by Sent, then ID) of direction dir
// in the conversation (In: the peer's; Out: ours, from any of our
// devices), errors aside; ok is false when there is none.
func (s *Store) LatestBy(account, peer string, dir Direction) (Message, bool, error) {
	m, err := scanMessage(s.r.QueryRow(`SELECT `+convMsgCols+` FROM messages m
		WHERE m.conv = (`+convSub+`) AND m.direction = ?3 AND m.type <> 'error'
		ORDER BY m.sent DESC, m.id DESC LIMIT 1`, account, peer, dir))
	if errors.Is(err, sql.ErrNoRows) {
		return Message{}, false, nil
	}
	if err != nil {
		return Message{}, false, fmt.Errorf("history: LatestBy: %w", err)
	}
	return m, true, nil
}

// LatestReceivedBefore returns, among the messages of the conversation
// stored before t, the one dated latest (by Sent): what a message that
// arrives late may not be placed before.
func (s *Store) LatestReceivedBefore(account, peer string, t time.Time) (Message, bool, error) {
	m, err := scanMessage(s.r.QueryRow(`SELECT `+convMsgCols+` FROM messages m
		WHERE m.conv = (`+convSub+`) AND m.received < ?3
		ORDER BY m.sent DESC, m.id DESC LIMIT 1`, account, peer, nanos(t)))
	if errors.Is(err, sql.ErrNoRows) {
		return Message{}, false, nil
	}
	if err != nil {
		return Message{}, false, fmt.Errorf("history: LatestReceivedBefore: %w", err)
	}
	return m, true, nil
}

// Edit is a text a correction replaced.
type Edit struct {
	Body, Rich string
	// Replaced is when the correction that replaced it came.
	Replaced time.Time
}

// Edits returns what message id said before its corrections, oldest
// (the original) first.
func (s *Store) Edits(id int64) ([]Edit, error) {
	rows, err := s.r.Query(`SELECT body, rich, replaced FROM edits WHERE message = ? ORDER BY rowid`, id)
	if err != nil {
		return nil, fmt.Errorf("history: Edits: %w", err)
	}
	defer rows.Close()
	var out []Edit
	for rows.Next() {
		var e Edit
		var at int64
		if err := rows.Scan(&e.Body, &e.Rich, &at); err != nil {
			return nil, fmt.Errorf("history: Edits: %w", err)
		}
		e.Replaced = fromNanos(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// FindByOriginID returns the message of conversation (account, peer) and
// direction dir with that XEP-0359 origin-id, or, for a message that came
// without one, that id attribute (WireID): what receipts, corrections and
// errors name a message by.
func (s *Store) FindByOriginID(account, peer, originID string, dir Direction) (Message, bool, error) {
	if originID == "" {
		return Message{}, false, nil
	}
	row := s.r.QueryRow(`SELECT `+msgCols+` FROM messages m JOIN conversations c ON c.id = m.conv
		JOIN accounts a ON a.id = c.account_id WHERE m.id = (`+byIDSQL+`)`, account, peer, dir, originID)
	m, err := scanMessage(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Message{}, false, nil
	}
	if err != nil {
		return Message{}, false, fmt.Errorf("history: FindByOriginID: %w", err)
	}
	return m, true, nil
}

// byIDSQL is the row id of the newest message of conversation (account
// ?1, peer ?2) and direction ?3 named ?4: its origin-id, or its id
// attribute. Each half goes through its index (messages_origin_id,
// messages_wire_id); one OR of the two made SQLite read the whole
// conversation for every receipt, correction and marker
// (TestFindByIDUsesIndexes).
const byIDSQL = `SELECT MAX(id) FROM (
	SELECT id FROM messages WHERE conv = (` + convSub + `) AND direction = ?3 AND origin_id = ?4 AND origin_id <> ''
	UNION ALL
	SELECT id FROM messages WHERE conv = (` + convSub + `) AND wire_id = ?4 AND wire_id <> '' AND direction = ?3)`

// FindReferenced returns the message of conversation (account, peer) that
// a reply (XEP-0461) names by id: a room's stanza-id (of a message
// received, or of ours as the room reflected it), an origin-id or an id
// attribute, of either direction; the newest when several share it.
func (s *Store) FindReferenced(account, peer, id string) (Message, bool, error) {
	ms, err := s.referenced(account, peer, id, 1)
	if err != nil || len(ms) == 0 {
		return Message{}, false, err
	}
	return ms[0], true, nil
}

// referenced returns up to n messages of conversation (account, peer)
// named id (as FindReferenced), the newest first: anyone can give their
// message an id another already has.
func (s *Store) referenced(account, peer, id string, n int) ([]Message, error) {
	if id == "" {
		return nil, nil
	}
	rows, err := s.r.Query(`SELECT `+msgCols+` FROM messages m JOIN conversations c ON c.id = m.conv
		JOIN accounts a ON a.id = c.account_id WHERE m.id IN (
			SELECT id FROM messages WHERE conv = (`+convSub+`) AND direction = 1 AND stanza_id = ?3 AND stanza_id <> ''
			UNION ALL
			SELECT id FROM messages WHERE conv = (`+convSub+`) AND direction = 2 AND stanza_id = ?3 AND stanza_id <> ''
			UNION ALL
			SELECT id FROM messages WHERE conv = (`+convSub+`) AND direction IN (1, 2) AND origin_id = ?3 AND origin_id <> ''
			UNION ALL
			SELECT id FROM messages WHERE conv = (`+convSub+`) AND wire_id = ?3 AND wire_id <> '')
		ORDER BY m.id DESC LIMIT ?4`, account, peer, id, n)
	if err != nil {
		return nil, fmt.Errorf("history: FindReferenced: %w", err)
	}
	return collect(rows, false)
}

// Get returns message id, or an error wrapping ErrNotFound.
func (s *Store) Get(id int64) (Message, error) {
	m, err := scanMessage(s.getMsg.QueryRow(id))
	if errors.Is(err, sql.ErrNoRows) {
		return Message{}, fmt.Errorf("history: Get %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Message{}, fmt.Errorf("history: Get: %w", err)
	}
	return m, nil
}

// Latest returns the n most recent messages (by Sent, then ID) of a
// conversation, oldest first.
func (s *Store) Latest(account, peer string, n int) ([]Message, error) {
	if n <= 0 {
		return nil, nil
	}
	rows, err := s.latest.Query(account, peer, n)
	if err != nil {
		return nil, fmt.Errorf("history: Latest: %w", err)
	}
	return collect(rows, true)
}

// Before returns the n messages of a conversation just older than before
// (ordered by Sent, then ID), oldest first: the page preceding before.
func (s *Store) Before(account, peer string, before Message, n int) ([]Message, error) {
	if n <= 0 {
		return nil, nil
	}
	rows, err := s.before.Query(account, peer, n, nanos(before.Sent), before.ID)
	if err != nil {
		return nil, fmt.Errorf("history: Before: %w", err)
	}
	return collect(rows, true)
}

// After returns up to n messages of the conversation that come after
// after (by Sent, then ID), oldest first: the page below a stretch of
// history shown from the middle (a search result's neighbours).
func (s *Store) After(account, peer string, after Message, n int) ([]Message, error) {
	if n <= 0 {
		return nil, nil
	}
	rows, err := s.after.Query(account, peer, n, nanos(after.Sent), after.ID)
	if err != nil {
		return nil, fmt.Errorf("history: After: %w", err)
	}
	return collect(rows, false)
}

// Conversations returns one entry per conversation of account, most recent
// (by the Sent time of its last message) first, leaving out those hidden
// (Hide) that had no message since.
func (s *Store) Conversations(account string) ([]Conversation, error) {
	rows, err := s.r.Query(`SELECT c.count, `+msgCols+`
		FROM accounts a JOIN conversations c ON c.account_id = a.id
		JOIN messages m ON m.id = c.last_id
		WHERE a.jid = ? AND c.hidden = 0
		ORDER BY m.sent DESC, m.id DESC`, account)
	if err != nil {
		return nil, fmt.Errorf("history: Conversations: %w", err)
	}
	defer rows.Close()
	var out []Conversation
	for rows.Next() {
		var c Conversation
		var count int
		var sent, recv int64
		m := &c.Last
		if err := rows.Scan(&count, &m.ID, &m.Account, &m.Peer, &m.Resource, &m.Direction, &m.Type, &m.Body,
			&m.Subject, &m.Thread, &m.Rich, &m.OriginID, &m.StanzaID, &m.WireID, &sent, &recv, &m.State, &m.Error, &m.Corrected, &m.Markable, &m.OccupantID, &m.OOB, &m.File, &m.FileSize,
			&m.ReplyID, &m.ReplyTo, &m.ReplyQuote, &m.Retracted, &m.Moderated, &m.Encryption, &m.Undecrypted); err != nil {
			return nil, fmt.Errorf("history: Conversations: %w", err)
		}
		m.Sent, m.Received = fromNanos(sent), fromNanos(recv)
		c.Peer, c.Count = m.Peer, count
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("history: Conversations: %w", err)
	}
	return out, nil
}

// HasSent reports whether account ever sent a message to peer.
func (s *Store) HasSent(account, peer string) (bool, error) {
	var one int
	err := s.r.QueryRow(`SELECT 1 FROM messages m JOIN conversations c ON c.id = m.conv
		JOIN accounts a ON a.id = c.account_id
		WHERE a.jid = ? AND c.peer = ? AND m.direction = ? LIMIT 1`, account, peer, Out).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("history: HasSent: %w", err)
	}
	return true, nil
}

// SetRoom records that account's conversation with peer is a group
// chat's (made if there is none yet).
func (s *Store) SetRoom(account, peer string) error {
	created := map[convKey]convIDs{}
	return s.write(func(tx *sql.Tx) error {
		clear(created)
		ids, isNew, _, err := s.conv(tx, account, peer, true)
		if err != nil {
			return fmt.Errorf("history: SetRoom: %w", err)
		}
		if isNew {
			created[convKey{account, peer}] = ids
		}
		if _, err := tx.Exec(`UPDATE conversations SET room = 1 WHERE id = ?`, ids.conv); err != nil {
			return fmt.Errorf("history: SetRoom: %w", err)
		}
		return nil
	}, func() {
		for k, v := range created {
			s.convs[k] = v
		}
	})
}

// IsRoom reports whether account's conversation with peer is a group
// chat's (SetRoom, or it holds a room message from before SetRoom).
func (s *Store) IsRoom(account, peer string) (bool, error) {
	var room bool
	err := s.r.QueryRow(`SELECT c.room FROM conversations c JOIN accounts a ON a.id = c.account_id
		WHERE a.jid = ? AND c.peer = ?`, account, peer).Scan(&room)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("history: IsRoom: %w", err)
	}
	return room, nil
}

// Hide takes conversation (account, peer) out of Conversations until a
// message newer than those stored now arrives. Its history is kept.
func (s *Store) Hide(account, peer string) error {
	return s.write(func(tx *sql.Tx) error {
		_, err := tx.Exec(`UPDATE conversations SET hidden = 1
			WHERE peer = ? AND account_id = (SELECT id FROM accounts WHERE jid = ?)`, peer, account)
		if err != nil {
			return fmt.Errorf("history: Hide: %w", err)
		}
		return nil
	})
}

// DeleteAccount removes everything stored for account: messages and their
// index entries, conversations, subscription requests and the roster cache.
func (s *Store) DeleteAccount(account string) error {
	err := s.write(func(tx *sql.Tx) error {
		stmts := []string{
			`DELETE FROM messages_fts WHERE rowid IN (SELECT m.chrono FROM messages m
				JOIN conversations c ON c.id = m.conv JOIN accounts a ON a.id = c.account_id WHERE a.jid = ?1)`,
			`DELETE FROM messages WHERE conv IN (SELECT c.id FROM conversations c
				JOIN accounts a ON a.id = c.account_id WHERE a.jid = ?1)`,
			`DELETE FROM conversations WHERE account_id IN (SELECT id FROM accounts WHERE jid = ?1)`,
			`DELETE FROM accounts WHERE jid = ?1`,
			`DELETE FROM requests WHERE account = ?1`,
			`DELETE FROM roster WHERE account = ?1`,
			`DELETE FROM archive_cursor WHERE account = ?1`,
		}
		for _, q := range stmts {
			if _, err := tx.Exec(q, account); err != nil {
				return fmt.Errorf("history: DeleteAccount: %w", err)
			}
		}
		for k := range s.convs {
			if k.account == account {
				delete(s.convs, k)
			}
		}
		return nil
	})
	return err
}

// Unfinished returns the account's outgoing messages that were stored but
// never acknowledged (StatePending or StateSent), oldest first: after a
// crash or a quit while offline they are sent again on the next connection.
func (s *Store) Unfinished(account string) ([]Message, error) {
	rows, err := s.r.Query(`SELECT `+msgCols+` FROM messages m JOIN conversations c ON c.id = m.conv
		JOIN accounts a ON a.id = c.account_id
		WHERE a.jid = ?1 AND m.direction = ?2 AND m.state IN (?3, ?4)
		ORDER BY m.sent, m.id`, account, Out, StatePending, StateSent)
	if err != nil {
		return nil, fmt.Errorf("history: Unfinished: %w", err)
	}
	return collect(rows, false)
}
