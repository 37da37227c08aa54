// Package reactions is reacting to a message with emoji (XEP-0444:
// Message Reactions, protocol in core/xmpp/reactions), in one-to-one
// chats and rooms: React sends the user's whole set for a message and
// keeps it. The reactions of others, and ours from our other devices,
// come in through core (one-to-one chats) and core/muc (rooms), kept by
// the id they name (history.Store.SetReactions) and published as
// core.ReactionsChanged.
package reactions

import (
	"errors"
	"time"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/xmpp"
	wire "github.com/causerie/causerie/core/xmpp/reactions"
	"github.com/causerie/causerie/core/xmpp/sid"
	"gosrc.io/xmpp/stanza"
)

// Feature plugs reactions into a client's sessions
// (core.Options.Features): it says we understand them (disco#info).
var Feature = &core.Feature{Name: "reactions", Disco: []string{wire.NS}, Attach: func(h *core.Hook) any { return &Reactions{h: h} }}

// Reactions is one session's reacting.
type Reactions struct{ h *core.Hook }

// Of is the reacting of s, or nil when s's client was made without
// Feature.
func Of(s *core.Session) *Reactions {
	r, _ := s.Feature(Feature).(*Reactions)
	return r
}

// ErrNoReference: the message cannot be reacted to (no id names it).
var ErrNoReference = errors.New("reactions: this message cannot be reacted to")

// Target is the id reactions name message m by (core.Reference: in a
// room the room's stanza-id, XEP-0444 §4).
func Target(m history.Message) string { return core.Reference(m) }

// React sets our reactions to message m (of a one-to-one chat or a
// room) to emojis, all of them (none: taken back): sent to the
// conversation, then kept and published. It needs a connection.
func (r *Reactions) React(m history.Message, emojis []string) error {
	target := Target(m)
	if target == "" {
		return ErrNoReference
	}
	conn, err := r.h.Conn()
	if err != nil {
		return err
	}
	typ := stanza.MessageTypeChat
	if m.Type == "groupchat" {
		typ = stanza.MessageTypeGroupchat
	}
	emojis = wire.Clean(emojis)
	st := stanza.NewMessage(stanza.Attrs{To: m.Peer, Type: typ, Id: sid.New()})
	wire.Set(&st, target, emojis)
	if err := conn.Send(st); err != nil {
		return err
	}
	r.h.Reacted(m.Peer, target, xmpp.BareJID(r.h.Account()), emojis, time.Now())
	return nil
}
