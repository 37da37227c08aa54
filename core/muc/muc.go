// Package muc keeps an account's group chats (XEP-0045: Multi-User Chat)
// as a feature on core's session hook: the rooms the user is in, their
// occupants and subjects, and their messages, stored in the history with
// the sender's nick before they are acknowledged, like one-to-one
// messages. The rooms the user joined are joined again at each sign-in;
// our own messages are recognised when the room reflects them (by their
// origin-id) and shown as delivered, never twice. Invitations of both
// kinds (XEP-0045 mediated, XEP-0249 direct) are published. The
// account's bookmarks are read after each sign-in, and the rooms they
// mark autojoin entered (bookmarks.go). A room that has been quiet for
// a while, or after our link was resumed, is checked with a self-ping
// (XEP-0410) and joined again if it dropped us (selfping.go). A room that
// keeps an archive (XEP-0313) is entered without its recent history, which
// its archive gives instead, since the last message we hold
// (archive.go).
//
// A client gets it with core.Options{Features: []*core.Feature{
// muc.Feature}}; Of gives a session's rooms. The protocol is in
// core/xmpp/muc.
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
	bm "github.com/causerie/causerie/core/xmpp/bookmarks"
	"github.com/causerie/causerie/core/xmpp/delay"
	wire "github.com/causerie/causerie/core/xmpp/muc"
	"github.com/causerie/causerie/core/xmpp/oob"
	"github.com/causerie/causerie/core/xmpp/reactions"
	"github.com/causerie/causerie/core/xmpp/reply"
	"github.com/causerie/causerie/core/xmpp/retract"
	"github.com/causerie/causerie/core/xmpp/sid"
	"gosrc.io/xmpp/stanza"
)

// Feature plugs group chats into a client's sessions.
var Feature = &core.Feature{Name: "muc", Attach: attach, Disco: []string{wire.NSConference, bm.NSNotify}}

// Occupant is someone in a room, as the room shows them.
type Occupant struct {
	Nick        string
	JID         string // their real JID, where the room shows it
	Affiliation string // wire.Aff*
	Role        string // wire.Role*
	Show        string // "", "away", "chat", "dnd", "xa"
	Status      string
}

// Joined: we are in Room as Nick; Occupants are those there when we came
// in (the room sends them before our own presence). Created: the room
// was made by this join: an instant room, with the service's defaults,
// or with JoinReserved, Locked: a room waiting for us to configure it.
type Joined struct {
	core.FeatureEvent
	Room, Nick string
	Created    bool
	Locked     bool
	Occupants  []Occupant
	Codes      []int // the status codes of our presence (wire.Status*)
}

// JoinFailed: the room refused us; Err matches one of wire's Err*
// reasons (errors.Is).
type JoinFailed struct {
	core.FeatureEvent
	Room, Nick string
	Err        error
}

// NickRefused: the room refused the nick we asked for (ChangeNick); Err
// matches wire.ErrNickInUse when someone has it.
type NickRefused struct {
	core.FeatureEvent
	Room string
	Err  error
}

// Left: we are no longer in Room. Reason is "" when we left, "offline"
// when we signed out (the room is entered again at the next sign-in),
// else why the room removed us ("kicked", "banned", "destroyed",
// "affiliation", "members-only", "shutdown", "error"), with who did it
// and what they said.
type Left struct {
	core.FeatureEvent
	Room, Reason, Actor, Text string
	Alternate                 string // a destroyed room's replacement, if any
}

// OccupantChanged: an occupant came, changed (role, presence, nick) or
// left (Gone). With a nick change, OldNick is the former one.
type OccupantChanged struct {
	core.FeatureEvent
	Room     string
	Occupant Occupant
	OldNick  string
	Gone     bool
}

// SubjectChanged: the room's subject is Subject, set by the occupant By
// ("" when the room gave it on joining without a name).
type SubjectChanged struct {
	core.FeatureEvent
	Room, Subject, By string
}

// MessageReceived: a room message was stored (Message.Resource is the
// sender's nick).
type MessageReceived struct {
	core.FeatureEvent
	Message history.Message
	// Archived: read from the room's archive after we entered (what
	// was said while we were away), not said now.
	Archived bool
}

