package bookmarks

import (
	"context"
	"encoding/xml"
	"strings"
	"unicode"

	"github.com/causerie/causerie/core/xmpp"
	"gosrc.io/xmpp/stanza"
)

// XEP-0048 bookmarks in XEP-0049 private storage: one <storage/> element
// holds the whole list, read and written at once.

func init() {
	stanza.TypeRegistry.MapExtension(stanza.PKTIQ, xml.Name{Space: NSPrivate, Local: "query"}, Private{})
}

// Private is <query xmlns='jabber:iq:private'> holding XEP-0048's
// <storage xmlns='storage:bookmarks'/> (nil: a request for it).
type Private struct {
	XMLName xml.Name `xml:"jabber:iq:private query"`
	Storage *Storage `xml:"storage:bookmarks storage"`
}

func (*Private) Namespace() string         { return NSPrivate }
func (*Private) GetSet() *stanza.ResultSet { return nil }

// Storage is XEP-0048's list: the rooms, and what else it holds (the
// user's web bookmarks, other clients' additions), kept as it came.
type Storage struct {
	XMLName     xml.Name           `xml:"storage:bookmarks storage"`
	Conferences []legacyConference `xml:"conference"`
	Other       []raw              `xml:",any"`
}

// legacyConference is XEP-0048's <conference/>, the room's address in an
// attribute.
type legacyConference struct {
	JID      string `xml:"jid,attr"`
	Name     string `xml:"name,attr,omitempty"`
	Autojoin string `xml:"autojoin,attr,omitempty"`
	Nick     string `xml:"nick,omitempty"`
	Password string `xml:"password,omitempty"`
	Other    []raw  `xml:",any"`
}

// raw is an element we do not read, written back as it came.
type raw struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Inner   []byte     `xml:",innerxml"`
}

// kept are the elements of list that can be written back: the decoder
// takes names XML does not allow (<0/>), which would make what we write
// unreadable.
func kept(list []raw) []raw {
	out := list[:0]
	for _, r := range list {
		ok := xmlName(r.XMLName.Local) && (r.XMLName.Space == "" || !strings.ContainsAny(r.XMLName.Space, "<>\"&'"))
		for _, a := range r.Attrs {
			ok = ok && xmlName(a.Name.Local) && (a.Name.Space == "" || xmlName(a.Name.Space) || a.Name.Space == "xmlns")
		}
		if ok {
			out = append(out, r)
		}
	}
	return out
}

// xmlName reports whether s is a name XML allows (a letter or _ first,
// then letters, digits, - . _; no colon: prefixes are resolved).
func xmlName(s string) bool {
	for i, r := range s {
		if !(unicode.IsLetter(r) || r == '_' || i > 0 && (unicode.IsDigit(r) || r == '-' || r == '.')) {
			return false
		}
	}
	return s != ""
}

func (st *Storage) bookmarks() []Bookmark {
	if st == nil {
		return nil
	}
	out := make([]Bookmark, 0, len(st.Conferences))
	for _, c := range st.Conferences {
		jid, ok := roomJID(c.JID)
		if !ok || index(out, jid) >= 0 {
			continue // not a room's address, or twice
		}
		out = append(out, Bookmark{JID: jid, Name: c.Name, Autojoin: boolean(c.Autojoin), Nick: c.Nick, Password: c.Password})
	}
	return out
}

// set puts b in the list, in place of the room's entry if there is one
// (keeping what it holds that we do not read).
func (st *Storage) set(b Bookmark) {
	c := legacyConference{JID: b.JID, Name: b.Name, Nick: b.Nick, Password: b.Password}
	if b.Autojoin {
		c.Autojoin = "true"
	}
	for i, old := range st.Conferences {
		if jid, _ := roomJID(old.JID); jid == b.JID {
			c.Other = old.Other
			st.Conferences[i] = c
			return
		}
	}
	st.Conferences = append(st.Conferences, c)
}

// remove takes room jid out of the list and reports whether it was in.
func (st *Storage) remove(jid string) bool {
	n := len(st.Conferences)
	kept := st.Conferences[:0]
	for _, c := range st.Conferences {
		if j, _ := roomJID(c.JID); j == jid {
			continue
		}
		kept = append(kept, c)
	}
	st.Conferences = kept
	return len(kept) != n
}

// GetPrivateRequest is the IQ that reads the list from private storage.
func GetPrivateRequest() *stanza.IQ {
	return &stanza.IQ{XMLName: xml.Name{Local: "iq"}, Attrs: stanza.Attrs{Type: stanza.IQTypeGet},
		Payload: &Private{Storage: &Storage{}}}
}

// SetPrivateRequest is the IQ that writes st to private storage.
func SetPrivateRequest(st *Storage) *stanza.IQ {
	st.Other = kept(st.Other)
	for i := range st.Conferences {
		st.Conferences[i].Other = kept(st.Conferences[i].Other)
	}
	return &stanza.IQ{XMLName: xml.Name{Local: "iq"}, Attrs: stanza.Attrs{Type: stanza.IQTypeSet},
		Payload: &Private{Storage: st}}
}

func getPrivate(ctx context.Context, c *xmpp.Conn) (*Storage, error) {
	reply, err := c.SendIQ(ctx, GetPrivateRequest())
	if err != nil {
		return nil, err
	}
	if p, ok := reply.Payload.(*Private); ok && p.Storage != nil {
		return p.Storage, nil
	}
	return &Storage{}, nil
}

func setPrivate(ctx context.Context, c *xmpp.Conn, st *Storage) error {
	_, err := c.SendIQ(ctx, SetPrivateRequest(st))
	return err
}
