package core

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gosrc.io/xmpp/stanza"

	"github.com/causerie/causerie/core/account"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/xmpp/register"
	"github.com/causerie/causerie/core/xmpp/vcard"
	"github.com/causerie/causerie/core/xmpp/xhtmlim"
	"github.com/causerie/causerie/internal/hostile"
	"github.com/causerie/causerie/internal/testserver"
)

// testClient is a client over its own config dir (returned) and history,
// with no keyring, closed when the test ends.
func testClient(t *testing.T, opts Options) (*Client, string) {
	t.Helper()
	dir := t.TempDir()
	accts, err := account.OpenStore(filepath.Join(dir, "config"))
	if err != nil {
		t.Fatal(err)
	}
	store, err := history.Open(filepath.Join(dir, "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	c := NewClient(accts, nil, store, opts)
	t.Cleanup(c.Close)
	return c, dir
}

// offlineSession is a session over its own store and no server: enough to
// hand it stanzas as its connection's reader would.
func offlineSession(t *testing.T) (*Client, *Session) {
	t.Helper()
	c, _ := testClient(t, Options{})
	s, err := c.AddAccount(context.Background(), account.Account{JID: "me@example.org"}, "")
	if err != nil {
		t.Fatal(err)
	}
	return c, s
}

func decodeMessage(t *testing.T, raw []byte) *stanza.Message {
	t.Helper()
	var m stanza.Message
	if err := xml.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return &m
}

// TestBoBCannotAmplify: a ~300 KB message with 2,000 images naming one
// 190 KiB XEP-0231 item used to be stored as ~500 MB of XHTML (the item
// inlined as a data: URI at every reference). Now each cid is inlined
// once, within a budget: stored and read back for display in well under
// 200 ms and 50 MB.
func TestBoBCannotAmplify(t *testing.T) {
	_, s := offlineSession(t)
	raw := hostile.BoBMessage("mallory@example.org/x", 2000, 190<<10)
	m := decodeMessage(t, raw)
	var doc xhtmlim.Doc
	var stored history.Message
	growth, took := hostile.Peak(func() {
		s.HandleMessage(nil, m)
		msgs, err := s.History("mallory@example.org", 1)
		if err != nil || len(msgs) != 1 {
			t.Fatalf("history: %v, %d messages", err, len(msgs))
		}
		stored = msgs[0]
		doc = MessageDoc(stored)
	})
	t.Logf("%d-byte message: stored %d bytes of XHTML, shown in %v, heap +%d MiB", len(raw), len(stored.Rich), took, growth>>20)
	if growth > 50<<20 {
		t.Errorf("the heap grew by %d MiB", growth>>20)
	}
	if took > 200*time.Millisecond*hostile.Slowdown {
		t.Errorf("took %v", took)
	}
	var inlined, kept int
	for _, in := range doc[0].Inlines {
		switch {
		case in.Kind != xhtmlim.Image:
		case strings.HasPrefix(in.Src, "data:"):
			inlined++
		case in.Src == "cid:a":
			kept++
		}
	}
	if inlined != 1 || kept != 1999 {
		t.Errorf("%d images inlined, %d kept as cid:", inlined, kept)
	}
}

// TestBoBBudget: distinct items are inlined while the message's budget
// lasts; the rest keep their cid: (shown as their alt text).
func TestBoBBudget(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<message xmlns='jabber:client' type='chat' from='a@example.org/x'><body>x</body><html xmlns='http://jabber.org/protocol/xhtml-im'><body xmlns='http://www.w3.org/1999/xhtml'><p>`)
	for i := range 4 {
		b.WriteString(`<img alt='a' src='cid:` + string(rune('a'+i)) + `'/>`)
	}
	b.WriteString(`</p></body></html>`)
	item := hostile.BoBMessage("", 1, 150<<10)
	data := item[strings.Index(string(item), "<data"):strings.Index(string(item), "</message>")]
	for i := range 4 {
		b.WriteString(strings.Replace(string(data), "cid='a'", "cid='"+string(rune('a'+i))+"'", 1))
	}
	b.WriteString(`</message>`)
	doc, err := xhtmlim.Parse([]byte(richOf(decodeMessage(t, []byte(b.String())))))
	if err != nil {
		t.Fatal(err)
	}
	var inlined int
	for _, in := range doc[0].Inlines {
		if strings.HasPrefix(in.Src, "data:") {
			inlined++
		}
	}
	if inlined != 2 { // 2 × 200 KiB of base64 fit 512 KiB, a third does not
		t.Errorf("%d items inlined", inlined)
	}
}

// captchaForm is XEP-0158's Example 6 with data of our own.
func captchaForm(t *testing.T, data []byte) SignupForm {
	t.Helper()
	raw := `<iq xmlns='jabber:client' type='result' from='example.org' id='reg1'><query xmlns='jabber:iq:register'>
<x xmlns='jabber:x:data' type='form'>
  <field type='hidden' var='FORM_TYPE'><value>urn:xmpp:captcha</value></field>
  <field label='Enter the text you see' var='ocr'>
    <media xmlns='urn:xmpp:media-element' height='80' width='290'><uri type='image/png'>cid:c@bob.xmpp.org</uri></media>
    <required/>
  </field>
</x>
<data xmlns='urn:xmpp:bob' cid='c@bob.xmpp.org' type='image/png' max-age='0'>` + base64.StdEncoding.EncodeToString(data) + `</data>
</query></iq>`
	var iq stanza.IQ
	if err := xml.Unmarshal([]byte(raw), &iq); err != nil {
		t.Fatal(err)
	}
	q, ok := iq.Payload.(*register.Query)
	if !ok {
		t.Fatalf("payload %T", iq.Payload)
	}
	return signupForm("example.org", q)
}

// TestCaptchaThroughBoundedPath: the sign-up wizard's CAPTCHA image comes
// from a server we may know nothing of: a 16000×16000 one is refused from
// its header (the form says it cannot be shown), an SVG announced as PNG
// too, and an ordinary one reaches the GUI as a PNG the bounded path made.
func TestCaptchaThroughBoundedPath(t *testing.T) {
	var f SignupForm
	growth, _ := hostile.Peak(func() { f = captchaForm(t, hostile.PNG(16000, 16000)) })
	if !f.CaptchaUnreadable || f.Captcha != nil || f.CaptchaField != "ocr" {
		t.Fatalf("bomb: unreadable %v, %d bytes, field %q", f.CaptchaUnreadable, len(f.Captcha), f.CaptchaField)
	}
	if growth > 8<<20 {
		t.Fatalf("refusing the CAPTCHA grew the heap by %d MiB", growth>>20)
	}
	if f = captchaForm(t, []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`)); !f.CaptchaUnreadable {
		t.Fatal("an SVG CAPTCHA was accepted")
	}
	var img bytes.Buffer
	jpeg.Encode(&img, image.NewGray(image.Rect(0, 0, 290, 80)), nil)
	f = captchaForm(t, img.Bytes())
	cfg, format, err := image.DecodeConfig(bytes.NewReader(f.Captcha))
	if f.CaptchaUnreadable || err != nil || format != "png" || f.CaptchaType != "image/png" || cfg.Width != 290 || cfg.Height != 80 {
		t.Fatalf("ordinary CAPTCHA: %s %d×%d %q, %v", format, cfg.Width, cfg.Height, f.CaptchaType, err)
	}
}

