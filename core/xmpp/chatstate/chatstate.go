// Package chatstate implements XEP-0085: Chat State Notifications, and
// reads and answers the obsolete XEP-0022: Message Events (jabber:x:event)
// composing events that old clients still use.
//
// Importing this package registers [Element] for the five chat state
// elements ({http://jabber.org/protocol/chatstates}active, composing,
// paused, inactive, gone) and [EventElement] for {jabber:x:event}x as
// message extensions of the stanza package (replacing gosrc's StateActive,
// ... types; [Of] still recognises those in messages built with them).
//
// Reading: [Of] gives a message's XEP-0085 state, [LegacyOf] its XEP-0022
// event, and [NotificationOf] both as one [Notification] for the core to
// publish. Sending: [Tracker] decides, per conversation, which state to
// send and when; [Add], [Standalone], [EventComposing] and [EventCancel]
// build the stanzas.
package chatstate

import (
	"encoding/xml"

	"gosrc.io/xmpp/stanza"
)

// NS is the XEP-0085 namespace, also the disco#info feature of an entity
// that supports chat states.
const NS = "http://jabber.org/protocol/chatstates"

// State is a chat state (XEP-0085 §2). The zero value means no state.
type State uint8

// The five chat states.
const (
	Active    State = iota + 1 // actively participating in the chat
	Composing                  // composing a message
	Paused                     // was composing, has stopped for a short time
	Inactive                   // not participating for a while
	Gone                       // has ended their participation (closed the chat)
)

var stateNames = [...]string{"", "active", "composing", "paused", "inactive", "gone"}

// String returns the state's element name ("active", ...), or "" for the
// zero or an unknown state.
func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return ""
}

// Valid reports whether s is one of the five states.
func (s State) Valid() bool { return s >= Active && s <= Gone }

// ParseState returns the state named by an element name ("composing").
func ParseState(name string) (State, bool) {
	for i := Active; i <= Gone; i++ {
		if stateNames[i] == name {
			return i, true
		}
	}
	return 0, false
}

func init() {
	for s := Active; s <= Gone; s++ {
		stanza.TypeRegistry.MapExtension(stanza.PKTMessage, xml.Name{Space: NS, Local: s.String()}, Element{})
	}
}

// Element is one chat state element, e.g. <composing
// xmlns='http://jabber.org/protocol/chatstates'/>; its name tells the
// state. The elements are empty: any content is ignored.
type Element struct {
	XMLName xml.Name
}

// NewElement returns the element for s.
func NewElement(s State) *Element {
	return &Element{XMLName: xml.Name{Space: NS, Local: s.String()}}
}

// State returns the element's state, or 0 if it is not a chat state.
func (e *Element) State() State {
	if e == nil || e.XMLName.Space != NS {
		return 0
	}
	s, _ := ParseState(e.XMLName.Local)
	return s
}

// UnmarshalXML reads a chat state element, skipping any content.
func (e *Element) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	e.XMLName = start.Name
	return d.Skip()
}

// MarshalXML writes the empty element.
func (e Element) MarshalXML(enc *xml.Encoder, _ xml.StartElement) error {
	return enc.EncodeElement("", xml.StartElement{Name: xml.Name{Space: NS, Local: e.XMLName.Local}})
}

// stateOf returns the state carried by a message extension, or 0.
func stateOf(ext stanza.MsgExtension) State {
	switch v := ext.(type) {
	case *Element:
		return v.State()
	case Element:
		return v.State()
	case *stanza.StateActive, stanza.StateActive:
		return Active
	case *stanza.StateComposing, stanza.StateComposing:
		return Composing
	case *stanza.StatePaused, stanza.StatePaused:
		return Paused
	case *stanza.StateInactive, stanza.StateInactive:
		return Inactive
	case *stanza.StateGone, stanza.StateGone:
		return Gone
	}
	return 0
}

// Of returns the message's XEP-0085 chat state. A message must carry at
// most one (§5.4); with several, the first counts.
func Of(m stanza.Message) (State, bool) {
	for _, e := range m.Extensions {
		if s := stateOf(e); s != 0 {
			return s, true
		}
	}
	return 0, false
}

// Add sets the message's chat state to s, replacing any it had (a message
// carries at most one). Add with the zero State removes the chat state.
func Add(m *stanza.Message, s State) {
	out := m.Extensions[:0:0]
	for _, e := range m.Extensions {
		if stateOf(e) == 0 {
			out = append(out, e)
		}
	}
	if s.Valid() {
		out = append(out, NewElement(s))
	}
	m.Extensions = out
}

// Standalone returns a standalone notification (XEP-0085 §5.4): a message
// of type chat to to carrying only the state. For a MUC room set its Type
// to groupchat.
func Standalone(to string, s State) stanza.Message {
	m := stanza.NewMessage(stanza.Attrs{To: to, Type: stanza.MessageTypeChat})
	Add(&m, s)
	return m
}

// Notification is a peer's chat state, read from XEP-0085 or normalised
// from XEP-0022 (Legacy): a composing event is Composing, its
// cancellation Paused.
type Notification struct {
	State  State
	Legacy bool
}

// NotificationOf returns the chat state a received message tells, from
// XEP-0085 when present, else from an XEP-0022 composing event or
// cancellation. It ignores error messages (a bounce carries our own
// payloads back) and, per XEP-0085 §5.5, <gone/> in a groupchat message.
//
// A content message that states nothing (say, from an XEP-0022 peer that
// asks for events) gives no notification; the caller should still take it
// as the end of the peer's composing.
func NotificationOf(m stanza.Message) (Notification, bool) {
	if m.Type == stanza.MessageTypeError {
		return Notification{}, false
	}
	if s, ok := Of(m); ok {
		if s == Gone && m.Type == stanza.MessageTypeGroupchat {
			return Notification{}, false
		}
		return Notification{State: s}, true
	}
	ev, ok := LegacyOf(m)
	if !ok {
		return Notification{}, false
	}
	switch ev.Kind {
	case EventComposing:
		return Notification{State: Composing, Legacy: true}, true
	case EventCancel:
		return Notification{State: Paused, Legacy: true}, true
	}
	return Notification{}, false
}
