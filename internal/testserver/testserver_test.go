package testserver

import (
	"crypto/sha256"
	"crypto/tls"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestMain(m *testing.M) { Main(m) }

// connectTLS opens a stream on s's c2s port and negotiates STARTTLS.
func connectTLS(t *testing.T, s *Server, cfg *tls.Config) *rawConn {
	t.Helper()
	if cfg == nil {
		cfg = s.TLSConfig()
	}
	c, err := dialRaw(s.Addr(), s.Domain, nil, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.openStream(); err != nil {
		t.Fatal(err)
	}
	if err := c.startTLS(cfg); err != nil {
		t.Fatal(err)
	}
	return c
}

func localpart(jid string) string { return jid[:strings.IndexByte(jid, '@')] }

// checkPlain asserts that SASL PLAIN succeeds with the right password and
// fails with a wrong one.
func checkPlain(t *testing.T, s *Server, jid, pass string) {
	t.Helper()
	c := connectTLS(t, s, nil)
	if !c.features.hasMechanism("PLAIN") {
		t.Fatalf("PLAIN not offered: %v", c.features.mechanisms())
	}
	ok, e, err := c.authPlain(localpart(jid), pass)
	if err != nil || !ok {
		t.Fatalf("PLAIN login as %s: ok=%v answer=%v err=%v", jid, ok, e, err)
	}
	c = connectTLS(t, s, nil)
	ok, e, err = c.authPlain(localpart(jid), pass+"x")
	if err != nil || ok || e.XMLName.Local != "failure" {
		t.Fatalf("PLAIN login with wrong password: ok=%v answer=%v err=%v", ok, e, err)
	}
}

// logMechanisms logs what the server offers after STARTTLS with TLS 1.2 and 1.3.
func logMechanisms(t *testing.T, s *Server) {
	t.Helper()
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		cfg := s.TLSConfig()
		cfg.MinVersion, cfg.MaxVersion = v, v
		c := connectTLS(t, s, cfg)
		cb := "none"
		if c.features.ChannelBinding != nil {
			cb = strings.TrimSpace(c.features.ChannelBinding.Types[0].Type)
			for _, x := range c.features.ChannelBinding.Types[1:] {
				cb += "," + x.Type
			}
		}
		t.Logf("%s %s: mechanisms %v, sasl-channel-binding: %s", s.Kind, tls.VersionName(v), c.features.mechanisms(), cb)
	}
}

func TestProsodyDefault(t *testing.T) {
	t.Parallel()
	t0 := time.Now()
	s := Start(t, Prosody, Options{})
	t.Logf("prosody ready after %v", time.Since(t0))
	if s.Port == 0 || s.DirectTLSPort != 0 || s.Addr() != "127.0.0.1:"+strconv.Itoa(s.Port) {
		t.Fatalf("bad ports: %+v", s)
	}
	t0 = time.Now()
	jid1, pass1 := s.NewUser(t)
	t.Logf("NewUser took %v", time.Since(t0))
	jid2, pass2 := s.NewUser(t)
	if jid1 == jid2 || pass1 == pass2 || !strings.HasSuffix(jid1, "@example.test") {
		t.Fatalf("users not unique: %s/%s %s/%s", jid1, pass1, jid2, pass2)
	}
	checkPlain(t, s, jid1, pass1)
	checkPlain(t, s, jid2, pass2)

	c := connectTLS(t, s, nil)
	for _, m := range []string{"SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN"} {
		if !c.features.hasMechanism(m) {
			t.Errorf("%s not offered: %v", m, c.features.mechanisms())
		}
	}
	logMechanisms(t, s)

	// Registering an existing user fails.
	if err := s.createUser(localpart(jid1), "other"); err == nil {
		t.Error("registering an existing user succeeded")
	}
	// Before STARTTLS only STARTTLS (required) is offered.
	rc, err := dialRaw(s.Addr(), s.Domain, nil, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if err := rc.openStream(); err != nil {
		t.Fatal(err)
	}
	if rc.features.StartTLS == nil || rc.features.StartTLS.Required == nil {
		t.Errorf("STARTTLS not required: %s", rc.features.Raw)
	}
}

func TestProsodyHashed(t *testing.T) {
	t.Parallel()
	s := Start(t, Prosody, Options{Auth: "internal_hashed"})
	jid, pass := s.NewUser(t)
	c := connectTLS(t, s, nil)
	if !c.features.hasMechanism("SCRAM-SHA-1") || c.features.hasMechanism("SCRAM-SHA-256") {
		t.Errorf("internal_hashed offers %v, want SCRAM-SHA-1 without SCRAM-SHA-256", c.features.mechanisms())
	}
	logMechanisms(t, s)
	checkPlain(t, s, jid, pass)
}

func TestProsodyNoTLS(t *testing.T) {
	t.Parallel()
	s := Start(t, Prosody, Options{NoTLS: true})
	c, err := dialRaw(s.Addr(), s.Domain, nil, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.openStream(); err != nil {
		t.Fatal(err)
	}
	if c.features.StartTLS != nil {
		t.Errorf("NoTLS server offers STARTTLS: %s", c.features.Raw)
	}
	if c.features.hasMechanism("PLAIN") {
		t.Errorf("NoTLS server offers PLAIN in the clear: %v", c.features.mechanisms())
	}
	t.Logf("NoTLS features: mechanisms %v, raw %s", c.features.mechanisms(), c.features.Raw)
	t0 := time.Now()
	s.NewUser(t) // via prosodyctl
	t.Logf("NewUser (prosodyctl) took %v", time.Since(t0))
}

func TestProsodyLegacyAuth(t *testing.T) {
	t.Parallel()
	s := Start(t, Prosody, Options{LegacyAuth: true})
	jid, pass := s.NewUser(t) // IBR over TLS still works
	c := connectTLS(t, s, nil)
	if c.features.IQAuth == nil {
		t.Errorf("iq-auth not offered: %s", c.features.Raw)
	}
	if c.features.Mechanisms != nil {
		t.Errorf("SASL offered: %s", c.features.Raw)
	}
	e, err := c.legacyAuth(localpart(jid), pass+"x", "res")
	if err != nil || e.attr("type") != "error" {
		t.Fatalf("legacy auth with wrong password: %v %v", e, err)
	}
	e, err = c.legacyAuth(localpart(jid), pass, "res")
	if err != nil || e.attr("type") != "result" {
		t.Fatalf("legacy auth: %v %v", e, err)
	}
	// The session is usable: a roster get works.
	e, err = c.iq("r1", "get", "<query xmlns='jabber:iq:roster'/>")
	if err != nil || e.attr("type") != "result" {
		t.Fatalf("roster get after legacy auth: %v %v", e, err)
	}
}

func TestProsodyDirectTLS(t *testing.T) {
	t.Parallel()
	s := Start(t, Prosody, Options{DirectTLS: true})
	if s.DirectTLSPort == 0 || s.DirectTLSPort == s.Port {
		t.Fatalf("bad DirectTLSPort %d", s.DirectTLSPort)
	}
	jid, pass := s.NewUser(t)
	addr := net.JoinHostPort(s.Host, strconv.Itoa(s.DirectTLSPort))
	c, err := dialRaw(addr, s.Domain, s.TLSConfig(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cs := c.conn.(*tls.Conn).ConnectionState()
	if cs.PeerCertificates[0].Raw == nil || [32]byte(sha256Sum(cs.PeerCertificates[0].Raw)) != s.CertSHA256 {
		t.Error("direct TLS certificate does not match CertSHA256")
	}
	if err := c.openStream(); err != nil {
		t.Fatal(err)
	}
	if c.features.StartTLS != nil || !c.features.hasMechanism("PLAIN") {
		t.Errorf("direct TLS features: %s", c.features.Raw)
	}
	ok, e, err := c.authPlain(localpart(jid), pass)
	if err != nil || !ok {
		t.Fatalf("PLAIN over direct TLS: %v %v", e, err)
	}
}

func TestEjabberdShared(t *testing.T) {
	t.Parallel()
	t0 := time.Now()
	s := Shared(t, Ejabberd, Options{})
	t.Logf("shared ejabberd ready after %v", time.Since(t0))
	if s2 := Shared(t, Ejabberd, Options{}); s2 != s {
		t.Fatal("Shared returned two different servers")
	}
	t0 = time.Now()
	jid, pass := s.NewUser(t)
	t.Logf("NewUser took %v", time.Since(t0))
	checkPlain(t, s, jid, pass)
	logMechanisms(t, s)
}

func TestSharedProsodyParallel(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	seen := map[*Server]bool{}
	for i := 0; i < 4; i++ {
		t.Run("user"+strconv.Itoa(i), func(t *testing.T) {
			t.Parallel()
			s := Shared(t, Prosody, Options{})
			mu.Lock()
			seen[s] = true
			mu.Unlock()
			jid, pass := s.NewUser(t)
			checkPlain(t, s, jid, pass)
		})
	}
	t.Cleanup(func() {
		if len(seen) != 1 {
			t.Errorf("Shared started %d servers, want 1", len(seen))
		}
	})
}

func TestStop(t *testing.T) {
	t.Parallel()
	for _, kind := range []Kind{Prosody, Ejabberd} {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			t0 := time.Now()
			s := Start(t, kind, Options{})
			t.Logf("%s ready after %v", kind, time.Since(t0))
			pids := groupPids(s.pgid)
			filePid := s.pidFromFile()
			if len(pids) == 0 || filePid == 0 {
				t.Fatalf("no processes found: group %v, pidfile %d", pids, filePid)
			}
			t.Logf("%s processes: group %v, pidfile %d", kind, pids, filePid)
			t0 = time.Now()
			s.Stop()
			t.Logf("%s stopped after %v", kind, time.Since(t0))
			s.Stop() // idempotent
			for _, pid := range append(pids, filePid) {
				if pidAlive(pid) {
					t.Errorf("process %d still alive after Stop", pid)
				}
			}
			if _, err := os.Stat(s.Dir); !os.IsNotExist(err) {
				t.Errorf("dir %s not removed: %v", s.Dir, err)
			}
			if c, err := net.DialTimeout("tcp", s.Addr(), time.Second); err == nil {
				c.Close()
				t.Errorf("port %d still open after Stop", s.Port)
			}
		})
	}
}

func sha256Sum(b []byte) [32]byte { return sha256.Sum256(b) }
