// Package slixpeer runs an independent XMPP client, built on slixmpp
// (Debian's python3-slixmpp 1.8.3), as a scripted peer for interop tests.
//
// The peer is the Python script slixpeer.py, embedded in this package and
// run with /usr/bin/python3 (Debian's slixmpp is installed for the system
// Python only). It logs in to a [testserver.Server], verifying the
// server's certificate, with these slixmpp plugins: XEP-0030 (disco),
// XEP-0071 (XHTML-IM), XEP-0085 (chat states), XEP-0184 (receipts,
// answered automatically), XEP-0308 (corrections), XEP-0092 (software
// version "slixbot" "1.0" and the OS), XEP-0115 (caps in its presence)
// and XEP-0199 (ping). It approves subscription requests by itself (and
// asks back when Options.SubscribeBack is set).
//
// The test drives it with JSON lines on the script's stdin ([Command]) and
// reads JSON lines from its stdout ([Event]): every received message,
// chat state or receipt, every presence, and a "done" event answering
// each command. When python3 or slixmpp is missing, [Start] skips the test,
// or fails it when the environment variable CI is "true".
//
//	srv := testserver.Shared(t, testserver.Prosody, testserver.Options{})
//	jid, pass := srv.NewUser(t)
//	p := slixpeer.Start(t, srv, jid, pass, slixpeer.Options{SubscribeBack: true})
//	p.Do(t, slixpeer.Command{Cmd: "send", To: them, Body: "hi", HTML: "<p><strong>hi</strong></p>"})
//	ev := p.WaitFor(t, "their reply", func(e slixpeer.Event) bool { return e.Event == "message" && e.Body != "" })
package slixpeer

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/causerie/causerie/internal/testserver"
)

//go:embed slixpeer.py
var script []byte

// omemoScript is slixpeer.py's OMEMO part (Options.OMEMO).
//
//go:embed omemopeer.py
var omemoScript []byte

// Python is the interpreter that has slixmpp (Debian's python3-slixmpp
// is installed for the system Python; a pyenv python3 in PATH is not).
// The environment variable SLIXPEER_PYTHON overrides it.
const Python = "/usr/bin/python3"

// Timeouts.
const (
	// StartTimeout bounds the login (Start waits for session_start).
	StartTimeout = 30 * time.Second
	// WaitTimeout bounds WaitFor, WaitFrom and Do.
	WaitTimeout = 20 * time.Second
	// stopGrace is how long Stop waits for a clean logout before killing
	// the process group.
	stopGrace = 5 * time.Second
)

// Options configure the peer.
type Options struct {
	// Resource to bind; "" lets the server choose.
	Resource string
	// Name, Version and OS answer XEP-0092 version requests; the defaults
	// are "slixbot", "1.0" and Python's platform.system() ("Linux").
	Name, Version, OS string
	// Manual turns off approving subscription requests automatically
	// (they are still reported as "subscribe" events; answer with the
	// approve or deny command).
	Manual bool
	// SubscribeBack makes the peer ask for a subscription in return when
	// it approves one (slixmpp's auto_subscribe).
	SubscribeBack bool
	// Carbons turns on XEP-0280 carbon copies at session start (the
	// peer then reports "carbon" events).
	Carbons bool
	// OMEMO sets OMEMO 0.3 up at session start with Syndace's
	// python-omemo and its oldmemo backend (Debian's python3-omemo,
	// python3-oldmemo, python3-xmlschema): keys in memory, bundle and
	// device list published, every device trusted. The peer reports
	// "omemo_ready" (Device) before "session_start", decrypts what comes
	// encrypted ("omemo_message": Body, Device, or Error), and takes the
	// commands omemo_send and omemo_devices.
	OMEMO bool
	// Debug turns on slixmpp's debug logging (the XML) and shows the
	// script's stderr at the end of the test even when it passes (else
	// only when it fails). SLIXPEER_DEBUG=1 does too.
	Debug bool
}

