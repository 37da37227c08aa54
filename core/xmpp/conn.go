package xmpp

import (
	"context"
	"crypto/tls"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gosrc.io/xmpp/stanza"
)

// Conn is one authenticated (or, for registration, pre-authentication)
// XMPP session. With stream management it outlives a dropped TCP link: it
// resumes on a new one and resends what the server had not acknowledged.
type Conn struct {
	cfg    Config
	domain string
	user   string

	jid       string // full JID after bind
	mechanism string
	streamID  string
	// regFeature: the server advertised in-band registration.
	regFeature bool
	// features advertised on the last stream of the login.
	features []xml.Name

	// wmu serialises every write and the stream-management queue, so the
	// order on the wire is the order of the queue.
	wmu         sync.Mutex
	t           *transport
	interrupted bool
	sm          smState

	iqMu sync.Mutex
	iqs  map[string]*pendingIQ

	lastRecv atomic.Int64 // unix nanos of the last byte-carrying element

	// refused is set by a handler (Refuse) for the stanza being handled;
	// only the reader goroutine touches it.
	refused error
	// fmu serialises flushHandled; dirty (guarded by wmu) says a stanza
	// was handled since the last Flush.
	fmu   sync.Mutex
	dirty bool

	closeOnce sync.Once
	closing   atomic.Bool
	closeCh   chan struct{} // closed by Close
	done      chan struct{}
	errMu     sync.Mutex
	err       error
}

type pendingIQ struct {
	to string
	ch chan *stanza.IQ
}

// smState is XEP-0198 bookkeeping. All fields are guarded by Conn.wmu.
type smState struct {
	enabled    bool
	resumable  bool
	id         string
	max        time.Duration
	inbound    uint32 // stanzas handled from the server
	durable    uint32 // of those, the ones whose deferred work is flushed (Config.Flush): what acks may cover
	told       uint32 // the last h we sent the server (<a/> or <resume/>)
	out        uint32 // stanzas sent to the server
	queue      []queued
	ackPending bool
}

type queued struct {
	seq   uint32
	data  []byte
	acked func() // called once the server acknowledged it (may be nil)
}

// Dial connects, secures, authenticates and binds a session, then starts
// dispatching stanzas to cfg.Handler. The context bounds the handshake
// only (together with cfg.ConnectTimeout).
func Dial(ctx context.Context, cfg Config) (*Conn, error) { return dialConn(ctx, cfg, true) }

// DialUnauthenticated connects and secures a stream to a domain without
// logging in, for in-band registration (XEP-0077). cfg.JID may be just the
// domain.
func DialUnauthenticated(ctx context.Context, cfg Config) (*Conn, error) {
	return dialConn(ctx, cfg, false)
}

func dialConn(ctx context.Context, cfg Config, login bool) (*Conn, error) {
	c, err := newConn(cfg)
	if err != nil {
		return nil, err
	}
	t, err := c.establish(ctx, login, nil)
	if err != nil {
		return nil, err
	}
	c.start(t)
	return c, nil
}

func newConn(cfg Config) (*Conn, error) {
	j, err := ParseJID(cfg.JID)
	if err != nil {
		return nil, err
	}
	if cfg.Resource == "" {
		cfg.Resource = j.Resource()
	}
	c := &Conn{cfg: cfg, done: make(chan struct{}), closeCh: make(chan struct{}), iqs: make(map[string]*pendingIQ)}
	c.user, c.domain = j.Local(), j.Domain()
	return c, nil
}

// resumeReq asks establish to resume instead of binding.
type resumeReq struct {
	id      string
	inbound uint32
	h       uint32 // out: server's count of our stanzas
}

