package chatstate

import (
	"time"

	"gosrc.io/xmpp/stanza"
)

// Timings of the Tracker's automatic transitions.
const (
	// PausedAfter is how long after the last keystroke composing turns
	// into paused (XEP-0085 1.2 suggests 5 s; 2.1 says "e.g., 30 seconds").
	PausedAfter = 5 * time.Second
	// InactiveAfter is how long the chat must be unfocused before the user
	// is inactive (XEP-0085 2.1: "e.g., 2 minutes").
	InactiveAfter = 2 * time.Minute
)

// Action is something the user did in a conversation.
type Action uint8

// User actions fed to a Tracker.
const (
	Typed     Action = iota + 1 // a keystroke left text in the input
	Cleared                     // the input was emptied without sending
	Sent                        // a content message is about to be sent
	Focused                     // the chat got the focus (opened, raised)
	FocusLost                   // the chat lost the focus (minimised, other window)
	Closed                      // the chat was closed
)

// Outgoing is a notification the Tracker wants sent.
type Outgoing struct {
	// State is the XEP-0085 state to send. With Legacy it is Composing
	// (raise the composing event) or Paused (cancel it).
	State State
	// InContent: add State to the content message being sent (Action
	// Sent) with Add, rather than sending a standalone notification.
	InContent bool
	// Legacy: send as XEP-0022, about the peer's message ID.
	Legacy bool
	ID     string
	// Groupchat: the conversation is a MUC room.
	Groupchat bool
}

// Message builds the standalone notification to send to the peer (to:
// its full JID when known, or the room's JID). Not for InContent.
func (o Outgoing) Message(to string) stanza.Message {
	if o.Legacy {
		if o.State == Composing {
			return LegacyComposing(to, o.ID)
		}
		return LegacyCancel(to, o.ID)
	}
	m := Standalone(to, o.State)
	if o.Groupchat {
		m.Type = stanza.MessageTypeGroupchat
	}
	return m
}

type support uint8

const (
	supportUnknown support = iota
	supportYes
	supportNo
)

// Tracker is the chat state of the user in one conversation, as the peer
// should see it. It is pure: the caller feeds it the user's actions and
// the peer's messages with the current time, calls Tick at Deadline (one
// timer per conversation), and sends what it returns. Not safe for
// concurrent use; the zero value is a one-to-one chat with a peer whose
// support is unknown.
//
// What is sent:
//   - Composing on the first keystroke (never repeated while typing:
//     XEP-0085 §5.3 forbids sending the same standalone state twice in a
//     row), Paused PausedAfter after the last keystroke or at once when
//     the chat loses the focus, Active when the input is emptied, when the
//     chat gets the focus back from inactive (or for the first time), and
//     in every content message, Inactive after InactiveAfter without
//     focus, Gone when the chat is closed (not in a room, §5.5).
//   - To whom: XEP-0085 §5.1. Standalone notifications only to a peer
//     known to support chat states: from disco#info or caps
//     (SetSupported), or because it sent us a chat state (Received). While
//     support is unknown, content messages still carry <active/> (the
//     implicit discovery of §5.1 rule 1); a content message from the peer
//     without any chat state ends that (rule 2). In a room, always.
//   - To an XEP-0022 peer (without XEP-0085 support) whose last content
//     message asked for composing events: the composing event for that
//     message's id, and its cancellation when the state leaves composing.
type Tracker struct {
	// Groupchat makes this the tracker of a MUC room: chat states are
	// sent without discovery, never <gone/>, never XEP-0022.
	Groupchat bool
	// Disabled stops all sending (XEP-0085 §5.2: the user MUST be able
	// to turn chat states off); the state is still tracked.
	Disabled bool

	support  support
	explicit bool // support comes from disco/caps, not from messages

	legacyWanted bool   // the peer's last content message asked for composing events
	legacyID     string // that message's id
	legacyRaised bool   // a composing event is outstanding for legacyID

	cur       State // the user's state
	sent      State // the last XEP-0085 state the peer was sent
	lastKey   time.Time
	focused   bool
	blurredAt time.Time // when the focus was lost; zero when focused or never had it
}

