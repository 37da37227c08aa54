package roster

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/xml"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/internal/testserver"
	"gosrc.io/xmpp/stanza"
)

func TestMain(m *testing.M) { testserver.Main(m) }

// ---- Golden tests: RFC 6121 §2 and XEP-0237 examples ----

// RFC 6121 §2.1.3, roster get.
const rfcGet = `<iq from='juliet@example.com/balcony' id='bv1bs71f' type='get'>
  <query xmlns='jabber:iq:roster'/>
</iq>`

// RFC 6121 §2.1.4, roster result.
const rfcResult = `<iq id='bv1bs71f' to='juliet@example.com/chamber' type='result'>
  <query xmlns='jabber:iq:roster' ver='ver11'>
    <item jid='romeo@example.net' name='Romeo' subscription='both'>
      <group>Friends</group>
    </item>
    <item jid='mercutio@example.com' name='Mercutio' subscription='from'/>
    <item jid='benvolio@example.net' name='Benvolio' subscription='both'/>
  </query>
</iq>`

// RFC 6121 §2.3.2, roster set adding an item (the client's request).
const rfcSet = `<iq from='juliet@example.com/balcony' id='rs1' type='set'>
  <query xmlns='jabber:iq:roster'>
    <item jid='nurse@example.com'/>
  </query>
</iq>`

// RFC 6121 §2.3.2, the resulting push.
const rfcPush = `<iq id='a78b4q6ha463' to='juliet@example.com/chamber' type='set'>
  <query xmlns='jabber:iq:roster' ver='ver13'>
    <item jid='nurse@example.com'/>
  </query>
</iq>`

// RFC 6121 §2.4.2, roster set updating an item.
const rfcUpdate = `<iq from='juliet@example.com/balcony' id='rs2' type='set'>
  <query xmlns='jabber:iq:roster'>
    <item jid='romeo@example.net' name='Romeo'>
      <group>Friends</group>
      <group>Lovers</group>
    </item>
  </query>
</iq>`

// RFC 6121 §2.5.2, roster delete.
const rfcRemove = `<iq from='juliet@example.com/balcony' id='hm4hs97y' type='set'>
  <query xmlns='jabber:iq:roster'>
    <item jid='nurse@example.com' subscription='remove'/>
  </query>
</iq>`

// RFC 6121 §2.5.2, the removal push.
const rfcRemovePush = `<iq id='hm4hs97y' to='juliet@example.com/balcony' type='set'>
  <query xmlns='jabber:iq:roster' ver='ver34'>
    <item jid='nurse@example.com' subscription='remove'/>
  </query>
</iq>`

// RFC 6121 §3.1.2, a push for a pending outbound subscription request;
// §3.4.2, a pre-approved item.
const rfcAskPush = `<iq id='b89c5r7ib574' to='romeo@example.net/foo' type='set'>
  <query xmlns='jabber:iq:roster'>
    <item ask='subscribe' jid='juliet@example.com' subscription='none'/>
  </query>
</iq>`

const rfcApprovedPush = `<iq id='h3k3k3' to='juliet@example.com/balcony' type='set'>
  <query xmlns='jabber:iq:roster'>
    <item approved='true' jid='romeo@example.net' subscription='none'/>
  </query>
</iq>`

// RFC 6121 §2.6.2 / XEP-0237 §2.3, versioned request; ver=” when no
// roster is cached.
const rfcVerGet = `<iq from='romeo@example.net/home' id='r1h3vzp7' to='romeo@example.net' type='get'>
  <query xmlns='jabber:iq:roster' ver='ver14'/>
</iq>`

const rfcVerGetEmpty = `<iq from='romeo@example.net/home' id='bv1bs71f' type='get'>
  <query xmlns='jabber:iq:roster' ver=''/>
</iq>`

// XEP-0237 Example "Roster result (unchanged)": an empty IQ result.
const xepUnchanged = `<iq from='romeo@montague.lit' id='r1' to='romeo@montague.lit/home' type='result'/>`

