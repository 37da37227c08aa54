// Package correct implements XEP-0308: Last Message Correction: a message
// carrying <replace id='...'/> replaces the payloads of an earlier message
// from the same sender.
//
// Importing this package registers [ReplaceElement]
// ({urn:xmpp:message-correct:0}replace) as a message extension of the
// stanza package.
package correct

import (
	"encoding/xml"

	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/sid"
	"gosrc.io/xmpp/stanza"
)

// NS is the XEP-0308 namespace, also the disco#info feature of a client
// that understands corrections (XEP-0308 §2: send corrections only to
// those, or warn the user that others see a duplicate).
const NS = "urn:xmpp:message-correct:0"

func init() {
	stanza.TypeRegistry.MapExtension(stanza.PKTMessage, xml.Name{Space: NS, Local: "replace"}, ReplaceElement{})
}

// ReplaceElement is <replace id='...' xmlns='urn:xmpp:message-correct:0'/>;
// ID is the id of the message corrected.
type ReplaceElement struct {
	XMLName xml.Name `xml:"urn:xmpp:message-correct:0 replace"`
	ID      string   `xml:"id,attr"`
}

// Replace marks m as the correction of the message id (XEP-0308 §3). The
// correction is a whole new stanza with all the payloads of the original
// (§4) and an id of its own: a message without id, or with id itself, is
// given a fresh one. To correct a message again, pass the id of the
// original, not of the previous correction (§4). Any replace element m
// had is dropped.
func Replace(m *stanza.Message, id string) {
	if m.Id == "" || m.Id == id {
		m.Id = sid.New()
	}
	out := m.Extensions[:0:0]
	for _, e := range m.Extensions {
		switch e.(type) {
		case *ReplaceElement, ReplaceElement:
			continue
		}
		out = append(out, e)
	}
	m.Extensions = append(out, &ReplaceElement{XMLName: xml.Name{Space: NS, Local: "replace"}, ID: id})
}

// Of returns the id of the message m corrects. A replace element without
// id (the schema requires one), or pointing at m itself, is no correction;
// neither is an error message.
func Of(m stanza.Message) (id string, ok bool) {
	if m.Type == stanza.MessageTypeError {
		return "", false
	}
	for _, e := range m.Extensions {
		var r *ReplaceElement
		switch v := e.(type) {
		case *ReplaceElement:
			r = v
		case ReplaceElement:
			r = &v
		default:
			continue
		}
		if r == nil || r.ID == "" || r.ID == m.Id {
			return "", false
		}
		return r.ID, true
	}
	return "", false
}

// From is the sender of a message as the receiving client knows it.
type From struct {
	// JID is the message's from attribute: a contact's full JID, or in
	// a room room@service/nick.
	JID string
	// MUC: the message came through a multi-user chat room (XEP-0045),
	// as a groupchat message or a private message from an occupant.
	MUC bool
	// RealJID is, in a room that reveals it, the occupant's real bare
	// JID; "" when unknown.
	RealJID string
	// OccupantID is the room's XEP-0421 occupant id for the sender; ""
	// when the room gives none.
	OccupantID string
	// Session tells the occupant's presence sessions in the room apart:
	// the caller changes it (a counter, say) on every join presence of the
	// nick, so a leave and rejoin between the two messages shows.
	Session uint64
}

// Valid reports whether a correction from corr may replace a message from
// orig (XEP-0308 §4: "A correction MUST only be allowed when both the
// original message and correction originate from the same sender"):
//
//   - In a direct conversation the bare JIDs must match (the XEP's note:
//     any resource of the account may correct, e.g. after carbons showed
//     it the message); the resource may differ.
//   - In a room (and for room private messages) the full JIDs
//     (room@service/nick) must match, within one presence session of the
//     occupant (§5: a nick that left and came back may be someone else),
//     and where the room reveals real JIDs or XEP-0421 occupant ids, those
//     must match too: known on both sides and equal, or unknown on both.
//   - A message from a room never corrects a direct one, nor the reverse.
//
// Whether the original is recent enough to correct (the XEP covers the
// last message; older ones need negotiation) is the caller's decision.
func Valid(orig, corr From) bool {
	if orig.JID == "" || corr.JID == "" || orig.MUC != corr.MUC {
		return false
	}
	o, oerr := xmpp.ParseJID(orig.JID)
	c, cerr := xmpp.ParseJID(corr.JID)
	if oerr != nil || cerr != nil || o.Bare() != c.Bare() {
		return false
	}
	if !orig.MUC {
		return true
	}
	if o.IsBare() || o != c || orig.Session != corr.Session {
		return false
	}
	if (orig.RealJID == "") != (corr.RealJID == "") || (orig.OccupantID == "") != (corr.OccupantID == "") {
		return false
	}
	if orig.RealJID != "" {
		if !xmpp.SameBare(orig.RealJID, corr.RealJID) {
			return false
		}
	}
	return orig.OccupantID == corr.OccupantID
}
