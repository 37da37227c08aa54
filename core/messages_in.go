package core

import (
	"errors"
	"time"

	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/delay"
	"github.com/causerie/causerie/core/xmpp/sid"
	"gosrc.io/xmpp/stanza"
)

// Incoming messages: stored before they are acknowledged, dated by a
// delay stamp only when our server could have added it, errors attached
// to the message they answer.

// messageIn stores an incoming message with a body or subject (from
// HandleMessage, on the reader goroutine): before it returns, so that
// the XEP-0198 ack never covers a message not in the history.
func (s *Session) messageIn(c *xmpp.Conn, peer string, m *stanza.Message) {
	me := s.jid()
	typ := string(m.Type)
	if typ == "" {
		typ = "normal"
	}
	now := time.Now()
	sent := s.sentTime(peer, m, now)
	origin, wire := sid.Origin(m), ""
	if origin == "" {
		wire = m.Id
	}
	hm := history.Message{
		Account:   me,
		Peer:      peer,
		Resource:  xmpp.ResourceOf(m.From),
		Direction: history.In,
		Type:      typ,
		Body:      m.Body,
		Subject:   m.Subject,
		Thread:    m.Thread,
		Rich:      richOf(m),
		OriginID:  origin,
		WireID:    wire,
		StanzaID:  sid.StanzaIDBy(m, me),
		Sent:      sent,
		Received:  now,
		State:     history.StateReceived,
	}
	if err := s.client.store.Add(&hm); err != nil {
		if errors.Is(err, history.ErrDuplicate) {
			// Delivered again (after a lost ack, a resumption, from
			// offline storage): stored once, but the sender may be
			// waiting for the receipt it never got.
			s.answerReceipt(c, peer, m)
			return
		}
		// Not stored, so not acknowledged: the link is dropped and the
		// server delivers the message again (xmpp.Conn.Refuse).
		s.client.logf("history: storing a message from %s failed, asking the server to deliver it again: %v", peer, err)
		s.refuseStanza(c, err)
		return
	}
	s.mu.Lock()
	s.storeFails = 0
	s.mu.Unlock()
	s.client.bus.Publish(MessageReceived{Account: me, Message: hm})
	s.answerReceipt(c, peer, m)
}

// refuseStanza has the connection drop the link without acknowledging
// the stanza being handled (xmpp.Conn.Refuse). When storing keeps
// failing (a full disk), each new try waits longer, up to 30 s, so that
// the session does not spin signing in again.
func (s *Session) refuseStanza(c *xmpp.Conn, err error) {
	s.mu.Lock()
	s.storeFails++
	n := s.storeFails
	s.mu.Unlock()
	if n > 1 {
		time.Sleep(min(250*time.Millisecond<<min(n-2, 7), 30*time.Second))
	}
	c.Refuse(err)
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
		if last, err := s.client.store.Latest(me, peer, 1); err == nil && len(last) == 1 {
			return last[0].Sent
		}
		return time.Time{}
	}
	last, ok, err := s.client.store.LatestReceivedBefore(me, peer, away.Add(-reorderSpan))
	if err != nil || !ok {
		return time.Time{}
	}
	return last.Sent
}

// messageError marks the message an error answers as failed.
func (s *Session) messageError(peer string, m *stanza.Message) {
	me := s.jid()
	reason := m.Error.Reason
	if m.Error.Text != "" {
		reason += ": " + m.Error.Text
	}
	if reason == "" {
		reason = "undefined-condition"
	}
	orig, found, err := s.client.store.FindByOriginID(me, peer, m.Id, history.Out)
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