// TestAvatarsStoredDownscaled: a contact's avatar is stored as a small
// PNG made by the bounded path, whatever was published; a bomb is kept
// as its hash with no picture (not shown, not fetched again).
func TestAvatarsStoredDownscaled(t *testing.T) {
	c, s := offlineSession(t)
	big := hostile.PNG(3000, 1500)
	c.setAvatar("big@example.org", "h1", big)
	data, ok := s.Avatar("big@example.org")
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if !ok || err != nil || format != "png" || cfg.Width != avatarSide || cfg.Height != avatarSide/2 {
		t.Fatalf("stored avatar: %v %s %d×%d %v", ok, format, cfg.Width, cfg.Height, err)
	}
	growth, _ := hostile.Peak(func() { c.setAvatar("bomb@example.org", "h2", hostile.PNG(16000, 16000)) })
	if _, ok := s.Avatar("bomb@example.org"); ok {
		t.Fatal("a bomb avatar is shown")
	}
	if e, ok := c.avatar("bomb@example.org"); !ok || e.hash != "h2" {
		t.Fatalf("the bomb's hash is not remembered: %+v", e)
	}
	if growth > 8<<20 {
		t.Fatalf("refusing the avatar grew the heap by %d MiB", growth>>20)
	}
}

// TestVCardPreviewBounded: a vCard photo is shown from its preview, made
// by the bounded path; a bomb has none.
func TestVCardPreviewBounded(t *testing.T) {
	v := vcard.VCard{}
	v.SetPhoto("image/png", hostile.PNG(1000, 1000))
	out := shownVCard(&v)
	cfg, _, err := image.DecodeConfig(bytes.NewReader(out.Preview))
	if err != nil || cfg.Width != MaxPhotoSide {
		t.Fatalf("preview: %d×%d %v", cfg.Width, cfg.Height, err)
	}
	v.SetPhoto("image/png", hostile.PNG(16000, 16000))
	if out = shownVCard(&v); out.Preview != nil || out.Photo == nil {
		t.Fatalf("bomb: preview %d bytes, photo %d bytes", len(out.Preview), len(out.Photo))
	}
}