// Invited: someone invites us into a room. Sender is who sent the
// invitation: the inviter of a direct one, the room of a mediated one
// (whose inviter is only what the room, or whoever poses as one,
// claims). The reason is cut to maxReason bytes.
type Invited struct {
	core.FeatureEvent
	Invitation wire.Invitation
	Sender     string
}

// Declined: From declined our invitation into Room (a mediated one:
// the room passes the answer on). The reason is cut to maxReason bytes.
type Declined struct {
	core.FeatureEvent
	Room, From, Reason string
}

// InviteFailed: the room refused to pass on our invitation of To
// (XEP-0045 §7.8.2: we may not invite, or To is banned). Err is one of
// ErrNotAllowed, ErrNoSuchRoom, ErrUnsupported, or the room's error.
type InviteFailed struct {
	core.FeatureEvent
	Room, To string
	Err      error
}

// maxReason bounds an invitation's reason.
const maxReason = 500

// cutReason cuts an invitation's or a decline's reason to maxReason
// bytes.
func cutReason(s string) string {
	if len(s) <= maxReason {
		return s
	}
	return strings.ToValidUTF8(s[:maxReason], "") + "…"
}

// Rooms is one session's group chats.
type Rooms struct {
	h *core.Hook

	mu      sync.Mutex
	rooms   map[string]*entry // by the room's bare JID
	bm      bookmarkState
	invites map[string]invite // mediated invitations sent, by stanza id, for the room's refusal
}

// invite is a mediated invitation we sent: of to into room.
type invite struct{ room, to string }

// entry is a room we are in or entering.
type entry struct {
	jid, nick, password string
	// asked is the nick a ChangeNick asked for, until the room says
	// (our presence under it, or a refusal): our presence changes
	// meanwhile go under it, or the room would take them for a change
	// back to the old one.
	asked       string
	joined      bool        // our own presence came
	autojoin    bool        // entered from a bookmark
	reserve     bool        // a room this join creates is configured before it opens (JoinReserved)
	tries       int         // autojoin: times the room was found locked
	quiet       *time.Timer // fires after a quiet spell: self-ping
	archived    int8        // the room keeps an archive: 1, -1 not, 0 unknown yet
	occupantIDs bool        // the room names its occupants (XEP-0421): its ids are trusted
	moderation  string      // the XEP-0425 namespace it takes moderations in, "" none
	occupants   map[string]Occupant
	subject     string
}

// Of is the group chats of s, or nil when s's client was made without
// Feature.
func Of(s *core.Session) *Rooms {
	r, _ := s.Feature(Feature).(*Rooms)
	return r
}

func attach(h *core.Hook) any {
	r := &Rooms{h: h, rooms: map[string]*entry{}, invites: map[string]invite{}}
	h.HandlePresence(r.presence)
	h.HandleMessage(r.message)
	h.ClaimUnfinished(r.claimUnfinished)
	h.OnPresenceChanged(r.presenceChanged)
	h.OnOnline(func(_ context.Context, conn *xmpp.Conn) {
		// The rooms the user is in are entered again (each with its
		// own presence: the server's copy of ours went with the old
		// connection).
		r.mu.Lock()
		var again []*entry
		for _, rm := range r.rooms {
			rm.joined, rm.occupants, rm.asked = false, map[string]Occupant{}, ""
			again = append(again, rm)
		}
		r.mu.Unlock()
		for _, rm := range again {
			r.sendJoin(conn, rm)
		}
	})
	// After the first presence, on its own goroutine: the bookmarks,
	// and the rooms they say to enter.
	h.OnPresent(r.readBookmarks)
	// A resumed link may come back to rooms that dropped us meanwhile.
	h.OnResumed(func(conn *xmpp.Conn) { go r.checkRooms(conn) })
	h.OnOffline(func() {
		r.mu.Lock()
		var left []string
		for _, rm := range r.rooms {
			if rm.joined {
				left = append(left, rm.jid)
			}
			rm.joined, rm.occupants = false, map[string]Occupant{}
			stopLocked(rm)
		}
		r.bm.read = false
		r.mu.Unlock()
		for _, room := range left {
			// Entered again at the next sign-in.
			r.h.Publish(Left{FeatureEvent: r.ev(), Room: room, Reason: "offline"})
		}
	})
	return r
}

