package core

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/chatstate"
	"github.com/causerie/causerie/core/xmpp/markers"
	"github.com/causerie/causerie/core/xmpp/oob"
	"github.com/causerie/causerie/core/xmpp/receipts"
	"github.com/causerie/causerie/core/xmpp/reply"
	"github.com/causerie/causerie/core/xmpp/sid"
	"github.com/causerie/causerie/core/xmpp/xhtmlim"
	"gosrc.io/xmpp/stanza"
)

// Message types (RFC 6121 §5.2.2).
const (
	TypeChat      = "chat"
	TypeNormal    = "normal"
	TypeHeadline  = "headline"
	TypeGroupchat = "groupchat"
)

// SendMessage stores an outgoing message as pending, then sends it when
// connected (now, or on the next connection). It returns the stored
// message; delivery progress comes as MessageStateChanged events
// (sent, then acked by the server under XEP-0198, or error).
func (s *Session) SendMessage(to, typ, subject, body string) (history.Message, error) {
	if typ == "" {
		typ = TypeChat
	}
	if err := ValidateJID(to); err != nil {
		return history.Message{}, err
	}
	return s.send(to, history.Message{Type: typ, Body: body, Subject: subject})
}

// SendRichMessage sends a formatted chat message (XEP-0071): as XHTML-IM
// to a contact whose client shows it, always with a plain body saying the
// same in text (what other clients show, and what search finds).
func (s *Session) SendRichMessage(to string, doc xhtmlim.Doc) (history.Message, error) {
	if err := ValidateJID(to); err != nil {
		return history.Message{}, err
	}
	doc = doc.Normalize()
	if doc.Empty() {
		return history.Message{}, errors.New("core: empty message")
	}
	return s.send(to, history.Message{Type: TypeChat, Body: plainBody(doc), Rich: string(xhtmlim.Marshal(doc))})
}

// send stores an outgoing message as pending and sends it when
// connected (m carries the type and text).
func (s *Session) send(to string, m history.Message) (history.Message, error) {
	typ, body, subject, rich, file, local, size := m.Type, m.Body, m.Subject, m.Rich, m.OOB, m.File, m.FileSize
	if len(body)+len(subject)+len(rich) > MaxMessageBytes {
		return history.Message{}, ErrMessageTooLong
	}
	enc := history.NotEncrypted
	if typ == TypeChat {
		enc = s.encryptionFor(xmpp.BareJID(to))
	}
	if enc != history.NotEncrypted {
		if file != "" {
			return history.Message{}, ErrFileNotEncrypted
		}
		if subject != "" {
			return history.Message{}, ErrSubjectNotEncrypted
		}
		rich = "" // the text alone is encrypted
	}
	m = history.Message{
		Account:    s.jid(),
		Peer:       xmpp.BareJID(to),
		Resource:   xmpp.ResourceOf(s.JID()),
		Direction:  history.Out,
		Type:       typ,
		Body:       body,
		Subject:    subject,
		Rich:       rich,
		OOB:        file,
		File:       local,
		FileSize:   size,
		OriginID:   sid.New(),
		Sent:       time.Now(),
		State:      history.StatePending,
		ReplyID:    m.ReplyID,
		ReplyTo:    m.ReplyTo,
		ReplyQuote: m.ReplyQuote,
		Encryption: enc,
	}
	s.sendMu.Lock()
	defer s.sendMu.Unlock()
	if err := s.client.store.Add(&m); err != nil {
		return m, err
	}
	s.client.bus.Publish(MessageReceived{Account: m.Account, Message: m})
	s.outbox.put(m)
	s.mu.Lock()
	conn := s.live
	s.mu.Unlock()
	if conn != nil {
		s.transmit(conn, m, to)
	}
	return m, nil
}

// goLive makes conn the connection messages go out on, after sending
// what waits in the outbox (in the order it was typed), and says the
// session is online. It runs when a connection is ready and when a
// dropped link is resumed.
func (s *Session) goLive(conn *xmpp.Conn) {
	s.sendMu.Lock()
	s.flushOutbox(conn)
	s.owed.resend(conn)
	s.mu.Lock()
	s.live = conn
	s.mu.Unlock()
	s.sendMu.Unlock()
	s.setState(StateOnline, nil, RetryInfo{})
}

