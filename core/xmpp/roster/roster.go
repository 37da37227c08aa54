// Package roster implements RFC 6121 roster management (jabber:iq:roster)
// with XEP-0237: Roster Versioning.
//
// Roster versioning is specified in RFC 6121 §2.6 (which obsoletes
// XEP-0237): a client that cached the roster sends the version it has in
// its roster get (ver=” when it has none); the server answers with the
// whole roster and a new version, or with an empty result meaning "your
// copy is current" and then pushes what changed, each push carrying the new
// version.
//
// Importing this package registers [Query] as the stanza package's payload
// for <query xmlns='jabber:iq:roster'/>, replacing gosrc's own RosterItems.
package roster

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"strings"

	"github.com/causerie/causerie/core/xmpp"
	"gosrc.io/xmpp/stanza"
)

// NS is the roster namespace.
const NS = "jabber:iq:roster"

// Stream features a server advertises after login.
const (
	NSFeatureVersioning  = "urn:xmpp:features:rosterver"    // <ver/>, RFC 6121 §2.6.1
	NSFeaturePreApproval = "urn:xmpp:features:pre-approval" // <sub/>, RFC 6121 §3.4
)

// Subscription states (RFC 6121 §2.1.2.5); Remove appears only in pushes
// and in a client's removal request.
const (
	SubNone   = "none"
	SubTo     = "to"
	SubFrom   = "from"
	SubBoth   = "both"
	SubRemove = "remove"
)

func init() {
	stanza.TypeRegistry.MapExtension(stanza.PKTIQ, xml.Name{Space: NS, Local: "query"}, Query{})
}

// Item is one roster item.
type Item struct {
	JID          string // bare JID
	Name         string
	Subscription string // "none", "to", "from", "both", or "remove" in a push
	Ask          bool   // ask='subscribe': our request is pending (pending-out)
	Approved     bool   // approved='true': pre-approved
	Groups       []string
}

// Query is <query xmlns='jabber:iq:roster'/>. Ver is nil when the element
// has no ver attribute and points to "" for ver=”.
type Query struct {
	XMLName xml.Name // set when decoded; routing (xmpp.PayloadName) reads it
	Ver     *string
	Items   []Item
}

func (*Query) Namespace() string         { return NS }
func (*Query) GetSet() *stanza.ResultSet { return nil }

// UnmarshalXML reads a roster query. Unknown attributes and children are
// ignored; the subscription attribute defaults to "none" (RFC 6121
// §2.1.2.5).
func (q *Query) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	q.XMLName = start.Name
	for _, a := range start.Attr {
		if a.Name.Space == "" && a.Name.Local == "ver" {
			v := a.Value
			q.Ver = &v
		}
	}
	return xmpp.EachChild(d, func(t xml.StartElement) (bool, error) {
		if t.Name.Space != NS || t.Name.Local != "item" {
			return false, nil
		}
		it, err := decodeItem(d, t)
		if err != nil {
			return true, err
		}
		q.Items = append(q.Items, it)
		return true, nil
	})
}

func decodeItem(d *xml.Decoder, start xml.StartElement) (Item, error) {
	it := Item{Subscription: SubNone}
	for _, a := range start.Attr {
		if a.Name.Space != "" {
			continue
		}
		switch a.Name.Local {
		case "jid":
			it.JID = a.Value
		case "name":
			it.Name = a.Value
		case "subscription":
			if a.Value != "" {
				it.Subscription = a.Value
			}
		case "ask":
			it.Ask = a.Value == "subscribe"
		case "approved":
			it.Approved = a.Value == "true" || a.Value == "1"
		}
	}
	err := xmpp.EachChild(d, func(t xml.StartElement) (bool, error) {
		if t.Name.Space != NS || t.Name.Local != "group" {
			return false, nil
		}
		var g string
		if err := d.DecodeElement(&g, &t); err != nil {
			return true, err
		}
		it.Groups = append(it.Groups, g)
		return true, nil
	})
	return it, err
}