// SetSupported records whether the peer advertises NS in disco#info or
// entity capabilities. It wins over what messages suggest, except that
// receiving a chat state always proves support.
func (t *Tracker) SetSupported(yes bool) {
	t.explicit = true
	if yes {
		t.support = supportYes
	} else {
		t.support = supportNo
	}
}

// Supported reports whether standalone XEP-0085 notifications are sent
// to the peer now.
func (t *Tracker) Supported() bool { return t.Groupchat || t.support == supportYes }

// Received updates what the tracker knows of the peer from a message it
// sent: any chat state proves XEP-0085 support; a content message tells
// whether it wants XEP-0022 composing events, and, while support is only
// inferred from messages, that a peer answering without a chat state
// does not support them (XEP-0085 §5.1 rule 2).
func (t *Tracker) Received(m stanza.Message) {
	if m.Type == stanza.MessageTypeError {
		return
	}
	if _, ok := Of(m); ok {
		t.support = supportYes
	} else if m.Body != "" && !t.explicit {
		t.support = supportNo
	}
	if m.Body == "" && m.Subject == "" {
		return
	}
	ev, ok := LegacyOf(m)
	wanted := ok && ev.WantsComposing()
	if !wanted || ev.ID != t.legacyID {
		t.legacyRaised = false // that request is answered by the new message
	}
	t.legacyWanted, t.legacyID = wanted, ev.ID
}

// Do applies a user action at time now and returns the notification to
// send, if any.
func (t *Tracker) Do(a Action, now time.Time) (Outgoing, bool) {
	switch a {
	case Typed:
		t.focus()
		t.lastKey = now
		return t.move(Composing)
	case Cleared:
		if t.cur == Composing || t.cur == Paused {
			return t.move(Active)
		}
	case Sent:
		t.focus()
		t.cur = Active
		t.legacyRaised = false // the content message ends the composing event
		if t.Disabled || (!t.Supported() && t.support != supportUnknown) {
			return Outgoing{}, false
		}
		t.sent = Active
		return Outgoing{State: Active, InContent: true, Groupchat: t.Groupchat}, true
	case Focused:
		t.focus()
		if t.cur == 0 || t.cur == Inactive || t.cur == Gone {
			return t.move(Active)
		}
	case FocusLost:
		t.focused, t.blurredAt = false, now
		if t.cur == Composing {
			return t.move(Paused)
		}
	case Closed:
		t.focused, t.blurredAt = false, time.Time{}
		if t.Groupchat {
			t.cur = Gone
			return Outgoing{}, false
		}
		return t.move(Gone)
	}
	return Outgoing{}, false
}

func (t *Tracker) focus() { t.focused, t.blurredAt = true, time.Time{} }

// Deadline returns when Tick must next be called, if a timed transition
// is pending.
func (t *Tracker) Deadline() (time.Time, bool) {
	switch {
	case t.cur == Composing:
		return t.lastKey.Add(PausedAfter), true
	case !t.focused && !t.blurredAt.IsZero() && t.cur != Inactive && t.cur != Gone:
		return t.blurredAt.Add(InactiveAfter), true
	}
	return time.Time{}, false
}

// Tick applies the timed transitions due at now (composing → paused,
// unfocused → inactive) and returns the notification to send, if any.
func (t *Tracker) Tick(now time.Time) (Outgoing, bool) {
	d, ok := t.Deadline()
	if !ok || now.Before(d) {
		return Outgoing{}, false
	}
	if t.cur == Composing {
		return t.move(Paused)
	}
	return t.move(Inactive)
}

// State returns the user's current state in this conversation (0 before
// any action).
func (t *Tracker) State() State { return t.cur }

func (t *Tracker) move(s State) (Outgoing, bool) {
	if s == t.cur {
		return Outgoing{}, false
	}
	t.cur = s
	switch {
	case t.Disabled:
	case t.Supported():
		if s == t.sent {
			return Outgoing{}, false
		}
		t.sent = s
		return Outgoing{State: s, Groupchat: t.Groupchat}, true
	case t.legacyWanted:
		if s == Composing && !t.legacyRaised {
			t.legacyRaised = true
			return Outgoing{State: Composing, Legacy: true, ID: t.legacyID}, true
		}
		if s != Composing && t.legacyRaised {
			t.legacyRaised = false
			return Outgoing{State: Paused, Legacy: true, ID: t.legacyID}, true
		}
	}
	return Outgoing{}, false
}