// Command is one instruction to the peer. Cmd is one of:
//
//	send       a message To: Body, HTML (the content of the XHTML-IM
//	           <body/>, through slixmpp's XHTML-IM plugin), Type ("chat" by
//	           default), ID, ChatState, Receipt (request one), Replace (the
//	           id of the message it corrects), Private (XEP-0280 <private/>
//	           and <no-copy/>: no carbon copies); done carries the ID sent
//	chatstate  a standalone chat state (ChatState) To
//	subscribe  ask To for a subscription
//	approve    approve To's subscription request ("subscribed")
//	deny       refuse it ("unsubscribed")
//	presence   send available presence with Show and Status
//	raw        write XML as is
//	version    ask To's software version (XEP-0092); done carries Name,
//	           Version, OS or Error
//	disco      ask To's disco#info (at Node); done carries Features and
//	           Identities or Error
//	caps       what slixmpp verified of To's presence caps (XEP-0115):
//	           done carries CapsVer, Features, Identities, or Error when
//	           it has none (yet)
//	upload     upload File (XEP-0363, to the account's service) and
//	           send it To as a file (its URL as body and jabber:x:oob);
//	           done carries the URL as Body
//	download   GET the URL in Body; done carries its SHA-256 (hex) as
//	           Body
//	omemo_send     with Options.OMEMO: Body encrypted for To's devices
//	               and the peer's other ones; done carries the ID
//	omemo_devices  with Options.OMEMO: To's device ids as python-omemo
//	               knows them (the list fetched again); done carries
//	               Devices
//	quit       log out and end
//
// Ref is set by Do.
type Command struct {
	Cmd       string `json:"cmd"`
	Ref       string `json:"ref,omitempty"`
	To        string `json:"to,omitempty"`
	Body      string `json:"body,omitempty"`
	HTML      string `json:"html,omitempty"`
	Type      string `json:"type,omitempty"`
	ID        string `json:"id,omitempty"`
	ChatState string `json:"chatstate,omitempty"`
	Receipt   bool   `json:"receipt,omitempty"`
	Replace   string `json:"replace,omitempty"`
	Private   bool   `json:"private,omitempty"`
	Show      string `json:"show,omitempty"`
	Status    string `json:"status,omitempty"`
	Node      string `json:"node,omitempty"`
	XML       string `json:"xml,omitempty"`
	File      string `json:"file,omitempty"`
	// ReplyID makes "send" a reply (XEP-0461) to that message of
	// ReplyTo's, with Quote, when set, as its fallback quotation.
	ReplyID string `json:"reply_id,omitempty"`
	ReplyTo string `json:"reply_to,omitempty"`
	Quote   string `json:"quote,omitempty"`
	// Reactions are what "react" sets on message ReplyID (XEP-0444);
	// "retract" takes back message ReplyID (XEP-0424).
	Reactions []string `json:"reactions,omitempty"`
}

// Identity is a disco#info identity.
type Identity struct {
	Category string `json:"category"`
	Type     string `json:"type"`
	Lang     string `json:"lang"`
	Name     string `json:"name"`
}

