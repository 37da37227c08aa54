package muc

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/sid"
	"github.com/causerie/causerie/internal/testserver"
	"github.com/causerie/causerie/internal/xmpptest"
	"gosrc.io/xmpp/stanza"
)

func TestMain(m *testing.M) { testserver.Main(m) }

// occupant is a connection with what rooms send it.
type occupant struct {
	*xmpp.Conn
	presences chan *stanza.Presence
	messages  chan *stanza.Message
}

func connect(t *testing.T, s *testserver.Server) *occupant {
	t.Helper()
	o := &occupant{presences: make(chan *stanza.Presence, 100), messages: make(chan *stanza.Message, 100)}
	mux := &xmpp.Mux{}
	mux.HandlePresenceFunc(func(_ *xmpp.Conn, p *stanza.Presence) { o.presences <- p })
	mux.HandleMessageFunc(func(_ *xmpp.Conn, m *stanza.Message) { o.messages <- m })
	o.Conn = xmpptest.Dial(t, s, mux)
	// Available, as a client is: what is sent to our bare JID (a
	// mediated invitation) comes to this resource.
	if err := o.Send(&stanza.Presence{XMLName: xml.Name{Local: "presence"}}); err != nil {
		t.Fatal(err)
	}
	return o
}

// presence waits for a presence from room/nick (any nick when "").
func (o *occupant) presence(t *testing.T, room, nick string) *stanza.Presence {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case p := <-o.presences:
			if xmpp.BareJID(p.From) == room && (nick == "" || xmpp.ResourceOf(p.From) == nick) {
				return p
			}
		case <-timeout:
			t.Fatalf("no presence from %s/%s", room, nick)
			return nil
		}
	}
}

// message waits for a message from room (or one of its occupants) that
// match accepts.
func (o *occupant) message(t *testing.T, from string, match func(*stanza.Message) bool) *stanza.Message {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case m := <-o.messages:
			if strings.HasPrefix(m.From, from) && match(m) {
				return m
			}
		case <-timeout:
			t.Fatalf("no such message from %s (%s)", from, o.JID())
			return nil
		}
	}
}

// join enters room as nick and returns our own presence, unlocking a
// room it created.
func (o *occupant) join(t *testing.T, room, nick string) Presence {
	t.Helper()
	if err := o.Send(Join(room, nick, "", false)); err != nil {
		t.Fatal(err)
	}
	for {
		p := o.presence(t, room, nick)
		if err := JoinError(p); err != nil {
			t.Fatalf("join %s as %s: %v", room, nick, err)
		}
		if op, ok := ParsePresence(p); ok && op.Self {
			if slices.Contains(op.Codes, StatusCreated) {
				if err := CreateInstant(context.Background(), o.Conn, room); err != nil {
					t.Fatal(err)
				}
			}
			return op
		}
	}
}

