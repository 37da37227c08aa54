// Package mds keeps the unread counts of the account's devices in step
// (XEP-0490: Message Displayed Synchronization, protocol in
// core/xmpp/mds): when the user reads a chat here, how far is published
// to the account's private PEP node; when another device publishes, the
// chat counts as read here up to that message (core.ReadElsewhere).
//
// After each sign-in the node is read whole (what other devices read
// while we were away). An item may name a message the archive catch-up
// has not stored yet: it is tried again a few times on that connection.
// Only one-to-one chats are synchronised for now (items by our own
// server's stanza-ids); rooms will join with group chat.
package mds

import (
	"context"
	"sync"
	"time"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/xmpp"
	wire "github.com/causerie/causerie/core/xmpp/mds"
	"gosrc.io/xmpp/stanza"
)

// Feature plugs displayed-state synchronisation into a client's sessions
// (core.Options.Features). It asks for the node's notifications in our
// caps (+notify).
var Feature = &core.Feature{Name: "mds", Disco: []string{wire.NSNotify}, Attach: attach}

// Sync is one session's displayed-state synchronisation.
type Sync struct {
	h *core.Hook

	mu        sync.Mutex
	published map[string]string // chat → the stanza-id published last
}

// Of is the synchronisation of s, or nil when s's client was made
// without Feature.
func Of(s *core.Session) *Sync {
	y, _ := s.Feature(Feature).(*Sync)
	return y
}

// retryAfter is how long an item that names a message not stored yet
// waits before each new try (the catch-up may still be storing it).
var retryAfter = []time.Duration{2 * time.Second, 10 * time.Second, 30 * time.Second}

// timeout bounds a publication or the node's reading.
const timeout = 30 * time.Second

func attach(h *core.Hook) any {
	y := &Sync{h: h, published: map[string]string{}}
	h.HandleMessage(y.message)
	h.OnPresent(y.catchUp)
	return y
}

// message takes the node's notifications from our own account.
func (y *Sync) message(_ *xmpp.Conn, m *stanza.Message) bool {
	items, ok := wire.FromEvent(m, y.h.Account())
	if !ok {
		return false
	}
	// Not on the reader goroutine: it writes to the history.
	go y.apply(items)
	return true
}

// catchUp reads the node after a sign-in and applies it, trying again
// what names messages not stored yet.
func (y *Sync) catchUp(conn *xmpp.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	items, err := wire.Fetch(ctx, conn)
	cancel()
	if err != nil {
		if conn.Err() == nil {
			y.h.Logf("mds: reading what other devices read failed: %v", err)
		}
		return
	}
	for _, wait := range retryAfter {
		if items = y.apply(items); len(items) == 0 {
			return
		}
		select {
		case <-conn.Done():
			return
		case <-time.After(wait):
		}
	}
	y.apply(items)
}

// apply marks each chat read up to its item; it returns the items whose
// message is not stored (yet).
func (y *Sync) apply(items map[string]wire.Displayed) map[string]wire.Displayed {
	me := y.h.Account()
	store := y.h.History()
	left := map[string]wire.Displayed{}
	for chat, d := range items {
		if d.By != me {
			continue // a room's (its own stanza-ids): not yet
		}
		found, moved, err := store.MarkReadUpToStanzaID(me, chat, d.StanzaID)
		switch {
		case err != nil:
			continue
		case !found:
			left[chat] = d
		case moved:
			y.h.Publish(core.ReadElsewhere{Account: me, Peer: chat})
		}
		y.mu.Lock()
		y.published[chat] = d.StanzaID // what the node holds
		y.mu.Unlock()
	}
	return left
}

// Displayed publishes that the user has read the chat with peer up to its
// newest message from peer (that our server gave a stanza-id), unless
// that was published already. It blocks on the network: call it off the
// GUI's goroutine. Offline it does nothing: the next read publishes.
func (y *Sync) Displayed(peer string) error {
	me := y.h.Account()
	peer = xmpp.BareJID(peer)
	last, ok, err := y.h.History().LatestBy(me, peer, history.In)
	if err != nil || !ok || last.StanzaID == "" {
		return err
	}
	y.mu.Lock()
	told := y.published[peer] == last.StanzaID
	y.mu.Unlock()
	if told {
		return nil
	}
	conn, err := y.h.Conn()
	if err != nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := wire.Publish(ctx, conn, peer, wire.Displayed{StanzaID: last.StanzaID, By: me}); err != nil {
		return err
	}
	y.mu.Lock()
	y.published[peer] = last.StanzaID
	y.mu.Unlock()
	return nil
}
