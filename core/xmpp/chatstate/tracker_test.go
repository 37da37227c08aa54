package chatstate

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"gosrc.io/xmpp/stanza"
)

var t0 = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// sim drives a Tracker with a fake clock: before each action it fires
// every deadline that falls due, as the caller's timer would, and logs
// what the tracker asks to send as "elapsed what".
type sim struct {
	t   *testing.T
	tr  *Tracker
	now time.Time
	log []string
}

func newSim(t *testing.T, tr *Tracker) *sim { return &sim{t: t, tr: tr, now: t0} }

func (s *sim) record(o Outgoing) {
	what := o.State.String()
	switch {
	case o.Legacy && o.State == Composing:
		what = "x:composing " + o.ID
	case o.Legacy:
		what = "x:cancel " + o.ID
	case o.InContent:
		what += " (in message)"
	}
	s.log = append(s.log, fmt.Sprintf("%v %s", s.now.Sub(t0), what))
}

// until advances the clock to t0+at, ticking at each deadline on the way.
func (s *sim) until(at time.Duration) {
	end := t0.Add(at)
	for i := 0; ; i++ {
		if i > 100 {
			s.t.Fatal("deadline loop")
		}
		d, ok := s.tr.Deadline()
		if !ok || d.After(end) {
			break
		}
		if d.Before(s.now) {
			s.t.Fatalf("deadline %v in the past (now %v)", d.Sub(t0), s.now.Sub(t0))
		}
		s.now = d
		if o, ok := s.tr.Tick(d); ok {
			s.record(o)
		}
	}
	s.now = end
}

func (s *sim) do(at time.Duration, a Action) {
	s.until(at)
	if o, ok := s.tr.Do(a, s.now); ok {
		s.record(o)
	}
}

func (s *sim) want(lines ...string) {
	s.t.Helper()
	if !reflect.DeepEqual(s.log, lines) && !(len(s.log) == 0 && len(lines) == 0) {
		s.t.Fatalf("sent:\n  %s\nwant:\n  %s", strings.Join(s.log, "\n  "), strings.Join(lines, "\n  "))
	}
	s.log = nil
}

func chatMsg(body string, st State) stanza.Message {
	m := stanza.NewMessage(stanza.Attrs{From: "juliet@capulet.com/balcony", Type: stanza.MessageTypeChat, Id: "j1"})
	m.Body = body
	if st != 0 {
		Add(&m, st)
	}
	return m
}

const sec = time.Second

func TestTrackerSupportedPeer(t *testing.T) {
	tr := &Tracker{}
	tr.SetSupported(true)
	s := newSim(t, tr)
	s.do(0, Focused)
	s.do(1*sec, Typed)
	s.do(2*sec, Typed) // no repetition while typing
	s.do(3*sec, Typed)
	s.until(8 * sec) // paused 5 s after the last keystroke
	s.do(10*sec, Typed)
	s.do(11*sec, Sent)
	s.do(12*sec, Sent) // every content message carries <active/>
	s.do(20*sec, FocusLost)
	s.until(20*sec + InactiveAfter - 1)
	s.want("0s active", "1s composing", "8s paused", "10s composing", "11s active (in message)", "12s active (in message)")
	s.until(20*sec + InactiveAfter)
	s.do(5*time.Minute, Focused)
	s.do(6*time.Minute, Closed)
	s.want("2m20s inactive", "5m0s active", "6m0s gone")
	if _, ok := tr.Deadline(); ok {
		t.Fatal("a deadline after closing")
	}
	// Reopened later: active again.
	s.do(7*time.Minute, Focused)
	s.want("7m0s active")
}

func TestTrackerFocusAndClear(t *testing.T) {
	tr := &Tracker{}
	tr.SetSupported(true)
	s := newSim(t, tr)
	s.do(0, Typed)
	s.do(1*sec, FocusLost) // leaving the window pauses at once
	s.do(3*sec, Focused)   // back with text still in the input: stays paused
	s.do(4*sec, Typed)
	s.do(5*sec, Cleared) // erased the reply
	s.do(6*sec, Cleared)
	s.want("0s composing", "1s paused", "4s composing", "5s active")
	// Paused, then unfocused long enough: inactive.
	s.do(10*sec, Typed)
	s.until(15 * sec)
	s.do(16*sec, FocusLost)
	s.until(16*sec + InactiveAfter)
	s.want("10s composing", "15s paused", "2m16s inactive")
	if tr.State() != Inactive {
		t.Fatalf("state %v", tr.State())
	}
}

// XEP-0085 §5.1: before support is known, content messages carry
// <active/> but no standalone notification is sent; a reply without a chat
// state stops everything; any chat state from the peer starts it again.
func TestTrackerImplicitDiscovery(t *testing.T) {
	tr := &Tracker{}
	s := newSim(t, tr)
	s.do(0, Typed)
	s.until(10 * sec)
	s.do(11*sec, Sent)
	s.want("11s active (in message)")

	tr.Received(chatMsg("no chat states here", 0))
	s.do(20*sec, Typed)
	s.do(21*sec, Sent)
	s.want()
	if tr.Supported() {
		t.Fatal("supported after a reply without chat state")
	}

	tr.Received(chatMsg("", Composing)) // a standalone notification proves support
	s.do(30*sec, Typed)
	s.do(31*sec, Sent)
	s.want("30s composing", "31s active (in message)")
}

