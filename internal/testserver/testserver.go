// Package testserver starts real, private XMPP servers (Prosody and
// ejabberd) on 127.0.0.1 for integration tests, and a scripted fake server
// ([Fake]) for what a real server never does.
//
// Every server runs from a fresh temporary directory with its own
// configuration, data, logs and a freshly generated self-signed certificate
// for [Domain] (and conference.[Domain]); nothing of the system-wide
// installation (/etc, /var/lib) is used or modified. Servers run as child
// processes in their own process group and die with the test binary.
//
// The servers are the Debian/Ubuntu packages (tested with prosody 0.12.3 and
// ejabberd 23.01):
//
//	apt-get install prosody ejabberd
//
// The packages' system services are not needed (and may stay disabled). When a
// server is not installed, tests using it are skipped, unless the environment
// variable CI is "true", in which case they fail.
//
// Typical use:
//
//	func TestMain(m *testing.M) { testserver.Main(m) }
//
//	func TestLogin(t *testing.T) {
//		srv := testserver.Shared(t, testserver.Prosody, testserver.Options{})
//		jid, pass := srv.NewUser(t)
//		cfg := &tls.Config{RootCAs: srv.CertPool, ServerName: srv.Domain}
//		...
//	}
//
// Server logs are written to files in Server.Dir and their tail is included
// in failure messages. This package uses the standard library only.
package testserver

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	mathrand "math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Domain is the XMPP domain served by every test server.
const Domain = "example.test"

// Kind selects the server implementation.
type Kind string

// Supported server kinds.
const (
	Prosody  Kind = "prosody"
	Ejabberd Kind = "ejabberd"
)

// Options selects a server variant. The zero value gives the defaults:
// STARTTLS required and, for Prosody, authentication "internal_plain".
// ResumeWindow, AckQueue, NoArchive, Archive and SQLArchive apply to
// both servers; the other options to Prosody only: ejabberd otherwise
// runs its single default variant (STARTTLS required, SCRAM-SHA-1 stored
// passwords, offering PLAIN and SCRAM-SHA-1).
type Options struct {
	// Auth is the Prosody authentication provider: "internal_plain" (the
	// default; offers SCRAM-SHA-256, SCRAM-SHA-1 and PLAIN) or
	// "internal_hashed" (offers SCRAM-SHA-1 only).
	Auth string
	// NoTLS makes Prosody offer no TLS at all (no certificate, no mod_tls,
	// c2s_require_encryption = false, allow_unencrypted_plain_auth = false):
	// a correct client must refuse to log in.
	NoTLS bool
	// LegacyAuth enables mod_legacyauth and disables mod_saslauth: after
	// STARTTLS the server offers no SASL, only XEP-0078 (jabber:iq:auth).
	LegacyAuth bool
	// DirectTLS makes Prosody also listen on a second port speaking direct
	// TLS (XEP-0368), see Server.DirectTLSPort.
	DirectTLS bool
	// ResumeWindow, in whole seconds, is how long the server keeps a
	// session whose link dropped for XEP-0198 resumption (default 60 s):
	// Prosody's smacks_hibernation_time, ejabberd's resume_timeout and
	// max_resume_timeout. Both servers take it.
	ResumeWindow time.Duration
	// AckQueue is how many stanzas the server keeps unacknowledged for a
	// client's session (XEP-0198), 0 for its default: Prosody's
	// smacks_max_queue_size (default 500: beyond it, it drops the oldest
	// silently and refuses to resume the session), ejabberd's
	// max_ack_queue (default 5000: beyond it, it ends the session). Both
	// servers take it.
	AckQueue int
	// NoArchive leaves message archiving (XEP-0313) out, for bulk tests:
	// Prosody's archive in its internal (file) storage costs it more CPU
	// with every message, and on 2 cores it then answers late.
	NoArchive bool
	// Archive adds ejabberd's mod_mam (default: always), which its test
	// config otherwise leaves out: it archives synchronously, ~60-90
	// messages a second, too slow for bulk tests. Prosody archives unless
	// NoArchive.
	Archive bool
	// SQLArchive keeps the archive in SQLite, as a server with a large
	// archive would (Prosody's mod_storage_sql; ejabberd's mod_mam with
	// db_type sql, its schema loaded first): Prosody's internal store
	// rewrites itself per message and refuses more than 10,000 items,
	// ejabberd's Mnesia one slows down as it grows. With Archive for
	// ejabberd. For benchmarks of large archives.
	SQLArchive bool
}

