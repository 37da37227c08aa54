package testserver

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Fake is a scripted XMPP server on 127.0.0.1 for the cases a real server
// never plays: a downgrade of the offered mechanisms, plaintext injected
// after <proceed/>, a changed certificate, oversized features. It needs no
// installed server and uses the standard library only.
//
// Each accepted connection plays the next script queued with Play, step by
// step; a connection with no script left is closed at once. Every element
// the client sends is recorded in the script's Run, also after the last
// step (until the client closes the connection, or ten seconds of
// silence), so a test can assert that something was never sent:
//
//	f := testserver.StartFake(t)
//	run := f.Play(
//		testserver.STARTTLS(testserver.PrimaryCert),
//		testserver.Features(`<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms>`),
//	)
//	_, err := xmpp.Dial(ctx, xmpp.Config{..., Host: f.Host, Port: f.Port, TLSConfig: f.TLSConfig()})
//	run.Wait(t)
//	if run.Has(testserver.NSSASL, "auth") { ... }
//
// The fake serves Domain with two self-signed certificates: the primary
// one, trusted by CertPool and TLSConfig, and another one for the same name
// with a different key, to play a server whose certificate changed.
type Fake struct {
	Host   string // "127.0.0.1"
	Port   int
	Domain string // always Domain ("example.test")

	CertPool    *x509.CertPool // trusts the primary certificate only
	CertSHA256  [32]byte       // SHA-256 of the primary certificate (DER)
	OtherSHA256 [32]byte       // SHA-256 of the other certificate (DER)

	l     net.Listener
	certs [2]tls.Certificate
	wg    sync.WaitGroup

	mu         sync.Mutex
	queue      []*Run
	conns      map[net.Conn]struct{}
	closed     bool
	unscripted int
}

// Cert selects the certificate a TLS step presents.
type Cert int

const (
	// PrimaryCert is trusted by Fake.CertPool; its fingerprint is
	// Fake.CertSHA256.
	PrimaryCert Cert = iota
	// OtherCert is a second self-signed certificate for the same domain
	// with another key (fingerprint Fake.OtherSHA256): the server's
	// certificate as it looks after a change.
	OtherCert
)

// Namespaces a script usually needs.
const (
	NSStream = "http://etherx.jabber.org/streams"
	NSTLS    = nsTLS
	NSSASL   = nsSASL
	// NSIQAuthFeature is the stream feature of XEP-0078 legacy auth.
	NSIQAuthFeature = nsIQAuth
	// NSIQAuth is the namespace of XEP-0078's query.
	NSIQAuth = "jabber:iq:auth"
)

// SecureStreamID is the stream id STARTTLS gives the stream it opens
// after the TLS handshake (a legacy digest is computed over it).
const SecureStreamID = "fake-tls"

// fakeIdle bounds every read and write of a script, and the recording
// after the last step.
const fakeIdle = 10 * time.Second

// StartFake starts a fake server; it is stopped by t.Cleanup.
func StartFake(t testing.TB) *Fake {
	t.Helper()
	f := &Fake{Host: "127.0.0.1", Domain: Domain, conns: map[net.Conn]struct{}{}}
	for i := range f.certs {
		c, err := newCert()
		if err != nil {
			t.Fatalf("testserver: fake certificate: %v", err)
		}
		f.certs[i], err = tls.X509KeyPair(c.certPEM, c.keyPEM)
		if err != nil {
			t.Fatalf("testserver: fake certificate: %v", err)
		}
		if i == int(PrimaryCert) {
			f.CertPool = x509.NewCertPool()
			f.CertPool.AddCert(c.leaf)
			f.CertSHA256 = sha256.Sum256(c.leaf.Raw)
		} else {
			f.OtherSHA256 = sha256.Sum256(c.leaf.Raw)
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testserver: fake listen: %v", err)
	}
	f.l = l
	f.Port = l.Addr().(*net.TCPAddr).Port
	f.wg.Add(1)
	go f.serve()
	t.Cleanup(f.Close)
	return f
}

// Addr returns "127.0.0.1:PORT".
func (f *Fake) Addr() string { return net.JoinHostPort(f.Host, strconv.Itoa(f.Port)) }

// TLSConfig returns a client TLS configuration trusting only the primary
// certificate, with ServerName set to Domain.
func (f *Fake) TLSConfig() *tls.Config {
	return &tls.Config{RootCAs: f.CertPool, ServerName: f.Domain}
}

// Play queues a script for the next connection and returns its Run.
func (f *Fake) Play(steps ...Step) *Run {
	r := &Run{steps: steps, done: make(chan struct{})}
	f.mu.Lock()
	f.queue = append(f.queue, r)
	f.mu.Unlock()
	return r
}

// Unscripted counts the connections that found no script and were closed.
func (f *Fake) Unscripted() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.unscripted
}

