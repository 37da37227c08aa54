package history

import (
	"database/sql"
	"errors"
	"fmt"
)

// A migration brings the database one user_version further, inside the
// transaction that also records the new version.
type migration func(tx *sql.Tx) error

// script is a migration written in SQL.
func script(q string) migration {
	return func(tx *sql.Tx) error {
		_, err := tx.Exec(q)
		return err
	}
}

// migrations is the ordered schema history. migrations[i] brings the
// database from user_version i to i+1. Append new migrations; never edit one
// that has shipped.
var migrations = []migration{
	// 1: initial schema.
	script(`
CREATE TABLE accounts (
	id  INTEGER PRIMARY KEY,
	jid TEXT NOT NULL UNIQUE
);

CREATE TABLE conversations (
	id         INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	peer       TEXT NOT NULL,
	count      INTEGER NOT NULL DEFAULT 0,
	UNIQUE (account_id, peer)
);

CREATE TABLE messages (
	id        INTEGER PRIMARY KEY,
	conv      INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
	chrono    INTEGER NOT NULL,  -- FTS rowid: sent milliseconds << 21 | sequence (see chronoBase)
	resource  TEXT NOT NULL DEFAULT '',
	direction INTEGER NOT NULL,
	type      TEXT NOT NULL DEFAULT '',
	body      TEXT NOT NULL DEFAULT '',
	subject   TEXT NOT NULL DEFAULT '',
	thread    TEXT NOT NULL DEFAULT '',
	rich      TEXT NOT NULL DEFAULT '',
	origin_id TEXT NOT NULL DEFAULT '',
	stanza_id TEXT NOT NULL DEFAULT '',
	sent      INTEGER NOT NULL,  -- unix nanoseconds
	received  INTEGER NOT NULL,  -- unix nanoseconds
	state     INTEGER NOT NULL DEFAULT 0,
	error     TEXT NOT NULL DEFAULT ''
);

-- Latest N / paging back within a conversation.
CREATE INDEX messages_conv_sent ON messages(conv, sent, id);

-- Search results come from FTS5 in descending rowid (= chrono) order.
CREATE UNIQUE INDEX messages_chrono ON messages(chrono);

-- Duplicate detection (and FindByOriginID).
CREATE UNIQUE INDEX messages_stanza_id ON messages(conv, stanza_id)
	WHERE direction = 1 AND stanza_id <> '';
CREATE UNIQUE INDEX messages_origin_id ON messages(conv, direction, origin_id)
	WHERE origin_id <> '';

-- Full-text index. Contentless: rowid = messages.chrono, the text lives in
-- messages only. Because chrono follows Sent, FTS5 can return the newest
-- matches first and stop after N of them, however common the words are. conv holds the tokens "a<account id> c<conversation id>" so
-- that a search restricted to one conversation or account is an index
-- intersection inside FTS5. The prefix indexes make search-as-you-type
-- (the last word is a prefix) fast for 1- to 3-character prefixes, at the
-- cost of ~70% more FTS index.
CREATE VIRTUAL TABLE messages_fts USING fts5(
	body, subject, conv,
	prefix = '1 2 3',
	content = '',
	contentless_delete = 1,
	tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TABLE requests (
	account  TEXT NOT NULL,
	from_jid TEXT NOT NULL,
	message  TEXT NOT NULL DEFAULT '',
	at       INTEGER NOT NULL,  -- unix nanoseconds
	PRIMARY KEY (account, from_jid)
);

CREATE TABLE roster (
	account TEXT PRIMARY KEY,
	ver     TEXT NOT NULL DEFAULT '',
	data    BLOB
);
`),
	// 2: last message correction (XEP-0308).
	script(`ALTER TABLE messages ADD COLUMN corrected INTEGER NOT NULL DEFAULT 0;`),
	// 3: caches of other clients' capabilities (XEP-0115) and of avatars
	// (XEP-0153, XEP-0084).
	script(`
CREATE TABLE caps (
	hash TEXT NOT NULL,  -- hash function, e.g. sha-1
	ver  TEXT NOT NULL,  -- verification string
	info BLOB NOT NULL,  -- the verified disco#info result, serialised by the caller
	PRIMARY KEY (hash, ver)
);

CREATE TABLE avatars (
	jid     TEXT PRIMARY KEY,  -- bare JID
	hash    TEXT NOT NULL,     -- SHA-1 (hex) of data; '' when the JID has no avatar
	data    BLOB NOT NULL,
	updated INTEGER NOT NULL   -- unix nanoseconds
);
`),
	// 4: what the user has read of each conversation, so unread counts
	// survive a restart. Everything stored before counts as read.
	script(`
CREATE TABLE read_marks (
	conv    INTEGER PRIMARY KEY REFERENCES conversations(id) ON DELETE CASCADE,
	last_id INTEGER NOT NULL  -- the newest message read
);
INSERT INTO read_marks (conv, last_id) SELECT conv, MAX(id) FROM messages GROUP BY conv;
`),
	// 5: avatars were stored as published, of any size; from now on only
	// as small PNGs made by the bounded picture path. The old ones are
	// forgotten, so each is fetched again and stored that way.
	script(`DELETE FROM avatars;`),
	// 6: the texts a correction (XEP-0308) replaced, so "corrected"
	// shows what a message said before.
	script(`
CREATE TABLE IF NOT EXISTS edits (
	message  INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
	body     TEXT NOT NULL,
	rich     TEXT NOT NULL DEFAULT '',
	replaced INTEGER NOT NULL  -- unix nanoseconds: when the correction came
);
CREATE INDEX IF NOT EXISTS edits_by_message ON edits(message);
`),
	// 7: the id attribute of incoming messages without origin-id, kept
	// apart from origin_id: senders reuse ids, so a reused id with other
	// text is another message, not a duplicate.
	script(`
ALTER TABLE messages ADD COLUMN wire_id TEXT NOT NULL DEFAULT '';
CREATE INDEX messages_wire_id ON messages(conv, wire_id) WHERE wire_id <> '';
`),
	// 8: addresses are keyed by their RFC 7622 form (xmpp.ParseJID) where
	// they were only lower-cased: stored keys in another form (full-width,
	// decomposed, punycode) are rewritten and what then shares a key is
	// merged. ASCII keys do not change.
	rekeyJIDs,
	// 9: the recent-conversations list. last_id is the conversation's
	// latest message (by sent, then id), kept by every insert, so the list
	// needs no search per conversation; hidden: closed from the list until
	// its next message.
	script(`
ALTER TABLE conversations ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN last_id INTEGER NOT NULL DEFAULT 0;
UPDATE conversations SET last_id = COALESCE(
	(SELECT id FROM messages WHERE conv = conversations.id ORDER BY sent DESC, id DESC LIMIT 1), 0);
`),
	// 10: how far each account's server archive (XEP-0313) was read: the
	// archive id of the last message a catch-up stored.
	script(`
CREATE TABLE archive_cursor (
	account TEXT PRIMARY KEY,
	last_id TEXT NOT NULL,
	updated INTEGER NOT NULL -- unix nanoseconds
);
`),
	// 11: whether the sender of an incoming message asked for a
	// displayed marker (XEP-0333), sent once the user has read it.
	script(`ALTER TABLE messages ADD COLUMN markable INTEGER NOT NULL DEFAULT 0;`),
	// 12: the archive's date of the cursor's message, from which a
	// catch-up reads the archive newest first (0: unknown, read forward
	// from the id).
	script(`ALTER TABLE archive_cursor ADD COLUMN stamp INTEGER NOT NULL DEFAULT 0;`),
	// 13: a room message's sender as the room names them for good
	// (XEP-0421 occupant id), whatever their nick; the URL of a file a
	// message carries (XEP-0066); and which conversations are group
	// chats (their private messages go to an occupant, not to the
	// conversation's address).
	script(`
ALTER TABLE messages ADD COLUMN occupant TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN oob TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN room INTEGER NOT NULL DEFAULT 0;
UPDATE conversations SET room = 1 WHERE EXISTS (SELECT 1 FROM messages WHERE conv = conversations.id AND type = 'groupchat');
`),
	// 14: where the file a message carries is on this computer (the
	// one sent, or the downloaded copy), and its size.
	script(`
ALTER TABLE messages ADD COLUMN file TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN file_size INTEGER NOT NULL DEFAULT 0;
`),
	// 15: files are found by their name (indexed): the search index
	// rows of messages carrying one are written again.
	reindexFiles,
	// 16: what a message answers (XEP-0461): that message's id and
	// author, and the quotation the reply carried of it; our messages
	// found by the id a room gave them (replies in a room name them so).
	script(`
ALTER TABLE messages ADD COLUMN reply_id TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN reply_to TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN reply_quote TEXT NOT NULL DEFAULT '';
CREATE INDEX messages_out_stanza_id ON messages(conv, stanza_id) WHERE direction = 2 AND stanza_id <> '';
`),
	// 17: reactions (XEP-0444): each sender's set for a message of a
	// conversation, named by the id the reactions gave (the message may
	// come later, from the archive), with when the set was sent: an
	// older one never replaces a newer.
	script(`
CREATE TABLE reactions (
	conv   INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
	target TEXT NOT NULL,
	sender TEXT NOT NULL,
	emojis TEXT NOT NULL,  -- one per line; '' none (taken back)
	at     INTEGER NOT NULL,  -- unix nanoseconds
	PRIMARY KEY (conv, target, sender)
) WITHOUT ROWID;
`),
	// 18: messages their sender took back (XEP-0424: 1), or a room's
	// moderator (XEP-0425: 2): kept as a tombstone, their text gone.
	script(`ALTER TABLE messages ADD COLUMN retracted INTEGER NOT NULL DEFAULT 0;`),
	// 19: end-to-end encryption (1: OMEMO) a message came with, and why
	// one that came encrypted could not be read.
	script(`
ALTER TABLE messages ADD COLUMN encryption INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN undecrypted TEXT NOT NULL DEFAULT '';
`),
}

