package chatstate

import (
	"strings"
	"testing"

	"gosrc.io/xmpp/stanza"
)

// XEP-0022 §3 and §4 examples ("SEND:"/"RECV:" prefixes dropped), with what
// each one means.
var xep0022 = []struct {
	name string
	xml  string
	want LegacyEvent
}{
	{"§3.1 request offline, delivered, composing", `<message to='romeo@montague.net' id='message22'>
  <body>Art thou not Romeo, and a Montague?</body>
  <x xmlns='jabber:x:event'>
    <offline/>
    <delivered/>
    <composing/>
  </x>
</message>`, LegacyEvent{Kind: EventRequest, ID: "message22", Offline: true, Delivered: true, Composing: true}},
	{"§3.2 offline raised", `<message
    from='romeo@montague.net'
    to='juliet@capulet.com/balcony'>
  <x xmlns='jabber:x:event'>
    <offline/>
    <id>message22</id>
  </x>
</message>`, LegacyEvent{Kind: EventOffline, ID: "message22"}},
	{"§3.3 composing", `<message
    from='romeo@montague.net'
    to='juliet@capulet.com/balcony'>
  <x xmlns='jabber:x:event'>
    <composing/>
    <id>message22</id>
  </x>
</message>`, LegacyEvent{Kind: EventComposing, ID: "message22"}},
	{"§3.3 cancel", `<message
    from='romeo@montague.net'
    to='juliet@capulet.com/balcony'>
  <x xmlns='jabber:x:event'>
    <id>message22</id>
  </x>
</message>`, LegacyEvent{Kind: EventCancel, ID: "message22"}},
	{"§4 request all", `<message to='romeo@montague.net' id='message22'>
      <body>Art thou not Romeo, and a Montague?</body>
      <x xmlns='jabber:x:event'>
        <offline/>
        <delivered/>
        <displayed/>
        <composing/>
      </x>
    </message>`, LegacyEvent{Kind: EventRequest, ID: "message22", Offline: true, Delivered: true, Displayed: true, Composing: true}},
	{"§4 delivered", `<message
          from='romeo@montague.net/orchard'
          to='juliet@capulet.com/balcony'>
      <x xmlns='jabber:x:event'>
        <delivered/>
        <id>message22</id>
      </x>
    </message>`, LegacyEvent{Kind: EventDelivered, ID: "message22"}},
	{"§4 displayed", `<message
          from='romeo@montague.net/orchard'
          to='juliet@capulet.com/balcony'>
      <x xmlns='jabber:x:event'>
        <displayed/>
        <id>message22</id>
      </x>
    </message>`, LegacyEvent{Kind: EventDisplayed, ID: "message22"}},
	{"§4 composing", `<message
          from='romeo@montague.net/orchard'
          to='juliet@capulet.com/balcony'>
      <x xmlns='jabber:x:event'>
        <composing/>
        <id>message22</id>
      </x>
    </message>`, LegacyEvent{Kind: EventComposing, ID: "message22"}},
	{"§4 cancel", `<message
          from='romeo@montague.net/orchard'
          to='juliet@capulet.com/balcony'>
      <x xmlns='jabber:x:event'>
        <id>message22</id>
      </x>
    </message>`, LegacyEvent{Kind: EventCancel, ID: "message22"}},
	{"§4 Romeo replies, requesting composing", `<message to='juliet@capulet.com' id='GabberMessage43'>
      <body>Neither, fair saint, if either thee dislike.</body>
      <x xmlns='jabber:x:event'>
        <composing/>
      </x>
    </message>`, LegacyEvent{Kind: EventRequest, ID: "GabberMessage43", Composing: true}},
}

// The seed's walk-through ("Envoyer une notification de frappe
// (XEP-0022)"): its first snippet is the bare <x/> "in a message without
// <body>", wrapped here in such a message.
var seed0022 = []struct {
	name string
	xml  string
	want LegacyEvent
	note Notification
}{
	{"typing, no id", `<message to='juliette@capulet.com/balcon'><x xmlns='jabber:x:event'>
   <composing/>
</x></message>`, LegacyEvent{Kind: EventComposing}, Notification{State: Composing, Legacy: true}},
	{"typing with id", `<message from='romeo@montague.net' to='juliette@capulet.com/balcon'>
 <x xmlns='jabber:x:event'>
   <composing/>
   <id>message22</id>
 </x>
</message>`, LegacyEvent{Kind: EventComposing, ID: "message22"}, Notification{State: Composing, Legacy: true}},
	{"pause cancels", `<message from='romeo@montague.net' to='juliette@capulet.com/balcon'>
 <x xmlns='jabber:x:event'>
   <id>message22</id>
 </x>
</message>`, LegacyEvent{Kind: EventCancel, ID: "message22"}, Notification{State: Paused, Legacy: true}},
}

func TestGoldenXEP0022(t *testing.T) {
	for _, ex := range xep0022 {
		m := decode(t, ex.xml)
		got, ok := LegacyOf(m)
		if !ok || got != ex.want {
			t.Errorf("%s: LegacyOf = %+v %v, want %+v", ex.name, got, ok, ex.want)
		}
		n, ok := NotificationOf(m)
		switch ex.want.Kind {
		case EventComposing:
			if !ok || n != (Notification{State: Composing, Legacy: true}) {
				t.Errorf("%s: notification %+v %v", ex.name, n, ok)
			}
		case EventCancel:
			if !ok || n != (Notification{State: Paused, Legacy: true}) {
				t.Errorf("%s: notification %+v %v", ex.name, n, ok)
			}
		default:
			if ok {
				t.Errorf("%s: notification %+v", ex.name, n)
			}
		}
		if _, ok := Of(m); ok {
			t.Errorf("%s: read as XEP-0085", ex.name)
		}
	}
	if !xep0022[len(xep0022)-1].want.WantsComposing() || xep0022[1].want.WantsComposing() {
		t.Error("WantsComposing")
	}
}

