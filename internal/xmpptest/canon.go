package xmpptest

import (
	"encoding/xml"
	"slices"
	"strings"
)

// Canon re-serialises XML so that an example from a XEP compares with
// what we marshal: no white space between elements, texts trimmed,
// attributes sorted by name, namespace declarations left to the element
// names, and the attributes named in drop (say "from", "id": requests are
// written without them) removed.
func Canon(s string, drop ...string) string {
	var b strings.Builder
	d := xml.NewDecoder(strings.NewReader(s))
	e := xml.NewEncoder(&b)
	for {
		tok, err := d.Token()
		if err != nil {
			break
		}
		switch tt := tok.(type) {
		case xml.CharData:
			text := strings.TrimSpace(string(tt))
			if text == "" {
				continue
			}
			tok = xml.CharData(text)
		case xml.StartElement:
			var attrs []xml.Attr
			for _, a := range tt.Attr {
				if a.Name.Space == "xmlns" || a.Name.Local == "xmlns" || slices.Contains(drop, a.Name.Local) {
					continue
				}
				attrs = append(attrs, a)
			}
			slices.SortFunc(attrs, func(a, b xml.Attr) int { return strings.Compare(a.Name.Local, b.Name.Local) })
			tt.Attr = attrs
			tok = tt
		}
		e.EncodeToken(xml.CopyToken(tok))
	}
	e.Flush()
	return b.String()
}
