package core

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/blocking"
	"gosrc.io/xmpp/stanza"
)

// Blocking (XEP-0191): the server drops everything from the addresses on
// the account's block list and tells them we are unavailable. The list is
// fetched at login (a server without blocking answers with an error), and
// kept in sync by the pushes the server sends to every session that
// fetched it.

// blockState is a session's copy of the block list.
type blockState struct {
	mu    sync.Mutex
	list  []string
	known bool       // list was fetched at least once
	conn  *xmpp.Conn // list is in sync on this connection (pushes come to it)
	// fetching: a fetch is in flight on this connection; pushes arriving
	// meanwhile (all after its result, in wire order) wait in pending.
	fetching *xmpp.Conn
	pending  []blocking.Push
}

// BlockingSupported asks the server (XEP-0030) whether it offers
// blocking.
func (s *Session) BlockingSupported(ctx context.Context) (bool, error) {
	conn, err := s.onlineConn()
	if err != nil {
		return false, err
	}
	info, err := s.serverInfo(ctx, conn)
	if err != nil {
		return false, err
	}
	return blocking.Supported(info), nil
}

// BlockList returns the blocked addresses (bare or full JIDs, or
// domains), from the copy kept in sync when there is one.
func (s *Session) BlockList(ctx context.Context) ([]string, error) {
	conn, err := s.onlineConn()
	if err != nil {
		return nil, err
	}
	s.blocks.mu.Lock()
	if s.blocks.conn == conn {
		list := slices.Clone(s.blocks.list)
		s.blocks.mu.Unlock()
		return list, nil
	}
	s.blocks.mu.Unlock()
	return s.fetchBlockList(ctx, conn)
}

func (s *Session) fetchBlockList(ctx context.Context, conn *xmpp.Conn) ([]string, error) {
	s.blocks.mu.Lock()
	s.blocks.fetching, s.blocks.pending = conn, nil
	s.blocks.mu.Unlock()
	list, err := blocking.List(ctx, conn)
	s.blocks.mu.Lock()
	if err != nil {
		if s.blocks.fetching == conn {
			s.blocks.fetching, s.blocks.pending = nil, nil
		}
		s.blocks.mu.Unlock()
		return nil, err
	}
	for _, p := range s.blocks.pending {
		list = blocking.Apply(list, p)
	}
	changed := !s.blocks.known || !slices.Equal(list, s.blocks.list)
	s.blocks.list, s.blocks.known, s.blocks.conn = list, true, conn
	s.blocks.fetching, s.blocks.pending = nil, nil
	out := slices.Clone(list)
	s.blocks.mu.Unlock()
	if changed {
		s.client.bus.Publish(BlockListChanged{Account: s.jid(), Blocked: slices.Clone(out)})
	}
	return out, nil
}

// loadBlockList fetches the block list at login. It asks at once rather
// than after a disco#info round trip: a server without blocking answers
// with an error, and the login is not delayed.
func (s *Session) loadBlockList(conn *xmpp.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := s.fetchBlockList(ctx, conn)
	var se *xmpp.StanzaError
	if err != nil && !errors.As(err, &se) && !errors.Is(err, xmpp.ErrClosed) {
		s.client.logf("block list: %v", err)
	}
}

func cleanJIDs(jids []string) ([]string, error) {
	out := make([]string, 0, len(jids))
	for _, j := range jids {
		j = strings.TrimSpace(j)
		if err := ValidateJID(j); err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, nil
}

// Block adds addresses to the block list (a bare JID blocks every
// resource, a domain everyone there).
func (s *Session) Block(ctx context.Context, jids ...string) error {
	return s.changeBlocks(ctx, true, jids)
}

// Unblock removes addresses from the block list. Without any, it
// unblocks everyone (XEP-0191 §3.5).
func (s *Session) Unblock(ctx context.Context, jids ...string) error {
	return s.changeBlocks(ctx, false, jids)
}

func (s *Session) changeBlocks(ctx context.Context, block bool, jids []string) error {
	conn, err := s.onlineConn()
	if err != nil {
		return err
	}
	jids, err = cleanJIDs(jids)
	if err != nil {
		return err
	}
	if block {
		err = blocking.Block(ctx, conn, jids...)
	} else {
		err = blocking.Unblock(ctx, conn, jids...)
	}
	if err != nil {
		return err
	}
	// The server's push says the same; applying twice changes nothing.
	s.applyBlocks(conn, blocking.Push{Block: block, JIDs: jids})
	return nil
}

// blockPush answers a block or unblock push (XEP-0191 §3.3, §3.4); it
// reports whether iq was one.
func (s *Session) blockPush(c *xmpp.Conn, iq *stanza.IQ) bool {
	if _, ok := iq.Payload.(*blocking.Command); !ok || iq.Type != stanza.IQTypeSet {
		return false
	}
	p, ok := blocking.ParsePush(c, iq)
	if !ok {
		return false // not from our server: service-unavailable
	}
	c.SendResult(iq, nil)
	s.applyBlocks(c, p)
	return true
}

// applyBlocks applies a change to the list kept for conn.
func (s *Session) applyBlocks(conn *xmpp.Conn, p blocking.Push) {
	s.blocks.mu.Lock()
	switch conn {
	case s.blocks.conn:
	case s.blocks.fetching:
		s.blocks.pending = append(s.blocks.pending, p)
		s.blocks.mu.Unlock()
		return
	default:
		s.blocks.mu.Unlock()
		return
	}
	list := blocking.Apply(s.blocks.list, p)
	changed := !slices.Equal(list, s.blocks.list)
	s.blocks.list = list
	s.blocks.mu.Unlock()
	if changed {
		s.client.bus.Publish(BlockListChanged{Account: s.jid(), Blocked: slices.Clone(list)})
	}
}
