package core

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/causerie/causerie/core/account"
	"github.com/causerie/causerie/core/xmpp"
)

// State is a session's connection state.
type State int

const (
	StateOffline State = iota
	StateConnecting
	StateOnline
	StateReconnecting
)

func (s State) String() string {
	switch s {
	case StateOffline:
		return "offline"
	case StateConnecting:
		return "connecting"
	case StateOnline:
		return "online"
	case StateReconnecting:
		return "reconnecting"
	}
	return "unknown"
}

// RetryInfo tells when a reconnecting session tries again.
type RetryInfo struct {
	At      time.Time
	Attempt int
}

// ErrPasswordNeeded means no password is known for the account (not
// remembered, or the keyring could not give it): the UI asks for one and
// calls Session.SetPassword, then Connect.
var ErrPasswordNeeded = errors.New("core: password needed")

// errLinkLost is the reason shown while a dropped link is being resumed.
var errLinkLost = errors.New("core: connection lost, resuming")

// ErrNotConnected is returned by actions that need the server.
var ErrNotConnected = errors.New("core: not connected")

// MaxMessageBytes bounds the text of a message we send (body and
// formatting together). Servers end the stream of a client whose stanza
// passes their limit (Prosody 256 KiB, ejabberd 256 KiB by default); a
// message over it would be sent again after every reconnection and end
// every stream.
const MaxMessageBytes = 100_000

// ErrMessageTooLong: the message is over MaxMessageBytes; nothing was
// stored or sent.
var ErrMessageTooLong = errors.New("core: message too long")

// Options tune sessions; the zero value is what the app uses.
type Options struct {
	// TLSConfig is the base TLS config (tests give their CA here).
	TLSConfig *tls.Config
	// MinBackoff and MaxBackoff bound reconnection delays (defaults 1 s
	// and 5 min); each delay is drawn with full jitter.
	MinBackoff, MaxBackoff time.Duration
	// DefaultResource is the resource used when the account has none.
	DefaultResource string
	// ResumeTimeout bounds XEP-0198 resumption attempts after a dropped
	// link before a full reconnect (default: the server's window, then
	// until the server answers; see xmpp.Config.ResumeTimeout).
	ResumeTimeout time.Duration
	// ClientName and ClientVersion are what we answer when asked which
	// software we run (XEP-0092) and our disco#info identity's name
	// (defaults "Causerie" and "dev").
	ClientName, ClientVersion string
	// Features are plugged into every session (see Feature), in this
	// order.
	Features []*Feature
}

func (o Options) backoff(attempt int) time.Duration {
	lo, hi := o.MinBackoff, o.MaxBackoff
	if lo <= 0 {
		lo = time.Second
	}
	if hi <= 0 {
		hi = 5 * time.Minute
	}
	d := lo
	for i := 1; i < attempt && d < hi; i++ {
		d *= 2
	}
	d = min(d, hi)
	// Half fixed, half random: spreads a server's clients after an outage.
	return d/2 + rand.N(d/2+1)
}

// Session is one account's connection and model. Create sessions with
// Client.Session; the methods are safe for concurrent use.
type Session struct {
	client *Client
	roster *Roster

	mu       sync.Mutex
	acct     account.Account
	password string // typed this run, when not remembered
	// deleting: the account is being deleted on the server, so the end
	// of the stream is expected and no reason to reconnect.
	deleting bool
	state    State
	err      error
	conn     *xmpp.Conn
	// connectedAt is when the current connection started signing in:
	// what our server stored for us while we were away (offline
	// messages) was sent before it. It is set before dialling, as the
	// connection hands over stanzas as soon as it is bound.
	connectedAt time.Time
	want        Presence // what the user chose
	invisible   bool     // XEP-0186 invisibility is on
	cancel      context.CancelFunc
	done        chan struct{}
	// live is the connection messages go out on now: nil while signing
	// in, while a dropped link is being resumed, and offline.
	live *xmpp.Conn
	// carry holds what the last connection sent that its server never
	// acknowledged and that must not be lost with it (carry.go): sent
	// again once a new connection is up.
	carry [][]byte
	// outbox holds outgoing messages not yet acknowledged by the server:
	// they are (re)sent on the next connection (outbox.go).
	outbox *outbox
	owed   receiptsOwed
	// in is the burst of received messages not stored yet
	// (messages_in.go); storeFails counts failures to store one in a row.
	in         inBatch
	storeFails int
	// sendMu orders sending against going live: a message is either
	// written by send or found in the outbox by goLive, in the order sent.
	sendMu sync.Mutex
	// stateMu serialises delivery-state changes (see setMessageState).
	stateMu sync.Mutex
	// sealer encrypts and writes the messages to be encrypted
	// (encrypt.go), in order, off the caller's goroutine.
	sealer sealer
	// chats is the live state of conversations (chat.go).
	chats chats
	// caps and av: contacts' capabilities (contactinfo.go) and avatars
	// (avatar.go).
	caps capsState
	av   avatarState
	// server is our server's disco#info (feature.go).
	server serverState
	// hooks is what the session and its features handle (feature.go,
	// handler.go); features is each feature's state for this session.
	// Both are set when the session is made, and only read after.
	hooks    features
	features map[*Feature]any
}

