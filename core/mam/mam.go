// Package mam keeps one-to-one conversations complete from the account's
// server archive (XEP-0313: Message Archive Management, protocol in
// core/xmpp/mam).
//
// After every sign-in that is not a resumption, a catch-up reads what the
// archive holds since the last archived message a catch-up stored (the
// cursor, kept in the history with the archive's date for it), and
// stores what we lack, one transaction a page (core.Hook.StoreArchived):
// what arrived while we were away, what our other devices sent and
// received, and what a session the server could not resume lost
// (Prosody drops the oldest of more than 500 unacknowledged stanzas).
// It reads newest page first, the conversation in view first
// (SetOpenChat), then all of them, so that what the user looks for
// shows first; the cursor moves to the archive's end once all of it is
// read (interrupted, the next catch-up reads again from the newest, and
// skips what it has). Receipts in the archive mark our messages
// delivered. A cursor without a date (stored by an older Causerie) is
// read forward from its id, oldest first. With no cursor yet (a new
// machine, a new account), a window of recent history is read, newest
// page first, back to WindowAge or WindowMessages at most, not the whole
// archive (scrolling up reads older pages: Older); an archive still
// empty then is read from its start at the next sign-in.
//
// The catch-up starts once the first presence is sent (by then carbon
// copies are on, core/carbons: nothing our other devices do falls between
// the archive's end and the live copies), on its own goroutine. It
// publishes CatchUpDone when it ends.
package mam

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/xmpp"
	wire "github.com/causerie/causerie/core/xmpp/mam"
	"gosrc.io/xmpp/stanza"
)

// Feature plugs archive catch-up into a client's sessions
// (core.Options.Features).
var Feature = &core.Feature{Name: "mam", Attach: attach}

// PageSize is the number of messages asked for per page (a server may
// send fewer; Prosody's default is 50, our test servers' 250). Fewer,
// larger pages make a long catch-up faster: Prosody counts the whole
// query's matches for every page (10,000 messages from its SQL archive:
// 7.0 s in pages of 100, 2.6 s in pages of 250). Each result is a stanza
// the server keeps until we acknowledge it, in a queue Prosody bounds at
// 500 and drops a session for overflowing: a page must stay below it (we
// acknowledge results as they come, before the page is stored). A
// variable for tests; not to be changed while sessions run.
var PageSize = 250

// fromStart is the cursor of an archive that was empty at the first
// catch-up: the next one reads it from its start.
const fromStart = "\x00start"

// retryAfter is how long a failed catch-up waits before each new try on
// the same connection.
var retryAfter = []time.Duration{2 * time.Second, 10 * time.Second, 30 * time.Second}

// pageTimeout bounds one page's query.
const pageTimeout = 60 * time.Second

// WindowAge: a new machine reads the archive's last messages back to
// this age at most, and WindowMessages in all.
const WindowAge = 30 * 24 * time.Hour

// WindowMessages bounds the window a new machine reads (a variable for
// tests, which make it small; not to be changed while sessions run).
var WindowMessages = 2000

// CatchUpDone: a catch-up ended. Err is nil when it read the archive to
// its end. Otherwise what was stored stays, newest first: what came
// before it since the last complete catch-up may be missing (a gap the
// GUI shows) until the next catch-up, at the next sign-in or CatchUp.
type CatchUpDone struct {
	core.FeatureEvent
	Stored    int // new messages stored
	Delivered int // our messages a receipt in the archive marked delivered
	Pages     int
	Err       error
}

// Archive is one session's archive catch-up.
type Archive struct {
	h *core.Hook

	run sync.Mutex // one catch-up at a time

	mu          sync.Mutex
	unsupported bool                       // the server said it keeps no archive
	open        string                     // the conversation shown (SetOpenChat)
	older       map[string]string          // by peer: the oldest archive id Older read
	olderLater  map[string][]core.Archived // by peer: corrections for Older's next page
}

// SetOpenChat says whether the conversation with peer is the one the
// user has in view (open: true) or not any more (false): a catch-up
// reads its messages before the others'.
func (a *Archive) SetOpenChat(peer string, open bool) {
	peer = xmpp.BareJID(peer)
	a.mu.Lock()
	defer a.mu.Unlock()
	switch {
	case open:
		a.open = peer
	case a.open == peer:
		a.open = ""
	}
}

// OpenChat is the conversation SetOpenChat last said is in view ("" for
// none).
func (a *Archive) OpenChat() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.open
}

// Of is the archive catch-up of s, or nil when s's client was made
// without Feature.
func Of(s *core.Session) *Archive {
	a, _ := s.Feature(Feature).(*Archive)
	return a
}