// establish makes a new transport up to a usable session: TLS, auth, and
// bind (or resume). It does not touch c's shared state except for the
// session facts it learns (jid, mechanism, sm id) on a fresh login.
func (c *Conn) establish(ctx context.Context, login bool, rr *resumeReq) (*transport, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.connectTimeout())
	defer cancel()
	raw, tgt, err := dialAny(ctx, &c.cfg, c.domain)
	if err != nil {
		return nil, err
	}
	// Cancellation closes the socket under any blocked read or write.
	stop := context.AfterFunc(ctx, func() { raw.SetDeadline(time.Unix(1, 0)) })
	t, err := c.handshake(ctx, raw, tgt, login, rr)
	if !stop() || err != nil {
		raw.Close()
		if err == nil || (ctx.Err() != nil && isNetErr(err)) {
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return nil, fmt.Errorf("%w: connecting to %s", ErrTimeout, tgt.addr)
			}
			return nil, ctx.Err()
		}
		return nil, err
	}
	raw.SetDeadline(time.Time{})
	return t, nil
}

func isNetErr(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF)
}

// handshake runs a new connection's stream negotiation up to a usable
// session, in its steps: the stream over TLS (direct or STARTTLS), then
// with login authentication, then either resumption of the session rr
// names or resource binding and stream management.
func (c *Conn) handshake(ctx context.Context, raw net.Conn, tgt target, login bool, rr *resumeReq) (*transport, error) {
	t, hdr, f, err := c.secureStream(ctx, raw, tgt)
	if err != nil {
		return nil, err
	}
	if !login {
		c.streamID = hdr.ID
		c.regFeature = f.Register != nil
		c.features = f.names()
		return t, nil
	}
	mech, resource, hdr, f, err := c.authenticate(t, hdr, f, rr != nil)
	if err != nil {
		return nil, err
	}
	if rr != nil {
		return t, c.resumeOn(t, f, rr)
	}
	c.mechanism = mech
	c.streamID = hdr.ID
	c.features = f.names()
	if resource != "" {
		c.jid = c.user + "@" + c.domain + "/" + resource
		return t, nil
	}
	if err := c.bindSession(t, f); err != nil {
		return nil, err
	}
	return t, nil
}

// secureStream opens the stream over TLS: the TLS handshake first with
// direct TLS (XEP-0368), else the plain stream's STARTTLS, which a server
// must offer. It returns the secure stream's header and features.
func (c *Conn) secureStream(ctx context.Context, raw net.Conn, tgt target) (*transport, streamHeader, *features, error) {
	max := c.cfg.maxStanza()
	timeout := c.cfg.connectTimeout()
	var t *transport
	if tgt.directTLS {
		tc := tls.Client(raw, tlsConfig(&c.cfg, c.domain))
		if err := tc.HandshakeContext(ctx); err != nil {
			return nil, streamHeader{}, nil, tlsErr(err)
		}
		t = newTransport(tc, max)
		cs := tc.ConnectionState()
		t.tls = &cs
	} else {
		t = newTransport(raw, max)
	}
	from := ""
	if c.user != "" && t.tls != nil {
		from = c.user + "@" + c.domain
	}
	hdr, err := t.openStream(c.domain, from, c.cfg.lang(), timeout)
	if err != nil {
		return nil, hdr, nil, err
	}
	f, err := t.readFeatures()
	if err != nil {
		return nil, hdr, nil, err
	}
	if t.tls != nil {
		return t, hdr, f, nil
	}
	if f.StartTLS == nil {
		return nil, hdr, nil, ErrTLSNotOffered
	}
	if err := t.write([]byte("<starttls xmlns='"+NSTLS+"'/>"), timeout); err != nil {
		return nil, hdr, nil, err
	}
	e, err := t.readElement()
	if err != nil {
		return nil, hdr, nil, err
	}
	if e.XMLName.Space != NSTLS || e.XMLName.Local != "proceed" {
		return nil, hdr, nil, fmt.Errorf("%w (server answered <%s/> to STARTTLS)", ErrTLSNotOffered, e.XMLName.Local)
	}
	tc := tls.Client(raw, tlsConfig(&c.cfg, c.domain))
	if err := tc.HandshakeContext(ctx); err != nil {
		return nil, hdr, nil, tlsErr(err)
	}
	cs := tc.ConnectionState()
	t.conn = tc
	t.tls = &cs
	t.reset(max)
	from = ""
	if c.user != "" {
		from = c.user + "@" + c.domain
	}
	if hdr, err = t.openStream(c.domain, from, c.cfg.lang(), timeout); err != nil {
		return nil, hdr, nil, err
	}
	if f, err = t.readFeatures(); err != nil {
		return nil, hdr, nil, err
	}
	return t, hdr, f, nil
}

