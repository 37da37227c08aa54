package core

import (
	"context"
	"crypto/tls"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/causerie/causerie/core/account"
	"github.com/causerie/causerie/core/history"
	eventrec "github.com/causerie/causerie/internal/recorder"
	"github.com/causerie/causerie/internal/testserver"
)

func TestMain(m *testing.M) { testserver.Main(m) }

// recorder collects a client's events and waits for ones it expects.
type recorder = eventrec.Recorder[Event]

func record(c *Client) *recorder { return eventrec.New(c.Subscribe) }

// env is one user's client: its own config dir, history and account.
type env struct {
	t      testing.TB
	dir    string
	jid    string
	pass   string
	server *testserver.Server
	client *Client
	rec    *recorder
	s      *Session
}

func newEnv(t testing.TB, srv *testserver.Server, jid, pass, dir string) *env {
	t.Helper()
	return newEnvWith(t, srv, jid, pass, dir, nil)
}

// newEnvWith is newEnv with tune changing the client's options.
func newEnvWith(t testing.TB, srv *testserver.Server, jid, pass, dir string, tune func(*Options)) *env {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	accts, err := account.OpenStore(filepath.Join(dir, "config"))
	if err != nil {
		t.Fatal(err)
	}
	store, err := history.Open(filepath.Join(dir, "data", "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	opts := Options{
		TLSConfig:  &tls.Config{RootCAs: srv.CertPool},
		MinBackoff: 50 * time.Millisecond, MaxBackoff: 500 * time.Millisecond,
		ResumeTimeout: time.Second,
	}
	if tune != nil {
		tune(&opts)
	}
	c := NewClient(accts, nil, store, opts)
	e := &env{t: t, dir: dir, jid: jid, pass: pass, server: srv, client: c, rec: record(c)}
	if _, ok := accts.Get(jid); !ok {
		if _, err := c.AddAccount(context.Background(), account.Account{JID: jid, Host: srv.Host, Port: srv.Port}, ""); err != nil {
			t.Fatal(err)
		}
	}
	e.s, _ = c.Session(jid)
	e.s.SetPassword(pass)
	t.Cleanup(c.Close)
	return e
}

func (e *env) connect() {
	e.t.Helper()
	e.s.Connect()
	e.rec.Wait(e.t, e.jid+" online", func(ev Event) bool {
		st, ok := ev.(ConnectionStateChanged)
		if ok && st.State == StateOffline && st.Err != nil {
			e.t.Fatalf("%s went offline: %v", e.jid, st.Err)
		}
		return ok && st.State == StateOnline
	})
}

func newUser(t testing.TB, srv *testserver.Server) *env {
	jid, pass := srv.NewUser(t)
	return newEnv(t, srv, jid, pass, "")
}

func prosody(t testing.TB) *testserver.Server {
	return testserver.Shared(t, testserver.Prosody, testserver.Options{})
}

// bothServers runs f against Prosody and ejabberd.
func bothServers(t *testing.T, f func(t *testing.T, srv *testserver.Server)) {
	for _, k := range []testserver.Kind{testserver.Prosody, testserver.Ejabberd} {
		t.Run(string(k), func(t *testing.T) { f(t, testserver.Shared(t, k, testserver.Options{})) })
	}
}

func contactIs(e *env, jid string, f func(Contact) bool) func(Event) bool {
	return func(Event) bool {
		c, ok := e.s.Roster().Contact(jid)
		return ok && f(c)
	}
}

func TestLoginRosterWithGroups(t *testing.T) { bothServers(t, testLoginRosterWithGroups) }

func testLoginRosterWithGroups(t *testing.T, srv *testserver.Server) {
	a, b, c := newUser(t, srv), newUser(t, srv), newUser(t, srv)
	a.connect()
	ctx := context.Background()
	if err := a.s.AddContact(ctx, AddContactRequest{JID: b.jid, Name: "Tintin", Groups: []string{"Amis", "Travail", "Amis"}}); err != nil {
		t.Fatal(err)
	}
	if err := a.s.AddContact(ctx, AddContactRequest{JID: c.jid, Name: "Dupont"}); err != nil {
		t.Fatal(err)
	}
	a.rec.Wait(t, "both contacts pushed", func(Event) bool { return len(a.s.Roster().Contacts()) == 2 })
	ct, _ := a.s.Roster().Contact(b.jid)
	if ct.Name != "Tintin" || len(ct.Groups) != 2 || ct.Subscription != SubNone || ct.PendingOut {
		t.Fatalf("contact: %+v", ct)
	}
	if g := a.s.Roster().Groups(); len(g) != 2 || g[0] != "Amis" || g[1] != "Travail" {
		t.Fatalf("groups: %v", g)
	}
	// A fresh login gets the same roster from the server.
	a.s.Disconnect()
	a2 := newEnv(t, srv, a.jid, a.pass, "")
	a2.connect()
	ct, ok := a2.s.Roster().Contact(b.jid)
	if !ok || len(ct.Groups) != 2 {
		t.Fatalf("roster after re-login: %+v", ct)
	}
	if err := a2.s.UpdateContact(ctx, b.jid, "Tintin M.", []string{"Famille"}); err != nil {
		t.Fatal(err)
	}
	a2.rec.Wait(t, "rename pushed", contactIs(a2, b.jid, func(c Contact) bool { return c.Name == "Tintin M." && len(c.Groups) == 1 }))
	if err := a2.s.RenameGroup(ctx, "Famille", "Proches"); err != nil {
		t.Fatal(err)
	}
	a2.rec.Wait(t, "group renamed", contactIs(a2, b.jid, func(c Contact) bool { return len(c.Groups) == 1 && c.Groups[0] == "Proches" }))
}

// mutual runs the seed's mutual authorisation between a and b and checks
// both end with subscription both.
func mutual(t *testing.T, a, b *env) {
	ctx := context.Background()
	aMark, bMark := a.rec.Mark(), b.rec.Mark()
	if err := a.s.AddContact(ctx, AddContactRequest{JID: b.jid, Name: "B", Groups: []string{"Amis"}, Subscribe: true, Message: "C'est moi, A"}); err != nil {
		t.Fatal(err)
	}
	ev := b.rec.WaitFrom(t, bMark, "b gets a's request", func(e Event) bool { _, ok := e.(SubscriptionRequested); return ok }).(SubscriptionRequested)
	if ev.Request.From != a.jid || ev.Request.Message != "C'est moi, A" || ev.InRoster {
		t.Fatalf("request: %+v", ev)
	}
	a.rec.Wait(t, "a's request pending", contactIs(a, b.jid, func(c Contact) bool { return c.PendingOut }))
	reqs, _ := b.s.PendingRequests()
	if len(reqs) != 1 {
		t.Fatalf("pending requests: %+v", reqs)
	}
	if err := b.s.ApproveSubscription(ctx, a.jid, ApproveOptions{AddBack: true, Name: "A"}); err != nil {
		t.Fatal(err)
	}
	a.rec.WaitFrom(t, aMark, "a gets b's request back", func(e Event) bool { r, ok := e.(SubscriptionRequested); return ok && r.InRoster })
	if err := a.s.ApproveSubscription(ctx, b.jid, ApproveOptions{AddBack: true}); err != nil {
		t.Fatal(err)
	}
	a.rec.Wait(t, "a: both", contactIs(a, b.jid, func(c Contact) bool { return c.Subscription == SubBoth && !c.PendingOut }))
	b.rec.Wait(t, "b: both", contactIs(b, a.jid, func(c Contact) bool { return c.Subscription == SubBoth && !c.PendingOut }))
	if reqs, _ := b.s.PendingRequests(); len(reqs) != 0 {
		t.Fatalf("b still has requests: %+v", reqs)
	}
}

func TestMutualSubscriptionAndPresence(t *testing.T) {
	bothServers(t, testMutualSubscriptionAndPresence)
}

func testMutualSubscriptionAndPresence(t *testing.T, srv *testserver.Server) {
	a, b := newUser(t, srv), newUser(t, srv)
	a.connect()
	b.connect()
	mutual(t, a, b)
	// Presence: b goes away, a sees it; then dnd with priority.
	ctx := context.Background()
	if err := b.s.SetPresence(ctx, Presence{Show: ShowAway, Status: "Je suis de retour dans 1 minute !", Priority: 5}); err != nil {
		t.Fatal(err)
	}
	a.rec.Wait(t, "a sees b away", contactIs(a, b.jid, func(c Contact) bool {
		r, ok := c.Best()
		return ok && r.Show == ShowAway && r.Status == "Je suis de retour dans 1 minute !" && r.Priority == 5
	}))
	// A second resource of b with higher priority becomes the best one.
	b2 := newEnv(t, srv, b.jid, b.pass, "")
	b2.s.mu.Lock()
	b2.s.acct.Resource = "bureau"
	b2.s.want = Presence{Show: ShowDND, Status: "Occupé", Priority: 10}
	b2.s.mu.Unlock()
	b2.connect()
	a.rec.Wait(t, "a sees b's two resources", contactIs(a, b.jid, func(c Contact) bool {
		r, _ := c.Best()
		return len(c.Resources) == 2 && r.Name == "bureau" && r.Show == ShowDND
	}))
	b2.s.Disconnect()
	a.rec.Wait(t, "a sees bureau leave", contactIs(a, b.jid, func(c Contact) bool { return len(c.Resources) == 1 }))
	// Offline: a sees b offline.
	if err := b.s.SetPresence(ctx, Presence{Show: ShowOffline}); err != nil {
		t.Fatal(err)
	}
	a.rec.Wait(t, "a sees b offline", contactIs(a, b.jid, func(c Contact) bool { return !c.Online() && c.Show() == ShowOffline }))
	if st, err := b.s.State(); st != StateOffline || err != nil {
		t.Fatalf("b state %v %v", st, err)
	}
	// Invisible is unsupported by Prosody 0.12 and ejabberd 23.01:
	// reported, not faked.
	if err := a.s.SetPresence(ctx, Presence{Show: ShowInvisible}); !errors.Is(err, ErrInvisibleUnsupported) {
		t.Fatalf("invisible: %v", err)
	}
}

func TestDenyAndRemove(t *testing.T) { bothServers(t, testDenyAndRemove) }

func testDenyAndRemove(t *testing.T, srv *testserver.Server) {
	a, b, c := newUser(t, srv), newUser(t, srv), newUser(t, srv)
	a.connect()
	b.connect()
	c.connect()
	ctx := context.Background()
	// Deny.
	if err := a.s.AddContact(ctx, AddContactRequest{JID: b.jid, Subscribe: true}); err != nil {
		t.Fatal(err)
	}
	b.rec.Wait(t, "b gets request", func(e Event) bool { _, ok := e.(SubscriptionRequested); return ok })
	if err := b.s.DenySubscription(a.jid); err != nil {
		t.Fatal(err)
	}
	a.rec.Wait(t, "a told unsubscribed", func(e Event) bool { s, ok := e.(SubscriptionChanged); return ok && s.Kind == "unsubscribed" })
	a.rec.Wait(t, "a: none, not pending", contactIs(a, b.jid, func(c Contact) bool { return c.Subscription == SubNone && !c.PendingOut }))
	if reqs, _ := b.s.PendingRequests(); len(reqs) != 0 {
		t.Fatalf("denied request still pending: %+v", reqs)
	}
	// Remove after a mutual subscription: both subscriptions are cancelled.
	mutual(t, a, c)
	if err := a.s.RemoveContact(ctx, c.jid); err != nil {
		t.Fatal(err)
	}
	a.rec.Wait(t, "a: c removed", func(e Event) bool { ct, ok := a.s.Roster().Contact(c.jid); return !ok || !ct.InRoster })
	c.rec.Wait(t, "c: subscription none", contactIs(c, a.jid, func(ct Contact) bool { return ct.Subscription == SubNone }))
	// Revoke / unsubscribe on a fresh mutual pair.
	mutual(t, b, c)
	if err := b.s.RevokeSubscription(c.jid); err != nil {
		t.Fatal(err)
	}
	b.rec.Wait(t, "b: to only", contactIs(b, c.jid, func(ct Contact) bool { return ct.Subscription == SubTo }))
	if err := b.s.Unsubscribe(c.jid); err != nil {
		t.Fatal(err)
	}
	b.rec.Wait(t, "b: none", contactIs(b, c.jid, func(ct Contact) bool { return ct.Subscription == SubNone }))
}

func TestPreApproval(t *testing.T) {
	srv := prosody(t)
	a, b := newUser(t, srv), newUser(t, srv)
	a.connect()
	b.connect()
	ctx := context.Background()
	err := a.s.AddContact(ctx, AddContactRequest{JID: b.jid, Name: "B", PreApprove: true})
	if errors.Is(err, ErrPreApprovalUnsupported) {
		t.Logf("server does not advertise pre-approval; refusal checked")
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	a.rec.Wait(t, "a: b added", contactIs(a, b.jid, func(Contact) bool { return true }))
	// b asks: the server approves at once, a is never asked.
	if err := b.s.AddContact(ctx, AddContactRequest{JID: a.jid, Subscribe: true}); err != nil {
		t.Fatal(err)
	}
	b.rec.Wait(t, "b: to", contactIs(b, a.jid, func(c Contact) bool { return c.Subscription == SubTo }))
	a.rec.Wait(t, "a: from", contactIs(a, b.jid, func(c Contact) bool { return c.Subscription == SubFrom }))
	if reqs, _ := a.s.PendingRequests(); len(reqs) != 0 {
		t.Fatalf("a was asked despite pre-approval: %+v", reqs)
	}
}

func TestMessageTypes(t *testing.T) { bothServers(t, testMessageTypes) }

func testMessageTypes(t *testing.T, srv *testserver.Server) {
	a, b := newUser(t, srv), newUser(t, srv)
	a.connect()
	b.connect()
	cases := []struct{ typ, subject, body string }{
		{TypeChat, "", "Salut !"},
		{TypeNormal, "Réunion", "Demain à 10 h"},
		{TypeHeadline, "Flash", "Nouvelle version"},
	}
	for _, tc := range cases {
		m, err := a.s.SendMessage(b.jid, tc.typ, tc.subject, tc.body)
		if err != nil {
			t.Fatal(err)
		}
		if m.State != history.StatePending || m.ID == 0 || m.OriginID == "" {
			t.Fatalf("stored outgoing: %+v", m)
		}
		got := b.rec.Wait(t, "b receives "+tc.typ, func(e Event) bool {
			r, ok := e.(MessageReceived)
			return ok && r.Message.Direction == history.In && r.Message.Body == tc.body
		}).(MessageReceived).Message
		if got.Type != tc.typ || got.Subject != tc.subject || got.Peer != a.jid || got.OriginID != m.OriginID || got.Resource == "" {
			t.Fatalf("received %+v, sent %+v", got, m)
		}
		a.rec.Wait(t, "a's message acked", func(e Event) bool {
			s, ok := e.(MessageStateChanged)
			return ok && s.ID == m.ID && s.State == history.StateAcked
		})
	}
	hist, err := b.s.History(a.jid, 10)
	if err != nil || len(hist) != 3 || hist[0].Body != "Salut !" || hist[2].Type != TypeHeadline {
		t.Fatalf("b's history: %+v %v", hist, err)
	}
	// An error: a message to an address that does not exist is marked failed.
	m, err := a.s.SendMessage("nobody-here@"+srv.Domain, TypeChat, "", "allô ?")
	if err != nil {
		t.Fatal(err)
	}
	ev := a.rec.Wait(t, "error attached", func(e Event) bool {
		s, ok := e.(MessageStateChanged)
		return ok && s.ID == m.ID && s.State == history.StateError
	}).(MessageStateChanged)
	if ev.Reason == "" {
		t.Fatal("error without reason")
	}
	stored, _ := a.client.Store().Get(m.ID)
	if stored.State != history.StateError || stored.Error == "" {
		t.Fatalf("stored failed message: %+v", stored)
	}
	if _, err := a.s.SendMessage("not a jid", TypeChat, "", "x"); !errors.Is(err, ErrInvalidJID) {
		t.Fatalf("bad address: %v", err)
	}
	if found, _ := b.s.Search(a.jid, "reunion", 10); len(found) != 1 {
		t.Fatalf("search without accents: %+v", found)
	}
}

func TestRestartKeepsHistoryRequestsAndRoster(t *testing.T) {
	bothServers(t, testRestartKeepsHistoryRequestsAndRoster)
}

func testRestartKeepsHistoryRequestsAndRoster(t *testing.T, srv *testserver.Server) {
	a, b := newUser(t, srv), newUser(t, srv)
	a.connect()
	b.connect()
	ctx := context.Background()
	if err := a.s.AddContact(ctx, AddContactRequest{JID: b.jid, Name: "B", Groups: []string{"Amis"}}); err != nil {
		t.Fatal(err)
	}
	a.rec.Wait(t, "contact added", contactIs(a, b.jid, func(Contact) bool { return true }))
	if err := b.s.RequestSubscription(a.jid, "coucou"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		b.s.SendMessage(a.jid, TypeChat, "", "message "+strconv.Itoa(i))
	}
	a.rec.Wait(t, "5 messages", func(Event) bool { h, _ := a.s.History(b.jid, 10); return len(h) == 5 })
	a.rec.Wait(t, "request", func(e Event) bool { _, ok := e.(SubscriptionRequested); return ok })
	// Quit, and a message typed while offline.
	a.client.Close()
	m, err := a.s.SendMessage(b.jid, TypeChat, "", "écrit hors ligne")
	if err != nil || m.State != history.StatePending {
		t.Fatalf("offline send: %+v %v", m, err)
	}
	a.client.Store().Close()

	// A new process: same directories.
	// NewClient loads the cache before anyone subscribes: the UI reads
	// the roster first, then follows events.
	a2 := newEnv(t, srv, a.jid, a.pass, a.dir)
	if cs := a2.s.Roster().Contacts(); len(cs) != 1 || cs[0].JID != b.jid || cs[0].Name != "B" {
		t.Fatalf("cached roster: %+v", cs)
	}
	if st, _ := a2.s.State(); st != StateOffline {
		t.Fatalf("state before connect: %v", st)
	}
	if ct, ok := a2.s.Roster().Contact(b.jid); !ok || !ct.PendingIn || ct.Groups[0] != "Amis" {
		t.Fatalf("roster from cache while offline: %+v", ct)
	}
	if h, _ := a2.s.History(b.jid, 10); len(h) != 6 || h[0].Body != "message 0" {
		t.Fatalf("history after restart: %d messages", len(h))
	}
	if reqs, _ := a2.s.PendingRequests(); len(reqs) != 1 || reqs[0].Message != "coucou" {
		t.Fatalf("requests after restart: %+v", reqs)
	}
	a2.connect()
	b.rec.Wait(t, "b gets the message typed offline", func(e Event) bool {
		r, ok := e.(MessageReceived)
		return ok && r.Message.Body == "écrit hors ligne"
	})
	a2.rec.Wait(t, "offline message acked", func(e Event) bool {
		s, ok := e.(MessageStateChanged)
		return ok && s.ID == m.ID && s.State == history.StateAcked
	})
}

func TestWrongPasswordGoesOfflineWithReason(t *testing.T) {
	srv := prosody(t)
	jid, _ := srv.NewUser(t)
	e := newEnv(t, srv, jid, "wrong", "")
	e.s.Connect()
	ev := e.rec.Wait(t, "offline with error", func(ev Event) bool {
		s, ok := ev.(ConnectionStateChanged)
		return ok && s.State == StateOffline && s.Err != nil
	}).(ConnectionStateChanged)
	if Classify(ev.Err) != ProblemWrongPassword {
		t.Fatalf("classified %v as %v", ev.Err, Classify(ev.Err))
	}
}

func TestReconnectWithBackoff(t *testing.T) {
	srv := prosody(t)
	jid, pass := srv.NewUser(t)
	px := testserver.NewProxy(t, srv.Addr())
	e := newEnv(t, srv, jid, pass, "")
	a := e.s.Account()
	a.Port = px.Port()
	if err := e.client.UpdateAccount(a); err != nil {
		t.Fatal(err)
	}
	e.connect()
	// The server becomes unreachable: the link drops, resumption fails,
	// the session reconnects with growing delays, then gets back online.
	mark := e.rec.Mark()
	px.Refuse(true)
	px.Cut()
	var retries []RetryInfo
	e.rec.WaitFrom(t, mark, "three retries", func(ev Event) bool {
		if s, ok := ev.(ConnectionStateChanged); ok && s.State == StateReconnecting && s.Retry.Attempt > 0 {
			retries = append(retries, s.Retry)
		}
		return len(retries) >= 3
	})
	for i, r := range retries {
		if r.Attempt != i+1 || r.At.IsZero() {
			t.Fatalf("retries: %+v", retries)
		}
	}
	mark = e.rec.Mark()
	px.Refuse(false)
	e.rec.WaitFrom(t, mark, "online again", func(ev Event) bool {
		s, ok := ev.(ConnectionStateChanged)
		return ok && s.State == StateOnline
	})
	if err := e.s.SetPresence(context.Background(), Presence{Show: ShowChat}); err != nil {
		t.Fatal(err)
	}
}

func TestBackoffGrowsWithJitter(t *testing.T) {
	o := Options{MinBackoff: time.Second, MaxBackoff: time.Minute}
	for attempt, max := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 10: time.Minute} {
		seen := map[time.Duration]bool{}
		for i := 0; i < 50; i++ {
			d := o.backoff(attempt)
			if d < max/2 || d > max {
				t.Fatalf("attempt %d: %v outside [%v, %v]", attempt, d, max/2, max)
			}
			seen[d] = true
		}
		if len(seen) < 10 {
			t.Fatalf("attempt %d: no jitter (%d distinct delays)", attempt, len(seen))
		}
	}
}

// TestRememberedPasswordFromKeyring: an account whose password is
// remembered connects with the password read from the real Secret Service.
func TestRememberedPasswordFromKeyring(t *testing.T) {
	srv, jid, pass, accts, store, kr := keyringSetup(t)
	c := NewClient(accts, kr, store, Options{TLSConfig: &tls.Config{RootCAs: srv.CertPool}})
	defer c.Close()
	ctx := context.Background()
	if _, err := c.AddAccount(ctx, account.Account{JID: jid, Host: srv.Host, Port: srv.Port, RememberPassword: true}, pass); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { kr.Delete(ctx, jid) })
	// A new client (a restart) knows no password but the keyring's.
	c2 := NewClient(accts, kr, store, Options{TLSConfig: &tls.Config{RootCAs: srv.CertPool}})
	defer c2.Close()
	rec := record(c2)
	s, _ := c2.Session(jid)
	s.Connect()
	rec.Wait(t, "online with the keyring's password", func(e Event) bool {
		st, ok := e.(ConnectionStateChanged)
		if ok && st.State == StateOffline && st.Err != nil {
			t.Fatalf("offline: %v", st.Err)
		}
		return ok && st.State == StateOnline
	})
	s.Disconnect()
	// Removing the account forgets the password.
	if err := c2.RemoveAccount(ctx, jid, true); err != nil {
		t.Fatal(err)
	}
	if _, err := kr.Get(ctx, jid); !errors.Is(err, account.ErrPasswordNotFound) {
		t.Fatalf("password still in the keyring: %v", err)
	}
	if h, _ := store.Latest(jid, "x@y", 1); len(h) != 0 {
		t.Fatal("history kept")
	}
}

// keyringSetup is a test with the real Secret Service (make test runs
// under a private session bus with gnome-keyring): a Prosody user, an
// account store and a history in a temp dir, and the keyring.
func keyringSetup(t *testing.T) (srv *testserver.Server, jid, pass string, accts *account.Store, store *history.Store, kr *account.Keyring) {
	t.Helper()
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("no session bus: run under .ci/with-desktop.sh (make test does)")
		}
		t.Skip("no session bus: run under .ci/with-desktop.sh")
	}
	srv = prosody(t)
	jid, pass = srv.NewUser(t)
	dir := t.TempDir()
	accts, _ = account.OpenStore(filepath.Join(dir, "config"))
	store, err := history.Open(filepath.Join(dir, "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return srv, jid, pass, accts, store, account.NewKeyring()
}
