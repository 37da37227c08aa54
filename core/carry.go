package core

import (
	"bytes"
	"encoding/xml"

	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/blocking"
	"github.com/causerie/causerie/core/xmpp/correct"
	"github.com/causerie/causerie/core/xmpp/roster"
	"github.com/causerie/causerie/core/xmpp/sid"
	"gosrc.io/xmpp/stanza"
)

// When a dropped link cannot be resumed (XEP-0198), what the old
// connection sent and its server never acknowledged is lost with the
// server's session. Messages come back from the outbox; the rest that
// changes something for good is kept here and sent again on the next
// connection, once it is online:
//   - roster sets and block list changes (the IQ's answer goes to a
//     request no longer waiting, and the push that follows updates us);
//   - subscription requests and answers;
//   - message corrections.
// Delivery receipts we gave are owed until acknowledged (receiptsOwed),
// whichever connection wrote them: an archive catch-up may answer on a
// connection that is ending.
// Our available presence is sent anew by every sign-in, and chat states
// and questions (IQ gets) have no value later: those are dropped.

// keepUnacked saves what the ended connection conn still owed.
func (s *Session) keepUnacked(conn *xmpp.Conn) {
	var keep [][]byte
	for _, b := range conn.Unacked() {
		if s.worthCarrying(b) {
			keep = append(keep, b)
		}
	}
	s.mu.Lock()
	s.carry = append(s.carry, keep...)
	s.mu.Unlock()
}

// replayCarried sends what keepUnacked saved, in its order, on conn (a
// new connection). What conn in turn does not get acknowledged is kept
// again when it ends.
func (s *Session) replayCarried(conn *xmpp.Conn) {
	s.mu.Lock()
	carry := s.carry
	s.carry = nil
	s.mu.Unlock()
	for i, b := range carry {
		if err := conn.SendRaw(b); err != nil {
			s.mu.Lock()
			s.carry = append(carry[i:len(carry):len(carry)], s.carry...)
			s.mu.Unlock()
			return
		}
	}
}

// worthCarrying tells whether a stanza of ours must survive the loss of
// the connection it was written on (see above).
func (s *Session) worthCarrying(b []byte) bool {
	d := xml.NewDecoder(bytes.NewReader(b))
	var start xml.StartElement
	for {
		tok, err := d.Token()
		if err != nil {
			return false
		}
		if se, ok := tok.(xml.StartElement); ok {
			start = se
			break
		}
	}
	typ := ""
	for _, a := range start.Attr {
		if a.Name.Local == "type" {
			typ = a.Value
		}
	}
	switch start.Name.Local {
	case "presence":
		switch stanza.StanzaType(typ) {
		case stanza.PresenceTypeSubscribe, stanza.PresenceTypeSubscribed,
			stanza.PresenceTypeUnsubscribe, stanza.PresenceTypeUnsubscribed:
			return true
		}
		return false
	case "iq":
		if typ != string(stanza.IQTypeSet) {
			return false
		}
		for {
			tok, err := d.Token()
			if err != nil {
				return false
			}
			if se, ok := tok.(xml.StartElement); ok {
				return se.Name.Space == roster.NS || se.Name.Space == blocking.NS
			}
		}
	case "message":
		var m stanza.Message
		if xml.Unmarshal(b, &m) != nil {
			return false
		}
		if origin := sid.Origin(&m); origin != "" {
			if s.outbox.has(origin) {
				return false // the outbox sends it again
			}
		}
		_, ok := correct.Of(m)
		return ok
	}
	return false
}
