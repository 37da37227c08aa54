package xmpp

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"log"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/causerie/causerie/internal/testserver"
	"gosrc.io/xmpp/stanza"
)

// secretBody is the text of the message whose handler panics: it must
// never reach the log.
const secretBody = "SECRET-PLAINTEXT meet me at noon"

// logBuffer collects the log package's output while a test runs.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// captureLog sends the log package's output to a buffer until the test ends.
func captureLog(t *testing.T) *logBuffer {
	lb := &logBuffer{}
	old := log.Writer()
	log.SetOutput(lb)
	t.Cleanup(func() { log.SetOutput(old) })
	return lb
}

// checkPanicLog: each panic was logged with its stanza kind, value and
// stack, and no message text was.
func checkPanicLog(t *testing.T, logs string, want ...string) {
	t.Helper()
	for _, w := range append(want, "goroutine ", "panic.go") {
		if !strings.Contains(logs, w) {
			t.Errorf("log lacks %q:\n%s", w, logs)
		}
	}
	if strings.Contains(logs, "SECRET") {
		t.Errorf("message text in the log:\n%s", logs)
	}
}

// panicExt is a message extension whose decoder panics, as a buggy one
// would.
type panicExt struct{}

func (*panicExt) UnmarshalXML(*xml.Decoder, xml.StartElement) error {
	panic("extension decoder bug")
}

// panicky is a handler that panics on the message secretBody and on
// version queries, and passes other messages to next.
func panicky(next Handler, panics *atomic.Int32) *Mux {
	h := &Mux{}
	h.HandleMessageFunc(func(c *Conn, m *stanza.Message) {
		if m.Body == secretBody {
			panics.Add(1)
			panic("message handler bug")
		}
		next.HandleMessage(c, m)
	})
	h.HandleIQFunc("jabber:iq:version", "query", func(*Conn, *stanza.IQ) {
		panics.Add(1)
		panic("IQ handler bug")
	})
	return h
}

// TestPanicsOnTheReaderAreRecovered: a handler panicking on a message or
// an IQ request, and an extension decoder panicking, do not end the
// session: the other stanzas are handled in order, the request gets an
// error, the message with the broken extension is delivered without it,
// and the log says what panicked without the message's text.
func TestPanicsOnTheReaderAreRecovered(t *testing.T) {
	logs := captureLog(t)
	stanza.TypeRegistry.MapExtension(stanza.PKTMessage, xml.Name{Space: "urn:causerie:test:panic", Local: "boom"}, panicExt{})
	in := `<message from='a@b/c' id='m1'><body>one</body></message>` +
		`<message from='a@b/c' id='m2'><body>` + secretBody + `</body></message>` +
		`<message from='a@b/c' id='m3'><boom xmlns='urn:causerie:test:panic'>SECRET</boom><body>three</body></message>` +
		`<iq type='get' id='q1' from='a@b/c'><query xmlns='jabber:iq:version'/></iq>` +
		`<message from='a@b/c' id='m4'><body>four</body></message></stream:stream>`
	rec := newRecorder()
	var panics atomic.Int32
	c, mc := runReader(t, strings.NewReader(in), panicky(rec, &panics), 0)
	if !errors.Is(c.Err(), errStreamEnd) {
		t.Fatalf("session ended with %v", c.Err())
	}
	var bodies []string
	for _, s := range rec.got {
		m := s.(*stanza.Message)
		bodies = append(bodies, m.Body)
		if len(m.Extensions) != 0 {
			t.Errorf("%s: extensions %#v", m.Id, m.Extensions)
		}
	}
	if strings.Join(bodies, ",") != "one,three,four" || panics.Load() != 2 {
		t.Fatalf("delivered %q, %d handler panics", bodies, panics.Load())
	}
	want := `<iq type='error' id='q1' to='a@b/c'><error type='cancel'><internal-server-error xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>`
	if !strings.Contains(mc.out.String(), want) {
		t.Errorf("no internal-server-error answer in %q", mc.out.String())
	}
	checkPanicLog(t, logs.String(), "message handler bug", "IQ handler bug", "extension decoder bug", "<message/>", "<iq/>", `"urn:causerie:test:panic"`)
}

