package xmpp

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/xml"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/causerie/causerie/internal/testserver"
	"gosrc.io/xmpp/stanza"
)

func TestMain(m *testing.M) { testserver.Main(m) }

// cfgFor returns a config that trusts the test server's certificate.
func cfgFor(s *testserver.Server, jid, pass string) Config {
	return Config{
		JID: jid, Password: pass,
		Host: s.Host, Port: s.Port,
		TLSConfig:      &tls.Config{RootCAs: s.CertPool},
		ConnectTimeout: 20 * time.Second,
		IQTimeout:      20 * time.Second,
	}
}

func dial(t testing.TB, cfg Config) *Conn {
	t.Helper()
	c, err := Dial(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Dial(%s): %v", cfg.JID, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// servers lists the two implementations the login tests run against.
func servers(t *testing.T) map[string]*testserver.Server {
	return map[string]*testserver.Server{
		"prosody":  testserver.Shared(t, testserver.Prosody, testserver.Options{}),
		"ejabberd": testserver.Shared(t, testserver.Ejabberd, testserver.Options{}),
	}
}

func TestLoginMechanisms(t *testing.T) {
	tls12 := &tls.Config{MaxVersion: tls.VersionTLS12}
	cases := []struct {
		server  string
		opts    testserver.Options
		allowed []string
		tls     *tls.Config
		want    string
	}{
		{"prosody", testserver.Options{}, nil, nil, "SCRAM-SHA-256"},
		{"prosody", testserver.Options{}, nil, tls12, "SCRAM-SHA-256-PLUS"},
		{"prosody", testserver.Options{}, []string{"SCRAM-SHA-1-PLUS"}, tls12, "SCRAM-SHA-1-PLUS"},
		{"prosody", testserver.Options{}, []string{"PLAIN"}, nil, "PLAIN"},
		{"prosody", testserver.Options{Auth: "internal_hashed"}, nil, nil, "SCRAM-SHA-1"},
		{"ejabberd", testserver.Options{}, nil, nil, "SCRAM-SHA-1"},
		{"ejabberd", testserver.Options{}, nil, tls12, "SCRAM-SHA-1-PLUS"},
		{"ejabberd", testserver.Options{}, []string{"PLAIN"}, nil, "PLAIN"},
	}
	for _, tc := range cases {
		name := fmt.Sprintf("%s/%s/%v/tls12=%v", tc.server, tc.opts.Auth, tc.allowed, tc.tls != nil)
		t.Run(name, func(t *testing.T) {
			s := testserver.Shared(t, testserver.Kind(tc.server), tc.opts)
			jid, pass := s.NewUser(t)
			cfg := cfgFor(s, jid, pass)
			cfg.Mechanisms = tc.allowed
			if tc.tls != nil {
				cfg.TLSConfig.MaxVersion = tc.tls.MaxVersion
			}
			c := dial(t, cfg)
			if c.Mechanism() != tc.want {
				t.Errorf("mechanism = %s, want %s", c.Mechanism(), tc.want)
			}
			if got := c.JID(); len(got) <= len(jid)+1 || got[:len(jid)+1] != jid+"/" {
				t.Errorf("bound JID %q is not %s/resource", got, jid)
			}
			if err := c.Ping(context.Background(), ""); err != nil {
				t.Errorf("ping after login: %v", err)
			}
		})
	}
}

func TestWrongPassword(t *testing.T) {
	for name, s := range servers(t) {
		t.Run(name, func(t *testing.T) {
			jid, _ := s.NewUser(t)
			_, err := Dial(context.Background(), cfgFor(s, jid, "not-the-password"))
			var ae *AuthError
			if !errors.As(err, &ae) || ae.Condition != "not-authorized" {
				t.Fatalf("err = %v, want AuthError not-authorized", err)
			}
		})
	}
}

func TestResourceRequested(t *testing.T) {
	for name, s := range servers(t) {
		t.Run(name, func(t *testing.T) {
			jid, pass := s.NewUser(t)
			cfg := cfgFor(s, jid+"/maison", pass)
			c := dial(t, cfg)
			if c.JID() != jid+"/maison" {
				t.Fatalf("JID = %q, want %s/maison", c.JID(), jid)
			}
		})
	}
}

func TestServerWithoutTLSRefused(t *testing.T) {
	s := testserver.Start(t, testserver.Prosody, testserver.Options{NoTLS: true})
	jid, pass := s.NewUser(t)
	_, err := Dial(context.Background(), cfgFor(s, jid, pass))
	if !errors.Is(err, ErrTLSNotOffered) {
		t.Fatalf("err = %v, want ErrTLSNotOffered", err)
	}
}

func TestUntrustedCertificateThenPinned(t *testing.T) {
	for name, s := range servers(t) {
		t.Run(name, func(t *testing.T) {
			jid, pass := s.NewUser(t)
			cfg := cfgFor(s, jid, pass)
			cfg.TLSConfig = nil // system roots: the self-signed cert is not trusted
			_, err := Dial(context.Background(), cfg)
			var ce *CertificateError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want CertificateError", err)
			}
			if ce.Fingerprint != s.CertSHA256 {
				t.Fatalf("fingerprint %s, want %s", FormatFingerprint(ce.Fingerprint), FormatFingerprint(s.CertSHA256))
			}
			if len(ce.Chain) == 0 || ce.Domain != s.Domain {
				t.Fatalf("error lacks chain or domain: %+v", ce)
			}
			fp, err := ParseFingerprint(FormatFingerprint(ce.Fingerprint))
			if err != nil {
				t.Fatal(err)
			}
			cfg.Pinned = [][32]byte{fp}
			c := dial(t, cfg)
			c.Close()

			// A trust hook sees the chain and may accept it for one connection.
			cfg.Pinned = nil
			var asked int
			cfg.TrustCertificate = func(domain string, chain []*x509.Certificate) bool {
				asked++
				return domain == s.Domain && Fingerprint(chain[0].Raw) == s.CertSHA256
			}
			dial(t, cfg).Close()
			if asked != 1 {
				t.Fatalf("trust hook asked %d times", asked)
			}
		})
	}
}

func TestLegacyAuth(t *testing.T) {
	s := testserver.Start(t, testserver.Prosody, testserver.Options{LegacyAuth: true})
	jid, pass := s.NewUser(t)
	cfg := cfgFor(s, jid, pass)
	cfg.Resource = "maison"
	c := dial(t, cfg)
	if c.Mechanism() != "jabber:iq:auth" || c.JID() != jid+"/maison" {
		t.Fatalf("mechanism %s, JID %s", c.Mechanism(), c.JID())
	}
	if err := c.Ping(context.Background(), ""); err != nil {
		t.Fatalf("ping: %v", err)
	}
	_, err := Dial(context.Background(), cfgFor(s, jid, "wrong"))
	var ae *AuthError
	if !errors.As(err, &ae) || ae.Mechanism != "jabber:iq:auth" {
		t.Fatalf("wrong password: err = %v, want legacy AuthError", err)
	}
	cfg.DisableLegacyAuth = true
	if _, err := Dial(context.Background(), cfg); !errors.Is(err, ErrNoMechanism) {
		t.Fatalf("legacy disabled: err = %v, want ErrNoMechanism", err)
	}
}

func TestDirectTLS(t *testing.T) {
	s := testserver.Shared(t, testserver.Prosody, testserver.Options{DirectTLS: true})
	jid, pass := s.NewUser(t)
	cfg := cfgFor(s, jid, pass)
	cfg.Port, cfg.DirectTLS = s.DirectTLSPort, true
	c := dial(t, cfg)
	if c.TLSState().Version < tls.VersionTLS12 {
		t.Fatal("no TLS")
	}
}

func TestConnectRefused(t *testing.T) {
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().(*net.TCPAddr)
	l.Close()
	_, err := Dial(context.Background(), Config{JID: "a@example.test", Password: "x", Host: "127.0.0.1", Port: addr.Port})
	var ce *ConnectError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want ConnectError", err)
	}
}

