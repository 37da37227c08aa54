// Package vcard implements XEP-0054: vcard-temp (fetching and publishing
// vCards), XEP-0153: vCard-Based Avatars (the photo hash in presence), and
// the payloads and PEP publish/fetch of XEP-0084: User Avatar.
//
// Parsing is lenient, as real-world vCards need: missing fields are
// empty; several PHOTO elements are kept in order; white space inside
// base64 data is ignored; a photo whose data is not valid base64 or
// decodes to more than [MaxPhotoSize] bytes is dropped without failing the
// rest of the card; an EMAIL or TEL with its value as text instead of in
// USERID or NUMBER is read too; a TEL, EMAIL or ADR without a value is
// dropped. Elements the [VCard] type does not model
// are kept in Extra and written back by Set. Element names are the
// upper-case ones of XEP-0054 (lower-case variants are not read).
//
// Importing this package registers [VCard] as the stanza package's IQ
// payload for <vCard xmlns='vcard-temp'/> and [Update] as the presence
// extension <x xmlns='vcard-temp:x:update'/>.
package vcard

import (
	"context"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"strings"

	"github.com/causerie/causerie/core/xmpp"
	"gosrc.io/xmpp/stanza"
)

// Namespaces.
const (
	NS       = "vcard-temp"          // XEP-0054 (also the disco feature)
	NSUpdate = "vcard-temp:x:update" // XEP-0153 presence extension
)

// MaxPhotoSize is the largest photo (decoded) the parser keeps.
const MaxPhotoSize = 1 << 20

func init() {
	stanza.TypeRegistry.MapExtension(stanza.PKTIQ, xml.Name{Space: NS, Local: "vCard"}, VCard{})
	stanza.TypeRegistry.MapExtension(stanza.PKTPresence, xml.Name{Space: NSUpdate, Local: "x"}, Update{})
}

// Flag is a set of the empty type elements of ADR, TEL and EMAIL (HOME,
// WORK, PREF, ...).
type Flag uint32

// Type flags. ADR uses Home, Work, Postal, Parcel, Dom, Intl, Pref; TEL
// uses Home, Work, Voice, Fax, Pager, Msg, Cell, Video, BBS, Modem, ISDN,
// PCS, Pref; EMAIL uses Home, Work, Internet, Pref, X400.
const (
	Home Flag = 1 << iota
	Work
	Postal
	Parcel
	Dom
	Intl
	Voice
	Fax
	Pager
	Msg
	Cell
	Video
	BBS
	Modem
	ISDN
	PCS
	Internet
	Pref
	X400
)

// flagNames is in an order that agrees with the DTD's order for ADR, TEL
// and EMAIL alike.
var flagNames = []struct {
	f    Flag
	name string
}{
	{Home, "HOME"}, {Work, "WORK"}, {Postal, "POSTAL"}, {Parcel, "PARCEL"}, {Dom, "DOM"}, {Intl, "INTL"},
	{Voice, "VOICE"}, {Fax, "FAX"}, {Pager, "PAGER"}, {Msg, "MSG"}, {Cell, "CELL"}, {Video, "VIDEO"},
	{BBS, "BBS"}, {Modem, "MODEM"}, {ISDN, "ISDN"}, {PCS, "PCS"}, {Internet, "INTERNET"}, {Pref, "PREF"},
	{X400, "X400"},
}

func flagByName(name string) Flag {
	for _, fn := range flagNames {
		if fn.name == name {
			return fn.f
		}
	}
	return 0
}

// Has reports whether all of g are set.
func (f Flag) Has(g Flag) bool { return f&g == g }

// String lists the flags' element names, e.g. "HOME|PREF".
func (f Flag) String() string {
	var parts []string
	for _, fn := range flagNames {
		if f&fn.f != 0 {
			parts = append(parts, fn.name)
		}
	}
	return strings.Join(parts, "|")
}

// Name is the structured name N.
type Name struct {
	Family, Given, Middle, Prefix, Suffix string
}

// Photo is a PHOTO: image data with its content type (a hint: XEP-0153
// §5 says to trust the data over it), or an external URL (EXTVAL).
type Photo struct {
	Type string
	Data []byte
	URL  string
}

