package core

import (
	"sort"
	"sync"

	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/xmpp"
)

// outbox holds a session's outgoing messages that the server has not
// acknowledged yet, by origin id, with the connection each was last
// written on: they are (re)sent on the next connection, once per
// connection. It has its own lock; its methods are safe to call with or
// without Session.mu held.
type outbox struct {
	mu     sync.Mutex
	msgs   map[string]history.Message
	sentOn map[string]*xmpp.Conn
}

func newOutbox() *outbox {
	return &outbox{msgs: map[string]history.Message{}, sentOn: map[string]*xmpp.Conn{}}
}

// put adds a message to send.
func (o *outbox) put(m history.Message) {
	o.mu.Lock()
	o.msgs[m.OriginID] = m
	o.mu.Unlock()
}

// has tells whether the message with this origin id still waits.
func (o *outbox) has(originID string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	_, ok := o.msgs[originID]
	return ok
}

// done takes a message out: the server acknowledged it, it was delivered,
// or it failed for good. It says whether the message was still waiting.
func (o *outbox) done(originID string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	_, waiting := o.msgs[originID]
	delete(o.msgs, originID)
	delete(o.sentOn, originID)
	return waiting
}

// writing records that the message is being written on conn; false when
// it already was (a message is written at most once per connection).
func (o *outbox) writing(originID string, conn *xmpp.Conn) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.sentOn[originID] == conn {
		return false
	}
	o.sentOn[originID] = conn
	return true
}

// unwritten undoes writing: the message was not written on conn after
// all, and is written on the next connection.
func (o *outbox) unwritten(originID string, conn *xmpp.Conn) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.sentOn[originID] == conn {
		delete(o.sentOn, originID)
	}
}

// waiting lists the messages that wait, in the order they were typed.
func (o *outbox) waiting() []history.Message {
	o.mu.Lock()
	ms := make([]history.Message, 0, len(o.msgs))
	for _, m := range o.msgs {
		ms = append(ms, m)
	}
	o.mu.Unlock()
	sortByTime(ms)
	return ms
}

func sortByTime(ms []history.Message) {
	sort.Slice(ms, func(i, j int) bool {
		if !ms[i].Sent.Equal(ms[j].Sent) {
			return ms[i].Sent.Before(ms[j].Sent)
		}
		return ms[i].ID < ms[j].ID
	})
}
