package core

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/chatstate"
	"github.com/causerie/causerie/core/xmpp/correct"
	"github.com/causerie/causerie/core/xmpp/markers"
	"github.com/causerie/causerie/core/xmpp/receipts"
	"github.com/causerie/causerie/core/xmpp/sid"
	"github.com/causerie/causerie/core/xmpp/xhtmlim"
	"gosrc.io/xmpp/stanza"
)

// Live chat: typing notifications (XEP-0085, and XEP-0022 composing events
// for older clients), delivery receipts (XEP-0184) and last message
// correction (XEP-0308).

// ChatState is a person's activity in a conversation.
type ChatState int

// Chat states (XEP-0085 §2).
const (
	ChatStateNone ChatState = iota
	ChatActive              // paying attention
	ChatComposing           // typing
	ChatPaused              // stopped typing
	ChatInactive            // not paying attention
	ChatGone                // left the conversation
)

func chatStateOf(s chatstate.State) ChatState {
	switch s {
	case chatstate.Active:
		return ChatActive
	case chatstate.Composing:
		return ChatComposing
	case chatstate.Paused:
		return ChatPaused
	case chatstate.Inactive:
		return ChatInactive
	case chatstate.Gone:
		return ChatGone
	}
	return ChatStateNone
}

// TypingAction is what the user did in a conversation's input, for the
// typing notifications the contact sees.
type TypingAction int

// Typing actions.
const (
	TypingTyped     TypingAction = iota + 1 // a keystroke left text in the input
	TypingCleared                           // the input was emptied without sending
	TypingFocused                           // the conversation got the focus
	TypingFocusLost                         // the conversation lost the focus
	TypingClosed                            // the conversation was closed
)

// chatConv is what a session knows of one conversation's live state.
type chatConv struct {
	tracker chatstate.Tracker
	timer   *time.Timer
	to      string // where notifications go: the contact's last full JID, else bare
	// sawXHTML: the contact sent XHTML-IM, so its client shows it.
	sawXHTML bool
}

// chats holds a session's conversations (guarded by mu).
type chats struct {
	mu       sync.Mutex
	convs    map[string]*chatConv
	disabled bool // the user turned typing notifications off
	// queue carries notifications to one sending goroutine, so Typing
	// never waits on the network (the UI calls it on every keystroke)
	// and notifications leave in order. It is nil while no sender runs:
	// the first notification of a connected session starts one, and the
	// session's end stops it (stopChats).
	queue chan func()
	// displayed: by peer, the id of the last message a displayed marker
	// was sent for (sendDisplayed).
	displayed map[string]string
}

// later runs f on the session's notification goroutine; when the queue is
// full (a stalled link), f is dropped: a typing notification that late
// is worthless.
func (s *Session) later(f func()) {
	s.chats.mu.Lock()
	defer s.chats.mu.Unlock()
	if s.chats.queue == nil {
		s.chats.queue = make(chan func(), 64)
		go sendNotifications(s.chats.queue)
	}
	select {
	case s.chats.queue <- f:
	default:
	}
}

// sendNotifications is the session's notification goroutine: it runs
// what later queued, in order, until stopChats closes the queue.
func sendNotifications(queue <-chan func()) {
	for f := range queue {
		f()
	}
}

// stopChats ends the notification goroutine and the conversations'
// timers when the session stops (Disconnect, RemoveAccount, a fatal
// error): nothing of a session outlives it.
func (s *Session) stopChats() {
	s.chats.mu.Lock()
	defer s.chats.mu.Unlock()
	if s.chats.queue != nil {
		close(s.chats.queue)
		s.chats.queue = nil
	}
	for _, c := range s.chats.convs {
		if c.timer != nil {
			c.timer.Stop()
			c.timer = nil
		}
	}
}

func (s *Session) conv(peer string) *chatConv {
	if s.chats.convs == nil {
		s.chats.convs = map[string]*chatConv{}
	}
	c := s.chats.convs[peer]
	if c == nil {
		c = &chatConv{to: peer}
		c.tracker.Disabled = s.chats.disabled
		s.chats.convs[peer] = c
	}
	return c
}

// SetChatStatesEnabled turns sending typing notifications on or off
// (XEP-0085 §5.2: the user must be able to). Received ones are shown
// either way.
func (s *Session) SetChatStatesEnabled(on bool) {
	s.chats.mu.Lock()
	defer s.chats.mu.Unlock()
	s.chats.disabled = !on
	for _, c := range s.chats.convs {
		c.tracker.Disabled = !on
	}
}