// MarshalXML writes the query. A ver attribute is written only when Ver is
// set (ver=” when it points to ""); an item's subscription only when not
// empty, ask and approved only when true.
func (q *Query) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	start := xml.StartElement{Name: xml.Name{Space: NS, Local: "query"}}
	if q.Ver != nil {
		start.Attr = append(start.Attr, xml.Attr{Name: xml.Name{Local: "ver"}, Value: *q.Ver})
	}
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	for _, it := range q.Items {
		is := xml.StartElement{Name: xml.Name{Local: "item"}}
		attr := func(name, v string) {
			is.Attr = append(is.Attr, xml.Attr{Name: xml.Name{Local: name}, Value: v})
		}
		attr("jid", it.JID)
		if it.Name != "" {
			attr("name", it.Name)
		}
		if it.Subscription != "" {
			attr("subscription", it.Subscription)
		}
		if it.Ask {
			attr("ask", "subscribe")
		}
		if it.Approved {
			attr("approved", "true")
		}
		if err := e.EncodeToken(is); err != nil {
			return err
		}
		for _, g := range it.Groups {
			if err := e.EncodeElement(g, xml.StartElement{Name: xml.Name{Local: "group"}}); err != nil {
				return err
			}
		}
		if err := e.EncodeToken(is.End()); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

func newIQ(typ stanza.StanzaType, q *Query) *stanza.IQ {
	// No 'to': the request is handled by our own server on behalf of our
	// account (RFC 6121 §2.1.3).
	return &stanza.IQ{XMLName: xml.Name{Local: "iq"}, Attrs: stanza.Attrs{Type: typ}, Payload: q}
}

// Get retrieves the roster (RFC 6121 §2.1.3). With versioning (use it only
// when VersioningOffered), ver is the version of the cached roster ("" for
// none) and is always sent; the server then either returns the roster with
// a new version, or an empty result (upToDate: the cache is current,
// newVer is ver, and changes follow as roster pushes). Without versioning
// no ver attribute is sent and the full roster comes back.
func Get(ctx context.Context, c *xmpp.Conn, ver string, versioning bool) (items []Item, newVer string, upToDate bool, err error) {
	q := &Query{}
	if versioning {
		v := ver
		q.Ver = &v
	}
	reply, err := c.SendIQ(ctx, newIQ(stanza.IQTypeGet, q))
	if err != nil {
		return nil, "", false, fmt.Errorf("roster: get: %w", err)
	}
	switch p := reply.Payload.(type) {
	case *Query:
		if p.Ver != nil {
			newVer = *p.Ver
		}
		return p.Items, newVer, false, nil
	case nil:
		if reply.Any != nil {
			return nil, "", false, fmt.Errorf("roster: get: unexpected <%s xmlns='%s'/> in the result", reply.Any.XMLName.Local, reply.Any.XMLName.Space)
		}
		if versioning {
			return nil, ver, true, nil
		}
		// No query without versioning: an empty roster from a lax server.
		return nil, "", false, nil
	default:
		return nil, "", false, fmt.Errorf("roster: get: unexpected payload %T in the result", reply.Payload)
	}
}

// Set adds an item or updates its name and groups (RFC 6121 §2.3, §2.4).
// Only jid, name and groups are sent: a client never sets subscription, ask
// or approved (§2.1.2); empty and duplicate group names are dropped (§2.1.2.3).
func Set(ctx context.Context, c *xmpp.Conn, it Item) error {
	if strings.TrimSpace(it.JID) == "" {
		return errors.New("roster: set: empty JID")
	}
	out := Item{JID: it.JID, Name: it.Name}
	seen := map[string]bool{}
	for _, g := range it.Groups {
		if g == "" || seen[g] {
			continue
		}
		seen[g] = true
		out.Groups = append(out.Groups, g)
	}
	if _, err := c.SendIQ(ctx, newIQ(stanza.IQTypeSet, &Query{Items: []Item{out}})); err != nil {
		return fmt.Errorf("roster: set %s: %w", it.JID, err)
	}
	return nil
}

// Remove deletes an item (RFC 6121 §2.5); the server also cancels the
// subscriptions in both directions.
func Remove(ctx context.Context, c *xmpp.Conn, jid string) error {
	q := &Query{Items: []Item{{JID: jid, Subscription: SubRemove}}}
	if _, err := c.SendIQ(ctx, newIQ(stanza.IQTypeSet, q)); err != nil {
		return fmt.Errorf("roster: remove %s: %w", jid, err)
	}
	return nil
}

// ParsePush checks and reads a roster push (RFC 6121 §2.1.6): an IQ set
// with exactly one item, from no one (our server) or our own bare JID.
// Anything else is not a push and must be ignored (ok false): a push from
// another entity could rewrite our roster. ver is the push's roster
// version ("" if none). The caller answers an accepted push with
// c.SendResult(iq, nil).
func ParsePush(c *xmpp.Conn, iq *stanza.IQ) (it Item, ver string, ok bool) {
	return parsePush(c.JID(), iq)
}

func parsePush(self string, iq *stanza.IQ) (it Item, ver string, ok bool) {
	if iq == nil || iq.Type != stanza.IQTypeSet {
		return Item{}, "", false
	}
	if iq.From != "" && !fromSelf(iq.From, self) {
		return Item{}, "", false
	}
	q, isQ := iq.Payload.(*Query)
	if !isQ || len(q.Items) != 1 || q.Items[0].JID == "" {
		return Item{}, "", false
	}
	if q.Ver != nil {
		ver = *q.Ver
	}
	return q.Items[0], ver, true
}

// VersioningOffered reports whether the server advertised roster
// versioning (RFC 6121 §2.6.1, XEP-0237).
func VersioningOffered(c *xmpp.Conn) bool { return c.HasFeature(NSFeatureVersioning, "ver") }

// PreApprovalOffered reports whether the server supports subscription
// pre-approval (RFC 6121 §3.4).
func PreApprovalOffered(c *xmpp.Conn) bool { return c.HasFeature(NSFeaturePreApproval, "sub") }

// fromSelf reports whether a push's from is our own bare JID (a full JID
// is some resource, not the account); self is our full JID.
func fromSelf(from, self string) bool {
	f, err := xmpp.ParseJID(from)
	return err == nil && f.IsBare() && f.String() == xmpp.BareJID(self)
}
