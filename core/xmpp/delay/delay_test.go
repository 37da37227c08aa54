package delay

import (
	"context"
	"crypto/tls"
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/internal/testserver"
	"gosrc.io/xmpp/stanza"
)

func TestMain(m *testing.M) { testserver.Main(m) }

// XEP-0203 Example 1: a message delivered from offline storage.
const ex1 = `<message from='romeo@montague.net/orchard' to='juliet@capulet.com' type='chat'>
  <body>O blessed, blessed night! I am afeard. Being in night, all this is but a dream, Too flattering-sweet to be substantial.</body>
  <delay xmlns='urn:xmpp:delay' from='capulet.com' stamp='2002-09-10T23:08:25Z'>Offline Storage</delay>
</message>`

// XEP-0203 Example 2: a delayed presence (last presence on login).
const ex2 = `<presence from='juliet@capulet.com/balcony' to='romeo@montague.net'>
  <status>anon!</status>
  <show>xa</show>
  <priority>1</priority>
  <delay xmlns='urn:xmpp:delay' from='juliet@capulet.com/balcony' stamp='2002-09-10T23:41:07Z'/>
</presence>`

// XEP-0091 Example 1 (message) and Example 2 (presence).
const legacy1 = `<message from='romeo@montague.net/orchard' to='juliet@capulet.com' type='chat'>
  <body>O blessed, blessed night! I am afeard. Being in night, all this is but a dream, Too flattering-sweet to be substantial.</body>
  <x xmlns='jabber:x:delay' from='capulet.com' stamp='20020910T23:08:25'>Offline Storage</x>
</message>`

const legacy2 = `<presence from='juliet@capulet.com/balcony' to='romeo@montague.net'>
  <status>anon!</status>
  <show>xa</show>
  <priority>1</priority>
  <x xmlns='jabber:x:delay' stamp='20020910T23:41:07'/>
</presence>`

func msg(t testing.TB, s string) *stanza.Message {
	t.Helper()
	var m stanza.Message
	if err := xml.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return &m
}

func pres(t testing.TB, s string) *stanza.Presence {
	t.Helper()
	var p stanza.Presence
	if err := xml.Unmarshal([]byte(s), &p); err != nil {
		t.Fatal(err)
	}
	return &p
}

func TestGoldenXEP0203(t *testing.T) {
	m := msg(t, ex1)
	ts, ok := FromMessage(m)
	if !ok || !ts.Equal(time.Date(2002, 9, 10, 23, 8, 25, 0, time.UTC)) {
		t.Fatalf("message stamp %v %v", ts, ok)
	}
	d := Find(m)
	if d == nil || d.From != "capulet.com" || d.Reason != "Offline Storage" {
		t.Fatalf("delay %+v", d)
	}
	if m.Body == "" {
		t.Fatal("body lost")
	}
	ts, ok = FromPresence(pres(t, ex2))
	if !ok || !ts.Equal(time.Date(2002, 9, 10, 23, 41, 7, 0, time.UTC)) {
		t.Fatalf("presence stamp %v %v", ts, ok)
	}
}

func TestGoldenXEP0091(t *testing.T) {
	ts, ok := FromMessage(msg(t, legacy1))
	if !ok || !ts.Equal(time.Date(2002, 9, 10, 23, 8, 25, 0, time.UTC)) {
		t.Fatalf("legacy message %v %v", ts, ok)
	}
	ts, ok = FromPresence(pres(t, legacy2))
	if !ok || !ts.Equal(time.Date(2002, 9, 10, 23, 41, 7, 0, time.UTC)) {
		t.Fatalf("legacy presence %v %v", ts, ok)
	}
}

func TestPreferXEP0203(t *testing.T) {
	// Both present (servers add both for old clients): XEP-0203 wins even
	// when it comes second.
	s := strings.Replace(legacy1, "</message>",
		`<delay xmlns='urn:xmpp:delay' from='capulet.com' stamp='2002-09-10T23:08:24.5Z'/></message>`, 1)
	ts, ok := FromMessage(msg(t, s))
	if !ok || !ts.Equal(time.Date(2002, 9, 10, 23, 8, 24, 5e8, time.UTC)) {
		t.Fatalf("got %v %v", ts, ok)
	}
	// An invalid XEP-0203 stamp falls back to a valid legacy one.
	s = strings.Replace(legacy1, "</message>", `<delay xmlns='urn:xmpp:delay' stamp='yesterday'/></message>`, 1)
	if ts, ok := FromMessage(msg(t, s)); !ok || ts.Year() != 2002 {
		t.Fatalf("fallback %v %v", ts, ok)
	}
}

