package muc

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/sid"
	"gosrc.io/xmpp/stanza"
)

// Join is the presence that enters room as nick (§7.2): with the room's
// password if it has one, and asking for no history when the room's
// archive (XEP-0313) will give it (noHistory), else the service's
// default.
func Join(room, nick, password string, noHistory bool) *stanza.Presence {
	x := stanza.MucPresence{Password: password}
	if noHistory {
		x.History = stanza.History{MaxStanzas: stanza.NewNullableInt(0)}
	}
	p := &stanza.Presence{XMLName: xml.Name{Local: "presence"}, Attrs: stanza.Attrs{To: room + "/" + nick}}
	p.Extensions = append(p.Extensions, x)
	return p
}

// Available is our presence in room as nick, with show ("", "away",
// "chat", "dnd", "xa") and status: sent to change them (§7.7), or our
// nick (§7.6: the room answers with our presence under it).
func Available(room, nick, show, status string) *stanza.Presence {
	return &stanza.Presence{XMLName: xml.Name{Local: "presence"}, Attrs: stanza.Attrs{To: room + "/" + nick},
		Show: stanza.PresenceShow(show), Status: status}
}

// Leave is the presence that leaves room (§7.14), with an optional
// status message.
func Leave(room, nick, status string) *stanza.Presence {
	return &stanza.Presence{XMLName: xml.Name{Local: "presence"},
		Attrs: stanza.Attrs{To: room + "/" + nick, Type: stanza.PresenceTypeUnavailable}, Status: status}
}

// Say is a message to every occupant of room (§7.4), with an origin-id
// (XEP-0359) by which it is recognised when the room reflects it.
func Say(room, body, originID string) *stanza.Message {
	m := &stanza.Message{XMLName: xml.Name{Local: "message"},
		Attrs: stanza.Attrs{To: room, Type: stanza.MessageTypeGroupchat, Id: originID}, Body: body}
	if originID != "" {
		sid.Add(m, originID)
	}
	return m
}

// SayPrivately is a private message to the occupant nick of room, sent
// through the room (§7.5), with an origin-id (XEP-0359).
func SayPrivately(room, nick, body, originID string) *stanza.Message {
	m := &stanza.Message{XMLName: xml.Name{Local: "message"},
		Attrs: stanza.Attrs{To: room + "/" + nick, Type: stanza.MessageTypeChat, Id: originID}, Body: body}
	m.Extensions = append(m.Extensions, User{})
	if originID != "" {
		sid.Add(m, originID)
	}
	return m
}

// OccupantIDExt is XEP-0421's <occupant-id/>.
type OccupantIDExt struct {
	XMLName xml.Name `xml:"urn:xmpp:occupant-id:0 occupant-id"`
	ID      string   `xml:"id,attr"`
}

// maxOccupantID bounds an occupant id: rooms make them from a hash
// (Prosody's are 44 bytes).
const maxOccupantID = 128

// OccupantID is the occupant id (XEP-0421) on m, "" when it has none, more
// than one, or one longer than maxOccupantID. Only a room that advertises
// NSOccupantID removes the ids senders put themselves: take it from no
// other.
func OccupantID(m *stanza.Message) string {
	id, n := "", 0
	for _, e := range m.Extensions {
		var o *OccupantIDExt
		switch v := e.(type) {
		case OccupantIDExt:
			o = &v
		case *OccupantIDExt:
			o = v
		default:
			continue
		}
		id = o.ID
		n++
	}
	if n != 1 || len(id) > maxOccupantID {
		return ""
	}
	return id
}

// SetSubject is the message that changes room's subject (§8.1); "" clears
// it.
func SetSubject(room, subject string) *stanza.Message {
	m := &stanza.Message{XMLName: xml.Name{Local: "message"},
		Attrs: stanza.Attrs{To: room, Type: stanza.MessageTypeGroupchat}, Subject: subject}
	if subject == "" {
		// An empty <subject/> clears it; gosrc omits an empty Subject.
		m.Extensions = append(m.Extensions, &stanza.Node{XMLName: xml.Name{Local: "subject"}})
	}
	return m
}

// Private is a private message to one occupant (§7.5), through the room.
func Private(room, nick, body string) *stanza.Message {
	m := &stanza.Message{XMLName: xml.Name{Local: "message"},
		Attrs: stanza.Attrs{To: room + "/" + nick, Type: stanza.MessageTypeChat}, Body: body}
	m.Extensions = append(m.Extensions, &stanza.Node{XMLName: xml.Name{Space: NSUser, Local: "x"}})
	return m
}

// Presence is what a presence from a room says of one occupant.
type Presence struct {
	Room, Nick  string // the room's bare JID and the occupant's nick
	Self        bool   // our own presence (status 110)
	Unavailable bool   // the occupant left (or was removed)
	Item        Item   // affiliation, role, real JID, the new nick (303)
	Codes       []int
	Destroy     *Destroy // the room was destroyed (with Unavailable)
	Show        stanza.PresenceShow
	Status      string
}