// authenticate signs in on the secure stream: SASL when the server
// offers it (then the restarted stream's header and features), else
// legacy jabber:iq:auth (XEP-0078), never to resume a session. It
// returns the mechanism used and, for legacy auth, the resource it bound.
func (c *Conn) authenticate(t *transport, hdr streamHeader, f *features, resuming bool) (mech, resource string, _ streamHeader, _ *features, err error) {
	if c.user == "" {
		return "", "", hdr, f, fmt.Errorf("xmpp: address %q has no user name", c.cfg.JID)
	}
	switch {
	case len(f.mechanisms()) > 0:
		if mech, err = t.authSASL(&c.cfg, f, c.user); err != nil {
			return "", "", hdr, f, err
		}
		t.reset(c.cfg.maxStanza())
		from := c.user + "@" + c.domain
		if hdr, err = t.openStream(c.domain, from, c.cfg.lang(), c.cfg.connectTimeout()); err != nil {
			return "", "", hdr, f, err
		}
		if f, err = t.readFeatures(); err != nil {
			return "", "", hdr, f, err
		}
		return mech, "", hdr, f, nil
	case f.IQAuth != nil && !c.cfg.DisableLegacyAuth && !resuming:
		if resource, err = t.legacyAuth(&c.cfg, c.user, c.domain, hdr.ID); err != nil {
			return "", "", hdr, f, err
		}
		return "jabber:iq:auth", resource, hdr, f, nil
	}
	return "", "", hdr, f, ErrNoMechanism
}

// bindSession binds our resource, establishes the RFC 3921 session where
// an old server still requires it, and enables stream management
// (XEP-0198) when offered.
func (c *Conn) bindSession(t *transport, f *features) error {
	if f.Bind == nil {
		return errors.New("xmpp: server offers no resource binding")
	}
	var err error
	if c.jid, err = t.bind(&c.cfg); err != nil {
		return err
	}
	if f.Session != nil && f.Session.Optional == nil {
		if err := t.write([]byte("<iq type='set' id='sess_1'><session xmlns='"+NSSession+"'/></iq>"), c.cfg.connectTimeout()); err != nil {
			return err
		}
		e, err := t.readIQ("sess_1")
		if err != nil {
			return err
		}
		if e.attr("type") != "result" {
			return fmt.Errorf("xmpp: session: %w", elementStanzaError(e))
		}
	}
	if f.SM != nil && !c.cfg.DisableStreamManagement {
		if err := c.enableSM(t); err != nil {
			return err
		}
	}
	return nil
}

// tlsErr keeps a *CertificateError visible through the TLS wrapping.
func tlsErr(err error) error {
	var ce *CertificateError
	if errors.As(err, &ce) {
		return ce
	}
	return fmt.Errorf("xmpp: TLS handshake: %w", err)
}

func (t *transport) bind(cfg *Config) (string, error) {
	q := "<iq type='set' id='bind_1'><bind xmlns='" + NSBind + "'>"
	if cfg.Resource != "" {
		q += "<resource>" + esc(cfg.Resource) + "</resource>"
	}
	q += "</bind></iq>"
	if err := t.write([]byte(q), cfg.connectTimeout()); err != nil {
		return "", err
	}
	e, err := t.readIQ("bind_1")
	if err != nil {
		return "", err
	}
	if e.attr("type") != "result" {
		return "", fmt.Errorf("xmpp: bind: %w", elementStanzaError(e))
	}
	if b := e.child(NSBind, "bind"); b != nil {
		if j := b.child(NSBind, "jid"); j != nil && strings.TrimSpace(j.Text) != "" {
			return strings.TrimSpace(j.Text), nil
		}
	}
	return "", errors.New("xmpp: bind: server returned no address")
}

