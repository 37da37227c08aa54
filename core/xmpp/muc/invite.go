package muc

import (
	"encoding/xml"
	"strings"

	"github.com/causerie/causerie/core/xmpp"
	"gosrc.io/xmpp/stanza"
)

// Invitation is an invitation to a room, mediated by the room (§7.8.2) or
// direct (XEP-0249).
type Invitation struct {
	Room     string // the room's bare JID
	From     string // who invites (a full or bare JID)
	Reason   string
	Password string
	Direct   bool   // XEP-0249
	Thread   string // the one-to-one chat it continues, if any
}

// InviteVia is a mediated invitation of to into room: the room passes it
// on (and adds to to the members of a members-only room where we may).
func InviteVia(room, to, reason string) *stanza.Message {
	m := &stanza.Message{XMLName: xml.Name{Local: "message"}, Attrs: stanza.Attrs{To: room}}
	m.Extensions = append(m.Extensions, &User{Invites: []Invite{{To: to, Reason: reason}}})
	return m
}

// InviteDirect is a direct invitation (XEP-0249) of to into room.
func InviteDirect(to, room, password, reason string) *stanza.Message {
	m := &stanza.Message{XMLName: xml.Name{Local: "message"}, Attrs: stanza.Attrs{To: to}}
	m.Extensions = append(m.Extensions, &DirectInvite{JID: room, Password: password, Reason: reason})
	return m
}

// DeclineVia declines a mediated invitation into room from inviter.
func DeclineVia(room, inviter, reason string) *stanza.Message {
	m := &stanza.Message{XMLName: xml.Name{Local: "message"}, Attrs: stanza.Attrs{To: room}}
	m.Extensions = append(m.Extensions, &User{Decline: &Decline{To: inviter, Reason: reason}})
	return m
}

// ParseInvitation reads an invitation from a message: a mediated one
// (from the room, naming the inviter) or a direct one (from the inviter,
// naming the room); ok is false for any other message. Rooms add a
// jabber:x:conference element to the mediated invitations they pass on
// (Prosody and ejabberd do), for clients that only read that one: the
// muc#user invitation decides.
func ParseInvitation(m *stanza.Message) (Invitation, bool) {
	if m.Type == stanza.MessageTypeError || m.Type == stanza.MessageTypeGroupchat {
		return Invitation{}, false
	}
	if u := UserOf(m); u != nil && len(u.Invites) > 0 && u.Invites[0].From != "" && !strings.Contains(m.From, "/") {
		// Passed on by the room itself (an occupant's private message
		// may carry a muc#user element of its own).
		in := u.Invites[0]
		inv := Invitation{Room: xmpp.BareJID(m.From), From: in.From, Reason: strings.TrimSpace(in.Reason), Password: u.Password}
		if in.Continue != nil {
			inv.Thread = in.Continue.Thread
		}
		return inv, true
	}
	for _, e := range m.Extensions {
		var d *DirectInvite
		switch v := e.(type) {
		case *DirectInvite:
			d = v
		case DirectInvite:
			d = &v
		}
		if d != nil && d.JID != "" {
			inv := Invitation{Room: xmpp.BareJID(d.JID), From: m.From, Reason: strings.TrimSpace(d.Reason), Password: d.Password, Direct: true}
			if d.Continue {
				inv.Thread = d.Thread
			}
			return inv, true
		}
	}
	return Invitation{}, false
}

// ParseDecline reads a declined mediated invitation the room passes on:
// who declined and why; ok is false for any other message.
func ParseDecline(m *stanza.Message) (from, reason string, ok bool) {
	u := UserOf(m)
	if u == nil || u.Decline == nil {
		return "", "", false
	}
	return u.Decline.From, strings.TrimSpace(u.Decline.Reason), true
}
