package mam

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/internal/coretest"
	"github.com/causerie/causerie/internal/testserver"
	"gosrc.io/xmpp/stanza"
)

func TestMain(m *testing.M) { testserver.Main(m) }

// TestCatchUp, on both servers with their archives on: what came while
// A was away is in A's history after A signs in again, each message once
// and in order, whether the archive or offline storage brought it first;
// a receipt that came meanwhile marks A's message delivered; a second
// device of A's with an empty history gets the last page of the archive,
// the newest messages, and nothing older.
func TestCatchUp(t *testing.T) {
	smallPages(t, 100)
	for _, k := range []testserver.Kind{testserver.Prosody, testserver.Ejabberd} {
		t.Run(string(k), func(t *testing.T) {
			t.Parallel()
			testCatchUp(t, testserver.Shared(t, k, testserver.Options{Archive: true}))
		})
	}
}

// smallPages makes the catch-up read pages of n for the test t: several
// pages of a few hundred messages.
func smallPages(t *testing.T, n int) {
	saved := PageSize
	PageSize = n
	t.Cleanup(func() { PageSize = saved })
}

func caughtUp(u *coretest.User) func(core.Event) bool {
	return func(e core.Event) bool {
		d, ok := e.(CatchUpDone)
		return ok && d.Account == u.JID
	}
}