// XEP-0237, "Roster push" with a version, from the bare JID.
const xepPush = `<iq from='romeo@montague.lit' id='p3' to='romeo@montague.lit/home' type='set'>
  <query xmlns='jabber:iq:roster' ver='319'>
    <item jid='muse@shakespeare.lit' name='The Muse' subscription='to'/>
  </query>
</iq>`

func decode(t testing.TB, s string) *stanza.IQ {
	t.Helper()
	var iq stanza.IQ
	if err := xml.Unmarshal([]byte(s), &iq); err != nil {
		t.Fatalf("decode: %v", err)
	}
	return &iq
}

func query(t testing.TB, s string) *Query {
	t.Helper()
	iq := decode(t, s)
	q, ok := iq.Payload.(*Query)
	if !ok {
		t.Fatalf("payload is %T, want *roster.Query (registration did not replace gosrc's RosterItems)", iq.Payload)
	}
	return q
}

func TestRegistryReplacesGosrc(t *testing.T) {
	iq := decode(t, rfcResult)
	if _, ok := iq.Payload.(*Query); !ok {
		t.Fatalf("payload %T", iq.Payload)
	}
	if n := xmpp.PayloadName(iq); n != (xml.Name{Space: NS, Local: "query"}) {
		t.Fatalf("PayloadName = %v", n)
	}
}

func TestGoldenResult(t *testing.T) {
	q := query(t, rfcResult)
	if q.Ver == nil || *q.Ver != "ver11" {
		t.Fatalf("ver = %v", q.Ver)
	}
	want := []Item{
		{JID: "romeo@example.net", Name: "Romeo", Subscription: "both", Groups: []string{"Friends"}},
		{JID: "mercutio@example.com", Name: "Mercutio", Subscription: "from"},
		{JID: "benvolio@example.net", Name: "Benvolio", Subscription: "both"},
	}
	if !equalItems(q.Items, want) {
		t.Fatalf("items = %+v", q.Items)
	}
	if q := query(t, rfcGet); q.Ver != nil || len(q.Items) != 0 {
		t.Fatalf("get: %+v", q)
	}
}

func TestGoldenPushes(t *testing.T) {
	self := "juliet@example.com/chamber"
	cases := []struct {
		name, xml, self string
		want            Item
		ver             string
	}{
		{"add", rfcPush, self, Item{JID: "nurse@example.com", Subscription: "none"}, "ver13"},
		{"remove", rfcRemovePush, self, Item{JID: "nurse@example.com", Subscription: "remove"}, "ver34"},
		{"ask", rfcAskPush, "romeo@example.net/foo", Item{JID: "juliet@example.com", Subscription: "none", Ask: true}, ""},
		{"approved", rfcApprovedPush, self, Item{JID: "romeo@example.net", Subscription: "none", Approved: true}, ""},
		{"xep0237", xepPush, "romeo@montague.lit/home", Item{JID: "muse@shakespeare.lit", Name: "The Muse", Subscription: "to"}, "319"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			it, ver, ok := parsePush(tc.self, decode(t, tc.xml))
			if !ok || !equalItems([]Item{it}, []Item{tc.want}) || ver != tc.ver {
				t.Fatalf("got %+v ver %q ok %v", it, ver, ok)
			}
		})
	}
}

