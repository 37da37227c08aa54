package roster

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
)

func onlineContact(jid, name string, show core.Show, groups ...string) core.Contact {
	return core.Contact{JID: jid, Name: name, Groups: groups, Subscription: core.SubBoth, InRoster: true,
		Resources: []core.Resource{{Name: "r", Show: show}}}
}

func offlineContact(jid, name string, groups ...string) core.Contact {
	return core.Contact{JID: jid, Name: name, Groups: groups, Subscription: core.SubBoth, InRoster: true}
}

// modelRows lists a model's rows, depth-first, as "Kind:name" indented by
// depth (every branch open).
func modelRows(m *Model) []string {
	var out []string
	var walk func(uid string, depth int)
	walk = func(uid string, depth int) {
		for _, c := range m.Children[uid] {
			n := m.Nodes[c]
			var s string
			switch n.Kind {
			case NodeAccount:
				s = fmt.Sprintf("account %s %d/%d", n.Label, n.Online, n.Total)
			case NodeGroup:
				s = fmt.Sprintf("group %q %d/%d", n.Group, n.Online, n.Total)
			case NodeContact:
				s = "contact " + n.Contact.JID
			case NodeRequests:
				s = fmt.Sprintf("requests %d", n.Total)
			case NodeRequest:
				s = "request " + n.Request.From
			case NodeRooms:
				s = fmt.Sprintf("rooms %d/%d", n.Online, n.Total)
			case NodeRoom:
				s = fmt.Sprintf("room %s %d@%d", n.Room.Label(), n.Unread, n.Room.Mentions)
			}
			out = append(out, strings.Repeat("  ", depth)+s)
			walk(c, depth+1)
		}
	}
	walk("", 0)
	return out
}

func TestRosterModel(t *testing.T) {
	me := AccountView{JID: "me@example.org", PresenceKnown: true, Contacts: []core.Contact{
		offlineContact("zed@example.org", "Zed", "Work"),
		onlineContact("bob@example.org", "bob", core.ShowAway, "friends"),
		onlineContact("alice@example.org", "Alice", core.ShowAvailable, "Work", "friends", "Work"),
		onlineContact("carl@example.org", "", core.ShowChat),
		offlineContact("dan@example.org", "Dan"),
	}}
	check := func(name string, got *Model, want ...string) {
		t.Helper()
		if rows := modelRows(got); !reflect.DeepEqual(rows, want) {
			t.Errorf("%s:\n got %q\nwant %q", name, rows, want)
		}
	}
	check("online only", Build([]AccountView{me}, "", false),
		`group "friends" 2/2`, "  contact alice@example.org", "  contact bob@example.org",
		`group "Work" 1/2`, "  contact alice@example.org",
		`group "" 1/2`, "  contact carl@example.org")
	check("show offline", Build([]AccountView{me}, "", true),
		`group "friends" 2/2`, "  contact alice@example.org", "  contact bob@example.org",
		`group "Work" 1/2`, "  contact alice@example.org", "  contact zed@example.org",
		`group "" 1/2`, "  contact carl@example.org", "  contact dan@example.org")
	check("filter finds offline too, by name or JID", Build([]AccountView{me}, " ZE", false),
		`group "Work" 1/2`, "  contact zed@example.org")
	check("filter by JID", Build([]AccountView{me}, "carl@", false),
		`group "" 1/2`, "  contact carl@example.org")

	unknown := me
	unknown.PresenceKnown = false
	if rows := modelRows(Build([]AccountView{unknown}, "", false)); len(rows) != 9 {
		t.Errorf("presence unknown: everyone shown, got %q", rows)
	}
	unread := me
	unread.Unread = map[string]int{"dan@example.org": 2}
	check("offline with unread messages shows", Build([]AccountView{unread}, "", false),
		`group "friends" 2/2`, "  contact alice@example.org", "  contact bob@example.org",
		`group "Work" 1/2`, "  contact alice@example.org",
		`group "" 1/2`, "  contact carl@example.org", "  contact dan@example.org")

	other := AccountView{JID: "work@example.com", Name: "Work account", PresenceKnown: true,
		Contacts: []core.Contact{onlineContact("eve@example.com", "Eve", core.ShowDND, "Work")},
		Requests: []history.Request{{From: "x@example.net", At: time.Unix(1, 0)}}}
	check("several accounts", Build([]AccountView{me, other}, "", false),
		"requests 1", "  request x@example.net",
		"account me@example.org 3/5", `  group "friends" 2/2`, "    contact alice@example.org", "    contact bob@example.org",
		`  group "Work" 1/2`, "    contact alice@example.org",
		`  group "" 1/2`, "    contact carl@example.org",
		"account Work account 1/1", `  group "Work" 1/1`, "    contact eve@example.com")
	if m := Build(nil, "", false); m.Contacts != 0 || len(m.Children[""]) != 0 {
		t.Errorf("empty model: %q", modelRows(m))
	}
}