// JID is the full address bound for this session ("" before login).
func (c *Conn) JID() string { return c.jid }

// Domain is the server's domain.
func (c *Conn) Domain() string { return c.domain }

// Mechanism is the authentication mechanism used ("SCRAM-SHA-256-PLUS",
// "PLAIN", "jabber:iq:auth", ...).
func (c *Conn) Mechanism() string { return c.mechanism }

// StreamID is the id the server gave the current stream.
func (c *Conn) StreamID() string { return c.streamID }

// TLSState returns the current link's TLS state.
func (c *Conn) TLSState() tls.ConnectionState {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return *c.t.tls
}

// StreamManagement reports whether XEP-0198 is on and resumable.
func (c *Conn) StreamManagement() (enabled, resumable bool) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.sm.enabled, c.sm.resumable
}

// RegistrationOffered reports whether the server advertised in-band
// registration in its stream features (XEP-0077 §8).
func (c *Conn) RegistrationOffered() bool { return c.regFeature }

// HasFeature reports whether the server advertised a stream feature after
// login, e.g. ("urn:xmpp:features:rosterver", "ver") for XEP-0237 or
// ("urn:xmpp:features:pre-approval", "sub") for RFC 6121 pre-approval.
func (c *Conn) HasFeature(space, local string) bool {
	for _, n := range c.features {
		if n.Space == space && n.Local == local {
			return true
		}
	}
	return false
}

// Done is closed when the session has ended.
func (c *Conn) Done() <-chan struct{} { return c.done }

// Err is why the session ended: nil after Close, else a *StreamError,
// ErrResumeFailed, ErrStanzaTooLarge, a network error or, without stream
// management, a panic while reading a stanza (a bug, logged).
func (c *Conn) Err() error {
	c.errMu.Lock()
	defer c.errMu.Unlock()
	return c.err
}

func (c *Conn) start(t *transport) {
	c.t = t
	c.lastRecv.Store(time.Now().UnixNano())
	go c.readLoop()
	if ka := c.cfg.keepAlive(); ka > 0 && c.jid != "" {
		go c.keepAliveLoop(ka)
	}
}

// Send writes a stanza (any value of the stanza package, or one of ours
// that marshals to <message/>, <presence/> or <iq/>). With stream
// management, a stanza sent while the link is down is queued and sent on
// resumption.
func (c *Conn) Send(v any) error {
	b, err := xml.Marshal(v)
	if err != nil {
		return fmt.Errorf("xmpp: marshal: %w", err)
	}
	return c.SendRaw(b)
}

// SendRaw writes one stanza already serialised as XML.
func (c *Conn) SendRaw(b []byte) error { return c.sendRaw(b, nil) }

// SendAcked is Send with a callback run (on the reader goroutine) when the
// server acknowledges the stanza under XEP-0198. Without stream management
// acked is never called (see StreamManagement).
func (c *Conn) SendAcked(v any, acked func()) error {
	b, err := xml.Marshal(v)
	if err != nil {
		return fmt.Errorf("xmpp: marshal: %w", err)
	}
	return c.sendRaw(b, acked)
}

