// Package disco implements XEP-0030: Service Discovery (disco#info,
// disco#items), with XEP-0128: Service Discovery Extensions (data forms in
// an info result).
//
// Importing this package registers [Info] and [Items] as the stanza
// package's payloads for the disco#info and disco#items queries, replacing
// gosrc's DiscoInfo and DiscoItems, which drop identities' xml:lang and the
// XEP-0128 forms (both needed for XEP-0115 capability hashes).
package disco

import (
	"context"
	"encoding/xml"
	"fmt"

	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/dataform"
	"gosrc.io/xmpp/stanza"
)

// Namespaces.
const (
	NSInfo  = "http://jabber.org/protocol/disco#info"
	NSItems = "http://jabber.org/protocol/disco#items"
)

const nsXML = "http://www.w3.org/XML/1998/namespace"

func init() {
	stanza.TypeRegistry.MapExtension(stanza.PKTIQ, xml.Name{Space: NSInfo, Local: "query"}, Info{})
	stanza.TypeRegistry.MapExtension(stanza.PKTIQ, xml.Name{Space: NSItems, Local: "query"}, Items{})
}

// Identity is an entity's identity (XEP-0030 §3.1; categories and types
// in the XMPP Registrar's disco-categories registry).
type Identity struct {
	Category, Type, Name, Lang string
}

// Info is <query xmlns='http://jabber.org/protocol/disco#info'/>: an
// entity's identities, features and XEP-0128 extension forms, in document
// order.
type Info struct {
	XMLName    xml.Name // set when decoded
	Node       string
	Identities []Identity
	Features   []string
	Forms      []dataform.Form
}

func (*Info) Namespace() string         { return NSInfo }
func (*Info) GetSet() *stanza.ResultSet { return nil }

// Has reports whether the entity advertises feature.
func (i *Info) Has(feature string) bool {
	if i == nil {
		return false
	}
	for _, f := range i.Features {
		if f == feature {
			return true
		}
	}
	return false
}

// HasIdentity reports whether the entity has an identity of this category
// and type (e.g. "server", "im"; "conference", "text"; "account",
// "registered").
func (i *Info) HasIdentity(category, typ string) bool {
	if i == nil {
		return false
	}
	for _, id := range i.Identities {
		if id.Category == category && id.Type == typ {
			return true
		}
	}
	return false
}

// Form returns the extension form with this FORM_TYPE, or nil.
func (i *Info) Form(formType string) *dataform.Form {
	if i == nil {
		return nil
	}
	for k := range i.Forms {
		if i.Forms[k].FormType() == formType {
			return &i.Forms[k]
		}
	}
	return nil
}

