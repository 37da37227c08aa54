// Package reply is answering a message of a one-to-one chat (XEP-0461:
// Message Replies, protocol in core/xmpp/reply): the answer goes out as
// the session sends the user's messages (stored first, sent when
// connected, again after a lost link), naming the message it answers and
// quoting it for clients without replies (XEP-0428). A room's answers go
// through core/muc (Rooms.SayReply).
//
// Replies that come in, live, as carbon copies, from the archive or in a
// room, are stored by core with what they answer
// (history.Message.ReplyID, ReplyTo, ReplyQuote); the message answered is
// found with history.Store.FindReferenced.
package reply

import (
	"errors"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/xmpp"
	wire "github.com/causerie/causerie/core/xmpp/reply"
)

// Feature plugs replies into a client's sessions
// (core.Options.Features): it says we understand them (disco#info).
var Feature = &core.Feature{Name: "reply", Disco: []string{wire.NS}, Attach: func(h *core.Hook) any { return &Replies{h: h} }}

// Replies is one session's answering.
type Replies struct{ h *core.Hook }

// Of is the answering of s, or nil when s's client was made without
// Feature.
func Of(s *core.Session) *Replies {
	r, _ := s.Feature(Feature).(*Replies)
	return r
}

// ErrNoReference: the message cannot be answered (no id names it).
var ErrNoReference = errors.New("reply: this message cannot be answered")

// Send sends body to peer as an answer to message to of the conversation
// with peer, which it names by its origin-id, else its id attribute
// (XEP-0461 §3), and its author's JID.
func (r *Replies) Send(peer, body string, to history.Message) (history.Message, error) {
	id, author := To(r.h.Account(), peer, to)
	if id == "" {
		return history.Message{}, ErrNoReference
	}
	return r.h.Send(peer, history.Message{Body: body, ReplyID: id, ReplyTo: author, ReplyQuote: core.QuoteOf(to)})
}

// To is how an answer names message m of the conversation of account
// with peer: its id (origin-id, else id attribute) and its author (the
// peer's full JID when the resource is known, else the bare one; ours
// for our own).
func To(account, peer string, m history.Message) (id, author string) {
	id = core.Reference(m)
	switch {
	case m.Direction == history.Out:
		author = xmpp.BareJID(account)
	case m.Resource != "":
		author = peer + "/" + m.Resource
	default:
		author = peer
	}
	return id, author
}
