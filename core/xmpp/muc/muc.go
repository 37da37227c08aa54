// Package muc implements XEP-0045: Multi-User Chat, on the occupant's,
// the moderator's and the owner's side, with XEP-0249: Direct MUC
// Invitations, XEP-0410: MUC Self-Ping (Schrödinger's Chat) and
// XEP-0421: Anonymous unique occupant identifiers for MUCs.
//
// It builds and reads the stanzas; what a client keeps of a room (its
// occupants, its history, its bookmark) lives in the feature package
// beside core. Importing this package registers [User]
// ({http://jabber.org/protocol/muc#user}x) as a presence and message
// extension, [DirectInvite] ({jabber:x:conference}x) and
// [OccupantIDExt] ({urn:xmpp:occupant-id:0}occupant-id) as message
// extensions, and [AdminQuery] and [OwnerQuery] as IQ payloads of the
// stanza package. The join element ({http://jabber.org/protocol/muc}x)
// is gosrc's stanza.MucPresence.
package muc

import (
	"encoding/xml"
	"slices"

	"github.com/causerie/causerie/core/xmpp/dataform"
	"gosrc.io/xmpp/stanza"
)

// Namespaces.
const (
	NS           = "http://jabber.org/protocol/muc"
	NSUser       = NS + "#user"
	NSAdmin      = NS + "#admin"
	NSOwner      = NS + "#owner"
	NSRoomInfo   = NS + "#roominfo"   // the extended disco#info form (§6.4)
	NSRoomConfig = NS + "#roomconfig" // the configuration form (§10.2)
	NSRequest    = NS + "#request"    // a request for voice (§7.13)
	NSConference = "jabber:x:conference"
	NSStableID   = "http://jabber.org/protocol/muc#stable_id"
	NSSelfPing   = "urn:xmpp:ping" // XEP-0410 pings our own occupant JID
	// NSOccupantID (XEP-0421): a room that advertises it names each
	// occupant for good, whatever their nick, and removes the ids
	// senders put on their messages.
	NSOccupantID = "urn:xmpp:occupant-id:0"
)

func init() {
	for _, p := range []stanza.PacketType{stanza.PKTPresence, stanza.PKTMessage} {
		stanza.TypeRegistry.MapExtension(p, xml.Name{Space: NSUser, Local: "x"}, User{})
	}
	stanza.TypeRegistry.MapExtension(stanza.PKTMessage, xml.Name{Space: NSConference, Local: "x"}, DirectInvite{})
	stanza.TypeRegistry.MapExtension(stanza.PKTMessage, xml.Name{Space: NSOccupantID, Local: "occupant-id"}, OccupantIDExt{})
	stanza.TypeRegistry.MapExtension(stanza.PKTIQ, xml.Name{Space: NSAdmin, Local: "query"}, AdminQuery{})
	stanza.TypeRegistry.MapExtension(stanza.PKTIQ, xml.Name{Space: NSOwner, Local: "query"}, OwnerQuery{})
}

// Affiliations (§5.2): long-lived, tied to a bare JID.
const (
	AffOwner   = "owner"
	AffAdmin   = "admin"
	AffMember  = "member"
	AffOutcast = "outcast" // banned
	AffNone    = "none"
)

// Roles (§5.1): for the time of a visit.
const (
	RoleModerator   = "moderator"
	RoleParticipant = "participant"
	RoleVisitor     = "visitor"
	RoleNone        = "none" // not in the room (any more)
)

// Status codes of a muc#user <status/> (§15.6, the XMPP Registrar's
// muc status codes), those a client acts on or explains.
const (
	StatusAffiliationChanged = 101 // our affiliation changed while away
	StatusNonAnonymous       = 100 // every occupant's full JID is shown
	StatusSelf               = 110 // this presence is our own
	StatusConfigChanged      = 104 // a configuration change that is not about privacy
	StatusLogging            = 170 // the room is logged (archived, public logs)
	StatusLoggingOff         = 171
	StatusNowNonAnonymous    = 172
	StatusNowSemiAnonymous   = 173
	StatusCreated            = 201 // a new room was created (locked until configured)
	StatusNickAssigned       = 210 // the service changed the nick we asked for
	StatusBanned             = 301
	StatusNickChange         = 303 // an occupant changes nick (with the new one)
	StatusKicked             = 307
	StatusRemovedAffiliation = 321 // removed: the affiliation changed (members-only room)
	StatusRemovedMembersOnly = 322 // removed: the room became members-only
	StatusShutdown           = 332 // removed: the service is shutting down
	StatusError              = 333 // removed: a technical problem (XEP-0410 §3.2)
)

