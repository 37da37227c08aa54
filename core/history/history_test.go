package history

import (
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	me  = "me@example.org"
	bob = "bob@example.org"
	ann = "ann@example.org"
)

var t0 = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

func openTemp(t testing.TB) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sub", "history.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

func mustAdd(t testing.TB, s *Store, m *Message) *Message {
	t.Helper()
	if err := s.Add(m); err != nil {
		t.Fatalf("Add(%+v): %v", m, err)
	}
	return m
}

func msg(peer string, dir Direction, body string, sent time.Time) *Message {
	return &Message{Account: me, Peer: peer, Direction: dir, Type: "chat", Body: body, Sent: sent}
}

func bodies(ms []Message) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Body
	}
	return out
}

func sameTime(a, b time.Time) bool { return a.Equal(b) }

func TestOpenCreatesDirsAndWAL(t *testing.T) {
	s, path := openTemp(t)
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	var mode string
	if err := s.r.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode = %q, %v", mode, err)
	}
	var fk, sync int
	if err := s.w.QueryRow("PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
		t.Fatalf("foreign_keys = %d, %v", fk, err)
	}
	if err := s.w.QueryRow("PRAGMA synchronous").Scan(&sync); err != nil || sync != 2 {
		t.Fatalf("synchronous = %d, %v", sync, err)
	}
	var v int
	if err := s.w.QueryRow("PRAGMA user_version").Scan(&v); err != nil || v != schemaVersion {
		t.Fatalf("user_version = %d, %v", v, err)
	}
	if _, err := Open(""); err == nil {
		t.Fatal("Open(\"\") succeeded")
	}
}

func TestOpenOddPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a b?c#d%20e", "h.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	mustAdd(t, s, msg(bob, In, "hello", t0))
	s.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database not at the literal path: %v", err)
	}
}

func TestAddGetRoundTrip(t *testing.T) {
	s, _ := openTemp(t)
	in := &Message{
		Account: me, Peer: bob, Resource: "phone", Direction: In, Type: "chat",
		Body: "salut", Subject: "subj", Thread: "th1", Rich: "<p>salut</p>",
		OriginID: "o1", StanzaID: "s1", Sent: t0, State: StateReceived,
	}
	before := time.Now()
	mustAdd(t, s, in)
	if in.ID == 0 {
		t.Fatal("ID not set")
	}
	if in.Received.Before(before) {
		t.Fatalf("Received not set: %v", in.Received)
	}
	got, err := s.Get(in.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !sameTime(got.Sent, in.Sent) || !sameTime(got.Received, in.Received) {
		t.Fatalf("times: got %v/%v want %v/%v", got.Sent, got.Received, in.Sent, in.Received)
	}
	got.Sent, got.Received = in.Sent, in.Received
	if got != *in {
		t.Fatalf("Get = %+v\nwant  %+v", got, *in)
	}
	if _, err := s.Get(in.ID + 100); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get(missing) = %v", err)
	}
	// Zero Sent defaults to Received.
	m := mustAdd(t, s, &Message{Account: me, Peer: bob, Direction: Out, Body: "x"})
	if m.Sent.IsZero() || !m.Sent.Equal(m.Received) {
		t.Fatalf("Sent = %v, Received = %v", m.Sent, m.Received)
	}
	if err := s.Add(&Message{Account: me, Peer: bob, Body: "no direction"}); err == nil {
		t.Fatal("Add without direction succeeded")
	}
	if err := s.Add(&Message{Account: me, Direction: In}); err == nil {
		t.Fatal("Add without peer succeeded")
	}
}

