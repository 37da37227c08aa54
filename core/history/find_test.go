package history

import (
	"fmt"
	"testing"
	"time"
)

// TestFind: every account, a conversation, a date range, and a corrected
// message found by its latest text only.
func TestFind(t *testing.T) {
	s, _ := openTemp(t)
	const alt = "alt@example.org"
	day := 24 * time.Hour
	mustAdd(t, s, msg(bob, In, "meeting one", t0))
	mustAdd(t, s, msg(ann, In, "meeting two", t0.Add(day)))
	mustAdd(t, s, &Message{Account: alt, Peer: bob, Direction: In, Body: "meeting three", Sent: t0.Add(2 * day)})
	typo := mustAdd(t, s, msg(bob, Out, "meating four", t0.Add(3*day)))
	if err := s.Correct(typo.ID, "meeting four", ""); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		q    Query
		want []string
	}{
		{"all accounts", Query{Words: "meeting"}, []string{"meeting four", "meeting three", "meeting two", "meeting one"}},
		{"one account", Query{Words: "meeting", Account: alt}, []string{"meeting three"}},
		{"one conversation", Query{Words: "meeting", Account: me, Peer: bob}, []string{"meeting four", "meeting one"}},
		{"peer without account", Query{Words: "meeting", Peer: bob}, nil},
		{"since", Query{Words: "meeting", Since: t0.Add(day)}, []string{"meeting four", "meeting three", "meeting two"}},
		{"until", Query{Words: "meeting", Until: t0.Add(day)}, []string{"meeting one"}},
		{"range", Query{Words: "meeting", Since: t0.Add(day), Until: t0.Add(2*day + time.Millisecond)},
			[]string{"meeting three", "meeting two"}},
		{"empty range", Query{Words: "meeting", Since: t0.Add(day), Until: t0.Add(day)}, nil},
		{"range and conversation", Query{Words: "meeting", Account: me, Peer: bob, Since: t0.Add(time.Second)},
			[]string{"meeting four"}},
		{"corrected: the old text is gone", Query{Words: "meating"}, nil},
		{"limit", Query{Words: "meeting", Limit: 2}, []string{"meeting four", "meeting three"}},
	}
	for _, c := range cases {
		if c.q.Limit == 0 {
			c.q.Limit = 10
		}
		got, err := s.Find(c.q)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if fmt.Sprint(bodies(got)) != fmt.Sprint(c.want) {
			t.Errorf("%s: %q, want %q", c.name, bodies(got), c.want)
		}
	}
	got, _ := s.Find(Query{Words: "three", Limit: 1})
	if len(got) != 1 || got[0].Account != alt || got[0].Peer != bob {
		t.Fatalf("a result names its account and conversation: %+v", got)
	}
	for _, q := range hostileQueries {
		if _, err := s.Find(Query{Words: q, Limit: 5, Since: t0}); err != nil {
			t.Errorf("Find(%q): %v", q, err)
		}
	}
}

// TestAfter pages forward from a message, oldest first, ties by ID.
func TestAfter(t *testing.T) {
	s, _ := openTemp(t)
	var all []*Message
	for i := 0; i < 7; i++ {
		all = append(all, mustAdd(t, s, msg(bob, In, fmt.Sprint("m", i), t0.Add(time.Duration(i/2)*time.Second))))
	}
	mustAdd(t, s, msg(ann, In, "other", t0.Add(time.Second)))
	got, err := s.After(me, bob, *all[2], 3)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(bodies(got)) != "[m3 m4 m5]" {
		t.Fatalf("After m2: %v", bodies(got))
	}
	got, _ = s.After(me, bob, *all[6], 3)
	if len(got) != 0 {
		t.Fatalf("after the newest: %v", bodies(got))
	}
	if got, _ := s.After(me, "nobody@x", *all[0], 3); len(got) != 0 {
		t.Fatalf("unknown conversation: %v", bodies(got))
	}
}

func TestMatches(t *testing.T) {
	cases := []struct {
		text, q string
		want    []string
	}{
		{"Cet été on part à la mer", "ete mer", []string{"été", "mer"}},
		{"the meeting, then MEETINGS", "meet", []string{"meeting", "MEETINGS"}},
		{"meet me at the meeting", "meet noon", []string{"meet"}}, // only the last word is a prefix
		{"l'été: déjà?", "DEJA", []string{"déjà"}},
		{"e\u0301te\u0301 x", "ete", []string{"e\u0301te\u0301"}},
		{"nothing here", "zzz", nil},
		{"anything", "  ", nil},
		{"日本語のテキスト", "日本語のテキスト", []string{"日本語のテキスト"}},
	}
	for _, c := range cases {
		var got []string
		for _, r := range Matches(c.text, c.q) {
			got = append(got, c.text[r[0]:r[1]])
		}
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("Matches(%q, %q) = %q, want %q", c.text, c.q, got, c.want)
		}
	}
}

