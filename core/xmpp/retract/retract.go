// Package retract implements XEP-0424: Message Retraction, and XEP-0425:
// Moderated Message Retraction. The sender of a message asks that it be
// taken back (<retract id='...'/>), with a fallback body for clients that
// do not understand it (XEP-0428); a room's moderator asks the room to
// take back an occupant's message (Moderate), and the room tells
// everyone (Moderation); an archive may hold a tombstone in the message's
// place (Tombstone). The forms of XEP-0424 0.3 and XEP-0425 0.2 (inside
// XEP-0422's <apply-to xmlns='urn:xmpp:fasten:0'/>), which slixmpp 1.8
// and Prosody's mod_muc_moderation use, are read and sent too.
//
// Importing this package registers [Element], [ApplyTo] and the
// tombstones as message extensions of the stanza package.
package retract

import (
	"encoding/xml"

	"github.com/causerie/causerie/core/xmpp/hints"
	"github.com/causerie/causerie/core/xmpp/sid"
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
	stanza.TypeRegistry.MapExtension(stanza.PKTMessage, xml.Name{Space: NS, Local: "retracted"}, retracted{})
	stanza.TypeRegistry.MapExtension(stanza.PKTMessage, xml.Name{Space: NSModerate0, Local: "moderated"}, tombstone0{})
}

// retracted is an archive's tombstone (XEP-0424 §4, XEP-0425 §4):
// <retracted xmlns='urn:xmpp:message-retract:1'/> in the message's place.
type retracted struct {
	XMLName xml.Name `xml:"urn:xmpp:message-retract:1 retracted"`
}

// tombstone0 is mod_muc_moderation's: <moderated
// xmlns='urn:xmpp:message-moderate:0'><retracted
// xmlns='urn:xmpp:message-retract:0'/></moderated>.
type tombstone0 struct {
	XMLName   xml.Name  `xml:"urn:xmpp:message-moderate:0 moderated"`
	Retracted *struct{} `xml:"urn:xmpp:message-retract:0 retracted"`
}

// Tombstone reports whether m, read from an archive, is what is left of
// a message taken back: its text is gone.
func Tombstone(m stanza.Message) bool {
	for _, e := range m.Extensions {
		switch v := e.(type) {
		case retracted, *retracted:
			return true
		case tombstone0:
			return v.Retracted != nil
		case *tombstone0:
			return v.Retracted != nil
		}
	}
	return false
}

// Element is <retract id='...' xmlns='urn:xmpp:message-retract:1'/>;
// from a room, with <moderated/> and a reason, a moderator's (XEP-0425).
type Element struct {
	XMLName   xml.Name   `xml:"urn:xmpp:message-retract:1 retract"`
	ID        string     `xml:"id,attr"`
	Moderated *Moderated `xml:"urn:xmpp:message-moderate:1 moderated"`
	Reason    string     `xml:"reason,omitempty"`
}

// ApplyTo is XEP-0422's <apply-to id='...'>, read for the <retract/> of
// version 0.3 inside it, or a room's <moderated/> of XEP-0425 version
// 0.2 (what Prosody's mod_muc_moderation sends).
type ApplyTo struct {
	XMLName   xml.Name    `xml:"urn:xmpp:fasten:0 apply-to"`
	ID        string      `xml:"id,attr"`
	Retract   *retractOld `xml:"urn:xmpp:message-retract:0 retract"`
	Moderated *moderated0 `xml:"urn:xmpp:message-moderate:0 moderated"`
}

// Moderated is XEP-0425's <moderated by='room@service/nick'/>.
type Moderated struct {
	By string `xml:"by,attr"`
}

type moderated0 struct {
	By      string      `xml:"by,attr"`
	Retract *retractOld `xml:"urn:xmpp:message-retract:0 retract"`
	Reason  string      `xml:"reason"`
}

type retractOld struct {
	XMLName xml.Name `xml:"urn:xmpp:message-retract:0 retract"`
}

// Of returns the id of the message m retracts, its sender's own (a
// moderator's is Moderation's). An error retracts nothing.
func Of(m stanza.Message) (id string, ok bool) {
	r, ok := parse(m)
	if !ok || r.moderated {
		return "", false
	}
	return r.id, true
}