func newSession(c *Client, a account.Account) *Session {
	s := &Session{
		client: c,
		roster: NewRoster(),
		acct:   a,
		want:   Presence{Priority: a.Priority},
		outbox: newOutbox(),
	}
	s.routeIQs()
	s.attachFeatures()
	return s
}

// Account returns the account's settings.
func (s *Session) Account() account.Account {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.acct
}

func (s *Session) jid() string { return s.Account().JID }

// Roster is the account's roster (from the cache until the server answers).
func (s *Session) Roster() *Roster { return s.roster }

// State returns the connection state and, when offline or reconnecting,
// why.
func (s *Session) State() (State, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state, s.err
}

// JID is the full JID bound on the current connection ("" offline).
func (s *Session) JID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil {
		return ""
	}
	return s.conn.JID()
}

// Presence is our chosen presence.
func (s *Session) Presence() Presence {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.want
	if s.invisible {
		p.Show = ShowInvisible
	}
	return p
}

// SetPassword gives the password for this run (when it is not remembered
// in the keyring, or the keyring is unavailable).
func (s *Session) SetPassword(pw string) {
	s.mu.Lock()
	s.password = pw
	s.mu.Unlock()
}

func (s *Session) setState(st State, err error, retry RetryInfo) {
	s.mu.Lock()
	s.state, s.err = st, err
	s.mu.Unlock()
	s.client.bus.Publish(ConnectionStateChanged{Account: s.jid(), State: st, Err: err, Retry: retry})
}