// transmit writes one stored message on conn and tracks its state. A
// message is written at most once per connection.
func (s *Session) transmit(conn *xmpp.Conn, m history.Message, to string) {
	if s.writeOut(conn, m, to) {
		s.setMessageState(m, history.StateSent, "")
	}
}

// writeOut writes one stored message on conn, arranging for its ack, and
// reports whether it was written (then it is to be marked StateSent).
func (s *Session) writeOut(conn *xmpp.Conn, m history.Message, to string) bool {
	if !s.outbox.writing(m.OriginID, conn) {
		return false
	}
	st := stanza.NewMessage(stanza.Attrs{To: to, Type: stanza.StanzaType(m.Type)})
	st.Body, st.Subject = m.Body, m.Subject
	sid.Add(&st, m.OriginID)
	if m.OOB != "" {
		oob.Add(&st, m.OOB, "") // a file: other clients show it as one
	}
	if m.ReplyID != "" {
		reply.Add(&st, m.ReplyID, m.ReplyTo, m.ReplyQuote)
	}
	if m.Rich != "" && m.Encryption == history.NotEncrypted && s.showsXHTML(m.Peer) {
		if doc, err := xhtmlim.Parse([]byte(m.Rich)); err == nil && !doc.Empty() {
			st.Extensions = append(st.Extensions, xhtmlim.New(doc))
		}
	}
	if m.Type == TypeChat {
		// Ask for a delivery receipt (XEP-0184) and say we are active
		// (XEP-0085) when the contact's client takes chat states.
		receipts.Request(&st)
		markers.AddMarkable(&st) // "read", when it is (XEP-0333)
		if state, ok := s.contentState(m.Peer); ok {
			chatstate.Add(&st, state)
		}
	}
	if m.Encryption != history.NotEncrypted {
		if s.hooks.seal == nil {
			// Stored to be encrypted, and the app now runs without
			// encryption (its keys could not be opened): never in
			// the clear.
			if s.outbox.done(m.OriginID) {
				s.setMessageState(m, history.StateError, ReasonNoEncryption)
			}
			return false
		}
		// A quotation goes in the encrypted text, with nothing in the
		// clear saying where it is.
		st.Extensions = slices.DeleteFunc(st.Extensions, func(e stanza.MsgExtension) bool {
			_, fb := e.(*reply.Fallback)
			return fb
		})
		s.sealAndWrite(conn, m, st, false) // marked sent once written
		return false
	}
	if s.sealer.queued(m.Peer) {
		s.sealAndWrite(conn, m, st, true) // behind what waits to be encrypted
		return false
	}
	return s.put(conn, m, st)
}

// put writes st, m's stanza, on conn, arranging for its ack, and reports
// whether it was written.
func (s *Session) put(conn *xmpp.Conn, m history.Message, st stanza.Message) bool {
	sm, _ := conn.StreamManagement()
	err := conn.SendAcked(st, func() { // on the reader goroutine
		if s.outbox.done(m.OriginID) {
			s.deferMessageState(m, history.StateAcked, "")
		}
	})
	if err != nil {
		return false // stays in the outbox: sent on the next connection
	}
	if !sm {
		// Without stream management, a ping answered after the message
		// proves the server processed it (one stream, in order).
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if conn.Ping(ctx, "") == nil {
				s.outbox.done(m.OriginID)
				s.setMessageState(m, history.StateAcked, "")
			}
		}()
	}
	return true
}

// setMessageState moves one of our messages to st, only forward (see
// history.Store.Advance), and publishes the change. stateMu keeps the
// changes and their events in one order.
func (s *Session) setMessageState(m history.Message, st history.State, reason string) {
	s.stateMu.Lock()
	defer s.stateMu.Unlock()
	if changed, err := s.client.store.Advance(history.Move{ID: m.ID, State: st, Reason: reason}); err == nil && changed {
		s.stateChanged(m, st, reason)
	}
}

