package chaos

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/account"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/internal/testserver"
)

// The crash test: the test binary runs itself again as a signed-in
// core.Client (the child) that sends a burst while receiving one, and is
// killed with SIGKILL at random points, 20 times, then runs a last time
// until everything has arrived. Nothing its server acknowledged may be
// missing, nothing may be stored twice: what the child stored and what
// its peer stored are each checked message by message.

const crashEnv = "CAUSERIE_CRASH_CHILD"

// crashConfig tells the child what to be.
type crashConfig struct {
	Dir, JID, Password, Host string
	Port                     int
	CA                       []byte
	Peer                     string
	Send                     int  // messages the child sends in all
	Expect                   int  // messages it receives in all
	Final                    bool // run until everything arrived, then exit
}

// crashChild is the child process: it returns the exit code.
func crashChild(raw string) int {
	var cfg crashConfig
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		fmt.Println("child: config:", err)
		return 2
	}
	accts, err := account.OpenStore(filepath.Join(cfg.Dir, "config"))
	if err != nil {
		fmt.Println("child:", err)
		return 2
	}
	store, err := history.Open(filepath.Join(cfg.Dir, "history.db"))
	if err != nil {
		fmt.Println("child:", err)
		return 2
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(cfg.CA)
	c := core.NewClient(accts, nil, store, core.Options{
		TLSConfig:       &tls.Config{RootCAs: pool},
		MinBackoff:      20 * time.Millisecond,
		MaxBackoff:      300 * time.Millisecond,
		DefaultResource: "causerie",
	})
	c.Logf = func(string, ...any) {}
	s, ok := c.Session(cfg.JID)
	if !ok {
		fmt.Println("child: no account", cfg.JID)
		return 2
	}
	s.SetPassword(cfg.Password)
	online := make(chan struct{}, 1)
	c.Subscribe(func(e core.Event) {
		if st, ok := e.(core.ConnectionStateChanged); ok && st.State == core.StateOnline {
			select {
			case online <- struct{}{}:
			default:
			}
		}
	})
	s.Connect()
	select {
	case <-online:
	case <-time.After(time.Minute):
		fmt.Println("child: not online")
		return 1
	}
	// Go on with the burst where the last run was killed: what was
	// stored was typed, and is the outbox's to send.
	sent := count(store, cfg.JID, cfg.Peer, history.Out)
	for i := sent; i < cfg.Send; i++ {
		if _, err := s.SendMessage(cfg.Peer, core.TypeChat, "", fmt.Sprintf("%s #%06d", cfg.JID, i)); err != nil {
			fmt.Println("child: send:", err)
			return 1
		}
		time.Sleep(3 * time.Millisecond)
	}
	if !cfg.Final {
		select {} // until killed
	}
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		if count(store, cfg.JID, cfg.Peer, history.In) >= cfg.Expect && allDelivered(store, cfg.JID, cfg.Peer) {
			s.Disconnect()
			c.Close()
			store.Close()
			return 0
		}
		time.Sleep(100 * time.Millisecond)
	}
	// What is missing, for the next failure to tell: messages not
	// received, and ours not confirmed, with their states.
	states := map[history.State]int{}
	if ms, err := store.Latest(cfg.JID, cfg.Peer, 1<<20); err == nil {
		for _, m := range ms {
			if m.Direction == history.Out && m.State != history.StateDelivered {
				states[m.State]++
			}
		}
	}
	st, err := s.State()
	fmt.Printf("child: not everything arrived: received %d of %d; ours not delivered, by state: %v; session %v (%v)\n",
		count(store, cfg.JID, cfg.Peer, history.In), cfg.Expect, states, st, err)
	return 1
}

func count(store *history.Store, me, peer string, dir history.Direction) int {
	ms, err := store.Latest(me, peer, 1<<20)
	if err != nil {
		return -1
	}
	n := 0
	for _, m := range ms {
		if m.Direction == dir {
			n++
		}
	}
	return n
}

func allDelivered(store *history.Store, me, peer string) bool {
	ms, err := store.Latest(me, peer, 1<<20)
	if err != nil {
		return false
	}
	for _, m := range ms {
		if m.Direction == history.Out && m.State != history.StateDelivered {
			return false
		}
	}
	return true
}

func TestCrash(t *testing.T) {
	for _, k := range []testserver.Kind{testserver.Prosody, testserver.Ejabberd} {
		t.Run(string(k), func(t *testing.T) {
			t.Parallel()
			// 5,000 unacknowledged stanzas, as in TestChaos: a child
			// killed before it acknowledged what offline storage
			// handed it leaves all that in its session's queue, of
			// which Prosody's default (500) keeps the newest and
			// silently drops the rest (seen with slower children: 650
			// unacknowledged, 150 lost).
			crash(t, testserver.Shared(t, k, testserver.Options{ResumeWindow: resumeWindow, NoArchive: true, AckQueue: 5000}))
		})
	}
}

var crashes = 20

