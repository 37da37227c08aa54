// Package csi tells our server whether anyone is looking at Causerie
// (XEP-0352: Client State Indication, protocol in core/xmpp/csi), so that
// while nobody is, it holds back what is not urgent (presence changes,
// chat states) and sends it in one go later: fewer wake-ups, less
// traffic. Messages are never held back.
//
// The GUI says when the user is away from every window (SetActive); the
// indicator tells each new or resumed stream again, since every stream
// begins active (§5.2).
package csi

import (
	"context"
	"sync"
	"time"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/xmpp"
	wire "github.com/causerie/causerie/core/xmpp/csi"
)

// Feature plugs client state indication into a client's sessions
// (core.Options.Features).
var Feature = &core.Feature{Name: "csi", Attach: attach}

// pingTimeout bounds the ping that follows <inactive/>.
const pingTimeout = 30 * time.Second

// Indicator is one session's client state.
type Indicator struct {
	h *core.Hook

	send sync.Mutex // one indication written at a time, in order

	mu     sync.Mutex
	active bool       // what the user is
	told   bool       // what conn was last told (a stream begins active)
	conn   *xmpp.Conn // the connection told, nil when offline
	// stream counts new and resumed streams: what was told an earlier
	// one (a resumed link is the same Conn) does not count for this one.
	stream int
}

// Of is the client state of s, or nil when s's client was made without
// Feature.
func Of(s *core.Session) *Indicator {
	i, _ := s.Feature(Feature).(*Indicator)
	return i
}

func attach(h *core.Hook) any {
	i := &Indicator{h: h, active: true}
	h.OnOnline(func(_ context.Context, conn *xmpp.Conn) { i.fresh(conn) })
	h.OnResumed(func(conn *xmpp.Conn) { go i.fresh(conn) })
	h.OnOffline(func() {
		i.mu.Lock()
		i.conn = nil
		i.mu.Unlock()
	})
	return i
}

// Active reports what the server was last asked to assume: whether the
// user is looking.
func (i *Indicator) Active() bool {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.active
}

// SetActive says whether the user is looking at Causerie. It returns at
// once (it may be called on the GUI's goroutine); the server is told in
// the background, when online and when it offers client state
// indication.
func (i *Indicator) SetActive(active bool) {
	i.mu.Lock()
	changed := i.active != active
	i.active = active
	i.mu.Unlock()
	if changed {
		go i.tell()
	}
}

// fresh notes a new or resumed stream, which begins active, and tells it
// when the user is not.
func (i *Indicator) fresh(conn *xmpp.Conn) {
	i.mu.Lock()
	i.conn, i.told = nil, true
	i.stream++
	if wire.Offered(conn) {
		i.conn = conn
	}
	i.mu.Unlock()
	i.tell()
}

// tell writes the current state to the connection if it was told
// otherwise.
func (i *Indicator) tell() {
	i.send.Lock()
	defer i.send.Unlock()
	i.mu.Lock()
	conn, active, told, stream := i.conn, i.active, i.told, i.stream
	i.mu.Unlock()
	if conn == nil || active == told {
		return
	}
	if err := wire.Send(conn, active); err != nil {
		return // the link is down: the next stream is told afresh
	}
	i.mu.Lock()
	if i.stream == stream {
		i.told = active
	}
	i.mu.Unlock()
	if !active {
		// Prosody (csi_simple) stops writing to us at once, even what
		// it had already queued before it read <inactive/>: the answer
		// to a request in flight would wait for the next urgent
		// stanza, and the request would time out. The answer to a ping
		// is urgent: it lets all that out (and Prosody holds again
		// 5 s later).
		// Not under send: a new stream is told without waiting.
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), pingTimeout)
			defer cancel()
			conn.Ping(ctx, conn.Domain())
		}()
	}
}
