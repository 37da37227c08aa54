// Package history is Causerie's local store: messages with full-text search, pending subscription requests and the roster cache, in one SQLite database (modernc.org/sqlite, pure Go, FTS5) per user data dir, in WAL mode with schema migrations.
//
// Layout (see schema.go): accounts and conversations are small tables that
// give every (account, peer) pair an integer id; messages reference their
// conversation by that id and are indexed on (conv, sent, id), so "latest N"
// and paging back are index range scans. Full-text search uses a contentless
// FTS5 table (contentless_delete=1) whose rowid is the message id and which
// carries, next to body and subject, a "conv" column holding the tokens
// "a<account id> c<conversation id>": restricting a search to one
// conversation, or to one account, is then an FTS index intersection rather
// than a post-filter.
//
// Concurrency: a Store holds two database/sql pools on the same file. Writes
// go through a pool of exactly one connection (serialised further by a Go
// mutex, transactions start with BEGIN IMMEDIATE), so writers never fight for
// the WAL write lock; reads go through a separate pool of query_only
// connections that WAL lets proceed while a write is in progress. All
// methods are safe for concurrent use.
package history

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// Direction tells whether a message came in or went out.
type Direction int

// Message directions.
const (
	In  Direction = 1
	Out Direction = 2
)

// State is the delivery state of a message.
type State int

// Delivery states.
const (
	StateReceived  State = 0 // an incoming message
	StatePending   State = 1 // outgoing, stored, not yet written to the socket
	StateSent      State = 2 // written to the socket
	StateAcked     State = 3 // the server acknowledged it (XEP-0198)
	StateDelivered State = 4 // the recipient confirmed (XEP-0184, later)
	StateError     State = 5 // failed; Message.Error says why
	// StateRead: the recipient's client displayed it (XEP-0333). It
	// comes after every other state: a message said to have failed that
	// the recipient then read got there after all.
	StateRead State = 6
)

// Advances reports whether a move from st to next goes forward, as
// Store.Advance applies it: up the order above, except that StateError
// does not follow Delivered or Read, and only those follow StateError.
func (st State) Advances(next State) bool {
	switch {
	case next == StateError:
		return st < StateDelivered
	case st == StateError:
		return next >= StateDelivered
	}
	return st < next
}

// Message is one stored message.
type Message struct {
	ID        int64  // row id, set by Add
	Account   string // our bare JID
	Peer      string // the conversation: the contact's (or room's) bare JID
	Resource  string // sender's resource (incoming) or ours (outgoing)
	Direction Direction
	Type      string // "chat", "normal", "headline", "groupchat", "error"
	Body      string
	Subject   string
	Thread    string
	Rich      string // XHTML-IM source, optional
	OriginID  string // XEP-0359 origin-id (our id for outgoing; the sender's for incoming)
	StanzaID  string // server-assigned XEP-0359 stanza-id, if any
	// WireID is the id attribute of a message we received (or another
	// device of ours sent): it names the message for receipts,
	// corrections and markers, and for a message without origin-id,
	// with the same sender and text, it tells a redelivery (see
	// ErrDuplicate). Ids are reused by some senders, so it is not unique.
	WireID   string
	Sent     time.Time // XEP-0203 delay stamp, or receive time
	Received time.Time // when we stored it
	State    State
	Error    string // reason for StateError
	// Corrected: the text was replaced by a later correction (XEP-0308).
	Corrected bool
	// Markable: the sender asked for a displayed marker (XEP-0333).
	Markable bool
	// OccupantID is a room message's sender as the room names them for
	// good (XEP-0421), whatever nick they take; "" when the room gives
	// none. With a private message through a room, Resource is the
	// occupant's nick either way.
	OccupantID string
	// OOB is the URL of a file the message carries (XEP-0066; an
	// upload's GET URL, XEP-0363), "" when none. A message whose body
	// is this URL is the file alone.
	OOB string
	// File is where the file the message carries is on this computer:
	// the one we sent, or our downloaded copy (SetFile); "" when none.
	File string
	// FileSize is its size in bytes, 0 when not known (a file we
	// received and did not download).
	FileSize int64
	// ReplyID is the id of the message this one answers (XEP-0461: its
	// origin-id, else its id attribute, in a one-to-one chat; the room's
	// stanza-id in a room), "" when none. ReplyTo is that message's
	// author as the reply names them, and ReplyQuote what the reply
	// quoted of it for clients without replies (XEP-0428, taken out of
	// Body): shown when that message is not in the history.
	ReplyID, ReplyTo, ReplyQuote string
	// Retracted: the sender took the message back (XEP-0424), or a
	// room's moderator did (Moderated, XEP-0425); its text, file and
	// earlier versions are gone.
	Retracted, Moderated bool
	// Encryption is the end-to-end encryption the message came with
	// (or went with): NotEncrypted, or OMEMO.
	Encryption Encryption
	// Undecrypted says why a message that came encrypted could not be
	// read (its Body is then empty): a reason code of the decrypting
	// feature (core/omemo's Reason constants), which the GUI words.
	Undecrypted string
}