// deferMessageState is setMessageState on the reader goroutine: the change
// joins the burst of what was received (inBatch), stored in one
// transaction with it.
func (s *Session) deferMessageState(m history.Message, st history.State, reason string) {
	s.in.move(history.Move{ID: m.ID, State: st, Reason: reason}, func(moved bool) {
		if moved {
			s.stateChanged(m, st, reason)
		}
	})
}

func (s *Session) stateChanged(m history.Message, st history.State, reason string) {
	s.client.bus.Publish(MessageStateChanged{Account: m.Account, ID: m.ID, Peer: m.Peer, State: st, Reason: reason})
}

// flushOutbox sends what is waiting: messages typed while offline and
// those the previous connection never got acknowledged (their origin-id
// lets receivers drop a duplicate).
//
// They are marked sent together, one transaction: after a long outage
// the outbox holds hundreds, and one write each kept the session from
// going online for seconds on a busy disk.
func (s *Session) flushOutbox(conn *xmpp.Conn) {
	var sent []history.Message
	for _, m := range s.outbox.waiting() {
		if s.writeOut(conn, m, m.Peer) {
			sent = append(sent, m)
		}
	}
	if len(sent) == 0 {
		return
	}
	b := &history.Burst{Moves: make([]history.Move, len(sent))}
	for i, m := range sent {
		b.Moves[i] = history.Move{ID: m.ID, State: history.StateSent}
	}
	s.stateMu.Lock()
	defer s.stateMu.Unlock()
	if s.client.store.Commit(b) != nil {
		return // they stay pending in the history: sent again after a restart
	}
	for i, m := range sent {
		if b.Moved[i] {
			s.stateChanged(m, history.StateSent, "")
		}
	}
}

// History returns the latest n messages with peer, oldest first.
func (s *Session) History(peer string, n int) ([]history.Message, error) {
	return s.client.store.Latest(s.jid(), xmpp.BareJID(peer), n)
}

// HistoryBefore pages back from a message.
func (s *Session) HistoryBefore(peer string, before history.Message, n int) ([]history.Message, error) {
	return s.client.store.Before(s.jid(), xmpp.BareJID(peer), before, n)
}

// Search finds messages by words, in one conversation (peer) or all ("").
func (s *Session) Search(peer, query string, n int) ([]history.Message, error) {
	if peer != "" {
		peer = xmpp.BareJID(peer)
	}
	return s.client.store.Search(s.jid(), peer, query, n)
}

// Conversations lists the account's conversations, most recent first.
func (s *Session) Conversations() ([]history.Conversation, error) {
	return s.client.store.Conversations(s.jid())
}

// loadOutbox picks up outgoing messages a previous run stored but never
// got acknowledged (a crash or quit while offline): they are sent on the
// next connection.
func (s *Session) loadOutbox() {
	ms, err := s.client.store.Unfinished(s.jid())
	if err != nil {
		s.client.logf("history: unsent messages of %s: %v", s.jid(), err)
		return
	}
	for _, m := range ms {
		if m.Type == "groupchat" {
			// A room message is not sent again: the room may have
			// had it (its reflection not come back yet), and we may
			// no longer be in the room. It stays as it was shown.
			continue
		}
		if slices.ContainsFunc(s.hooks.unfinished, func(f func(history.Message) bool) bool { return f(m) }) {
			continue // a feature's
		}
		s.outbox.put(m)
	}
}

// Unread counts the messages received in each conversation since the
// user last read it (kept in the history, so it survives a restart).
func (s *Session) Unread() (map[string]int, error) {
	return s.client.store.Unread(s.jid())
}

// MarkRead records that the user has read the conversation with peer,
// and tells the peer when it asked (XEP-0333 displayed marker; see
// Client.SetReadMarkers).
func (s *Session) MarkRead(peer string) error {
	peer = xmpp.BareJID(peer)
	if err := s.client.store.MarkRead(s.jid(), peer); err != nil {
		return err
	}
	s.sendDisplayed(peer)
	return nil
}
