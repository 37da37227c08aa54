package core

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/roster"
	"gosrc.io/xmpp/stanza"
)

// ErrInvalidJID is wrapped by ValidateJID's errors.
var ErrInvalidJID = errors.New("invalid address")

// ErrPreApprovalUnsupported: the server does not advertise RFC 6121 §3.4
// pre-approval.
var ErrPreApprovalUnsupported = errors.New("core: the server does not support pre-approving contacts")

// JID is an XMPP address parsed and normalised once (RFC 7622): the one
// type of core/xmpp, for the UI, which does not import the protocol.
type JID = xmpp.JID

// ParseJID parses and normalises an address (see xmpp.ParseJID); its
// errors are *xmpp.JIDError and match ErrInvalidJID.
func ParseJID(s string) (JID, error) {
	j, err := xmpp.ParseJID(s)
	if err != nil {
		return JID{}, fmt.Errorf("%w: %w", ErrInvalidJID, err)
	}
	return j, nil
}

// ValidateJID checks a contact address (user@domain, optionally /resource).
func ValidateJID(j string) error {
	if _, err := xmpp.ParseJID(strings.TrimSpace(j)); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidJID, err)
	}
	return nil
}

func (s *Session) connected() (*rosterConn, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil || s.state != StateOnline {
		return nil, ErrNotConnected
	}
	return &rosterConn{s.conn}, nil
}

// AddContactRequest is what the add-contact dialog collects.
type AddContactRequest struct {
	JID    string
	Name   string
	Groups []string
	// Subscribe asks to see their presence (on by default in the UI),
	// with an optional Message.
	Subscribe bool
	Message   string
	// PreApprove lets them see our presence without asking (RFC 6121
	// §3.4), when the server supports it.
	PreApprove bool
}

// AddContact adds a roster item and, as asked, requests a subscription
// and pre-approves theirs.
func (s *Session) AddContact(ctx context.Context, r AddContactRequest) error {
	if err := ValidateJID(r.JID); err != nil {
		return err
	}
	rc, err := s.connected()
	if err != nil {
		return err
	}
	if r.PreApprove && !roster.PreApprovalOffered(rc.Conn) {
		return ErrPreApprovalUnsupported
	}
	jid := xmpp.BareJID(r.JID)
	if err := roster.Set(ctx, rc.Conn, roster.Item{JID: jid, Name: r.Name, Groups: cleanGroups(r.Groups)}); err != nil {
		return fmt.Errorf("add contact: %w", err)
	}
	if r.Subscribe {
		if err := s.RequestSubscription(jid, r.Message); err != nil {
			return err
		}
	}
	if r.PreApprove {
		return rc.presence(jid, stanza.PresenceTypeSubscribed, "")
	}
	return nil
}

// UpdateContact renames a contact and sets its groups.
func (s *Session) UpdateContact(ctx context.Context, jid, name string, groups []string) error {
	rc, err := s.connected()
	if err != nil {
		return err
	}
	return roster.Set(ctx, rc.Conn, roster.Item{JID: xmpp.BareJID(jid), Name: name, Groups: cleanGroups(groups)})
}

// RenameGroup moves every contact of group old into group new.
func (s *Session) RenameGroup(ctx context.Context, old, new string) error {
	for _, c := range s.roster.Contacts() {
		changed := false
		groups := make([]string, 0, len(c.Groups))
		for _, g := range c.Groups {
			if g == old {
				g, changed = new, true
			}
			groups = append(groups, g)
		}
		if changed {
			if err := s.UpdateContact(ctx, c.JID, c.Name, groups); err != nil {
				return err
			}
		}
	}
	return nil
}

// RemoveContact removes a contact from the roster; the server cancels both
// subscriptions (RFC 6121 §2.5).
func (s *Session) RemoveContact(ctx context.Context, jid string) error {
	rc, err := s.connected()
	if err != nil {
		return err
	}
	return roster.Remove(ctx, rc.Conn, xmpp.BareJID(jid))
}

func cleanGroups(gs []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, g := range gs {
		g = strings.TrimSpace(g)
		if g != "" && !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
	}
	return out
}