func TestPushFromOthersIgnored(t *testing.T) {
	self := "romeo@montague.lit/home"
	forged := func(from string) string {
		return strings.Replace(xepPush, "from='romeo@montague.lit'", "from='"+from+"'", 1)
	}
	for _, from := range []string{"iago@montague.lit", "montague.lit", "romeo@montague.lit/other", "iago@evil.example/x"} {
		if _, _, ok := parsePush(self, decode(t, forged(from))); ok {
			t.Errorf("push from %s accepted", from)
		}
	}
	// Case-folded bare JID is ours.
	if _, _, ok := parsePush(self, decode(t, forged("Romeo@Montague.LIT"))); !ok {
		t.Error("push from our bare JID in other case rejected")
	}
	// Not a push: result, two items, no item, no query.
	bad := []string{
		strings.Replace(rfcPush, "type='set'", "type='result'", 1),
		`<iq type='set' id='x'><query xmlns='jabber:iq:roster'><item jid='a@b'/><item jid='c@d'/></query></iq>`,
		`<iq type='set' id='x'><query xmlns='jabber:iq:roster'/></iq>`,
		`<iq type='set' id='x'><query xmlns='jabber:iq:roster'><item name='no jid'/></query></iq>`,
		`<iq type='set' id='x'><ping xmlns='urn:xmpp:ping'/></iq>`,
	}
	for _, s := range bad {
		if _, _, ok := parsePush(self, decode(t, s)); ok {
			t.Errorf("accepted: %s", s)
		}
	}
}

func TestGoldenVersioning(t *testing.T) {
	if q := query(t, rfcVerGet); q.Ver == nil || *q.Ver != "ver14" {
		t.Fatalf("ver14: %+v", q)
	}
	if q := query(t, rfcVerGetEmpty); q.Ver == nil || *q.Ver != "" {
		t.Fatalf("ver='': %+v", q)
	}
	iq := decode(t, xepUnchanged)
	if iq.Payload != nil || iq.Any != nil {
		t.Fatalf("unchanged result has a payload: %+v", iq)
	}
}

// canon re-serialises XML with single-quoted attributes dropped of
// whitespace, so expected requests can be written like the RFC's.
func canon(t testing.TB, s string) string {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(s))
	var b bytes.Buffer
	e := xml.NewEncoder(&b)
	for {
		tok, err := d.Token()
		if err != nil {
			break
		}
		if cd, ok := tok.(xml.CharData); ok {
			if len(bytes.TrimSpace(cd)) == 0 {
				continue
			}
		}
		if se, ok := tok.(xml.StartElement); ok {
			// Namespace declarations come back as attributes; keep them
			// as a plain name so both sides compare alike.
			var attrs []xml.Attr
			for _, a := range se.Attr {
				if a.Name.Space == "xmlns" || a.Name.Local == "xmlns" {
					continue
				}
				attrs = append(attrs, a)
			}
			slices.SortFunc(attrs, func(a, b xml.Attr) int { return strings.Compare(a.Name.Local, b.Name.Local) })
			se.Attr = attrs
			se.Name = xml.Name{Local: "{" + se.Name.Space + "}" + se.Name.Local}
			tok = se
		}
		if ee, ok := tok.(xml.EndElement); ok {
			ee.Name = xml.Name{Local: "{" + ee.Name.Space + "}" + ee.Name.Local}
			tok = ee
		}
		if err := e.EncodeToken(xml.CopyToken(tok)); err != nil {
			t.Fatal(err)
		}
	}
	e.Flush()
	return b.String()
}

// payloadXML marshals q alone and compares it with the query inside the
// RFC's example IQ.
func assertQuery(t *testing.T, q *Query, example string) {
	t.Helper()
	got, err := xml.Marshal(q)
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(example, "<query")
	j := strings.LastIndex(example, "</iq>")
	want := example[i:j]
	if canon(t, string(got)) != canon(t, want) {
		t.Fatalf("marshal:\n got %s\nwant %s", canon(t, string(got)), canon(t, want))
	}
}

