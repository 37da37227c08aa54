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

// ErrFileNotEncrypted: a file's address would go in the clear in a chat
// whose messages are encrypted.
var ErrFileNotEncrypted = errors.New("core: files are not sent in an encrypted chat")

// sealRetry is how long a message that could not be encrypted for a
// passing reason (a key that could not be fetched) waits on a live
// connection before it is tried again.
const sealRetry = 30 * time.Second

// retrySeal writes j's message again on its connection, if that is
// still the session's and the message still waits.
func (s *Session) retrySeal(j sealJob) {
	s.sendMu.Lock()
	defer s.sendMu.Unlock()
	s.mu.Lock()
	live := s.live
	s.mu.Unlock()
	if live == j.conn && s.outbox.has(j.m.OriginID) {
		s.transmit(j.conn, j.m, j.m.Peer)
	}
}

// sealTimeout bounds one message's encryption (keys fetched included).
const sealTimeout = time.Minute

// encryptionFor is how a message to peer is to be encrypted now.
func (s *Session) encryptionFor(peer string) history.Encryption {
	if s.hooks.encryptFor == nil {
		return history.NotEncrypted
	}
	return s.hooks.encryptFor(peer)
}

// sealer writes the session's encrypted messages, in the order they
// were handed to it, on one goroutine at a time.
type sealer struct {
	mu      sync.Mutex
	queue   []sealJob
	running bool
}

type sealJob struct {
	conn *xmpp.Conn
	m    history.Message
	st   stanza.Message
}

// sealAndWrite queues st (m's stanza, to be encrypted) for conn.
func (s *Session) sealAndWrite(conn *xmpp.Conn, m history.Message, st stanza.Message) {
	q := &s.sealer
	q.mu.Lock()
	q.queue = append(q.queue, sealJob{conn, m, st})
	if q.running {
		q.mu.Unlock()
		return
	}
	q.running = true
	q.mu.Unlock()
	go func() {
		for {
			q.mu.Lock()
			if len(q.queue) == 0 {
				q.running = false
				q.mu.Unlock()
				return
			}
			j := q.queue[0]
			q.queue = q.queue[1:]
			q.mu.Unlock()
			s.seal(j)
		}
	}()
}

// seal encrypts one message and writes it; what fails for good is marked
// so, what fails with the connection waits for the next one.
func (s *Session) seal(j sealJob) {
	select {
	case <-j.conn.Done():
		s.outbox.unwritten(j.m.OriginID, j.conn)
		return
	default:
	}
	if !s.outbox.has(j.m.OriginID) {
		return // acknowledged meanwhile by an earlier copy
	}
	ctx, cancel := context.WithTimeout(context.Background(), sealTimeout)
	defer cancel()
	err := s.hooks.seal(ctx, j.conn, &j.st)
	var se *SealError
	switch {
	case errors.As(err, &se):
		s.client.logf("%s: a message to %s was not sent: cannot encrypt (%s)", s.jid(), j.m.Peer, se.Reason)
		if s.outbox.done(j.m.OriginID) {
			s.setMessageState(j.m, history.StateError, se.Reason)
		}
	case err != nil:
		// The link, or a key that could not be fetched: tried again
		// on the next connection, or in a while on this one.
		s.client.logf("%s: a message to %s waits: %v", s.jid(), j.m.Peer, err)
		s.outbox.unwritten(j.m.OriginID, j.conn)
		time.AfterFunc(sealRetry, func() { s.retrySeal(j) })
	default:
		if s.put(j.conn, j.m, j.st) {
			s.setMessageState(j.m, history.StateSent, "")
		}
	}
}
