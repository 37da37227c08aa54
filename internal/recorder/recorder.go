// Package recorder collects the events a test subscribes to and waits for
// the ones it expects. It is generic so that core's own tests (which
// cannot import a package that imports core) and the harness of the
// feature packages (internal/coretest) share it.
package recorder

import (
	"sync"
	"testing"
	"time"
)

// Limit is how long Wait and WaitFrom wait for an event.
const Limit = 20 * time.Second

// Recorder holds the events received so far, in order.
type Recorder[E any] struct {
	mu     sync.Mutex
	events []E
	signal chan struct{}
}

// New subscribes a recorder with subscribe (such as core.Client.Subscribe).
func New[E any](subscribe func(func(E)) (cancel func())) *Recorder[E] {
	r := &Recorder[E]{signal: make(chan struct{}, 1)}
	subscribe(func(e E) {
		r.mu.Lock()
		r.events = append(r.events, e)
		r.mu.Unlock()
		select {
		case r.signal <- struct{}{}:
		default:
		}
	})
	return r
}

// Mark is the number of events so far, for WaitFrom.
func (r *Recorder[E]) Mark() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.events)
}

// Since returns the events received after mark.
func (r *Recorder[E]) Since(mark int) []E {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]E(nil), r.events[mark:]...)
}

// Wait returns the first event (from the start) matching f, and fails
// the test when none comes within Limit.
func (r *Recorder[E]) Wait(t testing.TB, what string, f func(E) bool) E {
	t.Helper()
	return r.WaitWithin(t, 0, Limit, what, f)
}

// WaitFrom returns the first event after mark matching f.
func (r *Recorder[E]) WaitFrom(t testing.TB, mark int, what string, f func(E) bool) E {
	t.Helper()
	return r.WaitWithin(t, mark, Limit, what, f)
}

// WaitWithin is WaitFrom with its own time limit.
func (r *Recorder[E]) WaitWithin(t testing.TB, mark int, limit time.Duration, what string, f func(E) bool) E {
	t.Helper()
	deadline := time.After(limit)
	for {
		r.mu.Lock()
		evs := r.events[mark:]
		mark = len(r.events)
		r.mu.Unlock()
		for _, e := range evs {
			if f(e) {
				return e
			}
		}
		select {
		case <-r.signal:
		case <-deadline:
			t.Fatalf("no event: %s", what)
		}
	}
}
