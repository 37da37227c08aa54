package muc

import (
	"context"
	"time"

	"github.com/causerie/causerie/core/xmpp"
	wire "github.com/causerie/causerie/core/xmpp/muc"
)

// Self-ping (XEP-0410: MUC Self-Ping): a room that dropped us without a
// word (its service restarted, a link between servers broke) only looks
// quiet. After quietBeforePing without a stanza from a room we are in,
// and after every resumption of our own link, we ping our occupant
// address there, and join again when the room no longer has us. With no
// answer, we ask again after the next quiet spell.

// quietBeforePing is how long a room may stay silent before we check we
// are still in it (XEP-0410 §3.1 suggests 15 minutes; a variable for
// tests).
var quietBeforePing = 15 * time.Minute

// selfPingTimeout bounds one self-ping.
const selfPingTimeout = 30 * time.Second

// heardLocked notes that rm's room just sent us something: its quiet
// spell starts again. r.mu is held.
func (r *Rooms) heardLocked(rm *entry) {
	if rm.quiet != nil {
		rm.quiet.Reset(quietBeforePing)
		return
	}
	rm.quiet = time.AfterFunc(quietBeforePing, func() {
		if conn, err := r.h.Conn(); err == nil {
			r.check(conn, rm)
		}
	})
}

// stopLocked stops rm's quiet timer (we left, or went offline). r.mu is
// held.
func stopLocked(rm *entry) {
	if rm.quiet != nil {
		rm.quiet.Stop()
		rm.quiet = nil
	}
}

// checkRooms self-pings every room we are in (after a resumption).
func (r *Rooms) checkRooms(conn *xmpp.Conn) {
	r.mu.Lock()
	var in []*entry
	for _, rm := range r.rooms {
		if rm.joined {
			in = append(in, rm)
		}
	}
	r.mu.Unlock()
	for _, rm := range in {
		r.check(conn, rm)
	}
}

// check self-pings rm's room and joins it again when the room no longer
// has us.
func (r *Rooms) check(conn *xmpp.Conn, rm *entry) {
	r.mu.Lock()
	current := r.rooms[rm.jid] == rm && rm.joined
	nick := rm.nick
	r.mu.Unlock()
	if !current {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), selfPingTimeout)
	defer cancel()
	switch wire.SelfPing(ctx, conn, rm.jid, nick) {
	case wire.JoinedNo:
		r.h.Logf("muc: %s no longer had us: joining again", rm.jid)
		r.mu.Lock()
		if r.rooms[rm.jid] != rm {
			r.mu.Unlock()
			return
		}
		rm.joined, rm.occupants = false, map[string]Occupant{}
		r.mu.Unlock()
		r.sendJoin(conn, rm)
	default:
		// In, or no answer: look again after the next quiet spell.
		r.mu.Lock()
		if r.rooms[rm.jid] == rm {
			r.heardLocked(rm)
		}
		r.mu.Unlock()
	}
}