// Email is an EMAIL address with its type flags.
type Email struct {
	UserID string
	Flags  Flag
}

// Tel is a TEL number with its type flags.
type Tel struct {
	Number string
	Flags  Flag
}

// Address is an ADR.
type Address struct {
	Flags    Flag
	POBox    string
	ExtAdd   string
	Street   string
	Locality string
	Region   string
	PCode    string
	Country  string // CTRY
}

func (a *Address) empty() bool {
	return a.POBox == "" && a.ExtAdd == "" && a.Street == "" && a.Locality == "" && a.Region == "" && a.PCode == "" && a.Country == ""
}

// Org is the organisation: ORGNAME and ORGUNITs.
type Org struct {
	Name  string
	Units []string
}

// VCard is <vCard xmlns='vcard-temp'/>. Text values are trimmed of
// surrounding white space when read.
type VCard struct {
	XMLName   xml.Name // set when decoded
	FN        string   // formatted (display) name
	N         Name
	Nickname  string
	Photos    []Photo
	Birthday  string // BDAY, ISO 8601 as sent
	Addresses []Address
	Tels      []Tel
	Emails    []Email
	JabberID  string
	Title     string
	Role      string
	Org       Org
	URL       string
	// Desc is DESC, the free-form description; a card without DESC has
	// its first NOTE here instead (written back as DESC).
	Desc string
	// Extra holds the elements not modelled above, in document order.
	Extra []Element
}

func (*VCard) Namespace() string         { return NS }
func (*VCard) GetSet() *stanza.ResultSet { return nil }

// Photo returns the first photo with image data, else the first with a
// URL, else nil.
func (v *VCard) Photo() *Photo {
	for i := range v.Photos {
		if len(v.Photos[i].Data) > 0 {
			return &v.Photos[i]
		}
	}
	for i := range v.Photos {
		if v.Photos[i].URL != "" {
			return &v.Photos[i]
		}
	}
	return nil
}

// SetPhoto replaces the photos with one image (nil data removes them).
func (v *VCard) SetPhoto(contentType string, data []byte) {
	v.Photos = nil
	if len(data) > 0 {
		v.Photos = []Photo{{Type: contentType, Data: data}}
	}
}

// Empty reports a vCard without any content (what a server returns for an
// account that never published one).
func (v *VCard) Empty() bool {
	return v.FN == "" && v.N == (Name{}) && v.Nickname == "" && len(v.Photos) == 0 && v.Birthday == "" &&
		len(v.Addresses) == 0 && len(v.Tels) == 0 && len(v.Emails) == 0 && v.JabberID == "" && v.Title == "" &&
		v.Role == "" && v.Org.Name == "" && len(v.Org.Units) == 0 && v.URL == "" && v.Desc == "" && len(v.Extra) == 0
}

// readContainer reads the children of the element whose start d has just
// read: f gets each child and either consumes it (returns true) or has it
// skipped; the element's own text is returned, trimmed.
func readContainer(d *xml.Decoder, f func(xml.StartElement) (bool, error)) (string, error) {
	var text strings.Builder
	for {
		tok, err := d.Token()
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.CharData:
			if text.Len() < 4096 {
				text.Write(t)
			}
		case xml.StartElement:
			used, err := f(t)
			if err != nil {
				return "", err
			}
			if !used {
				if err := d.Skip(); err != nil {
					return "", err
				}
			}
		case xml.EndElement:
			return strings.TrimSpace(text.String()), nil
		}
	}
}

func readText(d *xml.Decoder, t xml.StartElement) (string, error) {
	var s string
	err := d.DecodeElement(&s, &t)
	return strings.TrimSpace(s), err
}

// readFields reads a container of vcard-temp text children and flags: set
// is called for every text child with its trimmed value, and the flags of
// the empty type elements are returned with the container's own text.
func readFields(d *xml.Decoder, set func(name, value string)) (Flag, string, error) {
	var flags Flag
	text, err := readContainer(d, func(t xml.StartElement) (bool, error) {
		if t.Name.Space != NS {
			return false, nil
		}
		if f := flagByName(t.Name.Local); f != 0 {
			flags |= f
			return false, nil
		}
		v, err := readText(d, t)
		if err != nil {
			return true, err
		}
		set(t.Name.Local, v)
		return true, nil
	})
	return flags, text, err
}

