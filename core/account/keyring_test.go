package account

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	dbus "github.com/godbus/dbus/v5"
)

// The keyring tests talk to the real OS keyring. `make test` runs them
// inside .ci/with-desktop.sh: a private session bus with an unlocked
// gnome-keyring and a fresh HOME, so they never touch a developer's keyring.
//
// Scenarios that poison process-wide state (godbus caches one shared
// session bus connection; a bus that never answers keeps godbus's connect
// lock and this package's call slot forever) run in a child process: the
// test binary re-executed with CAUSERIE_ACCOUNT_HELPER set.

const (
	helperEnv        = "CAUSERIE_ACCOUNT_HELPER"         // comma-separated ops: get, set, delete, available
	helperTimeoutEnv = "CAUSERIE_ACCOUNT_HELPER_TIMEOUT" // Keyring.Timeout for the child
)

func TestMain(m *testing.M) {
	if ops := os.Getenv(helperEnv); ops != "" {
		os.Exit(runHelper(ops))
	}
	os.Exit(m.Run())
}

// helperResult is what the child reports for each op.
type helperResult struct {
	Op      string `json:"op"`
	Kind    string `json:"kind"` // nil, unavailable, locked, notfound, other
	Err     string `json:"err,omitempty"`
	Elapsed int64  `json:"elapsed_ms"`
}

func kindOf(err error) string {
	switch {
	case err == nil:
		return "nil"
	case errors.Is(err, ErrKeyringUnavailable):
		return "unavailable"
	case errors.Is(err, ErrKeyringLocked):
		return "locked"
	case errors.Is(err, ErrPasswordNotFound):
		return "notfound"
	}
	return "other"
}

func runHelper(ops string) int {
	k := NewKeyring()
	if d, err := time.ParseDuration(os.Getenv(helperTimeoutEnv)); err == nil {
		k.Timeout = d
	}
	enc := json.NewEncoder(os.Stdout)
	for _, op := range strings.Split(ops, ",") {
		start := time.Now()
		var err error
		ctx := context.Background()
		switch op {
		case "get":
			_, err = k.Get(ctx, "helper@causerie.test")
		case "set":
			err = k.Set(ctx, "helper@causerie.test", "helper-secret-value")
		case "delete":
			err = k.Delete(ctx, "helper@causerie.test")
		case "available":
			err = k.Available(ctx)
		default:
			fmt.Fprintf(os.Stderr, "unknown op %q\n", op)
			return 2
		}
		r := helperResult{Op: op, Kind: kindOf(err), Elapsed: time.Since(start).Milliseconds()}
		if err != nil {
			r.Err = err.Error()
		}
		_ = enc.Encode(r)
	}
	return 0
}

// inChild runs ops in a child process with the given session bus address
// and keyring timeout, and returns its reports. The child gets 30 s: a hang
// is a failure, not a stuck test run.
func inChild(t *testing.T, busAddr string, timeout time.Duration, ops ...string) []helperResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(),
		helperEnv+"="+strings.Join(ops, ","),
		helperTimeoutEnv+"="+timeout.String(),
		"DBUS_SESSION_BUS_ADDRESS="+busAddr,
	)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("helper process: %v\nstdout: %s\nstderr: %s", err, out, stderr.String())
	}
	var res []helperResult
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		var r helperResult
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("helper output %q: %v", sc.Text(), err)
		}
		t.Logf("child %s: %s in %d ms: %s", r.Op, r.Kind, r.Elapsed, r.Err)
		res = append(res, r)
	}
	if len(res) != len(ops) {
		t.Fatalf("helper reported %d results for %d ops\nstdout: %s\nstderr: %s", len(res), len(ops), out, stderr.String())
	}
	return res
}

// requireKeyring skips (or, under CI, fails) when there is no session bus:
// the real-keyring tests need .ci/with-desktop.sh.
func requireKeyring(t *testing.T) {
	t.Helper()
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("DBUS_SESSION_BUS_ADDRESS is empty: the keyring tests must run under .ci/with-desktop.sh (make test)")
		}
		t.Skip("no session bus: run under .ci/with-desktop.sh (make test)")
	}
}

func requireTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not found: run .ci/deps.sh", name)
		}
		t.Skipf("%s not found: run .ci/deps.sh", name)
	}
	return p
}

var jidSeq atomic.Int64

func uniqueJID(prefix string) string {
	return fmt.Sprintf("%s-%d-%d@causerie.test", prefix, os.Getpid(), jidSeq.Add(1))
}

