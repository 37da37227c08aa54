// Package sid implements XEP-0359: Unique and Stable Stanza IDs: the
// <origin-id/> a sender adds to its messages and the <stanza-id/> an
// archiving entity (our server, a MUC room) stamps on messages it stores.
//
// Importing this package registers [OriginID] and [StanzaID] as message
// extensions of the stanza package.
package sid

import (
	"crypto/rand"
	"encoding/xml"
	"fmt"

	"github.com/causerie/causerie/core/xmpp"
	"gosrc.io/xmpp/stanza"
)

// NS is the XEP-0359 namespace, also the disco#info feature an entity
// advertises when it stamps stanza-ids.
const NS = "urn:xmpp:sid:0"

func init() {
	stanza.TypeRegistry.MapExtension(stanza.PKTMessage, xml.Name{Space: NS, Local: "origin-id"}, OriginID{})
	stanza.TypeRegistry.MapExtension(stanza.PKTMessage, xml.Name{Space: NS, Local: "stanza-id"}, StanzaID{})
}

// OriginID is <origin-id xmlns='urn:xmpp:sid:0' id='...'/>, set by the
// message's sender.
type OriginID struct {
	XMLName xml.Name `xml:"urn:xmpp:sid:0 origin-id"`
	ID      string   `xml:"id,attr"`
}

// StanzaID is <stanza-id xmlns='urn:xmpp:sid:0' id='...' by='...'/>, set
// by the entity named in By.
type StanzaID struct {
	XMLName xml.Name `xml:"urn:xmpp:sid:0 stanza-id"`
	ID      string   `xml:"id,attr"`
	By      string   `xml:"by,attr"`
}

// New returns a fresh random id (a version 4 UUID, 122 random bits), fit
// for a message id and its origin-id (XEP-0359 §3.1: unique and
// unpredictable).
func New() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("sid: no randomness: " + err.Error())
	}
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// Add sets the message's id to id and adds an origin-id with the same id
// (replacing any origin-id already there).
func Add(m *stanza.Message, id string) {
	m.Id = id
	out := m.Extensions[:0:0]
	for _, e := range m.Extensions {
		switch e.(type) {
		case *OriginID, OriginID:
			continue
		}
		out = append(out, e)
	}
	m.Extensions = append(out, &OriginID{XMLName: xml.Name{Space: NS, Local: "origin-id"}, ID: id})
}

// Origin returns the message's origin-id, or "".
func Origin(m *stanza.Message) string {
	if m == nil {
		return ""
	}
	for _, e := range m.Extensions {
		switch o := e.(type) {
		case *OriginID:
			return o.ID
		case OriginID:
			return o.ID
		}
	}
	return ""
}

// StanzaIDBy returns the id of the message's stanza-id stamped by the
// entity by (a bare JID: our own account for our server's archive, or a
// MUC room), or "" if there is none or more than one.
//
// Only an entity we know stamps ids (it advertises the NS feature in
// disco#info) also strips stanza-ids others forged in its name (XEP-0359
// §4): the caller should ask for the id with its own bare JID (or the
// room's), and only after checking that feature.
func StanzaIDBy(m *stanza.Message, by string) string {
	if m == nil || by == "" {
		return ""
	}
	found, n := "", 0
	for _, e := range m.Extensions {
		var s *StanzaID
		switch v := e.(type) {
		case *StanzaID:
			s = v
		case StanzaID:
			s = &v
		default:
			continue
		}
		if xmpp.SameJID(s.By, by) {
			found = s.ID
			n++
		}
	}
	if n != 1 {
		return ""
	}
	return found
}
