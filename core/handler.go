package core

import (
	"time"

	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/caps"
	"github.com/causerie/causerie/core/xmpp/correct"
	"github.com/causerie/causerie/core/xmpp/disco"
	"github.com/causerie/causerie/core/xmpp/markers"
	"github.com/causerie/causerie/core/xmpp/receipts"
	"github.com/causerie/causerie/core/xmpp/retract"
	"github.com/causerie/causerie/core/xmpp/roster"
	"github.com/causerie/causerie/core/xmpp/version"
	"gosrc.io/xmpp/stanza"
)

// The Session is the connection's handler: it turns each stanza into core
// values once, on the reader goroutine, in wire order. The features
// attached to the session see each stanza first and may claim it
// (feature.go). A received message joins the current burst, which the
// connection has stored (Session.flushIn) before any XEP-0198 ack covers
// it, so the server never forgets a message that is not in the history.

// HandleMessage stores incoming messages (messages_in.go) and attaches
// errors to the message they answer; receipts, chat states, corrections
// and avatar notifications go to their own parts.
//
// c is nil when a stanza is fed without a connection (tests): what it
// changes is then stored before HandleMessage returns.
func (s *Session) HandleMessage(c *xmpp.Conn, m *stanza.Message) {
	if c == nil {
		defer s.flushIn()
	}
	if s.hooks.message(c, m) {
		return
	}
	peer := xmpp.BareJID(m.From)
	switch {
	case m.From == "":
		peer = c.Domain() // our server
	case peer == "":
		// Servers stamp from: one that is not an address is their bug.
		s.client.logf("ignored a message from an invalid address")
		return
	}
	if m.Type == stanza.MessageTypeError {
		s.messageError(c, peer, m)
		return
	}
	s.received(c, peer, m, false)
}

// received handles a message from peer that is not an error: a
// stranger's is dropped when the account ignores strangers; receipts,
// chat states and corrections go to their own parts, and a message with
// a body or subject is stored. copied: it is a carbon copy of what
// another of our devices received (Hook.Copied), which answered its
// receipt request and saw any avatar notification.
func (s *Session) received(c *xmpp.Conn, peer string, m *stanza.Message, copied bool) {
	if s.ignored(c, peer) {
		return // a stranger, and the account ignores them: nothing is kept
	}
	if !copied && s.avatarNotification(c, peer, m) {
		return
	}
	if id, ok := receipts.Received(*m); ok {
		s.delivered(peer, id)
	}
	if id, ok := markers.Displayed(m); ok {
		s.displayed(peer, id)
	}
	s.chatIn(peer, m)
	s.reactionsIn(c, peer, history.In, m, func() time.Time { return s.sentTime(peer, m, time.Now()) })
	if id, ok := retract.Of(*m); ok {
		// What it takes back may be in this burst. Its body is for
		// clients without retractions: not a message.
		if s.flushFirst(c) {
			s.retract(peer, id, fromSender(history.In), false)
		}
		return
	}
	d, enc := s.decrypted(c, peer, m)
	if enc && d.keyOnly() {
		return
	}
	if m.Body == "" && m.Subject == "" && d.Err == "" {
		return // a chat state, a receipt or reactions alone
	}
	if id, ok := correct.Of(*m); ok && d.Err == "" {
		// It looks up the message it replaces, maybe in this burst.
		if !s.flushFirst(c) {
			return
		}
		if s.applyCorrection(peer, id, m, history.In, d.Encryption) {
			if d.Commit != nil {
				d.Commit()
			}
			if !copied {
				s.answerReceipt(c, peer, m)
			}
			return
		}
	}
	s.messageIn(c, peer, m, copied, d)
}

// HandlePresence tracks contacts' presence and subscription requests
// (presence.go).
func (s *Session) HandlePresence(c *xmpp.Conn, p *stanza.Presence) {
	if s.hooks.presence(c, p) {
		return
	}
	s.presenceIn(c, p)
}

// HandleIQ routes IQ requests through the session's xmpp.Mux: those the
// session answers itself (routeIQs) and its features' (Hook.HandleIQ).
// The connection answers the others service-unavailable.
func (s *Session) HandleIQ(c *xmpp.Conn, iq *stanza.IQ) bool { return s.hooks.mux.HandleIQ(c, iq) }

// routeIQs registers the requests the session answers: roster pushes, and
// questions about us (software version, disco#info).
func (s *Session) routeIQs() {
	m := &s.hooks.mux
	m.HandleIQFunc(roster.NS, "query", s.rosterPush)
	m.HandleIQFunc(version.NS, "query", func(c *xmpp.Conn, iq *stanza.IQ) {
		if !version.Answer(c, iq, s.client.versionInfo()) {
			c.SendError(iq, "cancel", "service-unavailable")
		}
	})
	m.HandleIQFunc(disco.NSInfo, "query", func(c *xmpp.Conn, iq *stanza.IQ) {
		s.caps.answered(iq.From)
		if !caps.Answer(c, iq, capsNode, s.client.discoInfo()) {
			c.SendError(iq, "cancel", "service-unavailable")
		}
	})
}
