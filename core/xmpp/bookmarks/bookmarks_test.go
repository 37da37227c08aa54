package bookmarks

import (
	"context"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/causerie/causerie/core/xmpp/disco"
	"github.com/causerie/causerie/core/xmpp/pubsub"
	"github.com/causerie/causerie/internal/testserver"
	"github.com/causerie/causerie/internal/xmpptest"
	"gosrc.io/xmpp/stanza"
)

func TestMain(m *testing.M) { testserver.Main(m) }

const (
	examples   = "testdata/xep-0402-examples.xml"
	examples48 = "testdata/xep-0048-examples.xml"
)

func same(t *testing.T, what string, iq *stanza.IQ, id, example string) {
	t.Helper()
	iq.Id = id
	b, err := xml.Marshal(iq)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := xmpptest.Canon(string(b)), xmpptest.Canon(example, "from"); got != want {
		t.Errorf("%s:\n got %s\nwant %s", what, got, want)
	}
}

// TestGolden: XEP-0402's examples. Our publication is example 6; the
// items of example 5 are read (autojoin "1" is true, the extensions
// kept), and the name corrected as example 8 does, extensions and all;
// our retraction is example 10; the notifications of examples 12 to 14
// are read, only from our own account.
func TestGolden(t *testing.T) {
	play := Bookmark{JID: "theplay@conference.shakespeare.lit", Name: "The Play's the Thing", Autojoin: true, Nick: "JC"}
	same(t, "example 6", SetRequest(play), "pip1", xmpptest.Example(t, examples, "6"))

	var res stanza.IQ
	if err := xml.Unmarshal([]byte(xmpptest.Example(t, examples, "5")), &res); err != nil {
		t.Fatal(err)
	}
	ps, ok := res.Payload.(*stanza.PubSubGeneric)
	if !ok || ps.Items == nil {
		t.Fatalf("example 5: %+v", res.Payload)
	}
	var list []Bookmark
	for _, it := range ps.Items.List {
		if b, ok := fromItem(pubsub.Item{ID: it.Id, Payload: it.Any}); ok {
			list = append(list, b)
		}
	}
	if len(list) != 2 || list[0].JID != play.JID || list[0].Name != play.Name || !list[0].Autojoin || list[0].Nick != "JC" {
		t.Fatalf("example 5: %+v", list)
	}
	orchard := list[1]
	if orchard.JID != "orchard@conference.shakespeare.lit" || orchard.Name != "The Orcard" || !orchard.Autojoin ||
		!strings.Contains(orchard.extensions, "http://myclient.example/bookmark/state") {
		t.Fatalf("example 5, the orchard: %+v", orchard)
	}
	orchard.Name = "The Orchard"
	same(t, "example 8", SetRequest(orchard), "pip2", xmpptest.Example(t, examples, "8"))
	same(t, "example 10", pubsub.RetractRequest(NS, play.JID), "remove-bookmark1", xmpptest.Example(t, examples, "10"))

	for n, want := range map[string]bool{"12": true, "13": false} {
		m := xmpptest.Message(t, xmpptest.Example(t, examples, n))
		changed, removed, ok := FromEvent(m, "juliet@capulet.lit")
		if !ok || removed || len(changed) != 1 || changed[0].JID != play.JID || changed[0].Autojoin != want || changed[0].Nick != "JC" {
			t.Errorf("example %s: %+v %v %v", n, changed, removed, ok)
		}
		if _, _, ok := FromEvent(m, "romeo@montegue.lit"); ok {
			t.Errorf("example %s taken from another account", n)
		}
	}
	if changed, removed, ok := FromEvent(xmpptest.Message(t, xmpptest.Example(t, examples, "14")), "juliet@capulet.lit"); !ok || !removed || len(changed) != 0 {
		t.Errorf("example 14: %+v %v %v", changed, removed, ok)
	}
}

