package core

import (
	"context"

	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/roster"
	"gosrc.io/xmpp/stanza"
)

// rosterConn sends presence-based subscription stanzas.
type rosterConn struct{ *xmpp.Conn }

func (rc *rosterConn) presence(to string, typ stanza.StanzaType, status string) error {
	p := stanza.NewPresence(stanza.Attrs{To: to, Type: typ})
	p.Status = status
	return rc.Send(p)
}

// RequestSubscription asks jid to let us see their presence, with an
// optional message (RFC 6121 §3.1).
func (s *Session) RequestSubscription(jid, message string) error {
	if err := ValidateJID(jid); err != nil {
		return err
	}
	rc, err := s.connected()
	if err != nil {
		return err
	}
	return rc.presence(xmpp.BareJID(jid), stanza.PresenceTypeSubscribe, message)
}

// ApproveOptions says what approving also does: the seed's mutual
// procedure adds the requester (when not a contact yet) and asks back.
type ApproveOptions struct {
	AddBack bool // on by default in the UI
	Name    string
	Groups  []string
}

// ApproveSubscription lets jid see our presence and forgets the request.
func (s *Session) ApproveSubscription(ctx context.Context, jid string, opt ApproveOptions) error {
	rc, err := s.connected()
	if err != nil {
		return err
	}
	jid = xmpp.BareJID(jid)
	// What the roster held before: approving makes the server add them
	// (subscription "from"), and its push may come before the next line.
	c, known := s.roster.Contact(jid)
	if err := rc.presence(jid, stanza.PresenceTypeSubscribed, ""); err != nil {
		return err
	}
	s.forgetRequest(jid)
	if !opt.AddBack {
		return nil
	}
	if !known || !c.InRoster {
		if err := roster.Set(ctx, rc.Conn, roster.Item{JID: jid, Name: opt.Name, Groups: cleanGroups(opt.Groups)}); err != nil {
			return err
		}
	}
	if !c.WeSee() && !c.PendingOut {
		return rc.presence(jid, stanza.PresenceTypeSubscribe, "")
	}
	return nil
}

// DenySubscription refuses jid's request and forgets it.
func (s *Session) DenySubscription(jid string) error {
	rc, err := s.connected()
	if err != nil {
		return err
	}
	jid = xmpp.BareJID(jid)
	if err := rc.presence(jid, stanza.PresenceTypeUnsubscribed, ""); err != nil {
		return err
	}
	s.forgetRequest(jid)
	return nil
}

// RevokeSubscription stops jid from seeing our presence (or cancels a
// pre-approval).
func (s *Session) RevokeSubscription(jid string) error {
	rc, err := s.connected()
	if err != nil {
		return err
	}
	return rc.presence(xmpp.BareJID(jid), stanza.PresenceTypeUnsubscribed, "")
}

// Unsubscribe stops our seeing jid's presence (or cancels our pending
// request).
func (s *Session) Unsubscribe(jid string) error {
	rc, err := s.connected()
	if err != nil {
		return err
	}
	return rc.presence(xmpp.BareJID(jid), stanza.PresenceTypeUnsubscribe, "")
}

// PreApprove lets jid see our presence before they ask (RFC 6121 §3.4).
func (s *Session) PreApprove(jid string) error {
	rc, err := s.connected()
	if err != nil {
		return err
	}
	if !roster.PreApprovalOffered(rc.Conn) {
		return ErrPreApprovalUnsupported
	}
	return rc.presence(xmpp.BareJID(jid), stanza.PresenceTypeSubscribed, "")
}

// PendingRequests lists subscription requests not answered yet (kept
// across restarts).
func (s *Session) PendingRequests() ([]history.Request, error) {
	return s.client.store.Requests(s.jid())
}

func (s *Session) forgetRequest(jid string) {
	s.client.store.RemoveRequest(s.jid(), jid)
	c := s.roster.setPendingIn(jid, false)
	s.client.bus.Publish(RosterChanged{Account: s.jid(), Contacts: []Contact{c}})
}