// received hands the session a chat message from mallory as its reader
// would, and returns what was stored.
func received(t *testing.T, s *Session, raw string) history.Message {
	t.Helper()
	return receivedFrom(t, s, "mallory@example.org", raw)
}

// receivedFrom is received with another sender.
func receivedFrom(t *testing.T, s *Session, from, raw string) history.Message {
	t.Helper()
	s.HandleMessage(nil, decodeMessage(t, []byte(`<message xmlns='jabber:client' type='chat' from='`+from+`/x' to='me@example.org'>`+raw+`</message>`)))
	msgs, err := s.History(from, 100)
	if err != nil || len(msgs) == 0 {
		t.Fatalf("history: %v %d", err, len(msgs))
	}
	last := msgs[0] // the last stored, wherever its date puts it
	for _, m := range msgs {
		if m.ID > last.ID {
			last = m
		}
	}
	return last
}

// TestDelayTrustedOnlyFromOwnServer: a delay stamp is a claim anyone can
// write, even naming our server. One counts only if our server could have
// added it (offline storage): from our domain, dated while we were away
// (before this connection signed in) and after the conversation's latest
// message. Anything else is the time the message arrived: a stranger's
// 2099 does not pin its chat on top, a forged old one does not slip in
// among older messages.
func TestDelayTrustedOnlyFromOwnServer(t *testing.T) {
	_, s := offlineSession(t)
	stamp := func(from string, at time.Time) string {
		return `<delay xmlns='urn:xmpp:delay' from='` + from + `' stamp='` + at.UTC().Format(time.RFC3339) + `'/>`
	}
	now := time.Now().Truncate(time.Second)
	signedIn := now.Add(-time.Minute)
	s.mu.Lock()
	s.connectedAt = signedIn
	s.mu.Unlock()
	away := signedIn.Add(-2 * time.Hour) // sent while we were away
	y2099 := time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, c := range []struct {
		name, extra string
		want        time.Time // zero: the receive time
	}{
		{"a stranger's stamp in 2099", stamp("mallory@example.org", y2099), time.Time{}},
		{"a stranger's stamp while we were away", stamp("mallory@example.org", away), time.Time{}},
		{"a stamp without from", `<delay xmlns='urn:xmpp:delay' stamp='2001-01-01T00:00:00Z'/>`, time.Time{}},
		{"a legacy stamp from a stranger", `<x xmlns='jabber:x:delay' from='mallory@example.org' stamp='20990101T00:00:00'/>`, time.Time{}},
		// A stamp to the second is read as the end of its second: the
		// message was stored at some time within it.
		{"our server's stamp while we were away", stamp("example.org", away), away.Add(999 * time.Millisecond)},
		{"our server's, after a stranger's", stamp("mallory@example.org", away.Add(-time.Hour)) + stamp("EXAMPLE.org", away), away.Add(999 * time.Millisecond)},
		{"our server's stamp to the microsecond", `<delay xmlns='urn:xmpp:delay' from='example.org' stamp='` +
			away.Add(123456*time.Microsecond).UTC().Format(time.RFC3339Nano) + `'/>`, away.Add(123456 * time.Microsecond)},
		{"our server's name, dated while we were here", stamp("example.org", signedIn.Add(30*time.Second)), time.Time{}},
		{"our server's name in the future", stamp("example.org", y2099), time.Time{}},
	} {
		before := time.Now()
		m := receivedFrom(t, s, fmt.Sprintf("peer%d@example.org", i), `<body>`+c.name+`</body>`+c.extra)
		after := time.Now()
		if c.want.IsZero() {
			if m.Sent.Before(before) || m.Sent.After(after) {
				t.Errorf("%s: dated %v, not when it arrived", c.name, m.Sent)
			}
		} else if !m.Sent.Equal(c.want) {
			t.Errorf("%s: dated %v, want %v", c.name, m.Sent, c.want)
		}
	}
	// A conversation with a message: a stamp naming our server cannot
	// place a new one before it.
	first := receivedFrom(t, s, "erin@example.org", `<body>hello</body>`)
	forged := receivedFrom(t, s, "erin@example.org", `<body>I said this first</body>`+stamp("example.org", away))
	if forged.Sent.Before(first.Sent) {
		t.Errorf("a forged stamp placed a message at %v, before %v", forged.Sent, first.Sent)
	}
}

