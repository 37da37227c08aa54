package xmpp

import (
	"bytes"
	"encoding/xml"
	"strconv"
	"strings"

	"gosrc.io/xmpp/stanza"
)

// The stanza package's own decoders walk into unknown extensions (so a
// <body/> or <priority/> nested in any extension overwrites the stanza's,
// and a <message/> forwarded inside one breaks decoding) and fail the
// whole stanza on one bad value (a non-numeric <priority/> would end the
// session). We decode the top level ourselves: only direct children in
// jabber:client are the stanza's own fields, each extension is decoded on
// its own, and a malformed extension is dropped, never fatal.

// rawChild is one direct child of a stanza: a jabber:client field's text,
// or an extension kept as raw XML to decode on its own.
type rawChild struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Inner   []byte     `xml:",innerxml"`
	Text    string     `xml:"-"`
}

// bytes re-serialises the child as a standalone element.
func (r *rawChild) bytes() []byte {
	var b bytes.Buffer
	b.Grow(len(r.Inner) + 64)
	b.WriteByte('<')
	b.WriteString(r.XMLName.Local)
	if r.XMLName.Space != "" {
		b.WriteString(` xmlns="`)
		xml.EscapeText(&b, []byte(r.XMLName.Space))
		b.WriteByte('"')
	}
	for _, a := range r.Attrs {
		switch {
		case a.Name.Space == "xmlns":
			// A prefix declaration: the inner XML may use it.
			b.WriteString(" xmlns:")
		case a.Name.Space == nsXMLAttr:
			b.WriteString(" xml:")
		case a.Name.Space != "" || a.Name.Local == "xmlns":
			continue // the default namespace (written above), other qualified attributes
		default:
			b.WriteByte(' ')
		}
		b.WriteString(a.Name.Local)
		b.WriteString(`="`)
		xml.EscapeText(&b, []byte(a.Value))
		b.WriteByte('"')
	}
	b.WriteByte('>')
	b.Write(r.Inner)
	b.WriteString("</")
	b.WriteString(r.XMLName.Local)
	b.WriteByte('>')
	return b.Bytes()
}

const nsXMLAttr = "http://www.w3.org/XML/1998/namespace"

// unmarshalInto decodes the child into v; false when it does not fit.
func (r *rawChild) unmarshalInto(v any) bool {
	return xml.Unmarshal(r.bytes(), v) == nil
}

// textField lists the jabber:client children read as plain text.
var textField = map[string]bool{"body": true, "subject": true, "thread": true, "show": true, "status": true, "priority": true}

func isClientNS(space string) bool { return space == NSClient || space == "" }

func attrsOf(se xml.StartElement) stanza.Attrs {
	var a stanza.Attrs
	for _, at := range se.Attr {
		if at.Name.Space != "" && at.Name.Local != "lang" {
			continue
		}
		switch at.Name.Local {
		case "id":
			a.Id = at.Value
		case "type":
			a.Type = stanza.StanzaType(at.Value)
		case "to":
			a.To = at.Value
		case "from":
			a.From = at.Value
		case "lang":
			a.Lang = at.Value
		}
	}
	return a
}

// decodeChildren reads a stanza's direct children.
func decodeChildren(d *xml.Decoder, se xml.StartElement) ([]rawChild, error) {
	var kids []rawChild
	err := EachChild(d, func(t xml.StartElement) (bool, error) {
		var c rawChild
		if isClientNS(t.Name.Space) && textField[t.Name.Local] {
			c.XMLName = t.Name
			if err := d.DecodeElement(&c.Text, &t); err != nil {
				return true, err
			}
		} else if err := d.DecodeElement(&c, &t); err != nil {
			return true, err
		} else {
			// Prefixes declared on the stanza stay in scope for the
			// extension once it is decoded on its own.
			for _, a := range se.Attr {
				if a.Name.Space == "xmlns" && !declares(c.Attrs, a.Name.Local) {
					c.Attrs = append(c.Attrs, a)
				}
			}
		}
		kids = append(kids, c)
		return true, nil
	})
	return kids, err
}

func declares(attrs []xml.Attr, prefix string) bool {
	for _, a := range attrs {
		if a.Name.Space == "xmlns" && a.Name.Local == prefix {
			return true
		}
	}
	return false
}

func decodeError(c *rawChild) stanza.Err {
	var e stanza.Err
	if !c.unmarshalInto(&e) {
		return stanza.Err{Type: "cancel", Reason: "undefined-condition"}
	}
	return e
}

func decodeMessage(d *xml.Decoder, se xml.StartElement) (*stanza.Message, error) {
	kids, err := decodeChildren(d, se)
	if err != nil {
		return nil, err
	}
	m := &stanza.Message{XMLName: se.Name, Attrs: attrsOf(se)}
	for i := range kids {
		c := &kids[i]
		if isClientNS(c.XMLName.Space) {
			switch c.XMLName.Local {
			case "body":
				if m.Body == "" { // the first, default-language body
					m.Body = c.Text
				}
			case "subject":
				if m.Subject == "" {
					m.Subject = c.Text
				}
			case "thread":
				m.Thread = c.Text
			case "error":
				m.Error = decodeError(c)
			}
			continue
		}
		if ext := stanza.TypeRegistry.GetMsgExtension(c.XMLName); ext != nil && c.unmarshalInto(ext) {
			m.Extensions = append(m.Extensions, ext)
		}
	}
	return m, nil
}

func decodePresence(d *xml.Decoder, se xml.StartElement) (*stanza.Presence, error) {
	kids, err := decodeChildren(d, se)
	if err != nil {
		return nil, err
	}
	p := &stanza.Presence{XMLName: se.Name, Attrs: attrsOf(se)}
	for i := range kids {
		c := &kids[i]
		if isClientNS(c.XMLName.Space) {
			switch c.XMLName.Local {
			case "show":
				p.Show = stanza.PresenceShow(strings.TrimSpace(c.Text))
			case "status":
				if p.Status == "" {
					p.Status = c.Text
				}
			case "priority":
				if n, err := strconv.Atoi(strings.TrimSpace(c.Text)); err == nil && n >= -128 && n <= 127 {
					p.Priority = int8(n)
				}
			case "error":
				p.Error = decodeError(c)
			}
			continue
		}
		if ext := stanza.TypeRegistry.GetPresExtension(c.XMLName); ext != nil && c.unmarshalInto(ext) {
			p.Extensions = append(p.Extensions, ext)
		}
	}
	return p, nil
}

func decodeIQ(d *xml.Decoder, se xml.StartElement) (*stanza.IQ, error) {
	kids, err := decodeChildren(d, se)
	if err != nil {
		return nil, err
	}
	iq := &stanza.IQ{XMLName: se.Name, Attrs: attrsOf(se)}
	for i := range kids {
		c := &kids[i]
		if isClientNS(c.XMLName.Space) && c.XMLName.Local == "error" {
			e := decodeError(c)
			iq.Error = &e
			continue
		}
		if iq.Payload != nil || iq.Any != nil {
			continue // one payload only (RFC 6120 §8.2.3)
		}
		if p := stanza.TypeRegistry.GetIQExtension(c.XMLName); p != nil && c.unmarshalInto(p) {
			iq.Payload = p
			continue
		}
		var n stanza.Node
		if c.unmarshalInto(&n) {
			iq.Any = &n
		} else {
			iq.Any = &stanza.Node{XMLName: c.XMLName}
		}
	}
	return iq, nil
}