func (c *Conn) sendRaw(b []byte, acked func()) error {
	if c.closing.Load() {
		return ErrClosed
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.closing.Load() {
		return ErrClosed // Close wrote the stream's end (under wmu)
	}
	if c.sm.enabled {
		c.sm.out++
		c.sm.queue = append(c.sm.queue, queued{c.sm.out, b, acked})
	}
	if c.interrupted {
		if c.sm.resumable {
			return nil
		}
		return ErrClosed
	}
	err := c.t.write(b, c.cfg.iqTimeout())
	if err == nil && c.sm.enabled && !c.sm.ackPending {
		c.sm.ackPending = true
		err = c.t.write([]byte("<r xmlns='"+NSSM+"'/>"), c.cfg.iqTimeout())
	}
	if err != nil {
		// The reader notices the dead link; a resumable session resends.
		c.t.conn.Close()
		if c.sm.resumable {
			return nil
		}
		return fmt.Errorf("xmpp: send: %w", err)
	}
	return nil
}

// SendNonza writes a top-level element that is not a stanza (XEP-0352's
// <active/> and <inactive/>, say): stream management neither counts nor
// queues it, so while the link is down it is dropped (nil error), and it
// is not sent again on resumption; whoever sent it decides what a
// resumed stream needs (Handler hooks, OnResumed in core).
func (c *Conn) SendNonza(v any) error {
	if c.closing.Load() {
		return ErrClosed
	}
	b, err := xml.Marshal(v)
	if err != nil {
		return fmt.Errorf("xmpp: marshal: %w", err)
	}
	return c.writeNonza(string(b))
}

// writeNonza writes a non-stanza element (acks, CSI). Once Close has
// begun, nothing more is written: the stream's end is written last.
func (c *Conn) writeNonza(s string) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.closing.Load() {
		return ErrClosed
	}
	if c.interrupted {
		return nil
	}
	return c.t.write([]byte(s), c.cfg.iqTimeout())
}

// SendIQ sends a get or set and waits for the reply from the addressee.
// The reply route is registered before the request is written; a reply
// from anyone else is ignored. An error reply returns the reply and a
// *StanzaError.
func (c *Conn) SendIQ(ctx context.Context, iq *stanza.IQ) (*stanza.IQ, error) {
	if iq.Id == "" {
		iq.Id = randomID(8)
	}
	p := &pendingIQ{to: iq.To, ch: make(chan *stanza.IQ, 1)}
	c.iqMu.Lock()
	if _, dup := c.iqs[iq.Id]; dup {
		c.iqMu.Unlock()
		return nil, fmt.Errorf("xmpp: IQ id %q already pending", iq.Id)
	}
	c.iqs[iq.Id] = p
	c.iqMu.Unlock()
	forget := func() {
		c.iqMu.Lock()
		delete(c.iqs, iq.Id)
		c.iqMu.Unlock()
	}
	if err := c.Send(iq); err != nil {
		forget()
		return nil, err
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.cfg.iqTimeout())
		defer cancel()
	}
	select {
	case r := <-p.ch:
		if r.Type == stanza.IQTypeError {
			return r, stanzaError(r.Error)
		}
		return r, nil
	case <-ctx.Done():
		forget()
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, fmt.Errorf("%w: no answer to IQ %s", ErrTimeout, iq.Id)
		}
		return nil, ctx.Err()
	case <-c.done:
		forget()
		if err := c.Err(); err != nil {
			return nil, err
		}
		return nil, ErrClosed
	}
}

// SendResult answers an IQ request with a result carrying payload (nil for
// an empty result).
func (c *Conn) SendResult(req *stanza.IQ, payload stanza.IQPayload) error {
	r := &stanza.IQ{XMLName: xml.Name{Local: "iq"}, Attrs: stanza.Attrs{Type: stanza.IQTypeResult, Id: req.Id, To: req.From}, Payload: payload}
	return c.Send(r)
}

// SendError answers an IQ request with an error of the given type
// (cancel, modify, auth, wait) and condition.
func (c *Conn) SendError(req *stanza.IQ, typ, condition string) error {
	var b strings.Builder
	b.WriteString("<iq type='error' id='")
	xml.EscapeText(&b, []byte(req.Id))
	if req.From != "" {
		b.WriteString("' to='")
		xml.EscapeText(&b, []byte(req.From))
	}
	b.WriteString("'><error type='" + esc(typ) + "'><" + esc(condition) + " xmlns='" + NSStanzas + "'/></error></iq>")
	return c.SendRaw([]byte(b.String()))
}