func TestDialCancelled(t *testing.T) {
	// A server that accepts and never answers: the context ends the wait.
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := Dial(ctx, Config{JID: "a@example.test", Password: "x", Host: "127.0.0.1", Port: l.Addr().(*net.TCPAddr).Port})
	if !errors.Is(err, ErrTimeout) && !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a timeout", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("Dial took %v after its context ended", d)
	}
}

// collector records messages in arrival order.
type collector struct {
	Mux
	mu   sync.Mutex
	msgs []stanza.Message
	ch   chan struct{}
}

func newCollector() *collector {
	col := &collector{ch: make(chan struct{}, 100000)}
	col.HandleMessageFunc(func(_ *Conn, m *stanza.Message) {
		col.mu.Lock()
		col.msgs = append(col.msgs, *m)
		col.mu.Unlock()
		col.ch <- struct{}{}
	})
	return col
}

func (col *collector) wait(t testing.TB, n int, d time.Duration) []stanza.Message {
	t.Helper()
	deadline := time.After(d)
	for {
		col.mu.Lock()
		got := len(col.msgs)
		col.mu.Unlock()
		if got >= n {
			col.mu.Lock()
			defer col.mu.Unlock()
			return append([]stanza.Message(nil), col.msgs...)
		}
		select {
		case <-col.ch:
		case <-deadline:
			t.Fatalf("got %d of %d messages", got, n)
		}
	}
}