// Event is one line the peer wrote. Event is one of:
//
//	session_start  logged in, presence sent: JID (full), Features and
//	               Identities (its own disco#info), CapsNode and CapsVer
//	               (its caps), Name, Version, OS
//	message        a message stanza (any: with a body, a chat state
//	               only, a receipt only, an error): From, To, Type, ID,
//	               Body, HTML, HTMLBody, ChatState, ReceiptRequest,
//	               Receipt, CorrectionOf, OriginID, ReplyID, ReplyTo,
//	               FallbackEnd, ReactionsTo, Reactions, Retracts, Error
//	               (its condition)
//	presence       a presence: From, Type ("" for available), Show,
//	               Status, Priority, CapsNode, CapsHash, CapsVer
//	carbon         a carbon copy (XEP-0280) of a message another
//	               device of the account received or sent (Direction
//	               "received" or "sent"): the copied message's From, To,
//	               Type, ID, Body, ChatState, ReceiptRequest, Receipt,
//	               CorrectionOf, OriginID; WrapperFrom is the copy's sender
//	subscribe      a subscription request From (bare)
//	done           a command was carried out (Ref, Cmd; Error if not)
//	error          a fatal problem (Error), e.g. authentication failed
//	omemo_ready    with Options.OMEMO: keys made and published, Device
//	omemo_message  with Options.OMEMO: an encrypted message decrypted:
//	               From, ID, Body ("" for a key transport), Device; or
//	               Error
//	connection_failed, disconnected, exit
type Event struct {
	Event string `json:"event"`
	Ref   string `json:"ref"`
	Cmd   string `json:"cmd"`
	Error string `json:"error"`

	JID        string     `json:"jid"`
	From       string     `json:"from"`
	To         string     `json:"to"`
	Type       string     `json:"type"`
	ID         string     `json:"id"`
	Body       string     `json:"body"`
	Features   []string   `json:"features"`
	Identities []Identity `json:"identities"`

	// HTML is the message's XHTML-IM <html/> element as slixmpp
	// serialises it, "" when none; HTMLBody is its <body/>'s content as
	// slixmpp's XHTML-IM API (msg["html"]["body"]) returns it.
	HTML           string `json:"html"`
	HTMLBody       string `json:"html_body"`
	ChatState      string `json:"chatstate"`
	ReceiptRequest bool   `json:"receipt_request"`
	Receipt        string `json:"receipt"`
	CorrectionOf   string `json:"correction_of"`
	OriginID       string `json:"origin_id"`
	Direction      string `json:"direction"`
	WrapperFrom    string `json:"wrapper_from"`
	// OOB is the message's jabber:x:oob URL (XEP-0066), "" when none.
	OOB string `json:"oob"`
	// ReplyID and ReplyTo are what the message answers (XEP-0461);
	// FallbackEnd is where its quotation for other clients ends in Body,
	// in code points (-1: none).
	ReplyID     string `json:"reply_id"`
	ReplyTo     string `json:"reply_to"`
	FallbackEnd int    `json:"fallback_end"`
	// ReactionsTo and Reactions are the reactions the message sets
	// (XEP-0444).
	ReactionsTo string   `json:"reactions_to"`
	Reactions   []string `json:"reactions"`
	// Retracts is the id of the message it retracts (XEP-0424, either
	// form).
	Retracts string `json:"retracts"`

	Show     string `json:"show"`
	Status   string `json:"status"`
	Priority int    `json:"priority"`
	CapsNode string `json:"caps_node"`
	CapsHash string `json:"caps_hash"`
	CapsVer  string `json:"caps_ver"`

	Name    string `json:"name"`
	Version string `json:"version"`
	OS      string `json:"os"`

	// Device is the peer's OMEMO device (omemo_ready) or the sender's
	// (omemo_message); Devices answers omemo_devices.
	Device  uint32   `json:"device"`
	Devices []uint32 `json:"devices"`
}

// Peer is a running slixmpp client.
type Peer struct {
	// JID is the full JID it is bound to; Bare its bare JID.
	JID, Bare string
	// Self is its session_start event: what it advertises.
	Self Event

	cmd    *exec.Cmd
	stdin  io.WriteCloser
	wmu    sync.Mutex
	refSeq int

	mu     sync.Mutex
	events []Event
	signal chan struct{}
	exited chan struct{} // closed when stdout ended and the process was waited for
	stderr *tailBuffer

	stopOnce sync.Once
}

var (
	checkOnce sync.Once
	checkErr  error
)

func python() string {
	if p := os.Getenv("SLIXPEER_PYTHON"); p != "" {
		return p
	}
	return Python
}

// Available reports whether the peer can run here: python3 with slixmpp.
func Available() error {
	checkOnce.Do(func() {
		if !supported {
			checkErr = fmt.Errorf("slixpeer runs on Linux only")
			return
		}
		py := python()
		if _, err := os.Stat(py); err != nil {
			checkErr = fmt.Errorf("%s not found: apt-get install python3 python3-slixmpp", py)
			return
		}
		out, err := exec.Command(py, "-c", "import aiohttp, slixmpp, slixmpp.plugins.xep_0071, slixmpp.plugins.xep_0115; print(slixmpp.__version__)").CombinedOutput()
		if err != nil {
			lines := bytes.Split(bytes.TrimSpace(out), []byte("\n"))
			checkErr = fmt.Errorf("%s has no slixmpp or aiohttp (%v: %s): apt-get install python3-slixmpp python3-aiohttp", py, err, lines[len(lines)-1])
		}
	})
	return checkErr
}

// requireOMEMO fails (in CI) or skips the test when python-omemo is
// missing.
func requireOMEMO(t testing.TB) {
	t.Helper()
	out, err := exec.Command(python(), "-c", "import omemo, oldmemo, oldmemo.etree, xmlschema").CombinedOutput()
	if err == nil {
		return
	}
	msg := fmt.Sprintf("slixpeer: python-omemo missing (%v: %s): apt-get install python3-omemo python3-oldmemo python3-xmlschema", err, bytes.TrimSpace(out))
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

func require(t testing.TB) {
	t.Helper()
	if err := Available(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("slixpeer: required in CI: %v", err)
		}
		t.Skipf("slixpeer: %v", err)
	}
}

