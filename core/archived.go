package core

import (
	"time"

	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/correct"
	"github.com/causerie/causerie/core/xmpp/markers"
	"github.com/causerie/causerie/core/xmpp/reactions"
	"github.com/causerie/causerie/core/xmpp/receipts"
	"github.com/causerie/causerie/core/xmpp/retract"
	"gosrc.io/xmpp/stanza"
)

// Archived is one message read from our account's server archive
// (XEP-0313), for Hook.StoreArchived.
type Archived struct {
	ID      string    // its archive id
	Stamp   time.Time // when the archive received it; zero: unknown
	Message *stanza.Message
}

// ArchivedPage is what Hook.StoreArchived made of a page.
type ArchivedPage struct {
	Stored    int // new messages
	Delivered int // our messages that a receipt in the page marked delivered
	// Earliest is the date given to the page's oldest message (stored
	// or already there): what a page read before it must stay under.
	Earliest time.Time
	// Later holds the page's corrections of messages not stored (yet): a
	// page read backwards passes them on to the older page it reads next,
	// at its end, where they find what they correct.
	Later []Archived
}

// StoreArchived stores a page read from our account's archive in one
// transaction, as the live path would have stored its messages: one-to-one
// messages with a body or subject, received and sent (from our other
// devices), deduplicated against what is stored (archive id, origin-id);
// a stranger's when the account ignores strangers is dropped, a
// correction is applied when it can be (XEP-0308's rules), returned in
// Later when what it corrects is not stored, and dropped otherwise.
// Receipts in the page mark our messages delivered, displayed markers
// (XEP-0333) mark them read, and our other devices' markers mark the
// conversation read up to the message they name (ReadElsewhere). New
// messages are published (MessageReceived); when answer is set, those
// that ask for a receipt get one, as on first receipt (XEP-0184 §5.3:
// the caller sets it for what arrived while we were away, not for old
// history). c may be nil when answer is not set.
func (h *Hook) StoreArchived(c *xmpp.Conn, page []Archived, answer bool) (ArchivedPage, error) {
	return h.storeArchived(c, page, answer, time.Time{})
}

// StoreArchivedBefore stores a page read backwards from the archive, all
// of it older than a message stored already, dated at before: as
// StoreArchived, and what the archive dates no earlier than before
// (Prosody dates to the second: a burst shares one stamp) is dated just
// before it, in the page's order, so that it shows before, not after,
// what was stored first.
func (h *Hook) StoreArchivedBefore(c *xmpp.Conn, page []Archived, before time.Time, answer bool) (ArchivedPage, error) {
	return h.storeArchived(c, page, answer, before)
}

