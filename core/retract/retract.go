// Package retract is taking back a message we sent (XEP-0424: Message
// Retraction, protocol in core/xmpp/retract), in one-to-one chats and
// rooms: the recipients' clients that understand it remove it, the others
// show a line saying it was retracted; ours keeps a tombstone, its text
// gone from the history and the search. Retractions that come in (from
// contacts, our other devices, the archive, room occupants) are applied
// by core and core/muc, checking that they come from the message's sender,
// and published as core.MessageRetracted.
package retract

import (
	"errors"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
	wire "github.com/causerie/causerie/core/xmpp/retract"
	"github.com/causerie/causerie/core/xmpp/sid"
	"gosrc.io/xmpp/stanza"
)

// Feature plugs retractions into a client's sessions
// (core.Options.Features): it says we understand them (disco#info).
var Feature = &core.Feature{Name: "retract", Disco: []string{wire.NS}, Attach: func(h *core.Hook) any { return &Retractions{h: h} }}

// Retractions is one session's taking back.
type Retractions struct{ h *core.Hook }

// Of is the taking back of s, or nil when s's client was made without
// Feature.
func Of(s *core.Session) *Retractions {
	r, _ := s.Feature(Feature).(*Retractions)
	return r
}

// ErrNotRetractable: only our own messages that went out can be taken
// back.
var ErrNotRetractable = errors.New("retract: only your own sent messages can be deleted")

// CanRetract reports whether m can be taken back: ours, sent, a chat or
// room message with an id to name it by.
func CanRetract(m history.Message) bool {
	if m.Direction != history.Out || m.Retracted || m.State == history.StatePending || m.State == history.StateError {
		return false
	}
	return (m.Type == "chat" || m.Type == "groupchat") && core.Reference(m) != ""
}

// Retract takes back our message m: the retraction goes to the
// conversation (contact or room), then the message is retracted here
// (core.MessageRetracted). It needs a connection.
func (r *Retractions) Retract(m history.Message) error {
	if !CanRetract(m) {
		return ErrNotRetractable
	}
	conn, err := r.h.Conn()
	if err != nil {
		return err
	}
	typ := stanza.MessageTypeChat
	if m.Type == "groupchat" {
		typ = stanza.MessageTypeGroupchat
	}
	id := core.Reference(m) // a room's stanza-id for it (XEP-0424 §5)
	st := stanza.NewMessage(stanza.Attrs{To: m.Peer, Type: typ, Id: sid.New()})
	wire.Set(&st, id)
	if err := conn.Send(st); err != nil {
		return err
	}
	r.h.Retract(m.Peer, id, func(o history.Message) bool { return o.ID == m.ID }, false)
	return nil
}
