package core

import (
	"time"

	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/reactions"
	"gosrc.io/xmpp/stanza"
)

// Reactions (XEP-0444) that come in one-to-one chats — live, as carbon
// copies, from the archive — are kept by the id they name (the message
// may be stored later) and published (ReactionsChanged); core/reactions
// sends ours, core/muc keeps a room's.

// Reacted keeps sender's reactions to the message of the conversation
// with peer named target, sent at at, and publishes the change. It is
// how a feature keeps reactions it took (a room's).
func (h *Hook) Reacted(peer, target, sender string, emojis []string, at time.Time) {
	h.s.reacted(peer, target, sender, emojis, at)
}

func (s *Session) reacted(peer, target, sender string, emojis []string, at time.Time) {
	me := s.jid()
	changed, err := s.client.store.SetReactions(me, peer, target, sender, emojis, at)
	if err != nil {
		s.client.logf("history: reactions in %s: %v", peer, err)
		return
	}
	if changed {
		s.client.bus.Publish(ReactionsChanged{Account: me, Peer: peer, Target: target, Sender: sender, Emojis: emojis})
	}
}

// reactionsIn keeps the reactions m carries, if any, in the
// conversation with peer (dir: the peer's or ours), sent at at(), after
// storing what came before on c (the conversation may be new in it).
func (s *Session) reactionsIn(c *xmpp.Conn, peer string, dir history.Direction, m *stanza.Message, at func() time.Time) {
	target, emojis, ok := reactions.Of(*m)
	if !ok || !s.flushFirst(c) {
		return
	}
	sender := peer
	if dir == history.Out {
		sender = s.jid()
	}
	s.reacted(peer, target, sender, emojis, at())
}