func TestMarshalRequests(t *testing.T) {
	assertQuery(t, &Query{}, rfcGet)
	v14, empty := "ver14", ""
	assertQuery(t, &Query{Ver: &v14}, rfcVerGet)
	assertQuery(t, &Query{Ver: &empty}, rfcVerGetEmpty)
	assertQuery(t, &Query{Items: []Item{{JID: "nurse@example.com"}}}, rfcSet)
	assertQuery(t, &Query{Items: []Item{{JID: "romeo@example.net", Name: "Romeo", Groups: []string{"Friends", "Lovers"}}}}, rfcUpdate)
	assertQuery(t, &Query{Items: []Item{{JID: "nurse@example.com", Subscription: "remove"}}}, rfcRemove)
	// ver='' must really be on the wire.
	b, _ := xml.Marshal(&Query{Ver: &empty})
	if !strings.Contains(string(b), `ver=""`) {
		t.Fatalf("ver='' missing: %s", b)
	}
	b, _ = xml.Marshal(&Query{})
	if strings.Contains(string(b), "ver") {
		t.Fatalf("unexpected ver: %s", b)
	}
	// Round trip of a full item, escaping included.
	in := &Query{Ver: &v14, Items: []Item{{JID: "a@b", Name: `<R&J>`, Subscription: "to", Ask: true, Approved: true, Groups: []string{"x", "y&z"}}}}
	b, _ = xml.Marshal(in)
	var out Query
	if err := xml.Unmarshal(b, &out); err != nil || !equalItems(out.Items, in.Items) || *out.Ver != "ver14" {
		t.Fatalf("round trip %s → %+v (%v)", b, out, err)
	}
}

func equalItems(a, b []Item) bool {
	return slices.EqualFunc(a, b, func(x, y Item) bool {
		return x.JID == y.JID && x.Name == y.Name && x.Subscription == y.Subscription &&
			x.Ask == y.Ask && x.Approved == y.Approved && slices.Equal(x.Groups, y.Groups)
	})
}

func FuzzQuery(f *testing.F) {
	for _, s := range []string{rfcGet, rfcResult, rfcPush, rfcUpdate, rfcRemovePush, rfcAskPush, rfcApprovedPush, rfcVerGetEmpty, xepPush} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var iq stanza.IQ
		if xml.Unmarshal(data, &iq) != nil {
			return
		}
		q, ok := iq.Payload.(*Query)
		if !ok {
			return
		}
		parsePush("a@b/c", &iq)
		b, err := xml.Marshal(q)
		if err != nil {
			t.Fatalf("re-marshal: %v", err)
		}
		var back Query
		if err := xml.Unmarshal(b, &back); err != nil {
			t.Fatalf("re-decode %s: %v", b, err)
		}
		if len(back.Items) != len(q.Items) {
			t.Fatalf("round trip lost items: %s", b)
		}
	})
}

// ---- Integration tests against real servers ----

func servers(t *testing.T) map[string]*testserver.Server {
	return map[string]*testserver.Server{
		"prosody":  testserver.Shared(t, testserver.Prosody, testserver.Options{}),
		"ejabberd": testserver.Shared(t, testserver.Ejabberd, testserver.Options{}),
	}
}

type push struct {
	it  Item
	ver string
	ok  bool // false: a rejected push (from is someone else)
	iq  *stanza.IQ
}

// client logs in with a mux that answers roster pushes and reports them.
func client(t *testing.T, s *testserver.Server, jid, pass string) (*xmpp.Conn, chan push) {
	t.Helper()
	pushes := make(chan push, 16)
	mux := &xmpp.Mux{}
	mux.HandleIQFunc(NS, "query", func(c *xmpp.Conn, iq *stanza.IQ) {
		it, ver, ok := ParsePush(c, iq)
		if !ok {
			c.SendError(iq, "cancel", "service-unavailable")
		} else {
			c.SendResult(iq, nil)
		}
		pushes <- push{it, ver, ok, iq}
	})
	c, err := xmpp.Dial(context.Background(), xmpp.Config{JID: jid, Password: pass, Host: s.Host, Port: s.Port,
		TLSConfig: &tls.Config{RootCAs: s.CertPool}, Handler: mux, ConnectTimeout: 20 * time.Second, IQTimeout: 20 * time.Second})
	if err != nil {
		t.Fatalf("dial %s: %v", jid, err)
	}
	t.Cleanup(func() { c.Close() })
	return c, pushes
}

func nextPush(t *testing.T, ch chan push) push {
	t.Helper()
	select {
	case p := <-ch:
		if !p.ok {
			t.Fatalf("a push was rejected: from %q", p.iq.From)
		}
		return p
	case <-time.After(10 * time.Second):
		t.Fatal("no roster push within 10 s")
	}
	return push{}
}