func attach(h *core.Hook) any {
	a := &Archive{h: h}
	h.HandleMessage(a.message)
	// After the first presence: carbon copies (core/carbons) are on
	// by then, so what our other devices do after the archive's end
	// reaches us live.
	h.OnPresent(a.catchUp)
	return a
}

// message takes the results of our queries, and drops any other archive
// result: one nobody asked for is noise, or someone posing as an archive.
func (a *Archive) message(_ *xmpp.Conn, m *stanza.Message) bool {
	if wire.Shared.Deliver(m) {
		return true
	}
	_, isResult := wire.ResultOf(m)
	return isResult
}

// CatchUp reads now what the archive holds since the cursor, as after a
// sign-in (the Retry of a catch-up that ended with an error, which
// leaves a gap: the newest messages are in, what came before them since
// the cursor may not be). It returns at once: CatchUpDone tells how it
// went. It needs the session online (core.ErrNotConnected otherwise).
func (a *Archive) CatchUp() error {
	conn, err := a.h.Conn()
	if err != nil {
		return err
	}
	go a.catchUp(conn)
	return nil
}

// catchUp reads the archive from the cursor to its end on conn, storing
// each page before asking for the next.
func (a *Archive) catchUp(conn *xmpp.Conn) {
	a.run.Lock()
	defer a.run.Unlock()
	a.mu.Lock()
	unsupported := a.unsupported
	a.mu.Unlock()
	if unsupported {
		return
	}
	ev := CatchUpDone{FeatureEvent: core.FeatureEvent{Account: a.h.Account()}}
	for try := 0; ; try++ {
		ev.Err = a.read(conn, &ev)
		// A page that failed on a live connection (the server slow
		// to answer) is asked again a little later; a connection
		// that ended leaves it to the next one's catch-up.
		if ev.Err == nil || conn.Err() != nil || try == len(retryAfter) {
			break
		}
		select {
		case <-conn.Done():
		case <-time.After(retryAfter[try]):
			continue
		}
		break
	}
	if ev.Err != nil && conn.Err() == nil {
		a.h.Logf("archive: catch-up stopped after %d pages: %v", ev.Pages, ev.Err)
	}
	a.h.Publish(ev)
}

func (a *Archive) read(conn *xmpp.Conn, ev *CatchUpDone) error {
	store, account := a.h.History(), a.h.Account()
	cur, err := store.ArchiveCursor(account)
	if err != nil {
		return err
	}
	if cur.ID == "" {
		return a.window(conn, ev)
	}
	if cur.ID == fromStart || cur.Stamp.IsZero() {
		return a.forward(conn, ev, cur)
	}
	// What came since the cursor's message, newest first: the open
	// conversation's, then all of it. Receipts are answered for what
	// came while we were away.
	if peer := a.OpenChat(); peer != "" {
		_, err := a.backward(conn, ev, wire.Query{With: peer, Start: cur.Stamp}, true, nil)
		if errors.Is(err, ErrNoArchive) {
			return nil
		}
		if err != nil {
			return err
		}
	}
	top, err := a.backward(conn, ev, wire.Query{Start: cur.Stamp}, true, nil)
	if errors.Is(err, ErrNoArchive) {
		return nil
	}
	if err != nil || top.ID == "" {
		// Interrupted: the cursor stays, and the next catch-up reads
		// again from the newest (what is stored already is skipped).
		return err
	}
	return store.SetArchiveCursor(account, top)
}

// forward reads the archive after cursor cur oldest first, moving the
// cursor page by page: an archive whose dates we do not know yet, or
// that was empty at the first sign-in (fromStart).
func (a *Archive) forward(conn *xmpp.Conn, ev *CatchUpDone, cur history.ArchiveCursor) error {
	store, account := a.h.History(), a.h.Account()
	q := wire.Query{Max: PageSize, After: cur.ID}
	if cur.ID == fromStart {
		q.After = ""
	}
	for {
		pg, page, err := a.fetch(conn, q)
		var se *xmpp.StanzaError
		switch {
		case errors.As(err, &se) && se.Condition == "item-not-found" && q.After != "":
			// The archive no longer has our cursor (expired, reset):
			// start afresh from its recent history.
			return a.window(conn, ev)
		case errors.Is(err, ErrNoArchive):
			return nil
		case err != nil:
			return err
		}
		ev.Pages++
		got, err := a.h.StoreArchived(conn, page, true)
		if err != nil {
			return err
		}
		ev.Stored += got.Stored
		ev.Delivered += got.Delivered
		if last := lastOf(pg); last.ID != "" {
			if err := store.SetArchiveCursor(account, last); err != nil {
				return err
			}
		}
		// Paging forward ends when the archive says so, or sends
		// nothing more.
		if pg.Fin.Complete || len(pg.Results) == 0 {
			return nil
		}
		q = wire.Query{Max: PageSize, After: lastOf(pg).ID}
	}
}