func attr(start xml.StartElement, name string) string {
	for _, a := range start.Attr {
		if a.Name.Space == "" && a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// UnmarshalXML reads an info query; unknown children are skipped.
func (i *Info) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	*i = Info{XMLName: start.Name, Node: attr(start, "node")}
	return xmpp.EachChild(d, func(t xml.StartElement) (bool, error) {
		switch {
		case t.Name.Space == NSInfo && t.Name.Local == "identity":
			id := Identity{Category: attr(t, "category"), Type: attr(t, "type"), Name: attr(t, "name")}
			for _, a := range t.Attr {
				if a.Name.Space == nsXML && a.Name.Local == "lang" {
					id.Lang = a.Value
				}
			}
			i.Identities = append(i.Identities, id)
		case t.Name.Space == NSInfo && t.Name.Local == "feature":
			if v := attr(t, "var"); v != "" {
				i.Features = append(i.Features, v)
			}
		case t.Name.Space == dataform.NS && t.Name.Local == "x":
			var f dataform.Form
			if err := d.DecodeElement(&f, &t); err != nil {
				return true, err
			}
			i.Forms = append(i.Forms, f)
			return true, nil
		}
		return false, nil
	})
}

// MarshalXML writes the query: an empty request, or an answer to one.
func (i *Info) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	start := xml.StartElement{Name: xml.Name{Space: NSInfo, Local: "query"}}
	if i.Node != "" {
		start.Attr = append(start.Attr, xml.Attr{Name: xml.Name{Local: "node"}, Value: i.Node})
	}
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	for _, id := range i.Identities {
		s := xml.StartElement{Name: xml.Name{Local: "identity"}, Attr: []xml.Attr{
			{Name: xml.Name{Local: "category"}, Value: id.Category},
			{Name: xml.Name{Local: "type"}, Value: id.Type},
		}}
		if id.Name != "" {
			s.Attr = append(s.Attr, xml.Attr{Name: xml.Name{Local: "name"}, Value: id.Name})
		}
		if id.Lang != "" {
			s.Attr = append(s.Attr, xml.Attr{Name: xml.Name{Space: nsXML, Local: "lang"}, Value: id.Lang})
		}
		if err := e.EncodeElement("", s); err != nil {
			return err
		}
	}
	for _, f := range i.Features {
		s := xml.StartElement{Name: xml.Name{Local: "feature"}, Attr: []xml.Attr{{Name: xml.Name{Local: "var"}, Value: f}}}
		if err := e.EncodeElement("", s); err != nil {
			return err
		}
	}
	for k := range i.Forms {
		if err := e.Encode(&i.Forms[k]); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

// Item is one disco#items entry.
type Item struct {
	JID, Node, Name string
}

// Items is <query xmlns='http://jabber.org/protocol/disco#items'/>.
type Items struct {
	XMLName xml.Name // set when decoded
	Node    string
	Items   []Item
}

func (*Items) Namespace() string         { return NSItems }
func (*Items) GetSet() *stanza.ResultSet { return nil }

// UnmarshalXML reads an items query; unknown children (e.g. an XEP-0059
// <set/>) are skipped.
func (it *Items) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	*it = Items{XMLName: start.Name, Node: attr(start, "node")}
	return xmpp.EachChild(d, func(t xml.StartElement) (bool, error) {
		if t.Name.Space == NSItems && t.Name.Local == "item" {
			if j := attr(t, "jid"); j != "" {
				it.Items = append(it.Items, Item{JID: j, Node: attr(t, "node"), Name: attr(t, "name")})
			}
		}
		return false, nil
	})
}

// MarshalXML writes the query.
func (it *Items) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	start := xml.StartElement{Name: xml.Name{Space: NSItems, Local: "query"}}
	if it.Node != "" {
		start.Attr = append(start.Attr, xml.Attr{Name: xml.Name{Local: "node"}, Value: it.Node})
	}
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	for _, x := range it.Items {
		s := xml.StartElement{Name: xml.Name{Local: "item"}, Attr: []xml.Attr{{Name: xml.Name{Local: "jid"}, Value: x.JID}}}
		if x.Node != "" {
			s.Attr = append(s.Attr, xml.Attr{Name: xml.Name{Local: "node"}, Value: x.Node})
		}
		if x.Name != "" {
			s.Attr = append(s.Attr, xml.Attr{Name: xml.Name{Local: "name"}, Value: x.Name})
		}
		if err := e.EncodeElement("", s); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

func get(ctx context.Context, c *xmpp.Conn, to string, payload stanza.IQPayload) (*stanza.IQ, error) {
	iq := &stanza.IQ{XMLName: xml.Name{Local: "iq"}, Attrs: stanza.Attrs{Type: stanza.IQTypeGet, To: to}, Payload: payload}
	return c.SendIQ(ctx, iq)
}

// GetInfo asks an entity (to; "" means our server) for its identities and
// features, optionally at a node. An error answer is returned as an error
// wrapping the *xmpp.StanzaError (e.g. service-unavailable,
// item-not-found).
func GetInfo(ctx context.Context, c *xmpp.Conn, to, node string) (*Info, error) {
	if to == "" {
		to = c.Domain()
	}
	reply, err := get(ctx, c, to, &Info{Node: node})
	if err != nil {
		return nil, fmt.Errorf("disco#info %s: %w", to, err)
	}
	info, ok := reply.Payload.(*Info)
	if !ok {
		return nil, fmt.Errorf("disco#info %s: the result carries no disco#info query", to)
	}
	return info, nil
}

// GetItems asks an entity (to; "" means our server) for its items,
// optionally at a node.
func GetItems(ctx context.Context, c *xmpp.Conn, to, node string) ([]Item, error) {
	if to == "" {
		to = c.Domain()
	}
	reply, err := get(ctx, c, to, &Items{Node: node})
	if err != nil {
		return nil, fmt.Errorf("disco#items %s: %w", to, err)
	}
	items, ok := reply.Payload.(*Items)
	if !ok {
		return nil, fmt.Errorf("disco#items %s: the result carries no disco#items query", to)
	}
	return items.Items, nil
}