// UploadLimit is the largest file the test servers' upload services take
// (a benchmark sends 50 MB).
const UploadLimit = 64 << 20

// Server is one running private XMPP server.
type Server struct {
	Kind          Kind
	Domain        string // always Domain ("example.test")
	Host          string // "127.0.0.1"
	Port          int    // c2s port (STARTTLS, or plaintext with Options.NoTLS)
	DirectTLSPort int    // direct TLS c2s port; 0 unless Options.DirectTLS
	// HTTPSPort is the port of the upload service's HTTPS (XEP-0363:
	// upload.Domain, its URLs on 127.0.0.1, files up to UploadLimit).
	HTTPSPort int
	Dir       string // the server's private temporary directory

	CertPEM    []byte         // the self-signed certificate (PEM) for Domain
	CertPool   *x509.CertPool // pool holding only that certificate, for tls.Config.RootCAs
	CertSHA256 [32]byte       // SHA-256 of the certificate's DER encoding

	opts     Options
	cfgPath  string   // prosody.cfg.lua or ejabberd conf dir
	logFiles []string // files whose tail is shown on failures
	pidFile  string
	cmdLine  string

	cmd      *exec.Cmd
	pgid     int
	done     chan struct{} // closed when cmd.Wait returned
	waitErr  error
	stopOnce sync.Once
	userSeq  atomic.Int64
}

// Addr returns "127.0.0.1:PORT" of the c2s port.
func (s *Server) Addr() string {
	return net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
}

// TLSConfig returns a client TLS configuration trusting only the server's
// certificate, with ServerName set to Domain.
func (s *Server) TLSConfig() *tls.Config {
	return &tls.Config{RootCAs: s.CertPool, ServerName: s.Domain}
}

// Start starts a fresh private server used by this test only; it is stopped
// by t.Cleanup. It skips the test if the server is not installed (fails it if
// CI=true).
func Start(t testing.TB, kind Kind, opts Options) *Server {
	t.Helper()
	requireInstalled(t, kind)
	s, err := startFree(kind, opts)
	if err != nil {
		t.Fatalf("testserver: %v", err)
	}
	t.Cleanup(s.Stop)
	return s
}

type sharedKey struct {
	kind Kind
	opts Options
}

type sharedEntry struct {
	once sync.Once
	srv  *Server
	err  error
}

var (
	sharedMu      sync.Mutex
	sharedServers = map[sharedKey]*sharedEntry{}
)

// Shared returns the server for (kind, opts) shared by all tests of this test
// binary, starting it on first use. Shared servers are stopped by Main; tests
// must not stop them and should use unique user names (see NewUser).
func Shared(t testing.TB, kind Kind, opts Options) *Server {
	t.Helper()
	requireInstalled(t, kind)
	sharedMu.Lock()
	k := sharedKey{kind, opts}
	e := sharedServers[k]
	if e == nil {
		e = &sharedEntry{}
		sharedServers[k] = e
	}
	sharedMu.Unlock()
	e.once.Do(func() { e.srv, e.err = startFree(kind, opts) })
	if e.err != nil {
		t.Fatalf("testserver: shared %s server: %v", kind, e.err)
	}
	return e.srv
}

// Main runs the tests and stops all shared servers afterwards:
//
//	func TestMain(m *testing.M) { testserver.Main(m) }
func Main(m *testing.M) {
	code := m.Run()
	stopShared()
	os.Exit(code)
}

func stopShared() {
	sharedMu.Lock()
	entries := make([]*sharedEntry, 0, len(sharedServers))
	for _, e := range sharedServers {
		entries = append(entries, e)
	}
	sharedServers = map[sharedKey]*sharedEntry{}
	sharedMu.Unlock()
	var wg sync.WaitGroup
	for _, e := range entries {
		e.once.Do(func() {}) // wait for a start in progress
		if e.srv != nil {
			wg.Add(1)
			go func(s *Server) { defer wg.Done(); s.Stop() }(e.srv)
		}
	}
	wg.Wait()
}

