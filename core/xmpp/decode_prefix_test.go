package xmpp

import (
	"encoding/xml"
	"strings"
	"testing"
)

// TestDecodeKeepsNamespacePrefixes: an extension whose children use a
// prefix declared on the extension itself or on the stanza keeps their
// namespace when it is decoded on its own.
func TestDecodeKeepsNamespacePrefixes(t *testing.T) {
	for name, in := range map[string]string{
		"on the extension": `<message xmlns='jabber:client'><ev:x xmlns:ev='jabber:x:event'><ev:composing/><ev:id>m1</ev:id></ev:x></message>`,
		"on the stanza":    `<message xmlns='jabber:client' xmlns:ev='jabber:x:event'><ev:x><ev:composing/><ev:id>m1</ev:id></ev:x></message>`,
		"default":          `<message xmlns='jabber:client'><x xmlns='jabber:x:event' xml:lang='fr'><composing/><id>m1</id></x></message>`,
	} {
		d := xml.NewDecoder(strings.NewReader(in))
		tok, _ := d.Token()
		kids, err := decodeChildren(d, tok.(xml.StartElement))
		if err != nil || len(kids) != 1 {
			t.Fatalf("%s: %v, %d children", name, err, len(kids))
		}
		var v struct {
			XMLName   xml.Name  `xml:"jabber:x:event x"`
			Composing *struct{} `xml:"jabber:x:event composing"`
			ID        string    `xml:"jabber:x:event id"`
		}
		if !kids[0].unmarshalInto(&v) || v.Composing == nil || v.ID != "m1" {
			t.Errorf("%s: decoded %+v from %s", name, v, kids[0].bytes())
		}
	}
}