// Encryption is how a message was encrypted end to end.
type Encryption int

// Encryptions.
const (
	NotEncrypted Encryption = iota
	OMEMO                   // XEP-0384 (its version 0.3)
	// OMEMOUntrusted: OMEMO, from a device the user had not trusted
	// when it came (one waiting for the user's decision, or refused):
	// shown with a warning; a correction from it does not replace a
	// text that came from a trusted one.
	OMEMOUntrusted
)

// Conversation summarises one conversation of an account.
type Conversation struct {
	Peer  string
	Last  Message
	Count int
}

// Request is a pending incoming subscription request.
type Request struct {
	From    string
	Message string
	At      time.Time
}

// ErrDuplicate is returned by Add for a message that is already stored: an
// incoming message with the same non-empty StanzaID in the same conversation,
// a message with the same non-empty OriginID in the same conversation and
// direction, or one without OriginID whose WireID, Resource, Body and
// Subject are those of a stored one without OriginID. Add sets Message.ID
// to the stored row's id in that case.
var ErrDuplicate = errors.New("history: message already stored")

// ErrNotFound is returned by Get and SetState for an unknown message id.
var ErrNotFound = errors.New("history: no such message")

// ErrClosed is returned by methods called after Close.
var ErrClosed = errors.New("history: store is closed")

// Store is an open history database. Its methods are safe for concurrent use.
type Store struct {
	w *sql.DB // exactly one connection: all writes
	r *sql.DB // query_only connections: all reads

	wmu    sync.Mutex // serialises write transactions and guards convs
	closed bool
	// relaxed: the write connection may be left at synchronous=NORMAL
	// by a refetchable burst; FULL is set again before the next write.
	relaxed bool
	convs   map[convKey]convIDs // cache of (account, peer) -> ids, committed rows only

	// prepared on w
	insMsg, insFTS, bumpConv, findDup, findWire, selConv, maxChrono *sql.Stmt
	// prepared on r
	getMsg, latest, before, after *sql.Stmt
}

type convKey struct{ account, peer string }

type convIDs struct{ account, conv int64 }

// ftsTokens is the value of the FTS "conv" column for a conversation.
func (c convIDs) ftsTokens() string { return fmt.Sprintf("a%d c%d", c.account, c.conv) }

// DefaultPath returns the history database path in the user data dir:
// $XDG_DATA_HOME (or ~/.local/share) on Linux and other Unix systems,
// %LOCALAPPDATA% on Windows, ~/Library/Application Support on macOS, followed
// by causerie/history.db.
func DefaultPath() (string, error) {
	dir, err := dataDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "causerie", "history.db"), nil
}

func dataDir() (string, error) {
	switch runtime.GOOS {
	case "windows":
		if d := os.Getenv("LOCALAPPDATA"); d != "" {
			return d, nil
		}
		return "", errors.New("history: %LOCALAPPDATA% is not set")
	case "darwin", "ios":
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		return filepath.Join(home, "Library", "Application Support"), nil
	case "plan9":
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		return filepath.Join(home, "lib"), nil
	default:
		// XDG Base Directory: a relative $XDG_DATA_HOME is invalid and ignored.
		if d := os.Getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
			return d, nil
		}
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		return filepath.Join(home, ".local", "share"), nil
	}
}

