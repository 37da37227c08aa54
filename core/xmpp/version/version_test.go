package version

import (
	"context"
	"encoding/xml"
	"errors"
	"strings"
	"testing"

	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/disco"
	"github.com/causerie/causerie/internal/testserver"
	"github.com/causerie/causerie/internal/xmpptest"
	"gosrc.io/xmpp/stanza"
)

func TestMain(m *testing.M) { testserver.Main(m) }

// XEP-0092 Example 1: querying another entity for its software version.
const ex1 = `<iq
    type='get'
    from='romeo@montague.net/orchard'
    to='juliet@capulet.com/balcony'
    id='version_1'>
  <query xmlns='jabber:iq:version'/>
</iq>`

// XEP-0092 Example 2: receiving a reply regarding software version.
const ex2 = `<iq
    type='result'
    to='romeo@montague.net/orchard'
    from='juliet@capulet.com/balcony'
    id='version_1'>
  <query xmlns='jabber:iq:version'>
    <name>Exodus</name>
    <version>0.7.0.4</version>
    <os>Windows-XP 5.01.2600</os>
  </query>
</iq>`

// XEP-0092 Example 4: the responding entity communicates protocol support.
const exDisco = `<iq from='conference.jabber.org'
    to='stpeter@jabber.org/roundabout'
    id='disco1' type='result'>
  <query xmlns='http://jabber.org/protocol/disco#info'>
    <feature var='jabber:iq:version'/>
  </query>
</iq>`

func decode(t testing.TB, s string) *stanza.IQ {
	t.Helper()
	var iq stanza.IQ
	if err := xml.Unmarshal([]byte(s), &iq); err != nil {
		t.Fatal(err)
	}
	return &iq
}

func TestGolden(t *testing.T) {
	req := decode(t, ex1)
	q, ok := req.Payload.(*Query)
	if !ok {
		t.Fatalf("payload %T, want *version.Query (gosrc's Version not replaced)", req.Payload)
	}
	if *q != (Query{XMLName: xml.Name{Space: NS, Local: "query"}}) {
		t.Fatalf("request %+v", q)
	}
	if n := xmpp.PayloadName(req); n != (xml.Name{Space: NS, Local: "query"}) {
		t.Fatalf("PayloadName %v", n)
	}
	res := decode(t, ex2).Payload.(*Query)
	if res.Name != "Exodus" || res.Version != "0.7.0.4" || res.OS != "Windows-XP 5.01.2600" {
		t.Fatalf("result %+v", res)
	}
	info := decode(t, exDisco).Payload.(*disco.Info)
	if !Supported(info) || Supported(&disco.Info{}) || Supported(nil) {
		t.Fatal("Supported")
	}
}

func TestMarshal(t *testing.T) {
	b, _ := xml.Marshal(&Query{})
	if string(b) != `<query xmlns="jabber:iq:version"></query>` {
		t.Fatalf("request: %s", b)
	}
	// Example 2's query, written back.
	in := decode(t, ex2).Payload.(*Query)
	b, _ = xml.Marshal(in)
	want := `<query xmlns="jabber:iq:version"><name>Exodus</name><version>0.7.0.4</version><os>Windows-XP 5.01.2600</os></query>`
	if string(b) != want {
		t.Fatalf("result:\n%s\nwant\n%s", b, want)
	}
	// OS hidden: no <os/> at all; name and version always present.
	b, _ = xml.Marshal(&Query{Name: "Causerie", Version: "1.0 <beta>"})
	want = `<query xmlns="jabber:iq:version"><name>Causerie</name><version>1.0 &lt;beta&gt;</version></query>`
	if string(b) != want {
		t.Fatalf("hidden OS:\n%s\nwant\n%s", b, want)
	}
	b, _ = xml.Marshal(&Query{OS: "Linux"})
	if string(b) != `<query xmlns="jabber:iq:version"><name></name><version></version><os>Linux</os></query>` {
		t.Fatalf("OS only: %s", b)
	}
}

func FuzzQuery(f *testing.F) {
	for _, s := range []string{ex1, ex2} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var iq stanza.IQ
		if xml.Unmarshal(data, &iq) != nil {
			return
		}
		if q, ok := iq.Payload.(*Query); ok {
			b, err := xml.Marshal(q)
			if err != nil {
				t.Fatal(err)
			}
			var back Query
			if err := xml.Unmarshal(b, &back); err != nil {
				t.Fatalf("%s: %v", b, err)
			}
		}
	})
}

// ---- Integration ----

func servers(t *testing.T) map[string]*testserver.Server { return xmpptest.Servers(t) }

func dial(t *testing.T, s *testserver.Server, h xmpp.Handler) *xmpp.Conn {
	return xmpptest.Dial(t, s, h)
}

func TestServerVersion(t *testing.T) {
	ctx := context.Background()
	want := map[string]string{"prosody": "Prosody", "ejabberd": "ejabberd"}
	for name, s := range servers(t) {
		t.Run(name, func(t *testing.T) {
			c := dial(t, s, nil)
			info, err := disco.GetInfo(ctx, c, "", "")
			if err != nil {
				t.Fatal(err)
			}
			if !Supported(info) {
				t.Fatalf("%s does not advertise %s: %v", name, NS, info.Features)
			}
			q, err := Get(ctx, c, "")
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %+v", name, q)
			if q.Name != want[name] || q.Version == "" {
				t.Fatalf("got %+v", q)
			}
		})
	}
}

func TestClientToClient(t *testing.T) {
	ctx := context.Background()
	s := testserver.Shared(t, testserver.Prosody, testserver.Options{})
	mux := &xmpp.Mux{}
	Register(mux, Query{Name: "Causerie", Version: "0.1.0"}) // OS hidden
	a := dial(t, s, mux)
	b := dial(t, s, nil)

	q, err := Get(ctx, b, a.JID())
	if err != nil {
		t.Fatal(err)
	}
	if q != (Query{Name: "Causerie", Version: "0.1.0"}) {
		t.Fatalf("got %+v", q)
	}

	// Now sharing the OS (a Mux route can be replaced while running).
	Register(mux, Query{Name: "Causerie", Version: "0.1.0", OS: "Linux"})
	if q, err = Get(ctx, b, a.JID()); err != nil || q.OS != "Linux" {
		t.Fatalf("with OS: %+v, %v", q, err)
	}

	// A set is refused.
	set := &stanza.IQ{XMLName: xml.Name{Local: "iq"}, Attrs: stanza.Attrs{Type: stanza.IQTypeSet, To: a.JID()},
		Payload: &Query{Name: "x", Version: "y"}}
	_, err = b.SendIQ(ctx, set)
	var se *xmpp.StanzaError
	if !errors.As(err, &se) || se.Condition != "bad-request" {
		t.Fatalf("set: %v", err)
	}

	// A client that does not answer: service-unavailable.
	_, err = Get(ctx, a, b.JID())
	if !errors.As(err, &se) || se.Condition != "service-unavailable" {
		t.Fatalf("no handler: %v", err)
	}
	if !strings.Contains(err.Error(), b.JID()) {
		t.Errorf("error does not name the entity: %v", err)
	}
}
