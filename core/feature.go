package core

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/disco"
	"gosrc.io/xmpp/stanza"
)

// A Feature is a capability that lives in its own package beside core
// (core/blocking, and next core/muc, core/mam, core/upload, core/omemo):
// it plugs into every session of a client through a Hook and adds no
// method to Session. A client gets its features in Options.Features.
type Feature struct {
	// Name names the feature in logs.
	Name string
	// Disco lists the disco#info features it adds to ours (and so to
	// our caps, XEP-0115): what it understands, or the PEP nodes it
	// wants notifications of ("…+notify", XEP-0163).
	Disco []string
	// Attach plugs the feature into a new session: it registers what the
	// feature handles on h and returns the feature's state for that
	// session, which Session.Feature gives back (the feature package
	// wraps that in a typed accessor). It runs once per session, while
	// the client makes it: it must only register, not call the client.
	Attach func(h *Hook) any
}

// Feature is the state feature f keeps for this session (what its Attach
// returned), or nil when the session's client was made without f.
func (s *Session) Feature(f *Feature) any { return s.features[f] }

// A Hook is what a feature sees of one session. Registration (the
// Handle* and On* methods) is only allowed inside Feature.Attach; the
// rest may be used at any time.
//
// Stanzas: a feature claims the IQ requests it answers by payload name
// (HandleIQ, routed through the session's xmpp.Mux), and the messages and
// presences it owns (HandleMessage, HandlePresence): a handler returns
// true for a stanza it took, and the session does nothing more with it.
// Features see each stanza before the session does, in the order they
// were attached, on the connection's reader goroutine, in wire order. A
// handler must return quickly; what it must keep (a message) it stores
// before returning, since returning lets the connection acknowledge the
// stanza to the server (XEP-0198).
//
// Life cycle: OnOnline runs for every new connection once it is signed in
// (on its own goroutine, in parallel with the roster fetch; the session
// waits for it at most loginWait before sending its first presence, so
// what must precede it, such as the block list, is fetched there).
// OnPresent runs after that, once the session's first presence on the
// connection is sent (each on its own goroutine): what should start only
// once what OnOnline set up is in place, such as reading the archive
// after carbon copies are on, so that nothing falls between the two.
// OnInterrupted runs when the link drops and the session tries to resume
// it (XEP-0198), OnResumed when that worked, OnOffline when the
// connection ended (after an interruption that could not be resumed, a
// sign-out or an error). These three must return quickly.
//
// Sending goes through Conn, the live connection; a feature publishes
// its own event types (which embed FeatureEvent) with Publish.
type Hook struct {
	s      *Session
	sealed bool
}

// features is what the features attached to a session registered.
type features struct {
	// mux routes IQ requests, the session's own as well as the
	// features'.
	mux         xmpp.Mux
	messages    []func(*xmpp.Conn, *stanza.Message) bool
	presences   []func(*xmpp.Conn, *stanza.Presence) bool
	online      []func(context.Context, *xmpp.Conn)
	present     []func(*xmpp.Conn)
	interrupted []func()
	resumed     []func(*xmpp.Conn)
	offline     []func()
	unfinished  []func(history.Message) bool
	ownPresence []func(*xmpp.Conn, Presence)
	decrypt     func(*xmpp.Conn, string, *stanza.Message) (Decrypted, bool)
	encryptFor  func(peer string) history.Encryption
	seal        func(context.Context, *xmpp.Conn, *stanza.Message) error
}

// attachFeatures plugs the client's features into s.
func (s *Session) attachFeatures() {
	for _, f := range s.client.opts.Features {
		h := &Hook{s: s}
		st := f.Attach(h)
		h.sealed = true
		if s.features == nil {
			s.features = make(map[*Feature]any)
		}
		s.features[f] = st
	}
}

func (h *Hook) register() *features {
	if h.sealed {
		panic("core: a feature registered outside its Attach")
	}
	return &h.s.hooks
}

// HandleIQ routes the IQ requests (get or set) whose payload is
// space+local to f, which must answer each (Conn.SendResult or
// Conn.SendError).
func (h *Hook) HandleIQ(space, local string, f func(c *xmpp.Conn, iq *stanza.IQ)) {
	h.register().mux.HandleIQFunc(space, local, f)
}

