package core

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/xmpp"
	"gosrc.io/xmpp/stanza"
)

// Encrypt registers the session's encryption of what the user sends (one
// feature: core/omemo). For is asked as each one-to-one message is
// stored: how what goes to peer now is to be encrypted (the chat's
// switch; history.NotEncrypted for in the clear). The message is stored
// so, and seal makes each written copy of it: given the stanza as it
// would go (the text in m.Body, nothing else that carries content), it
// puts body in its encrypted form and the fallback text in m.Body. Seal
// runs in order, one message at a time, off the reader (it may fetch
// keys); an error that is a SealError fails the message with its reason,
// any other leaves it for the next connection. A message stored to be
// encrypted never goes in the clear.
func (h *Hook) Encrypt(For func(peer string) history.Encryption, seal func(ctx context.Context, c *xmpp.Conn, m *stanza.Message) error) {
	f := h.register()
	f.encryptFor, f.seal = For, seal
}

// A SealError is an encryption's answer that a message cannot be
// encrypted (no device of the contact's to encrypt for, none trusted):
// the message fails, with Reason (history.Message's Error).
type SealError struct{ Reason string }

func (e *SealError) Error() string { return "cannot encrypt: " + e.Reason }

// Errors of encrypted chats.
var (
	// ErrFileNotEncrypted: a file's address would go in the clear in a
	// chat whose messages are encrypted.
	ErrFileNotEncrypted = errors.New("core: files are not sent in an encrypted chat")
	// ErrSubjectNotEncrypted: a subject would go in the clear (only the
	// text is encrypted).
	ErrSubjectNotEncrypted = errors.New("core: a subject is not sent in an encrypted chat")
	// ErrNotSentYet: the message is still waiting to be encrypted and
	// sent; it can be corrected once it has gone.
	ErrNotSentYet = errors.New("core: the message has not gone out yet")
)

// ReasonNoEncryption is the reason a message stored to be encrypted
// fails when the session has no encryption any more (history.Message's
// Error).
const ReasonNoEncryption = "no-encryption"

// sealRetry is how long a peer's queue waits, on a live connection,
// after a message could not be encrypted for a passing reason (a key
// that could not be fetched now) before it tries again.
const sealRetry = 30 * time.Second

// sealTimeout bounds one message's encryption (keys fetched included).
const sealTimeout = time.Minute

// encryptionFor is how a message to peer is to be encrypted now.
func (s *Session) encryptionFor(peer string) history.Encryption {
	if s.hooks.encryptFor == nil {
		return history.NotEncrypted
	}
	return s.hooks.encryptFor(peer)
}

// sealer writes the session's encrypted messages: one queue per peer,
// in the order they were handed to it, each on a goroutine of its own
// while it has work (a contact whose keys cannot be fetched holds only
// its own chat). A message in the clear to a peer whose queue waits goes
// behind it, so that it does not overtake.
type sealer struct {
	mu    sync.Mutex
	peers map[string]*sealQueue
}

type sealQueue struct {
	jobs []sealJob
}

type sealJob struct {
	conn  *xmpp.Conn
	m     history.Message
	st    stanza.Message
	plain bool // written as it is, in its turn
}

// queued reports whether peer's queue holds messages.
func (q *sealer) queued(peer string) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.peers[peer] != nil
}

// sealAndWrite queues st (m's stanza, to be encrypted unless plain) for
// conn, behind what waits for m's peer.
func (s *Session) sealAndWrite(conn *xmpp.Conn, m history.Message, st stanza.Message, plain bool) {
	q := &s.sealer
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.peers == nil {
		q.peers = map[string]*sealQueue{}
	}
	pq := q.peers[m.Peer]
	if pq == nil {
		pq = &sealQueue{}
		q.peers[m.Peer] = pq
		go s.runSeals(m.Peer, pq)
	}
	pq.jobs = append(pq.jobs, sealJob{conn, m, st, plain})
}

// runSeals works through peer's queue, then ends.
func (s *Session) runSeals(peer string, pq *sealQueue) {
	q := &s.sealer
	for {
		q.mu.Lock()
		if len(pq.jobs) == 0 {
			delete(q.peers, peer)
			q.mu.Unlock()
			return
		}
		j := pq.jobs[0]
		q.mu.Unlock()
		if s.seal(j) {
			q.mu.Lock()
			pq.jobs = pq.jobs[1:]
			q.mu.Unlock()
			continue
		}
		// A passing failure: the queue waits, in order, for the
		// connection to end (what it held goes again on the next one)
		// or for the next try.
		select {
		case <-j.conn.Done():
		case <-time.After(sealRetry):
		}
	}
}

// seal encrypts one message and writes it; what fails for good is marked
// so, what fails with the connection waits for the next one. It reports
// whether the message is done with here (false: try it again).
func (s *Session) seal(j sealJob) bool {
	select {
	case <-j.conn.Done():
		s.outbox.unwritten(j.m.OriginID, j.conn)
		return true // the next connection writes it again
	default:
	}
	if !s.outbox.has(j.m.OriginID) {
		return true // acknowledged meanwhile by an earlier copy
	}
	if !j.plain {
		ctx, cancel := context.WithTimeout(context.Background(), sealTimeout)
		err := s.hooks.seal(ctx, j.conn, &j.st)
		cancel()
		var se *SealError
		switch {
		case errors.As(err, &se):
			s.client.logf("%s: a message to %s was not sent: cannot encrypt (%s)", s.jid(), j.m.Peer, se.Reason)
			if s.outbox.done(j.m.OriginID) {
				s.setMessageState(j.m, history.StateError, se.Reason)
			}
			return true
		case err != nil:
			select {
			case <-j.conn.Done():
				s.outbox.unwritten(j.m.OriginID, j.conn)
				return true
			default:
			}
			s.client.logf("%s: a message to %s waits: %v", s.jid(), j.m.Peer, err)
			return false
		}
	}
	if s.put(j.conn, j.m, j.st) {
		s.setMessageState(j.m, history.StateSent, "")
	} else {
		s.outbox.unwritten(j.m.OriginID, j.conn)
	}
	return true
}
