// Package bookmarks implements XEP-0402: PEP Native Bookmarks, and for
// servers without it (ejabberd 23.01) its predecessor XEP-0048:
// Bookmarks, kept in XEP-0049: Private XML Storage: the account's group
// chats, with the name the user gave each, the nick and password to join
// with, and whether to join it at sign-in.
//
// A server that keeps XEP-0402 bookmarks and shows them to older clients
// as XEP-0048 ones advertises NSCompat on the account: the client then
// uses XEP-0402 (List, Set, Remove with PEP set), and hears of changes
// made by the account's other devices through PEP notifications
// (FromEvent: only from the account itself) once its caps list NSNotify. Otherwise it reads and writes
// the whole list in private storage (PEP unset).
package bookmarks

import (
	"context"
	"encoding/xml"
	"errors"
	"slices"

	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/pubsub"
	"gosrc.io/xmpp/stanza"
)

// Namespaces. NS is also the PEP node.
const (
	NS        = "urn:xmpp:bookmarks:1"
	NSNotify  = NS + "+notify"
	NSCompat  = NS + "#compat" // account feature: XEP-0402 kept and shown as XEP-0048
	NSLegacy  = "storage:bookmarks"
	NSPrivate = "jabber:iq:private"
)

// A Bookmark is one group chat of the account's.
type Bookmark struct {
	JID      string // the room's bare address
	Name     string // given by the user ("" for none)
	Autojoin bool   // join at sign-in
	Nick     string // "" for the account's default
	Password string
	// extensions are the raw children of XEP-0402's <extensions/>,
	// which a client must keep when it edits the bookmark.
	extensions string
}

// conference is XEP-0402's <conference/> (the room's address is the
// item's id).
type conference struct {
	XMLName    xml.Name    `xml:"urn:xmpp:bookmarks:1 conference"`
	Name       string      `xml:"name,attr,omitempty"`
	Autojoin   string      `xml:"autojoin,attr,omitempty"`
	Nick       string      `xml:"nick,omitempty"`
	Password   string      `xml:"password,omitempty"`
	Extensions *extensions `xml:"extensions,omitempty"`
}

type extensions struct {
	Inner []byte `xml:",innerxml"`
}

// boolean reads an xs:boolean ("true" or "1"; anything else is false).
func boolean(s string) bool { return s == "true" || s == "1" }

func (b Bookmark) conference() *conference {
	c := &conference{Name: b.Name, Nick: b.Nick, Password: b.Password}
	if b.Autojoin {
		c.Autojoin = "true"
	}
	if len(b.extensions) > 0 {
		c.Extensions = &extensions{Inner: []byte(b.extensions)}
	}
	return c
}

func fromItem(it pubsub.Item) (Bookmark, bool) {
	var c conference
	jid, ok := roomJID(it.ID)
	if !ok || it.Into(&c) != nil {
		return Bookmark{}, false // not a room's address, or no conference
	}
	b := Bookmark{JID: jid, Name: c.Name, Autojoin: boolean(c.Autojoin), Nick: c.Nick, Password: c.Password}
	if c.Extensions != nil {
		b.extensions = string(c.Extensions.Inner)
	}
	return b, true
}

// PublishOptions are the node's required configuration (§3): kept, as
// many items as the user has bookmarks, and seen by nobody else.
var PublishOptions = []pubsub.Option{
	{Var: "pubsub#persist_items", Value: "true"},
	{Var: "pubsub#max_items", Value: "max"},
	{Var: "pubsub#send_last_published_item", Value: "never"},
	{Var: "pubsub#access_model", Value: "whitelist"},
}

// SetRequest is the IQ that stores b as an item of the XEP-0402 node.
func SetRequest(b Bookmark) *stanza.IQ {
	return pubsub.PublishRequest(NS, b.JID, b.conference(), PublishOptions...)
}

// List reads the account's bookmarks: from the XEP-0402 node when pep is
// set, else from private storage. None yet is an empty list.
func List(ctx context.Context, c *xmpp.Conn, pep bool) ([]Bookmark, error) {
	if !pep {
		st, err := getPrivate(ctx, c)
		return st.bookmarks(), err
	}
	items, err := pubsub.Items(ctx, c, "", NS, "", 0)
	var se *xmpp.StanzaError
	if errors.Is(err, pubsub.ErrNoItems) || errors.As(err, &se) && se.Condition == "item-not-found" {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	out := make([]Bookmark, 0, len(items))
	for _, it := range items {
		if b, ok := fromItem(it); ok {
			out = append(out, b)
		}
	}
	return out, nil
}

// ErrNotRoom: a bookmark's address is not a room's (a bare address with
// a local part).
var ErrNotRoom = errors.New("bookmarks: not a room's address")

// Set adds b, or replaces the bookmark of the same room, keeping what
// other clients added to it that we do not know.
func Set(ctx context.Context, c *xmpp.Conn, pep bool, b Bookmark) error {
	jid, ok := roomJID(b.JID)
	if !ok {
		return ErrNotRoom
	}
	b.JID = jid
	if pep {
		_, err := c.SendIQ(ctx, SetRequest(b))
		return err
	}
	st, err := getPrivate(ctx, c)
	if err != nil {
		return err
	}
	st.set(b)
	return setPrivate(ctx, c, st)
}

// Remove deletes the bookmark of room jid (none: nothing happens).
func Remove(ctx context.Context, c *xmpp.Conn, pep bool, jid string) error {
	jid, ok := roomJID(jid)
	if !ok {
		return ErrNotRoom
	}
	if pep {
		return pubsub.Retract(ctx, c, NS, jid)
	}
	st, err := getPrivate(ctx, c)
	if err != nil {
		return err
	}
	if !st.remove(jid) {
		return nil
	}
	return setPrivate(ctx, c, st)
}

// FromEvent reads a PEP notification of the XEP-0402 node from our own
// account (a bare JID): the bookmarks added or changed, and whether some
// were removed (which ones the stanza package does not tell: List them
// again). ok is false for any other message: another account's
// notification says nothing of ours.
func FromEvent(m *stanza.Message, account string) (changed []Bookmark, removed, ok bool) {
	if m == nil || (m.From != "" && m.From != account) {
		return nil, false, false
	}
	items := pubsub.EventItems(m, NS)
	for _, it := range items {
		if b, good := fromItem(it); good {
			changed = append(changed, b)
		}
	}
	removed = pubsub.EventRetracts(m, NS)
	return changed, removed, len(items) > 0 || removed
}

// Supported reads whether info, the account's disco#info, offers XEP-0402
// with its XEP-0048 view (NSCompat): the bookmarks to use then are PEP's.
func Supported(info interface{ Has(string) bool }) bool {
	return info != nil && info.Has(NSCompat)
}

// roomJID is s as a room's address (normalised), if it is one: a bare
// address with a local part.
func roomJID(s string) (string, bool) {
	j, err := xmpp.ParseJID(s)
	if err != nil || j.Local() == "" || !j.IsBare() {
		return "", false
	}
	return j.String(), true
}

// index is the position of room jid in list, -1 when absent.
func index(list []Bookmark, jid string) int {
	return slices.IndexFunc(list, func(b Bookmark) bool { return b.JID == jid })
}