// Close ends the session cleanly: it closes our stream, waits briefly for
// the server to close its own, and closes the socket. Stanzas the server
// had not acknowledged stay available from Unacked.
func (c *Conn) Close() error {
	if !c.closing.CompareAndSwap(false, true) {
		<-c.done
		return nil
	}
	close(c.closeCh)
	c.flushHandled() // an error leaves durable where it was
	c.wmu.Lock()
	t, down := c.t, c.interrupted
	if !down {
		if c.sm.enabled {
			t.write([]byte("<a xmlns='"+NSSM+"' h='"+strconv.FormatUint(uint64(c.sm.durable), 10)+"'/>"), 5*time.Second)
		}
		t.write([]byte("</stream:stream>"), 5*time.Second)
	}
	c.wmu.Unlock()
	select {
	case <-c.done:
	case <-time.After(3 * time.Second):
		// A busy server has not answered yet. Closing the socket now,
		// with its answer unread, would send a reset, and a reset may
		// throw away what we sent before it is read (the unavailable
		// presence, the stream's end): the server would keep the session
		// for resumption and tell no one we left. Say we are done
		// writing first, and close once it had a little more time.
		// (A link that is not trusted any more is Aborted instead.)
		if cw, ok := t.conn.(interface{ CloseWrite() error }); ok {
			t.conn.SetWriteDeadline(time.Now().Add(time.Second)) // a server not reading does not hold us
			cw.CloseWrite()
		}
		select {
		case <-c.done:
		case <-time.After(2 * time.Second):
			t.conn.Close()
			<-c.done
		}
	}
	return nil
}

// Abort drops the connection at once, as a lost link: nothing more is
// sent, neither the stream's end nor an acknowledgement, so the server
// keeps the session for resumption (XEP-0198) with what it had not seen
// acknowledged. For a link that stopped answering (a request on it timed
// out): ending the stream on it, when it thaws, would end the session
// cleanly, and what the server held for it would go to the archive
// only. Stanzas the server had not acknowledged stay available from
// Unacked.
func (c *Conn) Abort() {
	if !c.closing.CompareAndSwap(false, true) {
		<-c.done
		return
	}
	close(c.closeCh)
	c.finish(nil)
}

// Unacked returns the stanzas sent on this session that the server has not
// acknowledged (XEP-0198), oldest first, for resending on a new session
// after resumption failed.
func (c *Conn) Unacked() [][]byte {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	out := make([][]byte, len(c.sm.queue))
	for i, q := range c.sm.queue {
		out[i] = q.data
	}
	return out
}

func (c *Conn) finish(err error) {
	c.closeOnce.Do(func() {
		if c.closing.Load() {
			err = nil
		}
		c.errMu.Lock()
		c.err = err
		c.errMu.Unlock()
		c.closing.Store(true)
		c.wmu.Lock()
		c.t.conn.Close()
		c.wmu.Unlock()
		close(c.done)
		c.iqMu.Lock()
		c.iqs = map[string]*pendingIQ{}
		c.iqMu.Unlock()
	})
}

// readLoop is the single reader: it dispatches stanzas in wire order.
func (c *Conn) readLoop() {
	c.wmu.Lock()
	t := c.t
	c.wmu.Unlock()
	for {
		err := c.readOne(t)
		if err == nil {
			continue
		}
		err = t.readErr(err)
		if c.closing.Load() {
			c.flushHandled()
			c.finish(nil)
			return
		}
		var serr *StreamError
		switch {
		case errors.As(err, &serr), errors.Is(err, errStreamEnd):
			c.flushHandled()
			c.finish(err)
			return
		case errors.Is(err, ErrStanzaTooLarge):
			t.write([]byte("<stream:error><policy-violation xmlns='"+NSStreams+"'/></stream:error></stream:stream>"), time.Second)
			c.finish(err)
			return
		case isMalformed(err):
			t.write([]byte("<stream:error><not-well-formed xmlns='"+NSStreams+"'/></stream:error></stream:stream>"), time.Second)
			c.finish(fmt.Errorf("xmpp: server sent malformed XML: %w", err))
			return
		}
		nt, rerr := c.resume(t, err)
		if rerr != nil {
			c.flushHandled()
			c.finish(rerr)
			return
		}
		t = nt
	}
}

