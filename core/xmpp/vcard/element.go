package vcard

import (
	"encoding/xml"
	"strings"
)

// Element is an XML element of a vCard this package does not model (e.g.
// NOTE, GEO, LABEL, LOGO, TZ, REV, or another namespace's extension), kept
// so that fetching, editing and storing a vCard does not lose it. Mixed
// content keeps its text and children but not their interleaving.
type Element struct {
	XMLName  xml.Name
	Attr     []xml.Attr
	Text     string
	Children []Element
}

// maxDepth bounds the nesting of kept elements (the stream's size limit
// bounds the rest).
const maxDepth = 32

// UnmarshalXML reads the element and its descendants.
func (e *Element) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	return e.decode(d, start, 0)
}

func (e *Element) decode(d *xml.Decoder, start xml.StartElement, depth int) error {
	*e = Element{XMLName: start.Name}
	for _, a := range start.Attr {
		if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
			continue // namespace declarations: the encoder writes its own
		}
		e.Attr = append(e.Attr, a)
	}
	var text strings.Builder
	for {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.CharData:
			text.Write(t)
		case xml.StartElement:
			if depth >= maxDepth {
				if err := d.Skip(); err != nil {
					return err
				}
				continue
			}
			var c Element
			if err := c.decode(d, t, depth+1); err != nil {
				return err
			}
			e.Children = append(e.Children, c)
		case xml.EndElement:
			e.Text = text.String()
			if len(e.Children) > 0 && strings.TrimSpace(e.Text) == "" {
				e.Text = "" // indentation between children
			}
			return nil
		}
	}
}

// MarshalXML writes the element; a child in its parent's namespace is
// written without repeating the namespace.
func (e *Element) MarshalXML(enc *xml.Encoder, _ xml.StartElement) error {
	return e.encode(enc, "")
}

func (e *Element) encode(enc *xml.Encoder, parentSpace string) error {
	name := e.XMLName
	attrs := e.Attr
	switch {
	case name.Space == parentSpace:
		name.Space = "" // inherited
	case name.Space == "":
		// No namespace inside a namespaced parent: undeclare the default.
		attrs = append([]xml.Attr{{Name: xml.Name{Local: "xmlns"}}}, attrs...)
	}
	start := xml.StartElement{Name: name, Attr: attrs}
	if err := enc.EncodeToken(start); err != nil {
		return err
	}
	if e.Text != "" {
		if err := enc.EncodeToken(xml.CharData(e.Text)); err != nil {
			return err
		}
	}
	for i := range e.Children {
		if err := e.Children[i].encode(enc, e.XMLName.Space); err != nil {
			return err
		}
	}
	return enc.EncodeToken(xml.EndElement{Name: name})
}
