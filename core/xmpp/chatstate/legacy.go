package chatstate

import (
	"encoding/xml"
	"strings"

	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/sid"
	"gosrc.io/xmpp/stanza"
)

// NSEvent is the XEP-0022 namespace.
const NSEvent = "jabber:x:event"

func init() {
	stanza.TypeRegistry.MapExtension(stanza.PKTMessage, xml.Name{Space: NSEvent, Local: "x"}, EventElement{})
}

// EventElement is XEP-0022's <x xmlns='jabber:x:event'>: in a content
// message, a request for the events named (and no <id/>); in a message
// without content, an event raised about the message whose id <id/>
// quotes, or with no event at all, the cancellation of a composing event.
type EventElement struct {
	XMLName                                  xml.Name
	Offline, Delivered, Displayed, Composing bool
	HasID                                    bool   // an <id/> child is present (possibly empty)
	ID                                       string // its text, trimmed
}

// UnmarshalXML reads the element; unknown children are skipped.
func (x *EventElement) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	*x = EventElement{XMLName: start.Name}
	return xmpp.EachChild(d, func(t xml.StartElement) (bool, error) {
		if t.Name.Space != NSEvent {
			return false, nil
		}
		switch t.Name.Local {
		case "offline":
			x.Offline = true
		case "delivered":
			x.Delivered = true
		case "displayed":
			x.Displayed = true
		case "composing":
			x.Composing = true
		case "id":
			var s string
			if err := d.DecodeElement(&s, &t); err != nil {
				return true, err
			}
			x.HasID, x.ID = true, strings.TrimSpace(s)
			return true, nil
		}
		return false, nil
	})
}

// MarshalXML writes the element: the events, then <id/> when HasID.
func (x EventElement) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	start := xml.StartElement{Name: xml.Name{Space: NSEvent, Local: "x"}}
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	for _, ev := range []struct {
		on   bool
		name string
	}{{x.Offline, "offline"}, {x.Delivered, "delivered"}, {x.Displayed, "displayed"}, {x.Composing, "composing"}} {
		if !ev.on {
			continue
		}
		if err := e.EncodeElement("", xml.StartElement{Name: xml.Name{Local: ev.name}}); err != nil {
			return err
		}
	}
	if x.HasID {
		if err := e.EncodeElement(x.ID, xml.StartElement{Name: xml.Name{Local: "id"}}); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

// LegacyKind says what an XEP-0022 element means.
type LegacyKind uint8

// Kinds of XEP-0022 elements.
const (
	// EventRequest: a content message asks for the events flagged in
	// the LegacyEvent, to be raised quoting the message's id.
	EventRequest LegacyKind = iota + 1
	// EventComposing: the peer is composing a reply to our message ID.
	EventComposing
	// EventCancel: the peer cancelled its composing event for ID (it
	// paused or erased its reply).
	EventCancel
	// EventOffline, EventDelivered, EventDisplayed: our message ID was
	// stored offline (by the server), delivered, displayed.
	EventOffline
	EventDelivered
	EventDisplayed
)

var legacyNames = [...]string{"", "request", "composing", "cancel", "offline", "delivered", "displayed"}

// String returns the kind's name ("request", "composing", ...).
func (k LegacyKind) String() string {
	if int(k) < len(legacyNames) {
		return legacyNames[k]
	}
	return ""
}

// LegacyEvent is what a message's XEP-0022 element means.
type LegacyEvent struct {
	Kind LegacyKind
	// ID is, for a request, the requesting message's id (events raised
	// must quote it); otherwise the text of <id/>: the id of our message
	// the event is about. It may be empty (XEP-0022 §3.2: a message
	// without id is answered with an empty <id/>).
	ID string
	// The events a request asks for (Kind EventRequest only).
	Offline, Delivered, Displayed, Composing bool
}

// WantsComposing reports whether the event is a request for composing
// events.
func (e LegacyEvent) WantsComposing() bool { return e.Kind == EventRequest && e.Composing }

func findEvent(m stanza.Message) *EventElement {
	for _, e := range m.Extensions {
		switch x := e.(type) {
		case *EventElement:
			if x != nil {
				return x
			}
		case EventElement:
			return &x
		}
	}
	return nil
}

// LegacyOf reads the message's XEP-0022 element (XEP-0022 §3):
//
//   - with an <id/>: an event raised about message ID — composing,
//     offline, delivered or displayed — or, with no event child, the
//     cancellation of a composing event;
//   - without <id/>, in a content message (a body or subject): a request
//     for the events named, ID being the message's id attribute;
//   - without <id/> and without content: not what XEP-0022 allows, but
//     what some old clients send (and the seed's walk-through shows) to say
//     "typing": read as the event named, for an unknown message (ID "").
//
// Error messages (bounces of our own requests) give nothing.
func LegacyOf(m stanza.Message) (LegacyEvent, bool) {
	if m.Type == stanza.MessageTypeError {
		return LegacyEvent{}, false
	}
	x := findEvent(m)
	if x == nil {
		return LegacyEvent{}, false
	}
	if !x.HasID && (m.Body != "" || m.Subject != "") {
		if !x.Offline && !x.Delivered && !x.Displayed && !x.Composing {
			return LegacyEvent{}, false
		}
		return LegacyEvent{Kind: EventRequest, ID: m.Id,
			Offline: x.Offline, Delivered: x.Delivered, Displayed: x.Displayed, Composing: x.Composing}, true
	}
	// A raised event carries one event only; if several, the most telling.
	ev := LegacyEvent{ID: x.ID}
	switch {
	case x.Composing:
		ev.Kind = EventComposing
	case x.Displayed:
		ev.Kind = EventDisplayed
	case x.Delivered:
		ev.Kind = EventDelivered
	case x.Offline:
		ev.Kind = EventOffline
	case x.HasID:
		ev.Kind = EventCancel
	default:
		return LegacyEvent{}, false // an empty <x/>
	}
	return ev, true
}

func legacyMessage(to string, x *EventElement) stanza.Message {
	m := stanza.NewMessage(stanza.Attrs{To: to})
	m.Extensions = append(m.Extensions, x)
	return m
}

// LegacyComposing returns the message raising the composing event for the
// peer's message msgID (the id of the last message from to that asked
// for composing events): only the jabber:x:event element, no body, no
// type, as in XEP-0022 §3.3.
func LegacyComposing(to, msgID string) stanza.Message {
	return legacyMessage(to, &EventElement{XMLName: xml.Name{Space: NSEvent, Local: "x"}, Composing: true, HasID: true, ID: msgID})
}

// LegacyCancel returns the message cancelling a composing event raised for
// msgID (the user paused or erased the reply).
func LegacyCancel(to, msgID string) stanza.Message {
	return legacyMessage(to, &EventElement{XMLName: xml.Name{Space: NSEvent, Local: "x"}, HasID: true, ID: msgID})
}

// RequestLegacyComposing asks, in a content message, for XEP-0022
// composing events (<x xmlns='jabber:x:event'><composing/></x>), replacing
// any jabber:x:event element the message had. Events quote the message's
// id, so a message without one is given a fresh one. XEP-0022 asks that
// events be requested only from peers not known to lack support; prefer
// XEP-0085 with peers that have it.
func RequestLegacyComposing(m *stanza.Message) {
	if m.Id == "" {
		m.Id = sid.New()
	}
	out := m.Extensions[:0:0]
	for _, e := range m.Extensions {
		switch e.(type) {
		case *EventElement, EventElement:
			continue
		}
		out = append(out, e)
	}
	m.Extensions = append(out, &EventElement{XMLName: xml.Name{Space: NSEvent, Local: "x"}, Composing: true})
}