func isMalformed(err error) bool {
	var se *xml.SyntaxError
	return errors.As(err, &se)
}

// readOne reads and handles one top-level element. Before waiting for the
// network it flushes what the handler deferred (Config.Flush), so that a
// burst received together is made durable together.
func (c *Conn) readOne(t *transport) error {
	if t.drained() {
		if err := c.flushHandled(); err != nil {
			return err
		}
	}
	se, err := t.next()
	if err != nil {
		return err
	}
	c.lastRecv.Store(time.Now().UnixNano())
	switch se.Name.Space {
	case NSClient:
		return c.readStanza(t, se)
	case NSSM:
		return c.readSM(t, se)
	}
	return t.dec.Skip()
}

// readStanza decodes and handles one stanza, then counts it.
func (c *Conn) readStanza(t *transport, se xml.StartElement) error {
	switch se.Name.Local {
	case "message", "presence", "iq":
	default:
		return t.dec.Skip()
	}
	err := c.guard(se, func() (func(), error) { return c.decodeStanza(t, se) })
	if err != nil && !errors.Is(err, errDecodePanic) {
		return err
	}
	if r := c.refused; r != nil {
		// Not counted, and the link is dropped before anything after it
		// is read: the server delivers it again (see Refuse).
		c.refused = nil
		return &RefusedError{Err: r}
	}
	// Counted only now: the server's <r/> is answered on this goroutine,
	// so an ack never covers a stanza whose handler (which stores it) has
	// not returned, nor one whose deferred work is not flushed. One whose
	// decoding or handling panicked is counted too, or the server would
	// redeliver it after every reconnection.
	if c.countInbound() {
		if ferr := c.ackNow(); ferr != nil {
			return ferr
		}
	}
	return err
}

// decodeStanza reads a message, presence or IQ and returns the call that
// hands it to the handler.
func (c *Conn) decodeStanza(t *transport, se xml.StartElement) (func(), error) {
	h := c.cfg.Handler
	switch se.Name.Local {
	case "message":
		m, err := decodeMessage(t.dec, se, false)
		if h == nil {
			return func() {}, err
		}
		return func() { h.HandleMessage(c, m) }, err
	case "presence":
		p, err := decodePresence(t.dec, se)
		if h == nil {
			return func() {}, err
		}
		return func() { h.HandlePresence(c, p) }, err
	}
	iq, err := decodeIQ(t.dec, se)
	return func() { c.handleIQ(iq) }, err
}

// Refuse tells the connection, from a handler, that the stanza being
// handled could not be kept (storing it failed). The stanza is then not
// acknowledged and the link is dropped before the next one is read: with
// stream management the session resumes and the server sends it again;
// otherwise the connection ends with a *RefusedError and the server keeps
// what it had not delivered. Call it only from a handler.
func (c *Conn) Refuse(err error) {
	if err == nil {
		err = errors.New("refused")
	}
	c.refused = err
}

// RefusedError ends a link on which a handler refused a stanza.
type RefusedError struct{ Err error }

func (e *RefusedError) Error() string {
	return "xmpp: a stanza could not be handled, link dropped for redelivery: " + e.Err.Error()
}

func (e *RefusedError) Unwrap() error { return e.Err }

// unsolicitedAckEvery is how many stanzas we handle before acknowledging
// them unasked: if the server's <r/> or our answer was lost, it would
// wait for an ack while its queue fills up, and a server whose queue
// overflows (Prosody: 500) refuses to resume the session.
const unsolicitedAckEvery = 64

