// Package receipts implements XEP-0184: Message Delivery Receipts: asking
// for a receipt when sending a content message, answering such a request
// with an ack message, and reading the acks.
//
// Importing this package registers [RequestElement]
// ({urn:xmpp:receipts}request) and [ReceivedElement] ({urn:xmpp:receipts}received) as message
// extensions of the stanza package (replacing gosrc's ReceiptRequest and
// ReceiptReceived; the readers here still recognise those).
package receipts

import (
	"encoding/xml"

	"github.com/causerie/causerie/core/xmpp/sid"
	"gosrc.io/xmpp/stanza"
)

// NS is the XEP-0184 namespace, also the disco#info feature of an entity
// that supports receipts.
const NS = "urn:xmpp:receipts"

func init() {
	stanza.TypeRegistry.MapExtension(stanza.PKTMessage, xml.Name{Space: NS, Local: "request"}, RequestElement{})
	stanza.TypeRegistry.MapExtension(stanza.PKTMessage, xml.Name{Space: NS, Local: "received"}, ReceivedElement{})
}

// RequestElement is <request xmlns='urn:xmpp:receipts'/>, in a content
// message whose sender wants a receipt.
type RequestElement struct {
	XMLName xml.Name `xml:"urn:xmpp:receipts request"`
}

// ReceivedElement is <received xmlns='urn:xmpp:receipts' id='...'/>, in
// an ack message; ID is the id of the content message acknowledged.
type ReceivedElement struct {
	XMLName xml.Name `xml:"urn:xmpp:receipts received"`
	ID      string   `xml:"id,attr,omitempty"`
}

func isRequest(e stanza.MsgExtension) bool {
	switch e.(type) {
	case *RequestElement, RequestElement, *stanza.ReceiptRequest, stanza.ReceiptRequest:
		return true
	}
	return false
}

// received returns the id of a <received/> extension, and whether e is one.
func received(e stanza.MsgExtension) (string, bool) {
	switch v := e.(type) {
	case *ReceivedElement:
		return v.ID, v != nil
	case ReceivedElement:
		return v.ID, true
	case *stanza.ReceiptReceived:
		return v.ID, v != nil
	case stanza.ReceiptReceived:
		return v.ID, true
	}
	return "", false
}

func isAck(m stanza.Message) bool {
	for _, e := range m.Extensions {
		if _, ok := received(e); ok {
			return true
		}
	}
	return false
}

// Request asks for a receipt for m (XEP-0184 §7). A content message that
// requests a receipt must have an id, so a message without one is given a
// fresh one. Request does nothing to an error message or to an ack
// message (§5.4: a request in an ack could make two clients loop).
// Requesting receipts in a MUC room is NOT RECOMMENDED (§5.3): every
// occupant would answer.
func Request(m *stanza.Message) {
	if m.Type == stanza.MessageTypeError || isAck(*m) {
		return
	}
	for _, e := range m.Extensions {
		if isRequest(e) {
			return
		}
	}
	if m.Id == "" {
		m.Id = sid.New()
	}
	m.Extensions = append(m.Extensions, &RequestElement{})
}

// Requested reports whether the message asks for a receipt.
func Requested(m stanza.Message) bool {
	for _, e := range m.Extensions {
		if isRequest(e) {
			return true
		}
	}
	return false
}

// Received returns the id of the content message an ack message
// acknowledges. A <received/> without id (XEP-0184 before 1.1 had none:
// the ack message reused the content message's id) falls back to the ack
// message's own id. Errors (a bounced ack of ours) acknowledge nothing.
func Received(m stanza.Message) (id string, ok bool) {
	if m.Type == stanza.MessageTypeError {
		return "", false
	}
	for _, e := range m.Extensions {
		if id, ok := received(e); ok {
			if id == "" {
				id = m.Id
			}
			return id, id != ""
		}
	}
	return "", false
}

// Ack returns the ack message for the content message id received from
// to (XEP-0184 §7, Example 4): only the <received/> element, with a fresh
// id of its own and no type. Answer applies the rules and copies the
// type; use Ack directly only when they were checked.
func Ack(to, id string) stanza.Message {
	m := stanza.NewMessage(stanza.Attrs{To: to, Id: sid.New()})
	m.Extensions = append(m.Extensions, &ReceivedElement{ID: id})
	return m
}

// Answer returns the ack message for a received message, or false when
// none is due:
//   - the message asks for no receipt, or is itself an ack (§5.4);
//   - it is of type error or groupchat (receipts in rooms are NOT
//     RECOMMENDED, §5.3, and an ack to a room goes to every occupant);
//   - it has no id (nothing to acknowledge; §7 makes the id a MUST) or no
//     sender.
//
// The ack goes to the sender's full JID, with the type of the content
// message (§7: "good practice to use the same message type").
//
// The caller must still only answer (§7, §8) when receipts are enabled,
// to senders allowed to see our presence, and only on first reception: not
// for messages fetched from an archive (§5.5; XEP-0313) or delivered again.
func Answer(m stanza.Message) (stanza.Message, bool) {
	if !Requested(m) || isAck(m) || m.Id == "" || m.From == "" {
		return stanza.Message{}, false
	}
	if m.Type == stanza.MessageTypeError || m.Type == stanza.MessageTypeGroupchat {
		return stanza.Message{}, false
	}
	a := Ack(m.From, m.Id)
	a.Type = m.Type
	return a, true
}
