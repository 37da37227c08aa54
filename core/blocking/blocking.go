// Package blocking keeps an account's block list (XEP-0191: Blocking
// Command) as a feature on core's session hook: the server drops
// everything from the addresses on the list and tells them we are
// unavailable. The list is fetched at each sign-in, before our first
// presence (a server without blocking answers with an error), and kept in
// sync by the pushes the server sends to every session that fetched it,
// so a change made by another of our clients shows here too.
//
// A client gets it with core.Options{Features: []*core.Feature{
// blocking.Feature}}; Of gives a session's list. The protocol is in
// core/xmpp/blocking.
package blocking

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/xmpp"
	wire "github.com/causerie/causerie/core/xmpp/blocking"
)

// Feature plugs the block list into a client's sessions.
var Feature = &core.Feature{Name: "blocking", Attach: attach}

// Changed: the block list was fetched or changed (here or from another of
// our clients); Blocked is the whole list after the change.
type Changed struct {
	core.FeatureEvent
	Blocked []string
}

// List is one session's block list.
type List struct {
	h *core.Hook

	mu    sync.Mutex
	list  []string
	known bool       // list was fetched at least once
	conn  *xmpp.Conn // list is in sync on this connection (pushes come to it)
	// fetching: a fetch is in flight on this connection; pushes arriving
	// meanwhile (all after its result, in wire order) wait in pending.
	fetching *xmpp.Conn
	pending  []wire.Push
}

// Of is the block list of s, or nil when s's client was made without
// Feature.
func Of(s *core.Session) *List {
	l, _ := s.Feature(Feature).(*List)
	return l
}

// fetchTimeout bounds the fetch at sign-in.
const fetchTimeout = 30 * time.Second

func attach(h *core.Hook) any {
	l := &List{h: h}
	push := wire.Handler(l.apply)
	h.HandleIQ(wire.NS, wire.KindBlock, push)
	h.HandleIQ(wire.NS, wire.KindUnblock, push)
	h.OnOnline(func(ctx context.Context, conn *xmpp.Conn) {
		// Asked at once rather than after a disco#info round trip: a
		// server without blocking answers with an error, and the
		// sign-in is not delayed.
		ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
		defer cancel()
		_, err := l.fetch(ctx, conn)
		var se *xmpp.StanzaError
		if err != nil && !errors.As(err, &se) && !errors.Is(err, xmpp.ErrClosed) && ctx.Err() == nil {
			h.Logf("block list: %v", err)
		}
	})
	return l
}

// Supported asks the server (XEP-0030) whether it offers blocking.
func (l *List) Supported(ctx context.Context) (bool, error) {
	conn, err := l.h.Conn()
	if err != nil {
		return false, err
	}
	info, err := l.h.ServerInfo(ctx, conn)
	if err != nil {
		return false, err
	}
	return wire.Supported(info), nil
}

// Blocked returns the blocked addresses (bare or full JIDs, or domains),
// from the copy kept in sync when there is one.
func (l *List) Blocked(ctx context.Context) ([]string, error) {
	conn, err := l.h.Conn()
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	if l.conn == conn {
		list := slices.Clone(l.list)
		l.mu.Unlock()
		return list, nil
	}
	l.mu.Unlock()
	return l.fetch(ctx, conn)
}

// Block adds addresses to the block list (a bare JID blocks every
// resource, a domain everyone there).
func (l *List) Block(ctx context.Context, jids ...string) error {
	return l.change(ctx, true, jids)
}

// Unblock removes addresses from the block list. Without any, it
// unblocks everyone (XEP-0191 §3.5).
func (l *List) Unblock(ctx context.Context, jids ...string) error {
	return l.change(ctx, false, jids)
}

func (l *List) fetch(ctx context.Context, conn *xmpp.Conn) ([]string, error) {
	l.mu.Lock()
	l.fetching, l.pending = conn, nil
	l.mu.Unlock()
	list, err := wire.List(ctx, conn)
	l.mu.Lock()
	if err != nil {
		if l.fetching == conn {
			l.fetching, l.pending = nil, nil
		}
		l.mu.Unlock()
		return nil, err
	}
	for _, p := range l.pending {
		list = wire.Apply(list, p)
	}
	changed := !l.known || !slices.Equal(list, l.list)
	l.list, l.known, l.conn = list, true, conn
	l.fetching, l.pending = nil, nil
	out := slices.Clone(list)
	l.mu.Unlock()
	if changed {
		l.publish(out)
	}
	return out, nil
}

func (l *List) change(ctx context.Context, block bool, jids []string) error {
	conn, err := l.h.Conn()
	if err != nil {
		return err
	}
	jids, err = clean(jids)
	if err != nil {
		return err
	}
	if block {
		err = wire.Block(ctx, conn, jids...)
	} else {
		err = wire.Unblock(ctx, conn, jids...)
	}
	if err != nil {
		return err
	}
	// The server's push says the same; applying twice changes nothing.
	l.apply(conn, wire.Push{Block: block, JIDs: jids})
	return nil
}

// clean trims and checks the addresses to block or unblock.
func clean(jids []string) ([]string, error) {
	out := make([]string, 0, len(jids))
	for _, j := range jids {
		j = strings.TrimSpace(j)
		if err := core.ValidateJID(j); err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, nil
}

// apply applies a change (a push, or our own) to the list kept for conn.
func (l *List) apply(conn *xmpp.Conn, p wire.Push) {
	l.mu.Lock()
	switch conn {
	case l.conn:
	case l.fetching:
		l.pending = append(l.pending, p)
		l.mu.Unlock()
		return
	default:
		l.mu.Unlock()
		return
	}
	list := wire.Apply(l.list, p)
	changed := !slices.Equal(list, l.list)
	l.list = list
	l.mu.Unlock()
	if changed {
		l.publish(slices.Clone(list))
	}
}

func (l *List) publish(list []string) {
	l.h.Publish(Changed{FeatureEvent: core.FeatureEvent{Account: l.h.Account()}, Blocked: list})
}