// benchAccount is 1,000 contacts in 20 groups, a third online, a tenth in
// two groups.
func benchAccount() AccountView {
	a := AccountView{JID: "me@example.org", PresenceKnown: true}
	shows := []core.Show{core.ShowAvailable, core.ShowAway, core.ShowDND}
	for i := 0; i < 1000; i++ {
		groups := []string{fmt.Sprintf("Group %02d", i%20)}
		if i%10 == 0 {
			groups = append(groups, fmt.Sprintf("Group %02d", (i+7)%20))
		}
		c := offlineContact(fmt.Sprintf("user%04d@example.org", i), fmt.Sprintf("User %04d", (i*7919)%1000), groups...)
		if i%3 == 0 {
			c.Resources = []core.Resource{{Name: "r", Show: shows[i%len(shows)]}}
		}
		a.Contacts = append(a.Contacts, c)
	}
	return a
}

// BenchmarkRosterModel1000 builds the tree of 1,000 contacts in 20 groups,
// from the unsorted map order the window keeps, showing offline contacts
// (the most rows).
func BenchmarkRosterModel1000(b *testing.B) {
	accts := []AccountView{benchAccount()}
	b.ReportAllocs()
	for b.Loop() {
		m := Build(accts, "", true)
		if m.Contacts != 1000 {
			b.Fatal(m.Contacts)
		}
	}
}

// BenchmarkRosterModel1000Filter is the same with a filter typed.
func BenchmarkRosterModel1000Filter(b *testing.B) {
	accts := []AccountView{benchAccount()}
	b.ReportAllocs()
	for b.Loop() {
		Build(accts, "user 01", false)
	}
}

// TestRosterRooms: an account's group chats come first, in a section of
// their own that counts those joined; the filter applies to their names
// and addresses; a room without a bookmark name shows its local part.
func TestRosterRooms(t *testing.T) {
	me := AccountView{JID: "me@example.org", PresenceKnown: true,
		Contacts: []core.Contact{onlineContact("bob@example.org", "Bob", core.ShowAvailable)},
		Rooms: []RoomView{
			{JID: "salon@conference.example.org", Joined: true, Unread: 3, Mentions: 1},
			{JID: "jdev@muc.xmpp.org", Name: "XMPP developers"},
		}}
	got := modelRows(Build([]AccountView{me}, "", false))
	want := []string{"rooms 1/2", "  room salon 3@1", "  room XMPP developers 0@0", `group "" 1/1`, "  contact bob@example.org"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	got = modelRows(Build([]AccountView{me}, "develop", false))
	if want := []string{"rooms 1/2", "  room XMPP developers 0@0"}; !reflect.DeepEqual(got, want) {
		t.Errorf("filtered: %q", got)
	}
	other := AccountView{JID: "work@example.com", PresenceKnown: true, Rooms: []RoomView{{JID: "team@conference.example.com"}}}
	got = modelRows(Build([]AccountView{me, other}, "team", false))
	if want := []string{"account me@example.org 1/1", "account work@example.com 0/0", "  rooms 0/1", "    room team 0@0"}; !reflect.DeepEqual(got, want) {
		t.Errorf("two accounts: %q", got)
	}
}