// StartNew is Start for a new account registered on srv.
func StartNew(t testing.TB, srv *testserver.Server, opts Options) *Peer {
	t.Helper()
	jid, pass := srv.NewUser(t)
	return Start(t, srv, jid, pass, opts)
}

// Start logs in as jid (a bare JID with its password) on srv and returns
// once the peer's session started (its presence, with caps, is sent). The
// peer is stopped by t.Cleanup (a clean logout, then its process group is
// killed if it takes longer than a few seconds).
func Start(t testing.TB, srv *testserver.Server, jid, pass string, opts Options) *Peer {
	t.Helper()
	require(t)
	dir := t.TempDir()
	scriptPath := filepath.Join(dir, "slixpeer.py")
	caPath := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(scriptPath, script, 0o644); err != nil {
		t.Fatal(err)
	}
	if opts.OMEMO {
		requireOMEMO(t)
		if err := os.WriteFile(filepath.Join(dir, "omemopeer.py"), omemoScript, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(caPath, srv.CertPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	debug := opts.Debug || os.Getenv("SLIXPEER_DEBUG") == "1"
	cfg, err := json.Marshal(map[string]any{
		"jid": jid, "password": pass, "host": srv.Host, "port": srv.Port, "cafile": caPath,
		"resource": opts.Resource, "name": opts.Name, "version": opts.Version, "os": opts.OS,
		"manual": opts.Manual, "subscribe_back": opts.SubscribeBack, "carbons": opts.Carbons, "omemo": opts.OMEMO, "debug": debug,
	})
	if err != nil {
		t.Fatal(err)
	}
	p := &Peer{
		signal: make(chan struct{}, 1),
		exited: make(chan struct{}),
		stderr: &tailBuffer{max: 256 << 10},
	}
	cmd := exec.Command(python(), "-u", scriptPath, string(cfg))
	cmd.Dir = dir
	// The upload service's HTTPS (aiohttp) trusts the test server's
	// certificate as the stream does.
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1", "PYTHONIOENCODING=utf-8", "SSL_CERT_FILE="+caPath)
	cmd.SysProcAttr = sysProcAttr()
	cmd.Stderr = p.stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if p.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("slixpeer: starting %s: %v", python(), err)
	}
	p.cmd = cmd
	go p.read(stdout)
	t.Cleanup(func() {
		p.Stop()
		if t.Failed() || debug {
			t.Logf("slixpeer %s stderr:\n%s", jid, p.stderr.String())
		}
	})

	ev, ok := p.wait(0, StartTimeout, func(e Event) bool {
		return e.Event == "session_start" || e.Event == "error"
	})
	switch {
	case !ok:
		t.Fatalf("slixpeer: %s did not log in within %v%s", jid, StartTimeout, p.diagnostics())
	case ev.Event == "error":
		t.Fatalf("slixpeer: %s: %s%s", jid, ev.Error, p.diagnostics())
	}
	p.JID, p.Self = ev.JID, ev
	p.Bare, _, _ = strings.Cut(ev.JID, "/")
	return p
}

// read collects the script's events until its stdout ends, then waits for
// the process.
func (p *Peer) read(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var ev Event
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			ev = Event{Event: "garbage", Error: fmt.Sprintf("%v: %q", err, sc.Text())}
		}
		p.mu.Lock()
		p.events = append(p.events, ev)
		p.mu.Unlock()
		p.notify()
	}
	io.Copy(io.Discard, r)
	p.cmd.Wait()
	close(p.exited)
	p.notify()
}

func (p *Peer) notify() {
	select {
	case p.signal <- struct{}{}:
	default:
	}
}

// Mark is the number of events so far, for WaitFrom.
func (p *Peer) Mark() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.events)
}

// Events returns a copy of the events so far.
func (p *Peer) Events() []Event {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Event(nil), p.events...)
}

// wait returns the first event from index seen on matching f, or false
// after timeout or when the process ended without one.
func (p *Peer) wait(seen int, timeout time.Duration, f func(Event) bool) (Event, bool) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		p.mu.Lock()
		evs := p.events[min(seen, len(p.events)):]
		seen = len(p.events)
		p.mu.Unlock()
		for _, e := range evs {
			if f(e) {
				return e, true
			}
		}
		select {
		case <-p.exited:
			// Events written before the exit are all read by now.
			p.mu.Lock()
			more := len(p.events) > seen
			p.mu.Unlock()
			if !more {
				return Event{}, false
			}
		case <-p.signal:
		case <-deadline.C:
			return Event{}, false
		}
	}
}