// Errors of the actions.
var (
	ErrNotInRoom      = errors.New("muc: not in that room")
	ErrNotRoomAddress = errors.New("muc: not a room's address")
	ErrNoNick         = errors.New("muc: a nick is needed")
	ErrNoOccupant     = errors.New("muc: no one has that nick in the room")
)

// Join enters room as nick (with its password, "" when it has none). The
// answer comes as an event: Joined, or JoinFailed. The room is entered
// again at each sign-in until Leave.
func (r *Rooms) Join(room, nick, password string) error {
	return r.join(room, nick, password, false, false)
}

// JoinReserved is Join, except that a room this join creates is left
// locked for us to configure before anyone else can enter (a reserved
// room, §10.1.3): Joined says Locked, and Configure (Config gives the
// form) or CancelNew follows. A room that exists is simply entered.
func (r *Rooms) JoinReserved(room, nick, password string) error {
	return r.join(room, nick, password, false, true)
}

// CancelNew gives up a room JoinReserved created and that is still
// locked: it is closed, as the service does when its owner cancels the
// first configuration (§10.1.3), and we are out of it.
func (r *Rooms) CancelNew(ctx context.Context, room string) error {
	conn, err := r.h.Conn()
	if err != nil {
		return err
	}
	// The first configuration cancelled: the service closes a room
	// still locked (ejabberd). One that opened at once (Prosody without
	// room locking) is closed by its owner.
	if err := wire.CancelConfig(ctx, conn, room); err != nil {
		r.h.Logf("muc: cancelling the configuration of %s: %v", room, err) // closed below
	}
	if err := r.Destroy(ctx, room, ""); err != nil && !errors.Is(err, ErrNoSuchRoom) {
		return err
	}
	// A room that was never opened may close without telling us
	// (ejabberd): we are out of it all the same.
	r.mu.Lock()
	rm, ok := r.rooms[room]
	if ok {
		stopLocked(rm)
		delete(r.rooms, room)
	}
	r.mu.Unlock()
	if ok {
		r.h.Publish(Left{FeatureEvent: r.ev(), Room: room, Reason: "destroyed"})
	}
	return nil
}

// lockedRetry: an autojoin that finds the room locked (being made,
// XEP-0045 §10.1.2: by another of our devices from the same bookmark)
// tries again after each of these.
var lockedRetry = []time.Duration{300 * time.Millisecond, time.Second, 3 * time.Second}

// rejoin asks again to enter rm's room, if it is still to be entered.
func (r *Rooms) rejoin(rm *entry) {
	r.mu.Lock()
	current := r.rooms[rm.jid] == rm && !rm.joined
	r.mu.Unlock()
	if !current {
		return
	}
	if conn, err := r.h.Conn(); err == nil {
		r.sendJoin(conn, rm)
	}
}

// ourShow is our presence as a room may be told it: in a room there is
// no invisible (entering shows us).
func (r *Rooms) ourShow() (show, status string) {
	p := r.h.Presence()
	if p.Show == core.ShowInvisible {
		return "", p.Status
	}
	return string(p.Show), p.Status
}

// joinPresence is the presence that enters room, with our show and
// status.
func (r *Rooms) joinPresence(room, nick, password string, noHistory bool) *stanza.Presence {
	p := wire.Join(room, nick, password, noHistory)
	show, status := r.ourShow()
	p.Show, p.Status = stanza.PresenceShow(show), status
	return p
}

// presenceChanged tells the rooms we are in our new show and status
// (§7.7): the server passes our presence to contacts only. A room we are
// entering gets them with the join, which reads them when it is sent.
func (r *Rooms) presenceChanged(conn *xmpp.Conn, _ core.Presence) {
	show, status := r.ourShow()
	r.mu.Lock()
	var out []*stanza.Presence
	for _, rm := range r.rooms {
		if rm.joined {
			nick := rm.nick
			if rm.asked != "" {
				nick = rm.asked
			}
			out = append(out, wire.Available(rm.jid, nick, show, status))
		}
	}
	r.mu.Unlock()
	for _, p := range out {
		conn.Send(p)
	}
}