// Connect starts connecting in the background (and keeps reconnecting
// until Disconnect or a fatal error). Progress comes as
// ConnectionStateChanged events.
func (s *Session) Connect() {
	s.mu.Lock()
	if s.cancel != nil {
		s.mu.Unlock()
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.done = make(chan struct{})
	done := s.done
	s.mu.Unlock()
	go func() {
		defer close(done)
		s.run(ctx)
		s.stopChats()
		s.mu.Lock()
		s.cancel = nil
		s.mu.Unlock()
	}()
}

// Disconnect goes offline: it sends unavailable presence, closes the
// stream and stops reconnecting. It waits for the session to stop.
func (s *Session) Disconnect() {
	s.mu.Lock()
	cancel, done, conn := s.cancel, s.done, s.conn
	s.mu.Unlock()
	if cancel == nil {
		return
	}
	if conn != nil {
		conn.SendRaw([]byte("<presence type='unavailable'/>"))
	}
	cancel()
	<-done
}

// Wait blocks until the session has stopped (after Disconnect or a fatal
// error).
func (s *Session) Wait() {
	s.mu.Lock()
	done := s.done
	s.mu.Unlock()
	if done != nil {
		<-done
	}
}

// fatal reports errors that retrying cannot fix: the user must act.
func fatal(err error) bool {
	var ae *xmpp.AuthError
	var ce *xmpp.CertificateError
	var se *xmpp.StreamError
	var de *xmpp.DowngradeError
	switch {
	case errors.As(err, &ae), errors.As(err, &ce), errors.As(err, &de),
		errors.Is(err, xmpp.ErrTLSNotOffered), errors.Is(err, xmpp.ErrNoMechanism),
		errors.Is(err, xmpp.ErrServerSignature), errors.Is(err, ErrPasswordNeeded):
		return true
	case errors.As(err, &se):
		// Not policy-violation: servers send it for limits that pass
		// (rate, size), and Prosody 0.12 for its own parser's state after
		// resuming a session (it feeds what comes on the new link to the
		// old link's parser, which may hold half a stanza): signing in
		// again, after the usual pause, is what works.
		switch se.Condition {
		case "conflict", "not-authorized", "host-unknown", "improper-addressing":
			return true
		}
	}
	return false
}

func (s *Session) run(ctx context.Context) {
	attempt := 0
	s.setState(StateConnecting, nil, RetryInfo{})
	for {
		conn, err := s.dial(ctx)
		if err == nil {
			attempt = 0
			s.recordAuth(conn.Mechanism())
			err = s.online(ctx, conn)
		}
		s.mu.Lock()
		deleting := s.deleting
		s.mu.Unlock()
		if ctx.Err() != nil || deleting {
			s.setState(StateOffline, nil, RetryInfo{})
			return
		}
		if fatal(err) {
			s.setState(StateOffline, err, RetryInfo{})
			return
		}
		attempt++
		d := s.client.opts.backoff(attempt)
		s.setState(StateReconnecting, err, RetryInfo{At: time.Now().Add(d), Attempt: attempt})
		select {
		case <-ctx.Done():
			s.setState(StateOffline, nil, RetryInfo{})
			return
		case <-time.After(d):
		}
	}
}

func (s *Session) dial(ctx context.Context) (*xmpp.Conn, error) {
	a := s.Account()
	pw, err := s.passwordFor(ctx, a)
	if err != nil {
		return nil, err
	}
	cfg := xmpp.Config{
		JID:       a.JID,
		Password:  pw,
		Resource:  a.Resource,
		Host:      a.Host,
		Port:      a.Port,
		DirectTLS: a.TLSMode == account.TLSDirect,
		TLSConfig: s.client.opts.TLSConfig,
		Handler:   s,
		Flush:     s.flushIn,
		// A dropped link shows as reconnecting while XEP-0198 resumes it.
		OnStatus: func(st xmpp.Status) {
			s.mu.Lock()
			deleting := s.deleting
			s.mu.Unlock()
			if deleting {
				return // the account is going: the end of the stream is expected
			}
			switch st {
			case xmpp.StatusInterrupted:
				s.mu.Lock()
				s.live = nil
				s.mu.Unlock()
				s.setState(StateReconnecting, errLinkLost, RetryInfo{})
				s.hooks.interrupt()
			case xmpp.StatusResumed:
				// What was queued while the link was down goes out now.
				s.mu.Lock()
				conn := s.conn
				s.mu.Unlock()
				if conn != nil {
					s.hooks.resume(conn)
					s.goLive(conn)
				}
			}
		},
		ResumeTimeout: s.client.opts.ResumeTimeout,
		// No silent downgrade: once signed in with SCRAM, a server
		// offering only PLAIN or legacy auth is refused (xmpp.AuthLevel).
		MinAuth: xmpp.MechanismLevel(a.StrongestAuth),
	}
	if cfg.Resource == "" {
		cfg.Resource = s.client.opts.DefaultResource
	}
	cfg.Pinned = pinnedOf(a)
	s.mu.Lock()
	s.connectedAt = time.Now()
	s.mu.Unlock()
	return xmpp.Dial(ctx, cfg)
}

// pinnedOf is the fingerprints of the certificates the user trusted for
// a.
func pinnedOf(a account.Account) [][32]byte {
	var out [][32]byte
	for _, p := range a.Pinned {
		if fp, err := xmpp.ParseFingerprint(p); err == nil {
			out = append(out, fp)
		}
	}
	return out
}

// recordAuth remembers mech as the account's strongest sign-in when it is
// stronger than the one stored (xmpp.Stronger), so that later sign-ins
// refuse a downgrade. It writes the accounts file (session goroutine).
func (s *Session) recordAuth(mech string) {
	c := s.client
	c.acctMu.Lock()
	a, ok := c.accounts.Get(s.jid())
	if !ok || !xmpp.Stronger(mech, a.StrongestAuth) {
		c.acctMu.Unlock()
		return
	}
	a.StrongestAuth = mech
	err := c.accounts.Put(a)
	c.acctMu.Unlock()
	if err != nil {
		c.logf("account %s: remembering sign-in with %s: %v", a.JID, mech, err)
		return
	}
	s.mu.Lock()
	s.acct.StrongestAuth = mech
	s.mu.Unlock()
}

func (s *Session) passwordFor(ctx context.Context, a account.Account) (string, error) {
	s.mu.Lock()
	pw := s.password
	s.mu.Unlock()
	if pw != "" {
		return pw, nil
	}
	if !a.RememberPassword || s.client.keyring == nil {
		return "", ErrPasswordNeeded
	}
	pw, err := s.client.storedPassword(ctx, a.JID)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrPasswordNeeded, err)
	}
	return pw, nil
}