// binary returns the executable needed for kind, or an error naming what
// is missing.
func binary(kind Kind) (string, error) {
	var name, fallback string
	switch kind {
	case Prosody:
		name, fallback = "prosody", "/usr/bin/prosody"
	case Ejabberd:
		name, fallback = "ejabberdctl", "/usr/sbin/ejabberdctl"
	default:
		return "", fmt.Errorf("unknown server kind %q", kind)
	}
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	if _, err := os.Stat(fallback); err == nil {
		return fallback, nil
	}
	return "", fmt.Errorf("%s not found in PATH or at %s", name, fallback)
}

func requireInstalled(t testing.TB, kind Kind) {
	t.Helper()
	if !supported {
		t.Skipf("testserver: real XMPP servers are only supported on Linux")
	}
	if kind != Prosody && kind != Ejabberd {
		t.Fatalf("testserver: unknown server kind %q", kind)
	}
	if _, err := binary(kind); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("testserver: %s is required in CI but not installed (%v); install it with: apt-get install %s", kind, err, kind)
		}
		t.Skipf("%s not installed: apt-get install %s", kind, kind)
	}
}

// freePorts returns n distinct free TCP ports on 127.0.0.1, below the
// kernel's ephemeral range (Linux: 32768-60999). A port that range gave
// and we let go could be handed again to any listener on port 0 (a
// test's proxy) during the seconds the server takes to bind it (ejabberd:
// 2-4 s), and the server's readiness check would then be answered by
// whatever listened there: a CI run's ejabberd "answered" with a Prosody
// proxy's certificate. Ports below the range are never given out that
// way; each is checked free by binding it.
func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	var ports []int
	for tries := 0; len(ports) < n; tries++ {
		if tries == 1000 {
			return nil, errors.New("no free port in 20000-32767")
		}
		port := 20000 + mathrand.IntN(32768-20000)
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			continue // taken
		}
		ls = append(ls, l)
		ports = append(ports, port)
	}
	return ports, nil
}

const (
	readyTimeout = 60 * time.Second
	pollInterval = 50 * time.Millisecond
	stopGrace    = 5 * time.Second
)

// startFree is start, again (three times at most) when a port it chose
// was taken meanwhile: the test binaries of several packages run at
// once, and a port found free may be bound by another one's server
// before ours binds it.
func startFree(kind Kind, opts Options) (s *Server, err error) {
	for range 3 {
		s, err = start(kind, opts)
		if err == nil || !portTaken(err) {
			return s, err
		}
	}
	return s, err
}

// portTaken reports whether a server failed to start because a port was
// in use (ejabberd: eaddrinuse; Prosody: "Address already in use").
func portTaken(err error) bool {
	m := err.Error()
	return strings.Contains(m, "eaddrinuse") || strings.Contains(m, "already in use")
}

// start launches a server and waits until it is ready.
func start(kind Kind, opts Options) (s *Server, err error) {
	bin, err := binary(kind)
	if err != nil {
		return nil, err
	}
	if kind == Ejabberd && opts != (Options{ResumeWindow: opts.ResumeWindow, AckQueue: opts.AckQueue, NoArchive: opts.NoArchive, Archive: opts.Archive, SQLArchive: opts.SQLArchive}) {
		return nil, fmt.Errorf("options %+v are only supported for Prosody", opts)
	}
	if opts.Auth != "" && opts.Auth != "internal_plain" && opts.Auth != "internal_hashed" {
		return nil, fmt.Errorf("unsupported Options.Auth %q", opts.Auth)
	}
	dir, err := os.MkdirTemp("", "causerie-"+string(kind)+"-")
	if err != nil {
		return nil, err
	}
	s = &Server{Kind: kind, Domain: Domain, Host: "127.0.0.1", Dir: dir, opts: opts, done: make(chan struct{})}
	defer func() {
		if err != nil {
			err = fmt.Errorf("%w%s", err, s.logTail())
			s.Stop()
		}
	}()
	cert, err := newCert()
	if err != nil {
		return s, fmt.Errorf("generating certificate: %w", err)
	}
	s.CertPEM = cert.certPEM
	s.CertPool = x509.NewCertPool()
	s.CertPool.AddCert(cert.leaf)
	s.CertSHA256 = sha256.Sum256(cert.leaf.Raw)

	ports, err := freePorts(3)
	if err != nil {
		return s, fmt.Errorf("finding free ports: %w", err)
	}
	s.Port, s.HTTPSPort = ports[0], ports[2]

	var cmd *exec.Cmd
	switch kind {
	case Prosody:
		if opts.DirectTLS {
			s.DirectTLSPort = ports[1]
		}
		cmd, err = s.setupProsody(bin, cert)
	case Ejabberd:
		cmd, err = s.setupEjabberd(bin, cert, ports[1])
	}
	if err != nil {
		return s, err
	}
	stdout, err := os.Create(filepath.Join(dir, "stdout.log"))
	if err != nil {
		return s, err
	}
	defer stdout.Close()
	cmd.Stdout, cmd.Stderr = stdout, stdout
	cmd.Dir = dir
	cmd.SysProcAttr = sysProcAttr()
	s.cmdLine = strings.Join(cmd.Args, " ")
	startedAt := time.Now()
	if err := cmd.Start(); err != nil {
		return s, fmt.Errorf("starting %s: %w", s.cmdLine, err)
	}
	s.cmd, s.pgid = cmd, cmd.Process.Pid
	go func() {
		s.waitErr = cmd.Wait()
		close(s.done)
	}()
	if err := s.waitReady(); err != nil {
		return s, fmt.Errorf("%s server (%s) not ready after %v: %w",
			kind, s.cmdLine, time.Since(startedAt).Round(time.Millisecond), err)
	}
	return s, nil
}