// secretToolSearch asks the Secret Service, through libsecret's
// secret-tool, for items with go-keyring's attributes.
func secretToolSearch(t *testing.T, service, user string) string {
	t.Helper()
	tool := requireTool(t, "secret-tool")
	out, err := exec.Command(tool, "search", "--all", "service", service, "username", user).CombinedOutput()
	if err != nil {
		t.Fatalf("secret-tool search: %v\n%s", err, out)
	}
	return string(out)
}

func TestKeyringRealRoundTrip(t *testing.T) {
	requireKeyring(t)
	k := NewKeyring()
	ctx := context.Background()
	start := time.Now()
	if err := k.Available(ctx); err != nil {
		t.Fatalf("Available() = %v", err)
	}
	t.Logf("Available() took %v (includes connecting to the bus if this is the process's first call)", time.Since(start))

	jid := uniqueJID("Round.Trip")
	user := NormalizeJID(jid)
	pw := "pässword with spaces & \"quotes\" 🔑"

	if _, err := k.Get(ctx, jid); !errors.Is(err, ErrPasswordNotFound) {
		t.Fatalf("Get(missing) = %v, want ErrPasswordNotFound", err)
	}
	if err := k.Set(ctx, jid, pw); err != nil {
		t.Fatal(err)
	}
	out := secretToolSearch(t, "causerie", user)
	for _, want := range []string{"attribute.service = causerie", "attribute.username = " + user} {
		if !strings.Contains(out, want) {
			t.Errorf("secret-tool search does not show %q:\n%s", want, out)
		}
	}
	if strings.Count(out, "attribute.username") != 1 {
		t.Errorf("expected exactly one item:\n%s", out)
	}

	for _, spelling := range []string{jid, user, strings.ToUpper(jid)} {
		got, err := k.Get(ctx, spelling)
		if err != nil {
			t.Fatalf("Get(%q): %v", spelling, err)
		}
		if got != pw {
			t.Fatalf("Get(%q) returned a different password", spelling)
		}
	}

	// Set again replaces instead of adding a second item.
	if err := k.Set(ctx, user, "second"); err != nil {
		t.Fatal(err)
	}
	if got, err := k.Get(ctx, jid); err != nil || got != "second" {
		t.Fatalf("Get after replace: err=%v, matches=%v", err, got == "second")
	}
	if out := secretToolSearch(t, "causerie", user); strings.Count(out, "attribute.username") != 1 {
		t.Errorf("after a second Set, expected exactly one item:\n%s", out)
	}

	if err := k.Delete(ctx, jid); err != nil {
		t.Fatal(err)
	}
	if out := secretToolSearch(t, "causerie", user); strings.TrimSpace(out) != "" {
		t.Errorf("secret-tool still finds the item after Delete:\n%s", out)
	}
	if _, err := k.Get(ctx, jid); !errors.Is(err, ErrPasswordNotFound) {
		t.Fatalf("Get after Delete = %v, want ErrPasswordNotFound", err)
	}
	if err := k.Delete(ctx, jid); err != nil {
		t.Errorf("Delete(missing) = %v, want nil", err)
	}

	// Another service is another namespace.
	other := &Keyring{Service: "causerie-test-other", Timeout: 5 * time.Second}
	if err := other.Set(ctx, jid, "x"); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Get(ctx, jid); !errors.Is(err, ErrPasswordNotFound) {
		t.Errorf("service %q sees service %q's item: %v", k.Service, other.Service, err)
	}
	if err := other.Delete(ctx, jid); err != nil {
		t.Fatal(err)
	}
}

func TestKeyringRejectsBadJID(t *testing.T) {
	k := NewKeyring()
	for _, jid := range []string{"", "nobody", "a@b.c/res"} {
		if err := k.Set(context.Background(), jid, "pw"); !errors.Is(err, ErrInvalidAccount) {
			t.Errorf("Set(%q) = %v, want ErrInvalidAccount", jid, err)
		}
	}
}

