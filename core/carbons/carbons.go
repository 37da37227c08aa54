// Package carbons keeps this device's one-to-one conversations in step
// with the account's other devices, live (XEP-0280: Message Carbons,
// protocol in core/xmpp/carbons): what the user sends from a phone shows
// here as theirs, what the phone receives shows here too.
//
// On every sign-in where our server offers carbons, they are turned on
// before the first presence (so before the archive catch-up of core/mam
// starts: nothing falls between the two). Each copy is checked (from our
// own bare JID, to or from our account, not private: see
// core/xmpp/carbons.Unwrap) and handed to the session, which stores it
// like its own messages (core.Hook.Copied). A message that looks like a
// copy but fails the check is dropped: a stranger posing as our server.
// Copies of room private messages and invitations are dropped too: the
// room's own presence in this session brings what concerns it.
package carbons

import (
	"context"
	"sync"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/xmpp"
	wire "github.com/causerie/causerie/core/xmpp/carbons"
	"github.com/causerie/causerie/core/xmpp/muc"
	"gosrc.io/xmpp/stanza"
)

// Feature plugs carbon copies into a client's sessions
// (core.Options.Features).
var Feature = &core.Feature{Name: "carbons", Attach: attach}

// Carbons is one session's carbon copies.
type Carbons struct {
	h *core.Hook

	mu sync.Mutex
	on *xmpp.Conn // the connection carbons were turned on for
}

// Of is the carbon copies of s, or nil when s's client was made without
// Feature.
func Of(s *core.Session) *Carbons {
	c, _ := s.Feature(Feature).(*Carbons)
	return c
}

func attach(h *core.Hook) any {
	c := &Carbons{h: h}
	h.HandleMessage(c.message)
	h.OnOnline(c.enable)
	h.OnOffline(func() {
		c.mu.Lock()
		c.on = nil
		c.mu.Unlock()
	})
	return c
}

// On reports whether our server copies to this session what our other
// devices send and receive (false offline, or when the server does not
// offer carbons).
func (c *Carbons) On() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.on != nil
}

// enable turns carbons on for a new connection, where offered.
func (c *Carbons) enable(ctx context.Context, conn *xmpp.Conn) {
	info, err := c.h.ServerInfo(ctx, conn)
	if err != nil || !wire.Supported(info) {
		return
	}
	if err := wire.Enable(ctx, conn); err != nil {
		if conn.Err() == nil {
			c.h.Logf("carbons: our server refused to turn them on: %v", err)
		}
		return
	}
	c.mu.Lock()
	c.on = conn
	c.mu.Unlock()
}

// message takes carbon copies: a trusted one goes to the session, any
// other is dropped.
func (c *Carbons) message(conn *xmpp.Conn, m *stanza.Message) bool {
	if !wire.IsCarbon(m) {
		return false
	}
	cp, ok := wire.Unwrap(m, c.h.Account())
	if !ok {
		if xmpp.BareJID(m.From) != c.h.Account() {
			c.h.Logf("carbons: ignored a copy that did not come from our account")
		}
		return true
	}
	if roomRelated(cp.Message) {
		return true
	}
	c.h.Copied(conn, cp.Message, cp.Sent)
	return true
}

// roomRelated reports whether m is a room's private message or an
// invitation (§6.1 copies them).
func roomRelated(m *stanza.Message) bool {
	for _, ext := range m.Extensions {
		switch ext.(type) {
		case *muc.User, *muc.DirectInvite:
			return true
		}
	}
	return false
}
