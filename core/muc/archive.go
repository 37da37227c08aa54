package muc

import (
	"context"
	"errors"
	"time"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/mam"
	wire "github.com/causerie/causerie/core/xmpp/muc"
	"github.com/causerie/causerie/core/xmpp/reactions"
	"github.com/causerie/causerie/core/xmpp/retract"
	"gosrc.io/xmpp/stanza"
)

// A room's history (XEP-0313 on the room's address). A room that keeps an
// archive is entered asking for no history (<history maxstanzas='0'/>):
// once in, what was said since the last message we hold is read from its
// archive, page after page, and stored in one transaction a page,
// deduplicated by the room's stanza-id (and our own messages by their
// origin-id), so that nothing said while we were away is missed and
// nothing is stored twice. A room we never saw gives its last
// firstWindow messages. A room without an archive sends its recent
// history on entering, stored as it comes (message).

// Sizes of the room archive's pages: firstWindow for a room we have no
// message of, roomPage after that (the servers' largest: Prosody's
// max_archive_query_results is set to 250 in our tests, ejabberd's is
// fixed at 250).
var (
	firstWindow = 50
	roomPage    = 250
)

// roomTimeout bounds one archive page, and the room's disco#info before
// we enter.
const roomTimeout = 30 * time.Second

// CatchUpDone: the room's archive was read since our last message (Err
// nil), or stopped on Err; Stored messages were new.
type CatchUpDone struct {
	core.FeatureEvent
	Room   string
	Stored int
	Err    error
}

// sendJoin asks to enter rm's room: first, once per room, whether it
// keeps an archive (its disco#info), so that it gives no history on
// entering when the archive will. Runs the IQ on its own goroutine.
func (r *Rooms) sendJoin(conn *xmpp.Conn, rm *entry) {
	r.mu.Lock()
	known, archived := rm.archived != 0, rm.archived > 0
	jid, nick, password := rm.jid, rm.nick, rm.password
	r.mu.Unlock()
	if known {
		conn.Send(r.joinPresence(jid, nick, password, archived))
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), roomTimeout)
		defer cancel()
		info, err := wire.GetRoomInfo(ctx, conn, jid)
		r.mu.Lock()
		if err == nil {
			noteInfoLocked(rm, info)
		}
		archived := rm.archived > 0
		nick := rm.nick
		current := r.rooms[jid] == rm && !rm.joined // not left meanwhile
		r.mu.Unlock()
		if current {
			conn.Send(r.joinPresence(jid, nick, password, archived))
		}
	}()
}

// noteInfoLocked keeps what rm's room says of itself that we act on.
func noteInfoLocked(rm *entry, info wire.RoomInfo) {
	rm.archived = -1
	if info.Archived {
		rm.archived = 1
	}
	rm.occupantIDs = info.OccupantIDs
	rm.moderation = info.Moderation
}

// learn asks a room we entered without knowing it (it did not exist
// yet) what it is, for the next entries and its occupant ids.
func (r *Rooms) learn(conn *xmpp.Conn, rm *entry) {
	ctx, cancel := context.WithTimeout(context.Background(), roomTimeout)
	defer cancel()
	info, err := wire.GetRoomInfo(ctx, conn, rm.jid)
	if err != nil {
		return // asked again at the next entry
	}
	r.mu.Lock()
	noteInfoLocked(rm, info)
	r.mu.Unlock()
}

// deliverResult takes the archive results of our queries (mam.Shared:
// another feature's handler may see ours first, and hand them on).
func (r *Rooms) deliverResult(m *stanza.Message) bool { return mam.Shared.Deliver(m) }

// catchUp reads room's archive since the last message we hold, after we
// entered it.
func (r *Rooms) catchUp(conn *xmpp.Conn, room string) {
	stored, err := r.readArchive(conn, room)
	if err != nil {
		r.h.Logf("muc: the archive of %s: %v", room, err)
	}
	r.h.Publish(CatchUpDone{FeatureEvent: r.ev(), Room: room, Stored: stored, Err: err})
}

// lastHeld is how far back lastRoomID looks for the room's last message.
const lastHeld = 500

// maxRoomPages bounds one catch-up (100,000 messages): an archive that
// never says it is complete cannot keep us reading.
const maxRoomPages = 400

// lastRoomID is the room's id of the last message it gave us: the
// latest of its messages we received (not a private message, whose id
// is our server's) among the last lastHeld stored.
func (r *Rooms) lastRoomID(room string) (string, error) {
	msgs, err := r.h.History().Latest(r.h.Account(), room, lastHeld)
	if err != nil {
		return "", err
	}
	for i := len(msgs) - 1; i >= 0; i-- {
		if m := msgs[i]; m.Type == "groupchat" && m.Direction == history.In && m.StanzaID != "" {
			return m.StanzaID, nil
		}
	}
	return "", nil
}