// countInbound counts a handled stanza and reports whether enough have
// been handled since our last ack to send one unasked (ackNow).
func (c *Conn) countInbound() (ackDue bool) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.dirty = true
	if !c.sm.enabled {
		return false
	}
	c.sm.inbound++
	return c.sm.inbound-c.sm.told >= unsolicitedAckEvery && !c.interrupted
}

// ackNow flushes and acknowledges what is handled, unasked.
func (c *Conn) ackNow() error {
	if err := c.flushHandled(); err != nil {
		return err
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.interrupted {
		return nil
	}
	c.sm.told = c.sm.durable
	c.t.write([]byte("<a xmlns='"+NSSM+"' h='"+strconv.FormatUint(uint64(c.sm.durable), 10)+"'/>"), c.cfg.iqTimeout())
	return nil
}

// Flush runs Config.Flush now, for a handler about to read what it
// deferred (a correction looks up the message it corrects). On error the
// stanzas handled since the last flush go unacknowledged as with Refuse;
// the handler should then Refuse the stanza it is handling, so that the
// link drops before the next one is read.
func (c *Conn) Flush() error { return c.flushHandled() }

// flushHandled runs Config.Flush when stanzas were handled since the last
// one, then lets acks cover them (durable). When Flush fails, what it
// should have kept is not acknowledged: inbound falls back to durable and
// the error (a *RefusedError) drops the link, so the server delivers
// those stanzas again.
func (c *Conn) flushHandled() error {
	c.fmu.Lock()
	defer c.fmu.Unlock()
	c.wmu.Lock()
	n, dirty := c.sm.inbound, c.dirty
	c.dirty = false
	c.wmu.Unlock()
	if !dirty {
		return nil
	}
	if f := c.cfg.Flush; f != nil {
		var err error
		safely("flush", func() { err = f() })
		if err != nil {
			c.wmu.Lock()
			c.sm.inbound = c.sm.durable
			c.wmu.Unlock()
			return &RefusedError{Err: err}
		}
	}
	c.wmu.Lock()
	if int32(n-c.sm.durable) > 0 {
		c.sm.durable = n
	}
	c.wmu.Unlock()
	return nil
}

func (c *Conn) handleIQ(iq *stanza.IQ) {
	switch iq.Type {
	case stanza.IQTypeResult, stanza.IQTypeError:
		c.iqMu.Lock()
		p := c.iqs[iq.Id]
		if p != nil && c.replyFromOK(p.to, iq.From) {
			delete(c.iqs, iq.Id)
		} else {
			p = nil // unknown id or spoofed sender: ignore
		}
		c.iqMu.Unlock()
		if p != nil {
			p.ch <- iq
		}
	case stanza.IQTypeGet, stanza.IQTypeSet:
		if PayloadName(iq) == (xml.Name{Space: NSPing, Local: "ping"}) {
			c.SendResult(iq, nil)
			return
		}
		if h := c.cfg.Handler; h != nil && h.HandleIQ(c, iq) {
			return
		}
		c.SendError(iq, "cancel", "service-unavailable")
	}
}

// replyFromOK checks that a reply comes from whom the request went to
// (RFC 6120 §8.1.2.1); a request to our server or our own bare JID may be
// answered with no from, our bare JID or the domain.
func (c *Conn) replyFromOK(to, from string) bool {
	norm := func(j string) string {
		if p, err := ParseJID(j); err == nil {
			return p.String()
		}
		return j
	}
	to, from = norm(to), norm(from)
	if to == from {
		return true
	}
	bare := ""
	if c.user != "" {
		bare = c.user + "@" + c.domain
	}
	self := to == "" || to == c.domain || (bare != "" && to == bare)
	if !self {
		return false
	}
	return from == "" || from == c.domain || (bare != "" && (from == bare || from == norm(c.jid)))
}