func find(items []Item, jid string) *Item {
	for i := range items {
		if items[i].JID == jid {
			return &items[i]
		}
	}
	return nil
}

func sorted(g []string) []string {
	g = slices.Clone(g)
	slices.Sort(g)
	return g
}

func TestRosterLifecycle(t *testing.T) {
	ctx := context.Background()
	for name, s := range servers(t) {
		t.Run(name, func(t *testing.T) {
			jid, pass := s.NewUser(t)
			c, pushes := client(t, s, jid, pass)
			items, _, upToDate, err := Get(ctx, c, "", false)
			if err != nil || len(items) != 0 || upToDate {
				t.Fatalf("fresh roster: %+v upToDate=%v err=%v", items, upToDate, err)
			}
			contact := "friend-" + strings.SplitN(jid, "@", 2)[0] + "@" + s.Domain

			// Add with two groups.
			if err := Set(ctx, c, Item{JID: contact, Name: "Friend", Groups: []string{"Friends", "Work", "Friends", ""}}); err != nil {
				t.Fatal(err)
			}
			p := nextPush(t, pushes)
			if p.it.JID != contact || p.it.Name != "Friend" || p.it.Subscription != SubNone ||
				!slices.Equal(sorted(p.it.Groups), []string{"Friends", "Work"}) {
				t.Fatalf("add push: %+v", p)
			}
			t.Logf("%s: push from %q", name, p.iq.From)
			items, _, _, err = Get(ctx, c, "", false)
			if err != nil {
				t.Fatal(err)
			}
			it := find(items, contact)
			if len(items) != 1 || it == nil || it.Subscription != SubNone || it.Ask ||
				!slices.Equal(sorted(it.Groups), []string{"Friends", "Work"}) {
				t.Fatalf("after add: %+v", items)
			}

			// Rename, drop a group.
			if err := Set(ctx, c, Item{JID: contact, Name: "Best friend", Groups: []string{"Friends"}}); err != nil {
				t.Fatal(err)
			}
			if p := nextPush(t, pushes); p.it.Name != "Best friend" || !slices.Equal(p.it.Groups, []string{"Friends"}) {
				t.Fatalf("rename push: %+v", p)
			}
			items, _, _, _ = Get(ctx, c, "", false)
			if it := find(items, contact); it == nil || it.Name != "Best friend" || !slices.Equal(it.Groups, []string{"Friends"}) {
				t.Fatalf("after rename: %+v", items)
			}

			// Remove.
			if err := Remove(ctx, c, contact); err != nil {
				t.Fatal(err)
			}
			if p := nextPush(t, pushes); p.it.JID != contact || p.it.Subscription != SubRemove {
				t.Fatalf("remove push: %+v", p)
			}
			items, _, _, _ = Get(ctx, c, "", false)
			if len(items) != 0 {
				t.Fatalf("after remove: %+v", items)
			}

			// Removing an item that is not there: RFC 6121 §2.5.3 wants
			// item-not-found; ejabberd 23.01 answers with a result.
			err = Remove(ctx, c, contact)
			var se *xmpp.StanzaError
			switch {
			case errors.As(err, &se) && se.Condition == "item-not-found":
			case err == nil && name == "ejabberd":
				t.Logf("%s: removing a missing item succeeds (RFC 6121 §2.5.3 says item-not-found)", name)
			default:
				t.Errorf("removing a missing item: %v", err)
			}
		})
	}
}

