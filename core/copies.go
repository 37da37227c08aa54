package core

import (
	"time"

	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/correct"
	"github.com/causerie/causerie/core/xmpp/markers"
	"github.com/causerie/causerie/core/xmpp/oob"
	"github.com/causerie/causerie/core/xmpp/reply"
	"github.com/causerie/causerie/core/xmpp/retract"
	"github.com/causerie/causerie/core/xmpp/sid"
	"gosrc.io/xmpp/stanza"
)

// Copied handles a live copy of a one-to-one message that another of our
// devices sent (sent) or received, which our server forwarded to this
// session (XEP-0280 carbons; the feature that calls it checked that the
// copy comes from our own account, and m is the copied message itself).
// It is handled like the messages of this session, from a message
// handler, on the reader goroutine, stored with the burst before the
// copy is acknowledged:
//
//   - received: as if it had come here (a stranger's dropped when the
//     account ignores strangers, receipts and chat states applied,
//     corrections applied), except that its receipt is the other
//     device's to answer;
//   - sent: stored as ours, acknowledged by the server (the other
//     device's resource in Message.Resource); a correction of it is
//     applied; its displayed marker (XEP-0333) marks the conversation
//     read up to that message here too (ReadElsewhere); its chat states
//     and receipts change nothing here.
//
// Both are published as MessageReceived with Copy set. Errors, room
// messages (groupchat) and headlines are ignored.
func (h *Hook) Copied(c *xmpp.Conn, m *stanza.Message, sent bool) {
	s := h.s
	if c == nil {
		defer s.flushIn()
	}
	switch m.Type {
	case stanza.MessageTypeChat, stanza.MessageTypeNormal, "":
	default:
		return
	}
	if !sent {
		if peer := xmpp.BareJID(m.From); peer != "" {
			s.received(c, peer, m, true)
		}
		return
	}
	peer := xmpp.BareJID(m.To)
	if peer == "" {
		return
	}
	if id, ok := markers.Displayed(m); ok {
		// The other device showed the peer's messages up to id. It
		// is stored first: the marker may name a message of this
		// burst.
		if s.flushFirst(c) {
			s.readElsewhere(peer, id)
		}
	}
	s.reactionsIn(c, peer, history.Out, m, time.Now)
	if id, ok := retract.Of(*m); ok {
		if s.flushFirst(c) {
			s.retract(peer, id, fromSender(history.Out), false)
		}
		return
	}
	d, enc := s.decrypted(c, s.jid(), m)
	if enc && d.keyOnly() {
		return
	}
	if m.Body == "" && m.Subject == "" && d.Err == "" {
		return
	}
	if id, ok := correct.Of(*m); ok && d.Err == "" {
		if !s.flushFirst(c) {
			return
		}
		if s.applyCorrection(peer, id, m, history.Out, d.Encryption) {
			if d.Commit != nil {
				d.Commit()
			}
			return
		}
	}
	s.copyOut(c, peer, m, d)
}

// copyOut stores a message another of our devices sent to peer, with the
// current burst.
func (s *Session) copyOut(c *xmpp.Conn, peer string, m *stanza.Message, d Decrypted) {
	me := s.jid()
	now := time.Now()
	hm := stored(me, peer, history.Out, m, now, now)
	hm.State = history.StateAcked // our server has it; delivery unknown
	commit := d.apply(&hm)
	if s.in.add(&hm, func(dup bool) {
		commit()
		if dup {
			return
		}
		s.client.bus.Publish(MessageReceived{Account: me, Message: hm, Copy: true})
		// The user wrote there: they read the conversation there, up
		// to this message. Off the reader goroutine: one write more
		// per copy would slow a burst of them.
		go func() {
			if moved, err := s.client.store.MarkReadAt(hm.ID); err == nil && moved {
				s.client.bus.Publish(ReadElsewhere{Account: me, Peer: peer})
			}
		}()
	}) {
		s.flushFirst(c)
	}
}

// stored is the history record of message m of conversation (me, peer),
// sent at sent and received at now: its text, its ids, and the resource
// it came from (ours for Out: another device's, or this one's).
func stored(me, peer string, dir history.Direction, m *stanza.Message, sent, now time.Time) history.Message {
	typ := string(m.Type)
	if typ == "" {
		typ = "normal"
	}
	// The id attribute is kept even beside an origin-id: displayed
	// markers (XEP-0333) name a message by it, and some clients make the
	// two differ.
	origin, wire := sid.Origin(m), m.Id
	hm := history.Message{
		Account:   me,
		Peer:      peer,
		Resource:  xmpp.ResourceOf(m.From),
		Direction: dir,
		Type:      typ,
		Body:      m.Body,
		Subject:   m.Subject,
		Thread:    m.Thread,
		Rich:      richOf(m),
		OriginID:  origin,
		WireID:    wire,
		Sent:      sent,
		Received:  now,
		State:     history.StateReceived,
		Markable:  dir == history.In && markers.IsMarkable(m),
		OOB:       oob.FileURL(m),
	}
	Replied(&hm, m)
	return hm
}

// Reference is the id others name message m by when they answer it,
// react to it or take it back (XEP-0461, XEP-0444, XEP-0424): a room's
// stanza-id for a room's message, else its origin-id, else its id
// attribute; "" when it has none.
func Reference(m history.Message) string {
	switch {
	case m.Type == "groupchat" && m.StanzaID != "":
		return m.StanzaID
	case m.OriginID != "":
		return m.OriginID
	}
	return m.WireID
}

// QuoteOf is what a reply quotes of m for clients without replies
// (XEP-0428): its text.
func QuoteOf(m history.Message) string { return MessageDoc(m).PlainText() }

// Replied records in hm what m answers (XEP-0461), its quotation of it
// (XEP-0428's fallback) taken out of the body.
func Replied(hm *history.Message, m *stanza.Message) {
	if id, to, ok := reply.Of(*m); ok {
		hm.ReplyID, hm.ReplyTo = id, to
		hm.Body, hm.ReplyQuote = reply.Strip(*m)
	}
}