// User is <x xmlns='http://jabber.org/protocol/muc#user'/>: in a presence
// from a room, the occupant's item and the status codes; in a message,
// invitations, declines and status codes.
type User struct {
	XMLName  xml.Name `xml:"http://jabber.org/protocol/muc#user x"`
	Items    []Item   `xml:"item"`
	Statuses []Status `xml:"status"`
	Invites  []Invite `xml:"invite"`
	Decline  *Decline `xml:"decline"`
	Destroy  *Destroy `xml:"destroy"`
	Password string   `xml:"password,omitempty"`
}

// Status is a <status code='...'/>.
type Status struct {
	Code int `xml:"code,attr"`
}

// Item is an occupant as a room shows it (§15.2.2): its affiliation and
// role, its real JID where the room shows it, its nick (the new one with
// status 303), and who did what to it and why.
type Item struct {
	Affiliation string `xml:"affiliation,attr,omitempty"`
	Role        string `xml:"role,attr,omitempty"`
	JID         string `xml:"jid,attr,omitempty"`
	Nick        string `xml:"nick,attr,omitempty"`
	Actor       *Actor `xml:"actor"`
	Reason      string `xml:"reason,omitempty"`
}

// Actor is who kicked, banned or changed an occupant.
type Actor struct {
	JID  string `xml:"jid,attr,omitempty"`
	Nick string `xml:"nick,attr,omitempty"`
}

// Invite is a mediated invitation (§7.8.2): to a room when we send it
// (To), from someone when the room passes it on (From).
type Invite struct {
	From     string    `xml:"from,attr,omitempty"`
	To       string    `xml:"to,attr,omitempty"`
	Reason   string    `xml:"reason,omitempty"`
	Continue *Continue `xml:"continue"`
}

// Continue marks an invitation to continue a one-to-one chat in the room.
type Continue struct {
	Thread string `xml:"thread,attr,omitempty"`
}

// Decline is a declined mediated invitation (§7.8.2).
type Decline struct {
	From   string `xml:"from,attr,omitempty"`
	To     string `xml:"to,attr,omitempty"`
	Reason string `xml:"reason,omitempty"`
}

// Destroy is a room's destruction (§10.9): sent by its owner in an owner
// query, and received in the unavailable presence that ends every
// occupant's visit; JID is where to go instead.
type Destroy struct {
	JID      string `xml:"jid,attr,omitempty"`
	Reason   string `xml:"reason,omitempty"`
	Password string `xml:"password,omitempty"`
}

// Has reports whether the element carries status code code.
func (u *User) Has(code int) bool {
	if u == nil {
		return false
	}
	return slices.ContainsFunc(u.Statuses, func(s Status) bool { return s.Code == code })
}

// Codes lists the status codes, in document order.
func (u *User) Codes() []int {
	if u == nil {
		return nil
	}
	out := make([]int, 0, len(u.Statuses))
	for _, s := range u.Statuses {
		out = append(out, s.Code)
	}
	return out
}

// Item0 is the first item (a presence has one), or a zero item.
func (u *User) Item0() Item {
	if u == nil || len(u.Items) == 0 {
		return Item{}
	}
	return u.Items[0]
}

// DirectInvite is XEP-0249's <x xmlns='jabber:x:conference' jid='room'/>,
// sent straight to the invitee.
type DirectInvite struct {
	XMLName  xml.Name `xml:"jabber:x:conference x"`
	JID      string   `xml:"jid,attr"`
	Password string   `xml:"password,attr,omitempty"`
	Reason   string   `xml:"reason,attr,omitempty"`
	Continue bool     `xml:"continue,attr,omitempty"`
	Thread   string   `xml:"thread,attr,omitempty"`
}

// AdminQuery is <query xmlns='http://jabber.org/protocol/muc#admin'/>:
// changes of role and affiliation, and the lists of a given affiliation
// or role (§9, §8).
type AdminQuery struct {
	XMLName xml.Name `xml:"http://jabber.org/protocol/muc#admin query"`
	Items   []Item   `xml:"item"`
}

func (*AdminQuery) Namespace() string         { return NSAdmin }
func (*AdminQuery) GetSet() *stanza.ResultSet { return nil }

// OwnerQuery is <query xmlns='http://jabber.org/protocol/muc#owner'/>:
// the configuration form, its submission, and the room's destruction
// (§10).
type OwnerQuery struct {
	XMLName xml.Name       `xml:"http://jabber.org/protocol/muc#owner query"`
	Form    *dataform.Form `xml:"jabber:x:data x"`
	Destroy *Destroy       `xml:"destroy"`
}

func (*OwnerQuery) Namespace() string         { return NSOwner }
func (*OwnerQuery) GetSet() *stanza.ResultSet { return nil }