// HandleMessage lets f claim incoming messages: when it returns true the
// session does nothing more with the message.
func (h *Hook) HandleMessage(f func(c *xmpp.Conn, m *stanza.Message) bool) {
	r := h.register()
	r.messages = append(r.messages, f)
}

// HandlePresence lets f claim incoming presences, as HandleMessage.
func (h *Hook) HandlePresence(f func(c *xmpp.Conn, p *stanza.Presence) bool) {
	r := h.register()
	r.presences = append(r.presences, f)
}

// ClaimUnfinished lets f claim the messages of ours that the history
// holds unsent or unacknowledged when the session is made: the session
// does not send again those f returns true for. A feature claims what
// only it can address (a private message through a room goes to an
// occupant, not to the conversation's address).
func (h *Hook) ClaimUnfinished(f func(m history.Message) bool) {
	r := h.register()
	r.unfinished = append(r.unfinished, f)
}

// OnPresenceChanged runs f after the user changed our presence (show
// and status, Hook.Presence) and it went to the server: a feature passes
// it on where the server does not (the rooms we are in). It runs on the
// caller's goroutine and must return quickly.
func (h *Hook) OnPresenceChanged(f func(conn *xmpp.Conn, p Presence)) {
	r := h.register()
	r.ownPresence = append(r.ownPresence, f)
}

// OnOnline runs f for each new connection once it is signed in (see
// Hook). ctx ends with the session.
func (h *Hook) OnOnline(f func(ctx context.Context, conn *xmpp.Conn)) {
	r := h.register()
	r.online = append(r.online, f)
}

// OnPresent runs f, on its own goroutine, once the first presence on a
// new connection is sent (see Hook).
func (h *Hook) OnPresent(f func(conn *xmpp.Conn)) {
	r := h.register()
	r.present = append(r.present, f)
}

// OnInterrupted runs f when the link drops and the session tries to
// resume it.
func (h *Hook) OnInterrupted(f func()) {
	r := h.register()
	r.interrupted = append(r.interrupted, f)
}

// OnResumed runs f when an interrupted link was resumed on conn: what
// the server and we knew of each other still holds.
func (h *Hook) OnResumed(f func(conn *xmpp.Conn)) {
	r := h.register()
	r.resumed = append(r.resumed, f)
}

// OnOffline runs f when a connection has ended.
func (h *Hook) OnOffline(f func()) {
	r := h.register()
	r.offline = append(r.offline, f)
}

// Account is the session's account (its bare JID).
func (h *Hook) Account() string { return h.s.jid() }

// Conn is the connection when the session is online, ErrNotConnected
// otherwise.
func (h *Hook) Conn() (*xmpp.Conn, error) { return h.s.onlineConn() }

// ServerInfo is our server's disco#info on conn, asked once per
// connection.
func (h *Hook) ServerInfo(ctx context.Context, conn *xmpp.Conn) (*disco.Info, error) {
	return h.s.serverInfo(ctx, conn)
}

// Send stores m (its Type, Body, Subject, Rich, OOB, File and FileSize; the rest is
// filled in) as our message to to, and sends it as the session sends
// the user's messages: published at once, sent when connected, again
// after a lost link until acknowledged, receipts asked for.
func (h *Hook) Send(to string, m history.Message) (history.Message, error) {
	if m.Type == "" {
		m.Type = TypeChat
	}
	if err := ValidateJID(to); err != nil {
		return history.Message{}, err
	}
	return h.s.send(to, m)
}

// HTTPClient is a client for HTTPS to where the account's server sends
// us (an upload service's URLs): https only, its certificates verified
// against the system's roots (the client's base configuration's in
// tests), or one of the certificates the user trusted for the account
// (whatever the host: the user trusted that certificate, not a name);
// no proxy (it would take the verification away from us); a GET follows
// at most 3 redirects, each to https, and nothing else is redirected (a
// PUT turned into a GET would look sent). Requests are bounded by their
// context. Its idle connections are the caller's to close.
func (h *Hook) HTTPClient() *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			DialTLSContext:      xmpp.HTTPSDialer(h.s.client.opts.TLSConfig, pinnedOf(h.s.Account())),
			MaxIdleConnsPerHost: 2,
			IdleConnTimeout:     90 * time.Second,
		},
		CheckRedirect: httpsRedirect,
	}
}