func FuzzMatches(f *testing.F) {
	f.Add("Cet été on part", "ete")
	f.Add("\xff\xfe e\u0301", "\u0301")
	f.Fuzz(func(t *testing.T, text, q string) {
		prev := 0
		for _, r := range Matches(text, q) {
			if r[0] < prev || r[1] <= r[0] || r[1] > len(text) {
				t.Fatalf("bad range %v after %d in %q", r, prev, text)
			}
			prev = r[1]
		}
	})
}

// TestReplyFields: what a message answers is kept with it, and the
// message a reply names is found by its stanza-id, origin-id or id
// attribute, in either direction.
func TestReplyFields(t *testing.T) {
	s, _ := openTemp(t)
	theirs := mustAdd(t, s, &Message{Account: me, Peer: bob, Direction: In, Body: "un gâteau ?", WireID: "w1", Sent: t0})
	room := mustAdd(t, s, &Message{Account: me, Peer: bob, Direction: In, Body: "in a room", StanzaID: "st1", OriginID: "o9", Sent: t0.Add(1)})
	ours := mustAdd(t, s, &Message{Account: me, Peer: bob, Direction: Out, Body: "oui", OriginID: "o1", Sent: t0.Add(2),
		ReplyID: "w1", ReplyTo: bob, ReplyQuote: "un gâteau ?"})
	got, err := s.Get(ours.ID)
	if err != nil || got.ReplyID != "w1" || got.ReplyTo != bob || got.ReplyQuote != "un gâteau ?" {
		t.Fatalf("read back: %+v %v", got, err)
	}
	for id, want := range map[string]int64{"w1": theirs.ID, "st1": room.ID, "o9": room.ID, "o1": ours.ID} {
		m, ok, err := s.FindReferenced(me, bob, id)
		if err != nil || !ok || m.ID != want {
			t.Errorf("FindReferenced(%q) = %d %v %v, want %d", id, m.ID, ok, err, want)
		}
	}
	for _, id := range []string{"", "nope"} {
		if _, ok, _ := s.FindReferenced(me, bob, id); ok {
			t.Errorf("FindReferenced(%q) found one", id)
		}
	}
	if _, ok, _ := s.FindReferenced(me, ann, "w1"); ok {
		t.Error("found in another conversation")
	}
	// A room gave our message its id (its reflection): found by it too,
	// set once.
	if _, err := s.Advance(Move{ID: ours.ID, State: StateDelivered, StanzaID: "room-7"}); err != nil {
		t.Fatal(err)
	}
	s.Advance(Move{ID: ours.ID, State: StateDelivered, StanzaID: "room-8"})
	if m, ok, _ := s.FindReferenced(me, bob, "room-7"); !ok || m.ID != ours.ID || m.StanzaID != "room-7" || m.State != StateDelivered {
		t.Errorf("by the room's id: %+v %v", m, ok)
	}
}

// TestReactions: each sender's set replaces their previous one unless
// that one was sent later; an empty set takes them back; reactions are
// kept by the id they name, whether or not that message is stored yet.
func TestReactions(t *testing.T) {
	s, _ := openTemp(t)
	mustAdd(t, s, msg(bob, In, "hello", t0))
	set := func(target, sender string, at time.Time, emojis ...string) bool {
		t.Helper()
		changed, err := s.SetReactions(me, bob, target, sender, emojis, at)
		if err != nil {
			t.Fatal(err)
		}
		return changed
	}
	if !set("m1", bob, t0.Add(time.Minute), "👋") || !set("m1", me, t0.Add(2*time.Minute), "👍", "❤️") {
		t.Fatal("not changed")
	}
	if set("m1", bob, t0.Add(time.Minute), "👋") {
		t.Fatal("the same set again changed something")
	}
	if set("m1", bob, t0, "😢") {
		t.Fatal("an older set replaced a newer one")
	}
	set("later", bob, t0, "🐢") // a message not stored yet
	got, err := s.Reactions(me, bob, []string{"m1", "later", "none"})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got["m1"][0].Sender, got["m1"][0].Emojis, got["m1"][1].Sender, got["m1"][1].Emojis) != fmt.Sprint(bob, []string{"👋"}, me, []string{"👍", "❤️"}) {
		t.Fatalf("m1: %+v", got["m1"])
	}
	if len(got["later"]) != 1 || len(got["none"]) != 0 {
		t.Fatalf("%+v", got)
	}
	if !set("m1", me, t0.Add(3*time.Minute)) {
		t.Fatal("taking back changed nothing")
	}
	got, _ = s.Reactions(me, bob, []string{"m1"})
	if len(got["m1"]) != 1 || got["m1"][0].Sender != bob {
		t.Fatalf("after taking back: %+v", got["m1"])
	}
	// No conversation: nothing kept, no error.
	if _, err := s.SetReactions(me, "nobody@x", "x", bob, []string{"👍"}, t0); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Reactions(me, "nobody@x", []string{"x"}); len(got) != 0 {
		t.Fatalf("%+v", got)
	}
	// Many targets at once.
	var many []string
	for i := 0; i < 1200; i++ {
		many = append(many, fmt.Sprint("t", i))
	}
	set("t1100", bob, t0, "🔥")
	if got, err := s.Reactions(me, bob, many); err != nil || len(got["t1100"]) != 1 {
		t.Fatalf("among 1,200: %+v %v", got["t1100"], err)
	}
}