func TestMessagesInWireOrder(t *testing.T) {
	for name, s := range servers(t) {
		t.Run(name, func(t *testing.T) {
			aJID, aPass := s.NewUser(t)
			bJID, bPass := s.NewUser(t)
			col := newCollector()
			cfg := cfgFor(s, aJID, aPass)
			cfg.Handler = col
			a := dial(t, cfg)
			b := dial(t, cfgFor(s, bJID, bPass))
			const n = 1000
			var acked atomic.Int32
			for i := 0; i < n; i++ {
				m := stanza.NewMessage(stanza.Attrs{To: a.JID(), Type: stanza.MessageTypeChat})
				m.Body = strconv.Itoa(i)
				if err := b.SendAcked(m, func() { acked.Add(1) }); err != nil {
					t.Fatal(err)
				}
			}
			msgs := col.wait(t, n, 60*time.Second)
			waitAcked(t, b)
			if got := acked.Load(); got != n {
				t.Fatalf("%d of %d ack callbacks ran", got, n)
			}
			outOfOrder := 0
			for i, m := range msgs[:n] {
				if m.Body != strconv.Itoa(i) {
					outOfOrder++
				}
			}
			if outOfOrder != 0 {
				t.Fatalf("%d of %d messages out of order", outOfOrder, n)
			}
		})
	}
}

func TestSequentialIQs(t *testing.T) {
	for name, s := range servers(t) {
		t.Run(name, func(t *testing.T) {
			jid, pass := s.NewUser(t)
			c := dial(t, cfgFor(s, jid, pass))
			lost := 0
			for i := 0; i < 1000; i++ {
				iq, _ := stanza.NewIQ(stanza.Attrs{Type: stanza.IQTypeGet})
				iq.Payload = &stanza.Roster{}
				r, err := c.SendIQ(context.Background(), iq)
				if err != nil || r.Type != stanza.IQTypeResult {
					lost++
				}
			}
			if lost != 0 {
				t.Fatalf("%d of 1000 IQ replies lost", lost)
			}
		})
	}
}

