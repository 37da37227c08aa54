package omemo

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
	wire "github.com/causerie/causerie/core/xmpp/omemo"
	"github.com/causerie/causerie/internal/coretest"
	"github.com/causerie/causerie/internal/testserver"
	"github.com/causerie/causerie/internal/xmpptest"
)

// profanity is Debian's Profanity (its OMEMO is libsignal-protocol-c's:
// an implementation independent of ours and of python-omemo's), run in
// a tmux session of its own, with a home of its own.
type profanity struct {
	t       *testing.T
	session string
	home    string
}

// startProfanity starts Profanity in tmux.
func startProfanity(t *testing.T) *profanity {
	t.Helper()
	for _, cmd := range []string{"profanity", "tmux"} {
		if _, err := exec.LookPath(cmd); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is not installed (.ci/deps.sh installs it)", cmd)
			}
			t.Skipf("%s is not installed (.ci/deps.sh installs it)", cmd)
		}
	}
	p := &profanity{t: t, session: fmt.Sprintf("causerie-profanity-%d-%d", os.Getpid(), time.Now().UnixNano()), home: t.TempDir()}
	// Its own tmux server (-L): nothing of the user's is touched.
	cmd := exec.Command("tmux", "-L", p.session, "new-session", "-d", "-s", p.session, "-x", "200", "-y", "50",
		"env HOME="+p.home+" XDG_CONFIG_HOME="+p.home+"/.config XDG_DATA_HOME="+p.home+"/.local/share TERM=xterm-256color profanity -l DEBUG")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tmux: %v: %s", err, out)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("Profanity's screen:\n%s", p.screen())
			if dir := os.Getenv("PROFANITY_LOG_DIR"); dir != "" {
				os.WriteFile(filepath.Join(dir, "profanity.log"), []byte(p.log()), 0o644)
			}
			lines := strings.Split(p.log(), "\n")
			t.Logf("the end of its log:\n%s", strings.Join(lines[max(0, len(lines)-40):], "\n"))
		}
		// Profanity leaves (its files written) before the test's
		// directories go; tmux's server ends with its last pane.
		exec.Command("tmux", "-L", p.session, "send-keys", "-t", p.session, "/quit", "Enter").Run()
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			if exec.Command("tmux", "-L", p.session, "has-session", "-t", p.session).Run() != nil {
				return
			}
		}
		exec.Command("tmux", "-L", p.session, "kill-server").Run()
		time.Sleep(time.Second)
	})
	p.wait("its window", regexp.MustCompile(`/help`))
	return p
}

// screen is what Profanity shows.
func (p *profanity) screen() string {
	out, _ := exec.Command("tmux", "-L", p.session, "capture-pane", "-p", "-t", p.session, "-S", "-200").Output()
	return string(out)
}

// typeLine types text (literally) and Enter.
func (p *profanity) typeLine(text string) {
	p.t.Helper()
	if out, err := exec.Command("tmux", "-L", p.session, "send-keys", "-t", p.session, "-l", text).CombinedOutput(); err != nil {
		p.t.Fatalf("tmux send-keys: %v: %s", err, out)
	}
	exec.Command("tmux", "-L", p.session, "send-keys", "-t", p.session, "Enter").Run()
}

// log is Profanity's debug log.
func (p *profanity) log() string {
	b, _ := os.ReadFile(filepath.Join(p.home, ".local/share/profanity/logs/profanity.log"))
	return string(b)
}

// wait waits until the screen matches re, and returns the match.
func (p *profanity) wait(what string, re *regexp.Regexp) []string {
	p.t.Helper()
	return p.waitIn(what, re, p.screen)
}

// waitLog waits until Profanity's log matches re.
func (p *profanity) waitLog(what string, re *regexp.Regexp) []string {
	p.t.Helper()
	return p.waitIn(what, re, p.log)
}