// Typing reports what the user did in the conversation with jid; the
// contact is told (composing, paused after a pause, active, inactive,
// gone) only when its client supports it. It returns at once: the
// notification is sent in the background.
func (s *Session) Typing(jid string, a TypingAction) {
	var act chatstate.Action
	switch a {
	case TypingTyped:
		act = chatstate.Typed
	case TypingCleared:
		act = chatstate.Cleared
	case TypingFocused:
		act = chatstate.Focused
	case TypingFocusLost:
		act = chatstate.FocusLost
	case TypingClosed:
		act = chatstate.Closed
	default:
		return
	}
	peer := xmpp.BareJID(jid)
	s.chats.mu.Lock()
	c := s.conv(peer)
	out, ok := c.tracker.Do(act, time.Now())
	to := c.to
	s.scheduleTick(peer, c)
	s.chats.mu.Unlock()
	if ok {
		s.sendChatState(out, to)
	}
}

// scheduleTick arms the conversation's timer for the tracker's next timed
// transition. Called with chats.mu held.
func (s *Session) scheduleTick(peer string, c *chatConv) {
	if c.timer != nil {
		c.timer.Stop()
		c.timer = nil
	}
	at, ok := c.tracker.Deadline()
	if !ok {
		return
	}
	c.timer = time.AfterFunc(time.Until(at), func() {
		s.chats.mu.Lock()
		if s.chats.convs[peer] != c {
			s.chats.mu.Unlock()
			return
		}
		out, ok := c.tracker.Tick(time.Now())
		to := c.to
		s.scheduleTick(peer, c)
		s.chats.mu.Unlock()
		if ok {
			s.sendChatState(out, to)
		}
	})
}

func (s *Session) sendChatState(out chatstate.Outgoing, to string) {
	if out.InContent {
		return
	}
	s.mu.Lock()
	conn, online := s.conn, s.state == StateOnline
	s.mu.Unlock()
	if conn == nil || !online {
		return
	}
	m := out.Message(to)
	s.later(func() { conn.Send(m) })
}

// contentState is the chat state a content message to peer carries.
func (s *Session) contentState(peer string) (chatstate.State, bool) {
	s.chats.mu.Lock()
	defer s.chats.mu.Unlock()
	c := s.conv(peer)
	out, ok := c.tracker.Do(chatstate.Sent, time.Now())
	s.scheduleTick(peer, c)
	if ok && out.InContent && !out.Legacy {
		return out.State, true
	}
	return 0, false
}

// chatIn learns from a contact's message: where to address notifications,
// whether its client supports them, and its own chat state.
func (s *Session) chatIn(peer string, m *stanza.Message) {
	s.chats.mu.Lock()
	c := s.conv(peer)
	if m.From != "" {
		c.to = m.From
	}
	c.tracker.Received(*m)
	if xhtmlim.Find(m) != nil {
		c.sawXHTML = true
	}
	s.chats.mu.Unlock()
	if n, ok := chatstate.NotificationOf(*m); ok {
		s.client.bus.Publish(ChatStateChanged{Account: s.jid(), JID: peer, Resource: xmpp.ResourceOf(m.From),
			State: chatStateOf(n.State), Legacy: n.Legacy})
	}
}

// delivered marks our message id to peer as delivered (a receipt came).
func (s *Session) delivered(peer, id string) { s.peerConfirmed(peer, id, history.StateDelivered) }

// peerConfirmed moves our message id forward to st (delivered, read), as
// the peer said; an id that is not one of ours is ignored.
func (s *Session) peerConfirmed(peer, id string, st history.State) (history.Message, bool) {
	orig, found, err := s.client.store.FindByOriginID(s.jid(), peer, id, history.Out)
	if err != nil || !found {
		return history.Message{}, false
	}
	s.outbox.done(orig.OriginID)
	s.deferMessageState(orig, st, "")
	return orig, true
}

// displayed marks our message id read by the peer (XEP-0333), and our
// earlier messages of the conversation the peer got: a displayed marker
// covers everything before it, and most clients send one only for the
// newest message.
func (s *Session) displayed(peer, id string) {
	orig, found := s.peerConfirmed(peer, id, history.StateRead)
	if !found {
		return // unknown, or not ours: ignored (§6)
	}
	recent, err := s.client.store.Latest(s.jid(), peer, readBack)
	if err != nil {
		return
	}
	for _, m := range recent {
		if m.Direction == history.Out && m.ID < orig.ID && m.State >= history.StateSent && m.State <= history.StateDelivered {
			s.deferMessageState(m, history.StateRead, "")
		}
	}
}

