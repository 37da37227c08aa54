package core

import (
	"slices"
	"testing"
)

// TestRosterReplaceNormalises: items from the server or from a cache
// written before the JID type are keyed by their RFC 7622 bare JID, the
// key messages and presence use; an item that is not an address is
// dropped.
func TestRosterReplaceNormalises(t *testing.T) {
	r := NewRoster()
	r.replace([]Contact{
		{JID: "Alice@Example.ORG", Name: "Alice", InRoster: true},
		{JID: "ｊｅａｎ@example.org", Name: "Jean", InRoster: true},
		{JID: "e\u0301lodie@example.org", Name: "Élodie", InRoster: true},
		{JID: "bad@@example.org", Name: "Bad", InRoster: true},
		{JID: "", Name: "Empty", InRoster: true},
	}, "v1")
	var jids []string
	for _, c := range r.Contacts() {
		jids = append(jids, c.JID)
	}
	slices.Sort(jids)
	want := []string{"alice@example.org", "jean@example.org", "\u00e9lodie@example.org"}
	if !slices.Equal(jids, want) {
		t.Fatalf("roster keys %q, want %q", jids, want)
	}
	if removed := r.replace([]Contact{{JID: "alice@example.org", InRoster: true}}, "v2"); len(removed) != 2 {
		t.Fatalf("removed %q, want Jean and Élodie", removed)
	}
}

// TestSortContacts: availability first (chat, available, away, dnd, xa,
// then offline and any show not known, together), then the display name
// without regard to case, then the JID. Each pair is placed so that a
// different rule would order it otherwise.
func TestSortContacts(t *testing.T) {
	on := func(jid, name string, show Show) Contact {
		return Contact{JID: jid, Name: name, Resources: []Resource{{Name: "r", Show: show}}}
	}
	cs := []Contact{
		{JID: "zoe@x", Name: "Zoé"},
		on("odd@x", "Olga", Show("invisible")), // with the offline, by name
		on("xa@x", "Albert", ShowXA),           // after dnd, though its name comes first
		{JID: "bob@x"},                         // no name: its JID is its name
		on("dnd@x", "Dora", ShowDND),
		on("a@x", "same", ShowChat), // equal names but for case: by JID
		on("b@x", "Same", ShowChat),
		on("away@x", "alice", ShowAway),
		on("ann@x", "ann", ShowAvailable),
		on("Al@x", "Al", ShowAvailable),
		{JID: "carl@x", Name: "carl"},
		{JID: "nina@x", Name: "Nina"},
	}
	SortContacts(cs)
	var got []string
	for _, c := range cs {
		got = append(got, c.JID)
	}
	want := []string{"a@x", "b@x", "Al@x", "ann@x", "away@x", "dnd@x", "xa@x", "bob@x", "carl@x", "nina@x", "odd@x", "zoe@x"}
	if !slices.Equal(got, want) {
		t.Errorf("order %q\nwant  %q", got, want)
	}
}
