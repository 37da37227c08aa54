package core

import (
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/xmpp"
)

// Retractions (XEP-0424) that come in one-to-one chats — live, as carbon
// copies, from the archive — take back the message they name when it is
// the sender's own: the peer's for a retraction from the peer, ours for
// one from our other devices. core/retract sends ours; core/muc applies a
// room's.

// Retract applies a retraction of the message of the conversation with
// peer named target, when may accepts that message's sender as the one
// asking, and publishes it (MessageRetracted). found is false when no
// such message is stored (yet); moderated: a room's moderator took it
// back (XEP-0425). It is how a feature applies the
// retractions it takes (a room's, ours); one taken from a stanza on c
// runs after what came before it on c is stored (Flush).
func (h *Hook) Retract(peer, target string, may func(history.Message) bool, moderated bool) (found bool) {
	return h.s.retract(peer, target, may, moderated)
}

// Flush stores at once what the messages received on c so far hold
// (Store, Move), before a feature acts on them; false when that failed
// (the stanza is then refused, and the server sends it again). With c
// nil, what waits to be stored is stored now.
func (h *Hook) Flush(c *xmpp.Conn) bool { return h.s.flushFirst(c) }

func (s *Session) retract(peer, target string, may func(history.Message) bool, moderated bool) bool {
	me := s.jid()
	m, found, done, err := s.client.store.Retract(me, peer, target, may, moderated)
	if err != nil {
		s.client.logf("history: retraction in %s: %v", peer, err)
		return found
	}
	if done {
		s.client.bus.Publish(MessageRetracted{Account: me, Message: m})
	}
	return found
}

// fromSender says a retraction in a one-to-one chat may take back a
// message of direction dir: the peer's own, or ours.
func fromSender(dir history.Direction) func(history.Message) bool {
	return func(m history.Message) bool { return m.Direction == dir }
}
