package muc

import (
	"context"
	"errors"
	"time"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/xmpp"
	bm "github.com/causerie/causerie/core/xmpp/bookmarks"
	"github.com/causerie/causerie/core/xmpp/disco"
	"gosrc.io/xmpp/stanza"
)

// Bookmarks: the account's saved group chats (XEP-0402 where the server
// offers it with its XEP-0048 view, else XEP-0048 in private storage;
// core/xmpp/bookmarks), shared by all the account's devices. They are
// read after each sign-in (not after a resumption), and the rooms marked
// autojoin are entered; a device hears of the others' changes through
// PEP notifications, and enters a room another device marked autojoin.

// Bookmark is one saved group chat.
type Bookmark = bm.Bookmark

// BookmarksChanged: the account's bookmarks as they now are (read after
// signing in, or changed here or on another device).
type BookmarksChanged struct {
	core.FeatureEvent
	Bookmarks []Bookmark
}

// bookmarkTimeout bounds reading or writing the bookmarks.
const bookmarkTimeout = 30 * time.Second

// bookmarkState is what Rooms knows of the bookmarks.
type bookmarkState struct {
	list []Bookmark
	pep  bool // XEP-0402 (else private storage), as the account said
	read bool // list read on this connection
}

// readBookmarks reads the bookmarks after a sign-in and enters the
// autojoin rooms we are not in (on its own goroutine: OnPresent).
func (r *Rooms) readBookmarks(conn *xmpp.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), bookmarkTimeout)
	defer cancel()
	info, err := disco.GetInfo(ctx, conn, r.h.Account(), "")
	if err != nil {
		r.h.Logf("muc: the account's features: %v", err)
		return
	}
	pep := bm.Supported(info)
	list, err := bm.List(ctx, conn, pep)
	if err != nil {
		r.h.Logf("muc: reading the bookmarks: %v", err)
		return
	}
	r.mu.Lock()
	r.bm = bookmarkState{list: list, pep: pep, read: true}
	r.mu.Unlock()
	r.h.Publish(BookmarksChanged{FeatureEvent: r.ev(), Bookmarks: list})
	for _, b := range list {
		r.autojoin(b)
	}
}

// autojoin enters b's room when b says so and we are not in it.
func (r *Rooms) autojoin(b Bookmark) {
	if !b.Autojoin {
		return
	}
	if err := r.join(b.JID, r.defaultNick(b), b.Password, true, false); err != nil {
		r.h.Logf("muc: joining %s from its bookmark: %v", b.JID, err)
	}
}

// defaultNick is b's nick, else the account's local part.
func (r *Rooms) defaultNick(b Bookmark) string {
	if b.Nick != "" {
		return b.Nick
	}
	if j, err := xmpp.ParseJID(r.h.Account()); err == nil && j.Local() != "" {
		return j.Local()
	}
	return "me"
}

// bookmarkEvent takes the account's PEP notifications of its bookmarks
// (on the reader goroutine: what needs the network goes on its own).
func (r *Rooms) bookmarkEvent(m *stanza.Message) bool {
	changed, removed, ok := bm.FromEvent(m, r.h.Account())
	if !ok {
		return false
	}
	go func() {
		if removed {
			// Which ones the notification does not say: read them again.
			conn, err := r.h.Conn()
			if err == nil {
				r.readBookmarks(conn)
			}
			return
		}
		r.mu.Lock()
		for _, b := range changed {
			r.bm.list = upsert(r.bm.list, b)
		}
		list := append([]Bookmark(nil), r.bm.list...)
		r.mu.Unlock()
		r.h.Publish(BookmarksChanged{FeatureEvent: r.ev(), Bookmarks: list})
		for _, b := range changed {
			if b.Autojoin {
				r.autojoin(b)
			}
		}
	}()
	return true
}

func upsert(list []Bookmark, b Bookmark) []Bookmark {
	for i := range list {
		if list[i].JID == b.JID {
			list[i] = b
			return list
		}
	}
	return append(list, b)
}

// Bookmarks returns the account's bookmarks as last read or changed.
func (r *Rooms) Bookmarks() []Bookmark {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Bookmark(nil), r.bm.list...)
}

// Bookmark returns room's bookmark, if it has one.
func (r *Rooms) Bookmark(room string) (Bookmark, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, b := range r.bm.list {
		if b.JID == room {
			return b, true
		}
	}
	return Bookmark{}, false
}

// ErrBookmarksUnknown: the bookmarks were not read yet on this
// connection (just signed in, or the server did not answer).
var ErrBookmarksUnknown = errors.New("muc: the bookmarks are not read yet")

// SaveBookmark adds b to the account's bookmarks, or replaces the one of
// its room (b taken from Bookmarks keeps what other clients added). It
// needs the session online, with the bookmarks read.
func (r *Rooms) SaveBookmark(ctx context.Context, b Bookmark) error {
	conn, pep, err := r.bookmarkConn()
	if err != nil {
		return err
	}
	if err := bm.Set(ctx, conn, pep, b); err != nil {
		return err
	}
	r.mu.Lock()
	r.bm.list = upsert(r.bm.list, b)
	list := append([]Bookmark(nil), r.bm.list...)
	r.mu.Unlock()
	r.h.Publish(BookmarksChanged{FeatureEvent: r.ev(), Bookmarks: list})
	return nil
}

// RemoveBookmark deletes room's bookmark (we stay in the room if we are
// in it).
func (r *Rooms) RemoveBookmark(ctx context.Context, room string) error {
	conn, pep, err := r.bookmarkConn()
	if err != nil {
		return err
	}
	if err := bm.Remove(ctx, conn, pep, room); err != nil {
		return err
	}
	r.mu.Lock()
	kept := r.bm.list[:0]
	for _, b := range r.bm.list {
		if b.JID != room {
			kept = append(kept, b)
		}
	}
	r.bm.list = kept
	list := append([]Bookmark(nil), kept...)
	r.mu.Unlock()
	r.h.Publish(BookmarksChanged{FeatureEvent: r.ev(), Bookmarks: list})
	return nil
}

func (r *Rooms) bookmarkConn() (*xmpp.Conn, bool, error) {
	conn, err := r.h.Conn()
	if err != nil {
		return nil, false, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.bm.read {
		return nil, false, ErrBookmarksUnknown
	}
	return conn, r.bm.pep, nil
}
