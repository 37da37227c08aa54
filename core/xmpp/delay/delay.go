// Package delay implements XEP-0203: Delayed Delivery, and reads the
// obsolete XEP-0091: Legacy Delayed Delivery (jabber:x:delay) that old
// servers and clients still send.
//
// Importing this package registers [Delay] ({urn:xmpp:delay}delay) and
// [LegacyDelay] ({jabber:x:delay}x) as message and presence extensions of
// the stanza package.
package delay

import (
	"encoding/xml"
	"strings"
	"time"

	"gosrc.io/xmpp/stanza"
)

// NS is the XEP-0203 namespace.
const NS = "urn:xmpp:delay"

// NSLegacy is the XEP-0091 namespace.
const NSLegacy = "jabber:x:delay"

// legacyLayout is XEP-0091's stamp: UTC, CCYYMMDDThh:mm:ss.
const legacyLayout = "20060102T15:04:05"

func init() {
	for _, p := range []stanza.PacketType{stanza.PKTMessage, stanza.PKTPresence} {
		stanza.TypeRegistry.MapExtension(p, xml.Name{Space: NS, Local: "delay"}, Delay{})
		stanza.TypeRegistry.MapExtension(p, xml.Name{Space: NSLegacy, Local: "x"}, LegacyDelay{})
	}
}

// Delay is <delay xmlns='urn:xmpp:delay' from='...' stamp='...'>reason</delay>.
// Stamp is the zero time when the stamp is missing or not an XEP-0082
// DateTime; decoding never fails because of it.
type Delay struct {
	XMLName xml.Name
	From    string
	Stamp   time.Time
	Reason  string
}

// UnmarshalXML reads a delay element.
func (d *Delay) UnmarshalXML(dec *xml.Decoder, start xml.StartElement) error {
	var raw struct {
		From   string `xml:"from,attr"`
		Stamp  string `xml:"stamp,attr"`
		Reason string `xml:",chardata"`
	}
	if err := dec.DecodeElement(&raw, &start); err != nil {
		return err
	}
	*d = Delay{XMLName: start.Name, From: raw.From, Reason: strings.TrimSpace(raw.Reason)}
	d.Stamp, _ = ParseStamp(raw.Stamp)
	return nil
}

// MarshalXML writes the delay with the stamp in UTC (XEP-0082 DateTime,
// fractional seconds only when present).
func (d *Delay) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	start := xml.StartElement{Name: xml.Name{Space: NS, Local: "delay"}}
	if d.From != "" {
		start.Attr = append(start.Attr, xml.Attr{Name: xml.Name{Local: "from"}, Value: d.From})
	}
	start.Attr = append(start.Attr, xml.Attr{Name: xml.Name{Local: "stamp"}, Value: FormatStamp(d.Stamp)})
	return e.EncodeElement(d.Reason, start)
}

// LegacyDelay is XEP-0091's <x xmlns='jabber:x:delay' stamp='20020910T23:08:25'/>.
type LegacyDelay struct {
	XMLName xml.Name
	From    string
	Stamp   time.Time // zero when missing or malformed
	Reason  string
}

// UnmarshalXML reads a legacy delay element.
func (d *LegacyDelay) UnmarshalXML(dec *xml.Decoder, start xml.StartElement) error {
	var nd Delay
	if err := nd.UnmarshalXML(dec, start); err != nil {
		return err
	}
	*d = LegacyDelay{XMLName: start.Name, From: nd.From, Reason: nd.Reason}
	d.Stamp, _ = ParseLegacyStamp(stampAttr(start))
	return nil
}

// MarshalXML writes the legacy form (for tests and gateways; clients
// send XEP-0203).
func (d *LegacyDelay) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	start := xml.StartElement{Name: xml.Name{Space: NSLegacy, Local: "x"}}
	if d.From != "" {
		start.Attr = append(start.Attr, xml.Attr{Name: xml.Name{Local: "from"}, Value: d.From})
	}
	start.Attr = append(start.Attr, xml.Attr{Name: xml.Name{Local: "stamp"}, Value: d.Stamp.UTC().Format(legacyLayout)})
	return e.EncodeElement(d.Reason, start)
}

func stampAttr(start xml.StartElement) string {
	for _, a := range start.Attr {
		if a.Name.Space == "" && a.Name.Local == "stamp" {
			return a.Value
		}
	}
	return ""
}

// ParseStamp parses an XEP-0082 DateTime (CCYY-MM-DDThh:mm:ss[.sss]TZD,
// TZD being Z or ±hh:mm) and returns it in UTC.
func ParseStamp(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC(), true
}

// ParseLegacyStamp parses an XEP-0091 stamp (CCYYMMDDThh:mm:ss, UTC).
func ParseLegacyStamp(s string) (time.Time, bool) {
	t, err := time.Parse(legacyLayout, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}

// FormatStamp formats t as an XEP-0082 DateTime in UTC.
func FormatStamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// FromMessage returns when a delayed message was originally sent: the
// XEP-0203 stamp if present and valid, else the XEP-0091 one. With several
// XEP-0203 delays (each hop may add one), the earliest valid stamp wins.
func FromMessage(m *stanza.Message) (time.Time, bool) {
	if m == nil {
		return time.Time{}, false
	}
	return pick(m.Extensions)
}

// FromMessageBy is FromMessage counting only the delays added by someone
// trusted (by their from attribute): a stamp is a claim, and anyone can
// write one (XEP-0203 §4 leaves trusting it to the recipient).
func FromMessageBy(m *stanza.Message, trusted func(from string) bool) (time.Time, bool) {
	if m == nil {
		return time.Time{}, false
	}
	var keep []stanza.MsgExtension
	for _, e := range m.Extensions {
		switch d := e.(type) {
		case *Delay:
			if trusted(d.From) {
				keep = append(keep, e)
			}
		case *LegacyDelay:
			if trusted(d.From) {
				keep = append(keep, e)
			}
		}
	}
	return pick(keep)
}

// FromPresence is FromMessage for a presence.
func FromPresence(p *stanza.Presence) (time.Time, bool) {
	if p == nil {
		return time.Time{}, false
	}
	return pick(p.Extensions)
}

// Find returns the message's first XEP-0203 delay element, or nil.
func Find(m *stanza.Message) *Delay {
	if m == nil {
		return nil
	}
	for _, e := range m.Extensions {
		if d, ok := e.(*Delay); ok {
			return d
		}
	}
	return nil
}

func pick[E any](exts []E) (time.Time, bool) {
	var best, legacy time.Time
	for _, e := range exts {
		switch d := any(e).(type) {
		case *Delay:
			if !d.Stamp.IsZero() && (best.IsZero() || d.Stamp.Before(best)) {
				best = d.Stamp
			}
		case *LegacyDelay:
			if !d.Stamp.IsZero() && (legacy.IsZero() || d.Stamp.Before(legacy)) {
				legacy = d.Stamp
			}
		}
	}
	if !best.IsZero() {
		return best, true
	}
	if !legacy.IsZero() {
		return legacy, true
	}
	return time.Time{}, false
}
