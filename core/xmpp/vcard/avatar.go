package vcard

import (
	"context"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"strconv"

	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/dataform"
	"gosrc.io/xmpp/stanza"
)

// XEP-0084 (User Avatar) namespaces; each is also the PEP node name.
const (
	NSAvatarData     = "urn:xmpp:avatar:data"
	NSAvatarMetadata = "urn:xmpp:avatar:metadata"
	// NSAvatarNotify is the disco feature (for XEP-0115 caps) that asks
	// the server to push metadata changes of our contacts.
	NSAvatarNotify = NSAvatarMetadata + "+notify"

	nsPubSub        = "http://jabber.org/protocol/pubsub"
	nsPublishOption = "http://jabber.org/protocol/pubsub#publish-options"
)

// ErrNoAvatar: the avatar item does not exist or carries no valid image.
var ErrNoAvatar = errors.New("vcard: no such avatar")

// AvatarData is <data xmlns='urn:xmpp:avatar:data'/>: a base64 PNG.
// Invalid base64, or data larger than MaxPhotoSize, leaves Data nil.
type AvatarData struct {
	XMLName xml.Name // set when decoded
	Data    []byte
}

// UnmarshalXML reads the image data, ignoring white space.
func (a *AvatarData) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	*a = AvatarData{XMLName: start.Name}
	var s string
	if err := d.DecodeElement(&s, &start); err != nil {
		return err
	}
	if b, ok := decodeBase64(s, MaxPhotoSize); ok {
		a.Data = b
	}
	return nil
}

// MarshalXML writes the element.
func (a *AvatarData) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	return e.EncodeElement(base64.StdEncoding.EncodeToString(a.Data), xml.StartElement{Name: xml.Name{Space: NSAvatarData, Local: "data"}})
}

// AvatarInfo is one <info/> of avatar metadata: the same image in one
// content type. ID is the SHA-1 (hex) of that image's data. With a URL the
// image is fetched over HTTP, else from the data node.
type AvatarInfo struct {
	ID     string
	Type   string
	Bytes  int
	Width  int // 0: unknown
	Height int
	URL    string
}

// AvatarMetadata is <metadata xmlns='urn:xmpp:avatar:metadata'/>. No
// Infos (an empty element, or the older <stop/>) means the avatar was
// disabled.
type AvatarMetadata struct {
	XMLName xml.Name // set when decoded
	Infos   []AvatarInfo
}

// Disabled reports metadata announcing no avatar.
func (m *AvatarMetadata) Disabled() bool { return len(m.Infos) == 0 }

// DataNodeInfo returns the first info available from the data node (no
// URL), or nil.
func (m *AvatarMetadata) DataNodeInfo() *AvatarInfo {
	for i := range m.Infos {
		if m.Infos[i].URL == "" && m.Infos[i].ID != "" {
			return &m.Infos[i]
		}
	}
	return nil
}

// UnmarshalXML reads the infos (pointers and unknown children are
// skipped).
func (m *AvatarMetadata) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	*m = AvatarMetadata{XMLName: start.Name}
	return xmpp.EachChild(d, func(t xml.StartElement) (bool, error) {
		if t.Name.Space != NSAvatarMetadata || t.Name.Local != "info" {
			return false, nil
		}
		var in AvatarInfo
		for _, a := range t.Attr {
			if a.Name.Space != "" {
				continue
			}
			n, _ := strconv.Atoi(a.Value)
			switch a.Name.Local {
			case "id":
				in.ID = a.Value
			case "type":
				in.Type = a.Value
			case "url":
				in.URL = a.Value
			case "bytes":
				in.Bytes = n
			case "width":
				in.Width = n
			case "height":
				in.Height = n
			}
		}
		m.Infos = append(m.Infos, in)
		return false, nil
	})
}