// ParsePresence reads a presence from an occupant of a room; ok is false
// for a presence without a muc#user element (not from a room) or an
// error (see JoinError).
func ParsePresence(p *stanza.Presence) (Presence, bool) {
	exts := make([]any, len(p.Extensions))
	for i, e := range p.Extensions {
		exts[i] = e
	}
	u := userOf(exts)
	if u == nil || p.Type == stanza.PresenceTypeError {
		return Presence{}, false
	}
	room, nick, _ := strings.Cut(p.From, "/")
	out := Presence{Room: xmpp.BareJID(room), Nick: nick, Item: u.Item0(), Codes: u.Codes(), Destroy: u.Destroy,
		Unavailable: p.Type == stanza.PresenceTypeUnavailable, Show: p.Show, Status: p.Status}
	out.Self = u.Has(StatusSelf)
	return out, true
}

// Removed says why our unavailable presence ended our visit, "" when we
// left ourselves or changed nick.
func (p Presence) Removed() string {
	has := func(c int) bool { return slices.Contains(p.Codes, c) }
	switch {
	case !p.Unavailable || has(StatusNickChange):
		return ""
	case p.Destroy != nil:
		return "destroyed"
	case has(StatusBanned):
		return "banned"
	case has(StatusKicked):
		return "kicked"
	case has(StatusRemovedAffiliation):
		return "affiliation"
	case has(StatusRemovedMembersOnly):
		return "members-only"
	case has(StatusShutdown):
		return "shutdown"
	case has(StatusError):
		return "error"
	}
	return ""
}

// userOf finds the muc#user element among a stanza's extensions.
func userOf(exts []any) *User {
	for _, e := range exts {
		switch u := e.(type) {
		case *User:
			return u
		case User:
			return &u
		}
	}
	return nil
}

// UserOf is the muc#user element of a message (invitations, declines,
// status codes of configuration changes), nil when it has none.
func UserOf(m *stanza.Message) *User {
	exts := make([]any, len(m.Extensions))
	for i, e := range m.Extensions {
		exts[i] = e
	}
	return userOf(exts)
}

// Reasons a room refuses entry (§7.2.6–7.2.13), as JoinError gives them.
var (
	ErrPasswordRequired = errors.New("muc: the room needs a password, or it was wrong")
	ErrMembersOnly      = errors.New("muc: the room is for its members only")
	ErrBanned           = errors.New("muc: banned from the room")
	ErrNickInUse        = errors.New("muc: the nick is in use or reserved")
	ErrRoomFull         = errors.New("muc: the room is full")
	ErrRoomLocked       = errors.New("muc: the room does not exist yet, or is being set up")
	ErrCreateForbidden  = errors.New("muc: not allowed to create rooms there")
	ErrRoomUnreachable  = errors.New("muc: the room's service cannot be reached")
)

// JoinError reads the error presence a room answers a join with: one of
// the Err* reasons (errors.Is), wrapping the *xmpp.StanzaError; nil for a
// presence that is not an error.
func JoinError(p *stanza.Presence) error {
	if p.Type != stanza.PresenceTypeError {
		return nil
	}
	se := xmpp.ErrorOf(p.Error)
	var reason error
	switch se.Condition {
	case "not-authorized":
		reason = ErrPasswordRequired
	case "registration-required":
		reason = ErrMembersOnly
	case "forbidden":
		reason = ErrBanned
	case "conflict", "not-acceptable":
		reason = ErrNickInUse
	case "service-unavailable":
		reason = ErrRoomFull
	case "item-not-found", "gone":
		reason = ErrRoomLocked
	case "not-allowed":
		reason = ErrCreateForbidden
	case "remote-server-not-found", "remote-server-timeout":
		reason = ErrRoomUnreachable
	default:
		return fmt.Errorf("muc: join refused: %w", se)
	}
	return fmt.Errorf("%w: %w", reason, se)
}

// Joined is what a self-ping (XEP-0410) says of our presence in a room.
type Joined int

const (
	JoinedYes     Joined = iota // still an occupant
	JoinedNo                    // not an occupant any more: join again
	JoinedUnknown               // no answer, or the room's server unreachable: ask later
)

// SelfPing pings our own occupant JID in room (XEP-0410 §3.2) and reads
// the answer.
func SelfPing(ctx context.Context, c *xmpp.Conn, room, nick string) Joined {
	err := c.Ping(ctx, room+"/"+nick)
	if err == nil {
		return JoinedYes
	}
	var se *xmpp.StanzaError
	if !errors.As(err, &se) {
		return JoinedUnknown // a timeout or the link down
	}
	switch se.Condition {
	case "service-unavailable", "feature-not-implemented", "item-not-found":
		return JoinedYes
	case "remote-server-not-found", "remote-server-timeout":
		return JoinedUnknown
	}
	return JoinedNo
}
