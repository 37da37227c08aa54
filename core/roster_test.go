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
