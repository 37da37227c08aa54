package core

import (
	"context"
	"fmt"

	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/roster"
	"gosrc.io/xmpp/stanza"
)

// The roster kept with the server (RFC 6121 §2): fetched at each sign-in
// (only what changed when the server offers versioning, XEP-0237), cached
// for the next start, and updated by the server's pushes.

// fetchRoster asks the server for the roster (or only whether it
// changed since the cached version) and publishes it.
func (s *Session) fetchRoster(ctx context.Context, conn *xmpp.Conn) error {
	items, ver, upToDate, err := roster.Get(ctx, conn, s.roster.Version(), roster.VersioningOffered(conn))
	if err != nil {
		return fmt.Errorf("roster: %w", err)
	}
	if upToDate {
		if ver != "" {
			s.roster.setVersion(ver)
		}
		return nil
	}
	contacts := make([]Contact, len(items))
	for i, it := range items {
		contacts[i] = Contact{JID: it.JID, Name: it.Name, Groups: it.Groups, Subscription: it.Subscription, PendingOut: it.Ask, Approved: it.Approved, InRoster: true}
	}
	removed := s.roster.replace(contacts, ver)
	s.saveRoster()
	s.client.bus.Publish(RosterChanged{Account: s.jid(), Contacts: s.roster.Contacts(), Removed: removed})
	return nil
}

// saveRoster writes the roster cache.
func (s *Session) saveRoster() {
	b, ver := s.roster.marshalCache()
	s.client.store.SaveRoster(s.jid(), ver, b)
}

// loadCachedRoster fills the roster from the local cache.
func (s *Session) loadCachedRoster() error {
	ver, b, err := s.client.store.LoadRoster(s.jid())
	if err != nil || b == nil {
		return err
	}
	contacts, err := unmarshalCache(b)
	if err != nil {
		return err
	}
	s.roster.replace(contacts, ver)
	reqs, err := s.client.store.Requests(s.jid())
	if err == nil {
		for _, r := range reqs {
			s.roster.setPendingIn(r.From, true)
		}
	}
	s.client.bus.Publish(RosterChanged{Account: s.jid(), Contacts: s.roster.Contacts(), FromCache: true})
	return nil
}

// rosterPush applies a roster push (RFC 6121 §2.1.6).
func (s *Session) rosterPush(c *xmpp.Conn, iq *stanza.IQ) {
	it, ver, ok := roster.ParsePush(c, iq)
	if !ok {
		c.SendError(iq, "cancel", "service-unavailable") // RFC 6121 §2.1.6
		return
	}
	c.SendResult(iq, nil)
	me := s.jid()
	jid := xmpp.BareJID(it.JID)
	ev := RosterChanged{Account: me}
	if it.Subscription == "remove" {
		s.roster.remove(jid)
		ev.Removed = []string{jid}
	} else {
		ct := s.roster.setItem(jid, it.Name, it.Groups, it.Subscription, it.Ask, it.Approved)
		if ct.PendingIn && ct.SeesUs() {
			// Approved (here or from another client): the request is answered.
			s.client.store.RemoveRequest(me, jid)
			ct = s.roster.setPendingIn(jid, false)
		}
		ev.Contacts = []Contact{ct}
	}
	if ver != "" {
		s.roster.setVersion(ver)
	}
	s.saveRoster()
	s.client.bus.Publish(ev)
}