func TestKeyringLatency(t *testing.T) {
	requireKeyring(t)
	k := NewKeyring()
	ctx := context.Background()
	const n = 20
	var set, get, del []time.Duration
	for i := 0; i < n; i++ {
		jid := uniqueJID("latency")
		start := time.Now()
		if err := k.Set(ctx, jid, "pw-latency"); err != nil {
			t.Fatal(err)
		}
		set = append(set, time.Since(start))
		start = time.Now()
		if _, err := k.Get(ctx, jid); err != nil {
			t.Fatal(err)
		}
		get = append(get, time.Since(start))
		start = time.Now()
		if err := k.Delete(ctx, jid); err != nil {
			t.Fatal(err)
		}
		del = append(del, time.Since(start))
	}
	report := func(name string, d []time.Duration) {
		s := slices.Clone(d)
		slices.Sort(s)
		var sum time.Duration
		for _, x := range s {
			sum += x
		}
		t.Logf("%-6s n=%d min=%v median=%v mean=%v max=%v", name, len(s), s[0].Round(time.Microsecond),
			s[len(s)/2].Round(time.Microsecond), (sum / time.Duration(len(s))).Round(time.Microsecond), s[len(s)-1].Round(time.Microsecond))
	}
	report("Set", set)
	report("Get", get)
	report("Delete", del)
}

func TestKeyringConcurrent(t *testing.T) {
	requireKeyring(t)
	k := NewKeyring()
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			jid := uniqueJID("concurrent")
			pw := fmt.Sprintf("pw-%d", i)
			if err := k.Set(ctx, jid, pw); err != nil {
				t.Error(err)
				return
			}
			if got, err := k.Get(ctx, jid); err != nil || got != pw {
				t.Errorf("Get: err=%v, same=%v", err, got == pw)
			}
			if err := k.Delete(ctx, jid); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
}

// The accounts file never holds the password, even with the password in
// the keyring and RememberPassword set.
func TestStoreFileHasNoPassword(t *testing.T) {
	requireKeyring(t)
	s, dir := openTemp(t)
	k := NewKeyring()
	ctx := context.Background()
	jid := uniqueJID("nopassword")
	const pw = "Zq7-unique-password-9xK"
	if err := s.Put(Account{JID: jid, RememberPassword: true, AutoConnect: true}); err != nil {
		t.Fatal(err)
	}
	if err := k.Set(ctx, jid, pw); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = k.Delete(context.Background(), jid) })
	if err := s.Put(Account{JID: jid, RememberPassword: true, DisplayName: "x"}); err != nil {
		t.Fatal(err)
	}
	if got, err := k.Get(ctx, jid); err != nil || got != pw {
		t.Fatalf("keyring Get: err=%v", err)
	}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.Contains(string(data), pw) {
			t.Errorf("%s contains the password", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if grep, err := exec.LookPath("grep"); err == nil {
		out, err := exec.Command(grep, "-r", "-F", "-l", pw, dir).CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 {
			t.Errorf("grep -r for the password in %s: err=%v, output %q (want exit 1, no match)", dir, err, out)
		}
	}
}

// Without a session bus the keyring is unavailable at once, without going
// near go-keyring (whose godbus would run dbus-launch).
func TestKeyringNoSessionBus(t *testing.T) {
	k := &Keyring{Service: "causerie", Timeout: 5 * time.Second}
	for _, addr := range []string{"", "autolaunch:"} {
		t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
		start := time.Now()
		errs := map[string]error{
			"available": k.Available(context.Background()),
			"delete":    k.Delete(context.Background(), "a@b.c"),
			"set":       k.Set(context.Background(), "a@b.c", "secret-value"),
		}
		_, errs["get"] = k.Get(context.Background(), "a@b.c")
		for op, err := range errs {
			if !errors.Is(err, ErrKeyringUnavailable) {
				t.Errorf("address %q: %s = %v, want ErrKeyringUnavailable", addr, op, err)
			}
			if err != nil && strings.Contains(err.Error(), "secret-value") {
				t.Errorf("error text contains the password: %v", err)
			}
		}
		if d := time.Since(start); d > 100*time.Millisecond {
			t.Errorf("address %q: took %v, want immediate", addr, d)
		}
		t.Logf("address %q: %v", addr, errs["get"])
	}
}

func TestKeyringMissingSocket(t *testing.T) {
	t.Parallel()
	addr := "unix:path=" + filepath.Join(t.TempDir(), "no-such-bus")
	const timeout = 2 * time.Second
	for _, r := range inChild(t, addr, timeout, "available", "get", "set", "delete") {
		if r.Kind != "unavailable" {
			t.Errorf("%s: %s (%s), want unavailable", r.Op, r.Kind, r.Err)
		}
		if time.Duration(r.Elapsed)*time.Millisecond >= timeout {
			t.Errorf("%s took %d ms: it waited for the timeout instead of failing at once", r.Op, r.Elapsed)
		}
		if strings.Contains(r.Err, "helper-secret-value") {
			t.Errorf("error text contains the password: %s", r.Err)
		}
	}
}

// A bus that accepts the connection and never says a word: the keyring
// call must give up after Timeout with ErrKeyringLocked. The second call
// finds the first one still stuck and gives up after Timeout too.
func TestKeyringSilentBus(t *testing.T) {
	t.Parallel()
	sock := filepath.Join(t.TempDir(), "silent-bus")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	var accepted atomic.Int32
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			mu.Lock()
			conns = append(conns, c) // hold it open, never answer
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})

	const timeout = 300 * time.Millisecond
	for _, r := range inChild(t, "unix:path="+sock, timeout, "get", "available", "set") {
		if r.Kind != "locked" {
			t.Errorf("%s: %s (%s), want locked", r.Op, r.Kind, r.Err)
		}
		d := time.Duration(r.Elapsed) * time.Millisecond
		if d < timeout-20*time.Millisecond || d > timeout+2*time.Second {
			t.Errorf("%s returned after %v, want about %v", r.Op, d, timeout)
		}
		if strings.Contains(r.Err, "helper-secret-value") {
			t.Errorf("error text contains the password: %s", r.Err)
		}
	}
	if accepted.Load() == 0 {
		t.Error("the child never connected to the silent bus: the test did not exercise the timeout")
	}
}