// TestRetract: a message taken back loses its text, file and earlier
// versions, leaves the search, and stays as a tombstone; only when may
// says so; once.
func TestRetract(t *testing.T) {
	s, _ := openTemp(t)
	m := mustAdd(t, s, &Message{Account: me, Peer: bob, Direction: In, Body: "un secret bien gardé", OriginID: "o1", Sent: t0})
	if err := s.Correct(m.ID, "un secret mieux gardé", ""); err != nil {
		t.Fatal(err)
	}
	other := mustAdd(t, s, &Message{Account: me, Peer: bob, Direction: In, Body: "un autre secret", WireID: "w2", Sent: t0.Add(1)})
	if _, found, done, err := s.Retract(me, bob, "o1", func(Message) bool { return false }, false); err != nil || !found || done {
		t.Fatalf("refused: %v %v %v", found, done, err)
	}
	got, found, done, err := s.Retract(me, bob, "o1", func(m Message) bool { return m.Direction == In }, false)
	if err != nil || !found || !done || !got.Retracted || got.Body != "" || got.Corrected {
		t.Fatalf("retracted: %+v %v %v %v", got, found, done, err)
	}
	stored, _ := s.Get(m.ID)
	if !stored.Retracted || stored.Body != "" || stored.Corrected {
		t.Fatalf("stored %+v", stored)
	}
	if edits, _ := s.Edits(m.ID); len(edits) != 0 {
		t.Fatalf("earlier versions kept: %+v", edits)
	}
	if res, _ := s.Search(me, "", "secret", 10); len(res) != 1 || res[0].ID != other.ID {
		t.Fatalf("search finds %v", bodies(res))
	}
	if _, _, done, _ := s.Retract(me, bob, "o1", func(Message) bool { return true }, false); done {
		t.Fatal("retracted twice")
	}
	if _, found, _, _ := s.Retract(me, bob, "nope", func(Message) bool { return true }, false); found {
		t.Fatal("found a message that is not there")
	}
	// A correction never brings the text back.
	if err := s.Correct(m.ID, "revenu", ""); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Get(m.ID); got.Body != "" || !got.Retracted {
		t.Fatalf("after a correction: %+v", got)
	}

	// Someone gives their message the id of ours, later: ours is the one
	// taken back, the newest that the sender check accepts.
	mine := mustAdd(t, s, &Message{Account: me, Peer: bob, Direction: Out, Body: "à moi", OriginID: "dup", Sent: t0.Add(2)})
	theirs := mustAdd(t, s, &Message{Account: me, Peer: bob, Direction: In, Body: "à eux", WireID: "dup", Sent: t0.Add(3)})
	answer := mustAdd(t, s, &Message{Account: me, Peer: bob, Direction: In, Body: "réponse", ReplyID: "dup", ReplyQuote: "à moi", Sent: t0.Add(4)})
	got, _, done, err = s.Retract(me, bob, "dup", func(m Message) bool { return m.Direction == Out }, false)
	if err != nil || !done || got.ID != mine.ID {
		t.Fatalf("retracted %+v %v %v", got, done, err)
	}
	if m, _ := s.Get(theirs.ID); m.Retracted {
		t.Fatal("theirs taken back")
	}
	if m, _ := s.Get(answer.ID); m.ReplyQuote != "" || m.ReplyID != "dup" {
		t.Fatalf("the answer still quotes it: %+v", m)
	}
}
