package core

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/delay"
	"github.com/causerie/causerie/core/xmpp/disco"
	"github.com/causerie/causerie/core/xmpp/invisible"
	"gosrc.io/xmpp/stanza"
)

// ErrInvisibleUnsupported: the server does not offer XEP-0186. Causerie
// never sends the non-standard type='invisible' presence instead.
var ErrInvisibleUnsupported = errors.New("core: this server does not support being invisible")

// SetPresence changes our presence. ShowOffline disconnects (unavailable
// presence, then close); ShowInvisible uses XEP-0186 when the server
// offers it and returns ErrInvisibleUnsupported otherwise. When offline,
// any other show connects first and is applied on login.
func (s *Session) SetPresence(ctx context.Context, p Presence) error {
	if p.Priority < -128 || p.Priority > 127 {
		return fmt.Errorf("core: priority %d out of range -128..127", p.Priority)
	}
	switch p.Show {
	case ShowAvailable, ShowChat, ShowAway, ShowXA, ShowDND, ShowInvisible:
	case ShowOffline:
		s.Disconnect()
		return nil
	default:
		return fmt.Errorf("core: unknown presence %q", p.Show)
	}
	s.mu.Lock()
	conn, online := s.conn, s.state == StateOnline
	prev := s.want
	if p.Show != ShowInvisible {
		s.want = p
	}
	s.mu.Unlock()
	if !online || conn == nil {
		if p.Show == ShowInvisible {
			return ErrNotConnected // support is only known once connected
		}
		s.Connect()
		return nil
	}
	if p.Show == ShowInvisible {
		if err := s.goInvisible(ctx, conn); err != nil {
			return err
		}
		s.mu.Lock()
		s.want.Status, s.want.Priority = p.Status, p.Priority
		s.mu.Unlock()
		s.client.bus.Publish(OwnPresenceChanged{Account: s.jid(), Presence: s.Presence()})
		return nil
	}
	if err := s.sendPresence(ctx, conn); err != nil {
		s.mu.Lock()
		s.want = prev
		s.mu.Unlock()
		return err
	}
	now := s.Presence()
	for _, f := range s.hooks.ownPresence {
		f(conn, now)
	}
	s.client.bus.Publish(OwnPresenceChanged{Account: s.jid(), Presence: now})
	return nil
}

// InvisibleSupported asks the server (XEP-0030) whether it offers XEP-0186.
func (s *Session) InvisibleSupported(ctx context.Context) (bool, error) {
	s.mu.Lock()
	conn := s.conn
	s.mu.Unlock()
	if conn == nil {
		return false, ErrNotConnected
	}
	info, err := disco.GetInfo(ctx, conn, "", "")
	if err != nil {
		return false, err
	}
	return invisible.Supported(info), nil
}

func (s *Session) goInvisible(ctx context.Context, conn *xmpp.Conn) error {
	ok, err := s.InvisibleSupported(ctx)
	if err != nil {
		return err
	}
	if !ok {
		return ErrInvisibleUnsupported
	}
	if err := invisible.Enable(ctx, conn, false); err != nil {
		return err
	}
	s.mu.Lock()
	s.invisible = true
	s.mu.Unlock()
	return nil
}

// sendPresence sends our chosen presence (leaving invisibility first).
func (s *Session) sendPresence(ctx context.Context, conn *xmpp.Conn) error {
	s.mu.Lock()
	p, wasInvisible := s.want, s.invisible
	s.mu.Unlock()
	if wasInvisible {
		if err := invisible.Disable(ctx, conn); err != nil {
			return err
		}
		s.mu.Lock()
		s.invisible = false
		s.mu.Unlock()
	}
	st := stanza.NewPresence(stanza.Attrs{})
	st.Show = stanza.PresenceShow(p.Show)
	st.Status = p.Status
	st.Priority = int8(p.Priority)
	st.Extensions = s.presenceExtensions(conn)
	return conn.Send(st)
}

// presenceIn tracks contacts' presence and subscription requests.
func (s *Session) presenceIn(c *xmpp.Conn, p *stanza.Presence) {
	me := s.jid()
	peer := xmpp.BareJID(p.From)
	if peer == "" {
		return
	}
	switch p.Type {
	case "", stanza.PresenceTypeUnavailable:
		if peer == me {
			if p.From == c.JID() {
				s.client.bus.Publish(OwnPresenceChanged{Account: me, Presence: s.Presence()})
			}
			s.ownResourcePresence(c, p)
			return
		}
		since, ok := delay.FromPresence(p)
		if now := time.Now(); !ok || since.After(now) {
			since = now
		}
		res := Resource{Name: xmpp.ResourceOf(p.From), Show: Show(p.Show), Status: p.Status, Priority: int(p.Priority), Since: since, caps: capsOf(p)}
		if ct, ok := s.roster.setPresence(peer, res, p.Type == ""); ok {
			s.client.bus.Publish(PresenceChanged{Account: me, Contact: ct})
			s.contactPresence(c, p, peer, res, p.Type == "")
		}
	case stanza.PresenceTypeSubscribe:
		if ct, ok := s.roster.Contact(peer); ok && ct.SeesUs() {
			return // already approved: nothing to ask the user (RFC 6121 §3.1.3)
		}
		req := history.Request{From: peer, Message: p.Status, At: time.Now()}
		if err := s.client.store.AddRequest(me, req); err != nil {
			s.client.logf("history: storing a subscription request: %v", err)
		}
		ct := s.roster.setPendingIn(peer, true)
		s.client.bus.Publish(SubscriptionRequested{Account: me, Request: req, InRoster: ct.InRoster})
	case stanza.PresenceTypeSubscribed, stanza.PresenceTypeUnsubscribed, stanza.PresenceTypeUnsubscribe:
		if p.Type == stanza.PresenceTypeUnsubscribe {
			// They withdrew: a pending request of theirs is void.
			s.client.store.RemoveRequest(me, peer)
			s.roster.setPendingIn(peer, false)
		}
		s.client.bus.Publish(SubscriptionChanged{Account: me, JID: peer, Kind: string(p.Type)})
	case stanza.PresenceTypeError:
		s.client.bus.Publish(PresenceError{Account: me, JID: peer, Condition: p.Error.Reason, Text: p.Error.Text})
	}
}