// privateBus starts a dbus-daemon of our own with no service files (nothing
// can be activated on it) and returns its address.
func privateBus(t *testing.T) string {
	t.Helper()
	daemon := requireTool(t, "dbus-daemon")
	dir := t.TempDir()
	cfg := filepath.Join(dir, "bus.conf")
	conf := `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=` + filepath.Join(dir, "bus") + `</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(daemon, "--config-file="+cfg, "--nofork", "--print-address=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	line := make(chan string, 1)
	go func() {
		r := bufio.NewReader(stdout)
		s, _ := r.ReadString('\n')
		line <- strings.TrimSpace(s)
		_, _ = r.WriteTo(discard{})
	}()
	select {
	case addr := <-line:
		if addr == "" {
			t.Fatalf("dbus-daemon printed no address; stderr: %s", stderr.String())
		}
		return addr
	case <-time.After(10 * time.Second):
		t.Fatalf("dbus-daemon did not start; stderr: %s", stderr.String())
	}
	return ""
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// A session bus on which nobody provides org.freedesktop.secrets: D-Bus
// answers org.freedesktop.DBus.Error.ServiceUnknown.
func TestKeyringNoSecretService(t *testing.T) {
	t.Parallel()
	addr := privateBus(t)
	for _, r := range inChild(t, addr, 5*time.Second, "available", "get", "set", "delete") {
		if r.Kind != "unavailable" {
			t.Errorf("%s: %s (%s), want unavailable", r.Op, r.Kind, r.Err)
		}
		if !strings.Contains(r.Err, "org.freedesktop.secrets") {
			t.Errorf("%s: error %q does not keep D-Bus's detail", r.Op, r.Err)
		}
	}
}

// fakeSecretService answers just enough of the Secret Service API for
// go-keyring to reach the unlock prompt, like a locked gnome-keyring: Unlock
// returns a prompt, Prompt returns, and the Completed signal comes only if
// dismiss is set (the user dismissed the prompt) — otherwise never (the user
// is away).
type fakeSecretService struct {
	conn    *dbus.Conn
	dismiss bool

	mu    sync.Mutex
	calls []string
}

const fakePromptPath = dbus.ObjectPath("/org/freedesktop/secrets/prompt/p1")

func (f *fakeSecretService) record(s string) {
	f.mu.Lock()
	f.calls = append(f.calls, s)
	f.mu.Unlock()
}

func (f *fakeSecretService) OpenSession(alg string, input dbus.Variant) (dbus.Variant, dbus.ObjectPath, *dbus.Error) {
	f.record("OpenSession")
	return dbus.MakeVariant(""), "/org/freedesktop/secrets/session/s1", nil
}

func (f *fakeSecretService) Unlock(objects []dbus.ObjectPath) ([]dbus.ObjectPath, dbus.ObjectPath, *dbus.Error) {
	f.record("Unlock")
	return []dbus.ObjectPath{}, fakePromptPath, nil
}

type fakePrompt struct{ f *fakeSecretService }

func (p fakePrompt) Prompt(windowID string) *dbus.Error {
	p.f.record("Prompt")
	if p.f.dismiss {
		go func() {
			time.Sleep(20 * time.Millisecond)
			_ = p.f.conn.Emit(fakePromptPath, "org.freedesktop.Secret.Prompt.Completed", true, dbus.MakeVariant(""))
		}()
	}
	return nil
}

func startFakeSecretService(t *testing.T, addr string, dismiss bool) *fakeSecretService {
	t.Helper()
	conn, err := dbus.Connect(addr) // private connection, not godbus's shared one
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	f := &fakeSecretService{conn: conn, dismiss: dismiss}
	if err := conn.Export(f, "/org/freedesktop/secrets", "org.freedesktop.Secret.Service"); err != nil {
		t.Fatal(err)
	}
	if err := conn.Export(fakePrompt{f}, fakePromptPath, "org.freedesktop.Secret.Prompt"); err != nil {
		t.Fatal(err)
	}
	reply, err := conn.RequestName("org.freedesktop.secrets", dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("RequestName: %v, %v", reply, err)
	}
	return f
}

// A locked keyring whose unlock prompt nobody answers: ErrKeyringLocked
// after Timeout, not a hang.
func TestKeyringLockedPromptNeverAnswered(t *testing.T) {
	t.Parallel()
	addr := privateBus(t)
	f := startFakeSecretService(t, addr, false)
	const timeout = 300 * time.Millisecond
	for _, r := range inChild(t, addr, timeout, "get", "set") {
		if r.Kind != "locked" {
			t.Errorf("%s: %s (%s), want locked", r.Op, r.Kind, r.Err)
		}
		d := time.Duration(r.Elapsed) * time.Millisecond
		if d < timeout-20*time.Millisecond || d > timeout+2*time.Second {
			t.Errorf("%s returned after %v, want about %v", r.Op, d, timeout)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !slices.Contains(f.calls, "Prompt") {
		t.Errorf("go-keyring never reached the prompt; calls: %v", f.calls)
	}
}

// The user dismissed the unlock prompt: ErrKeyringLocked at once.
func TestKeyringLockedPromptDismissed(t *testing.T) {
	t.Parallel()
	addr := privateBus(t)
	f := startFakeSecretService(t, addr, true)
	const timeout = 5 * time.Second
	for _, r := range inChild(t, addr, timeout, "get", "available", "set") {
		if r.Kind != "locked" {
			t.Errorf("%s: %s (%s), want locked", r.Op, r.Kind, r.Err)
		}
		if !strings.Contains(r.Err, "failed to unlock") {
			t.Errorf("%s: error %q does not keep go-keyring's detail", r.Op, r.Err)
		}
		if time.Duration(r.Elapsed)*time.Millisecond >= timeout {
			t.Errorf("%s waited for the timeout", r.Op)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !slices.Contains(f.calls, "Prompt") {
		t.Errorf("go-keyring never reached the prompt; calls: %v", f.calls)
	}
}

func TestClassify(t *testing.T) {
	for name := range unavailableDBusErrors {
		if got := classify(dbus.Error{Name: name, Body: []any{"detail"}}); got != ErrKeyringUnavailable {
			t.Errorf("%s -> %v", name, got)
		}
	}
	for name := range lockedDBusErrors {
		if got := classify(&dbus.Error{Name: name}); got != ErrKeyringLocked {
			t.Errorf("%s -> %v", name, got)
		}
	}
	if got := classify(fmt.Errorf("wrapped: %w", dbus.Error{Name: "org.freedesktop.DBus.Error.Spawn.ChildExited"})); got != ErrKeyringUnavailable {
		t.Errorf("Spawn.ChildExited -> %v", got)
	}
	if got := classify(errors.New("failed to unlock correct collection '/x'")); got != ErrKeyringLocked {
		t.Errorf("unlock failure -> %v", got)
	}
	if got := classify(&net.OpError{Op: "dial", Net: "unix", Err: errors.New("connect: connection refused")}); got != ErrKeyringUnavailable {
		t.Errorf("connection refused -> %v", got)
	}
}

func TestKeyringErrorRedactsPassword(t *testing.T) {
	err := scrub(errors.New("backend said: hunter2 is wrong"), "hunter2")
	if strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("not redacted: %v", err)
	}
	ke := &KeyringError{Op: "set", JID: "a@b.c", Kind: ErrKeyringLocked, Err: err}
	if !errors.Is(ke, ErrKeyringLocked) || errors.Is(ke, ErrKeyringUnavailable) {
		t.Errorf("errors.Is on KeyringError broken: %v", ke)
	}
}