// decodeBase64 decodes base64 ignoring white space; padding is optional.
// It fails on invalid data and on data larger than max once decoded.
func decodeBase64(s string, max int) ([]byte, bool) {
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\r', '\n':
			return -1
		}
		return r
	}, s)
	if s == "" || base64.StdEncoding.DecodedLen(len(s)) > max+2 {
		return nil, false
	}
	enc := base64.StdEncoding
	if len(s)%4 != 0 {
		enc = base64.RawStdEncoding
	}
	b, err := enc.DecodeString(s)
	if err != nil || len(b) > max {
		return nil, false
	}
	return b, true
}

// readPhoto reads a PHOTO; ok is false when it carries nothing usable.
func readPhoto(d *xml.Decoder) (Photo, bool, error) {
	var p Photo
	var bin string
	_, _, err := readFields(d, func(name, v string) {
		switch name {
		case "TYPE":
			p.Type = v
		case "BINVAL":
			bin = v
		case "EXTVAL":
			p.URL = v
		}
	})
	if err != nil {
		return p, false, err
	}
	if bin != "" {
		if b, ok := decodeBase64(bin, MaxPhotoSize); ok {
			p.Data = b
		}
	}
	// The DTD's PHOTO is (TYPE, BINVAL) | EXTVAL: keep one of the two.
	if len(p.Data) > 0 {
		p.URL = ""
	} else {
		p.Type = ""
	}
	return p, len(p.Data) > 0 || p.URL != "", nil
}

// UnmarshalXML reads a vCard (see the package documentation for what is
// tolerated).
func (v *VCard) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	*v = VCard{XMLName: start.Name}
	_, err := readContainer(d, func(t xml.StartElement) (bool, error) {
		if t.Name.Space != NS {
			return v.keep(d, t)
		}
		var err error
		switch t.Name.Local {
		case "FN", "NICKNAME", "BDAY", "JABBERID", "TITLE", "ROLE", "URL", "DESC":
			var s string
			if s, err = readText(d, t); err == nil {
				v.setText(t.Name.Local, s)
			}
		case "N":
			_, _, err = readFields(d, func(name, s string) {
				switch name {
				case "FAMILY":
					v.N.Family = s
				case "GIVEN":
					v.N.Given = s
				case "MIDDLE":
					v.N.Middle = s
				case "PREFIX":
					v.N.Prefix = s
				case "SUFFIX":
					v.N.Suffix = s
				}
			})
		case "PHOTO":
			var p Photo
			var ok bool
			if p, ok, err = readPhoto(d); ok {
				v.Photos = append(v.Photos, p)
			}
		case "EMAIL":
			var e Email
			var text string
			e.Flags, text, err = readFields(d, func(name, s string) {
				if name == "USERID" && e.UserID == "" {
					e.UserID = s
				}
			})
			if e.UserID == "" {
				e.UserID = text // <EMAIL>address</EMAIL>, seen in the wild
			}
			if err == nil && e.UserID != "" {
				v.Emails = append(v.Emails, e)
			}
		case "TEL":
			var tel Tel
			var text string
			tel.Flags, text, err = readFields(d, func(name, s string) {
				if name == "NUMBER" && tel.Number == "" {
					tel.Number = s
				}
			})
			if tel.Number == "" {
				tel.Number = text
			}
			if err == nil && tel.Number != "" {
				v.Tels = append(v.Tels, tel)
			}
		case "ADR":
			var a Address
			a.Flags, _, err = readFields(d, func(name, s string) {
				switch name {
				case "POBOX":
					a.POBox = s
				case "EXTADD":
					a.ExtAdd = s
				case "STREET":
					a.Street = s
				case "LOCALITY":
					a.Locality = s
				case "REGION":
					a.Region = s
				case "PCODE":
					a.PCode = s
				case "CTRY":
					a.Country = s
				}
			})
			if err == nil && !a.empty() {
				v.Addresses = append(v.Addresses, a)
			}
		case "ORG":
			_, _, err = readFields(d, func(name, s string) {
				switch {
				case name == "ORGNAME" && v.Org.Name == "":
					v.Org.Name = s
				case name == "ORGUNIT" && s != "":
					v.Org.Units = append(v.Org.Units, s)
				}
			})
		default:
			return v.keep(d, t)
		}
		return true, err
	})
	if err == nil && v.Desc == "" {
		v.noteAsDesc()
	}
	return err
}

