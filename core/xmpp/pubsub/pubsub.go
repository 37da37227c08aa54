// Package pubsub implements what the PEP features (XEP-0163: Personal
// Eventing Protocol) need of XEP-0060: Publish-Subscribe: publishing an
// item with publish-options, reading a node's items, deleting one, and
// reading the items an event notification carries. User avatars
// (XEP-0084, core/xmpp/vcard), displayed-state synchronisation
// (XEP-0490, core/xmpp/mds) and bookmarks (XEP-0402,
// core/xmpp/bookmarks) use it. The stanza package's PubSubGeneric and
// PubSubEvent decode the answers and the notifications.
package pubsub

import (
	"context"
	"encoding/xml"
	"errors"
	"strconv"

	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/dataform"
	"gosrc.io/xmpp/stanza"
)

// Namespaces.
const (
	NS               = "http://jabber.org/protocol/pubsub"
	NSPublishOptions = NS + "#publish-options"
)

// An Option is one publish-option (pubsub#access_model = whitelist,
// say): the node is made, or must already be, configured so.
type Option struct{ Var, Value string }

// request is the <pubsub/> of a publish, an items or a retract request.
type request struct {
	node     string
	itemID   string
	payload  any // publish: the item's payload; nil: items request
	options  []Option
	maxItems int  // items request: at most this many (0: all)
	retract  bool // a retract request (notify='true')
}

func (*request) Namespace() string         { return NS }
func (*request) GetSet() *stanza.ResultSet { return nil }

func startOf(local string) xml.StartElement { return xml.StartElement{Name: xml.Name{Local: local}} }