// Close stops listening, closes every connection and waits for the
// scripts to end.
func (f *Fake) Close() {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return
	}
	f.closed = true
	for c := range f.conns {
		c.Close()
	}
	f.mu.Unlock()
	f.l.Close()
	f.wg.Wait()
}

func (f *Fake) serve() {
	defer f.wg.Done()
	for {
		c, err := f.l.Accept()
		if err != nil {
			return
		}
		f.mu.Lock()
		if f.closed {
			f.mu.Unlock()
			c.Close()
			return
		}
		var r *Run
		if len(f.queue) > 0 {
			r, f.queue = f.queue[0], f.queue[1:]
		} else {
			f.unscripted++
		}
		if r != nil {
			f.conns[c] = struct{}{}
			f.wg.Add(1)
		}
		f.mu.Unlock()
		if r == nil {
			c.Close()
			continue
		}
		go func() {
			defer f.wg.Done()
			fc := &FakeConn{fake: f, conn: c, run: r}
			fc.play()
			f.mu.Lock()
			delete(f.conns, c)
			f.mu.Unlock()
		}()
	}
}

// Run is one connection's script: what happened and what the client sent.
type Run struct {
	steps []Step
	done  chan struct{}

	mu       sync.Mutex
	received []Element
	err      error
}

// Done is closed when the connection has ended.
func (r *Run) Done() <-chan struct{} { return r.done }

// Wait waits (at most 20 s, else it fails the test) until the connection
// has ended and returns the script's error: nil when every step ran, else
// which step failed and why.
func (r *Run) Wait(t testing.TB) error {
	t.Helper()
	select {
	case <-r.done:
	case <-time.After(2*fakeIdle + time.Second):
		t.Fatalf("testserver: fake connection still running")
	}
	return r.Err()
}

// Err is the script's error so far (nil while steps succeed).
func (r *Run) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// Received returns the top-level elements the client sent, in order
// (stream headers excepted).
func (r *Run) Received() []Element {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Element(nil), r.received...)
}

// Has reports whether the client sent an element with this name, at any
// depth of any element it sent (space "" matches any namespace).
func (r *Run) Has(space, local string) bool {
	for _, e := range r.Received() {
		if e.Find(space, local) != nil {
			return true
		}
	}
	return false
}

func (r *Run) record(e Element) {
	r.mu.Lock()
	r.received = append(r.received, e)
	r.mu.Unlock()
}

// Element is an element the client sent, as a generic tree.
type Element struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Text     string     `xml:",chardata"`
	Children []Element  `xml:",any"`
}

// Attr returns the value of an attribute without namespace ("" if absent).
func (e *Element) Attr(name string) string {
	for _, a := range e.Attrs {
		if a.Name.Local == name && a.Name.Space == "" {
			return a.Value
		}
	}
	return ""
}

// Find returns e or the first element under it with this name (space ""
// matches any namespace), depth first; nil if there is none.
func (e *Element) Find(space, local string) *Element {
	if e.XMLName.Local == local && (space == "" || e.XMLName.Space == space) {
		return e
	}
	for i := range e.Children {
		if f := e.Children[i].Find(space, local); f != nil {
			return f
		}
	}
	return nil
}

// String renders the element for failure messages (namespaces as
// attributes, text escaped).
func (e *Element) String() string {
	var b strings.Builder
	e.write(&b)
	return b.String()
}

