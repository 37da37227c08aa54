package vcard

import (
	"encoding/xml"
	"strings"

	"github.com/causerie/causerie/core/xmpp"
	"gosrc.io/xmpp/stanza"
)

// Update is the XEP-0153 presence extension <x xmlns='vcard-temp:x:update'/>.
// Its three states (XEP-0153 §4.1):
//
//   - HasPhoto false: <x/> without <photo/>: the sender supports vCard
//     avatars but is not ready to advertise one (it has not fetched its
//     vCard yet). Keep what was known.
//   - HasPhoto true, Hash "": <photo/> empty: no avatar.
//   - HasPhoto true, Hash set: the SHA-1 (hex) of the avatar image in the
//     sender's vCard; fetch the vCard if no cached image has this hash.
//
// A presence without the extension comes from a client that does not
// support vCard avatars.
type Update struct {
	XMLName  xml.Name // set when decoded
	HasPhoto bool
	Hash     string // lower-case hex
}

// UnmarshalXML reads the extension; the hash is trimmed and lower-cased.
func (u *Update) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	*u = Update{XMLName: start.Name}
	return xmpp.EachChild(d, func(t xml.StartElement) (bool, error) {
		if t.Name.Space != NSUpdate || t.Name.Local != "photo" || u.HasPhoto {
			return false, nil
		}
		var s string
		if err := d.DecodeElement(&s, &t); err != nil {
			return true, err
		}
		u.HasPhoto = true
		u.Hash = strings.ToLower(strings.TrimSpace(s))
		return true, nil
	})
}

// MarshalXML writes the extension.
func (u *Update) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	start := xml.StartElement{Name: xml.Name{Space: NSUpdate, Local: "x"}}
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	if u.HasPhoto {
		if err := e.EncodeElement(u.Hash, startOf("photo")); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

// UpdateFor is the extension to advertise after fetching or publishing
// our vCard v: the hash of its photo, or an empty <photo/> when it has
// none. With v nil (vCard not fetched yet) it is "not ready".
func UpdateFor(v *VCard) *Update {
	if v == nil {
		return &Update{}
	}
	if p := v.Photo(); p != nil && len(p.Data) > 0 {
		return &Update{HasPhoto: true, Hash: PhotoHash(p.Data)}
	}
	return &Update{HasPhoto: true}
}

// UpdateFromPresence returns the presence's XEP-0153 extension, or nil.
func UpdateFromPresence(p *stanza.Presence) *Update {
	if p == nil {
		return nil
	}
	for _, ext := range p.Extensions {
		if u, ok := ext.(*Update); ok {
			return u
		}
	}
	return nil
}
