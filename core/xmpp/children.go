package xmpp

import "encoding/xml"

// EachChild walks the direct children of the element whose start d has
// just read, up to its end. f gets each child's start and either consumes
// the child (d.DecodeElement, d.Skip) and returns true, or returns false
// to have it skipped. Payload types' UnmarshalXML methods use it so that
// unknown children are always skipped, never descended into.
func EachChild(d *xml.Decoder, f func(xml.StartElement) (bool, error)) error {
	for {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			used, err := f(t)
			if err != nil {
				return err
			}
			if !used {
				if err := d.Skip(); err != nil {
					return err
				}
			}
		}
	}
}