func testCatchUp(t *testing.T, srv *testserver.Server) {
	a, b := coretest.NewUser(t, srv, Feature), coretest.NewUser(t, srv)
	mark := a.Events.Mark()
	a.Connect(t)
	b.Connect(t)
	if d := a.Events.WaitFrom(t, mark, "catch-up", caughtUp(a)).(CatchUpDone); d.Err != nil || d.Stored != 0 {
		t.Fatalf("first catch-up of an empty archive: %+v", d)
	}
	bc := b.Conn(t)
	send := func(i int) {
		m := stanza.NewMessage(stanza.Attrs{To: a.JID, Type: stanza.MessageTypeChat})
		m.Body = fmt.Sprintf("#%03d", i)
		if err := bc.Send(&m); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 3 {
		send(i)
	}
	a.Events.Wait(t, "live messages", func(e core.Event) bool {
		m, ok := e.(core.MessageReceived)
		return ok && m.Message.Body == "#002"
	})
	// A's message, to be receipted while A is away.
	mine, err := a.Session.SendMessage(b.JID, core.TypeChat, "", "are you there?")
	if err != nil {
		t.Fatal(err)
	}
	a.Events.Wait(t, "A's message acknowledged", func(e core.Event) bool {
		s, ok := e.(core.MessageStateChanged)
		return ok && s.ID == mine.ID && s.State == history.StateAcked
	})
	a.Disconnect(t)

	const n = 300
	for i := 3; i < n; i++ {
		send(i)
	}
	receipt := stanza.NewMessage(stanza.Attrs{To: a.JID})
	receipt.Extensions = append(receipt.Extensions, &stanza.ReceiptReceived{ID: mine.OriginID})
	if err := bc.Send(&receipt); err != nil {
		t.Fatal(err)
	}
	// The archive has them all before A comes back.
	if err := bc.Ping(context.Background(), srv.Domain); err != nil {
		t.Fatal(err)
	}

	mark = a.Events.Mark()
	began := time.Now()
	a.Connect(t)
	d := a.Events.WaitFrom(t, mark, "catch-up", caughtUp(a)).(CatchUpDone)
	if d.Err != nil {
		t.Fatalf("catch-up: %+v", d)
	}
	t.Logf("%s: signed in and caught up in %s: %d pages, %d new messages (the rest came from offline storage), %d delivered",
		srv.Kind, time.Since(began).Round(time.Millisecond), d.Pages, d.Stored, d.Delivered)
	deadline := time.Now().Add(20 * time.Second)
	for {
		ms, err := a.Client.Store().Latest(a.JID, b.JID, 2*n)
		if err != nil {
			t.Fatal(err)
		}
		var bodies []string
		for _, m := range ms {
			if m.Direction == history.In {
				bodies = append(bodies, m.Body)
			}
		}
		want := make([]string, n)
		for i := range want {
			want[i] = fmt.Sprintf("#%03d", i)
		}
		got := strings.Join(bodies, " ")
		if got == strings.Join(want, " ") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("A's history holds %d messages from B: %.300s…", len(bodies), got)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if m, err := a.Client.Store().Get(mine.ID); err != nil || m.State != history.StateDelivered {
		t.Errorf("A's message after the catch-up: %v, %v", m.State, err)
	}

	// A second device: the window of recent history (all of it here:
	// under WindowMessages, within WindowAge), newest page first, shown
	// in order.
	a2 := coretest.Login(t, srv, a.JID, a.Password, Feature)
	mark = a2.Events.Mark()
	began = time.Now()
	a2.Connect(t)
	d2 := a2.Events.WaitFrom(t, mark, "catch-up", caughtUp(a2)).(CatchUpDone)
	if d2.Err != nil || d2.Pages < 3 {
		t.Fatalf("second device's catch-up: %+v", d2)
	}
	t.Logf("%s: a new device signed in and read the window in %s: %d pages, %d messages",
		srv.Kind, time.Since(began).Round(time.Millisecond), d2.Pages, d2.Stored)
	ms, err := a2.Client.Store().Latest(a.JID, b.JID, 2*n)
	if err != nil {
		t.Fatal(err)
	}
	var in []history.Message
	for _, m := range ms {
		if m.Direction == history.In && m.Body != "" {
			in = append(in, m)
		}
	}
	if len(in) != n {
		t.Fatalf("second device: %d messages from B, want %d", len(in), n)
	}
	for i, m := range in {
		if m.Body != fmt.Sprintf("#%03d", i) {
			t.Fatalf("second device, message %d: %q", i, m.Body)
		}
	}
}

// TestPolicy, on both servers: the account's archiving policy read and
// changed through the session (the protocol's effect on what is
// archived is TestPrefsAgainstServers in core/xmpp/mam); offline it says
// so.
func TestPolicy(t *testing.T) {
	for _, k := range []testserver.Kind{testserver.Prosody, testserver.Ejabberd} {
		t.Run(string(k), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			a := coretest.NewUser(t, testserver.Shared(t, k, testserver.Options{Archive: true}), Feature)
			arch := Of(a.Session)
			if _, err := arch.Policy(ctx); !errors.Is(err, core.ErrNotConnected) {
				t.Errorf("offline: %v", err)
			}
			a.Connect(t)
			if p, err := arch.Policy(ctx); err != nil || p != PolicyAlways {
				t.Fatalf("policy: %q, %v", p, err)
			}
			if p, err := arch.SetPolicy(ctx, PolicyRoster); err != nil || p != PolicyRoster {
				t.Fatalf("set: %q, %v", p, err)
			}
			if p, err := arch.Policy(ctx); err != nil || p != PolicyRoster {
				t.Fatalf("read back: %q, %v", p, err)
			}
		})
	}
}

// TestOlder, on both servers: a new device of A's gets a window of the
// archive at sign-in (made 40 messages here); scrolling up then reads
// older pages of the conversation with B until the archive has nothing
// older: every message once, in order.
func TestOlder(t *testing.T) {
	smallPages(t, 20)
	saved := WindowMessages
	WindowMessages = 40
	t.Cleanup(func() { WindowMessages = saved })
	for _, k := range []testserver.Kind{testserver.Prosody, testserver.Ejabberd} {
		t.Run(string(k), func(t *testing.T) {
			t.Parallel()
			srv := testserver.Shared(t, k, testserver.Options{Archive: true})
			a, b := coretest.NewUser(t, srv), coretest.NewUser(t, srv)
			a.Connect(t)
			b.Connect(t)
			const n = 130
			for i := range n {
				m := stanza.NewMessage(stanza.Attrs{To: a.JID, Type: stanza.MessageTypeChat})
				m.Body = fmt.Sprintf("#%03d", i)
				if err := b.Conn(t).Send(&m); err != nil {
					t.Fatal(err)
				}
			}
			a.Events.Wait(t, "the last message", func(e core.Event) bool {
				m, ok := e.(core.MessageReceived)
				return ok && m.Message.Body == fmt.Sprintf("#%03d", n-1)
			})
			if err := b.Conn(t).Ping(context.Background(), srv.Domain); err != nil {
				t.Fatal(err)
			}

			a2 := coretest.Login(t, srv, a.JID, a.Password, Feature)
			mark := a2.Events.Mark()
			a2.Connect(t)
			if d := a2.Events.WaitFrom(t, mark, "catch-up", caughtUp(a2)).(CatchUpDone); d.Err != nil {
				t.Fatalf("catch-up: %+v", d)
			}
			store := a2.Client.Store()
			if ms, _ := store.Latest(a.JID, b.JID, 2*n); len(ms) >= n {
				t.Fatalf("the window held all %d messages: nothing left to scroll to", len(ms))
			}
			arch := Of(a2.Session)
			for pages := 0; ; pages++ {
				ms, err := store.Latest(a.JID, b.JID, 1)
				if err != nil || len(ms) == 0 {
					t.Fatalf("history: %v %v", ms, err)
				}
				oldest, err := store.Before(a.JID, b.JID, ms[0], 1000)
				if err != nil {
					t.Fatal(err)
				}
				first := ms[0]
				if len(oldest) > 0 {
					first = oldest[0]
				}
				_, complete, err := arch.Older(context.Background(), b.JID, first, 20)
				if err != nil {
					t.Fatal(err)
				}
				if complete {
					break
				}
				if pages > 20 {
					t.Fatal("no end")
				}
			}
			ms, err := store.Latest(a.JID, b.JID, 2*n)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range ms {
				got = append(got, m.Body)
			}
			want := make([]string, n)
			for i := range want {
				want[i] = fmt.Sprintf("#%03d", i)
			}
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Fatalf("the new device's history (%d): %.200s…", len(got), strings.Join(got, " "))
			}
		})
	}
}

