package muc

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/dataform"
	wire "github.com/causerie/causerie/core/xmpp/muc"
	"github.com/causerie/causerie/core/xmpp/retract"
	"github.com/causerie/causerie/core/xmpp/sid"
)

// Room is a room we are in or entering, as a list shows it.
type Room struct {
	JID, Nick, Subject string
	Joined             bool // false while entering, or signed out
	Occupants          int
}

// List gives the rooms we are in or entering, by address.
func (r *Rooms) List() []Room {
	r.mu.Lock()
	out := make([]Room, 0, len(r.rooms))
	for _, rm := range r.rooms {
		out = append(out, Room{JID: rm.jid, Nick: rm.nick, Subject: rm.subject, Joined: rm.joined, Occupants: len(rm.occupants)})
	}
	r.mu.Unlock()
	slices.SortFunc(out, func(a, b Room) int { return strings.Compare(a.JID, b.JID) })
	return out
}

// Password is the password we entered room with ("" for none).
func (r *Rooms) Password(room string) string {
	return of(r, room, func(rm *entry) string { return rm.password })
}

// IsRoom reports whether jid is a room of ours: one we are in or
// entering, or a bookmarked one.
func (r *Rooms) IsRoom(jid string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.rooms[jid]; ok {
		return true
	}
	for _, b := range r.bm.list {
		if b.JID == jid {
			return true
		}
	}
	return false
}

// ChangeNick asks room for a new nick for us (§7.6); the room answers
// with our presence under it (OccupantChanged), or refuses it (a
// NickRefused event).
func (r *Rooms) ChangeNick(room, nick string) error {
	nick = strings.TrimSpace(nick)
	if nick == "" {
		return ErrNoNick
	}
	if !r.In(room) {
		return ErrNotInRoom
	}
	conn, err := r.h.Conn()
	if err != nil {
		return err
	}
	// With our show and status: a presence without them would say we
	// are available.
	show, status := r.ourShow()
	r.mu.Lock()
	if rm, ok := r.rooms[room]; ok {
		rm.asked = nick
	}
	r.mu.Unlock()
	return conn.Send(wire.Available(room, nick, show, status))
}

// Invite invites to (a bare JID) into room, where we are: directly
// (XEP-0249) when to's client is known to take direct invitations, with
// the room's password when it has one, so that it works whatever the
// room allows its occupants to do; else through the room (XEP-0045
// §7.8.2), which every client understands, and which adds to to the
// members of a members-only room where we may invite.
func (r *Rooms) Invite(room, to, reason string) error {
	r.mu.Lock()
	rm, ok := r.rooms[room]
	var password string
	if ok {
		password = rm.password
	}
	r.mu.Unlock()
	if !ok {
		return ErrNotInRoom
	}
	conn, err := r.h.Conn()
	if err != nil {
		return err
	}
	if r.h.Supports(to, wire.NSConference) {
		return conn.Send(wire.InviteDirect(to, room, password, reason))
	}
	// The room answers only a refusal (InviteFailed), by this id.
	m := wire.InviteVia(room, to, reason)
	m.Id = sid.New()
	r.mu.Lock()
	if len(r.invites) >= maxPendingInvites {
		clear(r.invites) // refusals that never came
	}
	r.invites[m.Id] = invite{room, to}
	r.mu.Unlock()
	return conn.Send(m)
}

// maxPendingInvites bounds the mediated invitations remembered for the
// room's refusal.
const maxPendingInvites = 64

// Decline declines an invitation: a mediated one is declined through the
// room (§7.8.2); a direct one asks for no answer.
func (r *Rooms) Decline(inv wire.Invitation, reason string) error {
	if inv.Direct {
		return nil
	}
	conn, err := r.h.Conn()
	if err != nil {
		return err
	}
	return conn.Send(wire.DeclineVia(inv.Room, inv.From, reason))
}

// SetRole gives the occupant nick a role in room (wire.Role*): RoleNone
// kicks them, RoleVisitor takes their voice, RoleParticipant gives it.
func (r *Rooms) SetRole(ctx context.Context, room, nick, role, reason string) error {
	conn, err := r.h.Conn()
	if err != nil {
		return err
	}
	return refused(wire.SetRole(ctx, conn, room, nick, role, reason))
}

// CanModerate reports whether we may take back others' messages in room
// (XEP-0425): the room takes moderations and we are one of its
// moderators.
func (r *Rooms) CanModerate(room string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	rm, ok := r.rooms[room]
	if !ok || !rm.joined || rm.moderation == "" {
		return false
	}
	me, ok := rm.occupants[rm.nick]
	return ok && me.Role == RoleModerator
}