func (s *Server) setupProsody(bin string, cert *certificate) (*exec.Cmd, error) {
	tlsDir := filepath.Join(s.Dir, "tls")
	if err := os.MkdirAll(filepath.Join(s.Dir, "data"), 0o750); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(tlsDir, 0o700); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(s.Dir, "no-certs"), 0o700); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(tlsDir, "example.test.crt"), cert.certPEM, 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(tlsDir, "example.test.key"), cert.keyPEM, 0o600); err != nil {
		return nil, err
	}
	s.cfgPath = filepath.Join(s.Dir, "prosody.cfg.lua")
	s.pidFile = filepath.Join(s.Dir, "prosody.pid")
	s.logFiles = []string{filepath.Join(s.Dir, "stdout.log"), filepath.Join(s.Dir, "prosody.log")}
	cfg := prosodyConfig(s.Dir, s.Port, s.DirectTLSPort, s.HTTPSPort, s.opts)
	if err := os.WriteFile(s.cfgPath, []byte(cfg), 0o644); err != nil {
		return nil, err
	}
	return exec.Command(bin, "--config", s.cfgPath, "-F"), nil
}

func (s *Server) setupEjabberd(bin string, cert *certificate, distPort int) (*exec.Cmd, error) {
	conf := filepath.Join(s.Dir, "conf")
	for _, d := range []string{"conf", "logs", "spool", "home", "contrib", "conf/modules.d"} {
		if err := os.MkdirAll(filepath.Join(s.Dir, d), 0o750); err != nil {
			return nil, err
		}
	}
	pem := append(append([]byte{}, cert.certPEM...), cert.keyPEM...)
	if err := os.WriteFile(filepath.Join(conf, "example.test.pem"), pem, 0o600); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(conf, "inetrc"), []byte(ejabberdInetrc), 0o644); err != nil {
		return nil, err
	}
	wrapper := filepath.Join(s.Dir, "erl-wrapper.sh")
	if err := os.WriteFile(wrapper, []byte(erlWrapper), 0o755); err != nil {
		return nil, err
	}
	node := fmt.Sprintf("causerietest%d", s.Port)
	if s.opts.SQLArchive {
		if err := ejabberdSchema(filepath.Join(s.Dir, "ejabberd.db")); err != nil {
			return nil, err
		}
	}
	if err := os.WriteFile(filepath.Join(conf, "ejabberd.yml"), []byte(ejabberdConfig(s.Dir, s.Port, s.HTTPSPort, s.opts)), 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(conf, "ejabberdctl.cfg"),
		[]byte(ejabberdctlConfig(s.Dir, node, distPort, wrapper)), 0o644); err != nil {
		return nil, err
	}
	s.cfgPath = conf
	s.pidFile = filepath.Join(s.Dir, "ejabberd.pid")
	s.logFiles = []string{
		filepath.Join(s.Dir, "stdout.log"),
		filepath.Join(s.Dir, "logs", "error.log"),
		filepath.Join(s.Dir, "logs", "ejabberd.log"),
	}
	cmd := exec.Command(bin, "--config-dir", conf, "--logs", filepath.Join(s.Dir, "logs"),
		"--spool", filepath.Join(s.Dir, "spool"), "foreground")
	cmd.Env = append(os.Environ(), "HOME="+filepath.Join(s.Dir, "home"))
	return cmd, nil
}