// reindexFiles writes the search index rows of the messages that carry
// a file again, with the file's name (indexed).
func reindexFiles(tx *sql.Tx) error {
	rows, err := tx.Query(`SELECT m.chrono, m.body, m.subject, m.oob, m.conv, c.account_id
		FROM messages m JOIN conversations c ON c.id = m.conv WHERE m.oob <> '' AND (m.body <> '' OR m.subject <> '')`)
	if err != nil {
		return err
	}
	type again struct {
		chrono             int64
		body, subject, oob string
		ids                convIDs
	}
	var all []again
	for rows.Next() {
		var a again
		if err := rows.Scan(&a.chrono, &a.body, &a.subject, &a.oob, &a.ids.conv, &a.ids.account); err != nil {
			rows.Close()
			return err
		}
		all = append(all, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, a := range all {
		if _, err := tx.Exec(`DELETE FROM messages_fts WHERE rowid = ?`, a.chrono); err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO messages_fts(rowid, body, subject, conv) VALUES(?,?,?,?)`,
			a.chrono, indexed(a.body, a.oob), a.subject, a.ids.ftsTokens()); err != nil {
			return err
		}
	}
	return nil
}

// schemaVersion is the user_version of an up-to-date database.
var schemaVersion = len(migrations)

// ErrNewerVersion is matched (errors.Is) by Open's error when the database
// was written by a newer Causerie, whose schema this one does not know.
var ErrNewerVersion = errors.New("history written by a newer version")

// migrate applies the missing migrations in one transaction together with
// the user_version bump: a new database is made with one commit (one sync
// of the log), and a failed migration leaves the database as it was. It
// is a no-op on an up-to-date database and refuses a database written by a
// newer Causerie.
func migrate(db *sql.DB) error {
	var v int
	if err := db.QueryRow("PRAGMA user_version").Scan(&v); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if v > len(migrations) {
		return fmt.Errorf("%w: schema version %d, this program's is %d", ErrNewerVersion, v, len(migrations))
	}
	if v == len(migrations) {
		return nil
	}
	tx, err := db.Begin()
	if err != nil {
		return fmt.Errorf("migration %d: %w", v+1, err)
	}
	defer tx.Rollback()
	// Read again under the write lock: another process may have migrated.
	if err := tx.QueryRow("PRAGMA user_version").Scan(&v); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if v >= len(migrations) {
		return nil
	}
	for i := v; i < len(migrations); i++ {
		if err := migrations[i](tx); err != nil {
			return fmt.Errorf("migration %d: %w", i+1, err)
		}
	}
	if _, err := tx.Exec(fmt.Sprintf("PRAGMA user_version = %d", len(migrations))); err != nil {
		return fmt.Errorf("migration %d: %w", len(migrations), err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migration %d: %w", len(migrations), err)
	}
	return nil
}
