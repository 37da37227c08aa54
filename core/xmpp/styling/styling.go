// Package styling implements XEP-0393: Message Styling: it reads the
// plain <body/> of a message, with its *strong*, _emphasis_, ~strike~ and
// `preformatted` spans, ``` preformatted blocks and > quotations, into
// the same neutral rich-text model as XHTML-IM ([xhtmlim.Doc]), so that
// a renderer shows plain and XHTML-IM messages through one path; and it
// writes such a model back as a styled plain body ([Compose]), the
// fallback <body/> of an XHTML-IM message we send.
//
// # Reading
//
// [Parse] follows the XEP's grammar: blocks first, then the spans of each
// line.
//
//   - A line beginning with "```" starts a preformatted block ([xhtmlim.Pre]),
//     ended by a line that is exactly "```" or by the end of the enclosing
//     block. Nothing inside it is styled. The rest of the opening line (a
//     language hint, say) is not interpreted.
//   - Consecutive lines beginning with ">" form a quotation
//     ([xhtmlim.Quote]): each loses its ">" and then its first whitespace
//     character, and the result is parsed again as blocks, so ">>" nests
//     (down to [xhtmlim.MaxBlockDepth] levels; deeper ">" are text).
//   - Any other line is a plain block; consecutive ones form one paragraph
//     with line breaks between them (blank lines are kept as empty lines
//     inside a paragraph and dropped between blocks).
//   - Spans never cross a line. An opening directive (* _ ~ `) must be at
//     the start of the line, after a whitespace character or right after
//     another styling directive (XEP-0393 0.2.1), and be followed by
//     neither whitespace nor the same character; it is closed by the first
//     following same character that is not preceded by whitespace (lazy
//     matching), which leaves some text between the two. A span's content
//     is parsed for further spans, except a `preformatted` span's. Anything
//     that does not match is plain text: "**", "*not strong", "* plain".
//     "Whitespace" is the XEP's: Unicode White_Space or category Z.
//
// The styling directives stay in the text: the XEP recommends that
// "formatting characters be displayed and formatted in the same manner as
// the text they apply to" (Implementation Notes), so "*strong*" is a
// bold span "*strong*", and a preformatted block keeps its ``` lines.
// Quotation markers are the exception: they are the [xhtmlim.Quote]
// structure itself (a renderer draws the quotation; [xhtmlim.Doc.PlainText]
// writes "> " back).
//
// URLs in text are turned into links ([xhtmlim.Style].Link): http://,
// https://, xmpp: and mailto: URIs, and "www." host names (linked with
// https://). Trailing punctuation is not part of a URL (so "see
// https://xmpp.org/." links https://xmpp.org/), nor is a closing
// parenthesis without its opening one; every target passes
// [xhtmlim.SafeLink]. Styling directives inside a URL are not directives.
// Text in preformatted spans and blocks is not linked.
//
// The result is a normal Doc ([xhtmlim.Doc.Normalize]) that loses no text:
// its PlainText is the body give or take whitespace and quotation markers.
// A body too large for the model's budget (thousands of lines or blocks)
// becomes one preformatted block, which the budget allows; only a body
// over [xhtmlim.MaxTextSize] is cut.
//
// # Disabling styling
//
// A sender may mark a message with <unstyled xmlns='urn:xmpp:styling:0'/>
// (XEP-0393, Disabling Styling) when its body must not be styled. [Unstyled] reports the
// hint; [ParseMessage] then only links URLs. [SetUnstyled] adds the hint.
// Importing this package registers [UnstyledElement] as a message
// extension of the stanza package. [NS] is also the service discovery
// feature of a client that styles messages.
package styling

import (
	"encoding/xml"

	"github.com/causerie/causerie/core/xmpp/xhtmlim"
	"gosrc.io/xmpp/stanza"
)

// NS is the XEP-0393 namespace: the <unstyled/> hint's and the disco#info
// feature of an entity that supports message styling.
const NS = "urn:xmpp:styling:0"

func init() {
	stanza.TypeRegistry.MapExtension(stanza.PKTMessage, xml.Name{Space: NS, Local: "unstyled"}, UnstyledElement{})
}

// UnstyledElement is <unstyled xmlns='urn:xmpp:styling:0'/>: the sender's
// hint that the message's body must not be styled.
type UnstyledElement struct {
	XMLName xml.Name `xml:"urn:xmpp:styling:0 unstyled"`
}

// Unstyled reports whether m carries the <unstyled/> hint.
func Unstyled(m stanza.Message) bool {
	for _, e := range m.Extensions {
		switch v := e.(type) {
		case *UnstyledElement:
			return v != nil
		case UnstyledElement:
			return true
		}
	}
	return false
}

// SetUnstyled adds the <unstyled/> hint to m, once.
func SetUnstyled(m *stanza.Message) {
	if !Unstyled(*m) {
		m.Extensions = append(m.Extensions, &UnstyledElement{XMLName: xml.Name{Space: NS, Local: "unstyled"}})
	}
}

// Parse reads a message body styled with XEP-0393 (see the package
// documentation). It never fails: text that is not styling is plain text.
func Parse(body string) xhtmlim.Doc { return parse(body, true) }

// ParseMessage reads a message body: as [Parse] does, or, when the
// message carries the <unstyled/> hint ([Unstyled]), as plain text whose
// only markup is the links found in it.
func ParseMessage(body string, unstyled bool) xhtmlim.Doc { return parse(body, !unstyled) }