// dsn builds a file: URI for path (so that '?', '#' and '%' in the path are
// safe) with the connection pragmas.
func dsn(path string, readOnly bool) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") { // Windows drive letter: file:///C:/...
		p = "/" + p
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	// FULL: a received message is acknowledged to the server once its
	// commit returns, and the server then forgets it; NORMAL could lose
	// that commit on power loss (README "Durability").
	q.Add("_pragma", "synchronous(FULL)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Set("_txlock", "immediate")
	}
	return "file://" + (&url.URL{Path: p}).EscapedPath() + "?" + q.Encode(), nil
}

// readers is the size of the read pool.
func readers() int {
	n := runtime.GOMAXPROCS(0)
	if n < 2 {
		n = 2
	}
	if n > 8 {
		n = 8
	}
	return n
}

// Open opens (creating it and its parent directories if needed) the history
// database at path, switches it to WAL mode and brings its schema up to date.
func Open(path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("history: empty database path")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	wdsn, err := dsn(path, false)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	rdsn, err := dsn(path, true)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	w, err := sql.Open("sqlite", wdsn)
	if err != nil {
		return nil, fmt.Errorf("history: open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	s := &Store{w: w, convs: make(map[convKey]convIDs)}
	fail := func(err error) (*Store, error) {
		s.closeAll()
		return nil, fmt.Errorf("history: open %s: %w", path, err)
	}
	var mode string
	if err := w.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil {
		return fail(err)
	}
	if !strings.EqualFold(mode, "wal") {
		return fail(fmt.Errorf("journal_mode is %q, not wal", mode))
	}
	if err := migrate(w); err != nil {
		return fail(err)
	}
	r, err := sql.Open("sqlite", rdsn)
	if err != nil {
		return fail(err)
	}
	n := readers()
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	r.SetConnMaxIdleTime(5 * time.Minute)
	s.r = r
	if err := s.prepare(); err != nil {
		return fail(err)
	}
	return s, nil
}

func (s *Store) prepare() error {
	var err error
	p := func(db *sql.DB, q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var st *sql.Stmt
		st, err = db.Prepare(q)
		return st
	}
	s.insMsg = p(s.w, `INSERT INTO messages(conv, chrono, resource, direction, type, body, subject, thread, rich,
		origin_id, stanza_id, wire_id, sent, received, state, error, markable, occupant, oob, file, file_size,
		reply_id, reply_to, reply_quote, encryption, undecrypted)
		VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING`)
	s.maxChrono = p(s.w, `SELECT max(chrono) FROM messages WHERE chrono BETWEEN ? AND ?`)
	s.insFTS = p(s.w, `INSERT INTO messages_fts(rowid, body, subject, conv) VALUES(?,?,?,?)`)
	// ?4 new messages count, show a hidden conversation again, and the
	// latest of them, ?3 sent at ?2, is its latest unless dated before the
	// latest (ties go to the newer id).
	s.bumpConv = p(s.w, `UPDATE conversations SET count = count + ?4, hidden = 0,
		last_id = CASE WHEN last_id = 0 OR ?2 >= (SELECT sent FROM messages WHERE id = last_id) THEN ?3 ELSE last_id END
		WHERE id = ?1`)
	s.findDup = p(s.w, `SELECT id FROM messages WHERE conv = ?1 AND (
		(?2 = 1 AND ?3 <> '' AND direction = 1 AND stanza_id = ?3 AND stanza_id <> '') OR
		(?4 <> '' AND direction = ?2 AND origin_id = ?4 AND origin_id <> ''))
		ORDER BY id LIMIT 1`)
	s.findWire = p(s.w, findWireSQL)
	s.selConv = p(s.w, `SELECT c.id, a.id FROM conversations c JOIN accounts a ON a.id = c.account_id
		WHERE a.jid = ? AND c.peer = ?`)
	s.getMsg = p(s.r, `SELECT `+msgCols+` FROM messages m JOIN conversations c ON c.id = m.conv
		JOIN accounts a ON a.id = c.account_id WHERE m.id = ?`)
	// Latest and Before know account and peer: no join, ?1 and ?2 are
	// selected back as constants.
	s.latest = p(s.r, `SELECT `+convMsgCols+` FROM messages m
		WHERE m.conv = (`+convSub+`) ORDER BY m.sent DESC, m.id DESC LIMIT ?3`)
	s.before = p(s.r, `SELECT `+convMsgCols+` FROM messages m
		WHERE m.conv = (`+convSub+`) AND (m.sent, m.id) < (?4, ?5)
		ORDER BY m.sent DESC, m.id DESC LIMIT ?3`)
	s.after = p(s.r, `SELECT `+convMsgCols+` FROM messages m
		WHERE m.conv = (`+convSub+`) AND (m.sent, m.id) > (?4, ?5)
		ORDER BY m.sent, m.id LIMIT ?3`)
	return err
}

// findWireSQL finds a message stored before by its id attribute (no
// origin-id), sender and text: the same text, or the text it had before a
// correction (edits keeps the first), since the archive holds a message
// as it was sent. Requiring a non-empty wire_id lets SQLite use the partial index
// messages_wire_id (it cannot tell that ?3 is never empty): without it
// each lookup scanned the conversation (TestFindWireUsesIndex).
const findWireSQL = `SELECT id FROM messages m WHERE conv = ?1 AND direction = ?2 AND wire_id = ?3
	AND wire_id <> '' AND origin_id = '' AND resource = ?4 AND subject = ?6 AND (body = ?5 OR corrected = 1 AND
	EXISTS (SELECT 1 FROM edits e WHERE e.message = m.id AND e.body = ?5)) ORDER BY id LIMIT 1`

// convSub selects the conversation id of account ?1 and peer ?2.
const convSub = `SELECT c2.id FROM conversations c2 JOIN accounts a2 ON a2.id = c2.account_id
	WHERE a2.jid = ?1 AND c2.peer = ?2`

// Close closes the database. Messages added before Close are durable.
func (s *Store) Close() error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	return s.closeAll()
}

func (s *Store) closeAll() error {
	var errs []error
	for _, st := range []*sql.Stmt{s.insMsg, s.maxChrono, s.insFTS, s.bumpConv, s.findDup, s.findWire, s.selConv, s.getMsg, s.latest, s.before, s.after} {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	if s.r != nil {
		errs = append(errs, s.r.Close())
	}
	if s.w != nil {
		// Checkpoint so a cleanly closed database is a single file again.
		_, _ = s.w.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
		errs = append(errs, s.w.Close())
	}
	return errors.Join(errs...)
}

// write runs fn in an immediate transaction on the writer connection, with
// the write mutex held; onCommit, if fn succeeded and the transaction
// committed, runs before the mutex is released.
func (s *Store) write(fn func(tx *sql.Tx) error, onCommit ...func()) error {
	return s.writeSync(true, fn, onCommit...)
}

// writeSync is write, waiting for the disk at commit (synchronous=FULL,
// the connection's setting) only if durable: see Burst.Refetchable.
func (s *Store) writeSync(durable bool, fn func(tx *sql.Tx) error, onCommit ...func()) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if s.closed {
		return ErrClosed
	}
	if s.relaxed == durable {
		mode := "FULL"
		if !durable {
			mode = "NORMAL"
		}
		if _, err := s.w.Exec("PRAGMA synchronous = " + mode); err != nil {
			return fmt.Errorf("history: synchronous: %w", err)
		}
		s.relaxed = !durable
	}
	tx, err := s.w.BeginTx(context.Background(), nil)
	if err != nil {
		return fmt.Errorf("history: begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("history: commit: %w", err)
	}
	for _, f := range onCommit {
		f()
	}
	return nil
}

// nanos and fromNanos convert times to and from the stored unix nanoseconds;
// the zero time is stored as 0.
func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}