// ErrNoModeration: the room takes no moderations (XEP-0425), or the
// message has no id the room gave it.
var ErrNoModeration = errors.New("muc: this room does not let its moderators delete messages")

// Moderate asks room to take back m, an occupant's message, for everyone,
// with reason (XEP-0425): we must be one of its moderators. The room
// tells everyone, us too, and the message is then taken back here.
func (r *Rooms) Moderate(ctx context.Context, room string, m history.Message, reason string) error {
	r.mu.Lock()
	ns := ""
	if rm, ok := r.rooms[room]; ok {
		ns = rm.moderation
	}
	r.mu.Unlock()
	if ns == "" || m.StanzaID == "" || m.Type != "groupchat" {
		return ErrNoModeration
	}
	conn, err := r.h.Conn()
	if err != nil {
		return err
	}
	_, err = conn.SendIQ(ctx, retract.Moderate(ns, room, m.StanzaID, reason))
	return refused(err)
}

// SetAffiliation gives jid an affiliation with room (wire.Aff*):
// AffOutcast bans them.
func (r *Rooms) SetAffiliation(ctx context.Context, room, jid, affiliation, reason string) error {
	conn, err := r.h.Conn()
	if err != nil {
		return err
	}
	return refused(wire.SetAffiliation(ctx, conn, room, xmpp.BareJID(jid), affiliation, reason))
}

// Info asks room about itself (its name, subject, occupants, whether it
// needs a password...).
func (r *Rooms) Info(ctx context.Context, room string) (wire.RoomInfo, error) {
	conn, err := r.h.Conn()
	if err != nil {
		return wire.RoomInfo{}, err
	}
	info, err := wire.GetRoomInfo(ctx, conn, room)
	return info, refused(err)
}

// ErrNoService: the account's server offers no group chat service.
var ErrNoService = fmt.Errorf("muc: the server has no group chat service")

// browseMax bounds the rooms Browse asks about: a service may list
// thousands.
const browseMax = 500

// roomInfoTimeout bounds each room's answer while browsing.
const roomInfoTimeout = 5 * time.Second

// Browse lists the public rooms of service (the account's server's own
// group chat service when ""), with what each says of itself; a room
// that does not answer is listed with its name from the list. The
// service's address is returned too.
func (r *Rooms) Browse(ctx context.Context, service string) (string, []wire.RoomInfo, error) {
	conn, err := r.h.Conn()
	if err != nil {
		return "", nil, err
	}
	if service == "" {
		if service, err = wire.FindService(ctx, conn); err != nil {
			return "", nil, err
		}
		if service == "" {
			return "", nil, ErrNoService
		}
	}
	items, err := wire.Rooms(ctx, conn, service)
	if err != nil {
		return service, nil, err
	}
	if len(items) > browseMax {
		items = items[:browseMax]
	}
	out := make([]wire.RoomInfo, len(items))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8) // asked eight at a time
	for i, it := range items {
		out[i] = wire.RoomInfo{JID: xmpp.BareJID(it.JID), Name: it.Name, Occupants: -1}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			// Each room on its own clock: one that never answers does
			// not hold the others up.
			rctx, cancel := context.WithTimeout(ctx, roomInfoTimeout)
			defer cancel()
			if info, err := wire.GetRoomInfo(rctx, conn, out[i].JID); err == nil {
				if info.Name == "" {
					info.Name = out[i].Name
				}
				out[i] = info
			}
		}()
	}
	wg.Wait()
	slices.SortFunc(out, func(a, b wire.RoomInfo) int {
		if a.Occupants != b.Occupants {
			return b.Occupants - a.Occupants // the busiest first
		}
		return strings.Compare(a.JID, b.JID)
	})
	return service, out, nil
}

// What the GUI needs of the protocol's types, here so that it does not
// import the protocol package.
type (
	// RoomInfo is what a room says of itself.
	RoomInfo = wire.RoomInfo
	// Invitation is an invitation into a room.
	Invitation = wire.Invitation
)

// Roles and affiliations (XEP-0045 §5).
const (
	RoleModerator   = wire.RoleModerator
	RoleParticipant = wire.RoleParticipant
	RoleVisitor     = wire.RoleVisitor
	RoleNone        = wire.RoleNone
	AffOwner        = wire.AffOwner
	AffAdmin        = wire.AffAdmin
	AffMember       = wire.AffMember
	AffOutcast      = wire.AffOutcast
	AffNone         = wire.AffNone
)