// readBack is how many of a conversation's latest messages a displayed
// marker marks read, besides the one it names.
const readBack = 100

// sendDisplayed tells peer that the user has read its newest message,
// when it asked (markable) and was not told yet, the user lets contacts
// know (Client.SetReadMarkers), and peer may see our presence. Nothing is
// queued offline: the next read tells it.
func (s *Session) sendDisplayed(peer string) {
	if s.client.noMarkers.Load() {
		return
	}
	if ct, in := s.roster.Contact(peer); !in || !ct.SeesUs() {
		return
	}
	last, ok, err := s.client.store.LatestBy(s.jid(), peer, history.In)
	if err != nil || !ok || !last.Markable {
		return
	}
	id := last.WireID // the marker names the id attribute (§3)
	if id == "" {
		id = last.OriginID
	}
	conn, err := s.onlineConn()
	if id == "" || err != nil {
		return
	}
	s.chats.mu.Lock()
	if s.chats.displayed == nil {
		s.chats.displayed = map[string]string{}
	}
	told := s.chats.displayed[peer] == id
	s.chats.displayed[peer] = id
	s.chats.mu.Unlock()
	if told {
		return
	}
	to := peer
	if last.Resource != "" {
		to += "/" + last.Resource
	}
	m := markers.NewDisplayed(to, id)
	conn.Send(&m)
}

// readElsewhere records that another of our devices displayed the peer's
// message id, and says so when that read more of the conversation.
func (s *Session) readElsewhere(peer, id string) {
	if moved, err := s.client.store.MarkReadUpTo(s.jid(), peer, id); err == nil && moved {
		s.client.bus.Publish(ReadElsewhere{Account: s.jid(), Peer: peer})
	}
}

// answerReceipt acknowledges a stored message when its sender asked
// (XEP-0184), only to contacts allowed to see our presence (§8: a receipt
// tells a stranger we are online).
func (s *Session) answerReceipt(c *xmpp.Conn, peer string, m *stanza.Message) {
	ack, ok := receipts.Answer(*m)
	if !ok {
		return
	}
	if ct, in := s.roster.Contact(peer); !in || !ct.SeesUs() {
		return
	}
	s.owed.send(c, &ack)
}

// receiptsOwed holds the receipts we sent that the server has not
// acknowledged (XEP-0198) yet. A connection that ends unresumed loses
// what it had not handed over, and the sender's message would stay
// unconfirmed for good: each is sent again on the next connection
// (goLive), once per connection, until one is acknowledged.
type receiptsOwed struct {
	mu   sync.Mutex
	acks map[*stanza.Message]*xmpp.Conn // receipt → connection last written on
}

// maxReceiptsOwed bounds what is kept: past it, one is dropped to make
// room (it was written once; the sender's message stays unconfirmed).
const maxReceiptsOwed = 5000

// send writes ack on c and owes it until the server acknowledges it;
// without stream management it is only written.
func (o *receiptsOwed) send(c *xmpp.Conn, ack *stanza.Message) {
	if sm, _ := c.StreamManagement(); !sm {
		c.Send(ack)
		return
	}
	o.mu.Lock()
	if o.acks == nil {
		o.acks = map[*stanza.Message]*xmpp.Conn{}
	}
	if len(o.acks) >= maxReceiptsOwed {
		for k := range o.acks {
			delete(o.acks, k)
			break
		}
	}
	o.acks[ack] = c
	o.mu.Unlock()
	c.SendAcked(ack, func() {
		o.mu.Lock()
		delete(o.acks, ack)
		o.mu.Unlock()
	})
}

// resend writes again on c what other connections did not hand over.
func (o *receiptsOwed) resend(c *xmpp.Conn) {
	o.mu.Lock()
	var again []*stanza.Message
	for ack, on := range o.acks {
		if on != c {
			again = append(again, ack)
		}
	}
	o.mu.Unlock()
	for _, ack := range again {
		o.send(c, ack)
	}
}