func TestLatestBeforePaging(t *testing.T) {
	s, _ := openTemp(t)
	const total = 400
	var want []string
	for i := 0; i < total; i++ {
		// Groups of 7 messages share one Sent time: ID breaks the tie.
		sent := t0.Add(time.Duration(i/7) * time.Second)
		want = append(want, fmt.Sprint("m", i))
		mustAdd(t, s, msg(bob, Direction(1+i%2), want[i], sent))
		if i%10 == 0 {
			mustAdd(t, s, msg(ann, In, "other", sent)) // interleaved conversation
		}
	}
	// A message whose Sent is older than everything, added last (MAM backfill).
	mustAdd(t, s, msg(bob, In, "old", t0.Add(-time.Hour)))
	want = append([]string{"old"}, want...)

	latest, err := s.Latest(me, bob, 50)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(bodies(latest)) != fmt.Sprint(want[len(want)-50:]) {
		t.Fatalf("Latest = %v", bodies(latest))
	}
	var got []string
	page := latest
	for len(page) > 0 {
		got = append(bodies(page), got...)
		if page, err = s.Before(me, bob, page[0], 50); err != nil {
			t.Fatal(err)
		}
		if len(page) > 50 {
			t.Fatalf("page of %d", len(page))
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("paged %d messages, want %d\n%v", len(got), len(want), got[:20])
	}
	all, err := s.Latest(me, bob, 10*total)
	if err != nil || len(all) != len(want) {
		t.Fatalf("Latest(all) = %d, %v", len(all), err)
	}
	if ms, err := s.Latest(me, "nobody@x", 10); err != nil || len(ms) != 0 {
		t.Fatalf("Latest(unknown) = %v, %v", ms, err)
	}
	if ms, err := s.Latest(me, bob, 0); err != nil || len(ms) != 0 {
		t.Fatalf("Latest(0) = %v, %v", ms, err)
	}
}

func TestSetState(t *testing.T) {
	s, _ := openTemp(t)
	m := mustAdd(t, s, &Message{Account: me, Peer: bob, Direction: Out, Body: "hi", OriginID: "o1", State: StatePending})
	for _, st := range []State{StateSent, StateAcked, StateDelivered} {
		if err := s.SetState(m.ID, st, ""); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Get(m.ID); got.State != st || got.Error != "" {
			t.Fatalf("state = %v %q, want %v", got.State, got.Error, st)
		}
	}
	if err := s.SetState(m.ID, StateError, "service-unavailable"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Get(m.ID); got.State != StateError || got.Error != "service-unavailable" {
		t.Fatalf("got %v %q", got.State, got.Error)
	}
	if err := s.SetState(m.ID+1, StateSent, ""); !errors.Is(err, ErrNotFound) {
		t.Fatalf("SetState(missing) = %v", err)
	}
}

func TestFindByOriginID(t *testing.T) {
	s, _ := openTemp(t)
	out := mustAdd(t, s, &Message{Account: me, Peer: bob, Direction: Out, Body: "out", OriginID: "abc"})
	in := mustAdd(t, s, &Message{Account: me, Peer: bob, Direction: In, Body: "in", OriginID: "abc"})
	mustAdd(t, s, &Message{Account: me, Peer: ann, Direction: Out, Body: "ann", OriginID: "abc"})
	got, ok, err := s.FindByOriginID(me, bob, "abc", Out)
	if err != nil || !ok || got.ID != out.ID || got.Body != "out" {
		t.Fatalf("FindByOriginID(Out) = %+v %v %v", got, ok, err)
	}
	got, ok, err = s.FindByOriginID(me, bob, "abc", In)
	if err != nil || !ok || got.ID != in.ID {
		t.Fatalf("FindByOriginID(In) = %+v %v %v", got, ok, err)
	}
	for _, c := range []struct{ acc, peer, id string }{{me, bob, "nope"}, {me, "x@y", "abc"}, {"other@x", bob, "abc"}, {me, bob, ""}} {
		if _, ok, err := s.FindByOriginID(c.acc, c.peer, c.id, Out); ok || err != nil {
			t.Fatalf("FindByOriginID(%v) = %v %v", c, ok, err)
		}
	}
}

func TestDuplicates(t *testing.T) {
	s, _ := openTemp(t)
	first := mustAdd(t, s, &Message{Account: me, Peer: bob, Direction: In, Body: "a", StanzaID: "sid1"})
	dup := &Message{Account: me, Peer: bob, Direction: In, Body: "a again", StanzaID: "sid1"}
	if err := s.Add(dup); !errors.Is(err, ErrDuplicate) || dup.ID != first.ID {
		t.Fatalf("stanza-id dup: %v, ID %d want %d", err, dup.ID, first.ID)
	}
	o := mustAdd(t, s, &Message{Account: me, Peer: bob, Direction: In, Body: "b", OriginID: "oid1"})
	dup = &Message{Account: me, Peer: bob, Direction: In, Body: "b again", OriginID: "oid1", StanzaID: "other"}
	if err := s.Add(dup); !errors.Is(err, ErrDuplicate) || dup.ID != o.ID {
		t.Fatalf("origin-id dup: %v, ID %d want %d", err, dup.ID, o.ID)
	}
	out := mustAdd(t, s, &Message{Account: me, Peer: bob, Direction: Out, Body: "c", OriginID: "oid2"})
	dup = &Message{Account: me, Peer: bob, Direction: Out, Body: "c (MAM copy)", OriginID: "oid2", StanzaID: "s9"}
	if err := s.Add(dup); !errors.Is(err, ErrDuplicate) || dup.ID != out.ID {
		t.Fatalf("outgoing origin-id dup: %v, ID %d want %d", err, dup.ID, out.ID)
	}
	// Not duplicates: other direction, other peer, other account, empty ids,
	// and an outgoing message reusing an incoming stanza-id.
	for _, m := range []*Message{
		{Account: me, Peer: bob, Direction: Out, Body: "d", OriginID: "oid1"},
		{Account: me, Peer: ann, Direction: In, Body: "e", StanzaID: "sid1", OriginID: "oid1"},
		{Account: "alt@example.org", Peer: bob, Direction: In, Body: "f", StanzaID: "sid1", OriginID: "oid1"},
		{Account: me, Peer: bob, Direction: In, Body: "g"},
		{Account: me, Peer: bob, Direction: In, Body: "h"},
		{Account: me, Peer: bob, Direction: Out, Body: "i", StanzaID: "sid1"},
		{Account: me, Peer: bob, Direction: Out, Body: "j", StanzaID: "sid1"},
	} {
		mustAdd(t, s, m)
	}
	ms, _ := s.Latest(me, bob, 100)
	if len(ms) != 8 {
		t.Fatalf("%d messages stored: %v", len(ms), bodies(ms))
	}
	cs, _ := s.Conversations(me)
	for _, c := range cs {
		if c.Peer == bob && c.Count != 8 {
			t.Fatalf("count = %d after duplicates", c.Count)
		}
	}
	// The duplicate was not indexed either.
	if r, _ := s.Search(me, bob, "again", 10); len(r) != 0 {
		t.Fatalf("duplicate indexed: %v", bodies(r))
	}
}

// reopenAt takes the database s (at path) back to an older version with
// the statements undo and user_version version, closes it and opens it
// again, which runs the migrations since that version. The new store is
// closed when the test ends.
func reopenAt(t testing.TB, s *Store, path string, version int, undo ...string) *Store {
	t.Helper()
	for _, q := range append(undo, fmt.Sprintf("PRAGMA user_version = %d", version)) {
		if _, err := s.w.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// undoHidden takes migrations 16 to 9 back, for tests that make an older
// database.
// undo19 takes migration 19 back.
var undo19 = []string{`ALTER TABLE messages DROP COLUMN encryption`, `ALTER TABLE messages DROP COLUMN undecrypted`}

var undoHidden = []string{undo19[0], undo19[1], `ALTER TABLE messages DROP COLUMN retracted`, `DROP TABLE reactions`, `DROP INDEX messages_out_stanza_id`, `ALTER TABLE messages DROP COLUMN reply_id`, `ALTER TABLE messages DROP COLUMN reply_to`,
	`ALTER TABLE messages DROP COLUMN reply_quote`, `ALTER TABLE messages DROP COLUMN file`, `ALTER TABLE messages DROP COLUMN file_size`, `ALTER TABLE messages DROP COLUMN occupant`, `ALTER TABLE messages DROP COLUMN oob`, `ALTER TABLE conversations DROP COLUMN room`, `ALTER TABLE messages DROP COLUMN markable`, `DROP TABLE archive_cursor`, `ALTER TABLE conversations DROP COLUMN hidden`, `ALTER TABLE conversations DROP COLUMN last_id`}

// undoWireID takes migrations 9 and 7 back, for tests that make an older
// database.
var undoWireID = append(undoHidden, `DROP INDEX messages_wire_id`, `ALTER TABLE messages DROP COLUMN wire_id`)

// TestWireIDDuplicates: without an origin-id, a message is a redelivery
// only if its id, sender and text are those of a stored one; a sender
// reusing an id (bots, gateways, restarted counters) sends new messages.
func TestWireIDDuplicates(t *testing.T) {
	s, _ := openTemp(t)
	first := mustAdd(t, s, &Message{Account: me, Peer: bob, Resource: "bot", Direction: In, Body: "one", WireID: "1"})
	again := &Message{Account: me, Peer: bob, Resource: "bot", Direction: In, Body: "one", WireID: "1"}
	if err := s.Add(again); !errors.Is(err, ErrDuplicate) || again.ID != first.ID {
		t.Fatalf("redelivery: %v, ID %d want %d", err, again.ID, first.ID)
	}
	for _, m := range []*Message{
		{Account: me, Peer: bob, Resource: "bot", Direction: In, Body: "two", WireID: "1"},
		{Account: me, Peer: bob, Resource: "phone", Direction: In, Body: "one", WireID: "1"},
		{Account: me, Peer: bob, Resource: "bot", Direction: In, Body: "one", Subject: "s", WireID: "1"},
		{Account: me, Peer: ann, Resource: "bot", Direction: In, Body: "one", WireID: "1"},
		// An origin-id decides on its own.
		{Account: me, Peer: bob, Resource: "bot", Direction: In, Body: "one", WireID: "1", OriginID: "o1"},
	} {
		mustAdd(t, s, m)
	}
	ms, _ := s.Latest(me, bob, 100)
	if len(ms) != 5 {
		t.Fatalf("%d messages stored: %v", len(ms), bodies(ms))
	}
	// Receipts and corrections name a message by its id: the newest one
	// with that id.
	got, ok, err := s.FindByOriginID(me, bob, "1", In)
	if err != nil || !ok || got.WireID != "1" || got.ID == first.ID {
		t.Fatalf("FindByOriginID(wire id) = %+v %v %v", got, ok, err)
	}
	// A corrected message comes again as it was first sent (from the
	// archive): the same message, however often it was corrected.
	fixed := mustAdd(t, s, &Message{Account: me, Peer: ann, Resource: "phone", Direction: Out, Body: "tpyo", WireID: "2"})
	for _, body := range []string{"typo", "typo!"} {
		if err := s.Correct(fixed.ID, body, ""); err != nil {
			t.Fatal(err)
		}
	}
	again = &Message{Account: me, Peer: ann, Resource: "phone", Direction: Out, Body: "tpyo", WireID: "2"}
	if err := s.Add(again); !errors.Is(err, ErrDuplicate) || again.ID != fixed.ID {
		t.Fatalf("a corrected message again: %v, ID %d want %d", err, again.ID, fixed.ID)
	}
}

func TestSearch(t *testing.T) {
	s, _ := openTemp(t)
	mustAdd(t, s, msg(bob, In, "Cet été on part à la mer", t0.Add(1)))
	mustAdd(t, s, msg(bob, Out, "the meeting is at noon", t0.Add(2)))
	mustAdd(t, s, msg(ann, In, "Meeting moved to Tuesday", t0.Add(3)))
	mustAdd(t, s, &Message{Account: me, Peer: ann, Direction: In, Subject: "Réunion", Body: "ordre du jour", Sent: t0.Add(4)})
	mustAdd(t, s, msg(bob, In, "see you at the meeting", t0.Add(5)))
	mustAdd(t, s, &Message{Account: "alt@example.org", Peer: bob, Direction: In, Body: "meeting elsewhere", Sent: t0.Add(6)})
	// A backfilled message: newest-first is by Sent, not by insertion.
	mustAdd(t, s, msg(bob, In, "old meeting notes", t0))

	cases := []struct {
		peer, q string
		want    []string
	}{
		{bob, "meeting", []string{"see you at the meeting", "the meeting is at noon", "old meeting notes"}},
		{"", "meeting", []string{"see you at the meeting", "Meeting moved to Tuesday", "the meeting is at noon", "old meeting notes"}},
		{ann, "MEETING", []string{"Meeting moved to Tuesday"}},
		{bob, "meet", []string{"see you at the meeting", "the meeting is at noon", "old meeting notes"}}, // prefix on last word
		{bob, "meet noon", nil},                                  // only the last word is a prefix
		{bob, "meeting noo", []string{"the meeting is at noon"}}, // all words must match
		{bob, "ete", []string{"Cet été on part à la mer"}},       // diacritics
		{bob, "a la MER", []string{"Cet été on part à la mer"}},
		{"", "reunion", []string{"ordre du jour"}}, // subject
		{bob, "reunion", nil},
		{"", "elsewhere", nil}, // other account
		{"nobody@x", "meeting", nil},
		{"", "", nil},
		{"", "   ", nil},
	}
	for _, c := range cases {
		got, err := s.Search(me, c.peer, c.q, 10)
		if err != nil {
			t.Fatalf("Search(%q, %q): %v", c.peer, c.q, err)
		}
		if fmt.Sprint(bodies(got)) != fmt.Sprint(c.want) {
			t.Errorf("Search(%q, %q) = %q, want %q", c.peer, c.q, bodies(got), c.want)
		}
	}
	if got, _ := s.Search(me, "", "meeting", 2); len(got) != 2 {
		t.Fatalf("limit: %d results", len(got))
	}
	if got, _ := s.Search("nobody@x", "", "meeting", 2); len(got) != 0 {
		t.Fatalf("unknown account: %d results", len(got))
	}
	got, _ := s.Search(me, bob, "ete", 1)
	if len(got) != 1 || got[0].Account != me || got[0].Peer != bob || got[0].Direction != In {
		t.Fatalf("result fields: %+v", got)
	}
}

var hostileQueries = []string{
	`"`, `""`, `"""`, `*`, `**`, `foo:bar`, `-x`, `- x`, `NEAR(`, `NEAR(a b, 3)`, `AND`, `OR`, `NOT`,
	`a AND`, `AND b`, `a OR NOT b`, `'; DROP TABLE messages; --`, `(`, `)`, `((a)`, `{body}: x`,
	`body:x`, `conv:c1`, `^x`, `x^`, `+`, `a + b`, `\`, "\x00", "a\x00b", "\xff\xfe", `%`, `_`,
	"\u0301", "e\u0301te\u0301", "  ", "\t\n", `*meet`, `meet*`, `"meet`, `c1`, `a1`, "💬", `NEAR`,
	`rank:`, `rowid`, `MATCH`, `?`, `?1`, `:x`, `@x`, `$x`,
}

func TestSearchHostile(t *testing.T) {
	s, _ := openTemp(t)
	mustAdd(t, s, msg(bob, In, "meeting about foo bar and NEAR things", t0))
	mustAdd(t, s, msg(bob, In, "x AND y", t0.Add(1)))
	for _, q := range hostileQueries {
		for _, peer := range []string{"", bob} {
			if _, err := s.Search(me, peer, q, 10); err != nil {
				t.Errorf("Search(%q, %q): %v", peer, q, err)
			}
		}
	}
	// Punctuation is a separator, not an operator.
	if got, _ := s.Search(me, bob, "foo:bar", 10); len(got) != 1 {
		t.Errorf("foo:bar: %v", bodies(got))
	}
	if got, _ := s.Search(me, bob, "-x", 10); len(got) != 1 || got[0].Body != "x AND y" {
		t.Errorf("-x: %v", bodies(got))
	}
	if got, _ := s.Search(me, bob, "AND", 10); len(got) != 2 {
		t.Errorf("AND as a word: %v", bodies(got))
	}
	if got, _ := s.Search(me, bob, `NEAR(`, 10); len(got) != 1 {
		t.Errorf("NEAR(: %v", bodies(got))
	}
	// The conversation tokens are not searchable as text.
	if got, _ := s.Search(me, bob, "c1", 10); len(got) != 0 {
		t.Errorf("c1 matched: %v", bodies(got))
	}
	var n int
	if err := s.r.QueryRow(`SELECT count(*) FROM messages`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("messages table: %d, %v", n, err)
	}
}

func TestConversations(t *testing.T) {
	s, _ := openTemp(t)
	mustAdd(t, s, msg(bob, In, "b1", t0.Add(1*time.Minute)))
	mustAdd(t, s, msg(ann, In, "a1", t0.Add(2*time.Minute)))
	mustAdd(t, s, msg("carl@x", Out, "c1", t0.Add(3*time.Minute)))
	mustAdd(t, s, msg(bob, Out, "b2", t0.Add(4*time.Minute)))
	mustAdd(t, s, msg(ann, In, "a0 (backfill)", t0)) // does not make ann the most recent
	mustAdd(t, s, &Message{Account: "alt@x", Peer: bob, Direction: In, Body: "z", Sent: t0.Add(time.Hour)})
	cs, err := s.Conversations(me)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range cs {
		got = append(got, fmt.Sprintf("%s:%s:%d", c.Peer, c.Last.Body, c.Count))
		if c.Last.Account != me || c.Last.Peer != c.Peer {
			t.Errorf("Last = %+v", c.Last)
		}
	}
	want := []string{bob + ":b2:2", "carl@x:c1:1", ann + ":a1:2"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("Conversations = %v, want %v", got, want)
	}
	if cs, err := s.Conversations("nobody@x"); err != nil || len(cs) != 0 {
		t.Fatalf("Conversations(unknown) = %v, %v", cs, err)
	}

	// Hidden: out of the list, history kept, back with the next message
	// (even one dated earlier).
	if err := s.Hide(me, bob); err != nil {
		t.Fatal(err)
	}
	if cs, _ := s.Conversations(me); len(cs) != 2 || cs[0].Peer != "carl@x" {
		t.Fatalf("after Hide: %+v", cs)
	}
	if got, _ := s.Latest(me, bob, 10); len(got) != 2 {
		t.Fatalf("Hide lost history: %q", bodies(got))
	}
	mustAdd(t, s, msg(bob, In, "b3", t0.Add(-time.Hour)))
	if cs, _ := s.Conversations(me); len(cs) != 3 {
		t.Fatalf("a new message does not bring it back: %+v", cs)
	}
	if err := s.Hide(me, "nobody@x"); err != nil {
		t.Fatal(err)
	}
}

func TestRequests(t *testing.T) {
	s, _ := openTemp(t)
	if rs, err := s.Requests(me); err != nil || len(rs) != 0 {
		t.Fatalf("Requests(empty) = %v, %v", rs, err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.AddRequest(me, Request{From: bob, Message: "hi, add me", At: t0.Add(2)}))
	must(s.AddRequest(me, Request{From: ann, Message: "ann here", At: t0.Add(1)}))
	must(s.AddRequest("alt@x", Request{From: bob, Message: "other account", At: t0}))
	must(s.AddRequest(me, Request{From: bob, Message: "please!", At: t0.Add(3)})) // newer: replaces
	must(s.AddRequest(me, Request{From: ann, Message: "stale", At: t0}))          // older: ignored
	rs, err := s.Requests(me)
	must(err)
	if len(rs) != 2 || rs[0].From != ann || rs[0].Message != "ann here" || !rs[0].At.Equal(t0.Add(1)) ||
		rs[1].From != bob || rs[1].Message != "please!" || !rs[1].At.Equal(t0.Add(3)) {
		t.Fatalf("Requests = %+v", rs)
	}
	must(s.RemoveRequest(me, ann))
	must(s.RemoveRequest(me, "never@x"))
	rs, _ = s.Requests(me)
	if len(rs) != 1 || rs[0].From != bob {
		t.Fatalf("after remove: %+v", rs)
	}
	rs, _ = s.Requests("alt@x")
	if len(rs) != 1 || rs[0].Message != "other account" {
		t.Fatalf("alt: %+v", rs)
	}
	must(s.AddRequest(me, Request{From: "zed@x"})) // zero At means now
	rs, _ = s.Requests(me)
	if len(rs) != 2 || rs[1].From != "zed@x" || time.Since(rs[1].At) > time.Minute {
		t.Fatalf("zero At: %+v", rs)
	}
	if err := s.AddRequest(me, Request{}); err == nil {
		t.Fatal("empty From accepted")
	}
}

func TestRosterCache(t *testing.T) {
	s, _ := openTemp(t)
	ver, data, err := s.LoadRoster(me)
	if ver != "" || data != nil || err != nil {
		t.Fatalf("LoadRoster(none) = %q %v %v", ver, data, err)
	}
	blob := []byte(`{"items":[{"jid":"bob@example.org","name":"Bob","groups":["Amis"]}]}`)
	if err := s.SaveRoster(me, "ver7", blob); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveRoster("alt@x", "v1", []byte("x")); err != nil {
		t.Fatal(err)
	}
	ver, data, err = s.LoadRoster(me)
	if ver != "ver7" || string(data) != string(blob) || err != nil {
		t.Fatalf("LoadRoster = %q %s %v", ver, data, err)
	}
	if err := s.SaveRoster(me, "ver8", []byte("{}")); err != nil {
		t.Fatal(err)
	}
	ver, data, _ = s.LoadRoster(me)
	if ver != "ver8" || string(data) != "{}" {
		t.Fatalf("after overwrite: %q %s", ver, data)
	}
	if err := s.SaveRoster(me, "", nil); err != nil {
		t.Fatal(err)
	}
	ver, data, err = s.LoadRoster(me)
	if ver != "" || data == nil || len(data) != 0 || err != nil {
		t.Fatalf("empty roster: %q %v %v", ver, data, err)
	}
}

func TestDeleteAccount(t *testing.T) {
	s, _ := openTemp(t)
	const other = "alt@example.org"
	for _, acc := range []string{me, other} {
		for i := 0; i < 20; i++ {
			mustAdd(t, s, &Message{Account: acc, Peer: fmt.Sprintf("p%d@x", i%3), Direction: In, Body: "hello world", Sent: t0.Add(time.Duration(i))})
		}
		if err := s.AddRequest(acc, Request{From: bob, Message: "hi"}); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveRoster(acc, "v", []byte("r")); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteAccount(me); err != nil {
		t.Fatal(err)
	}
	if cs, _ := s.Conversations(me); len(cs) != 0 {
		t.Fatalf("conversations left: %v", cs)
	}
	if ms, _ := s.Latest(me, "p0@x", 100); len(ms) != 0 {
		t.Fatalf("messages left: %d", len(ms))
	}
	if rs, _ := s.Requests(me); len(rs) != 0 {
		t.Fatalf("requests left: %v", rs)
	}
	if v, d, _ := s.LoadRoster(me); v != "" || d != nil {
		t.Fatalf("roster left: %q %q", v, d)
	}
	var n int
	s.r.QueryRow(`SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'hello'`).Scan(&n)
	if n != 20 {
		t.Fatalf("%d FTS rows left, want 20 (the other account's)", n)
	}
	// The other account is untouched.
	if cs, _ := s.Conversations(other); len(cs) != 3 {
		t.Fatalf("other account: %d conversations", len(cs))
	}
	if r, _ := s.Search(other, "", "hello", 100); len(r) != 20 {
		t.Fatalf("other account search: %d", len(r))
	}
	if rs, _ := s.Requests(other); len(rs) != 1 {
		t.Fatal("other account's requests deleted")
	}
	// The account can be used again (the conversation cache was dropped).
	m := mustAdd(t, s, &Message{Account: me, Peer: "p0@x", Direction: In, Body: "hello again"})
	if r, _ := s.Search(me, "p0@x", "hello", 10); len(r) != 1 || r[0].ID != m.ID {
		t.Fatalf("after re-adding: %v", bodies(r))
	}
	if err := s.DeleteAccount("nobody@x"); err != nil {
		t.Fatal(err)
	}
}

func TestReopenAndMigrationsIdempotent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for i := 0; i < 100; i++ {
		m := mustAdd(t, s, msg(bob, In, fmt.Sprint("persist ", i), t0.Add(time.Duration(i)*time.Second)))
		ids = append(ids, m.ID)
	}
	if err := s.AddRequest(me, Request{From: ann, Message: "hi"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveRoster(me, "v1", []byte("[]")); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := s.Add(msg(bob, In, "after close", t0)); !errors.Is(err, ErrClosed) {
		t.Fatalf("Add after Close: %v", err)
	}
	for round := 0; round < 3; round++ {
		s, err = Open(path)
		if err != nil {
			t.Fatalf("reopen %d: %v", round, err)
		}
		var v int
		s.w.QueryRow("PRAGMA user_version").Scan(&v)
		if v != schemaVersion {
			t.Fatalf("user_version %d", v)
		}
		ms, err := s.Latest(me, bob, 1000)
		if err != nil || len(ms) != 100+round {
			t.Fatalf("round %d: %d messages, %v", round, len(ms), err)
		}
		for i, id := range ids {
			if ms[i].ID != id {
				t.Fatalf("message %d has id %d, want %d", i, ms[i].ID, id)
			}
		}
		if r, _ := s.Search(me, bob, "persist", 1000); len(r) != 100 {
			t.Fatalf("search after reopen: %d", len(r))
		}
		if rs, _ := s.Requests(me); len(rs) != 1 {
			t.Fatal("requests lost")
		}
		if v, _, _ := s.LoadRoster(me); v != "v1" {
			t.Fatal("roster lost")
		}
		mustAdd(t, s, msg(bob, In, fmt.Sprint("round ", round), t0.Add(time.Hour)))
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	// A database from a newer schema is refused.
	s, _ = Open(path)
	s.w.Exec(fmt.Sprintf("PRAGMA user_version = %d", schemaVersion+1))
	s.Close()
	if s, err := Open(path); err == nil {
		s.Close()
		t.Fatal("opened a database with a newer schema")
	} else if !errors.Is(err, ErrNewerVersion) {
		t.Fatalf("newer schema: %v, want ErrNewerVersion", err)
	}
}

func TestConcurrent(t *testing.T) {
	s, _ := openTemp(t)
	const writers, per = 4, 15
	var wg sync.WaitGroup
	errc := make(chan error, 100)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < per; i++ {
				m := &Message{Account: me, Peer: fmt.Sprintf("p%d@x", w), Direction: Out, Body: "concurrent text", OriginID: fmt.Sprint(w, "-", i)}
				if err := s.Add(m); err != nil {
					errc <- err
					return
				}
				if err := s.SetState(m.ID, StateSent, ""); err != nil {
					errc <- err
					return
				}
			}
		}(w)
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < per; i++ {
				if _, err := s.Latest(me, fmt.Sprintf("p%d@x", w), 20); err != nil {
					errc <- err
					return
				}
				if _, err := s.Search(me, "", "concur", 5); err != nil {
					errc <- err
					return
				}
				if _, err := s.Conversations(me); err != nil {
					errc <- err
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	cs, _ := s.Conversations(me)
	total := 0
	for _, c := range cs {
		total += c.Count
	}
	if len(cs) != writers || total != writers*per {
		t.Fatalf("%d conversations, %d messages", len(cs), total)
	}
}

// TestReadsNotBlockedByWrite holds a write transaction open and checks that
// reads still complete.
func TestReadsNotBlockedByWrite(t *testing.T) {
	s, _ := openTemp(t)
	mustAdd(t, s, msg(bob, In, "before", t0))
	release := make(chan struct{})
	started := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- s.write(func(tx *sqlTx) error {
			if _, err := tx.Exec(`UPDATE messages SET body = 'changed'`); err != nil {
				return err
			}
			close(started)
			<-release
			return nil
		})
	}()
	<-started
	read := make(chan []Message, 1)
	go func() {
		ms, _ := s.Latest(me, bob, 10)
		read <- ms
	}()
	select {
	case ms := <-read:
		if len(ms) != 1 || ms[0].Body != "before" {
			t.Errorf("read during write: %v", bodies(ms))
		}
	case <-time.After(5 * time.Second):
		t.Error("read blocked by an open write transaction")
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if ms, _ := s.Latest(me, bob, 10); len(ms) != 1 || ms[0].Body != "changed" {
		t.Fatalf("after commit: %v", bodies(ms))
	}
}

func TestDefaultPath(t *testing.T) {
	p, err := DefaultPath()
	if err != nil {
		t.Skip("no home directory:", err)
	}
	if filepath.Base(p) != "history.db" || filepath.Base(filepath.Dir(p)) != "causerie" {
		t.Fatalf("DefaultPath = %q", p)
	}
	if runtime.GOOS == "linux" {
		t.Setenv("XDG_DATA_HOME", "/xdg/data")
		if p, _ := DefaultPath(); p != "/xdg/data/causerie/history.db" {
			t.Fatalf("with XDG_DATA_HOME: %q", p)
		}
		t.Setenv("XDG_DATA_HOME", "relative/ignored")
		t.Setenv("HOME", "/home/u")
		if p, _ := DefaultPath(); p != "/home/u/.local/share/causerie/history.db" {
			t.Fatalf("without XDG_DATA_HOME: %q", p)
		}
	}
}

func TestUnfinished(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Now()
	add := func(peer string, dir Direction, st State, body string, at time.Duration) *Message {
		m := &Message{Account: "me@x", Peer: peer, Direction: dir, Type: "chat", Body: body, OriginID: body, Sent: now.Add(at), State: st}
		if err := s.Add(m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	add("a@x", Out, StateSent, "sent", 2*time.Second)
	add("a@x", Out, StateAcked, "acked", time.Second)
	add("b@x", Out, StatePending, "pending", 0)
	add("b@x", In, StateReceived, "in", 0)
	add("b@x", Out, StateError, "failed", 3*time.Second)
	got, err := s.Unfinished("me@x")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Body != "pending" || got[1].Body != "sent" {
		t.Fatalf("unfinished: %+v", got)
	}
	if other, _ := s.Unfinished("other@x"); len(other) != 0 {
		t.Fatalf("other account: %+v", other)
	}
}

// TestCorrect: a corrected message has its new text, is marked, keeps its
// state and place, and is found by its new words only.
func TestCorrect(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	m := Message{Account: "me@x", Peer: "you@x", Direction: Out, Type: "chat", Body: "helo wrold",
		OriginID: "o1", Sent: time.Now(), State: StateAcked}
	if err := s.Add(&m); err != nil {
		t.Fatal(err)
	}
	if err := s.Correct(m.ID, "hello world", "<p>hello world</p>"); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(m.ID)
	if err != nil || got.Body != "hello world" || got.Rich != "<p>hello world</p>" || !got.Corrected || got.State != StateAcked {
		t.Fatalf("after correction: %+v %v", got, err)
	}
	if r, _ := s.Search("me@x", "", "wrold", 10); len(r) != 0 {
		t.Errorf("old words still found: %+v", r)
	}
	if r, _ := s.Search("me@x", "you@x", "world", 10); len(r) != 1 || r[0].ID != m.ID {
		t.Errorf("new words not found: %+v", r)
	}
	if err := s.Correct(99999, "x", ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown id: %v", err)
	}
}

// TestCorrectKeepsEdits: what a correction replaced stays readable, the
// original first; a message corrected over and over keeps its original
// and its latest versions only.
func TestCorrectKeepsEdits(t *testing.T) {
	s, _ := openTemp(t)
	m := mustAdd(t, s, &Message{Account: "me@x", Peer: "you@x", Direction: In, Type: "chat", Body: "v0", Sent: time.Now()})
	if e, err := s.Edits(m.ID); err != nil || len(e) != 0 {
		t.Fatalf("edits of an uncorrected message: %+v %v", e, err)
	}
	for i := 1; i <= 25; i++ {
		if err := s.Correct(m.ID, fmt.Sprintf("v%d", i), fmt.Sprintf("<p>v%d</p>", i)); err != nil {
			t.Fatal(err)
		}
	}
	edits, err := s.Edits(m.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range edits {
		got = append(got, e.Body)
		if e.Replaced.IsZero() {
			t.Errorf("%s: no time", e.Body)
		}
	}
	if want := "v0 v16 v17 v18 v19 v20 v21 v22 v23 v24"; strings.Join(got, " ") != want {
		t.Fatalf("edits %q, want %q", got, want)
	}
	if edits[1].Rich != "<p>v16</p>" {
		t.Errorf("rich of an edit: %q", edits[1].Rich)
	}
}

// TestLatestIn: LatestBy(In), the newest message the peer sent, however many of ours
// came after it; errors do not count.
func TestLatestIn(t *testing.T) {
	s, _ := openTemp(t)
	if _, ok, err := s.LatestBy(me, bob, In); ok || err != nil {
		t.Fatalf("empty conversation: %v %v", ok, err)
	}
	theirs := mustAdd(t, s, msg(bob, In, "theirs", t0))
	for i := range 30 {
		mustAdd(t, s, msg(bob, Out, fmt.Sprint("ours ", i), t0.Add(time.Duration(i+1)*time.Second)))
	}
	e := msg(bob, In, "an error", t0.Add(time.Hour))
	e.Type = "error"
	mustAdd(t, s, e)
	got, ok, err := s.LatestBy(me, bob, In)
	if err != nil || !ok || got.ID != theirs.ID || got.Peer != bob || got.Account != me {
		t.Fatalf("LatestBy: %+v %v %v", got, ok, err)
	}
}

// TestCommitBurst: a burst stored in one transaction behaves like Adds
// one by one: in order, duplicates of stored messages and of earlier ones
// in the burst reported, a new conversation created once; its state
// changes only move forward; an invalid message stores nothing.
func TestCommitBurst(t *testing.T) {
	s, _ := openTemp(t)
	stored := msg("old@x", In, "déjà là", t0)
	stored.OriginID = "o0"
	mustAdd(t, s, stored)
	ms := []*Message{
		{Account: me, Peer: "new@x", Direction: In, Type: "chat", Body: "un", OriginID: "o1", Sent: t0.Add(time.Second)},
		{Account: me, Peer: "old@x", Direction: In, Type: "chat", Body: "déjà là", OriginID: "o0", Sent: t0},
		{Account: me, Peer: "new@x", Direction: In, Type: "chat", Body: "deux", OriginID: "o2", Sent: t0.Add(2 * time.Second)},
		{Account: me, Peer: "new@x", Direction: In, Type: "chat", Body: "un", OriginID: "o1", Sent: t0.Add(time.Second)},
	}
	out := &Message{Account: me, Peer: "old@x", Direction: Out, Body: "envoyé", State: StatePending}
	mustAdd(t, s, out)
	failed := &Message{Account: me, Peer: "old@x", Direction: Out, Body: "échoué", State: StateError}
	mustAdd(t, s, failed)
	b := &Burst{Adds: ms, Moves: []Move{
		{ID: out.ID, State: StateDelivered},
		{ID: out.ID, State: StateAcked}, // backwards: ignored
		{ID: failed.ID, State: StateDelivered},
	}}
	if err := s.Commit(b); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(b.Dup, []bool{false, true, false, true}) {
		t.Fatalf("dup = %v", b.Dup)
	}
	if !slices.Equal(b.Moved, []bool{true, false, true}) {
		t.Fatalf("moved = %v", b.Moved)
	}
	if got, _ := s.Get(out.ID); got.State != StateDelivered {
		t.Fatalf("state %v", got.State)
	}
	// A receipt for a failed message: it got there (another device of
	// the recipient's took it while a dying session's copy bounced).
	if got, _ := s.Get(failed.ID); got.State != StateDelivered || got.Error != "" {
		t.Fatalf("a failed message confirmed: %v %q", got.State, got.Error)
	}
	// A late bounce does not undo a confirmation; it does fail a message
	// the server only acknowledged.
	if ch, err := s.Advance(Move{ID: out.ID, State: StateError, Reason: "late"}); ch || err != nil {
		t.Fatalf("Advance to error after delivery: %v, %v", ch, err)
	}
	acked := &Message{Account: me, Peer: "old@x", Direction: Out, Body: "pas arrivé", State: StateAcked}
	mustAdd(t, s, acked)
	if ch, err := s.Advance(Move{ID: acked.ID, State: StateError, Reason: "service-unavailable"}); !ch || err != nil {
		t.Fatalf("Advance to error: %v, %v", ch, err)
	}
	if ch, _ := s.Advance(Move{ID: acked.ID, State: StateAcked}); ch {
		t.Fatal("an ack moved a failed message back")
	}
	// State.Advances says what Advance does, for every pair.
	for from := StatePending; from <= StateRead; from++ {
		for to := StatePending; to <= StateRead; to++ {
			m := &Message{Account: me, Peer: "old@x", Direction: Out, Body: "états", State: from}
			mustAdd(t, s, m)
			if ch, err := s.Advance(Move{ID: m.ID, State: to}); err != nil || ch != from.Advances(to) {
				t.Errorf("%v → %v: Advance moved %v (%v), Advances says %v", from, to, ch, err, from.Advances(to))
			}
		}
	}
	if ms[1].ID != stored.ID || ms[3].ID != ms[0].ID || ms[0].ID == 0 || ms[2].ID <= ms[0].ID {
		t.Fatalf("ids %d %d %d %d (stored %d)", ms[0].ID, ms[1].ID, ms[2].ID, ms[3].ID, stored.ID)
	}
	if got, _ := s.Latest(me, "new@x", 10); !slices.Equal(bodies(got), []string{"un", "deux"}) {
		t.Fatalf("new@x: %q", bodies(got))
	}
	if res, _ := s.Search(me, "new@x", "deux", 5); len(res) != 1 {
		t.Fatalf("search: %q", bodies(res))
	}
	// The new conversation is usable by the next Add (cached or not).
	mustAdd(t, s, &Message{Account: me, Peer: "new@x", Direction: Out, Body: "trois", Sent: t0.Add(3 * time.Second)})
	if cs, _ := s.Conversations(me); len(cs) != 2 || cs[0].Count != 3 && cs[1].Count != 3 {
		t.Fatalf("conversations %+v", cs)
	}

	bad := []*Message{
		{Account: me, Peer: "other@x", Direction: In, Body: "perdu ?", Sent: t0},
		{Account: me, Peer: "other@x", Direction: 7, Body: "invalide"},
	}
	if err := s.Commit(&Burst{Adds: bad}); err == nil {
		t.Fatal("Commit took an invalid message")
	}
	if got, _ := s.Latest(me, "other@x", 10); len(got) != 0 {
		t.Fatalf("stored from a refused batch: %q", bodies(got))
	}
	s.Close()
	if err := s.Commit(&Burst{Adds: ms[:1]}); !errors.Is(err, ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}
}

// TestMigrationsAllOrNothing: the missing migrations run in one
// transaction, so one that fails leaves the database at its old version,
// and opening it again retries them all.
func TestMigrationsAllOrNothing(t *testing.T) {
	s, path := openTemp(t)
	mustAdd(t, s, msg(bob, In, "kept", t0))
	for _, q := range append(undoWireID, "PRAGMA user_version = 6") {
		if _, err := s.w.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	saved := migrations[8]
	migrations[8] = script(`SELECT no_such_function()`)
	_, err := Open(path)
	migrations[8] = saved
	if err == nil || !strings.Contains(err.Error(), "migration 9") {
		t.Fatalf("failing migration: %v", err)
	}
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	var v, wire int
	db.QueryRow("PRAGMA user_version").Scan(&v)
	db.QueryRow("SELECT COUNT(*) FROM pragma_table_info('messages') WHERE name = 'wire_id'").Scan(&wire)
	db.Close()
	if v != 6 || wire != 0 {
		t.Fatalf("after a failed migration 9: user_version %d, wire_id column %d (want 6, 0: migrations 7 and 8 undone)", v, wire)
	}
	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if ms, _ := s.Latest(me, bob, 10); len(ms) != 1 || ms[0].Body != "kept" {
		t.Fatalf("messages after migrating: %v", bodies(ms))
	}
}

// TestFindWireUsesIndex: the lookup of a message by its id attribute
// goes through the messages_wire_id index, not a scan of the
// conversation (which made every message without origin-id cost more as
// the conversation grew).
func TestFindWireUsesIndex(t *testing.T) {
	s, _ := openTemp(t)
	plan := queryPlan(t, s, findWireSQL, 1, In, "x", "r", "b", "")
	if len(plan) == 0 || !strings.Contains(plan[0], "messages_wire_id") {
		t.Errorf("plan: %q", plan)
	}
}

// TestFindByIDUsesIndexes: finding a message by the id a receipt, a
// correction or a marker names goes through the id indexes, never
// through the whole conversation.
func TestFindByIDUsesIndexes(t *testing.T) {
	s, _ := openTemp(t)
	plan := queryPlan(t, s, `SELECT id FROM messages WHERE id = (`+byIDSQL+`)`, me, bob, In, "x")
	all := strings.Join(plan, "\n")
	if !strings.Contains(all, "messages_origin_id") || !strings.Contains(all, "messages_wire_id") || strings.Contains(all, "messages_conv_sent") {
		t.Errorf("plan:\n%s", all)
	}
}

// queryPlan is SQLite's plan for query, one line a step.
func queryPlan(t *testing.T, s *Store, query string, args ...any) []string {
	t.Helper()
	rows, err := s.w.Query(`EXPLAIN QUERY PLAN `+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	return plan
}

// TestOccupantIDAndRoom: a room message keeps its sender's occupant id
// (XEP-0421); SetRoom marks a conversation a group chat's, and IsRoom
// says so.
func TestOccupantIDAndRoom(t *testing.T) {
	s, _ := openTemp(t)
	const room = "salon@conference.example.org"
	const quiet = "calme@conference.example.org"
	mustAdd(t, s, &Message{Account: me, Peer: room, Resource: "Bob", Direction: In, Type: "groupchat", Body: "un", OccupantID: "b0b="})
	mustAdd(t, s, &Message{Account: me, Peer: bob, Direction: In, Type: "chat", Body: "https://up.example/f.jpg", OOB: "https://up.example/f.jpg"})
	ms, err := s.Latest(me, room, 1)
	if err != nil || len(ms) != 1 || ms[0].OccupantID != "b0b=" {
		t.Fatalf("%v: %+v", err, ms)
	}
	if ms, err := s.Latest(me, bob, 1); err != nil || len(ms) != 1 || ms[0].OOB != "https://up.example/f.jpg" {
		t.Fatalf("a file's message: %v: %+v", err, ms)
	}
	for _, p := range []string{room, quiet} {
		if err := s.SetRoom(me, p); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		peer string
		want bool
	}{{room, true}, {quiet, true}, {bob, false}, {"nobody@example.org", false}} {
		if got, err := s.IsRoom(me, c.peer); err != nil || got != c.want {
			t.Errorf("IsRoom(%s) = %v, %v", c.peer, got, err)
		}
	}
	// A conversation made by SetRoom is not listed until it has a message.
	convs, _ := s.Conversations(me)
	for _, c := range convs {
		if c.Peer == quiet {
			t.Errorf("the quiet room is listed: %+v", c)
		}
	}
}

// TestMigrationMarksRooms: migration 13 marks the conversations that
// hold room messages as group chats.
func TestMigrationMarksRooms(t *testing.T) {
	s, path := openTemp(t)
	const room = "salon@conference.example.org"
	mustAdd(t, s, &Message{Account: me, Peer: room, Resource: "Bob", Direction: In, Type: "groupchat", Body: "un"})
	mustAdd(t, s, &Message{Account: me, Peer: bob, Direction: In, Type: "chat", Body: "deux"})
	s = reopenAt(t, s, path, 12, undo19[0], undo19[1], `ALTER TABLE messages DROP COLUMN retracted`, `DROP TABLE reactions`, `DROP INDEX messages_out_stanza_id`, `ALTER TABLE messages DROP COLUMN reply_id`, `ALTER TABLE messages DROP COLUMN reply_to`,
		`ALTER TABLE messages DROP COLUMN reply_quote`, `ALTER TABLE messages DROP COLUMN file`, `ALTER TABLE messages DROP COLUMN file_size`, `ALTER TABLE messages DROP COLUMN occupant`, `ALTER TABLE messages DROP COLUMN oob`, `ALTER TABLE conversations DROP COLUMN room`)
	for peer, want := range map[string]bool{room: true, bob: false} {
		if got, err := s.IsRoom(me, peer); err != nil || got != want {
			t.Errorf("IsRoom(%s) = %v, %v", peer, got, err)
		}
	}
}

// A refetchable burst (an archive page) is committed without waiting for
// the disk, and the next write waits again; a burst's messages count once
// each in their conversation, whose latest is the latest sent (ties: the
// later stored), as if added one by one.
func TestRefetchableBurst(t *testing.T) {
	s, _ := openTemp(t)
	sync := func() int {
		var n int
		if err := s.w.QueryRow("PRAGMA synchronous").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	mustAdd(t, s, msg("bob@x", In, "avant", t0.Add(2*time.Second)))
	if n := sync(); n != 2 {
		t.Fatalf("synchronous = %d after Add, want 2 (FULL)", n)
	}
	page := []*Message{
		{Account: me, Peer: "bob@x", Direction: In, Type: "chat", Body: "un", StanzaID: "s1", Sent: t0.Add(time.Second)},
		{Account: me, Peer: "carol@x", Direction: In, Type: "chat", Body: "c", StanzaID: "s2", Sent: t0},
		{Account: me, Peer: "bob@x", Direction: In, Type: "chat", Body: "trois", StanzaID: "s3", Sent: t0.Add(3 * time.Second)},
		{Account: me, Peer: "bob@x", Direction: In, Type: "chat", Body: "quatre", StanzaID: "s4", Sent: t0.Add(3 * time.Second)},
		{Account: me, Peer: "bob@x", Direction: In, Type: "chat", Body: "deux", StanzaID: "s5", Sent: t0.Add(2 * time.Second)},
		{Account: me, Peer: "bob@x", Direction: In, Type: "chat", Body: "un", StanzaID: "s1", Sent: t0.Add(time.Second)},
	}
	if err := s.Commit(&Burst{Adds: page, Refetchable: true}); err != nil {
		t.Fatal(err)
	}
	if n := sync(); n != 1 {
		t.Fatalf("synchronous = %d after a refetchable burst, want 1 (NORMAL)", n)
	}
	if err := s.Commit(&Burst{Adds: []*Message{{Account: me, Peer: "dan@x", Direction: In, Body: "d", StanzaID: "s6", Sent: t0}}, Refetchable: true}); err != nil {
		t.Fatal(err)
	}
	mustAdd(t, s, msg("eve@x", In, "après", t0))
	if n := sync(); n != 2 {
		t.Fatalf("synchronous = %d after Add, want 2 (FULL)", n)
	}
	convs, err := s.Conversations(me)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, c := range convs {
		got[c.Peer] = fmt.Sprintf("%d %s", c.Count, c.Last.Body)
	}
	want := map[string]string{"bob@x": "5 quatre", "carol@x": "1 c", "dan@x": "1 d", "eve@x": "1 après"}
	if !maps.Equal(got, want) {
		t.Fatalf("conversations %v, want %v", got, want)
	}
	if res, _ := s.Search(me, "bob@x", "trois", 5); len(res) != 1 {
		t.Fatalf("search: %d results", len(res))
	}
}

// A file's local copy and size are kept with its message: set when it
// is stored (a file we sent), or later (a downloaded copy), and forgotten.
func TestFileOfMessage(t *testing.T) {
	s, _ := openTemp(t)
	sent := &Message{Account: me, Peer: bob, Direction: Out, Body: "https://up/x/a.png", OOB: "https://up/x/a.png",
		File: "/home/me/a.png", FileSize: 1234, State: StatePending}
	mustAdd(t, s, sent)
	got := mustAdd(t, s, &Message{Account: me, Peer: bob, Direction: In, Body: "https://up/y/b.pdf", OOB: "https://up/y/b.pdf", Sent: t0})
	if err := s.SetFile(got.ID, "/home/me/Téléchargements/b (1).pdf", 99); err != nil {
		t.Fatal(err)
	}
	ms, _ := s.Latest(me, bob, 5)
	files := map[string]string{}
	for _, m := range ms {
		files[m.OOB] = fmt.Sprintf("%s %d", m.File, m.FileSize)
	}
	want := map[string]string{"https://up/x/a.png": "/home/me/a.png 1234", "https://up/y/b.pdf": "/home/me/Téléchargements/b (1).pdf 99"}
	if !maps.Equal(files, want) {
		t.Fatalf("files %v, want %v", files, want)
	}
	if err := s.SetFile(got.ID, "", 0); err != nil {
		t.Fatal(err)
	}
	if m, _ := s.Get(got.ID); m.File != "" || m.FileSize != 0 {
		t.Fatalf("forgotten copy: %q %d", m.File, m.FileSize)
	}
	if err := s.SetFile(99999, "x", 1); !errors.Is(err, ErrNotFound) {
		t.Fatalf("SetFile of no message: %v", err)
	}
}

// A file is found by its name, not by its address; files stored before
// names were indexed are found too once the database is opened.
func TestFileFoundByName(t *testing.T) {
	s, path := openTemp(t)
	u := "https://upload.example.org/file_share/Xy1/contrat%20sign%C3%A9.pdf"
	m := mustAdd(t, s, &Message{Account: me, Peer: bob, Direction: In, Body: u, OOB: u, Sent: t0})
	note := "https://upload.example.org/file_share/Zz9/plan.png"
	mustAdd(t, s, &Message{Account: me, Peer: bob, Direction: In, Body: "le plan : " + note, OOB: note, Sent: t0.Add(time.Second)})
	found := func(q string) []string {
		res, err := s.Search(me, "", q, 10)
		if err != nil {
			t.Fatal(err)
		}
		return bodies(res)
	}
	if got := found("contrat signe"); len(got) != 1 || got[0] != u {
		t.Fatalf("by its name: %q", got)
	}
	if got := found("plan"); len(got) != 1 {
		t.Fatalf("a file with text, by its name: %q", got)
	}
	if got := found("file_share"); len(got) != 1 { // the one whose text says the address
		t.Fatalf("by the address: %q", got)
	}
	// As migration 14 left it: the address indexed, not the name.
	var chrono int64
	s.w.QueryRow(`SELECT chrono FROM messages WHERE id = ?`, m.ID).Scan(&chrono)
	s = reopenAt(t, s, path, 14, undo19[0], undo19[1], `ALTER TABLE messages DROP COLUMN retracted`, `DROP TABLE reactions`, `DROP INDEX messages_out_stanza_id`, `ALTER TABLE messages DROP COLUMN reply_id`, `ALTER TABLE messages DROP COLUMN reply_to`,
		`ALTER TABLE messages DROP COLUMN reply_quote`, fmt.Sprintf(`DELETE FROM messages_fts WHERE rowid = %d`, chrono),
		fmt.Sprintf(`INSERT INTO messages_fts(rowid, body, subject, conv) SELECT %d, '%s', '', 'a' || c.account_id || ' c' || c.id FROM conversations c WHERE c.id = (SELECT conv FROM messages WHERE id = %d)`, chrono, u, m.ID))
	if got := found("signe"); len(got) != 1 || got[0] != u {
		t.Fatalf("after the migration: %q", got)
	}
}

// TestEncryptionKept: how a message came encrypted, and why one could not
// be read, are kept and read back, in the conversation and the Chats
// list's latest message.
func TestEncryptionKept(t *testing.T) {
	s, _ := openTemp(t)
	mustAdd(t, s, &Message{Account: me, Peer: bob, Direction: In, Body: "secret", Encryption: OMEMO})
	mustAdd(t, s, &Message{Account: me, Peer: bob, Direction: In, Encryption: OMEMO, Undecrypted: "not-for-device"})
	ms, err := s.Latest(me, bob, 10)
	if err != nil || len(ms) != 2 {
		t.Fatalf("%v %v", ms, err)
	}
	if ms[0].Encryption != OMEMO || ms[0].Body != "secret" || ms[1].Undecrypted != "not-for-device" || ms[1].Body != "" {
		t.Fatalf("read back: %+v", ms)
	}
	cs, err := s.Conversations(me)
	if err != nil || len(cs) != 1 || cs[0].Last.Undecrypted == "" || cs[0].Last.Encryption != OMEMO {
		t.Fatalf("conversations: %+v %v", cs, err)
	}
}
