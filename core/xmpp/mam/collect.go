package mam

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/sid"
	"gosrc.io/xmpp/stanza"
)

// MaxResults bounds the results kept for one page. An archive that pushes
// more for one query than this is not believed: the rest are dropped and
// the page fails with ErrTooManyResults.
const MaxResults = 1000

// Shared is the collector of every archive query the process makes (our
// account's archive, rooms' archives).
var Shared Collector

// ErrTooManyResults: the archive pushed more than MaxResults results for
// one page.
var ErrTooManyResults = errors.New("mam: the archive sent more results than a page holds")

// ErrNoFin: the archive's answer to a query carries no <fin/>.
var ErrNoFin = errors.New("mam: the archive's answer does not end the page")

// Page is one page of a query's results, in the order the archive sent
// them (oldest first unless the query asked to Flip), and its end.
type Page struct {
	Results []*Result
	Fin     Fin
}

// Collector matches pushed results to pending queries. The zero value is
// ready; it is safe for concurrent use.
//
// Features that query archives share one (Shared): a result is then
// handed to the query it answers by whichever feature's handler sees it
// first, and one that answers no query of ours can be told apart (and
// dropped) by any of them.
type Collector struct {
	mu      sync.Mutex
	pending map[string]*pending // by queryid
}

type pending struct {
	from    func(string) bool // whether a result may come from this address
	results []*Result
	over    bool
}

// Deliver takes m if it carries a result of a pending query, sent by the
// archive that query was sent to, and reports whether it did. Call it for
// every incoming message, on the reader goroutine (in wire order), before
// anything else handles it.
func (c *Collector) Deliver(m *stanza.Message) bool {
	r, ok := ResultOf(m)
	if !ok || r.QueryID == "" {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.pending[r.QueryID]
	if p == nil || !p.from(m.From) {
		return false
	}
	if len(p.results) >= MaxResults {
		p.over = true
		return true
	}
	p.results = append(p.results, r)
	return true
}

// Fetch sends q (with a fresh queryid) to archive and returns the page it
// answers. archive "" is our own account's archive, whose results come
// from our bare JID or with no 'from'; any other archive (a room's) must
// send them from its own bare JID. Results from anyone else are not
// collected.
func (c *Collector) Fetch(ctx context.Context, conn *xmpp.Conn, archive string, q Query) (Page, error) {
	q.QueryID = sid.New()
	own := xmpp.BareJID(conn.JID())
	from := func(f string) bool { return f == "" || f == own }
	if archive != "" && archive != own {
		want := xmpp.BareJID(archive)
		from = func(f string) bool { return f == want }
	} else {
		archive = ""
	}
	p := &pending{from: from}
	c.mu.Lock()
	if c.pending == nil {
		c.pending = map[string]*pending{}
	}
	c.pending[q.QueryID] = p
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.pending, q.QueryID)
		c.mu.Unlock()
	}()
	reply, err := conn.SendIQ(ctx, Request(archive, q))
	if err != nil {
		return Page{}, fmt.Errorf("mam: query: %w", err)
	}
	c.mu.Lock()
	pg := Page{Results: p.results}
	over := p.over
	c.mu.Unlock()
	if over {
		return Page{}, ErrTooManyResults
	}
	fin, ok := reply.Payload.(*Fin)
	if !ok {
		return Page{}, ErrNoFin
	}
	pg.Fin = *fin
	return pg, nil
}
