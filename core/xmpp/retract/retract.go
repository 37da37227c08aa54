// Package retract implements XEP-0424: Message Retraction: the sender of
// a message asks that it be taken back (<retract id='...'/>), with a
// fallback body for clients that do not understand it (XEP-0428). The
// form of version 0.3 (<apply-to xmlns='urn:xmpp:fasten:0'> around
// <retract xmlns='urn:xmpp:message-retract:0'/>, XEP-0422), which some
// clients still send (slixmpp 1.8), is read and sent too.
//
// Importing this package registers [Element] and [ApplyTo] as message
// extensions of the stanza package.
package retract

import (
	"encoding/xml"

	"github.com/causerie/causerie/core/xmpp/hints"
	"gosrc.io/xmpp/stanza"
)

const (
	// NS is the XEP-0424 namespace, also the disco#info feature of a
	// client that understands retractions.
	NS = "urn:xmpp:message-retract:1"
	// NS0 is the namespace of XEP-0424 before version 0.4, in
	// XEP-0422's <apply-to/> (NSFasten).
	NS0      = "urn:xmpp:message-retract:0"
	NSFasten = "urn:xmpp:fasten:0"

	fallbackNS = "urn:xmpp:fallback:0"
	// FallbackBody is what clients without retractions show.
	FallbackBody = "/me retracted a previous message, but it's unsupported by your client."
)

func init() {
	stanza.TypeRegistry.MapExtension(stanza.PKTMessage, xml.Name{Space: NS, Local: "retract"}, Element{})
	stanza.TypeRegistry.MapExtension(stanza.PKTMessage, xml.Name{Space: NSFasten, Local: "apply-to"}, ApplyTo{})
}

// Element is <retract id='...' xmlns='urn:xmpp:message-retract:1'/>.
type Element struct {
	XMLName xml.Name `xml:"urn:xmpp:message-retract:1 retract"`
	ID      string   `xml:"id,attr"`
}

// ApplyTo is XEP-0422's <apply-to id='...'>, read for the <retract/> of
// version 0.3 inside it.
type ApplyTo struct {
	XMLName xml.Name    `xml:"urn:xmpp:fasten:0 apply-to"`
	ID      string      `xml:"id,attr"`
	Retract *retractOld `xml:"urn:xmpp:message-retract:0 retract"`
}

type retractOld struct {
	XMLName xml.Name `xml:"urn:xmpp:message-retract:0 retract"`
}

// Of returns the id of the message m retracts. An error retracts nothing.
func Of(m stanza.Message) (id string, ok bool) {
	if m.Type == stanza.MessageTypeError {
		return "", false
	}
	for _, e := range m.Extensions {
		switch v := e.(type) {
		case *Element:
			if v.ID != "" {
				return v.ID, true
			}
		case Element:
			if v.ID != "" {
				return v.ID, true
			}
		case *ApplyTo:
			if v.ID != "" && v.Retract != nil {
				return v.ID, true
			}
		case ApplyTo:
			if v.ID != "" && v.Retract != nil {
				return v.ID, true
			}
		}
	}
	return "", false
}

// fallback is XEP-0428's <fallback for='urn:xmpp:message-retract:1'/>:
// the whole body is for clients without retractions.
type fallback struct {
	XMLName xml.Name `xml:"urn:xmpp:fallback:0 fallback"`
	For     string   `xml:"for,attr"`
}

// Set makes m the retraction of message id (XEP-0424 §3, and the form of
// version 0.3 beside it), with the fallback body and a hint that servers
// archive it.
func Set(m *stanza.Message, id string) {
	m.Body = FallbackBody
	m.Extensions = append(m.Extensions,
		&Element{XMLName: xml.Name{Space: NS, Local: "retract"}, ID: id},
		&ApplyTo{XMLName: xml.Name{Space: NSFasten, Local: "apply-to"}, ID: id, Retract: &retractOld{}},
		&fallback{For: NS},
		&hints.Store{})
}