// TestRoomAgainstServers: a room's life on both servers, as the occupant,
// the moderator and the owner see it: creation, discovery, a nick
// conflict, messages reflected with our origin-id, the subject, a
// self-ping in and out, invitations of both kinds, a kick, a ban, and the
// room's destruction.
func TestRoomAgainstServers(t *testing.T) {
	for name, kind := range map[string]testserver.Kind{"prosody": testserver.Prosody, "ejabberd": testserver.Ejabberd} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s := testserver.Shared(t, kind, testserver.Options{})
			alice, bob, carol := connect(t, s), connect(t, s), connect(t, s)

			service, err := FindService(ctx, alice.Conn)
			if err != nil || service != "conference."+s.Domain {
				t.Fatalf("MUC service: %q, %v", service, err)
			}
			room := fmt.Sprintf("room%d@%s", time.Now().UnixNano(), service)
			self := alice.join(t, room, "alice")
			if self.Item.Affiliation != AffOwner || self.Item.Role != RoleModerator {
				t.Fatalf("creator: %+v", self)
			}
			info, err := GetRoomInfo(ctx, alice.Conn, room)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: room info %+v", name, info)

			bob.join(t, room, "bob")
			if p, _ := ParsePresence(alice.presence(t, room, "bob")); p.Self || p.Item.Role != RoleParticipant {
				t.Fatalf("bob as alice sees him: %+v", p)
			}
			// Someone else asking for bob's nick is refused.
			carol.Send(Join(room, "bob", "", false))
			if err := JoinError(carol.presence(t, room, "bob")); !errors.Is(err, ErrNickInUse) {
				t.Fatalf("nick in use: %v", err)
			}

			// A message comes back to its sender with the origin-id.
			alice.Send(Say(room, "hello room", "origin-1"))
			for _, o := range []*occupant{alice, bob} {
				m := o.message(t, room+"/alice", func(m *stanza.Message) bool { return m.Body == "hello room" })
				if m.Type != stanza.MessageTypeGroupchat {
					t.Fatalf("reflected: %+v", m)
				}
				if o == alice && sid.Origin(m) != "origin-1" && m.Id != "origin-1" {
					t.Fatalf("our message came back without its origin-id: %+v", m)
				}
			}
			if err := alice.Send(SetSubject(room, "Spells")); err != nil {
				t.Fatal(err)
			}
			bob.message(t, room, func(m *stanza.Message) bool { return m.Subject == "Spells" })

			if j := SelfPing(ctx, bob.Conn, room, "bob"); j != JoinedYes {
				t.Fatalf("self-ping of an occupant: %v", j)
			}
			if j := SelfPing(ctx, carol.Conn, room, "carol"); j != JoinedNo {
				t.Fatalf("self-ping of a stranger: %v", j)
			}

			// Invitations: through the room, and direct.
			alice.Send(InviteVia(room, xmpp.BareJID(carol.JID()), "come in"))
			inv, _ := ParseInvitation(carol.message(t, room, func(m *stanza.Message) bool { _, ok := ParseInvitation(m); return ok }))
			// A semi-anonymous room names the inviter by occupant JID (Prosody).
			if inv.Room != room || !(xmpp.SameBare(inv.From, alice.JID()) || inv.From == room+"/alice") || inv.Reason != "come in" || inv.Direct {
				t.Fatalf("mediated invitation: %+v", inv)
			}
			alice.Send(InviteDirect(xmpp.BareJID(carol.JID()), room, "", "direct"))
			inv, _ = ParseInvitation(carol.message(t, xmpp.BareJID(alice.JID()), func(m *stanza.Message) bool { _, ok := ParseInvitation(m); return ok }))
			if !inv.Direct || inv.Room != room || inv.Reason != "direct" {
				t.Fatalf("direct invitation: %+v", inv)
			}

			// Kick: bob is told why and by whom.
			if err := SetRole(ctx, alice.Conn, room, "bob", RoleNone, "out"); err != nil {
				t.Fatal(err)
			}
			gone, _ := ParsePresence(bob.presence(t, room, "bob"))
			if !gone.Self || gone.Removed() != "kicked" {
				t.Fatalf("kicked: %+v", gone)
			}
			t.Logf("%s: kick as bob sees it: actor %+v reason %q", name, gone.Item.Actor, gone.Item.Reason)

			// Ban: bob may not come back.
			if err := SetAffiliation(ctx, alice.Conn, room, xmpp.BareJID(bob.JID()), AffOutcast, "for good"); err != nil {
				t.Fatal(err)
			}
			banned, err := Affiliated(ctx, alice.Conn, room, AffOutcast)
			if err != nil || len(banned) != 1 || !xmpp.SameBare(banned[0].JID, bob.JID()) {
				t.Fatalf("ban list: %+v, %v", banned, err)
			}
			bob.Send(Join(room, "bob", "", false))
			for {
				p := bob.presence(t, room, "bob")
				if err := JoinError(p); err != nil {
					if !errors.Is(err, ErrBanned) {
						t.Fatalf("banned joining: %v", err)
					}
					break
				}
			}

			// Destruction ends alice's visit too.
			if err := DestroyRoom(ctx, alice.Conn, room, "", "closing"); err != nil {
				t.Fatal(err)
			}
			for {
				p, ok := ParsePresence(alice.presence(t, room, "alice"))
				if ok && p.Unavailable {
					if p.Removed() != "destroyed" {
						t.Fatalf("destroyed: %+v", p)
					}
					break
				}
			}
			if _, err := GetRoomInfo(ctx, alice.Conn, room); err == nil {
				t.Fatal("the room answers after its destruction")
			}
		})
	}
}
