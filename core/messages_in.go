package core

import (
	"sync"
	"time"

	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/delay"
	"github.com/causerie/causerie/core/xmpp/sid"
	"gosrc.io/xmpp/stanza"
)

// Incoming messages: stored before they are acknowledged, a burst in one
// transaction, dated by a delay stamp only when our server could have
// added it, errors attached to the message they answer.

// inBatch holds the messages of a burst between the handler and the
// connection's next flush (xmpp.Config.Flush: before any ack covers them,
// and as soon as the reader has read all it received). They are stored
// in one transaction, one fsync for the burst instead of one each; then
// they are published and their receipts sent. A burst of resent stanzas
// after a resumption is so acknowledged in milliseconds, before the
// server's queue (Prosody: 500) overflows.
type inBatch struct {
	mu        sync.Mutex
	msgs      []*history.Message
	after     []func(dup bool) // per message, once stored
	moves     []history.Move   // delivery states: acks and receipts for our messages
	moveAfter []func(moved bool)
}

// add adds a message to the burst; after runs once it is stored. It
// reports whether the burst is full (maxBurst): time to flush.
func (b *inBatch) add(m *history.Message, after func(dup bool)) (full bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.msgs = append(b.msgs, m)
	b.after = append(b.after, after)
	return len(b.msgs) >= maxBurst
}

// move adds a delivery state change of one of our messages to the burst
// (the server's ack, the peer's receipt); after runs once it is stored.
func (b *inBatch) move(mv history.Move, after func(moved bool)) {
	b.mu.Lock()
	b.moves = append(b.moves, mv)
	b.moveAfter = append(b.moveAfter, after)
	b.mu.Unlock()
}

// latest is the latest Sent among the burst's messages from peer.
func (b *inBatch) latest(peer string) (t time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, m := range b.msgs {
		if m.Peer == peer && m.Sent.After(t) {
			t = m.Sent
		}
	}
	return t
}

// flushIn stores the burst (xmpp.Config.Flush). When storing fails, none
// of it is kept or acknowledged: the connection drops the link and the
// server delivers it again; failures in a row wait longer each time, up
// to 30 s, so that a full disk does not make the session spin.
func (s *Session) flushIn() error {
	s.in.mu.Lock()
	defer s.in.mu.Unlock()
	if len(s.in.msgs) == 0 && len(s.in.moves) == 0 {
		return nil
	}
	b := &history.Burst{Adds: s.in.msgs, Moves: s.in.moves}
	after, moveAfter := s.in.after, s.in.moveAfter
	s.in.msgs, s.in.after, s.in.moves, s.in.moveAfter = nil, nil, nil, nil
	if err := s.client.store.Commit(b); err != nil {
		s.client.logf("history: storing %d received messages failed, asking the server to deliver them again: %v", len(b.Adds), err)
		s.storeFailed()
		return err
	}
	s.mu.Lock()
	s.storeFails = 0
	s.mu.Unlock()
	for i, f := range after {
		f(b.Dup[i])
	}
	s.stateMu.Lock()
	for i, f := range moveAfter {
		f(b.Moved[i])
	}
	s.stateMu.Unlock()
	return nil
}

// flushFirst stores the burst before a handler reads what it holds (a
// correction looks up the message it replaces). If that fails the stanza
// being handled is refused (xmpp.Conn.Refuse) and flushFirst is false. A
// stanza fed without a connection (c nil: tests) is stored at once.
func (s *Session) flushFirst(c *xmpp.Conn) bool {
	if c == nil {
		return s.flushIn() == nil
	}
	if err := c.Flush(); err != nil {
		c.Refuse(err)
		return false
	}
	return true
}

// messageIn stores an incoming message with a body or subject (from
// HandleMessage, on the reader goroutine) in the current burst (inBatch),
// which the connection flushes before any XEP-0198 ack covers it. copied:
// a carbon copy, whose receipt the device that received it answers. d is
// how it came encrypted (Hook.Decrypt), if it did.
func (s *Session) messageIn(c *xmpp.Conn, peer string, m *stanza.Message, copied bool, d Decrypted) {
	me := s.jid()
	now := time.Now()
	hm := stored(me, peer, history.In, m, s.sentTime(peer, m, now), now)
	hm.StanzaID = sid.StanzaIDBy(m, me)
	commit := d.apply(&hm)
	full := s.in.add(&hm, func(dup bool) {
		commit()
		if !dup {
			s.client.bus.Publish(MessageReceived{Account: me, Message: hm, Copy: copied})
		}
		if copied {
			return
		}
		// A duplicate was delivered again (after a lost ack, a
		// resumption, from offline storage): stored once, but the sender
		// may be waiting for the receipt it never got.
		if c != nil {
			s.answerReceipt(c, peer, m)
		}
	})
	if full {
		s.flushFirst(c)
	}
}

// ignored reports whether a message from peer is dropped because the
// account ignores strangers (account.Account.IgnoreStrangers): peer is
// not in the contact list, is not us or our server, and was never written
// to from this account (a reply to our first message is awaited, not a
// stranger's). The message is still acknowledged: nothing of it is kept.
func (s *Session) ignored(c *xmpp.Conn, peer string) bool {
	if !s.Account().IgnoreStrangers {
		return false
	}
	me := s.jid()
	if peer == me || (c != nil && peer == c.Domain()) {
		return false
	}
	if ct, ok := s.roster.Contact(peer); ok && ct.InRoster {
		return false
	}
	// Our messages to peer are stored before they are sent, never in a
	// burst: the history answers.
	sent, err := s.client.store.HasSent(me, peer)
	return err == nil && !sent
}