func TestConcurrentIQs(t *testing.T) {
	s := testserver.Shared(t, testserver.Prosody, testserver.Options{})
	jid, pass := s.NewUser(t)
	c := dial(t, cfgFor(s, jid, pass))
	var wg sync.WaitGroup
	var mu sync.Mutex
	failed := 0
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := c.Ping(context.Background(), ""); err != nil {
				mu.Lock()
				failed++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if failed != 0 {
		t.Fatalf("%d of 200 concurrent pings failed", failed)
	}
}

func TestSpoofedIQResultIgnored(t *testing.T) {
	s := testserver.Shared(t, testserver.Prosody, testserver.Options{})
	aJID, aPass := s.NewUser(t)
	bJID, bPass := s.NewUser(t)
	cJID, cPass := s.NewUser(t)
	a := dial(t, cfgFor(s, aJID, aPass))

	// b answers version queries, but only after c has sent its forgery.
	release := make(chan struct{})
	bMux := &Mux{}
	bMux.HandleIQFunc("jabber:iq:version", "query", func(conn *Conn, iq *stanza.IQ) {
		go func() {
			<-release
			conn.SendResult(iq, &stanza.Version{XMLName: xml.Name{Space: "jabber:iq:version", Local: "query"}, Name: "real-b"})
		}()
	})
	bCfg := cfgFor(s, bJID, bPass)
	bCfg.Handler = bMux
	b := dial(t, bCfg)
	c := dial(t, cfgFor(s, cJID, cPass))
	// Let b and c see each other's full JIDs via directed presence.
	for _, x := range []*Conn{b, c} {
		x.Send(stanza.NewPresence(stanza.Attrs{To: a.JID()}))
	}

	type res struct {
		iq  *stanza.IQ
		err error
	}
	done := make(chan res, 1)
	go func() {
		iq, _ := stanza.NewIQ(stanza.Attrs{Type: stanza.IQTypeGet, To: b.JID(), Id: "spoof-me"})
		iq.Payload = &stanza.Version{}
		r, err := a.SendIQ(context.Background(), iq)
		done <- res{r, err}
	}()
	time.Sleep(200 * time.Millisecond) // the request is on its way to b
	forged := fmt.Sprintf("<iq type='result' id='spoof-me' to='%s'><query xmlns='jabber:iq:version'><name>forged</name></query></iq>", a.JID())
	if err := c.SendRaw([]byte(forged)); err != nil {
		t.Fatal(err)
	}
	// The forgery comes from c, not b: it must not complete the request.
	if err := c.Ping(context.Background(), ""); err != nil { // c's stanza has been routed
		t.Fatal(err)
	}
	select {
	case r := <-done:
		t.Fatalf("request completed by forged reply: %+v %v", r.iq, r.err)
	case <-time.After(300 * time.Millisecond):
	}
	close(release)
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	if r.iq.From != b.JID() {
		t.Fatalf("reply from %s, want %s", r.iq.From, b.JID())
	}
	if v, ok := r.iq.Payload.(*stanza.Version); !ok || v.Name != "real-b" {
		t.Fatalf("payload %#v, want b's version", r.iq.Payload)
	}
}

func TestUnknownIQAnsweredServiceUnavailable(t *testing.T) {
	s := testserver.Shared(t, testserver.Prosody, testserver.Options{})
	aJID, aPass := s.NewUser(t)
	bJID, bPass := s.NewUser(t)
	a := dial(t, cfgFor(s, aJID, aPass))
	b := dial(t, cfgFor(s, bJID, bPass))
	b.Send(stanza.NewPresence(stanza.Attrs{To: a.JID()}))
	iq, _ := stanza.NewIQ(stanza.Attrs{Type: stanza.IQTypeGet, To: b.JID()})
	iq.Payload = &stanza.Version{}
	_, err := a.SendIQ(context.Background(), iq)
	var se *StanzaError
	if !errors.As(err, &se) || se.Condition != "service-unavailable" {
		t.Fatalf("err = %v, want service-unavailable", err)
	}
	// And pings are answered by the connection itself.
	if err := a.Ping(context.Background(), b.JID()); err != nil {
		t.Fatalf("ping b: %v", err)
	}
}

func TestStreamErrorConflict(t *testing.T) {
	s := testserver.Shared(t, testserver.Prosody, testserver.Options{})
	jid, pass := s.NewUser(t)
	cfg := cfgFor(s, jid+"/same", pass)
	cfg.DisableStreamManagement = true
	first := dial(t, cfg)
	dial(t, cfg)
	select {
	case <-first.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("first session not ended by the second login")
	}
	var se *StreamError
	if !errors.As(first.Err(), &se) || se.Condition != "conflict" {
		t.Fatalf("Err = %v, want stream error conflict", first.Err())
	}
}

// TestStreamResumption cuts a's TCP link with a loopback proxy and checks
// that XEP-0198 resumes the session with nothing lost and nothing
// duplicated, in both directions. Before the cut the server has
// acknowledged all a sent: a cut in the middle of one of a's stanzas makes
// Prosody 0.12 end the resumed session with not-well-formed and ejabberd
// 23.01 report a stale h (measured here; the connection then ends with an
// error and Unacked holds what must be resent on a new session). "quiet"
// also waits until b's stanzas reached a; "inflight" cuts while they are
// still streaming towards a, so the server must resend those a had not
// acknowledged.
func TestStreamResumption(t *testing.T) {
	for name, s := range servers(t) {
		for _, mode := range []string{"quiet", "inflight"} {
			t.Run(name+"/"+mode, func(t *testing.T) { testResumption(t, s, mode == "inflight") })
		}
	}
}

func testResumption(t *testing.T, s *testserver.Server, inflight bool) {
	aJID, aPass := s.NewUser(t)
	bJID, bPass := s.NewUser(t)
	px := testserver.NewProxy(t, s.Addr())
	aCol, bCol := newCollector(), newCollector()
	statuses := make(chan Status, 10)
	aCfg := cfgFor(s, aJID, aPass)
	aCfg.Port = px.Port()
	aCfg.Handler = aCol
	aCfg.OnStatus = func(st Status) { statuses <- st }
	a := dial(t, aCfg)
	if en, res := a.StreamManagement(); !en || !res {
		t.Fatalf("stream management enabled=%v resumable=%v", en, res)
	}
	bCfg := cfgFor(s, bJID, bPass)
	bCfg.Handler = bCol
	b := dial(t, bCfg)

	const n = 200
	send := func(from *Conn, to string, i int) {
		m := stanza.NewMessage(stanza.Attrs{To: to, Type: stanza.MessageTypeChat})
		m.Body = strconv.Itoa(i)
		if err := from.Send(m); err != nil {
			t.Errorf("send %d: %v", i, err)
		}
	}
	cutAt := n / 2
	for i := 0; i < n; i++ {
		if i == cutAt {
			if !inflight {
				aCol.wait(t, cutAt, 10*time.Second)
				bCol.wait(t, cutAt, 10*time.Second)
			}
			waitAcked(t, a)
			px.Cut() // drop a's TCP link
		}
		send(a, b.JID(), i)
		send(b, a.JID(), i)
	}
	waitStatuses(t, statuses, StatusInterrupted, StatusResumed)
	check := func(who string, col *collector) {
		col.wait(t, n, 30*time.Second)
		if err := a.Ping(context.Background(), ""); err != nil { // a's link works
			t.Fatalf("ping after resume: %v", err)
		}
		msgs := col.wait(t, n, time.Second)
		if len(msgs) != n {
			t.Errorf("%s got %d messages, want %d", who, len(msgs), n)
		}
		// Each message exactly once. The order too, except what ejabberd
		// reorders itself: messages routed to the session while it moves
		// to the resumed stream can come after newer ones (seen under
		// load, about one run in 50; our reader's own order is tested
		// by TestSeedStanzasDispatchedInOrder and the 1000-message test).
		seen := map[string]int{}
		outOfOrder := 0
		for i, m := range msgs {
			seen[m.Body]++
			if m.Body != strconv.Itoa(i) {
				outOfOrder++
			}
		}
		for i := 0; i < n; i++ {
			if c := seen[strconv.Itoa(i)]; c != 1 {
				t.Errorf("%s got message %d %d times", who, i, c)
			}
		}
		if outOfOrder > 0 {
			if s.Kind != testserver.Ejabberd {
				t.Errorf("%s got %d messages out of order", who, outOfOrder)
			} else {
				t.Logf("%s: ejabberd delivered %d messages out of order across the resumption", who, outOfOrder)
			}
		}
	}
	check("b", bCol)
	check("a", aCol)
	waitAcked(t, a)
}

// waitAcked waits until the server has acknowledged all a has sent.
func waitAcked(t *testing.T, c *Conn) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); len(c.Unacked()) > 0; {
		if time.Now().After(deadline) {
			t.Fatalf("%d stanzas never acknowledged", len(c.Unacked()))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestKeepAliveDetectsDeadLink: a link that silently stops carrying data
// is noticed by the XEP-0199 keep-alive ping, and the session resumes on a
// new connection.
func TestKeepAliveDetectsDeadLink(t *testing.T) {
	s := testserver.Shared(t, testserver.Prosody, testserver.Options{})
	jid, pass := s.NewUser(t)
	px := testserver.NewProxy(t, s.Addr())
	statuses := make(chan Status, 4)
	cfg := cfgFor(s, jid, pass)
	cfg.Port = px.Port()
	cfg.KeepAlive = 300 * time.Millisecond
	cfg.IQTimeout = 500 * time.Millisecond
	cfg.ConnectTimeout = 2 * time.Second
	cfg.OnStatus = func(st Status) { statuses <- st }
	c := dial(t, cfg)
	px.Freeze(true)
	select {
	case st := <-statuses:
		if st != StatusInterrupted {
			t.Fatalf("status %v", st)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("dead link not detected")
	}
	px.Freeze(false)
	select {
	case st := <-statuses:
		if st != StatusResumed {
			t.Fatalf("status %v", st)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("not resumed: %v", c.Err())
	}
	if err := c.Ping(context.Background(), ""); err != nil {
		t.Fatalf("ping after resume: %v", err)
	}
}

// TestStalledResumptionAttemptAbandoned: the link drops and the first
// attempt to resume goes silent after the TCP connect (a proxy that
// swallows what it is sent, as a black-holed route does). That attempt
// is given up after resumeAttemptTimeout, not the 30 s connect timeout,
// and the next one resumes the session: a server keeps queueing for us
// meanwhile, and Prosody cannot resume past 500 queued stanzas.
func TestStalledResumptionAttemptAbandoned(t *testing.T) {
	for name, s := range servers(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			jid, pass := s.NewUser(t)
			px := testserver.NewProxy(t, s.Addr())
			statuses := make(chan Status, 4)
			cfg := cfgFor(s, jid, pass)
			cfg.Port = px.Port()
			cfg.ConnectTimeout = 30 * time.Second
			cfg.OnStatus = func(st Status) { statuses <- st }
			c := dial(t, cfg)
			px.Freeze(true)
			px.Cut()
			waitStatuses(t, statuses, StatusInterrupted)
			// The first attempt connects into the frozen proxy and loses
			// its stream header; the thaw does not bring it back.
			time.Sleep(500 * time.Millisecond)
			px.Freeze(false)
			start := time.Now()
			select {
			case st := <-statuses:
				if st != StatusResumed {
					t.Fatalf("status %v", st)
				}
			case <-time.After(20 * time.Second):
				t.Fatalf("not resumed 20 s after the thaw: %v", c.Err())
			}
			if waited := time.Since(start); waited > resumeAttemptTimeout+5*time.Second {
				t.Errorf("resumed %v after the thaw: the stalled attempt was not given up in time", waited)
			}
			if err := c.Ping(context.Background(), ""); err != nil {
				t.Fatalf("ping after resume: %v", err)
			}
		})
	}
}

// TestDeferredHandlingFlushed: a handler that defers its work to
// Config.Flush (core stores a burst in one transaction) is flushed before
// any ack covers what it deferred. When a flush fails, none of what it
// held is acknowledged: the link drops, the session resumes, and the
// server delivers those stanzas again, so every message is kept exactly
// once and in order.
func TestDeferredHandlingFlushed(t *testing.T) {
	for name, s := range servers(t) {
		t.Run(name, func(t *testing.T) { testDeferredHandlingFlushed(t, s) })
	}
}

func testDeferredHandlingFlushed(t *testing.T, s *testserver.Server) {
	const n, failAt = 300, 120
	aJID, aPass := s.NewUser(t)
	bJID, bPass := s.NewUser(t)
	px := testserver.NewProxy(t, s.Addr())
	var (
		mu            sync.Mutex
		pending, kept []string
		flushes       int
		failed        bool
	)
	keptCh := make(chan struct{}, n*2)
	mux := &Mux{}
	mux.HandleMessageFunc(func(_ *Conn, m *stanza.Message) {
		if m.Body == "" {
			return
		}
		mu.Lock()
		pending = append(pending, m.Body)
		mu.Unlock()
	})
	statuses := make(chan Status, 10)
	aCfg := cfgFor(s, aJID, aPass)
	aCfg.Port = px.Port()
	aCfg.Handler = mux
	aCfg.OnStatus = func(st Status) { statuses <- st }
	aCfg.Flush = func() error {
		mu.Lock()
		defer mu.Unlock()
		if len(pending) == 0 {
			return nil
		}
		flushes++
		if !failed && len(kept)+len(pending) >= failAt {
			failed = true
			pending = nil
			return errors.New("disk full")
		}
		kept = append(kept, pending...)
		pending = nil
		keptCh <- struct{}{}
		return nil
	}
	a := dial(t, aCfg)
	b := dial(t, cfgFor(s, bJID, bPass))
	for i := range n {
		m := stanza.NewMessage(stanza.Attrs{To: a.JID(), Type: stanza.MessageTypeChat})
		m.Body = strconv.Itoa(i)
		if err := b.Send(m); err != nil {
			t.Fatal(err)
		}
	}
	waitStatuses(t, statuses, StatusInterrupted, StatusResumed)
	deadline := time.After(30 * time.Second)
	for {
		mu.Lock()
		got := len(kept)
		mu.Unlock()
		if got >= n {
			break
		}
		select {
		case <-keptCh:
		case <-deadline:
			t.Fatalf("kept %d of %d messages", got, n)
		}
	}
	time.Sleep(200 * time.Millisecond) // nothing more comes
	mu.Lock()
	defer mu.Unlock()
	if len(kept) != n {
		t.Fatalf("kept %d messages, want %d", len(kept), n)
	}
	for i, body := range kept {
		if body != strconv.Itoa(i) {
			t.Fatalf("message %d is %q: %q", i, body, kept)
		}
	}
	t.Logf("%d messages kept in %d flushes", n, flushes)
}

// TestAbortKeepsSession: Abort drops the link as if it were lost: at
// once, with nothing more sent, so the server does not end the session
// (a contact does not see us leave; with Close, it does).
func TestAbortKeepsSession(t *testing.T) {
	for name, s := range servers(t) {
		t.Run(name, func(t *testing.T) {
			aJID, aPass := s.NewUser(t)
			bJID, bPass := s.NewUser(t)
			type seen struct{ from, typ string }
			presences := make(chan seen, 100)
			var mux Mux
			mux.HandlePresenceFunc(func(_ *Conn, p *stanza.Presence) { presences <- seen{p.From, string(p.Type)} })
			bCfg := cfgFor(s, bJID, bPass)
			bCfg.Handler = &mux
			b := dial(t, bCfg)
			saw := func(from, typ string, d time.Duration) bool {
				end := time.After(d)
				for {
					select {
					case p := <-presences:
						if p.from == from && p.typ == typ {
							return true
						}
					case <-end:
						return false
					}
				}
			}
			watched := func() *Conn {
				a := dial(t, cfgFor(s, aJID, aPass))
				// Directed presence: the server tells b when a leaves.
				if err := a.SendRaw([]byte("<presence to='" + b.JID() + "'/>")); err != nil {
					t.Fatal(err)
				}
				if !saw(a.JID(), "", 10*time.Second) {
					t.Fatal("b did not get a's presence")
				}
				return a
			}
			a := watched()
			start := time.Now()
			a.Abort()
			if took := time.Since(start); took > time.Second {
				t.Errorf("Abort took %v", took)
			}
			select {
			case <-a.Done():
			default:
				t.Fatal("not done after Abort")
			}
			if err := a.SendRaw([]byte("<presence/>")); err == nil {
				t.Error("sent after Abort")
			}
			if saw(a.JID(), "unavailable", 2*time.Second) {
				t.Error("the contact saw an aborted session leave: the server ended it")
			}
			c := watched()
			c.Close()
			if !saw(c.JID(), "unavailable", 10*time.Second) {
				t.Error("the contact did not see a closed session leave")
			}
		})
	}
}