// Status codes of our own presence in a room (Joined.Codes).
const (
	StatusNonAnonymous = wire.StatusNonAnonymous
	StatusLogging      = wire.StatusLogging
	StatusCreated      = wire.StatusCreated
	StatusNickAssigned = wire.StatusNickAssigned
)

// Why a room refuses a request (what SetRole, SetAffiliation and Info
// return wraps one of them, errors.Is).
var (
	ErrNotAllowed  = errors.New("muc: not allowed in that room")
	ErrNoSuchRoom  = errors.New("muc: no such room")
	ErrUnsupported = errors.New("muc: the room does not offer that")
)

// refused wraps a room's error answer in the reason it gives.
func refused(err error) error {
	var se *xmpp.StanzaError
	if !errors.As(err, &se) {
		return err
	}
	switch se.Condition {
	case "forbidden", "not-allowed", "not-authorized":
		return fmt.Errorf("%w: %w", ErrNotAllowed, err)
	case "item-not-found", "remote-server-not-found", "gone":
		return fmt.Errorf("%w: %w", ErrNoSuchRoom, err)
	case "service-unavailable", "feature-not-implemented":
		return fmt.Errorf("%w: %w", ErrUnsupported, err)
	}
	return err
}

// Why a room refuses entry (JoinFailed.Err, NickRefused.Err: errors.Is).
var (
	ErrPasswordRequired = wire.ErrPasswordRequired
	ErrMembersOnly      = wire.ErrMembersOnly
	ErrBanned           = wire.ErrBanned
	ErrNickInUse        = wire.ErrNickInUse
	ErrRoomFull         = wire.ErrRoomFull
	ErrRoomLocked       = wire.ErrRoomLocked
	ErrCreateForbidden  = wire.ErrCreateForbidden
	ErrRoomUnreachable  = wire.ErrRoomUnreachable
)

// RoomConfig is a room's configuration form (XEP-0045 §10.2), as its
// owner edits it: Form to show, sent back with Configure.
type RoomConfig struct {
	Form *core.DataForm
	wire *dataform.Form
}

// Config asks room for its configuration form (owners only).
func (r *Rooms) Config(ctx context.Context, room string) (RoomConfig, error) {
	conn, err := r.h.Conn()
	if err != nil {
		return RoomConfig{}, err
	}
	f, err := wire.ConfigForm(ctx, conn, room)
	if err != nil {
		return RoomConfig{}, refused(err)
	}
	return RoomConfig{Form: core.DataFormOf(f), wire: f}, nil
}

// Configure sends room the configuration c with values (by field var;
// a field left out keeps its value).
func (r *Rooms) Configure(ctx context.Context, room string, c RoomConfig, values map[string][]string) error {
	if c.wire == nil {
		return errors.New("muc: no configuration form to answer")
	}
	conn, err := r.h.Conn()
	if err != nil {
		return err
	}
	if err := refused(wire.Configure(ctx, conn, room, c.wire.Submit(values))); err != nil {
		return err
	}
	// What it now says of itself (an archive, occupant ids) is for
	// the next entries.
	r.mu.Lock()
	rm, ok := r.rooms[room]
	r.mu.Unlock()
	if ok {
		go r.learn(conn, rm)
	}
	return nil
}

// Destroy closes room for good (owners only), telling its occupants why.
func (r *Rooms) Destroy(ctx context.Context, room, reason string) error {
	conn, err := r.h.Conn()
	if err != nil {
		return err
	}
	return refused(wire.DestroyRoom(ctx, conn, room, "", reason))
}

// Affiliate is someone with an affiliation to a room (a member, an
// admin, an owner, or banned), by bare JID.
type Affiliate struct {
	JID, Nick, Reason string
}

// Affiliates lists those with affiliation (AffMember, AffAdmin, AffOwner,
// AffOutcast) to room, as the room tells its admins (§9.5, §10.5).
func (r *Rooms) Affiliates(ctx context.Context, room, affiliation string) ([]Affiliate, error) {
	conn, err := r.h.Conn()
	if err != nil {
		return nil, err
	}
	items, err := wire.Affiliated(ctx, conn, room, affiliation)
	if err != nil {
		return nil, refused(err)
	}
	out := make([]Affiliate, 0, len(items))
	for _, it := range items {
		if it.JID != "" {
			out = append(out, Affiliate{JID: xmpp.BareJID(it.JID), Nick: it.Nick, Reason: it.Reason})
		}
	}
	slices.SortFunc(out, func(a, b Affiliate) int { return strings.Compare(a.JID, b.JID) })
	return out, nil
}
