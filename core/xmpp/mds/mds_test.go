package mds

import (
	"context"
	"encoding/xml"
	"testing"

	"github.com/causerie/causerie/core/xmpp/pubsub"
	"github.com/causerie/causerie/internal/testserver"
	"github.com/causerie/causerie/internal/xmpptest"
	"gosrc.io/xmpp/stanza"
)

func TestMain(m *testing.M) { testserver.Main(m) }

const examples = "testdata/xep-0490-examples.xml"

// TestGolden: our publication is example 1; a notification (example 10)
// is read, only from our own account; example 4's items are read.
func TestGolden(t *testing.T) {
	iq := PublishRequest("romeo@montegue.lit", Displayed{StanzaID: "0f710f2b-52ed-4d52-b928-784dad74a52b", By: "juliet@capulet.lit"})
	iq.Id = "flag-as-displayed-1"
	b, _ := xml.Marshal(iq)
	if got, want := xmpptest.Canon(string(b)), xmpptest.Canon(xmpptest.Example(t, examples, "1"), "from"); got != want {
		t.Errorf("example 1:\n got %s\nwant %s", got, want)
	}
	ev := xmpptest.Message(t, xmpptest.Example(t, examples, "10"))
	got, ok := FromEvent(ev, "juliet@capulet.lit")
	if !ok || got["romeo@montegue.lit"] != (Displayed{StanzaID: "0423e3a9-d516-493d-bb06-bee0e51ab9fb", By: "juliet@capulet.lit"}) {
		t.Errorf("example 10: %+v %v", got, ok)
	}
	if _, ok := FromEvent(ev, "romeo@montegue.lit"); ok {
		t.Error("a notification from another account taken as ours")
	}
	var res stanza.IQ
	if err := xml.Unmarshal([]byte(xmpptest.Example(t, examples, "4")), &res); err != nil {
		t.Fatal(err)
	}
	ps, ok := res.Payload.(*stanza.PubSubGeneric)
	if !ok || ps.Items == nil || len(ps.Items.List) != 2 {
		t.Fatalf("example 4: %+v", res.Payload)
	}
}

// TestNodeAgainstServers, on both servers: what one device publishes
// another reads back from the node (with the options §3.2 requires:
// max_items "max", whitelist), and a later publication for the same chat
// replaces it; a stranger cannot read the node. (The notifications are
// tested with core's caps, in core/mds.)
func TestNodeAgainstServers(t *testing.T) {
	for name, srv := range xmpptest.Servers(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			jid, pass := srv.NewUser(t)
			dev1 := xmpptest.DialAs(t, srv, jid, pass, "one", nil)
			dev2 := xmpptest.DialAs(t, srv, jid, pass, "two", nil)
			romeo, mercutio := "romeo@"+srv.Domain, "mercutio@"+srv.Domain
			for _, p := range []struct {
				chat string
				d    Displayed
			}{{romeo, Displayed{"s-1", jid}}, {mercutio, Displayed{"s-2", jid}}, {romeo, Displayed{"s-3", jid}}} {
				if err := Publish(ctx, dev1, p.chat, p.d); err != nil {
					t.Fatalf("publish %+v: %v", p, err)
				}
			}
			all, err := Fetch(ctx, dev2)
			if err != nil || len(all) != 2 || all[romeo].StanzaID != "s-3" || all[mercutio].StanzaID != "s-2" {
				t.Fatalf("fetch: %+v, %v", all, err)
			}
			sJID, sPass := srv.NewUser(t)
			stranger := xmpptest.DialAs(t, srv, sJID, sPass, "x", nil)
			if items, err := pubsub.Items(ctx, stranger, jid, NS, "", 0); err == nil && len(items) > 0 {
				t.Errorf("a stranger read %+v", items)
			}
			fresh, err := Fetch(ctx, stranger)
			if err != nil || len(fresh) != 0 {
				t.Errorf("an account without the node: %+v, %v", fresh, err)
			}
		})
	}
}