func TestVersioning(t *testing.T) {
	ctx := context.Background()
	for name, s := range servers(t) {
		t.Run(name, func(t *testing.T) {
			jid, pass := s.NewUser(t)
			c, pushes := client(t, s, jid, pass)
			offered := VersioningOffered(c)
			t.Logf("%s: rosterver offered=%v pre-approval offered=%v", name, offered, PreApprovalOffered(c))
			if !offered {
				t.Skipf("%s does not advertise roster versioning", name)
			}
			contact := "ver-" + strings.SplitN(jid, "@", 2)[0] + "@" + s.Domain
			// Pushes go only to interested resources: those that asked
			// for the roster (RFC 6121 §2.1.6; Prosody enforces it).
			if _, _, _, err := Get(ctx, c, "", false); err != nil {
				t.Fatal(err)
			}
			if err := Set(ctx, c, Item{JID: contact, Name: "V"}); err != nil {
				t.Fatal(err)
			}
			nextPush(t, pushes)

			// No cache: ver=''.
			items, ver1, upToDate, err := Get(ctx, c, "", true)
			if err != nil || upToDate || len(items) != 1 || ver1 == "" {
				t.Fatalf("ver='': items=%+v ver=%q upToDate=%v err=%v", items, ver1, upToDate, err)
			}
			// Cached and current: empty result.
			items, ver, upToDate, err := Get(ctx, c, ver1, true)
			if err != nil || !upToDate || len(items) != 0 || ver != ver1 {
				t.Fatalf("current ver: items=%+v ver=%q upToDate=%v err=%v", items, ver, upToDate, err)
			}
			// A change: the push carries a new version.
			if err := Set(ctx, c, Item{JID: contact, Name: "V2"}); err != nil {
				t.Fatal(err)
			}
			p := nextPush(t, pushes)
			if p.ver == "" || p.ver == ver1 {
				t.Fatalf("push ver %q (old %q)", p.ver, ver1)
			}
			// The old version is stale now: either the full roster or an
			// empty result followed by pushes (RFC 6121 §2.6.3).
			items, ver2, upToDate, err := Get(ctx, c, ver1, true)
			if err != nil {
				t.Fatal(err)
			}
			if upToDate {
				rp := nextPush(t, pushes)
				t.Logf("%s: stale ver → empty result + push %+v", name, rp)
			} else {
				if it := find(items, contact); it == nil || it.Name != "V2" || ver2 != p.ver {
					t.Fatalf("stale ver: items=%+v ver=%q (push ver %q)", items, ver2, p.ver)
				}
				t.Logf("%s: stale ver → full roster (%d items), ver %q", name, len(items), ver2)
			}
		})
	}
}

// A roster push sent by another account to our full JID must be ignored
// (RFC 6121 §2.1.6) — and answered so the sender does not wait.
func TestForgedPushFromOtherAccount(t *testing.T) {
	ctx := context.Background()
	for name, s := range servers(t) {
		t.Run(name, func(t *testing.T) {
			vj, vp := s.NewUser(t)
			victim, pushes := client(t, s, vj, vp)
			if _, _, _, err := Get(ctx, victim, "", false); err != nil {
				t.Fatal(err)
			}
			aj, ap := s.NewUser(t)
			attacker, _ := client(t, s, aj, ap)
			forged := &stanza.IQ{XMLName: xml.Name{Local: "iq"}, Attrs: stanza.Attrs{Type: stanza.IQTypeSet, To: victim.JID()},
				Payload: &Query{Items: []Item{{JID: "evil@" + s.Domain, Name: "Trust me", Subscription: "both"}}}}
			_, err := attacker.SendIQ(ctx, forged)
			var se *xmpp.StanzaError
			if !errors.As(err, &se) {
				t.Fatalf("forged push answered: %v, want an error", err)
			}
			t.Logf("%s: forged push → %s", name, se.Condition)
			select {
			case p := <-pushes:
				if p.ok {
					t.Fatalf("forged push accepted: %+v", p)
				}
				t.Logf("%s: the server delivered it (from %s); ParsePush rejected it", name, p.iq.From)
			default:
				t.Logf("%s: the server did not deliver it", name)
			}
			items, _, _, err := Get(ctx, victim, "", false)
			if err != nil || len(items) != 0 {
				t.Fatalf("victim roster: %+v %v", items, err)
			}
		})
	}
}