// join is Join; autojoin (a bookmark's): nothing is done when we are in
// the room or entering it (it may come twice at once), and a locked room
// is tried again.
func (r *Rooms) join(room, nick, password string, autojoin, reserve bool) error {
	room = strings.TrimSpace(room)
	nick = strings.TrimSpace(nick)
	j, err := core.ParseJID(room)
	if err != nil || strings.Contains(room, "/") || !strings.Contains(room, "@") {
		return fmt.Errorf("%w: %q", ErrNotRoomAddress, room)
	}
	room = j.Bare().String() // as the GUI keys it
	if nick == "" {
		return ErrNoNick
	}
	conn, err := r.h.Conn()
	if err != nil {
		return err
	}
	r.mu.Lock()
	if _, in := r.rooms[room]; in && autojoin {
		r.mu.Unlock()
		return nil
	}
	rm := &entry{jid: room, nick: nick, password: password, autojoin: autojoin, reserve: reserve, occupants: map[string]Occupant{}}
	if old, ok := r.rooms[room]; ok {
		rm.archived, rm.occupantIDs, rm.moderation = old.archived, old.occupantIDs, old.moderation
	}
	r.rooms[room] = rm
	r.mu.Unlock()
	if err := r.h.History().SetRoom(r.h.Account(), room); err != nil {
		r.h.Logf("muc: %s as a room in the history: %v", room, err)
	}
	r.sendJoin(conn, rm)
	return nil
}

// Leave leaves room (and it is no longer entered at sign-in).
func (r *Rooms) Leave(room string) error {
	r.mu.Lock()
	rm, ok := r.rooms[room]
	var nick string
	if ok {
		nick = rm.nick
		stopLocked(rm)
	}
	delete(r.rooms, room)
	r.mu.Unlock()
	if !ok {
		return ErrNotInRoom
	}
	r.h.Publish(Left{FeatureEvent: r.ev(), Room: room})
	conn, err := r.h.Conn()
	if err != nil {
		return nil // offline: nothing to tell the room
	}
	return conn.Send(wire.Leave(room, nick, ""))
}

// Say sends body to everyone in room and stores it: published at once
// (MessageReceived, Direction history.Out), sent, then delivered when the
// room reflects it.
func (r *Rooms) Say(room, body string) (history.Message, error) {
	nick, joined := r.ourNick(room)
	if !joined {
		return history.Message{}, ErrNotInRoom
	}
	return r.sendStored(history.Message{Peer: room, Resource: nick, Type: "groupchat", Body: body}, false, func(id string) *stanza.Message {
		return wire.Say(room, body, id)
	})
}

// SayReply sends everyone in room body as an answer to message to of the
// room (XEP-0461, with a quotation of it for clients without replies), as
// Say sends a message. A message is named by the room's stanza-id
// (XEP-0461 §3; ours as its reflection brought it), else its origin-id.
func (r *Rooms) SayReply(room, body string, to history.Message) (history.Message, error) {
	nick, joined := r.ourNick(room)
	if !joined {
		return history.Message{}, ErrNotInRoom
	}
	id, author := core.Reference(to), room+"/"+to.Resource
	if to.Direction == history.Out {
		author = room + "/" + nick
	}
	if id == "" {
		return history.Message{}, ErrNoReference
	}
	m := history.Message{Peer: room, Resource: nick, Type: "groupchat", Body: body,
		ReplyID: id, ReplyTo: author, ReplyQuote: core.QuoteOf(to)}
	return r.sendStored(m, false, func(oid string) *stanza.Message {
		st := wire.Say(room, body, oid)
		reply.Add(st, m.ReplyID, m.ReplyTo, m.ReplyQuote)
		return st
	})
}

// ErrNoReference: the message cannot be answered (a room's message
// without an id to name it by).
var ErrNoReference = errors.New("muc: this message cannot be answered")

// SayFile sends everyone in room the address of a file uploaded for it
// (core/upload's Upload), marked as a file (XEP-0066), as Say sends a
// message; local and size are the file on this computer, kept with the
// message (history.Message.File).
func (r *Rooms) SayFile(room, url, local string, size int64) (history.Message, error) {
	nick, joined := r.ourNick(room)
	if !joined {
		return history.Message{}, ErrNotInRoom
	}
	m := history.Message{Peer: room, Resource: nick, Type: "groupchat", Body: url, OOB: url, File: local, FileSize: size}
	return r.sendStored(m, false, func(id string) *stanza.Message {
		m := wire.Say(room, url, id)
		oob.Add(m, url, "")
		return m
	})
}