// TestGoldenPrivate: XEP-0048's list (example 1) is read; a room added
// to a list holding a web bookmark (example 2) keeps it; removing the
// room gives back example 2.
func TestGoldenPrivate(t *testing.T) {
	var st Storage
	if err := xml.Unmarshal([]byte(xmpptest.Example(t, examples48, "1")), &st); err != nil {
		t.Fatal(err)
	}
	got := st.bookmarks()
	if len(got) != 1 || got[0] != (Bookmark{JID: "council@conference.underhill.org", Name: "Council of Oberon", Autojoin: true, Nick: "Puck"}) {
		t.Fatalf("example 1: %+v", got)
	}
	web := xmpptest.Example(t, examples48, "2")
	st = Storage{}
	if err := xml.Unmarshal([]byte(web), &st); err != nil {
		t.Fatal(err)
	}
	st.set(got[0])
	b, _ := xml.Marshal(&st)
	if s := string(b); !strings.Contains(s, "the-tech.mit.edu") || !strings.Contains(s, "council@conference.underhill.org") {
		t.Fatalf("a room added: %s", s)
	}
	if !st.remove("council@conference.underhill.org") || st.remove("council@conference.underhill.org") {
		t.Fatal("remove")
	}
	b, _ = xml.Marshal(&st)
	if got, want := xmpptest.Canon(string(b)), xmpptest.Canon(web); got != want {
		t.Errorf("removed again:\n got %s\nwant %s", got, want)
	}
}

// TestAgainstServers, on both servers: the account says which storage
// to use (Prosody: XEP-0402, ejabberd 23.01: private storage); what one
// device adds another lists, a change replaces the room's bookmark, a
// removal takes it out; a stranger cannot read the account's node; an
// address that is not a room's is refused.
func TestAgainstServers(t *testing.T) {
	for name, srv := range xmpptest.Servers(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			jid, pass := srv.NewUser(t)
			dev1 := xmpptest.DialAs(t, srv, jid, pass, "one", nil)
			dev2 := xmpptest.DialAs(t, srv, jid, pass, "two", nil)
			info, err := disco.GetInfo(ctx, dev1, jid, "")
			if err != nil {
				t.Fatal(err)
			}
			pep := Supported(info)
			if want := srv.Kind == testserver.Prosody; pep != want {
				t.Fatalf("XEP-0402 offered: %v", pep)
			}
			if list, err := List(ctx, dev2, pep); err != nil || len(list) != 0 {
				t.Fatalf("no bookmarks yet: %+v, %v", list, err)
			}
			room1, room2 := "tea@conference."+srv.Domain, "Work@Conference."+srv.Domain
			for _, b := range []Bookmark{
				{JID: room1, Name: "Tea", Autojoin: true, Nick: "Al"},
				{JID: room2, Name: "Work"},
				{JID: room1, Name: "Tea time", Autojoin: true, Nick: "Al", Password: "s3cret"},
			} {
				if err := Set(ctx, dev1, pep, b); err != nil {
					t.Fatalf("set %+v: %v", b, err)
				}
			}
			list, err := List(ctx, dev2, pep)
			byJID := map[string]Bookmark{}
			for _, b := range list {
				byJID[b.JID] = b
			}
			if err != nil || len(list) != 2 || byJID[room1] != (Bookmark{JID: room1, Name: "Tea time", Autojoin: true, Nick: "Al", Password: "s3cret"}) ||
				byJID[strings.ToLower(room2)].Name != "Work" {
				t.Fatalf("listed: %+v, %v", list, err)
			}
			if err := Remove(ctx, dev2, pep, room2); err != nil {
				t.Fatal(err)
			}
			if list, err := List(ctx, dev1, pep); err != nil || len(list) != 1 || list[0].JID != room1 {
				t.Fatalf("after the removal: %+v, %v", list, err)
			}
			if err := Set(ctx, dev1, pep, Bookmark{JID: "tea@conference." + srv.Domain + "/Al"}); err != ErrNotRoom {
				t.Errorf("an occupant's address: %v", err)
			}
			if pep {
				sJID, sPass := srv.NewUser(t)
				stranger := xmpptest.DialAs(t, srv, sJID, sPass, "x", nil)
				if items, err := pubsub.Items(ctx, stranger, jid, NS, "", 0); err == nil && len(items) > 0 {
					t.Errorf("a stranger read %+v", items)
				}
			}
		})
	}
}