// MarshalXML writes the request.
func (p *request) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	start := xml.StartElement{Name: xml.Name{Space: NS, Local: "pubsub"}}
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	verb := startOf("items")
	switch {
	case p.retract:
		verb = startOf("retract")
	case p.payload != nil:
		verb = startOf("publish")
	}
	verb.Attr = []xml.Attr{{Name: xml.Name{Local: "node"}, Value: p.node}}
	if p.retract {
		verb.Attr = append(verb.Attr, xml.Attr{Name: xml.Name{Local: "notify"}, Value: "true"})
	}
	if p.payload == nil && p.itemID == "" && p.maxItems > 0 {
		verb.Attr = append(verb.Attr, xml.Attr{Name: xml.Name{Local: "max_items"}, Value: strconv.Itoa(p.maxItems)})
	}
	if err := e.EncodeToken(verb); err != nil {
		return err
	}
	if p.payload != nil || p.itemID != "" {
		item := startOf("item")
		if p.itemID != "" {
			item.Attr = []xml.Attr{{Name: xml.Name{Local: "id"}, Value: p.itemID}}
		}
		if err := e.EncodeToken(item); err != nil {
			return err
		}
		if p.payload != nil {
			if err := e.Encode(p.payload); err != nil {
				return err
			}
		}
		if err := e.EncodeToken(item.End()); err != nil {
			return err
		}
	}
	if err := e.EncodeToken(verb.End()); err != nil {
		return err
	}
	if p.payload != nil && len(p.options) > 0 {
		opts := startOf("publish-options")
		if err := e.EncodeToken(opts); err != nil {
			return err
		}
		form := &dataform.Form{Type: "submit", Fields: []dataform.Field{
			{Var: "FORM_TYPE", Type: dataform.Hidden, Values: []string{NSPublishOptions}},
		}}
		for _, o := range p.options {
			form.Fields = append(form.Fields, dataform.Field{Var: o.Var, Values: []string{o.Value}})
		}
		if err := e.Encode(form); err != nil {
			return err
		}
		if err := e.EncodeToken(opts.End()); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

// PublishRequest is the IQ that publishes payload as item itemID ("" for
// one the service names) of our PEP node.
func PublishRequest(node, itemID string, payload any, options ...Option) *stanza.IQ {
	return &stanza.IQ{XMLName: xml.Name{Local: "iq"}, Attrs: stanza.Attrs{Type: stanza.IQTypeSet},
		Payload: &request{node: node, itemID: itemID, payload: payload, options: options}}
}

// Publish publishes payload as item itemID of our PEP node, with options.
func Publish(ctx context.Context, c *xmpp.Conn, node, itemID string, payload any, options ...Option) error {
	_, err := c.SendIQ(ctx, PublishRequest(node, itemID, payload, options...))
	return err
}

// ItemsRequest is the IQ that asks jid's node ("" for our own) for item
// itemID, or when itemID is "" for its items (the last max, 0: all).
func ItemsRequest(jid, node, itemID string, max int) *stanza.IQ {
	return &stanza.IQ{XMLName: xml.Name{Local: "iq"}, Attrs: stanza.Attrs{Type: stanza.IQTypeGet, To: jid},
		Payload: &request{node: node, itemID: itemID, maxItems: max}}
}

// RetractRequest is the IQ that deletes item itemID of our PEP node,
// telling the node's subscribers (XEP-0060 §7.2, notify).
func RetractRequest(node, itemID string) *stanza.IQ {
	return &stanza.IQ{XMLName: xml.Name{Local: "iq"}, Attrs: stanza.Attrs{Type: stanza.IQTypeSet},
		Payload: &request{node: node, itemID: itemID, retract: true}}
}

// Retract deletes item itemID of our PEP node.
func Retract(ctx context.Context, c *xmpp.Conn, node, itemID string) error {
	_, err := c.SendIQ(ctx, RetractRequest(node, itemID))
	return err
}

// An Item is one item of a node: its id and its payload, as the stanza
// package kept it (decode it with Into).
type Item struct {
	ID      string
	Payload *stanza.Node
}

// ErrNoItems: the answer carries no items.
var ErrNoItems = errors.New("pubsub: no items")

// Items asks jid's node ("" for our own) for item itemID, or all its
// items (the last max, 0: all) when itemID is "".
func Items(ctx context.Context, c *xmpp.Conn, jid, node, itemID string, max int) ([]Item, error) {
	reply, err := c.SendIQ(ctx, ItemsRequest(jid, node, itemID, max))
	if err != nil {
		return nil, err
	}
	ps, ok := reply.Payload.(*stanza.PubSubGeneric)
	if !ok || ps.Items == nil {
		return nil, ErrNoItems
	}
	out := make([]Item, 0, len(ps.Items.List))
	for _, it := range ps.Items.List {
		out = append(out, Item{ID: it.Id, Payload: it.Any})
	}
	return out, nil
}

// EventItems returns the items of node that an event notification m
// carries (XEP-0060 §7.1.2), oldest first.
func EventItems(m *stanza.Message, node string) []Item {
	if m == nil {
		return nil
	}
	var out []Item
	for _, ext := range m.Extensions {
		ev, ok := ext.(*stanza.PubSubEvent)
		if !ok {
			continue
		}
		items, ok := ev.EventElement.(*stanza.ItemsEvent)
		if !ok || items.Node != node {
			continue
		}
		for _, it := range items.Items {
			out = append(out, Item{ID: it.Id, Payload: it.Any})
		}
	}
	return out
}

// EventRetracts reports whether an event notification m tells of items
// of node deleted (XEP-0060 §7.2.2.1). Which ones it does not say: the
// stanza package reads a retraction's node, not its item id; a caller
// reads the node again.
func EventRetracts(m *stanza.Message, node string) bool {
	if m == nil {
		return false
	}
	for _, ext := range m.Extensions {
		if ev, ok := ext.(*stanza.PubSubEvent); ok {
			if items, ok := ev.EventElement.(*stanza.ItemsEvent); ok && items.Node == node && items.Retract != nil {
				return true
			}
		}
	}
	return false
}

// Into decodes an item's payload into v; an item without one is an
// error.
func (it Item) Into(v any) error {
	if it.Payload == nil {
		return ErrNoItems
	}
	b, err := xml.Marshal(it.Payload)
	if err != nil {
		return err
	}
	return xml.Unmarshal(b, v)
}

// NSOwner is the namespace of a node owner's requests.
const NSOwner = NS + "#owner"

// configure is <pubsub xmlns='…#owner'><configure node='…'> with a
// submitted node_config form.
type configure struct {
	node    string
	options []Option
}

func (*configure) Namespace() string         { return NSOwner }
func (*configure) GetSet() *stanza.ResultSet { return nil }

// MarshalXML writes the request.
func (p *configure) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	start := xml.StartElement{Name: xml.Name{Space: NSOwner, Local: "pubsub"}}
	cfg := startOf("configure")
	cfg.Attr = []xml.Attr{{Name: xml.Name{Local: "node"}, Value: p.node}}
	form := &dataform.Form{Type: "submit", Fields: []dataform.Field{
		{Var: "FORM_TYPE", Type: dataform.Hidden, Values: []string{NS + "#node_config"}},
	}}
	for _, o := range p.options {
		form.Fields = append(form.Fields, dataform.Field{Var: o.Var, Values: []string{o.Value}})
	}
	for _, t := range []xml.Token{start, cfg} {
		if err := e.EncodeToken(t); err != nil {
			return err
		}
	}
	if err := e.Encode(form); err != nil {
		return err
	}
	for _, t := range []xml.Token{cfg.End(), start.End()} {
		if err := e.EncodeToken(t); err != nil {
			return err
		}
	}
	return nil
}

// Configure sets options of our PEP node (XEP-0060 §8.2), for a server
// that does not take them as publish-options.
func Configure(ctx context.Context, c *xmpp.Conn, node string, options ...Option) error {
	iq := &stanza.IQ{XMLName: xml.Name{Local: "iq"}, Attrs: stanza.Attrs{Type: stanza.IQTypeSet},
		Payload: &configure{node: node, options: options}}
	_, err := c.SendIQ(ctx, iq)
	return err
}