// applyCorrection replaces the text of the message a correction points
// to: a message the peer sent (dir In), or one we sent from another of
// our devices (Out: a carbon copy of the correction). It is accepted only
// from the same full JID as the original (the stricter reading of
// XEP-0308 §4: another resource may be another device, or another person
// with the account), and only for the newest message of that direction
// in the conversation (§5: an older one cannot be rewritten behind the
// reader's back; the correction is then shown as a new message, the
// XEP's fallback), and only when it came encrypted as the original did
// (enc): a text sent in the clear never replaces one shown under the
// lock, nor the other way. It reports whether the correction was
// applied.
func (s *Session) applyCorrection(peer, id string, m *stanza.Message, dir history.Direction, enc history.Encryption) bool {
	me := s.jid()
	orig, found, err := s.client.store.FindByOriginID(me, peer, id, dir)
	if err != nil || !found || orig.Resource != xmpp.ResourceOf(m.From) || orig.Retracted || orig.Encryption != enc {
		return false
	}
	if last, ok, err := s.client.store.LatestBy(me, peer, dir); err != nil || !ok || last.ID != orig.ID {
		return false
	}
	rich := richOf(m)
	var fixed history.Message
	Replied(&fixed, m) // a reply's correction quotes again: not its text
	body := m.Body
	if enc != history.NotEncrypted {
		rich = "" // only the encrypted text counts (Decrypted.apply)
	} else if fixed.ReplyID != "" {
		body = fixed.Body
	}
	if err := s.client.store.Correct(orig.ID, body, rich); err != nil {
		return false
	}
	orig.Body, orig.Rich, orig.Corrected = body, rich, true
	s.client.bus.Publish(MessageCorrected{Account: me, Message: orig})
	return true
}

// ErrNotCorrectable: only our own last message can be corrected.
var ErrNotCorrectable = errors.New("core: only your last message can be corrected")

// CorrectMessage replaces the text of our message id (the last one we
// sent in its conversation) with body, for us and for the contact
// (XEP-0308). The contact's client shows it as corrected when it supports
// corrections, as a new message otherwise.
func (s *Session) CorrectMessage(ctx context.Context, id int64, body string) (history.Message, error) {
	if strings.TrimSpace(body) == "" {
		return history.Message{}, ErrNotCorrectable
	}
	if len(body) > MaxMessageBytes {
		return history.Message{}, ErrMessageTooLong
	}
	orig, err := s.client.store.Get(id)
	if err != nil {
		return history.Message{}, err
	}
	if orig.Direction != history.Out || orig.Type != TypeChat || orig.State == history.StateError || orig.Retracted {
		return history.Message{}, ErrNotCorrectable
	}
	if orig.State == history.StatePending && (orig.Encryption != history.NotEncrypted || s.sealer.queued(orig.Peer)) {
		// Still in its peer's queue: the correction would overtake it,
		// and the queue would send its old text.
		return history.Message{}, ErrNotSentYet
	}
	last, err := s.client.store.Latest(orig.Account, orig.Peer, 20)
	if err != nil {
		return history.Message{}, err
	}
	for i := len(last) - 1; i >= 0; i-- {
		if last[i].Direction == history.Out {
			if last[i].ID != orig.ID {
				return history.Message{}, ErrNotCorrectable
			}
			break
		}
	}
	// While a dropped link is being resumed the correction is queued by
	// the connection; if resumption fails it is sent again on the next
	// one (carry.go).
	s.mu.Lock()
	conn := s.conn
	s.mu.Unlock()
	if conn == nil {
		return history.Message{}, ErrNotConnected
	}
	st := stanza.NewMessage(stanza.Attrs{To: orig.Peer, Type: stanza.MessageTypeChat})
	st.Body = body
	sid.Add(&st, sid.New())
	correct.Replace(&st, orig.OriginID)
	if state, ok := s.contentState(orig.Peer); ok {
		chatstate.Add(&st, state)
	}
	if orig.Encryption != history.NotEncrypted {
		// Encrypted as the original was, or not sent.
		if s.hooks.seal == nil {
			return history.Message{}, &SealError{Reason: ReasonNoEncryption}
		}
		if err := s.hooks.seal(ctx, conn, &st); err != nil {
			return history.Message{}, err
		}
	}
	if err := conn.Send(st); err != nil {
		return history.Message{}, err
	}
	if err := s.client.store.Correct(orig.ID, body, ""); err != nil {
		return history.Message{}, err
	}
	orig.Body, orig.Rich, orig.Corrected = body, "", true
	s.client.bus.Publish(MessageCorrected{Account: orig.Account, Message: orig})
	return orig, nil
}
