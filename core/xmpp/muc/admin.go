package muc

import (
	"context"
	"encoding/xml"
	"fmt"

	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/dataform"
	"gosrc.io/xmpp/stanza"
)

func iq(typ stanza.StanzaType, room string, payload stanza.IQPayload) *stanza.IQ {
	return &stanza.IQ{XMLName: xml.Name{Local: "iq"}, Attrs: stanza.Attrs{Type: typ, To: room}, Payload: payload}
}

// SetRole gives the occupant nick of room a role (§8.4–8.6, §9.6):
// RoleNone kicks, RoleParticipant grants voice, RoleVisitor revokes it,
// RoleModerator makes a moderator. A moderator may do the first three, an
// admin the last.
func SetRole(ctx context.Context, c *xmpp.Conn, room, nick, role, reason string) error {
	_, err := c.SendIQ(ctx, iq(stanza.IQTypeSet, room, &AdminQuery{Items: []Item{{Nick: nick, Role: role, Reason: reason}}}))
	if err != nil {
		return fmt.Errorf("muc: role %s for %s in %s: %w", role, nick, room, err)
	}
	return nil
}

// SetAffiliation gives a bare JID an affiliation with room (§9, §10):
// AffOutcast bans, AffMember, AffAdmin and AffOwner grant, AffNone
// removes.
func SetAffiliation(ctx context.Context, c *xmpp.Conn, room, jid, affiliation, reason string) error {
	_, err := c.SendIQ(ctx, iq(stanza.IQTypeSet, room, &AdminQuery{Items: []Item{{JID: jid, Affiliation: affiliation, Reason: reason}}}))
	if err != nil {
		return fmt.Errorf("muc: affiliation %s for %s in %s: %w", affiliation, jid, room, err)
	}
	return nil
}

// Affiliated lists the JIDs with an affiliation (the members, the banned,
// the admins, the owners: §9.5, §9.1, §10.8, §10.5).
func Affiliated(ctx context.Context, c *xmpp.Conn, room, affiliation string) ([]Item, error) {
	return list(ctx, c, room, Item{Affiliation: affiliation})
}

// WithRole lists the occupants with a role (the moderators, the
// participants with voice: §9.8, §8.5).
func WithRole(ctx context.Context, c *xmpp.Conn, room, role string) ([]Item, error) {
	return list(ctx, c, room, Item{Role: role})
}

func list(ctx context.Context, c *xmpp.Conn, room string, which Item) ([]Item, error) {
	reply, err := c.SendIQ(ctx, iq(stanza.IQTypeGet, room, &AdminQuery{Items: []Item{which}}))
	if err != nil {
		return nil, fmt.Errorf("muc: list %s%s of %s: %w", which.Affiliation, which.Role, room, err)
	}
	q, ok := reply.Payload.(*AdminQuery)
	if !ok {
		return nil, nil // an empty result
	}
	return q.Items, nil
}

// ConfigForm asks the owner's configuration form of room (§10.2).
func ConfigForm(ctx context.Context, c *xmpp.Conn, room string) (*dataform.Form, error) {
	reply, err := c.SendIQ(ctx, iq(stanza.IQTypeGet, room, &OwnerQuery{}))
	if err != nil {
		return nil, fmt.Errorf("muc: configuration of %s: %w", room, err)
	}
	q, ok := reply.Payload.(*OwnerQuery)
	if !ok || q.Form == nil {
		return nil, fmt.Errorf("muc: configuration of %s: no form in the answer", room)
	}
	return q.Form, nil
}

// Configure submits a configuration form (the one ConfigForm gave, with
// its values changed: dataform.Form.Submit) for room (§10.2).
func Configure(ctx context.Context, c *xmpp.Conn, room string, submit *dataform.Form) error {
	if _, err := c.SendIQ(ctx, iq(stanza.IQTypeSet, room, &OwnerQuery{Form: submit})); err != nil {
		return fmt.Errorf("muc: configure %s: %w", room, err)
	}
	return nil
}

// CreateInstant accepts the default configuration of a room just created
// (status 201), which unlocks it (§10.1.2).
func CreateInstant(ctx context.Context, c *xmpp.Conn, room string) error {
	return Configure(ctx, c, room, instantForm())
}

// CancelConfig cancels room's first configuration (§10.1.3): the service
// then destroys a room still locked.
func CancelConfig(ctx context.Context, c *xmpp.Conn, room string) error {
	return Configure(ctx, c, room, &dataform.Form{Type: "cancel"})
}

// instantForm is the empty submission that accepts the defaults.
func instantForm() *dataform.Form { return &dataform.Form{Type: "submit"} }

// DestroyRoom destroys room (§10.9), pointing its occupants to alternate if
// not "".
func DestroyRoom(ctx context.Context, c *xmpp.Conn, room, alternate, reason string) error {
	if _, err := c.SendIQ(ctx, iq(stanza.IQTypeSet, room, &OwnerQuery{Destroy: &Destroy{JID: alternate, Reason: reason}})); err != nil {
		return fmt.Errorf("muc: destroy %s: %w", room, err)
	}
	return nil
}
