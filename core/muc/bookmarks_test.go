package muc

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/internal/coretest"
	"github.com/causerie/causerie/internal/testserver"
)

// TestBookmarks, on both servers (Prosody: XEP-0402; ejabberd 23.01:
// private storage): a room bookmarked with autojoin on one device is
// entered by the account's other device when it signs in, with the
// bookmark's nick; on Prosody, a bookmark the second device adds reaches
// the first at once (PEP notification) and it enters that room too, and
// a removal there is heard as well.
func TestBookmarks(t *testing.T) { coretest.BothServers(t, testBookmarks) }

func bookmarked(rooms ...string) func(core.Event) bool {
	return func(e core.Event) bool {
		c, ok := e.(BookmarksChanged)
		if !ok || len(c.Bookmarks) != len(rooms) {
			return false
		}
		for _, b := range c.Bookmarks {
			if !slices.Contains(rooms, b.JID) {
				return false
			}
		}
		return true
	}
}

func testBookmarks(t *testing.T, srv *testserver.Server) {
	ctx := context.Background()
	desk := coretest.NewUser(t, srv, Feature)
	mark := desk.Events.Mark()
	desk.Connect(t)
	desk.Events.WaitFrom(t, mark, "no bookmarks yet", bookmarked())
	room := fmt.Sprintf("club%d@conference.%s", time.Now().UnixNano(), srv.Domain)
	if err := Of(desk.Session).SaveBookmark(ctx, Bookmark{JID: room, Name: "The club", Autojoin: true, Nick: "Al"}); err != nil {
		t.Fatal(err)
	}

	phone := coretest.Login(t, srv, desk.JID, desk.Password, Feature)
	mark = phone.Events.Mark()
	phone.Connect(t)
	phone.Events.WaitFrom(t, mark, "the phone reads the bookmark", bookmarked(room))
	phone.Events.WaitFrom(t, mark, "the phone enters the room", joinedAs(room, "Al"))
	if got := Of(phone.Session).Bookmarks(); len(got) != 1 || got[0].Name != "The club" {
		t.Fatalf("the phone's bookmarks: %+v", got)
	}

	if srv.Kind != testserver.Prosody {
		return // private storage: no notifications
	}
	other := fmt.Sprintf("other%d@conference.%s", time.Now().UnixNano(), srv.Domain)
	mark = desk.Events.Mark()
	if err := Of(phone.Session).SaveBookmark(ctx, Bookmark{JID: other, Autojoin: true}); err != nil {
		t.Fatal(err)
	}
	desk.Events.WaitFrom(t, mark, "the desktop hears of the new bookmark", bookmarked(room, other))
	nick := Of(desk.Session).defaultNick(Bookmark{})
	desk.Events.WaitFrom(t, mark, "the desktop enters the other room", func(e core.Event) bool {
		if f, ok := e.(JoinFailed); ok {
			t.Fatalf("the desktop could not enter the other room: %+v", f)
		}
		return joinedAs(other, nick)(e)
	})
	mark = desk.Events.Mark()
	if err := Of(phone.Session).RemoveBookmark(ctx, room); err != nil {
		t.Fatal(err)
	}
	desk.Events.WaitFrom(t, mark, "the desktop hears of the removal", bookmarked(other))
}
