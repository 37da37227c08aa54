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
//
// A Session is split by concern: its life cycle (session.go: connect,
// sign in, resume, reconnect with backoff), the stanza entry points
// (handler.go), incoming and outgoing messages (messages_in.go,
// messages.go, outbox.go, carry.go), chat states, receipts and
// corrections (chat.go), presence (presence.go), the roster (roster.go,
// roster_sync.go, contacts.go, subscriptions.go), what contacts can do
// (contactinfo.go), vCards and avatars (profile.go, avatar.go), the
// account (lifecycle.go) and what we say about ourselves (identity.go).
//
// # Features
//
// Session holds the connection's life cycle and what every chat needs. A
// bigger capability lives in its own package beside core (core/blocking
// today; core/muc, core/mam, core/upload, core/omemo next), over its
// protocol package in core/xmpp, and adds no method to Session. It is a
// Feature, given to the client in Options.Features; for every session,
// its Attach gets a Hook through which it
//
//   - claims the stanzas it handles: IQ requests by payload name
//     (HandleIQ, routed with the session's own through an xmpp.Mux), and
//     messages and presences by returning true from its HandleMessage
//     and HandlePresence functions, which see each stanza before the
//     session does;
//   - is told when the session is online (OnOnline, before our first
//     presence; OnPresent, after it), interrupted, resumed (XEP-0198) and
//     offline;
//   - sends through the live connection (Conn) and asks our server's
//     disco#info once per connection (ServerInfo);
//   - stores what it took: live messages with the burst they came in
//     (Store, Move), archive pages (StoreArchived), and carbon copies,
//     handled like the session's own messages (Copied);
//   - publishes its own event types (embedding FeatureEvent), which the UI
//     receives with core's.
//
// Attach returns the feature's state for that session; the package gives
// it back typed (blocking.Of(session)) from Session.Feature. A feature's
// tests use internal/coretest, the same harness over real servers.
package core