// backward reads what the archive holds for query base, newest page
// first, until it is complete or enough says it has read enough (nil:
// all of it), and returns the newest message read (the cursor a complete
// read leaves). Each page older than the one before is dated before it
// (core.Hook.StoreArchivedBefore), and takes the corrections the pages
// after it held for it. answer: receipts are answered. The next page is
// asked for while one is stored: the server's time and ours overlap.
func (a *Archive) backward(conn *xmpp.Conn, ev *CatchUpDone, base wire.Query, answer bool,
	enough func(read int, first *wire.Result) bool) (top history.ArchiveCursor, err error) {
	type fetched struct {
		pg   wire.Page
		page []core.Archived
		err  error
	}
	next := make(chan fetched, 1) // one page asked for at a time
	ask := func(q wire.Query) {
		go func() {
			pg, page, err := a.fetch(conn, q)
			next <- fetched{pg, page, err}
		}()
	}
	q := base
	q.Max, q.Last = PageSize, true
	ask(q)
	var ceiling time.Time // the date the next, older page must stay under
	var later []core.Archived
	read := 0
	for newest := true; ; newest = false {
		f := <-next
		if f.err != nil {
			return history.ArchiveCursor{}, f.err
		}
		pg, page := f.pg, f.page
		ev.Pages++
		if newest {
			top = lastOf(pg)
		}
		read += len(pg.Results)
		more := len(pg.Results) > 0 && !pg.Fin.Complete && (enough == nil || !enough(read, pg.Results[0]))
		if more {
			q = base
			q.Max, q.Before = PageSize, firstID(pg)
			ask(q)
		}
		page = append(page, later...)
		var got core.ArchivedPage
		if ceiling.IsZero() {
			got, err = a.h.StoreArchived(conn, page, answer)
		} else {
			got, err = a.h.StoreArchivedBefore(conn, page, ceiling, answer)
		}
		if err != nil {
			return history.ArchiveCursor{}, err
		}
		ev.Stored += got.Stored
		ev.Delivered += got.Delivered
		later = got.Later
		if !more {
			return top, nil
		}
		// The next page is older: dated under this one's first.
		if !got.Earliest.IsZero() {
			ceiling = got.Earliest
		}
	}
}

// fetch asks conn's archive for page q, within pageTimeout, and returns
// it with its messages as core stores them. A server that keeps no
// archive gives ErrNoArchive, and no catch-up asks it again.
func (a *Archive) fetch(conn *xmpp.Conn, q wire.Query) (wire.Page, []core.Archived, error) {
	ctx, cancel := context.WithTimeout(context.Background(), pageTimeout)
	defer cancel()
	pg, err := wire.Shared.Fetch(ctx, conn, "", q)
	var se *xmpp.StanzaError
	if errors.As(err, &se) && (se.Condition == "feature-not-implemented" || se.Condition == "service-unavailable") {
		a.mu.Lock()
		a.unsupported = true
		a.mu.Unlock()
		return wire.Page{}, nil, ErrNoArchive
	}
	if err != nil {
		return wire.Page{}, nil, err
	}
	page := make([]core.Archived, 0, len(pg.Results))
	for _, r := range pg.Results {
		page = append(page, core.Archived{ID: r.ID, Stamp: r.Stamp, Message: r.Message})
	}
	return pg, page, nil
}

// firstID and lastID are the archive ids a page begins and ends with
// ("" when empty).
func firstID(pg wire.Page) string {
	if pg.Fin.First == "" && len(pg.Results) > 0 {
		return pg.Results[0].ID
	}
	return pg.Fin.First
}

// lastOf is the cursor at a page's end: its last message's archive id
// and date (ID "" when the page is empty).
func lastOf(pg wire.Page) history.ArchiveCursor {
	if len(pg.Results) == 0 {
		return history.ArchiveCursor{ID: pg.Fin.Last}
	}
	last := pg.Results[len(pg.Results)-1]
	c := history.ArchiveCursor{ID: pg.Fin.Last, Stamp: last.Stamp}
	if c.ID == "" {
		c.ID = last.ID
	}
	return c
}