func TestTrackerExplicitDiscovery(t *testing.T) {
	// Disco says yes: a content message without chat state (another of the
	// peer's clients, say) does not turn it off.
	tr := &Tracker{}
	tr.SetSupported(true)
	tr.Received(chatMsg("hi", 0))
	if !tr.Supported() {
		t.Fatal("explicit support lost")
	}
	// Disco says no: nothing, not even in content messages...
	tr = &Tracker{}
	tr.SetSupported(false)
	s := newSim(t, tr)
	s.do(0, Typed)
	s.do(1*sec, Sent)
	s.want()
	// ...until the peer sends a chat state after all.
	tr.Received(chatMsg("hi", Active))
	s.do(2*sec, Typed)
	s.want("2s composing")
	// Error bounces teach nothing.
	tr = &Tracker{}
	m := chatMsg("", Composing)
	m.Type = stanza.MessageTypeError
	tr.Received(m)
	if tr.Supported() {
		t.Fatal("support from an error")
	}
}

func TestTrackerLegacyPeer(t *testing.T) {
	tr := &Tracker{}
	s := newSim(t, tr)
	req := chatMsg("Art thou not Romeo, and a Montague?", 0)
	req.Id = "message22"
	RequestLegacyComposing(&req)
	tr.Received(req)
	s.do(0, Typed)
	s.do(1*sec, Typed)
	s.until(7 * sec) // cancelled when paused
	s.do(8*sec, Typed)
	s.do(9*sec, Sent) // the reply itself ends the composing event
	s.do(10*sec, Typed)
	s.do(11*sec, Cleared)
	s.want("0s x:composing message22", "6s x:cancel message22", "8s x:composing message22", "10s x:composing message22", "11s x:cancel message22")

	// Closing while composing cancels.
	s.do(12*sec, Typed)
	s.do(13*sec, Closed)
	s.want("12s x:composing message22", "13s x:cancel message22")

	// A newer message asks for events about itself.
	req2 := chatMsg("Deny thy father", 0)
	req2.Id = "message23"
	RequestLegacyComposing(&req2)
	tr.Received(req2)
	s.do(20*sec, Typed)
	s.want("20s x:composing message23")

	// The peer's last message did not ask: nothing, not even a cancel.
	tr.Received(chatMsg("plain", 0))
	s.until(30 * sec)
	s.do(31*sec, Typed)
	s.want()
}

// A peer that does both gets XEP-0085 only.
func TestTrackerPrefersXEP0085(t *testing.T) {
	tr := &Tracker{}
	req := chatMsg("hello", Active)
	req.Id = "m1"
	RequestLegacyComposing(&req)
	tr.Received(req)
	s := newSim(t, tr)
	s.do(0, Typed)
	s.want("0s composing")
}

func TestTrackerGroupchat(t *testing.T) {
	tr := &Tracker{Groupchat: true}
	s := newSim(t, tr)
	s.do(0, Focused)
	s.do(1*sec, Typed)
	s.do(2*sec, Sent)
	s.do(3*sec, Closed) // no <gone/> in rooms (§5.5)
	s.want("0s active", "1s composing", "2s active (in message)")
	o, _ := tr.Do(Typed, t0.Add(4*sec))
	if m := o.Message("room@muc.example"); m.Type != stanza.MessageTypeGroupchat {
		t.Fatalf("type %q", m.Type)
	}
}

func TestTrackerDisabled(t *testing.T) {
	tr := &Tracker{Disabled: true}
	tr.SetSupported(true)
	s := newSim(t, tr)
	s.do(0, Focused)
	s.do(1*sec, Typed)
	s.until(10 * sec)
	s.do(11*sec, Sent)
	s.do(12*sec, Closed)
	s.want()
	if tr.State() != Gone {
		t.Fatalf("state not tracked: %v", tr.State())
	}
}

func TestTickBeforeDeadline(t *testing.T) {
	tr := &Tracker{}
	tr.SetSupported(true)
	tr.Do(Typed, t0)
	if _, ok := tr.Tick(t0.Add(PausedAfter - 1)); ok {
		t.Fatal("paused early")
	}
	// A late timer still works.
	if o, ok := tr.Tick(t0.Add(time.Hour)); !ok || o.State != Paused {
		t.Fatalf("late tick %+v %v", o, ok)
	}
	if _, ok := tr.Tick(t0.Add(2 * time.Hour)); ok {
		t.Fatal("tick without deadline")
	}
}

func TestOutgoingMessage(t *testing.T) {
	for _, c := range []struct {
		o    Outgoing
		want string
	}{
		{Outgoing{State: Paused}, `<message type="chat" to="a@b/c"><paused xmlns="http://jabber.org/protocol/chatstates"></paused></message>`},
		{Outgoing{State: Composing, Legacy: true, ID: "m1"}, `<message to="a@b/c"><x xmlns="jabber:x:event"><composing></composing><id>m1</id></x></message>`},
		{Outgoing{State: Paused, Legacy: true, ID: "m1"}, `<message to="a@b/c"><x xmlns="jabber:x:event"><id>m1</id></x></message>`},
	} {
		if got := marshal(t, c.o.Message("a@b/c")); got != c.want {
			t.Errorf("%+v:\n got %s\nwant %s", c.o, got, c.want)
		}
	}
}