// noteAsDesc moves a NOTE into Desc when the card has no DESC: Prosody's
// vCard 4 conversion (mod_vcard_legacy) turns a DESC into a NOTE.
func (v *VCard) noteAsDesc() {
	for i, e := range v.Extra {
		if e.XMLName == (xml.Name{Space: NS, Local: "NOTE"}) && len(e.Children) == 0 {
			if v.Desc = strings.TrimSpace(e.Text); v.Desc != "" {
				v.Extra = append(v.Extra[:i:i], v.Extra[i+1:]...)
			}
			return
		}
	}
}

func (v *VCard) setText(name, s string) {
	var dst *string
	switch name {
	case "FN":
		dst = &v.FN
	case "NICKNAME":
		dst = &v.Nickname
	case "BDAY":
		dst = &v.Birthday
	case "JABBERID":
		dst = &v.JabberID
	case "TITLE":
		dst = &v.Title
	case "ROLE":
		dst = &v.Role
	case "URL":
		dst = &v.URL
	case "DESC":
		dst = &v.Desc
	}
	if *dst == "" { // the first non-empty one wins
		*dst = s
	}
}

// keep stores an element the type does not model in Extra.
func (v *VCard) keep(d *xml.Decoder, t xml.StartElement) (bool, error) {
	var e Element
	if err := d.DecodeElement(&e, &t); err != nil {
		return true, err
	}
	v.Extra = append(v.Extra, e)
	return true, nil
}

// encoder helpers: elements are written in the vcard-temp default
// namespace of the enclosing <vCard/>.

func startOf(name string) xml.StartElement { return xml.StartElement{Name: xml.Name{Local: name}} }

func writeText(e *xml.Encoder, name, value string) error {
	if value == "" {
		return nil
	}
	return e.EncodeElement(value, startOf(name))
}

func writeEmpty(e *xml.Encoder, name string) error { return e.EncodeElement("", startOf(name)) }