func TestGoldenSeed0022(t *testing.T) {
	for _, ex := range seed0022 {
		m := decode(t, ex.xml)
		if m.Body != "" {
			t.Errorf("%s: body %q", ex.name, m.Body)
		}
		got, ok := LegacyOf(m)
		if !ok || got != ex.want {
			t.Errorf("%s: LegacyOf = %+v %v, want %+v", ex.name, got, ok, ex.want)
		}
		if n, ok := NotificationOf(m); !ok || n != ex.note {
			t.Errorf("%s: NotificationOf = %+v %v, want %+v", ex.name, n, ok, ex.note)
		}
	}
}

// The answers we build are the XEP's (and the seed's) examples.
func TestMarshalXEP0022(t *testing.T) {
	c := LegacyComposing("juliet@capulet.com/balcony", "message22")
	got := marshal(t, c)
	want := `<message to="juliet@capulet.com/balcony"><x xmlns="jabber:x:event"><composing></composing><id>message22</id></x></message>`
	if got != want {
		t.Fatalf("composing:\n got %s\nwant %s", got, want)
	}
	x := LegacyCancel("juliet@capulet.com/balcony", "message22")
	got = marshal(t, x)
	want = `<message to="juliet@capulet.com/balcony"><x xmlns="jabber:x:event"><id>message22</id></x></message>`
	if got != want {
		t.Fatalf("cancel:\n got %s\nwant %s", got, want)
	}
	// Read back, they mean what the examples mean.
	for _, c := range []struct {
		m    stanza.Message
		want LegacyEvent
	}{{c, xep0022[2].want}, {x, xep0022[3].want}} {
		back := decode(t, marshal(t, c.m))
		if ev, ok := LegacyOf(back); !ok || ev != c.want || back.Body != "" || back.Type != "" {
			t.Errorf("round trip %+v %+v", ev, back)
		}
	}
	// An empty id is still sent as <id/> (XEP-0022 §3.2).
	if got := marshal(t, LegacyCancel("a@b/c", "")); !strings.Contains(got, "<id></id>") {
		t.Fatalf("empty id: %s", got)
	}
	if ev, ok := LegacyOf(decode(t, marshal(t, LegacyCancel("a@b/c", "")))); !ok || ev.Kind != EventCancel || ev.ID != "" {
		t.Fatalf("empty id read back: %+v %v", ev, ok)
	}
}

func TestRequestLegacyComposing(t *testing.T) {
	m := stanza.NewMessage(stanza.Attrs{To: "juliet@capulet.com", Id: "GabberMessage43"})
	m.Body = "Neither, fair saint, if either thee dislike."
	RequestLegacyComposing(&m)
	RequestLegacyComposing(&m) // no duplicate
	got := marshal(t, m)
	if strings.Count(got, NSEvent) != 1 || !strings.Contains(got, `<x xmlns="jabber:x:event"><composing></composing></x>`) {
		t.Fatalf("%s", got)
	}
	if ev, ok := LegacyOf(decode(t, got)); !ok || ev != xep0022[len(xep0022)-1].want {
		t.Fatalf("read back %+v %v", ev, ok)
	}
	n := stanza.NewMessage(stanza.Attrs{To: "juliet@capulet.com"})
	n.Body = "hi"
	RequestLegacyComposing(&n)
	if n.Id == "" {
		t.Fatal("request without id")
	}
}

func TestLegacyEdgeCases(t *testing.T) {
	for _, s := range []string{
		`<message><x xmlns='jabber:x:event'/></message>`,                                       // nothing at all
		`<message><body>hi</body><x xmlns='jabber:x:event'/></message>`,                        // a request for nothing
		`<message type='error'><x xmlns='jabber:x:event'><composing/><id>a</id></x></message>`, // a bounce
		`<message><x xmlns='jabber:x:delay'><composing/><id>a</id></x></message>`,              // another x
		`<message><x xmlns='jabber:x:event'><composing xmlns='urn:other'/></x></message>`,      // foreign child
	} {
		if ev, ok := LegacyOf(decode(t, s)); ok {
			t.Errorf("%s: %+v", s, ev)
		}
	}
	// Whitespace around the id is not part of it.
	if ev, _ := LegacyOf(decode(t, `<message><x xmlns='jabber:x:event'><composing/><id>
	  m1 </id></x></message>`)); ev.ID != "m1" {
		t.Errorf("id %q", ev.ID)
	}
	// An event with a body is still an event, not a request.
	if ev, _ := LegacyOf(decode(t, `<message id='z'><body>b</body><x xmlns='jabber:x:event'><delivered/><id>m1</id></x></message>`)); ev.Kind != EventDelivered || ev.ID != "m1" {
		t.Errorf("event with body: %+v", ev)
	}
	for k := EventRequest; k <= EventDisplayed; k++ {
		if k.String() == "" {
			t.Errorf("kind %d has no name", k)
		}
	}
}