// ourNick is our nick in room, and whether we are in it.
func (r *Rooms) ourNick(room string) (nick string, joined bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	rm, ok := r.rooms[room]
	if !ok {
		return "", false
	}
	return rm.nick, rm.joined
}

// sendStored stores our message m to a room (m's Peer, Resource: our
// nick, or the occupant's a private message goes to; Type, Body, OOB) as
// pending and publishes it, so that it shows at once, like a one-to-one
// message of ours; then sends what build makes of it with its
// origin-id, and moves it to sent, or to failed ("not-sent": the text
// goes back in the box to try again). acked: the server's
// acknowledgement moves it on (a room's reflection does for a message
// to everyone).
func (r *Rooms) sendStored(m history.Message, acked bool, build func(id string) *stanza.Message) (history.Message, error) {
	if len(m.Body) > core.MaxMessageBytes {
		return history.Message{}, core.ErrMessageTooLong
	}
	conn, err := r.h.Conn()
	if err != nil {
		return history.Message{}, err
	}
	id := sid.New()
	account, room := r.h.Account(), m.Peer
	m.Account, m.Direction, m.OriginID, m.Sent, m.State = account, history.Out, id, time.Now(), history.StatePending
	if err := r.h.History().Add(&m); err != nil {
		return history.Message{}, err
	}
	r.h.Publish(MessageReceived{FeatureEvent: r.ev(), Message: m})
	move := func(st history.State, reason string) {
		r.h.Move(history.Move{ID: m.ID, State: st, Reason: reason}, func(moved bool) {
			if moved {
				r.h.Publish(core.MessageStateChanged{Account: account, ID: m.ID, Peer: room, State: st, Reason: reason})
			}
		})
	}
	if acked {
		err = conn.SendAcked(build(id), func() { move(history.StateAcked, "") })
	} else {
		err = conn.Send(build(id))
	}
	if err != nil {
		move(history.StateError, "not-sent")
		return m, err
	}
	move(history.StateSent, "")
	return m, nil
}

// SetSubject changes room's subject (where the room lets us).
func (r *Rooms) SetSubject(room, subject string) error {
	if !r.In(room) {
		return ErrNotInRoom
	}
	conn, err := r.h.Conn()
	if err != nil {
		return err
	}
	return conn.Send(wire.SetSubject(room, subject))
}

// In reports whether we are in room.
func (r *Rooms) In(room string) bool {
	return of(r, room, func(rm *entry) bool { return rm.joined })
}

// Nick is our nick in room ("" when not in it).
func (r *Rooms) Nick(room string) string {
	return of(r, room, func(rm *entry) string { return rm.nick })
}

// Subject is room's subject.
func (r *Rooms) Subject(room string) string {
	return of(r, room, func(rm *entry) string { return rm.subject })
}

// Occupants lists room's occupants, sorted by nick.
func (r *Rooms) Occupants(room string) []Occupant {
	return of(r, room, func(rm *entry) []Occupant { return sortedOccupants(rm.occupants) })
}

// of reads what get gives of room's entry under the lock; the zero value
// when we are neither in the room nor entering it.
func of[T any](r *Rooms, room string, get func(*entry) T) T {
	r.mu.Lock()
	defer r.mu.Unlock()
	if rm, ok := r.rooms[room]; ok {
		return get(rm)
	}
	var zero T
	return zero
}

func sortedOccupants(m map[string]Occupant) []Occupant {
	out := make([]Occupant, 0, len(m))
	for _, o := range m {
		out = append(out, o)
	}
	slices.SortFunc(out, func(a, b Occupant) int { return strings.Compare(a.Nick, b.Nick) })
	return out
}

// ev is the FeatureEvent of this session's events.
func (r *Rooms) ev() core.FeatureEvent { return core.FeatureEvent{Account: r.h.Account()} }