func (h *Hook) storeArchived(c *xmpp.Conn, page []Archived, answer bool, ceiling time.Time) (out ArchivedPage, err error) {
	s := h.s
	me := s.jid()
	now := time.Now()
	b := &history.Burst{Refetchable: true} // the archive keeps it
	var asks []*stanza.Message             // per b.Adds: the stanza, to answer its receipt
	var moved []history.Message
	readTo := map[string]string{} // peer → the last message our devices displayed
	var fixes []func() bool       // corrections, applied after the page is stored
	var later []Archived          // per fixes: the correction
	var reacts []func()           // reactions, kept after the page is stored
	var commits []func()          // decryptions' changes, kept once the page is stored
	var discards []Decrypted      // or forgotten if it is not
	for i, a := range page {
		m := a.Message
		if m == nil || (m.Type != stanza.MessageTypeChat && m.Type != stanza.MessageTypeNormal && m.Type != "") {
			continue // groupchat (rooms keep their own), error, headline
		}
		from, to := xmpp.BareJID(m.From), xmpp.BareJID(m.To)
		dir, peer := history.In, from
		if m.From == "" || from == me {
			dir, peer = history.Out, to
		}
		if peer == "" || (dir == history.In && s.ignored(c, peer)) {
			continue
		}
		// What the peer says of our messages moves them forward in
		// this page's transaction.
		confirm := func(id string, st history.State) {
			if orig, found, err := s.client.store.FindByOriginID(me, peer, id, history.Out); err == nil && found && orig.State.Advances(st) {
				s.outbox.done(orig.OriginID)
				b.Moves = append(b.Moves, history.Move{ID: orig.ID, State: st})
				moved = append(moved, orig)
			}
		}
		if id, ok := receipts.Received(*m); ok && dir == history.In {
			confirm(id, history.StateDelivered)
		}
		if id, ok := markers.Displayed(m); ok {
			if dir == history.In {
				confirm(id, history.StateRead)
			} else {
				readTo[peer] = id // another device of ours displayed it
			}
		}
		if _, _, ok := reactions.Of(*m); ok {
			// Kept once the page is stored: its conversation may be new
			// in it.
			at := a.Stamp
			if at.IsZero() {
				at = now
			}
			reacts = append(reacts, func() { s.reactionsIn(nil, peer, dir, m, func() time.Time { return at }) })
		}
		if id, ok := retract.Of(*m); ok {
			// As a correction: applied once the page is stored, passed
			// on to an older page when what it takes back is not
			// stored yet. Its body is no message.
			fixes = append(fixes, func() bool { return s.retract(peer, id, fromSender(dir), false) })
			later = append(later, a)
			continue
		}
		sender := from
		if dir == history.Out {
			sender = me
		}
		d, enc := s.decrypted(c, sender, m)
		if enc && d.keyOnly() {
			continue
		}
		if enc {
			discards = append(discards, d)
		}
		if m.Body == "" && m.Subject == "" && d.Err == "" {
			continue
		}
		if id, ok := correct.Of(*m); ok && d.Err == "" {
			if d.Commit != nil {
				commits = append(commits, d.Commit)
			}
			// Applied once the page is stored: what it corrects may be
			// in it.
			fixes = append(fixes, func() bool {
				if _, found, err := s.client.store.FindByOriginID(me, peer, id, dir); err == nil && !found {
					return false // not stored yet: for an older page
				}
				s.applyCorrection(peer, id, m, dir, d.Encryption)
				return true
			})
			later = append(later, a)
			continue
		}
		sent := a.Stamp
		if sent.Nanosecond() == 0 && !sent.IsZero() {
			// A stamp to the second (Prosody's archive): the message
			// came at some time in that second. Its end keeps it after
			// what we received live in that second before it (a page
			// keeps its own order: same stamps, stored in turn).
			sent = sent.Add(time.Second - time.Millisecond)
		}
		if sent.IsZero() || sent.After(now) {
			sent = now
		}
		if !ceiling.IsZero() {
			// The i-th of the page's last messages: i ms before the
			// ceiling at the latest (the page is oldest first), but
			// not before the archive's date (what we stored from
			// earlier seconds stays before it).
			if limit := ceiling.Add(-time.Duration(len(page)-i) * time.Millisecond); sent.After(limit) {
				sent = limit
				if sent.Before(a.Stamp) {
					sent = a.Stamp
				}
			}
		}
		if out.Earliest.IsZero() || sent.Before(out.Earliest) {
			out.Earliest = sent
		}
		hm := stored(me, peer, dir, m, sent, now)
		if dir == history.In {
			hm.StanzaID = a.ID
		} else {
			hm.State = history.StateAcked // the server has it; delivery unknown
		}
		commits = append(commits, d.apply(&hm))
		b.Adds = append(b.Adds, &hm)
		asks = append(asks, m)
	}
	defer func() {
		if err == nil {
			// The page is stored: what decrypting it changed is kept.
			for _, f := range commits {
				f()
			}
		} else {
			for _, d := range discards {
				d.discard()
			}
		}
		// After the page is stored: a correction or a marker may name
		// one of its messages.
		for i, f := range fixes {
			if !f() && err == nil {
				out.Later = append(out.Later, later[i])
			}
		}
		for peer, id := range readTo {
			s.readElsewhere(peer, id)
		}
		for _, f := range reacts {
			f()
		}
	}()
	if len(b.Adds) == 0 && len(b.Moves) == 0 {
		return ArchivedPage{Earliest: out.Earliest}, nil
	}
	s.stateMu.Lock()
	err = s.client.store.Commit(b)
	if err == nil {
		for i, mv := range b.Moves {
			if b.Moved[i] {
				if mv.State == history.StateDelivered {
					out.Delivered++
				}
				s.stateChanged(moved[i], mv.State, "")
			}
		}
	}
	s.stateMu.Unlock()
	if err != nil {
		return ArchivedPage{}, err
	}
	for i, hm := range b.Adds {
		if b.Dup[i] {
			continue
		}
		out.Stored++
		s.client.bus.Publish(MessageReceived{Account: me, Message: *hm, Archived: true})
		if answer && c != nil && hm.Direction == history.In {
			s.answerReceipt(c, hm.Peer, asks[i])
		}
	}
	return out, nil
}