func TestStamps(t *testing.T) {
	good := map[string]time.Time{
		"2002-09-10T23:08:25Z":           time.Date(2002, 9, 10, 23, 8, 25, 0, time.UTC),
		"2002-09-10T23:08:25.123Z":       time.Date(2002, 9, 10, 23, 8, 25, 123e6, time.UTC),
		"1969-07-20T21:56:15-05:00":      time.Date(1969, 7, 21, 2, 56, 15, 0, time.UTC), // XEP-0082 example
		" 2002-09-10T23:08:25+02:00 ":    time.Date(2002, 9, 10, 21, 8, 25, 0, time.UTC),
		"2002-09-10T23:08:25.000000Z":    time.Date(2002, 9, 10, 23, 8, 25, 0, time.UTC),
		"2020-02-29T12:00:00.999999999Z": time.Date(2020, 2, 29, 12, 0, 0, 999999999, time.UTC),
	}
	for s, want := range good {
		got, ok := ParseStamp(s)
		if !ok || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("%q → %v %v, want %v", s, got, ok, want)
		}
	}
	for _, s := range []string{"", "20020910T23:08:25", "2002-09-10T23:08:25", "2002-13-10T23:08:25Z", "2002-09-10 23:08:25Z", "now"} {
		if _, ok := ParseStamp(s); ok {
			t.Errorf("%q accepted", s)
		}
		m := msg(t, `<message><delay xmlns='urn:xmpp:delay' stamp='`+s+`'/></message>`)
		if _, ok := FromMessage(m); ok {
			t.Errorf("message with stamp %q has a time", s)
		}
	}
	if _, ok := ParseLegacyStamp("2002-09-10T23:08:25Z"); ok {
		t.Error("legacy parser took an XEP-0082 stamp")
	}
	if _, ok := FromMessage(msg(t, `<message><body>hi</body></message>`)); ok {
		t.Error("no delay, but a time")
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	when := time.Date(2002, 9, 10, 23, 8, 25, 0, time.FixedZone("x", 3600))
	m := stanza.NewMessage(stanza.Attrs{To: "juliet@capulet.com"})
	m.Body = "hi"
	m.Extensions = append(m.Extensions, &Delay{From: "capulet.com", Stamp: when, Reason: "Offline Storage"},
		&LegacyDelay{From: "capulet.com", Stamp: when})
	b, err := xml.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{
		`<delay xmlns="urn:xmpp:delay" from="capulet.com" stamp="2002-09-10T22:08:25Z">Offline Storage</delay>`,
		`<x xmlns="jabber:x:delay" from="capulet.com" stamp="20020910T22:08:25"></x>`,
	} {
		if !strings.Contains(s, want) {
			t.Fatalf("%s lacks %s", s, want)
		}
	}
	if ts, ok := FromMessage(msg(t, s)); !ok || !ts.Equal(when) {
		t.Fatalf("round trip %v %v", ts, ok)
	}
}

func FuzzDelay(f *testing.F) {
	for _, s := range []string{ex1, legacy1} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var m stanza.Message
		if xml.Unmarshal(data, &m) != nil {
			return
		}
		FromMessage(&m)
		for _, e := range m.Extensions {
			if _, err := xml.Marshal(e); err != nil {
				t.Fatalf("re-marshal %T: %v", e, err)
			}
		}
	})
}

// A message to an offline user is stored and delivered at login with a
// delay stamp close to when it was sent.
func TestOfflineDelivery(t *testing.T) {
	ctx := context.Background()
	for name, s := range map[string]*testserver.Server{
		"prosody":  testserver.Shared(t, testserver.Prosody, testserver.Options{}),
		"ejabberd": testserver.Shared(t, testserver.Ejabberd, testserver.Options{}),
	} {
		t.Run(name, func(t *testing.T) {
			cfg := func(jid, pass string, h xmpp.Handler) xmpp.Config {
				return xmpp.Config{JID: jid, Password: pass, Host: s.Host, Port: s.Port, Handler: h,
					TLSConfig: &tls.Config{RootCAs: s.CertPool}, ConnectTimeout: 20 * time.Second}
			}
			aj, ap := s.NewUser(t)
			bj, bp := s.NewUser(t)
			a, err := xmpp.Dial(ctx, cfg(aj, ap, nil))
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			m := stanza.NewMessage(stanza.Attrs{To: bj, Type: stanza.MessageTypeChat, Id: "off1"})
			m.Body = "while you were out"
			sent := time.Now()
			if err := a.Send(m); err != nil {
				t.Fatal(err)
			}
			if err := a.Ping(ctx, ""); err != nil { // the server has processed the message
				t.Fatal(err)
			}
			time.Sleep(1100 * time.Millisecond) // so a stamp "now" at login would be told apart

			got := make(chan *stanza.Message, 4)
			mux := &xmpp.Mux{}
			mux.HandleMessageFunc(func(_ *xmpp.Conn, m *stanza.Message) { got <- m })
			b, err := xmpp.Dial(ctx, cfg(bj, bp, mux))
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			if err := b.SendRaw([]byte("<presence/>")); err != nil { // offline messages follow initial presence
				t.Fatal(err)
			}
			select {
			case m := <-got:
				if m.Body != "while you were out" {
					t.Fatalf("body %q", m.Body)
				}
				ts, ok := FromMessage(m)
				if !ok {
					t.Fatalf("no delay stamp: %+v", m.Extensions)
				}
				// Stamps may have second resolution.
				if ts.Before(sent.Truncate(time.Second)) || ts.After(sent.Add(time.Second)) {
					t.Fatalf("stamp %v, sent %v", ts, sent)
				}
				d := Find(m)
				t.Logf("%s: delay from=%q stamp=%s reason=%q (sent %s)", name, d.From, FormatStamp(d.Stamp), d.Reason, sent.UTC().Format(time.RFC3339Nano))
			case <-time.After(10 * time.Second):
				t.Fatal("offline message not delivered")
			}
		})
	}
}
