// Package xhtmlim implements XEP-0071: XHTML-IM: it reads the
// <html xmlns='http://jabber.org/protocol/xhtml-im'/> of a message into
// a neutral, sanitised rich-text model ([Doc]: paragraphs, quotes,
// preformatted blocks and lists of styled spans, line breaks and images)
// and writes such a model back as XHTML-IM.
//
// Reading follows the XEP's recommended profile (§7) and its user agent
// conformance rules (§12.2): unknown elements are ignored but their text
// kept, unknown attributes and style properties ignored; the content of
// scripts, styles, objects and the like is dropped; links keep only http,
// https, xmpp and mailto targets; images only http, https, cid and small
// base64 PNG/JPEG/GIF/WebP data; every CSS value is checked. Sizes,
// nesting and text are bounded (see [MaxInputSize] and the other limits),
// and parsing is linear in the input. The package never fetches anything:
// a renderer decides whether to load an image (§11.1: the user must be
// able to turn that off) and should show a link's target (§11.2).
//
// The XHTML is only an alternative rendering of the message's <body/>
// (§4): when it is missing, malformed, or sanitises to nothing
// ([Doc.Empty]), show the plain body.
//
// Importing this package registers [HTML] as the stanza package's message
// extension for {http://jabber.org/protocol/xhtml-im}html, replacing
// gosrc's HTML, which keeps only one body as unchecked XML.
package xhtmlim

import (
	"encoding/xml"
	"strings"

	"github.com/causerie/causerie/core/xmpp"
	"gosrc.io/xmpp/stanza"
)

// Namespaces.
const (
	NS      = "http://jabber.org/protocol/xhtml-im" // the <html/> wrapper; also the disco feature
	NSXHTML = "http://www.w3.org/1999/xhtml"        // its <body/> elements
)

const nsXML = "http://www.w3.org/XML/1998/namespace"

func init() {
	stanza.TypeRegistry.MapExtension(stanza.PKTMessage, xml.Name{Space: NS, Local: "html"}, HTML{})
}

// HTML is the <html xmlns='http://jabber.org/protocol/xhtml-im'/> message
// extension: one sanitised body per language (XEP-0071 §8 rule 4).
type HTML struct {
	XMLName xml.Name // set when decoded
	Bodies  []Body
}

// Body is one XHTML <body/>.
type Body struct {
	Lang string // xml:lang (the wrapper's if the body has none); "" means the message's language
	Doc  Doc
}

// New returns the extension for a message whose body is d.
func New(d Doc) *HTML { return &HTML{Bodies: []Body{{Doc: d}}} }

// Find returns the message's XHTML-IM extension, or nil.
func Find(m *stanza.Message) *HTML {
	if m == nil {
		return nil
	}
	for _, e := range m.Extensions {
		switch h := e.(type) {
		case *HTML:
			return h
		case HTML:
			return &h
		}
	}
	return nil
}

// Doc returns the body in the first of the preferred languages (BCP 47
// tags such as "fr-CA"; an exact match first, then the same primary
// language), else the first body; nil when there is none.
func (h *HTML) Doc(langs ...string) Doc {
	if h == nil || len(h.Bodies) == 0 {
		return nil
	}
	for _, l := range langs {
		if l == "" {
			continue
		}
		for _, b := range h.Bodies {
			if strings.EqualFold(b.Lang, l) {
				return b.Doc
			}
		}
		for _, b := range h.Bodies {
			if b.Lang != "" && strings.EqualFold(primary(b.Lang), primary(l)) {
				return b.Doc
			}
		}
	}
	return h.Bodies[0].Doc
}

func primary(tag string) string {
	p, _, _ := strings.Cut(tag, "-")
	return p
}

// UnmarshalXML reads the wrapper: each XHTML <body/> (at most 8) is
// sanitised into a Doc; other children are skipped. A body in the
// wrapper's namespace (a sender that forgot the XHTML namespace) is read
// too. Malformed XML is an error.
func (h *HTML) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	*h = HTML{XMLName: start.Name}
	lang := xmlLang(start, "")
	return xmpp.EachChild(d, func(t xml.StartElement) (bool, error) {
		if t.Name.Local != "body" || t.Name.Space != NSXHTML && t.Name.Space != NS || len(h.Bodies) >= maxBodies {
			return false, nil
		}
		b := Body{Lang: xmlLang(t, lang)}
		var err error
		b.Doc, err = sanitize(d, t)
		h.Bodies = append(h.Bodies, b)
		return true, err
	})
}

// xmlLang returns the element's xml:lang, or def.
func xmlLang(se xml.StartElement, def string) string {
	for _, a := range se.Attr {
		if a.Name.Space == nsXML && a.Name.Local == "lang" {
			return a.Value
		}
	}
	return def
}

// MarshalXML writes the wrapper and each body, normalised (see [Marshal]).
func (h HTML) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	var inner []byte
	for _, b := range h.Bodies {
		inner = append(inner, marshalBody(b.Lang, b.Doc.Normalize())...)
	}
	return e.EncodeElement(struct {
		Inner []byte `xml:",innerxml"`
	}{inner}, xml.StartElement{Name: xml.Name{Space: NS, Local: "html"}})
}
