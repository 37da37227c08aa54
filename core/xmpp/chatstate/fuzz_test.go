package chatstate

import (
	"encoding/xml"
	"testing"

	"gosrc.io/xmpp/stanza"
)

// FuzzParse feeds arbitrary messages to the XEP-0085 and XEP-0022
// readers: they never panic, what they report is consistent, and our
// elements survive a marshal/unmarshal round trip unchanged.
func FuzzParse(f *testing.F) {
	for _, ex := range xep0085 {
		f.Add([]byte(ex.xml))
	}
	for _, ex := range xep0022 {
		f.Add([]byte(ex.xml))
	}
	for _, ex := range seed0022 {
		f.Add([]byte(ex.xml))
	}
	f.Add([]byte(`<message type='groupchat'><gone xmlns='http://jabber.org/protocol/chatstates'/><x xmlns='jabber:x:event'><composing/><delivered/><id> a&amp;b </id><id/></x></message>`))
	f.Add([]byte(`<message><body>x</body><x xmlns='jabber:x:event'><composing><id>in</id></composing><foo xmlns='jabber:x:event'/></x><paused xmlns='http://jabber.org/protocol/chatstates'>text<b/></paused></message>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var m stanza.Message
		if xml.Unmarshal(data, &m) != nil {
			return
		}
		if s, ok := Of(m); ok != s.Valid() {
			t.Fatalf("Of = %v %v", s, ok)
		}
		if n, ok := NotificationOf(m); ok && !n.State.Valid() {
			t.Fatalf("NotificationOf = %+v", n)
		}
		if ev, ok := LegacyOf(m); ok {
			if ev.Kind < EventRequest || ev.Kind > EventDisplayed {
				t.Fatalf("kind %d", ev.Kind)
			}
			if ev.Kind == EventRequest && !(ev.Offline || ev.Delivered || ev.Displayed || ev.Composing) {
				t.Fatalf("empty request %+v", ev)
			}
		}
		var tr Tracker
		tr.Received(m)
		for _, e := range m.Extensions {
			switch v := e.(type) {
			case *Element:
				b, err := xml.Marshal(v)
				if err != nil {
					t.Fatalf("marshal %+v: %v", v, err)
				}
				var back Element
				if err := xml.Unmarshal(b, &back); err != nil || back.State() != v.State() {
					t.Fatalf("round trip %s: %+v %v", b, back, err)
				}
			case *EventElement:
				b, err := xml.Marshal(v)
				if err != nil {
					t.Fatalf("marshal %+v: %v", v, err)
				}
				var back EventElement
				if err := xml.Unmarshal(b, &back); err != nil {
					t.Fatalf("unmarshal %s: %v", b, err)
				}
				back.XMLName = v.XMLName
				if back != *v {
					t.Fatalf("round trip %s:\n got %+v\nwant %+v", b, back, *v)
				}
			}
		}
	})
}
