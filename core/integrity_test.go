package core

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/internal/slixpeer"
	"github.com/causerie/causerie/internal/testserver"
)

// Data integrity: every message sent or received ends in the history
// exactly once, whatever the link does (issue 13). Each test here failed
// before its fix.

// viaProxy routes e's account through a proxy that can cut, freeze and
// refuse its links.
func viaProxy(t *testing.T, e *env) *testserver.Proxy {
	t.Helper()
	px := testserver.NewProxy(t, e.server.Addr())
	a := e.s.Account()
	a.Port = px.Port()
	if err := e.client.UpdateAccount(a); err != nil {
		t.Fatal(err)
	}
	return px
}

func isState(st State) func(Event) bool {
	return func(ev Event) bool {
		s, ok := ev.(ConnectionStateChanged)
		return ok && s.State == st
	}
}

func receivedBody(body string) func(Event) bool {
	return func(ev Event) bool {
		m, ok := ev.(MessageReceived)
		return ok && m.Message.Direction == history.In && m.Message.Body == body
	}
}

func stateOf(id int64, st history.State) func(Event) bool {
	return func(ev Event) bool {
		m, ok := ev.(MessageStateChanged)
		return ok && m.ID == id && m.State == st
	}
}

// bodiesWith returns the bodies of e's conversation with peer, oldest
// first.
func bodiesWith(t testing.TB, e *env, peer string) []string {
	t.Helper()
	ms, err := e.s.History(peer, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Body
	}
	return out
}

// TestSendWhileResuming: a message typed while a dropped link is being
// resumed (XEP-0198), and a correction made then, go out as soon as the
// link is back — they used to stay pending until the next full sign-in.
func TestSendWhileResuming(t *testing.T) { bothServers(t, testSendWhileResuming) }

func testSendWhileResuming(t *testing.T, srv *testserver.Server) {
	jid, pass := srv.NewUser(t)
	a := newEnvWith(t, srv, jid, pass, "", func(o *Options) { o.ResumeTimeout = 30 * time.Second })
	px := viaProxy(t, a)
	b := newUser(t, srv)
	a.connect()
	b.connect()
	mutual(t, a, b)

	first, err := a.s.SendMessage(b.jid, TypeChat, "", "before the cut")
	if err != nil {
		t.Fatal(err)
	}
	a.rec.Wait(t, "first delivered", stateOf(first.ID, history.StateDelivered))

	mark := a.rec.Mark()
	px.Refuse(true)
	px.Cut()
	a.rec.WaitFrom(t, mark, "a resuming", isState(StateReconnecting))
	if _, err := a.s.CorrectMessage(context.Background(), first.ID, "before the cut, corrected"); err != nil {
		t.Fatalf("correcting while resuming: %v", err)
	}
	during, err := a.s.SendMessage(b.jid, TypeChat, "", "while resuming")
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // a few refused attempts
	mark = a.rec.Mark()
	bMark := b.rec.Mark()
	px.Refuse(false)
	a.rec.WaitFrom(t, mark, "a resumed", isState(StateOnline))
	if st, _ := a.s.State(); st != StateOnline {
		t.Fatalf("state %v", st)
	}
	b.rec.WaitFrom(t, bMark, "b gets the correction", func(ev Event) bool {
		m, ok := ev.(MessageCorrected)
		return ok && m.Message.Body == "before the cut, corrected"
	})
	b.rec.WaitFrom(t, bMark, "b gets the message typed while resuming", receivedBody("while resuming"))
	a.rec.Wait(t, "delivered", stateOf(during.ID, history.StateDelivered))
	// Resumed, not signed in again: nothing was sent twice.
	if got := bodiesWith(t, b, a.jid); strings.Join(got, "|") != "before the cut, corrected|while resuming" {
		t.Fatalf("b's history: %q", got)
	}
}

// TestUnstoredMessageNotAcked: when the history cannot store a received
// message (here: the database is locked by another writer for longer
// than the store waits), the message is not acknowledged; the link is
// dropped, the session resumes, and the server delivers it again. It
// used to be acked and lost.
func TestUnstoredMessageNotAcked(t *testing.T) { bothServers(t, testUnstoredMessageNotAcked) }