// TestPanickingHandlerDoesNotEndSession, on Prosody: a's handler panics
// on one message of b's and on b's IQ request. The session stays up, the
// next messages arrive in order, b's request gets an error, and the
// panicking stanzas are counted for XEP-0198: after a cut link and a
// resumption, the server redelivers nothing.
func TestPanickingHandlerDoesNotEndSession(t *testing.T) {
	logs := captureLog(t)
	s := testserver.Shared(t, testserver.Prosody, testserver.Options{})
	aJID, aPass := s.NewUser(t)
	bJID, bPass := s.NewUser(t)
	px := testserver.NewProxy(t, s.Addr())
	col := newCollector()
	// The count when "3" is handled: the reader counts each stanza once
	// handled, so this covers exactly the four stanzas before it.
	var at3 atomic.Int64
	next := &Mux{}
	next.HandleMessageFunc(func(c *Conn, m *stanza.Message) {
		if m.Body == "3" {
			at3.Store(int64(inbound(c)))
		}
		col.HandleMessage(c, m)
	})
	var panics atomic.Int32
	statuses := make(chan Status, 4)
	cfg := cfgFor(s, aJID, aPass)
	cfg.Port, cfg.Handler = px.Port(), panicky(next, &panics)
	cfg.OnStatus = func(st Status) { statuses <- st }
	a := dial(t, cfg)
	b := dial(t, cfgFor(s, bJID, bPass))
	a.Send(stanza.NewPresence(stanza.Attrs{To: b.JID()}))
	waitAcked(t, a)
	before := inbound(a)

	iq, _ := stanza.NewIQ(stanza.Attrs{Type: stanza.IQTypeGet, To: a.JID()})
	iq.Payload = &stanza.Version{}
	_, err := b.SendIQ(context.Background(), iq)
	var se *StanzaError
	if !errors.As(err, &se) || se.Condition != "internal-server-error" {
		t.Fatalf("IQ to a panicking handler: err = %v, want internal-server-error", err)
	}
	sendBodies(t, b, a.JID(), "1", secretBody, "2", "3")
	col.wait(t, 3, 30*time.Second)
	if n := at3.Load() - int64(before); n != 4 {
		t.Errorf("%d stanzas counted for the server's acks before the last, want 4 (the IQ, 1, the panicking one, 2)", n)
	}
	if err := a.Ping(context.Background(), ""); err != nil {
		t.Fatalf("ping after the panics: %v (session: %v)", err, a.Err())
	}

	waitAcked(t, a)
	px.Cut()
	waitStatuses(t, statuses, StatusInterrupted, StatusResumed)
	sendBodies(t, b, a.JID(), "4")
	var got []string
	for _, m := range col.wait(t, 4, 30*time.Second) {
		got = append(got, m.Body)
	}
	if strings.Join(got, ",") != "1,2,3,4" || panics.Load() != 2 {
		t.Fatalf("a got %q with %d panics, want 1,2,3,4 with 2: the server redelivered", got, panics.Load())
	}
	checkPanicLog(t, logs.String(), "message handler bug", "IQ handler bug")
}

// inbound is c's count of stanzas handled, sent in its XEP-0198 acks.
func inbound(c *Conn) uint32 {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.sm.inbound
}

// sendBodies sends chat messages with these bodies from c to to.
func sendBodies(t *testing.T, c *Conn, to string, bodies ...string) {
	t.Helper()
	for _, body := range bodies {
		m := stanza.NewMessage(stanza.Attrs{To: to, Type: stanza.MessageTypeChat})
		m.Body = body
		if err := c.Send(m); err != nil {
			t.Fatal(err)
		}
	}
}

// waitStatuses waits for these link status changes, in this order.
func waitStatuses(t *testing.T, ch <-chan Status, want ...Status) {
	t.Helper()
	for _, w := range want {
		select {
		case st := <-ch:
			if st != w {
				t.Fatalf("status %v, want %v", st, w)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("no %v status", w)
		}
	}
}

// TestGuard: a panic while the stanza is read leaves the stream's position
// unknown (errDecodePanic, so the reader leaves the link); one in the
// handler does not; an IQ request is answered either way, a reply never.
func TestGuard(t *testing.T) {
	logs := captureLog(t)
	mc := &memConn{r: strings.NewReader("")}
	c := &Conn{t: newTransport(mc, 1<<20)}
	start := func(typ string) xml.StartElement {
		return xml.StartElement{Name: xml.Name{Space: NSClient, Local: "iq"},
			Attr: []xml.Attr{{Name: xml.Name{Local: "type"}, Value: typ}, {Name: xml.Name{Local: "id"}, Value: typ + "1"}}}
	}
	bad := errors.New("bad XML")
	for _, tc := range []struct {
		typ    string
		decode func() (func(), error)
		want   error
	}{
		{"get", func() (func(), error) { panic("decoder bug") }, errDecodePanic},
		{"set", func() (func(), error) { return func() { panic("handler bug") }, nil }, nil},
		{"result", func() (func(), error) { panic("decoder bug") }, errDecodePanic},
		{"error", func() (func(), error) { return nil, bad }, bad},
	} {
		if err := c.guard(start(tc.typ), tc.decode); err != tc.want {
			t.Errorf("%s: err = %v, want %v", tc.typ, err, tc.want)
		}
	}
	out := mc.out.String()
	for _, typ := range []string{"get", "set"} {
		if !strings.Contains(out, "id='"+typ+"1'><error type='cancel'><internal-server-error") {
			t.Errorf("%s not answered: %q", typ, out)
		}
	}
	if strings.Contains(out, "result1") || strings.Contains(out, "error1") {
		t.Errorf("a reply was answered: %q", out)
	}
	checkPanicLog(t, logs.String(), "handling of <iq/>", "decoder bug", "handler bug")
}
