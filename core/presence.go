package core

import (
	"context"
	"errors"
	"fmt"

	"github.com/causerie/causerie/core/xmpp"
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
	s.client.bus.Publish(OwnPresenceChanged{Account: s.jid(), Presence: s.Presence()})
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