// TestNewestFirst, on both servers: A's desktop signs in again after A's
// phone, online meanwhile, received n messages from B and then n from C
// (none went to offline storage), with the conversation with B open.
// The catch-up stores all of B's messages before C's (the open chat
// first), each conversation's newest page before its older ones; the
// histories hold each message once, in order; the next sign-in has
// nothing to store (the cursor moved to the archive's end).
func TestNewestFirst(t *testing.T) {
	smallPages(t, 50)
	for _, k := range []testserver.Kind{testserver.Prosody, testserver.Ejabberd} {
		t.Run(string(k), func(t *testing.T) {
			t.Parallel()
			testNewestFirst(t, testserver.Shared(t, k, testserver.Options{Archive: true}))
		})
	}
}

func testNewestFirst(t *testing.T, srv *testserver.Server) {
	a, b, c := coretest.NewUser(t, srv, Feature), coretest.NewUser(t, srv), coretest.NewUser(t, srv)
	b.Connect(t)
	c.Connect(t)
	send := func(from *coretest.User, body string) {
		m := stanza.NewMessage(stanza.Attrs{To: a.JID, Type: stanza.MessageTypeChat})
		m.Body = body
		if err := from.Conn(t).Send(&m); err != nil {
			t.Fatal(err)
		}
	}
	signIn := func() CatchUpDone {
		mark := a.Events.Mark()
		a.Connect(t)
		d := a.Events.WaitFrom(t, mark, "catch-up", caughtUp(a)).(CatchUpDone)
		if d.Err != nil {
			t.Fatalf("catch-up: %+v", d)
		}
		return d
	}
	signOut := func() {
		a.Disconnect(t)
	}
	// A first message, in the archive at the first sign-in: its window
	// leaves a dated cursor.
	send(b, "hello")
	if err := b.Conn(t).Ping(context.Background(), srv.Domain); err != nil {
		t.Fatal(err)
	}
	signIn()
	if cur, err := a.Client.Store().ArchiveCursor(a.JID); err != nil || cur.Stamp.IsZero() {
		t.Fatalf("the cursor after the first sign-in: %+v, %v", cur, err)
	}
	signOut()
	// Prosody dates its archive to the second: what comes in a later
	// one is known to come after.
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second)))

	phone := coretest.Login(t, srv, a.JID, a.Password)
	phone.Connect(t)
	// Its presence is in before B and C write: nothing goes to offline
	// storage.
	if err := phone.Conn(t).Ping(context.Background(), srv.Domain); err != nil {
		t.Fatal(err)
	}
	const n = 120
	for _, from := range []*coretest.User{b, c} {
		prefix := strings.SplitN(from.JID, "@", 2)[0]
		for i := range n {
			send(from, fmt.Sprintf("%s#%03d", prefix, i))
		}
		last := fmt.Sprintf("%s#%03d", prefix, n-1)
		phone.Events.Wait(t, "the phone has "+last, func(e core.Event) bool {
			m, ok := e.(core.MessageReceived)
			return ok && m.Message.Body == last
		})
	}

	Of(a.Session).SetOpenChat(b.JID, true)
	mark := a.Events.Mark()
	began := time.Now()
	d := signIn()
	t.Logf("%s: %d messages caught up in %s, %d pages", srv.Kind, d.Stored, time.Since(began).Round(time.Millisecond), d.Pages)
	var order []history.Message
	for _, e := range a.Events.Since(mark) {
		if m, ok := e.(core.MessageReceived); ok && m.Archived {
			order = append(order, m.Message)
		}
	}
	if len(order) != 2*n || d.Stored != 2*n {
		t.Fatalf("%d messages stored (%d published), want %d", d.Stored, len(order), 2*n)
	}
	for i, m := range order {
		want := b.JID
		if i >= n {
			want = c.JID
		}
		if m.Peer != want {
			t.Fatalf("message %d stored is %s's %q: the open chat's are not all first", i, m.Peer, m.Body)
		}
	}
	for _, run := range [][]history.Message{order[:n], order[n:]} {
		// Pages newest first: the run's first message is newer than its last.
		if first, last := run[0], run[n-1]; first.Body <= last.Body {
			t.Errorf("%s's messages stored oldest page first: %q … %q", first.Peer, first.Body, last.Body)
		}
	}
	for _, from := range []*coretest.User{b, c} {
		prefix := strings.SplitN(from.JID, "@", 2)[0]
		var want []string
		if from == b {
			want = append(want, "hello")
		}
		for i := range n {
			want = append(want, fmt.Sprintf("%s#%03d", prefix, i))
		}
		ms, err := a.Client.Store().Latest(a.JID, from.JID, 3*n)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range ms {
			got = append(got, m.Body)
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("A's history with %s (%d): %.300s…", prefix, len(got), strings.Join(got, " "))
		}
	}

	signOut()
	if d := signIn(); d.Stored != 0 {
		t.Errorf("the sign-in after: %+v", d)
	}
}

