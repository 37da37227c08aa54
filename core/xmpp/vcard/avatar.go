package vcard

import (
	"context"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"strconv"

	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/pubsub"
	"gosrc.io/xmpp/stanza"
)

// XEP-0084 (User Avatar) namespaces; each is also the PEP node name.
const (
	NSAvatarData     = "urn:xmpp:avatar:data"
	NSAvatarMetadata = "urn:xmpp:avatar:metadata"
	// NSAvatarNotify is the disco feature (for XEP-0115 caps) that asks
	// the server to push metadata changes of our contacts.
	NSAvatarNotify = NSAvatarMetadata + "+notify"
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
	var opts []pubsub.Option
	if accessModel != "" {
		opts = append(opts, pubsub.Option{Var: "pubsub#access_model", Value: accessModel})
	}
	if err := pubsub.Publish(ctx, c, NSAvatarData, info.ID, &AvatarData{Data: img}, opts...); err != nil {
		return "", fmt.Errorf("vcard: publish avatar data: %w", err)
	}
	if err := pubsub.Publish(ctx, c, NSAvatarMetadata, info.ID, &AvatarMetadata{Infos: []AvatarInfo{info}}, opts...); err != nil {
		return "", fmt.Errorf("vcard: publish avatar metadata: %w", err)
	}
	return info.ID, nil
}

// DisableAvatar publishes empty metadata: we have no avatar (XEP-0084 §4.5).
func DisableAvatar(ctx context.Context, c *xmpp.Conn) error {
	if err := pubsub.Publish(ctx, c, NSAvatarMetadata, "", &AvatarMetadata{}); err != nil {
		return fmt.Errorf("vcard: disable avatar: %w", err)
	}
	return nil
}

// fetchItem asks jid's PEP node for one item (id "": the latest) and
// decodes its payload into v.
func fetchItem(ctx context.Context, c *xmpp.Conn, jid, node, id string, v any) error {
	max := 0
	if id == "" {
		max = 1
	}
	items, err := pubsub.Items(ctx, c, jid, node, id, max)
	if errors.Is(err, pubsub.ErrNoItems) {
		return ErrNoAvatar
	}
	if err != nil {
		return err
	}
	for _, it := range items {
		if (id == "" || it.ID == id) && it.Payload != nil {
			return it.Into(v)
		}
	}
	return ErrNoAvatar
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
	items := pubsub.EventItems(m, NSAvatarMetadata)
	for i := len(items) - 1; i >= 0; i-- {
		var md AvatarMetadata
		if items[i].Into(&md) != nil || md.XMLName.Space != NSAvatarMetadata {
			continue
		}
		return &md, true
	}
	return nil, false
}