func crash(t *testing.T, srv *testserver.Server) {
	s := runSeed()
	rng := rand.New(rand.NewPCG(s, 7))
	const send, expect = 1000, 1000

	// The child's account, made a mutual contact of the peer by a first
	// run in this process; the child runs reuse its files.
	child := newUser(t, srv)
	peer := newUser(t, srv)
	child.s.Connect()
	peer.s.Connect()
	child.waitOnline(t)
	peer.waitOnline(t)
	befriend(t, child, peer)
	childDir := child.dir
	child.client.Close()
	child.store.Close()

	// On failure, even a fatal one, the server's and both clients'
	// files go to -chaos.keep.
	defer keepFiles(t, srv, s, childDir, peer.dir)

	cfg := crashConfig{Dir: childDir, JID: child.jid, Password: child.password, Host: srv.Host, Port: srv.Port,
		CA: srv.CertPEM, Peer: peer.jid, Send: send, Expect: expect}
	run := func(final bool) (*exec.Cmd, *strings.Builder) {
		c := cfg
		c.Final = final
		b, _ := json.Marshal(c)
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), crashEnv+"="+string(b))
		out := &strings.Builder{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd, out
	}

	// The peer's burst to the child goes on through the crashes.
	var wg sync.WaitGroup
	wg.Add(1)
	var peerIDs []int64
	go func() {
		defer wg.Done()
		for i := 0; i < expect; i++ {
			m, err := peer.s.SendMessage(child.jid, core.TypeChat, "", fmt.Sprintf("%s #%06d", peer.jid, i))
			if err != nil {
				t.Errorf("peer send: %v", err)
				return
			}
			peerIDs = append(peerIDs, m.ID)
			time.Sleep(30 * time.Millisecond)
		}
	}()
	start := time.Now()
	var lifetimes []time.Duration
	for i := 0; i < crashes; i++ {
		cmd, out := run(false)
		life := time.Duration(200+rng.IntN(1300)) * time.Millisecond
		time.Sleep(life)
		cmd.Process.Signal(syscall.SIGKILL)
		err := cmd.Wait()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
			t.Fatalf("child %d did not die killed: %v\n%s", i, err, out)
		}
		lifetimes = append(lifetimes, life)
		// As long as an app takes to start again; the server's session
		// of the killed one ends meanwhile (resumeWindow).
		time.Sleep(time.Duration(1100+rng.IntN(400)) * time.Millisecond)
	}
	wg.Wait()
	// The last run starts once the server has ended the killed one's
	// session, as the others mostly do. When a new sign-in replaces a
	// session the server still kept, what that held goes to offline
	// storage, which is handed over on the first presence only: what
	// lands there after the new session's first presence waits for the
	// next sign-in. A run under load saw it once (999 of 1000).
	eventually(t, "the peer sees the killed child offline", func() bool {
		c, ok := peer.s.Roster().Contact(child.jid)
		return ok && !c.Online()
	})
	// The server sends the unavailable presence just before it hands
	// the session's queue over: 300 ms is a margin, not a signal. (A
	// killed child that never sent its presence held no messages: the
	// server routes them to available sessions only.)
	time.Sleep(300 * time.Millisecond)
	cmd, out := run(true)
	if err := cmd.Wait(); err != nil {
		// What is missing, and the peer's states, are told below.
		t.Errorf("last child: %v\n%s", err, out)
	}

	store, err := history.Open(filepath.Join(childDir, "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	childView := &user{jid: child.jid, store: store}
	got := checkStore(t, childView, peer, expect)
	sentByChild := checkStore(t, peer, child, send)
	peerOut := outgoing(t, peer, peerIDs)
	t.Logf("crash: %s seed %d: %d kills (alive %s..%s each) in %s\n"+
		"crash: peer→child: %d stored once, %d missing, %d duplicates, %d out of order (%d came late); peer's delivered %d of %d\n"+
		"crash: child→peer: %d stored once, %d missing, %d duplicates, %d out of order (%d came late)",
		srv.Kind, s, crashes, slices.Min(lifetimes), slices.Max(lifetimes), time.Since(start).Round(time.Second),
		got.stored-got.duplicates, got.missing, got.duplicates, got.outOfOrder, got.delayed, peerOut[history.StateDelivered], len(peerIDs),
		sentByChild.stored-sentByChild.duplicates, sentByChild.missing, sentByChild.duplicates, sentByChild.outOfOrder, sentByChild.delayed)
	// Exactly once; the order is reported, not required: after a
	// client is killed its server ends the session it could not resume,
	// and hands what that held over late (see resumeWindow).
	for _, tl := range []tally{got, sentByChild} {
		if tl.missing+tl.duplicates+tl.foreign > 0 {
			t.Errorf("history wrong: %+v", tl)
		}
	}
	if peerOut[history.StateDelivered] != len(peerIDs) {
		t.Errorf("peer's messages not all delivered: %v", peerOut)
	}
}