// presence takes the presences of the rooms we are in or entering.
func (r *Rooms) presence(c *xmpp.Conn, p *stanza.Presence) bool {
	jid := xmpp.BareJID(p.From)
	r.mu.Lock()
	rm, ok := r.rooms[jid]
	var nick string
	var wasJoined bool
	if ok {
		nick, wasJoined = rm.nick, rm.joined
		r.heardLocked(rm)
	}
	r.mu.Unlock()
	if !ok {
		return false
	}
	if err := wire.JoinError(p); err != nil {
		if wasJoined {
			// In the room already: what it refused is a nick change.
			r.mu.Lock()
			rm.asked = ""
			r.mu.Unlock()
			r.h.Publish(NickRefused{FeatureEvent: r.ev(), Room: jid, Err: err})
			return true
		}
		r.mu.Lock()
		retry := rm.autojoin && !rm.joined && rm.tries < len(lockedRetry) && errors.Is(err, wire.ErrRoomLocked)
		if !rm.joined && r.rooms[jid] == rm && !retry {
			stopLocked(rm)
			delete(r.rooms, jid)
		}
		var wait time.Duration
		if retry {
			wait = lockedRetry[rm.tries]
			rm.tries++
		}
		r.mu.Unlock()
		if retry {
			// A room another device of ours (or anyone) is making
			// from the same bookmark: it opens once set up.
			time.AfterFunc(wait, func() { r.rejoin(rm) })
			return true
		}
		r.h.Publish(JoinFailed{FeatureEvent: r.ev(), Room: jid, Nick: nick, Err: err})
		return true
	}
	op, ok := wire.ParsePresence(p)
	if !ok {
		return true // from the room, but not an occupant's: nothing to do
	}
	occ := Occupant{Nick: op.Nick, JID: op.Item.JID, Affiliation: op.Item.Affiliation, Role: op.Item.Role,
		Show: string(op.Show), Status: op.Status}
	self := op.Self || op.Nick == nick && !wasJoined
	switch {
	case self && op.Unavailable && slices.Contains(op.Codes, wire.StatusNickChange):
		r.mu.Lock()
		delete(rm.occupants, op.Nick)
		rm.nick, rm.asked = op.Item.Nick, "" // (what the room gave, asked or not)
		r.mu.Unlock()
		// Our presence under the new nick follows.
		r.h.Publish(OccupantChanged{FeatureEvent: r.ev(), Room: jid, Occupant: occ, Gone: true})
		return true
	case self && op.Unavailable && op.Removed() == "":
		// Not removed and not our Leave (which forgets the room first):
		// our own unavailable presence, signing out, ended the visit.
		// The room is entered again at the next sign-in.
		r.mu.Lock()
		rm.joined, rm.occupants = false, map[string]Occupant{}
		r.mu.Unlock()
		r.h.Publish(Left{FeatureEvent: r.ev(), Room: jid, Reason: "offline"})
		return true
	case self && op.Unavailable:
		r.mu.Lock()
		if r.rooms[jid] == rm {
			stopLocked(rm)
			delete(r.rooms, jid)
		}
		r.mu.Unlock()
		left := Left{FeatureEvent: r.ev(), Room: jid, Reason: op.Removed(), Text: strings.TrimSpace(op.Item.Reason)}
		if a := op.Item.Actor; a != nil {
			left.Actor = a.Nick
			if left.Actor == "" {
				left.Actor = a.JID
			}
		}
		if op.Destroy != nil {
			left.Alternate = op.Destroy.JID
			left.Text = strings.TrimSpace(op.Destroy.Reason)
		}
		r.h.Publish(left)
		return true
	case self:
		r.mu.Lock()
		first := !rm.joined
		archived, unknown, reserve := rm.archived > 0, rm.archived == 0, rm.reserve
		rm.reserve = false                 // entering it again (after a lost link) makes no new room
		rm.joined, rm.nick = true, op.Nick // the room may have changed it (210)
		if rm.asked == op.Nick {
			rm.asked = "" // (a change asked for again meanwhile stays asked)
		}
		rm.occupants[op.Nick] = occ
		occupants := sortedOccupants(rm.occupants)
		r.mu.Unlock()
		if first {
			created := slices.Contains(op.Codes, wire.StatusCreated)
			locked := created && reserve
			if locked {
				go r.learn(c, rm)
			} else if created {
				// A new room is locked until configured: accept the
				// service's defaults (an instant room, §10.1.2).
				go func() {
					ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
					defer cancel()
					if err := wire.CreateInstant(ctx, c, jid); err != nil {
						r.h.Logf("muc: unlocking the new room %s: %v", jid, err)
					}
					r.learn(c, rm)
				}()
			} else if unknown {
				go r.learn(c, rm)
			}
			r.h.Publish(Joined{FeatureEvent: r.ev(), Room: jid, Nick: op.Nick, Created: created, Locked: locked, Occupants: occupants, Codes: op.Codes})
			if archived && !created {
				go r.catchUp(c, jid) // what was said while we were away
			}
		} else {
			r.h.Publish(OccupantChanged{FeatureEvent: r.ev(), Room: jid, Occupant: occ})
		}
		return true
	}
	r.mu.Lock()
	ev := OccupantChanged{FeatureEvent: r.ev(), Room: jid, Occupant: occ, Gone: op.Unavailable}
	if op.Unavailable {
		delete(rm.occupants, op.Nick)
		if slices.Contains(op.Codes, wire.StatusNickChange) && op.Item.Nick != "" {
			// The new nick's presence follows; say it as a change.
			ev = OccupantChanged{FeatureEvent: r.ev(), Room: jid, Occupant: occ, Gone: false, OldNick: op.Nick}
			ev.Occupant.Nick = op.Item.Nick
		}
	} else {
		rm.occupants[op.Nick] = occ
	}
	joined := rm.joined
	r.mu.Unlock()
	if joined {
		// Before our own presence come those already there: Joined
		// lists them all.
		r.h.Publish(ev)
	}
	return true
}