func (e *Element) write(b *strings.Builder) {
	b.WriteString("<" + e.XMLName.Local)
	if e.XMLName.Space != "" {
		b.WriteString(" xmlns='" + html.EscapeString(e.XMLName.Space) + "'")
	}
	for _, a := range e.Attrs {
		if a.Name.Space == "xmlns" || a.Name.Local == "xmlns" {
			continue
		}
		b.WriteString(" " + a.Name.Local + "='" + html.EscapeString(a.Value) + "'")
	}
	b.WriteString(">" + html.EscapeString(e.Text))
	for i := range e.Children {
		e.Children[i].write(b)
	}
	b.WriteString("</" + e.XMLName.Local + ">")
}

// Step is one action of a script. Build steps with the functions below,
// or with Do for anything else.
type Step struct {
	name string
	do   func(*FakeConn) error
}

func (s Step) String() string { return s.name }

// Do is a step running f (name is used in failure messages).
func Do(name string, f func(*FakeConn) error) Step { return Step{name, f} }

// Steps groups steps into one.
func Steps(name string, steps ...Step) Step {
	return Step{name, func(c *FakeConn) error {
		for _, s := range steps {
			if err := s.do(c); err != nil {
				return fmt.Errorf("%s: %w", s.name, err)
			}
		}
		return nil
	}}
}

// ExpectStream reads the client's stream header.
func ExpectStream() Step { return Step{"expect stream header", (*FakeConn).ExpectStream} }

// SendHeader sends the server's stream header with this stream id.
func SendHeader(id string) Step {
	return Step{"send stream header", func(c *FakeConn) error {
		return c.Send("<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='" + NSStream +
			"' from='" + c.fake.Domain + "' id='" + html.EscapeString(id) + "' version='1.0' xml:lang='en'>")
	}}
}

// OpenStream reads the client's stream header and answers with ours.
func OpenStream(id string) Step {
	return Steps("open stream", ExpectStream(), SendHeader(id))
}

// Send sends raw bytes as they are, in one write.
func Send(raw string) Step {
	name := raw
	if len(name) > 60 {
		name = name[:60] + "…"
	}
	return Step{"send " + name, func(c *FakeConn) error { return c.Send(raw) }}
}

// Features sends <stream:features> around inner.
func Features(inner string) Step {
	return Step{"send features", func(c *FakeConn) error {
		return c.Send("<stream:features>" + inner + "</stream:features>")
	}}
}

// Expect reads the client's next element and fails unless it has this
// name (space "" matches any namespace).
func Expect(space, local string) Step {
	return Step{"expect <" + local + "/>", func(c *FakeConn) error {
		_, err := c.Expect(space, local)
		return err
	}}
}

// Reply is Expect followed by sending what reply makes of the element
// (to answer an IQ with its id, for example).
func Reply(space, local string, reply func(e *Element) string) Step {
	return Step{"reply to <" + local + "/>", func(c *FakeConn) error {
		e, err := c.Expect(space, local)
		if err != nil {
			return err
		}
		return c.Send(reply(e))
	}}
}

// StartTLS runs the server side of a TLS handshake now, presenting cert;
// the client's next stream header is read over TLS.
func StartTLS(cert Cert) Step {
	return Step{"TLS handshake", func(c *FakeConn) error { return c.StartTLS(cert) }}
}

// Proceed sends <proceed/> followed, in the same write, by inject: bytes
// a man in the middle slips in before the TLS handshake. A StartTLS step
// comes next.
func Proceed(inject string) Step {
	return Step{"send proceed", func(c *FakeConn) error {
		return c.Send("<proceed xmlns='" + NSTLS + "'/>" + inject)
	}}
}

// STARTTLS negotiates TLS as a server requiring it does: stream header,
// <starttls/> required, <proceed/>, the TLS handshake with cert, and the
// client's new stream header answered with id SecureStreamID. The stream
// features of the secure stream come next.
func STARTTLS(cert Cert) Step {
	return Steps("STARTTLS",
		OpenStream("fake-plain"),
		Features("<starttls xmlns='"+NSTLS+"'><required/></starttls>"),
		Expect(NSTLS, "starttls"),
		Proceed(""),
		StartTLS(cert),
		OpenStream(SecureStreamID),
	)
}