// maxBurst bounds a burst: a server that never lets the reader catch up
// gets one transaction per maxBurst messages, not one ever-growing one.
const maxBurst = 64

// storeFailed counts a failure to store received messages in a row and,
// from the second, waits longer each time, up to 30 s, before the link is
// dropped for the server to deliver them again.
func (s *Session) storeFailed() {
	s.mu.Lock()
	s.storeFails++
	n := s.storeFails
	s.mu.Unlock()
	if n > 1 {
		time.Sleep(min(250*time.Millisecond<<min(n-2, 7), 30*time.Second))
	}
}

// sentTime is when a received message was sent. A delay stamp (XEP-0203,
// XEP-0091) is a claim anyone can write, even with our server's name in
// its from; so one counts only when our own server could have added it
// (from our domain or bare JID, as offline storage does) and only within
// the time it could be true: while we were away — before this connection
// signed in — and after the conversation's latest message (in the first
// seconds of a connection: the latest one from before it, delayFloor).
// Otherwise the
// message is dated when it arrived: a stranger's 2099 cannot pin its chat
// above every other, nor a forged old stamp slip a message in among older
// ones.
func (s *Session) sentTime(peer string, m *stanza.Message, now time.Time) time.Time {
	me, _ := xmpp.ParseJID(s.jid())
	sent, ok := delay.FromMessageBy(m, func(from string) bool {
		f, err := xmpp.ParseJID(from)
		return err == nil && (f == me.DomainJID() || f == me.Bare())
	})
	if !ok {
		return now
	}
	s.mu.Lock()
	away := s.connectedAt
	s.mu.Unlock()
	if away.IsZero() || away.After(now) {
		away = now
	}
	if sent.After(away) {
		return now // said to be sent while we were here: not stored for us
	}
	if sent.Nanosecond() == 0 {
		// A stamp to the second (Prosody's offline storage): the message
		// was stored at some time in that second. Its end keeps it after
		// what arrived in that second before it.
		if sent = sent.Add(time.Second - time.Millisecond); sent.After(away) {
			sent = away
		}
	}
	if floor := s.delayFloor(peer, away, now); sent.Before(floor) {
		return floor
	}
	return sent
}

// settleTime is how long after signing in what our server kept for us
// may still arrive after the first live messages: a session it could
// not resume hands its queue over asynchronously (ejabberd), offline
// storage is emptied on our first presence.
const settleTime = 30 * time.Second

// reorderSpan is how far back before a fresh sign-in a message our
// server kept can still be placed by its stamp: about the time a server
// keeps a session to resume (ejabberd 300 s).
const reorderSpan = 5 * time.Minute

// delayFloor is the earliest date a delayed message from peer may take:
// after the conversation's latest message — or, in the first seconds of
// a connection that started signing in at away, after the latest one
// received more than reorderSpan before that. What a server kept for us
// may come after messages that were sent later: ejabberd hands the queue
// of a session it could not resume to the new one only after that has
// begun receiving, Prosody may put it in offline storage after our first
// presence (so it comes with the next sign-in). Its stamp, from our
// server, puts it back in the order it was sent. A forged stamp can at
// worst do the same among the messages of those few minutes.
func (s *Session) delayFloor(peer string, away, now time.Time) time.Time {
	me := s.jid()
	if now.Sub(away) >= settleTime {
		floor := s.in.latest(peer) // not stored yet: later than what is
		if last, err := s.client.store.Latest(me, peer, 1); err == nil && len(last) == 1 && last[0].Sent.After(floor) {
			floor = last[0].Sent
		}
		return floor
	}
	last, ok, err := s.client.store.LatestReceivedBefore(me, peer, away.Add(-reorderSpan))
	if err != nil || !ok {
		return time.Time{}
	}
	return last.Sent
}

// messageError marks the message an error answers as failed.
func (s *Session) messageError(c *xmpp.Conn, peer string, m *stanza.Message) {
	if !s.flushFirst(c) {
		return
	}
	me := s.jid()
	reason := m.Error.Reason
	if m.Error.Text != "" {
		reason += ": " + m.Error.Text
	}
	if reason == "" {
		reason = "undefined-condition"
	}
	orig, found, err := s.client.store.FindByOriginID(me, peer, m.Id, history.Out)
	if err == nil && !found && m.Body == "" {
		// An error for a stanza of ours without text that we did not
		// store: a receipt, a marker or a chat state the server could
		// not deliver (a contact's device went away). Nothing to show.
		return
	}
	if err != nil || !found {
		// An error for something we did not store: keep it visible.
		hm := history.Message{Account: me, Peer: peer, Direction: history.In, Type: "error",
			Body: m.Body, OriginID: m.Id, Sent: time.Now(), State: history.StateError, Error: reason}
		if s.client.store.Add(&hm) == nil {
			s.client.bus.Publish(MessageReceived{Account: me, Message: hm})
		}
		return
	}
	s.outbox.done(orig.OriginID)
	s.setMessageState(orig, history.StateError, reason)
}
