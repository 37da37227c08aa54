package history

import (
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestMigrationRekeysJIDs builds a version-7 database the way the lower-
// casing keys filed it (full-width, decomposed and punycode addresses
// beside their normal forms) and checks what migration 8 makes of it.
func TestMigrationRekeysJIDs(t *testing.T) {
	const (
		wideMe  = "ｊｅａｎ@example.org"         // full-width localpart
		me      = "jean@example.org"         // its normal form
		decomp  = "e\u0301lodie@example.org" // e + combining acute
		elodie  = "\u00e9lodie@example.org"  // NFC
		puny    = "bob@xn--exmple-cua.org"   // A-label domain
		bob     = "bob@ex\u00e4mple.org"     // U-label
		alice   = "alice@example.org"        // ASCII: never touched
		wideBob = "ｂｏｂ@ex\u00e4mple.org"     // merges with bob under wideMe
	)
	path := filepath.Join(t.TempDir(), "h.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	add := func(account, peer string, dir Direction, body, origin string, min int) *Message {
		m := &Message{Account: account, Peer: peer, Direction: dir, Type: "chat", Body: body, OriginID: origin, Sent: at(min)}
		return mustAdd(t, s, m)
	}
	// Élodie under both account keys and both peer keys; "o1" is stored twice.
	add(me, elodie, In, "bonjour depuis le clavier normal", "o1", 1)
	add(me, elodie, Out, "réponse normale", "o4", 4)
	add(wideMe, decomp, In, "bonjour depuis le clavier normal", "o1", 1)
	add(wideMe, decomp, In, "pamplemousse décomposé", "o2", 2)
	add(wideMe, elodie, In, "troisième forme", "o3", 3)
	// Bob only under non-normal keys: renamed, not merged.
	add(me, puny, In, "punycode", "", 5)
	add(wideMe, wideBob, In, "large", "", 6)
	// Alice is ASCII: her conversation keeps its id.
	add(me, alice, In, "ascii", "", 7)
	aliceConv := convID(t, s, me, alice)
	if err := s.MarkRead(me, elodie); err != nil {
		t.Fatal(err)
	}
	if err := s.AddRequest(wideMe, Request{From: decomp, Message: "old", At: at(1)}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddRequest(me, Request{From: elodie, Message: "new", At: at(2)}); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveRoster(wideMe, "v1", []byte(`[]`)); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveAvatar(decomp, "h", []byte("png")); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveAvatar(alice, "h", []byte("png")); err != nil {
		t.Fatal(err)
	}
	s = reopenAt(t, s, path, 7, undoHidden...)
	var accounts []string
	rows, err := s.r.Query(`SELECT jid FROM accounts ORDER BY jid`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var j string
		rows.Scan(&j)
		accounts = append(accounts, j)
	}
	rows.Close()
	if !slices.Equal(accounts, []string{me}) {
		t.Fatalf("accounts after the migration: %q", accounts)
	}

	convs, err := s.Conversations(me)
	if err != nil {
		t.Fatal(err)
	}
	var peers []string
	for _, c := range convs {
		peers = append(peers, c.Peer)
	}
	slices.Sort(peers)
	if want := []string{alice, bob, elodie}; !slices.Equal(peers, want) {
		t.Fatalf("conversations %q, want %q", peers, want)
	}
	got, err := s.Latest(me, elodie, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"bonjour depuis le clavier normal", "pamplemousse décomposé", "troisième forme", "réponse normale"}
	if !slices.Equal(bodies(got), want) {
		t.Fatalf("Élodie's conversation: %q, want %q (o1 once)", bodies(got), want)
	}
	if got, _ := s.Latest(me, bob, 10); !slices.Equal(bodies(got), []string{"punycode", "large"}) {
		t.Fatalf("Bob's conversation: %q", bodies(got))
	}
	for _, c := range convs {
		if c.Peer == elodie && c.Count != 4 {
			t.Errorf("Élodie's count %d, want 4", c.Count)
		}
	}
	if id := convID(t, s, me, alice); id != aliceConv {
		t.Errorf("Alice's conversation changed id: %d → %d", aliceConv, id)
	}

	// The search index follows the moved messages, by conversation and by account.
	for _, q := range []struct{ peer, word, want string }{
		{elodie, "pamplemousse", "pamplemousse décomposé"},
		{elodie, "troisième", "troisième forme"},
		{bob, "large", "large"},
		{"", "pamplemousse", "pamplemousse décomposé"},
	} {
		res, err := s.Search(me, q.peer, q.word, 10)
		if err != nil || !slices.Equal(bodies(res), []string{q.want}) {
			t.Errorf("Search(%q, %q) = %q, %v; want %q", q.peer, q.word, bodies(res), err, q.want)
		}
	}
	if res, _ := s.Search(me, "", "bonjour", 10); len(res) != 1 {
		t.Errorf("the duplicate is still indexed: %q", bodies(res))
	}

	// Élodie was read under one key only: the merged conversation keeps
	// the messages of the other unread.
	if u, err := s.Unread(me); err != nil || u[elodie] != 2 || u[bob] != 2 || u[alice] != 1 {
		t.Errorf("unread %v, %v; want Élodie 2, Bob 2, Alice 1", u, err)
	}

	if reqs, err := s.Requests(me); err != nil || len(reqs) != 1 || reqs[0].From != elodie || reqs[0].Message != "new" {
		t.Errorf("requests %+v, %v; want Élodie's newest", reqs, err)
	}
	if ver, _, err := s.LoadRoster(me); err != nil || ver != "v1" {
		t.Errorf("roster cache %q, %v; want v1 under the normal key", ver, err)
	}
	if _, _, ok, _ := s.Avatar(decomp); ok {
		t.Error("the avatar under the decomposed key is still cached")
	}
	if _, _, ok, _ := s.Avatar(alice); !ok {
		t.Error("Alice's avatar was forgotten")
	}
}

func convID(t *testing.T, s *Store, account, peer string) int64 {
	t.Helper()
	var id int64
	err := s.r.QueryRow(`SELECT c.id FROM conversations c JOIN accounts a ON a.id = c.account_id
		WHERE a.jid = ? AND c.peer = ?`, account, peer).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