// WaitFor returns the first event (from the start) matching f; it fails
// the test after WaitTimeout or if the peer exits.
func (p *Peer) WaitFor(t testing.TB, what string, f func(Event) bool) Event {
	t.Helper()
	return p.WaitFrom(t, 0, what, f)
}

// WaitFromWithin returns the first event after mark matching f, waiting
// at most timeout; ok is false if none came.
func (p *Peer) WaitFromWithin(mark int, timeout time.Duration, f func(Event) bool) (e Event, ok bool) {
	return p.wait(mark, timeout, f)
}

// WaitFrom returns the first event after mark (see Mark) matching f.
func (p *Peer) WaitFrom(t testing.TB, mark int, what string, f func(Event) bool) Event {
	t.Helper()
	ev, ok := p.wait(mark, WaitTimeout, f)
	if !ok {
		t.Fatalf("slixpeer %s: no event: %s%s", p.JID, what, p.diagnostics())
	}
	return ev
}

// Send writes a command without waiting for it to be carried out.
func (p *Peer) Send(t testing.TB, c Command) {
	t.Helper()
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	p.wmu.Lock()
	_, err = p.stdin.Write(append(b, '\n'))
	p.wmu.Unlock()
	if err != nil {
		t.Fatalf("slixpeer %s: writing %s: %v%s", p.JID, c.Cmd, err, p.diagnostics())
	}
}

// Do sends a command and returns its done event; the test fails if the
// command reported an error (use Try to get it instead).
func (p *Peer) Do(t testing.TB, c Command) Event {
	t.Helper()
	ev := p.Try(t, c)
	if ev.Error != "" {
		t.Fatalf("slixpeer %s: %s: %s", p.JID, c.Cmd, ev.Error)
	}
	return ev
}

// Try sends a command and returns its done event, whose Error says
// whether it worked.
func (p *Peer) Try(t testing.TB, c Command) Event {
	t.Helper()
	p.wmu.Lock()
	p.refSeq++
	c.Ref = strconv.Itoa(p.refSeq)
	p.wmu.Unlock()
	mark := p.Mark()
	p.Send(t, c)
	return p.WaitFrom(t, mark, c.Cmd+" done", func(e Event) bool { return e.Event == "done" && e.Ref == c.Ref })
}

// Message is a convenience for the send command; it returns the id of the
// message sent.
func (p *Peer) Message(t testing.TB, to, body, html string) string {
	t.Helper()
	return p.Do(t, Command{Cmd: "send", To: to, Body: body, HTML: html}).ID
}

// Stop logs the peer out and ends its process (killing its process group
// if it does not end within a few seconds). It is idempotent; t.Cleanup
// calls it.
func (p *Peer) Stop() {
	p.stopOnce.Do(func() {
		p.wmu.Lock()
		p.stdin.Write([]byte(`{"cmd":"quit"}` + "\n"))
		p.stdin.Close()
		p.wmu.Unlock()
		select {
		case <-p.exited:
			return
		case <-time.After(stopGrace):
		}
		killGroup(p.cmd.Process.Pid)
		select {
		case <-p.exited:
		case <-time.After(stopGrace):
		}
	})
}

// diagnostics is the tail of the script's stderr and whether it exited,
// for failure messages.
func (p *Peer) diagnostics() string {
	var b strings.Builder
	select {
	case <-p.exited:
		fmt.Fprintf(&b, "\n(the peer exited: %v)", p.cmd.ProcessState)
	default:
	}
	if s := p.stderr.String(); s != "" {
		lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
		if len(lines) > 40 {
			lines = lines[len(lines)-40:]
		}
		fmt.Fprintf(&b, "\n--- tail of the peer's stderr ---\n%s", strings.Join(lines, "\n"))
	}
	return b.String()
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	b   []byte
	max int
}

func (w *tailBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.b = append(w.b, p...)
	if len(w.b) > w.max {
		w.b = append(w.b[:0], w.b[len(w.b)-w.max:]...)
	}
	return len(p), nil
}

func (w *tailBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return string(w.b)
}
