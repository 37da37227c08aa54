// Package bob implements XEP-0231: Bits of Binary — small data (an image
// of an XHTML-IM message, a CAPTCHA) carried in a stanza and referred to
// by a cid: URL.
//
// Importing this package registers [Data] as a message extension, so a
// message's <data xmlns='urn:xmpp:bob'/> items are decoded with it.
package bob

import (
	"encoding/base64"
	"encoding/xml"
	"strings"

	"gosrc.io/xmpp/stanza"
)

// NS is XEP-0231's namespace.
const NS = "urn:xmpp:bob"

// MaxSize bounds the decoded data of one item; larger items are dropped
// (XEP-0231 §2: bits of binary are meant to be small, under 8 KiB
// recommended; senders of inline images go a little further).
const MaxSize = 256 << 10

func init() {
	stanza.TypeRegistry.MapExtension(stanza.PKTMessage, xml.Name{Space: NS, Local: "data"}, Data{})
}

// Data is one <data/> item.
type Data struct {
	XMLName xml.Name `xml:"urn:xmpp:bob data"`
	CID     string   // "sha1+8f35fef110ffc5df08d579a50083ff9308fb6242@bob.xmpp.org"
	Type    string   // MIME type
	MaxAge  int      // seconds it may be cached; 0: not at all
	Bytes   []byte   // nil when the item was too large or not base64
}

// UnmarshalXML reads an item; its content is base64 (whitespace allowed).
func (d *Data) UnmarshalXML(dec *xml.Decoder, start xml.StartElement) error {
	var raw struct {
		CID    string `xml:"cid,attr"`
		Type   string `xml:"type,attr"`
		MaxAge int    `xml:"max-age,attr"`
		Text   string `xml:",chardata"`
	}
	if err := dec.DecodeElement(&raw, &start); err != nil {
		return err
	}
	*d = Data{XMLName: start.Name, CID: raw.CID, Type: strings.ToLower(strings.TrimSpace(raw.Type)), MaxAge: raw.MaxAge}
	text := strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, raw.Text)
	if base64.StdEncoding.DecodedLen(len(text)) > MaxSize+3 {
		return nil
	}
	if b, err := base64.StdEncoding.DecodeString(text); err == nil && len(b) <= MaxSize {
		d.Bytes = b
	}
	return nil
}

// MarshalXML writes an item.
func (d Data) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	start := xml.StartElement{Name: xml.Name{Space: NS, Local: "data"}, Attr: []xml.Attr{
		{Name: xml.Name{Local: "cid"}, Value: d.CID},
		{Name: xml.Name{Local: "type"}, Value: d.Type},
	}}
	if d.MaxAge > 0 {
		start.Attr = append(start.Attr, xml.Attr{Name: xml.Name{Local: "max-age"}, Value: itoa(d.MaxAge)})
	}
	return e.EncodeElement(base64.StdEncoding.EncodeToString(d.Bytes), start)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// FromMessage returns a message's items with data, by cid.
func FromMessage(m *stanza.Message) map[string]Data {
	var out map[string]Data
	for _, e := range m.Extensions {
		var d Data
		switch v := e.(type) {
		case *Data:
			d = *v
		case Data:
			d = v
		default:
			continue
		}
		if d.CID == "" || d.Bytes == nil {
			continue
		}
		if out == nil {
			out = map[string]Data{}
		}
		out[d.CID] = d
	}
	return out
}

// CID returns the content id a cid: URL refers to ("cid:" removed), or
// false when src is not one.
func CID(src string) (string, bool) {
	if len(src) > 4 && strings.EqualFold(src[:4], "cid:") {
		return src[4:], true
	}
	return "", false
}

// DataURI is the item as a data: URI (for a renderer that shows inline
// images).
func (d Data) DataURI() string {
	return "data:" + d.Type + ";base64," + base64.StdEncoding.EncodeToString(d.Bytes)
}
