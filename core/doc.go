// Package core is Causerie's application model, the tier between the
// protocol (core/xmpp) and the GUI (ui): accounts and their sessions, the
// roster with groups and presence, conversations, subscriptions, and the
// local history. It never imports Fyne: everything the GUI can do, core can
// do headless, and is tested so against real servers.
//
// The GUI drives a Client: it lists accounts, starts and stops Sessions,
// and subscribes once to the event stream (Client.Subscribe). Events are
// typed values (ConnectionStateChanged, RosterChanged, PresenceChanged,
// MessageReceived, MessageStateChanged, SubscriptionRequested, ...)
// delivered in order on core goroutines; the UI marshals them to its own
// thread with fyne.Do. Methods that talk to the network take a context and
// must not be called on the UI goroutine; methods that only read the model
// (Roster, State, History) return at once.
package core