// TestOverflowCaughtUp, on both servers with their archives on and a
// queue of 100 unacknowledged stanzas per session (XEP-0198): while
// A's link is silent, B sends 250 messages and A's session's queue
// overflows (Prosody drops the oldest silently and then refuses to
// resume the session, ejabberd ends it). A signs in afresh, and the
// catch-up brings back what the server dropped: A's history holds all
// 250, each once, in order. This is what makes a queue's overflow safe;
// internal/chaos, whose servers archive nothing, gives them a queue
// longer than a fault can fill.
func TestOverflowCaughtUp(t *testing.T) {
	smallPages(t, 50)
	for _, k := range []testserver.Kind{testserver.Prosody, testserver.Ejabberd} {
		t.Run(string(k), func(t *testing.T) {
			t.Parallel()
			testOverflowCaughtUp(t, testserver.Shared(t, k, testserver.Options{Archive: true, AckQueue: ackQueue}))
		})
	}
}

// ackQueue is TestOverflowCaughtUp's servers' queue.
const ackQueue = 100

func testOverflowCaughtUp(t *testing.T, srv *testserver.Server) {
	a, b := coretest.NewUser(t, srv, Feature), coretest.NewUser(t, srv)
	px := a.ViaProxy(t)
	mark := a.Events.Mark()
	a.Connect(t)
	b.Connect(t)
	a.Events.WaitFrom(t, mark, "first catch-up", caughtUp(a))
	bc := b.Conn(t)
	send := func(i int) {
		m := stanza.NewMessage(stanza.Attrs{To: a.JID, Type: stanza.MessageTypeChat})
		m.Body = fmt.Sprintf("#%03d", i)
		if err := bc.Send(&m); err != nil {
			t.Fatal(err)
		}
	}
	send(0)
	a.Events.Wait(t, "a live message", func(e core.Event) bool {
		m, ok := e.(core.MessageReceived)
		return ok && m.Message.Body == "#000"
	})

	px.Freeze(true) // what the server writes to A now is lost
	mark = a.Events.Mark()
	const n = 250
	for i := 1; i < n; i++ {
		send(i)
	}
	// The server has routed them all (and archived them).
	if err := bc.Ping(context.Background(), srv.Domain); err != nil {
		t.Fatal(err)
	}
	px.Cut()
	px.Freeze(false)
	// A catch-up: the session was not resumed. On ejabberd the new
	// session may overflow too (offline storage hands over what the old
	// queue held, with the archive's first page): it ends, and the next
	// one's catch-up reads on.
	failed, stored := 0, 0
	a.Events.WaitFrom(t, mark, "a catch-up that ends", func(e core.Event) bool {
		d, ok := e.(CatchUpDone)
		if !ok || d.Account != a.JID {
			return false
		}
		stored += d.Stored
		if d.Err != nil {
			failed++
		}
		return d.Err == nil
	})
	t.Logf("%s: the queue overflowed; the catch-ups stored %d messages (%d interrupted)", srv.Kind, stored, failed)
	// What the server dropped came from the archive: on Prosody, all but
	// the last AckQueue messages were dropped from the queue.
	if min := 1; stored < min || srv.Kind == testserver.Prosody && stored < n-1-ackQueue {
		t.Fatalf("the archive gave back %d messages", stored)
	}
	// Each once; in order, but for what the server handed over from the
	// old session (ejabberd's takeover, with its own stamps, a few
	// milliseconds apart: see core's delayFloor), not from the archive.
	deadline := time.Now().Add(20 * time.Second)
	for {
		ms, err := a.Client.Store().Latest(a.JID, b.JID, 2*n)
		if err != nil {
			t.Fatal(err)
		}
		handedOver := map[string]bool{}
		for _, e := range a.Events.Since(mark) {
			if m, ok := e.(core.MessageReceived); ok && !m.Archived && !m.Message.Sent.Equal(m.Message.Received) {
				handedOver[m.Message.Body] = true
			}
		}
		seen := make([]int, n)
		var got []string
		last, missing, twice, disorder := -1, 0, 0, 0
		for _, m := range ms {
			got = append(got, m.Body)
			var i int
			if _, err := fmt.Sscanf(m.Body, "#%d", &i); err != nil || i < 0 || i >= n {
				t.Fatalf("unknown message %q", m.Body)
			}
			if seen[i]++; seen[i] > 1 {
				twice++
			}
			if handedOver[m.Body] {
				continue
			}
			if i < last {
				disorder++
			}
			last = i
		}
		for _, c := range seen {
			if c == 0 {
				missing++
			}
		}
		if missing+twice+disorder == 0 {
			t.Logf("%s: %d handed over by the server from the old session", srv.Kind, len(handedOver))
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("A's history: %d missing, %d twice, %d out of order (among the archive's and the live ones): %s",
				missing, twice, disorder, strings.Join(got, " "))
		}
		time.Sleep(100 * time.Millisecond)
	}
}