// message takes the group chat messages of our rooms, their subjects, and
// invitations.
func (r *Rooms) message(c *xmpp.Conn, m *stanza.Message) bool {
	if r.deliverResult(m) || r.bookmarkEvent(m) {
		return true
	}
	if m.Type == stanza.MessageTypeError && m.Id != "" {
		r.mu.Lock()
		inv, ok := r.invites[m.Id]
		delete(r.invites, m.Id)
		r.mu.Unlock()
		if ok && xmpp.SameBare(m.From, inv.room) {
			r.h.Publish(InviteFailed{FeatureEvent: r.ev(), Room: inv.room, To: inv.to, Err: refused(xmpp.ErrorOf(m.Error))})
			return true
		}
	}
	if inv, ok := wire.ParseInvitation(m); ok {
		inv.Reason = cutReason(inv.Reason)
		r.h.Publish(Invited{FeatureEvent: r.ev(), Invitation: inv, Sender: xmpp.BareJID(m.From)})
		return true
	}
	if from, reason, ok := wire.ParseDecline(m); ok && m.Type != stanza.MessageTypeError && !strings.Contains(m.From, "/") {
		// From the room itself: an occupant's private message may
		// carry a muc#user element of its own.
		room := xmpp.BareJID(m.From)
		r.mu.Lock()
		_, ours := r.rooms[room]
		r.mu.Unlock()
		if ours {
			r.h.Publish(Declined{FeatureEvent: r.ev(), Room: room, From: xmpp.BareJID(from), Reason: cutReason(reason)})
		}
		return true
	}
	if m.Type != stanza.MessageTypeGroupchat {
		return r.private(c, m)
	}
	jid, nick, _ := strings.Cut(m.From, "/")
	jid = xmpp.BareJID(jid)
	r.mu.Lock()
	rm, ok := r.rooms[jid]
	var me string
	var ids bool
	if ok {
		me, ids = rm.nick, rm.occupantIDs
		r.heardLocked(rm)
	}
	r.mu.Unlock()
	if !ok {
		return false
	}
	if target, emojis, ok := reactions.Of(*m); ok && r.h.Flush(c) {
		r.h.Reacted(jid, target, reactionSender(r.h.Account(), jid, me, nick), emojis, time.Now())
	}
	if target, ok := retract.Of(*m); ok {
		// Its body is for clients without retractions: no message.
		// What it takes back may have come just before it.
		if r.h.Flush(c) {
			r.h.Retract(jid, target, retractionBy(me, nick, ids, m), false)
		}
		return true
	}
	if target, _, _, ok := retract.Moderation(*m); ok {
		// Only the room itself says what its moderators took back.
		if nick == "" && r.h.Flush(c) {
			r.h.Retract(jid, target, anyOfRoom, true)
		}
		return true
	}
	if m.Body == "" {
		// A subject, or nothing we show (a chat state, reactions). An emptied
		// subject (<subject/>) is not told apart yet: the decoder keeps
		// no empty subject.
		if m.Subject != "" {
			r.mu.Lock()
			rm.subject = m.Subject
			r.mu.Unlock()
			r.h.Publish(SubjectChanged{FeatureEvent: r.ev(), Room: jid, Subject: m.Subject, By: nick})
		}
		return true
	}
	account := r.h.Account()
	origin := sid.Origin(m)
	if origin == "" {
		origin = m.Id // rooms with muc#stable_id keep our id
	}
	if nick == me && origin != "" {
		if mine, found, err := r.h.History().FindByOriginID(account, jid, origin, history.Out); err == nil && found {
			// Our own, reflected: delivered to the room.
			// The room's id for it is kept: replies name it so.
			r.h.Move(history.Move{ID: mine.ID, State: history.StateDelivered, StanzaID: sid.StanzaIDBy(m, jid)}, func(moved bool) {
				if moved {
					r.h.Publish(core.MessageStateChanged{Account: account, ID: mine.ID, Peer: jid, State: history.StateDelivered})
				}
			})
			return true
		}
	}
	now := time.Now()
	sent := now
	// The history a room sends on joining carries the room's delay
	// stamp; a stamp from anyone else is a claim we do not take.
	if st, ok := delay.FromMessageBy(m, func(from string) bool { return xmpp.SameBare(from, jid) }); ok && st.Before(now) {
		sent = st
	}
	r.storeIn(c, incoming(account, jid, nick, "groupchat", m, sid.StanzaIDBy(m, jid), sent, now, ids))
	return true
}

