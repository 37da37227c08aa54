package core

import (
	"bytes"
	"testing"

	"github.com/causerie/causerie/internal/hostile"
)

// TestAvatarsOfRoster: the avatars of many JIDs come from memory where
// known there, else from the history in one read that memory then keeps,
// each under the JID as given (compared as a bare JID, as Avatar does); a
// JID known to have none, not known, or not an address is left out.
func TestAvatarsOfRoster(t *testing.T) {
	c, _ := offlineSession(t)
	stored := []byte("\x89PNG stored")
	if err := c.store.SaveAvatar("bob@example.org", "h-bob", stored); err != nil {
		t.Fatal(err)
	}
	if err := c.store.SaveAvatar("ann@example.org", "", nil); err != nil {
		t.Fatal(err)
	}
	c.setAvatar("carol@example.org", "h-carol", hostile.PNG(10, 10))
	carol, _ := c.avatar("carol@example.org")

	got := c.Avatars([]string{"Bob@example.org", "bob@example.org/phone", "ann@example.org", "carol@example.org", "eve@example.org", "bad@@example.org", ""})
	if len(got) != 3 || !bytes.Equal(got["Bob@example.org"], stored) || !bytes.Equal(got["bob@example.org/phone"], stored) ||
		!bytes.Equal(got["carol@example.org"], carol.data) {
		t.Fatalf("Avatars = %d entries: %q", len(got), got)
	}
	// Memory keeps what was read: a later change in the database alone
	// (never made so) is not seen.
	if err := c.store.SaveAvatar("bob@example.org", "h-other", []byte("other")); err != nil {
		t.Fatal(err)
	}
	if e, ok := c.avatar("bob@example.org"); !ok || e.hash != "h-bob" {
		t.Fatalf("bob's avatar not kept in memory: %+v %v", e, ok)
	}
	if e, ok := c.avatar("ann@example.org"); !ok || e.hash != "" || e.data != nil {
		t.Fatalf("ann known without avatar: %+v %v", e, ok)
	}
	// What is returned is a copy.
	got["Bob@example.org"][0] = 'X'
	if again := c.Avatars([]string{"bob@example.org"}); !bytes.Equal(again["bob@example.org"], stored) {
		t.Fatalf("the cache was changed through a returned image: %q", again)
	}
}