func testUnstoredMessageNotAcked(t *testing.T, srv *testserver.Server) {
	a := newUser(t, srv)
	jid, pass := srv.NewUser(t)
	b := newEnvWith(t, srv, jid, pass, "", func(o *Options) { o.ResumeTimeout = 30 * time.Second })
	a.connect()
	b.connect()
	mutual(t, a, b)

	// Another writer takes the database: b's store waits, then fails.
	db, err := sql.Open("sqlite", "file:"+filepath.Join(b.dir, "data", "history.db")+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	lock, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lock.ExecContext(ctx, "BEGIN EXCLUSIVE"); err != nil {
		t.Fatal(err)
	}
	bMark := b.rec.Mark()
	m, err := a.s.SendMessage(b.jid, TypeChat, "", "stored at the second try")
	if err != nil {
		t.Fatal(err)
	}
	// The store gives up after its busy timeout (10 s, for each write
	// waiting in line before the message); the link is dropped.
	b.rec.WaitWithin(t, bMark, time.Minute, "b drops the link", isState(StateReconnecting))
	if _, err := lock.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	lock.Close()
	b.rec.WaitFrom(t, bMark, "b stores it after resuming", receivedBody("stored at the second try"))
	a.rec.Wait(t, "a: delivered", stateOf(m.ID, history.StateDelivered))
	if got := bodiesWith(t, b, a.jid); len(got) != 1 {
		t.Fatalf("b's history: %q", got)
	}
}

// TestReusedIDs: without origin-id, a later message reusing an id with
// other text is a new message, while the same id, sender and text again
// is a redelivery — stored once, but answered with a receipt again, as
// the sender may have lost the first one. Both used to be dropped
// silently, with an independent client (slixmpp) as the sender.
func TestReusedIDs(t *testing.T) { bothServers(t, testReusedIDs) }

func testReusedIDs(t *testing.T, srv *testserver.Server) {
	a, p := slixPair(t, srv)
	to := a.s.JID()
	raw := func(body string) {
		p.Do(t, slixpeer.Command{Cmd: "raw", XML: "<message xmlns='jabber:client' to='" + to + "' type='chat' id='1'><body>" + body +
			"</body><request xmlns='urn:xmpp:receipts'/></message>"})
	}
	mark := a.rec.Mark()
	pMark := p.Mark()
	raw("first")
	raw("second")
	raw("first") // delivered again
	raw("third")
	a.rec.WaitFrom(t, mark, "third stored", receivedBody("third"))
	if got := bodiesWith(t, a, p.Bare); strings.Join(got, "|") != "first|second|third" {
		t.Fatalf("history: %q", got)
	}
	receipts := 0
	deadline := time.Now().Add(20 * time.Second)
	for receipts < 4 && time.Now().Before(deadline) {
		receipts = 0
		for _, e := range p.Events()[pMark:] {
			if e.Event == "message" && e.Receipt == "1" {
				receipts++
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	if receipts != 4 {
		t.Fatalf("%d receipts for 4 messages with id 1", receipts)
	}
}

// TestCarriedOverFailedResumption: a roster change and a subscription
// request written on a link that died unacknowledged, and could not be
// resumed, are sent again on the next connection; they used to be lost
// with the old session.
func TestCarriedOverFailedResumption(t *testing.T) { bothServers(t, testCarriedOverFailedResumption) }

func testCarriedOverFailedResumption(t *testing.T, srv *testserver.Server) {
	a := newUser(t, srv)
	px := viaProxy(t, a)
	b := newUser(t, srv)
	c := newUser(t, srv)
	a.connect()
	b.connect()

	px.Freeze(true) // what a writes now never reaches the server
	if err := a.s.RequestSubscription(b.jid, "frozen hello"); err != nil {
		t.Fatal(err)
	}
	added := make(chan error, 1)
	go func() {
		added <- a.s.AddContact(context.Background(), AddContactRequest{JID: c.jid, Name: "Carried"})
	}()
	time.Sleep(200 * time.Millisecond)
	mark := a.rec.Mark()
	px.Refuse(true)
	px.Cut()
	px.Freeze(false)
	// Resumption (a 1 s window here) fails; a full sign-in is retried.
	a.rec.WaitFrom(t, mark, "a retries a fresh sign-in", func(ev Event) bool {
		s, ok := ev.(ConnectionStateChanged)
		return ok && s.State == StateReconnecting && s.Retry.Attempt > 0
	})
	if err := <-added; err == nil {
		t.Fatal("adding a contact on a dead link reported success")
	}
	bMark := b.rec.Mark()
	px.Refuse(false)
	a.rec.WaitFrom(t, mark, "a online again", isState(StateOnline))
	ev := b.rec.WaitFrom(t, bMark, "b gets the request made on the dead link", func(e Event) bool {
		_, ok := e.(SubscriptionRequested)
		return ok
	}).(SubscriptionRequested)
	if ev.Request.From != a.jid || ev.Request.Message != "frozen hello" {
		t.Fatalf("request: %+v", ev.Request)
	}
	a.rec.Wait(t, "the contact added on the dead link is in the roster", contactIs(a, c.jid, func(ct Contact) bool {
		return ct.InRoster && ct.Name == "Carried"
	}))
}
