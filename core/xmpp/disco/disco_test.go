package disco

import (
	"context"
	"encoding/xml"
	"errors"
	"strings"
	"testing"

	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/internal/testserver"
	"github.com/causerie/causerie/internal/xmpptest"
	"gosrc.io/xmpp/stanza"
)

func TestMain(m *testing.M) { testserver.Main(m) }

// XEP-0030 Example 1: info request.
const ex1 = `<iq type='get'
    from='romeo@montague.net/orchard'
    to='plays.shakespeare.lit'
    id='info1'>
  <query xmlns='http://jabber.org/protocol/disco#info'/>
</iq>`

// XEP-0030 Example 2: info result.
const ex2 = `<iq type='result'
    from='plays.shakespeare.lit'
    to='romeo@montague.net/orchard'
    id='info1'>
  <query xmlns='http://jabber.org/protocol/disco#info'>
    <identity
        category='conference'
        type='text'
        name='Play-Specific Chatrooms'/>
    <identity
        category='directory'
        type='chatroom'
        name='Play-Specific Chatrooms'/>
    <feature var='http://jabber.org/protocol/disco#info'/>
    <feature var='http://jabber.org/protocol/disco#items'/>
    <feature var='http://jabber.org/protocol/muc'/>
    <feature var='jabber:iq:register'/>
    <feature var='jabber:iq:search'/>
    <feature var='jabber:iq:time'/>
    <feature var='jabber:iq:version'/>
  </query>
</iq>`

// XEP-0030 Example 3: entity not found.
const ex3 = `<iq type='error'
    from='plays.shakespeare.lit'
    to='romeo@montague.net/orchard'
    id='info1'>
  <query xmlns='http://jabber.org/protocol/disco#info'/>
  <error type='cancel'>
    <item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>
  </error>
</iq>`

// XEP-0030 Example 4: info request to a node.
const ex4 = `<iq type='get'
    from='romeo@montague.net/orchard'
    to='mim.shakespeare.lit'
    id='info2'>
  <query xmlns='http://jabber.org/protocol/disco#info'
         node='http://jabber.org/protocol/commands'/>
</iq>`

// XEP-0030 Example 10/11: items request and result.
const exItemsGet = `<iq type='get'
    from='romeo@montague.net/orchard'
    to='shakespeare.lit'
    id='items1'>
  <query xmlns='http://jabber.org/protocol/disco#items'/>
</iq>`

const exItems = `<iq type='result'
    from='shakespeare.lit'
    to='romeo@montague.net/orchard'
    id='items1'>
  <query xmlns='http://jabber.org/protocol/disco#items'>
    <item jid='people.shakespeare.lit'
          name='Directory of Characters'/>
    <item jid='plays.shakespeare.lit'
          name='Play-Specific Chatrooms'/>
    <item jid='mim.shakespeare.lit'
          name='Gateway to Marlowe IM'/>
    <item jid='words.shakespeare.lit'
          name='Shakespearean Lexicon'/>
    <item jid='globe.shakespeare.lit'
          name='Calendar of Performances'/>
    <item jid='headlines.shakespeare.lit'
          name='Latest Shakespearean News'/>
    <item jid='catalog.shakespeare.lit'
          name='Buy Shakespeare Stuff!'/>
    <item jid='en2fr.shakespeare.lit'
          name='French Translation Service'/>
  </query>
</iq>`