// waitReady polls until the c2s port (and the direct TLS port, if any)
// answers a stream header with stream features.
func (s *Server) waitReady() error {
	deadline := time.Now().Add(readyTimeout)
	probe := func(addr string, tlsCfg *tls.Config) error {
		var last error
		for {
			c, err := dialRaw(addr, s.Domain, tlsCfg, 2*time.Second)
			if err == nil {
				err = c.openStream()
				c.Close()
				if err == nil {
					return nil
				}
			}
			last = err
			select {
			case <-s.done:
				return fmt.Errorf("server process exited (%v)", s.waitErr)
			default:
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("no stream features on %s: %v", addr, last)
			}
			time.Sleep(pollInterval)
		}
	}
	if err := probe(s.Addr(), nil); err != nil {
		return err
	}
	if s.DirectTLSPort != 0 {
		addr := net.JoinHostPort(s.Host, strconv.Itoa(s.DirectTLSPort))
		if err := probe(addr, s.TLSConfig()); err != nil {
			return err
		}
	}
	return nil
}

// logTail returns the last lines of the server's output and log files,
// formatted for inclusion in an error message.
func (s *Server) logTail() string {
	var b strings.Builder
	for _, f := range s.logFiles {
		data, err := os.ReadFile(f)
		if err != nil || len(data) == 0 {
			continue
		}
		lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
		if len(lines) > 40 {
			lines = lines[len(lines)-40:]
		}
		fmt.Fprintf(&b, "\n--- tail of %s ---\n%s", f, strings.Join(lines, "\n"))
	}
	return b.String()
}

// Stop stops the server (SIGTERM to its process group, SIGKILL after about
// 5 s), waits for all its processes to end and removes its directory. It is
// idempotent and safe for concurrent use.
func (s *Server) Stop() {
	s.stopOnce.Do(func() {
		if s.cmd != nil {
			stopGroup(s.pgid, s.pidFromFile(), s.done)
		}
		os.RemoveAll(s.Dir)
	})
}

// pidFromFile returns the PID the server wrote to its pidfile (for ejabberd
// that is beam.smp, a child of the ejabberdctl script), or 0.
func (s *Server) pidFromFile() int {
	data, err := os.ReadFile(s.pidFile)
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	return pid
}

// CreateUser creates the account user@Domain with the given password, using
// in-band registration (XEP-0077) over STARTTLS (prosodyctl for NoTLS
// Prosody servers). It fails the test on error.
func (s *Server) CreateUser(t testing.TB, user, password string) {
	t.Helper()
	if err := s.createUser(user, password); err != nil {
		t.Fatalf("testserver: creating user %s@%s on %s: %v%s", user, s.Domain, s.Kind, err, s.logTail())
	}
}

func (s *Server) createUser(user, password string) error {
	if s.opts.NoTLS {
		return s.prosodyctl("register", user, s.Domain, password)
	}
	c, err := dialRaw(s.Addr(), s.Domain, nil, 15*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.openStream(); err != nil {
		return err
	}
	if err := c.startTLS(s.TLSConfig()); err != nil {
		return err
	}
	return c.register(user, password)
}

func (s *Server) prosodyctl(args ...string) error {
	bin := "prosodyctl"
	if p, err := binary(Prosody); err == nil {
		if c := filepath.Join(filepath.Dir(p), "prosodyctl"); fileExists(c) {
			bin = c
		}
	}
	cmd := exec.Command(bin, append([]string{"--config", s.cfgPath}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %v: %s", strings.Join(cmd.Args, " "), err, out)
	}
	return nil
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// NewUser creates an account with a unique user name and a random password
// and returns its bare JID and the password.
func (s *Server) NewUser(t testing.TB) (jid, password string) {
	t.Helper()
	user := fmt.Sprintf("u%d%s", s.userSeq.Add(1), randomHex(4))
	password = randomHex(12)
	s.CreateUser(t, user, password)
	return user + "@" + s.Domain, password
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