func writeFlags(e *xml.Encoder, f Flag) error {
	for _, fn := range flagNames {
		if f&fn.f != 0 {
			if err := writeEmpty(e, fn.name); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeContainer writes <name> with flags, then body, then </name>.
func writeContainer(e *xml.Encoder, name string, flags Flag, body func() error) error {
	if err := e.EncodeToken(startOf(name)); err != nil {
		return err
	}
	if err := writeFlags(e, flags); err != nil {
		return err
	}
	if err := body(); err != nil {
		return err
	}
	return e.EncodeToken(startOf(name).End())
}

// MarshalXML writes the vCard in the DTD's order; empty fields are left
// out, but TEL always has a NUMBER and EMAIL a USERID (XEP-0054 §6).
func (v *VCard) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	start := xml.StartElement{Name: xml.Name{Space: NS, Local: "vCard"}}
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	steps := []func() error{
		func() error { return writeText(e, "FN", v.FN) },
		func() error {
			if v.N == (Name{}) {
				return nil
			}
			return writeContainer(e, "N", 0, func() error {
				for _, f := range []struct{ n, v string }{{"FAMILY", v.N.Family}, {"GIVEN", v.N.Given},
					{"MIDDLE", v.N.Middle}, {"PREFIX", v.N.Prefix}, {"SUFFIX", v.N.Suffix}} {
					if err := writeText(e, f.n, f.v); err != nil {
						return err
					}
				}
				return nil
			})
		},
		func() error { return writeText(e, "NICKNAME", v.Nickname) },
		func() error {
			for _, p := range v.Photos {
				if len(p.Data) == 0 && p.URL == "" {
					continue
				}
				err := writeContainer(e, "PHOTO", 0, func() error {
					if len(p.Data) == 0 {
						return writeText(e, "EXTVAL", p.URL)
					}
					if err := writeText(e, "TYPE", p.Type); err != nil {
						return err
					}
					return writeText(e, "BINVAL", base64.StdEncoding.EncodeToString(p.Data))
				})
				if err != nil {
					return err
				}
			}
			return nil
		},
		func() error { return writeText(e, "BDAY", v.Birthday) },
		func() error {
			for _, a := range v.Addresses {
				err := writeContainer(e, "ADR", a.Flags, func() error {
					for _, f := range []struct{ n, v string }{{"POBOX", a.POBox}, {"EXTADD", a.ExtAdd}, {"STREET", a.Street},
						{"LOCALITY", a.Locality}, {"REGION", a.Region}, {"PCODE", a.PCode}, {"CTRY", a.Country}} {
						if err := writeText(e, f.n, f.v); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					return err
				}
			}
			return nil
		},
		func() error {
			for _, t := range v.Tels {
				if err := writeContainer(e, "TEL", t.Flags, func() error { return e.EncodeElement(t.Number, startOf("NUMBER")) }); err != nil {
					return err
				}
			}
			return nil
		},
		func() error {
			for _, m := range v.Emails {
				if err := writeContainer(e, "EMAIL", m.Flags, func() error { return e.EncodeElement(m.UserID, startOf("USERID")) }); err != nil {
					return err
				}
			}
			return nil
		},
		func() error { return writeText(e, "JABBERID", v.JabberID) },
		func() error { return writeText(e, "TITLE", v.Title) },
		func() error { return writeText(e, "ROLE", v.Role) },
		func() error {
			if v.Org.Name == "" && len(v.Org.Units) == 0 {
				return nil
			}
			return writeContainer(e, "ORG", 0, func() error {
				if err := e.EncodeElement(v.Org.Name, startOf("ORGNAME")); err != nil {
					return err
				}
				for _, u := range v.Org.Units {
					if err := writeText(e, "ORGUNIT", u); err != nil {
						return err
					}
				}
				return nil
			})
		},
		func() error { return writeText(e, "URL", v.URL) },
		func() error { return writeText(e, "DESC", v.Desc) },
		func() error {
			for i := range v.Extra {
				if err := v.Extra[i].encode(e, NS); err != nil {
					return err
				}
			}
			return nil
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

// Get fetches the vCard of jid (a bare JID; "" for our own). An account
// without a vCard gives an empty VCard (see VCard.Empty) or an error
// wrapping an *xmpp.StanzaError with condition item-not-found (or
// service-unavailable for another user, XEP-0054 §3.3), depending on the
// server.
func Get(ctx context.Context, c *xmpp.Conn, jid string) (*VCard, error) {
	iq := &stanza.IQ{XMLName: xml.Name{Local: "iq"}, Attrs: stanza.Attrs{Type: stanza.IQTypeGet, To: jid}, Payload: &VCard{}}
	reply, err := c.SendIQ(ctx, iq)
	who := jid
	if who == "" {
		who = "own"
	}
	if err != nil {
		return nil, fmt.Errorf("vcard: get %s: %w", who, err)
	}
	if reply.Payload == nil && reply.Any == nil {
		return &VCard{}, nil // an empty result
	}
	v, ok := reply.Payload.(*VCard)
	if !ok {
		return nil, fmt.Errorf("vcard: get %s: the result carries no vCard", who)
	}
	return v, nil
}

// Set publishes our vCard, replacing the whole previous one (XEP-0054 has
// no partial update: fetch, change, then Set).
func Set(ctx context.Context, c *xmpp.Conn, v *VCard) error {
	iq := &stanza.IQ{XMLName: xml.Name{Local: "iq"}, Attrs: stanza.Attrs{Type: stanza.IQTypeSet}, Payload: v}
	if _, err := c.SendIQ(ctx, iq); err != nil {
		return fmt.Errorf("vcard: set: %w", err)
	}
	return nil
}

// PhotoHash is the SHA-1 of image data in lower-case hex, as advertised in
// XEP-0153 presence and used as the XEP-0084 item id.
func PhotoHash(data []byte) string {
	h := sha1.Sum(data)
	return hex.EncodeToString(h[:])
}