// retractionBy says which messages a retraction m from nick may take
// back in a room (XEP-0424 §6): the occupant's own, by occupant id when
// the room gives them (trusted), else by nick. One from our nick takes
// back nothing: ours are taken back when we send them, and whoever had
// our nick before us (the room's history, its archive) is not us.
func retractionBy(me, nick string, trusted bool, m *stanza.Message) func(history.Message) bool {
	return func(o history.Message) bool {
		if nick == me || o.Direction != history.In || o.Type != "groupchat" {
			return false
		}
		if trusted {
			if id := wire.OccupantID(m); id != "" || o.OccupantID != "" {
				return id == o.OccupantID
			}
		}
		return o.Resource == nick
	}
}

// anyOfRoom accepts any message of the room said to the room: what its
// moderators may take back.
func anyOfRoom(o history.Message) bool { return o.Type == "groupchat" }

// reactionSender is who reacted in room, by nick: the occupant's address
// (room/nick, never a bare JID), and our account's JID for ours (me: our
// nick), so that what we sent and its reflection are one.
func reactionSender(account, room, me, nick string) string {
	if nick == me {
		return account
	}
	return room + "/" + nick
}

// incoming is the history record of m, a room's message from nick of
// type typ, with its stanza-id (the room's, or our server's for a
// private message), sent at sent; trusted: the room names its
// occupants (XEP-0421), so m's occupant id is theirs.
func incoming(account, room, nick, typ string, m *stanza.Message, stanzaID string, sent, now time.Time, trusted bool) history.Message {
	hm := history.Message{Account: account, Peer: room, Resource: nick, Direction: history.In, Type: typ,
		Body: m.Body, Subject: m.Subject, WireID: m.Id, OriginID: sid.Origin(m), StanzaID: stanzaID,
		Sent: sent, Received: now, State: history.StateReceived}
	if trusted {
		hm.OccupantID = wire.OccupantID(m)
	}
	hm.OOB = oob.FileURL(m)
	core.Replied(&hm, m)
	return hm
}

// storeIn stores hm as it was received on c (before c acknowledges it)
// and publishes it when it was new.
func (r *Rooms) storeIn(c *xmpp.Conn, hm history.Message) {
	r.h.Store(c, &hm, func(dup bool) {
		if !dup {
			r.h.Publish(MessageReceived{FeatureEvent: r.ev(), Message: hm})
		}
	})
}