func (r *Rooms) readArchive(conn *xmpp.Conn, room string) (int, error) {
	lastID, err := r.lastRoomID(room)
	if err != nil {
		return 0, err
	}
	q := mam.Query{Max: firstWindow, Last: true}
	if lastID != "" {
		q = mam.Query{Max: roomPage, After: lastID}
	}
	// The next page is asked for as soon as this one's end is known,
	// and comes while this one is stored.
	type fetched struct {
		pg  mam.Page
		err error
	}
	next := make(chan fetched, 1)
	fetch := func(q mam.Query) {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), roomTimeout)
			defer cancel()
			pg, err := mam.Shared.Fetch(ctx, conn, room, q)
			next <- fetched{pg, err}
		}()
	}
	fetch(q)
	total := 0
	for pages := 1; ; pages++ {
		f := <-next
		var se *xmpp.StanzaError
		if f.err != nil && q.After != "" && total == 0 && errors.As(f.err, &se) && se.Condition == "item-not-found" {
			// Our last message is no longer in the archive (expired):
			// its last window, then.
			q = mam.Query{Max: firstWindow, Last: true}
			fetch(q)
			continue
		}
		if f.err != nil {
			return total, f.err
		}
		pg := f.pg
		// Done at the archive's end, or when a page does not move on
		// (an archive that never says it is complete).
		done := q.Last || pg.Fin.Complete || len(pg.Results) == 0 || pg.Fin.Last == "" ||
			pg.Fin.Last == q.After || pages >= maxRoomPages
		if !done {
			q = mam.Query{Max: roomPage, After: pg.Fin.Last}
			fetch(q)
		}
		n, err := r.storeArchived(room, pg.Results)
		total += n
		if err != nil {
			return total, err
		}
		if done {
			return total, nil
		}
	}
}

// storeArchived stores a page of room's archive in one transaction and
// publishes what was new.
func (r *Rooms) storeArchived(room string, results []*mam.Result) (int, error) {
	acct := r.h.Account()
	r.mu.Lock()
	me, ids := "", false
	if rm, ok := r.rooms[room]; ok {
		me, ids = rm.nick, rm.occupantIDs
	}
	r.mu.Unlock()
	now := time.Now()
	// Not refetchable: a room's catch-up starts after the newest message
	// stored, and a live one stored meanwhile could outlive a page lost.
	b := &history.Burst{}
	var reacts []func() // kept once the page is stored
	for _, res := range results {
		m := res.Message
		if m == nil || m.Type != stanza.MessageTypeGroupchat || !xmpp.SameBare(m.From, room) {
			continue // not the room's
		}
		nick := xmpp.ResourceOf(m.From)
		if target, emojis, ok := reactions.Of(*m); ok {
			at := res.Stamp
			if at.IsZero() {
				at = now
			}
			sender := reactionSender(acct, room, me, nick)
			reacts = append(reacts, func() { r.h.Reacted(room, target, sender, emojis, at) })
		}
		if target, ok := retract.Of(*m); ok {
			may := retractionBy(me, nick, ids, m)
			reacts = append(reacts, func() { r.h.Retract(room, target, may, false) })
			continue // its body is no message
		}
		if target, _, _, ok := retract.Moderation(*m); ok && nick == "" {
			reacts = append(reacts, func() { r.h.Retract(room, target, anyOfRoom, true) })
			continue
		}
		if retract.Tombstone(*m) && res.ID != "" {
			// What the archive keeps of a message taken back: if we
			// have the message, it goes.
			reacts = append(reacts, func() { r.h.Retract(room, res.ID, anyOfRoom, true) })
			continue
		}
		if m.Body == "" {
			continue // a subject, a chat state, reactions
		}
		sent := res.Stamp
		if sent.Nanosecond() == 0 && !sent.IsZero() {
			// Dated to the second (Prosody): it came at some time in
			// that second; its end keeps it after what we stored live
			// in that second before it (core's archive does the same).
			sent = sent.Add(time.Second - time.Millisecond)
		}
		if sent.IsZero() || sent.After(now) {
			sent = now
		}
		hm := incoming(acct, room, nick, "groupchat", m, res.ID, sent, now, ids)
		if nick == me && hm.OriginID != "" {
			if _, found, err := r.h.History().FindByOriginID(acct, room, hm.OriginID, history.Out); err == nil && found {
				continue // ours, stored when we sent it
			}
			// Anyone may have had our nick while we were away: what
			// we did not send is theirs, as the live path stores it.
		}
		b.Adds = append(b.Adds, &hm)
	}
	defer func() {
		for _, f := range reacts {
			f()
		}
	}()
	if len(b.Adds) == 0 {
		return 0, nil
	}
	if err := r.h.History().Commit(b); err != nil {
		return 0, err
	}
	n := 0
	for i, hm := range b.Adds {
		if b.Dup[i] {
			continue
		}
		n++
		r.h.Publish(MessageReceived{FeatureEvent: r.ev(), Message: *hm, Archived: true})
	}
	return n, nil
}
