package muc

import (
	"strings"
	"time"

	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/correct"
	"github.com/causerie/causerie/core/xmpp/markers"
	wire "github.com/causerie/causerie/core/xmpp/muc"
	"github.com/causerie/causerie/core/xmpp/receipts"
	"github.com/causerie/causerie/core/xmpp/sid"
	"gosrc.io/xmpp/stanza"
)

// Private messages through a room (XEP-0045 §7.5): to and from one
// occupant, by nick, kept in the room's conversation with Type "chat"
// and the occupant's nick as Resource, both ways. The room's address
// with the nick is all we know of the occupant (in an anonymous room,
// their own address is hidden from us): only this package can address
// such a message, so the session's outbox never sends one again
// (claimUnfinished).

// SayPrivately sends body to the occupant nick of room, and to no one
// else (§7.5). It is stored first and published (MessageReceived, Type
// "chat", Resource nick), then sent through the room; the server's
// acknowledgement moves it to acknowledged, and an error the room sends
// back (the occupant left, private messages are not allowed) to failed.
func (r *Rooms) SayPrivately(room, nick, body string) (history.Message, error) {
	r.mu.Lock()
	rm, ok := r.rooms[room]
	joined, present := ok && rm.joined, false
	if joined {
		_, present = rm.occupants[nick]
	}
	r.mu.Unlock()
	switch {
	case !joined:
		return history.Message{}, ErrNotInRoom
	case !present:
		return history.Message{}, ErrNoOccupant
	}
	return r.sendStored(history.Message{Peer: room, Resource: nick, Type: "chat", Body: body}, true, func(id string) *stanza.Message {
		return wire.SayPrivately(room, nick, body, id)
	})
}

// private takes a private message from an occupant of one of our rooms:
// stored in the room's conversation before it is acknowledged. Their
// chat states are dropped (the room's tab does not say who types). What
// the session knows how to apply to a stored message (a correction, a
// receipt, a displayed marker) and errors (which mark the message they
// answer failed) are left to it.
func (r *Rooms) private(c *xmpp.Conn, m *stanza.Message) bool {
	if m.Type == stanza.MessageTypeError || m.Type == stanza.MessageTypeHeadline {
		return false
	}
	jid, nick, ok := strings.Cut(m.From, "/")
	if !ok || nick == "" {
		return false // not an occupant
	}
	room := xmpp.BareJID(jid)
	r.mu.Lock()
	rm, in := r.rooms[room]
	ids := in && rm.occupantIDs
	r.mu.Unlock()
	if !in {
		return false
	}
	if _, ok := correct.Of(*m); ok {
		return false
	}
	if m.Body == "" {
		_, receipt := receipts.Received(*m)
		_, marker := markers.Displayed(m)
		return !receipt && !marker
	}
	now := time.Now()
	account := r.h.Account()
	r.storeIn(c, incoming(account, room, nick, "chat", m, sid.StanzaIDBy(m, account), now, now, ids))
	return true
}

// claimUnfinished claims our private messages through rooms that were
// not acknowledged when the session was made: the session would send
// them to the room's own address. They stay as they were shown (the
// occupant may have had them, and may have left).
func (r *Rooms) claimUnfinished(m history.Message) bool {
	if m.Direction != history.Out || m.Type != "chat" {
		return false
	}
	room, err := r.h.History().IsRoom(m.Account, m.Peer)
	return err == nil && room
}