// online runs a connected session until the connection ends.
func (s *Session) online(ctx context.Context, conn *xmpp.Conn) error {
	s.mu.Lock()
	s.conn = conn
	s.mu.Unlock()
	loginDone := s.loggedIn(ctx, conn)
	defer func() {
		s.mu.Lock()
		s.conn, s.live = nil, nil
		s.invisible = false
		s.mu.Unlock()
		s.keepUnacked(conn)
		s.hooks.goOffline()
		for _, c := range s.roster.clearPresence() {
			s.client.bus.Publish(PresenceChanged{Account: s.jid(), Contact: c})
		}
	}()
	// Roster first, then presence: otherwise the server pushes every
	// contact's presence before the roster arrives.
	if err := s.fetchRoster(ctx, conn); err != nil {
		endFailed(ctx, conn)
		return err
	}
	loginDone(ctx)
	if err := s.sendPresence(ctx, conn); err != nil {
		endFailed(ctx, conn)
		return err
	}
	s.hooks.goPresent(conn)
	s.replayCarried(conn)
	s.goLive(conn)
	select {
	case <-conn.Done():
		return connEnd(conn)
	case <-ctx.Done():
		conn.Close()
		return nil
	}
}

// endFailed ends a connection where signing in failed: closed when the
// user signed out meanwhile, else dropped as a lost link (xmpp.Conn.Abort:
// a link where a request timed out may be frozen, and a stream's end
// that reached the server when it thawed would end the session cleanly).
func endFailed(ctx context.Context, conn *xmpp.Conn) {
	if ctx.Err() != nil {
		conn.Close()
		return
	}
	conn.Abort()
}

func connEnd(conn *xmpp.Conn) error {
	if err := conn.Err(); err != nil {
		return err
	}
	return errors.New("core: the server closed the connection")
}

// onlineConn is the connection when online.
func (s *Session) onlineConn() (*xmpp.Conn, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil || s.state != StateOnline {
		return nil, ErrNotConnected
	}
	return s.conn, nil
}

// loginWait bounds how long a login waits for the background fetches
// (our vCard, the block list) before sending presence.
const loginWait = 5 * time.Second

// loggedIn starts, on a new connection, what a session learns besides
// the roster, in parallel with it: our own vCard (so that our first
// presence carries our photo's hash) and what the features do when online
// (the block list). What was learnt on the previous connection is
// dropped. The returned function waits for them, at most loginWait; they
// go on in the background after that.
func (s *Session) loggedIn(ctx context.Context, conn *xmpp.Conn) (wait func(context.Context)) {
	s.caps.reset()
	s.av.mu.Lock()
	s.av.bad = nil // failures are tried again once per connection
	s.av.mu.Unlock()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); s.refreshOwnAvatar(conn) }()
	s.hooks.goOnline(ctx, conn, &wg)
	go func() { wg.Wait(); close(done) }()
	return func(ctx context.Context) {
		select {
		case <-done:
		case <-time.After(loginWait):
		case <-conn.Done():
		case <-ctx.Done():
		}
	}
}