// TestDelayPlacesLateMessagesBriefly: in the first seconds after signing
// in, what our server held for us (a session it could not resume,
// offline storage) may arrive after messages sent later; its stamp puts
// it back among the messages of the last minutes, never before those
// stored more than reorderSpan before the sign-in.
func TestDelayPlacesLateMessagesBriefly(t *testing.T) {
	_, s := offlineSession(t)
	const peer = "fay@example.org"
	signedIn := time.Now().Add(-2 * time.Second)
	s.mu.Lock()
	s.connectedAt = signedIn
	s.mu.Unlock()
	store := func(body string, at time.Time) history.Message {
		m := history.Message{Account: "me@example.org", Peer: peer, Direction: history.In, Type: "chat",
			Body: body, Sent: at, Received: at}
		if err := s.client.store.Add(&m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	old := store("ten minutes before", signedIn.Add(-10*time.Minute))
	recent := store("a minute before", signedIn.Add(-time.Minute))
	stamp := func(at time.Time) string {
		return `<delay xmlns='urn:xmpp:delay' from='example.org' stamp='` + at.UTC().Format(time.RFC3339Nano) + `'/>`
	}
	held := signedIn.Add(-3*time.Minute + time.Millisecond)
	late := receivedFrom(t, s, peer, `<body>held by the server</body>`+stamp(held))
	if !late.Sent.Equal(held) || !late.Sent.Before(recent.Sent) {
		t.Errorf("a message held three minutes dated %v, want %v (before %v)", late.Sent, held, recent.Sent)
	}
	forged := receivedFrom(t, s, peer, `<body>I said this long ago</body>`+stamp(signedIn.Add(-2*time.Hour+time.Millisecond)))
	if !forged.Sent.Equal(old.Sent) {
		t.Errorf("an older stamp dated %v, want no earlier than %v", forged.Sent, old.Sent)
	}
	// Later in the connection, a stamp places nothing before the latest.
	s.mu.Lock()
	s.connectedAt = time.Now().Add(-time.Minute)
	s.mu.Unlock()
	after := receivedFrom(t, s, peer, `<body>held again</body>`+stamp(held))
	if latest, _ := s.History(peer, 1); len(latest) != 1 || latest[0].ID != after.ID {
		t.Errorf("a late stamp after the first seconds went before the latest message: %+v", after)
	}
}

// TestCorrectionOnlyOfLatest: XEP-0308 lets a sender correct only their
// latest message: a correction of an older one is shown as a new message
// and the old one is left as it was; a correction of the latest keeps
// the original text readable.
func TestCorrectionOnlyOfLatest(t *testing.T) {
	_, s := offlineSession(t)
	first := received(t, s, `<body>I owe you 10 euros</body><origin-id xmlns='urn:xmpp:sid:0' id='m1'/>`)
	received(t, s, `<body>see you</body><origin-id xmlns='urn:xmpp:sid:0' id='m2'/>`)
	rewrite := received(t, s, `<body>I owe you nothing</body><replace xmlns='urn:xmpp:message-correct:0' id='m1'/><origin-id xmlns='urn:xmpp:sid:0' id='m3'/>`)
	if rewrite.ID == first.ID || rewrite.Corrected {
		t.Fatalf("an older message was corrected: %+v", rewrite)
	}
	if got, _ := s.client.store.Get(first.ID); got.Body != "I owe you 10 euros" || got.Corrected {
		t.Fatalf("the older message became %+v", got)
	}
	fixed := received(t, s, `<body>see you soon</body><replace xmlns='urn:xmpp:message-correct:0' id='m3'/>`)
	if fixed.ID != rewrite.ID || !fixed.Corrected || fixed.Body != "see you soon" {
		t.Fatalf("the latest message was not corrected: %+v", fixed)
	}
	edits, err := s.client.Edits(fixed.ID)
	if err != nil || len(edits) != 1 || edits[0].Body != "I owe you nothing" {
		t.Fatalf("what it said before: %+v %v", edits, err)
	}
}

// TestOfflineMessageKeepsServerDate: a message stored by the real server
// while we were away keeps the time it was sent (the server's own delay
// stamp, trusted), on Prosody and ejabberd.
func TestOfflineMessageKeepsServerDate(t *testing.T) {
	bothServers(t, testOfflineMessageKeepsServerDate)
}

func testOfflineMessageKeepsServerDate(t *testing.T, srv *testserver.Server) {
	a, b := newUser(t, srv), newUser(t, srv)
	a.connect()
	sent := time.Now()
	m, err := a.s.SendMessage(b.jid, TypeChat, "", "pendant ton absence")
	if err != nil {
		t.Fatal(err)
	}
	a.rec.Wait(t, "acked", func(e Event) bool {
		s, ok := e.(MessageStateChanged)
		return ok && s.ID == m.ID && s.State == history.StateAcked
	})
	// Stamps to the second are read as the end of their second: wait
	// long enough that the date still differs from the arrival.
	time.Sleep(2500 * time.Millisecond)
	b.connect()
	got := b.rec.Wait(t, "offline message", func(e Event) bool {
		r, ok := e.(MessageReceived)
		return ok && r.Message.Body == "pendant ton absence"
	}).(MessageReceived).Message
	if got.Sent.Before(sent.Add(-time.Second)) || got.Received.Sub(got.Sent) < time.Second {
		t.Fatalf("sent %v, dated %v, received %v", sent, got.Sent, got.Received)
	}
}

// TestMessageTooLongRefused: a message over MaxMessageBytes would make
// the server end the stream on every reconnection (its stanza limit); it
// is refused at once, neither stored nor queued, and so is a correction
// that long.
func TestMessageTooLongRefused(t *testing.T) {
	_, s := offlineSession(t)
	long := strings.Repeat("a", MaxMessageBytes+1)
	if _, err := s.SendMessage("you@example.org", TypeChat, "", long); !errors.Is(err, ErrMessageTooLong) {
		t.Fatalf("SendMessage: %v, want ErrMessageTooLong", err)
	}
	if got := Classify(ErrMessageTooLong); got != ProblemMessageTooLong {
		t.Errorf("Classify: %v", got)
	}
	if ms, _ := s.History("you@example.org", 10); len(ms) != 0 {
		t.Fatalf("stored %d messages", len(ms))
	}
	m, err := s.SendMessage("you@example.org", TypeChat, "", strings.Repeat("a", MaxMessageBytes))
	if err != nil {
		t.Fatalf("a message of exactly MaxMessageBytes: %v", err)
	}
	if _, err := s.CorrectMessage(context.Background(), m.ID, long); !errors.Is(err, ErrMessageTooLong) {
		t.Fatalf("CorrectMessage: %v, want ErrMessageTooLong", err)
	}
}