func (p *profanity) waitIn(what string, re *regexp.Regexp, text func() string) []string {
	p.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if m := re.FindStringSubmatch(text()); m != nil {
			return m
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("Profanity never showed %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Against Profanity (libsignal-protocol-c), on each server: it signs in,
// makes its keys, reads our device list and bundle, and starts a session
// with a prekey message we decrypt; our answer, sent from the chat
// (encrypted: its device is known), Profanity decrypts and shows as
// OMEMO; then both ways on the sessions built.
func TestWithProfanity(t *testing.T) {
	coretest.BothServers(t, testWithProfanity)
}

func testWithProfanity(t *testing.T, srv *testserver.Server) {
	me := newUser(t, srv)
	st := me.ready(t)
	jid, pass := srv.NewUser(t)
	// Profanity 0.13.1 publishes its device list only when it reads one
	// (its handler of its own list's fetch drops item-not-found, and
	// nothing is published on a fresh account): the account has an
	// empty one first, as one used by another OMEMO client would.
	c := xmpptest.DialAs(t, srv, jid, pass, "setup", nil)
	if err := publishOpen(context.Background(), c, wire.NodeDevices, wire.NewDeviceList(nil)); err != nil {
		t.Fatal(err)
	}
	c.Close()
	p := startProfanity(t)
	p.typeLine(fmt.Sprintf("/connect %s server %s port %d tls trust", jid, srv.Host, srv.Port))
	p.wait("the password prompt", regexp.MustCompile(`(?i)password`))
	p.typeLine(pass)
	p.wait("it signed in", regexp.MustCompile(`logged in successfully`))
	p.typeLine("/omemo gen")
	id := p.wait("its OMEMO device", regexp.MustCompile(`Your Device ID is (\d+)`))[1]
	p.typeLine("/omemo trustmode blind")
	p.wait("blind trust", regexp.MustCompile(`(?i)trusted automatically`))
	p.typeLine("/msg " + me.JID)
	p.typeLine("/omemo start")
	p.waitLog("the session with our device", regexp.MustCompile(`session with `+regexp.QuoteMeta(me.JID)+` device \d+ exists`))

	p.typeLine("Bonjour de Profanity")
	if from, body := me.receive(t); from != jid || body != "Bonjour de Profanity" {
		t.Fatalf("we got %q from %s", body, from)
	}
	// Profanity's device list is open to those who see its presence
	// (its node's access model is the server's default): we ask to.
	ctx := context.Background()
	if err := me.Session.AddContact(ctx, core.AddContactRequest{JID: jid, Subscribe: true}); err != nil {
		t.Fatal(err)
	}
	p.waitLog("our request", regexp.MustCompile(`type="subscribe"`))
	mark := me.Events.Mark()
	p.typeLine("/sub allow " + me.JID)
	me.Events.WaitFrom(t, mark, "Profanity's presence", func(e core.Event) bool {
		pc, ok := e.(core.PresenceChanged)
		return ok && pc.Contact.JID == jid && pc.Contact.Online()
	})
	if err := st.Fetch(ctx, jid); err != nil {
		t.Fatal(err)
	}
	if ids, _ := st.Devices(ctx, me.Conn(t), jid); len(ids) != 1 || fmt.Sprint(ids[0]) != id {
		t.Fatalf("Profanity's devices: %v (it said %s)", ids, id)
	}
	m, err := me.Session.SendMessage(jid, core.TypeChat, "", "Réponse chiffrée de Causerie")
	if err != nil || m.Encryption != history.OMEMO {
		t.Fatalf("sent: %v (encryption %v)", err, m.Encryption)
	}
	// Profanity marks what it decrypted with "~".
	p.wait("our answer decrypted", regexp.MustCompile(`~ `+regexp.QuoteMeta(me.JID)+`(/\S+)?: Réponse chiffrée de Causerie`))

	p.typeLine("Et encore une fois")
	if _, body := me.receive(t); body != "Et encore une fois" {
		t.Fatalf("we got %q", body)
	}
	if _, err := me.Session.SendMessage(jid, core.TypeChat, "", "Bien reçu"); err != nil {
		t.Fatal(err)
	}
	p.wait("our second answer", regexp.MustCompile(`~ `+regexp.QuoteMeta(me.JID)+`(/\S+)?: Bien reçu`))
}