// window reads the archive's recent history, newest page first, back to
// WindowAge or WindowMessages, and then sets the cursor at its end (an
// empty archive: fromStart). Interrupted, it starts again at the next
// sign-in.
func (a *Archive) window(conn *xmpp.Conn, ev *CatchUpDone) error {
	oldest := time.Now().Add(-WindowAge)
	top, err := a.backward(conn, ev, wire.Query{}, false, func(read int, first *wire.Result) bool {
		return read >= WindowMessages || (!first.Stamp.IsZero() && first.Stamp.Before(oldest))
	})
	if errors.Is(err, ErrNoArchive) {
		return nil
	}
	if err != nil {
		return err
	}
	if top.ID == "" {
		top.ID = fromStart // empty: from now on, all of it
	}
	return a.h.History().SetArchiveCursor(a.h.Account(), top)
}

// Archiving policies: what our server archives of conversations with
// addresses it has no rule for (XEP-0441).
const (
	PolicyAlways = wire.PolicyAlways // every conversation
	PolicyRoster = wire.PolicyRoster // conversations with contacts
	PolicyNever  = wire.PolicyNever  // none
)

// ErrPolicyUnsupported: our server does not let us choose what it
// archives.
var ErrPolicyUnsupported = wire.ErrPrefsUnsupported

// ErrNoArchive: our server keeps no archive (Older).
var ErrNoArchive = errors.New("mam: the server keeps no archive")

// ErrPolicyForbidden: our server lets others, not us, change it
// (forbidden, not-allowed).
var ErrPolicyForbidden = errors.New("mam: the server does not allow changing its archiving policy")

// policyErr names the refusals the GUI explains.
func policyErr(err error) error {
	var se *xmpp.StanzaError
	if errors.As(err, &se) && (se.Condition == "forbidden" || se.Condition == "not-allowed") {
		return fmt.Errorf("%w: %w", ErrPolicyForbidden, err)
	}
	return err
}

// Policy asks our server what it archives by default (one of the
// Policy constants). It needs the session online (core.ErrNotConnected
// otherwise).
func (a *Archive) Policy(ctx context.Context) (string, error) {
	conn, err := a.h.Conn()
	if err != nil {
		return "", err
	}
	p, err := wire.GetPrefs(ctx, conn)
	return p.Default, policyErr(err)
}

// SetPolicy changes what our server archives by default, keeping its
// lists of addresses always and never archived; it returns the policy
// the server applied (its own rules may differ from what was asked).
func (a *Archive) SetPolicy(ctx context.Context, policy string) (string, error) {
	conn, err := a.h.Conn()
	if err != nil {
		return "", err
	}
	p, err := wire.GetPrefs(ctx, conn)
	if err != nil {
		return "", policyErr(err)
	}
	p.Default = policy
	applied, err := wire.SetPrefs(ctx, conn, p)
	return applied.Default, policyErr(err)
}

// Older reads from our server's archive the messages of the conversation
// with peer that come before before (the oldest message shown; the zero
// Message for a conversation with none), at most max, and stores what
// the history lacks (core.Hook.StoreArchived, no receipts: old history).
// Scrolling up past the local history calls it again and again: each
// call goes on from where the last one stopped. complete: the archive
// holds nothing older. It needs the session online.
func (a *Archive) Older(ctx context.Context, peer string, before history.Message, max int) (stored int, complete bool, err error) {
	conn, err := a.h.Conn()
	if err != nil {
		return 0, false, err
	}
	peer = xmpp.BareJID(peer)
	q := wire.Query{With: peer, Max: max}
	a.mu.Lock()
	cursor := a.older[peer]
	a.mu.Unlock()
	switch {
	case cursor != "":
		q.Before = cursor
	case before.Direction == history.In && before.StanzaID != "":
		q.Before = before.StanzaID // our archive's id for it
	case !before.Sent.IsZero():
		q.End, q.Last = before.Sent, true
	default:
		q.Last = true
	}
	pg, page, err := a.fetch(conn, q)
	if errors.Is(err, ErrNoArchive) {
		return 0, true, err
	}
	if err != nil {
		return 0, false, err
	}
	a.mu.Lock()
	page = append(page, a.olderLater[peer]...)
	a.mu.Unlock()
	var got core.ArchivedPage
	if before.ID != 0 {
		got, err = a.h.StoreArchivedBefore(conn, page, before.Sent, false)
	} else {
		got, err = a.h.StoreArchived(conn, page, false)
	}
	if err != nil {
		return 0, false, err
	}
	if first := firstID(pg); first != "" {
		a.mu.Lock()
		if a.older == nil {
			a.older, a.olderLater = map[string]string{}, map[string][]core.Archived{}
		}
		a.older[peer], a.olderLater[peer] = first, got.Later
		a.mu.Unlock()
	}
	return got.Stored, pg.Fin.Complete || len(pg.Results) == 0, nil
}