// XEP-0115 Example (complex generation): identities with xml:lang and an
// XEP-0128 extension form.
const exCaps = `<iq type='result' id='c1'>
  <query xmlns='http://jabber.org/protocol/disco#info'
         node='http://psi-im.org#q07IKJEyjvHSyhy//CH0CxmKi8w='>
    <identity xml:lang='en' category='client' name='Psi 0.11' type='pc'/>
    <identity xml:lang='el' category='client' name='Ψ 0.11' type='pc'/>
    <feature var='http://jabber.org/protocol/caps'/>
    <feature var='http://jabber.org/protocol/disco#info'/>
    <feature var='http://jabber.org/protocol/disco#items'/>
    <feature var='http://jabber.org/protocol/muc'/>
    <x xmlns='jabber:x:data' type='result'>
      <field var='FORM_TYPE' type='hidden'>
        <value>urn:xmpp:dataforms:softwareinfo</value>
      </field>
      <field var='ip_version'>
        <value>ipv4</value>
        <value>ipv6</value>
      </field>
      <field var='os'><value>Mac</value></field>
      <field var='os_version'><value>10.5.1</value></field>
      <field var='software'><value>Psi</value></field>
      <field var='software_version'><value>0.11</value></field>
    </x>
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

func TestGoldenInfo(t *testing.T) {
	iq := decode(t, ex2)
	info, ok := iq.Payload.(*Info)
	if !ok {
		t.Fatalf("payload %T, want *disco.Info", iq.Payload)
	}
	if len(info.Identities) != 2 || info.Identities[0] != (Identity{"conference", "text", "Play-Specific Chatrooms", ""}) ||
		info.Identities[1].Type != "chatroom" {
		t.Fatalf("identities %+v", info.Identities)
	}
	if len(info.Features) != 7 || !info.Has("http://jabber.org/protocol/muc") || info.Has("urn:xmpp:ping") {
		t.Fatalf("features %v", info.Features)
	}
	if !info.HasIdentity("directory", "chatroom") || info.HasIdentity("server", "im") {
		t.Fatal("HasIdentity")
	}
	if n := xmpp.PayloadName(iq); n != (xml.Name{Space: NSInfo, Local: "query"}) {
		t.Fatalf("PayloadName %v", n)
	}

	if q := decode(t, ex1).Payload.(*Info); q.Node != "" || len(q.Features) != 0 {
		t.Fatalf("ex1 %+v", q)
	}
	if q := decode(t, ex4).Payload.(*Info); q.Node != "http://jabber.org/protocol/commands" {
		t.Fatalf("ex4 node %q", q.Node)
	}
	e := decode(t, ex3)
	if e.Type != stanza.IQTypeError || e.Error == nil || e.Error.Reason != "item-not-found" {
		t.Fatalf("ex3 %+v", e)
	}

	c := decode(t, exCaps).Payload.(*Info)
	if c.Identities[1].Lang != "el" || c.Identities[1].Name != "Ψ 0.11" || len(c.Forms) != 1 {
		t.Fatalf("caps %+v", c)
	}
	f := c.Form("urn:xmpp:dataforms:softwareinfo")
	if f == nil || len(f.Field("ip_version").Values) != 2 || f.Field("os").Value() != "Mac" {
		t.Fatalf("form %+v", f)
	}
}

func TestGoldenItems(t *testing.T) {
	items, ok := decode(t, exItems).Payload.(*Items)
	if !ok || len(items.Items) != 8 || items.Items[0] != (Item{JID: "people.shakespeare.lit", Name: "Directory of Characters"}) {
		t.Fatalf("%+v", items)
	}
	if q, ok := decode(t, exItemsGet).Payload.(*Items); !ok || len(q.Items) != 0 {
		t.Fatalf("request %+v", q)
	}
}

func TestMarshal(t *testing.T) {
	b, _ := xml.Marshal(&Info{})
	if string(b) != `<query xmlns="http://jabber.org/protocol/disco#info"></query>` {
		t.Fatalf("request: %s", b)
	}
	b, _ = xml.Marshal(&Info{Node: "http://jabber.org/protocol/commands"})
	if !strings.Contains(string(b), `node="http://jabber.org/protocol/commands"`) {
		t.Fatalf("node: %s", b)
	}
	b, _ = xml.Marshal(&Items{})
	if string(b) != `<query xmlns="http://jabber.org/protocol/disco#items"></query>` {
		t.Fatalf("items request: %s", b)
	}
	// An answer round-trips, xml:lang and forms included.
	in := decode(t, exCaps).Payload.(*Info)
	b, err := xml.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out Info
	if err := xml.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if out.Node != in.Node || len(out.Identities) != 2 || out.Identities[1] != in.Identities[1] ||
		len(out.Features) != 4 || out.Form("urn:xmpp:dataforms:softwareinfo") == nil {
		t.Fatalf("round trip %s → %+v", b, out)
	}
	b, _ = xml.Marshal(decode(t, exItems).Payload)
	var items Items
	if xml.Unmarshal(b, &items) != nil || len(items.Items) != 8 {
		t.Fatalf("items round trip %s", b)
	}
}

func FuzzInfo(f *testing.F) {
	for _, s := range []string{ex1, ex2, ex4, exCaps, exItems} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var iq stanza.IQ
		if xml.Unmarshal(data, &iq) != nil {
			return
		}
		switch p := iq.Payload.(type) {
		case *Info:
			p.Has("x")
			if _, err := xml.Marshal(p); err != nil {
				t.Fatal(err)
			}
		case *Items:
			if _, err := xml.Marshal(p); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// ---- Integration ----

func servers(t *testing.T) map[string]*testserver.Server { return xmpptest.Servers(t) }

func dial(t *testing.T, s *testserver.Server) *xmpp.Conn {
	return xmpptest.Dial(t, s, nil)
}

func TestServerInfo(t *testing.T) {
	ctx := context.Background()
	for name, s := range servers(t) {
		t.Run(name, func(t *testing.T) {
			c := dial(t, s)
			info, err := GetInfo(ctx, c, "", "")
			if err != nil {
				t.Fatal(err)
			}
			if !info.HasIdentity("server", "im") {
				t.Errorf("identities %+v", info.Identities)
			}
			for _, f := range []string{"urn:xmpp:ping", NSInfo, NSItems} {
				if !info.Has(f) {
					t.Errorf("missing feature %s in %v", f, info.Features)
				}
			}
			t.Logf("%s: identities %+v, %d features: %v, %d forms", name, info.Identities, len(info.Features), info.Features, len(info.Forms))

			items, err := GetItems(ctx, c, "", "")
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: items %+v", name, items)
			found := false
			for _, it := range items {
				found = found || it.JID == "conference."+s.Domain
			}
			if !found {
				t.Errorf("conference component not listed: %+v", items)
			}
			// The account's own bare JID (PEP service) answers too.
			acct, err := GetInfo(ctx, c, strings.SplitN(c.JID(), "/", 2)[0], "")
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: account identities %+v features %v", name, acct.Identities, acct.Features)
		})
	}
}

// Our Conn answers IQs nobody handles with service-unavailable: disco of
// another connected client with no disco handler gets that error.
func TestClientWithoutDiscoHandler(t *testing.T) {
	ctx := context.Background()
	for name, s := range servers(t) {
		t.Run(name, func(t *testing.T) {
			a, b := dial(t, s), dial(t, s)
			_, err := GetInfo(ctx, a, b.JID(), "")
			var se *xmpp.StanzaError
			if !errors.As(err, &se) || se.Condition != "service-unavailable" {
				t.Fatalf("err = %v, want service-unavailable", err)
			}
			// A node that does not exist on the server.
			_, err = GetInfo(ctx, a, "", "no-such-node")
			t.Logf("%s: info at an unknown server node: %v", name, err)
		})
	}
}