// httpsRedirect lets a GET follow at most 3 redirects, each to https,
// and nothing else be redirected.
func httpsRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 3 || req.URL.Scheme != "https" || via[0].Method != http.MethodGet {
		return http.ErrUseLastResponse
	}
	return nil
}

// Presence is our presence as the user chose it (Session.Presence).
func (h *Hook) Presence() Presence { return h.s.Presence() }

// Supports reports whether jid (a full JID, or a contact's bare JID for
// their best resource) is known to support feature, from the
// capabilities already learnt (XEP-0115): it never asks the network, and
// unknown is false.
func (h *Hook) Supports(jid, feature string) bool { return h.s.supports(jid, feature) }

// History is the client's message history, for what a feature reads (the
// latest message of a room it catches up from, say). What it keeps of a
// stanza it took goes through Store, not Add.
func (h *Hook) History() *history.Store { return h.s.client.store }

// Store keeps a message a feature took (from a message handler, on the
// reader goroutine) with the others of the burst it came in: they are
// stored in one transaction before any XEP-0198 ack covers them, and
// after then runs (dup: it was stored before, by its ids). When the
// burst is full it is stored at once; if that fails, the stanza is
// refused and the server sends it again.
func (h *Hook) Store(c *xmpp.Conn, m *history.Message, after func(dup bool)) {
	if h.s.in.add(m, after) {
		h.s.flushFirst(c)
	}
}

// Move moves one of our messages' delivery state forward (a room
// reflected it, say) with the burst it came in, like Store; after runs
// once stored (moved: the state changed).
func (h *Hook) Move(mv history.Move, after func(moved bool)) {
	h.s.in.move(mv, after)
}

// Publish publishes a feature's event to the client's subscribers.
func (h *Hook) Publish(e Event) { h.s.client.bus.Publish(e) }

// Logf logs a diagnostic (never a password, never a message's text).
func (h *Hook) Logf(format string, args ...any) { h.s.client.logf(format, args...) }

// FeatureEvent is embedded in a feature's event types, which makes them
// Events: the UI receives them with core's own.
type FeatureEvent struct{ Account string }

func (e FeatureEvent) account() string { return e.Account }

// serverState is our server's disco#info, cached for one connection.
type serverState struct {
	mu   sync.Mutex
	info *disco.Info
	conn *xmpp.Conn
}

// serverInfo is our server's disco#info, asked once per connection.
func (s *Session) serverInfo(ctx context.Context, conn *xmpp.Conn) (*disco.Info, error) {
	s.server.mu.Lock()
	if s.server.conn == conn {
		info := s.server.info
		s.server.mu.Unlock()
		return info, nil
	}
	s.server.mu.Unlock()
	info, err := disco.GetInfo(ctx, conn, "", "")
	if err != nil {
		return nil, err
	}
	s.server.mu.Lock()
	s.server.info, s.server.conn = info, conn
	s.server.mu.Unlock()
	return info, nil
}

// The session's side of the hook: dispatch to the features.

// message offers m to the features; it reports whether one took it.
func (r *features) message(c *xmpp.Conn, m *stanza.Message) bool {
	for _, f := range r.messages {
		if f(c, m) {
			return true
		}
	}
	return false
}

// presence offers p to the features; it reports whether one took it.
func (r *features) presence(c *xmpp.Conn, p *stanza.Presence) bool {
	for _, f := range r.presences {
		if f(c, p) {
			return true
		}
	}
	return false
}

// goOnline starts the features' OnOnline for conn, each on its own
// goroutine; wg counts them.
func (r *features) goOnline(ctx context.Context, conn *xmpp.Conn, wg *sync.WaitGroup) {
	for _, f := range r.online {
		wg.Add(1)
		go func() { defer wg.Done(); f(ctx, conn) }()
	}
}

// goPresent starts the features' OnPresent for conn.
func (r *features) goPresent(conn *xmpp.Conn) {
	for _, f := range r.present {
		go f(conn)
	}
}

func (r *features) interrupt() {
	for _, f := range r.interrupted {
		f()
	}
}

func (r *features) resume(conn *xmpp.Conn) {
	for _, f := range r.resumed {
		f(conn)
	}
}

func (r *features) goOffline() {
	for _, f := range r.offline {
		f()
	}
}
