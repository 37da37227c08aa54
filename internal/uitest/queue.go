package uitest

import (
	"testing"
	"time"
)

// Queue stands for fyne.Do in a GUI under test: work queued from any
// goroutine (core events, background jobs) waits until the test
// goroutine runs it in Pump or Drain, so widgets are only touched there
// (race-free, like fyne.Do in the app).
type Queue struct{ c chan func() }

// NewQueue makes an empty queue.
func NewQueue() *Queue { return &Queue{c: make(chan func(), 100000)} }

// Do queues f.
func (q *Queue) Do(f func()) { q.c <- f }

// Pump runs queued work until cond holds (checked on this goroutine); the
// test fails after 20 seconds.
func (q *Queue) Pump(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for: %s", what)
		}
		select {
		case f := <-q.c:
			f()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// Drain runs what is queued now.
func (q *Queue) Drain() {
	for {
		select {
		case f := <-q.c:
			f()
		default:
			return
		}
	}
}