// MarshalXML writes the metadata.
func (m *AvatarMetadata) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	start := xml.StartElement{Name: xml.Name{Space: NSAvatarMetadata, Local: "metadata"}}
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	for _, in := range m.Infos {
		s := startOf("info")
		add := func(k, v string) { s.Attr = append(s.Attr, xml.Attr{Name: xml.Name{Local: k}, Value: v}) }
		add("bytes", strconv.Itoa(in.Bytes))
		if in.Height > 0 {
			add("height", strconv.Itoa(in.Height))
		}
		add("id", in.ID)
		add("type", in.Type)
		if in.URL != "" {
			add("url", in.URL)
		}
		if in.Width > 0 {
			add("width", strconv.Itoa(in.Width))
		}
		if err := e.EncodeElement("", s); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

// pubsub is the <pubsub/> of a publish or an items request, written by
// this package (the stanza package's PubSubGeneric decodes the answers).
type pubsub struct {
	node        string
	itemID      string
	payload     any    // publish: the item's payload; nil: items request
	accessModel string // publish-options pubsub#access_model, or ""
}

func (*pubsub) Namespace() string         { return nsPubSub }
func (*pubsub) GetSet() *stanza.ResultSet { return nil }

func (p *pubsub) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	start := xml.StartElement{Name: xml.Name{Space: nsPubSub, Local: "pubsub"}}
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	verb := startOf("items")
	if p.payload != nil {
		verb = startOf("publish")
	}
	verb.Attr = []xml.Attr{{Name: xml.Name{Local: "node"}, Value: p.node}}
	if p.payload == nil && p.itemID == "" {
		verb.Attr = append(verb.Attr, xml.Attr{Name: xml.Name{Local: "max_items"}, Value: "1"})
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
	if p.payload != nil && p.accessModel != "" {
		opts := startOf("publish-options")
		if err := e.EncodeToken(opts); err != nil {
			return err
		}
		form := &dataform.Form{Type: "submit", Fields: []dataform.Field{
			{Var: "FORM_TYPE", Type: dataform.Hidden, Values: []string{nsPublishOption}},
			{Var: "pubsub#access_model", Values: []string{p.accessModel}},
		}}
		if err := e.Encode(form); err != nil {
			return err
		}
		if err := e.EncodeToken(opts.End()); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

// PublishAvatar publishes img (PNG, which XEP-0084 requires at the data
// node) to our PEP data node, then its metadata, and returns the avatar
// id (PhotoHash(img)). info supplies Width and Height (optional); ID,
// Bytes and Type ("image/png") are filled in. accessModel, when not "",
// asks for that pubsub#access_model with publish-options: "open" lets
// anyone fetch it, "presence" only contacts subscribed to our presence.
func PublishAvatar(ctx context.Context, c *xmpp.Conn, img []byte, info AvatarInfo, accessModel string) (string, error) {
	if len(img) == 0 {
		return "", errors.New("vcard: empty avatar")
	}
	info.ID = PhotoHash(img)
	info.Bytes = len(img)
	if info.Type == "" {
		info.Type = "image/png"
	}
	info.URL = ""
	data := &pubsub{node: NSAvatarData, itemID: info.ID, payload: &AvatarData{Data: img}, accessModel: accessModel}
	if err := publish(ctx, c, data); err != nil {
		return "", fmt.Errorf("vcard: publish avatar data: %w", err)
	}
	meta := &pubsub{node: NSAvatarMetadata, itemID: info.ID, payload: &AvatarMetadata{Infos: []AvatarInfo{info}}, accessModel: accessModel}
	if err := publish(ctx, c, meta); err != nil {
		return "", fmt.Errorf("vcard: publish avatar metadata: %w", err)
	}
	return info.ID, nil
}

// DisableAvatar publishes empty metadata: we have no avatar (XEP-0084 §4.5).
func DisableAvatar(ctx context.Context, c *xmpp.Conn) error {
	if err := publish(ctx, c, &pubsub{node: NSAvatarMetadata, payload: &AvatarMetadata{}}); err != nil {
		return fmt.Errorf("vcard: disable avatar: %w", err)
	}
	return nil
}

func publish(ctx context.Context, c *xmpp.Conn, p *pubsub) error {
	iq := &stanza.IQ{XMLName: xml.Name{Local: "iq"}, Attrs: stanza.Attrs{Type: stanza.IQTypeSet}, Payload: p}
	_, err := c.SendIQ(ctx, iq)
	return err
}

// fetchItem asks jid's PEP node for one item (id "": the latest) and
// decodes its payload into v.
func fetchItem(ctx context.Context, c *xmpp.Conn, jid, node, id string, v any) error {
	iq := &stanza.IQ{XMLName: xml.Name{Local: "iq"}, Attrs: stanza.Attrs{Type: stanza.IQTypeGet, To: jid},
		Payload: &pubsub{node: node, itemID: id}}
	reply, err := c.SendIQ(ctx, iq)
	if err != nil {
		return err
	}
	ps, ok := reply.Payload.(*stanza.PubSubGeneric)
	if !ok || ps.Items == nil {
		return ErrNoAvatar
	}
	for _, it := range ps.Items.List {
		if (id == "" || it.Id == id) && it.Any != nil {
			return nodeInto(it.Any, v)
		}
	}
	return ErrNoAvatar
}

// nodeInto decodes a generic node the stanza package kept into v.
func nodeInto(n *stanza.Node, v any) error {
	b, err := xml.Marshal(n)
	if err != nil {
		return err
	}
	return xml.Unmarshal(b, v)
}

// FetchAvatar fetches the image with this id from jid's (a bare JID) PEP
// data node. The data must hash to id.
func FetchAvatar(ctx context.Context, c *xmpp.Conn, jid, id string) ([]byte, error) {
	var a AvatarData
	if err := fetchItem(ctx, c, jid, NSAvatarData, id, &a); err != nil {
		return nil, fmt.Errorf("vcard: fetch avatar of %s: %w", jid, err)
	}
	if a.XMLName.Space != NSAvatarData || len(a.Data) == 0 || PhotoHash(a.Data) != id {
		return nil, fmt.Errorf("vcard: fetch avatar of %s: %w", jid, ErrNoAvatar)
	}
	return a.Data, nil
}

// FetchAvatarMetadata fetches the latest metadata of jid (a bare JID).
func FetchAvatarMetadata(ctx context.Context, c *xmpp.Conn, jid string) (*AvatarMetadata, error) {
	var m AvatarMetadata
	if err := fetchItem(ctx, c, jid, NSAvatarMetadata, "", &m); err != nil {
		return nil, fmt.Errorf("vcard: fetch avatar metadata of %s: %w", jid, err)
	}
	if m.XMLName.Space != NSAvatarMetadata {
		return nil, fmt.Errorf("vcard: fetch avatar metadata of %s: %w", jid, ErrNoAvatar)
	}
	return &m, nil
}

// AvatarMetadataFromMessage reads a PEP notification of avatar metadata
// (XEP-0084 §4.3): the publisher is the message's from (a bare JID). ok
// is false for any other message.
func AvatarMetadataFromMessage(m *stanza.Message) (meta *AvatarMetadata, ok bool) {
	if m == nil {
		return nil, false
	}
	for _, ext := range m.Extensions {
		ev, isEv := ext.(*stanza.PubSubEvent)
		if !isEv {
			continue
		}
		items, isItems := ev.EventElement.(*stanza.ItemsEvent)
		if !isItems || items.Node != NSAvatarMetadata || len(items.Items) == 0 {
			continue
		}
		it := items.Items[len(items.Items)-1]
		if it.Any == nil {
			continue
		}
		var md AvatarMetadata
		if nodeInto(it.Any, &md) != nil || md.XMLName.Space != NSAvatarMetadata {
			continue
		}
		return &md, true
	}
	return nil, false
}
