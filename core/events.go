package core

import (
	"sync"

	"github.com/causerie/causerie/core/history"
)

// Event is something that happened in core. The concrete types below are
// core's whole list; a feature package (core/blocking, ...) declares its
// own, which embed FeatureEvent. A UI type-switches on them.
type Event interface{ account() string }

// ConnectionStateChanged: a session moved to State. Err says why it went
// offline or is reconnecting (nil after a user's disconnect); ExplainError
// turns it into words.
type ConnectionStateChanged struct {
	Account string
	State   State
	Err     error
	// Retry is when a reconnecting session tries again.
	Retry RetryInfo
}

// RosterChanged: the roster was loaded (from cache or server) or changed;
// Contacts lists the contacts that changed (all of them on a load).
// Removed lists JIDs no longer in the roster.
type RosterChanged struct {
	Account  string
	Contacts []Contact
	Removed  []string
	// FromCache is true while the roster shown comes from the local
	// cache, before the server answered.
	FromCache bool
}

// PresenceChanged: a contact's presence (one of its resources) changed.
type PresenceChanged struct {
	Account string
	Contact Contact
}

// OwnPresenceChanged: our own presence as the server sees it changed.
type OwnPresenceChanged struct {
	Account  string
	Presence Presence
}

// MessageReceived: a message was stored (incoming, or outgoing from us).
type MessageReceived struct {
	Account string
	Message history.Message
	// Archived: read from the server's archive by a catch-up (see
	// core/mam), not received live.
	Archived bool
	// Copy: a copy of what another of our devices sent (Direction Out)
	// or received, live (XEP-0280 carbons: see core/carbons).
	Copy bool
}

// MessageStateChanged: delivery state of a stored message changed.
type MessageStateChanged struct {
	Account string
	ID      int64
	Peer    string
	State   history.State
	Reason  string
}

// SubscriptionRequested: someone asks to see our presence; the request is
// stored until answered.
type SubscriptionRequested struct {
	Account string
	Request history.Request
	// InRoster tells whether the requester is already a contact.
	InRoster bool
}

// SubscriptionChanged: a contact approved, refused or cancelled a
// subscription (Kind is subscribed, unsubscribed or unsubscribe).
type SubscriptionChanged struct {
	Account string
	JID     string
	Kind    string
}

// PresenceError: a presence we sent bounced (e.g. a subscription request
// to an address that does not exist).
type PresenceError struct {
	Account   string
	JID       string
	Condition string
	Text      string
}

// AvatarChanged: the avatar of JID (a bare JID: a contact, or the account
// itself) changed or was removed; Session.Avatar has the new image.
type AvatarChanged struct {
	Account string
	JID     string
}

// AccountsChanged: an account was added, its settings changed, or it was
// removed (Removed) from this computer.
type AccountsChanged struct {
	Account string
	Removed bool
}

// ChatStateChanged: a contact's chat state changed (they are typing,
// stopped, left...). Legacy is set for an XEP-0022 composing event.
type ChatStateChanged struct {
	Account  string
	JID      string // the contact's bare JID
	Resource string
	State    ChatState
	Legacy   bool
}

// MessageCorrected: a stored message's text was replaced by a correction
// from its sender (XEP-0308); Message is the message as stored now.
type MessageCorrected struct {
	Account string
	Message history.Message
}

// MessageRetracted: its sender took a stored message back (XEP-0424);
// Message is the tombstone as stored now (Retracted, no text).
type MessageRetracted struct {
	Account string
	Message history.Message
}

// ReactionsChanged: Sender's reactions (XEP-0444) to the message of the
// conversation with Peer named Target changed (ours too: Sender is then
// our bare JID); Emojis are all of them now, none when taken back.
type ReactionsChanged struct {
	Account, Peer  string
	Target, Sender string
	Emojis         []string
}

// ReadElsewhere: another of our devices displayed the conversation with
// Peer (its XEP-0333 marker came as a carbon copy or from the archive):
// what it had read no longer counts as unread here (Session.Unread).
type ReadElsewhere struct {
	Account string
	Peer    string
}

func (e AccountsChanged) account() string        { return e.Account }
func (e ConnectionStateChanged) account() string { return e.Account }
func (e RosterChanged) account() string          { return e.Account }
func (e PresenceChanged) account() string        { return e.Account }
func (e OwnPresenceChanged) account() string     { return e.Account }
func (e MessageReceived) account() string        { return e.Account }
func (e MessageStateChanged) account() string    { return e.Account }
func (e SubscriptionRequested) account() string  { return e.Account }
func (e SubscriptionChanged) account() string    { return e.Account }
func (e PresenceError) account() string          { return e.Account }
func (e AvatarChanged) account() string          { return e.Account }
func (e ChatStateChanged) account() string       { return e.Account }
func (e MessageCorrected) account() string       { return e.Account }
func (e ReadElsewhere) account() string          { return e.Account }
func (e ReactionsChanged) account() string       { return e.Account }
func (e MessageRetracted) account() string       { return e.Account }

// AccountOf returns the account an event belongs to.
func AccountOf(e Event) string { return e.account() }

// Bus delivers events to subscribers in publication order. Subscribers are
// called synchronously on the publishing goroutine and must return quickly
// (a UI calls fyne.Do and returns).
type Bus struct {
	mu   sync.Mutex // serialises publication: one order for everyone
	smu  sync.RWMutex
	next int
	subs map[int]func(Event)
}

// Subscribe registers f; the returned function unsubscribes.
func (b *Bus) Subscribe(f func(Event)) (cancel func()) {
	b.smu.Lock()
	defer b.smu.Unlock()
	if b.subs == nil {
		b.subs = make(map[int]func(Event))
	}
	id := b.next
	b.next++
	b.subs[id] = f
	return func() {
		b.smu.Lock()
		delete(b.subs, id)
		b.smu.Unlock()
	}
}

// Publish sends e to every subscriber.
func (b *Bus) Publish(e Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.smu.RLock()
	subs := make([]func(Event), 0, len(b.subs))
	for _, f := range b.subs {
		subs = append(subs, f)
	}
	b.smu.RUnlock()
	for _, f := range subs {
		f(e)
	}
}