// Moderation returns what a room's moderator took back (XEP-0425): the
// message's id, who did (room@service/nick, as the room says) and why
// ("" when not said). Only the room itself can say so: the caller checks
// that m comes from the room's bare JID.
func Moderation(m stanza.Message) (id, by, reason string, ok bool) {
	r, ok := parse(m)
	if !ok || !r.moderated {
		return "", "", "", false
	}
	return r.id, r.by, r.reason, true
}

type parsed struct {
	id, by, reason string
	moderated      bool
}

func parse(m stanza.Message) (parsed, bool) {
	if m.Type == stanza.MessageTypeError {
		return parsed{}, false
	}
	for _, e := range m.Extensions {
		var el *Element
		var at *ApplyTo
		switch v := e.(type) {
		case *Element:
			el = v
		case Element:
			el = &v
		case *ApplyTo:
			at = v
		case ApplyTo:
			at = &v
		}
		switch {
		case el != nil && el.ID != "":
			if el.Moderated != nil {
				return parsed{id: el.ID, by: el.Moderated.By, reason: el.Reason, moderated: true}, true
			}
			return parsed{id: el.ID}, true
		case at != nil && at.ID != "" && at.Moderated != nil && at.Moderated.Retract != nil:
			return parsed{id: at.ID, by: at.Moderated.By, reason: at.Moderated.Reason, moderated: true}, true
		case at != nil && at.ID != "" && at.Retract != nil:
			return parsed{id: at.ID}, true
		}
	}
	return parsed{}, false
}

const (
	// NSModerate0 and NSModerate1 are XEP-0425's namespaces: the first
	// (version 0.2, in XEP-0422's <apply-to/>) is Prosody's
	// mod_muc_moderation's; a room advertises the one it takes.
	NSModerate0 = "urn:xmpp:message-moderate:0"
	NSModerate1 = "urn:xmpp:message-moderate:1"
)

// moderate0 is the request of XEP-0425 0.2, inside <apply-to/>.
type moderate0 struct {
	XMLName xml.Name    `xml:"urn:xmpp:message-moderate:0 moderate"`
	Retract *retractOld `xml:"urn:xmpp:message-retract:0 retract"`
	Reason  string      `xml:"reason,omitempty"`
}

// request0 is <apply-to id='...'><moderate/></apply-to>, an IQ payload.
type request0 struct {
	XMLName  xml.Name  `xml:"urn:xmpp:fasten:0 apply-to"`
	ID       string    `xml:"id,attr"`
	Moderate moderate0 `xml:"urn:xmpp:message-moderate:0 moderate"`
}

func (*request0) Namespace() string         { return NSFasten }
func (*request0) GetSet() *stanza.ResultSet { return nil }

// request1 is <moderate id='...' xmlns='urn:xmpp:message-moderate:1'/>.
type request1 struct {
	XMLName xml.Name `xml:"urn:xmpp:message-moderate:1 moderate"`
	ID      string   `xml:"id,attr"`
	Retract struct {
		XMLName xml.Name `xml:"urn:xmpp:message-retract:1 retract"`
	}
	Reason string `xml:"reason,omitempty"`
}

func (*request1) Namespace() string         { return NSModerate1 }
func (*request1) GetSet() *stanza.ResultSet { return nil }

// Moderate is a moderator's request to room to take back its message id
// (the room's stanza-id for it), in the version of XEP-0425 the room
// advertises (ns: NSModerate0 or NSModerate1).
func Moderate(ns, room, id, reason string) *stanza.IQ {
	var p stanza.IQPayload = &request1{ID: id, Reason: reason}
	if ns == NSModerate0 {
		p = &request0{ID: id, Moderate: moderate0{Retract: &retractOld{}, Reason: reason}}
	}
	return &stanza.IQ{XMLName: xml.Name{Local: "iq"}, Attrs: stanza.Attrs{Type: stanza.IQTypeSet, To: room, Id: sid.New()}, Payload: p}
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