// AwaitClient waits until the client sends more bytes (its TLS ClientHello
// after <proceed/>, say) without consuming them: the StartTLS step that
// must follow still reads them. With it, bytes sent in between reach the
// client while it is in the TLS handshake, whatever the timing.
func AwaitClient() Step {
	return Step{"await the client", func(c *FakeConn) error {
		c.conn.SetReadDeadline(time.Now().Add(fakeIdle))
		b := make([]byte, 1)
		n, err := c.conn.Read(b)
		if n > 0 {
			c.conn = &prefixConn{Conn: c.conn, prefix: b[:n]}
		}
		return err
	}}
}

// prefixConn reads prefix before the connection.
type prefixConn struct {
	net.Conn
	prefix []byte
}

func (p *prefixConn) Read(b []byte) (int, error) {
	if len(p.prefix) > 0 {
		n := copy(b, p.prefix)
		p.prefix = p.prefix[n:]
		return n, nil
	}
	return p.Conn.Read(b)
}

// Pause waits d.
func Pause(d time.Duration) Step {
	return Step{"pause", func(*FakeConn) error { time.Sleep(d); return nil }}
}

// Close closes the connection (without </stream:stream>); nothing is
// recorded after it.
func Close() Step {
	return Step{"close", func(c *FakeConn) error { c.closed = true; return c.conn.Close() }}
}

// FakeConn is one connection of a Fake, as steps see it.
type FakeConn struct {
	fake   *Fake
	conn   net.Conn
	dec    *xml.Decoder
	run    *Run
	closed bool
}

func (c *FakeConn) play() {
	defer close(c.run.done)
	defer c.conn.Close()
	c.dec = xml.NewDecoder(c.conn)
	for i, s := range c.run.steps {
		if err := s.do(c); err != nil {
			c.run.mu.Lock()
			c.run.err = fmt.Errorf("testserver: fake step %d (%s): %w", i+1, s.name, err)
			c.run.mu.Unlock()
			return
		}
		if c.closed {
			return
		}
	}
	// Record whatever else the client sends, until it closes or goes quiet.
	for {
		if _, err := c.Next(); err != nil {
			return
		}
	}
}

// Send writes raw bytes in one write.
func (c *FakeConn) Send(raw string) error {
	c.conn.SetWriteDeadline(time.Now().Add(fakeIdle))
	_, err := io.WriteString(c.conn, raw)
	return err
}

// ExpectStream reads tokens up to the client's <stream:stream> header.
func (c *FakeConn) ExpectStream() error {
	c.conn.SetReadDeadline(time.Now().Add(fakeIdle))
	for {
		tok, err := c.dec.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Space != NSStream || t.Name.Local != "stream" {
				return fmt.Errorf("got <%s xmlns='%s'>, want a stream header", t.Name.Local, t.Name.Space)
			}
			return nil
		case xml.EndElement:
			return fmt.Errorf("got </%s>, want a stream header", t.Name.Local)
		}
	}
}

// Next reads and records the client's next top-level element.
func (c *FakeConn) Next() (*Element, error) {
	c.conn.SetReadDeadline(time.Now().Add(fakeIdle))
	for {
		tok, err := c.dec.Token()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			var e Element
			if err := c.dec.DecodeElement(&e, &t); err != nil {
				return nil, err
			}
			c.run.record(e)
			return &e, nil
		case xml.EndElement:
			return nil, errors.New("the client closed its stream")
		}
	}
}

// Expect reads the next element and fails unless it has this name (space
// "" matches any namespace).
func (c *FakeConn) Expect(space, local string) (*Element, error) {
	e, err := c.Next()
	if err != nil {
		return nil, err
	}
	if e.XMLName.Local != local || (space != "" && e.XMLName.Space != space) {
		return e, fmt.Errorf("got %s, want <%s xmlns='%s'/>", e, local, space)
	}
	return e, nil
}

// StartTLS runs the server side of a TLS handshake with cert; further
// reads and writes go through TLS.
func (c *FakeConn) StartTLS(cert Cert) error {
	tc := tls.Server(c.conn, &tls.Config{Certificates: []tls.Certificate{c.fake.certs[cert]}})
	tc.SetDeadline(time.Now().Add(fakeIdle))
	if err := tc.Handshake(); err != nil {
		return err
	}
	c.conn = tc
	c.dec = xml.NewDecoder(tc)
	return nil
}
