// Package reactions implements XEP-0444: Message Reactions: a message
// carrying <reactions id='...'/> sets the sender's reactions (emoji) to
// an earlier message: all of them, each message replacing what the
// sender's previous one said; an empty element takes them all back.
//
// Importing this package registers [Element]
// ({urn:xmpp:reactions:0}reactions) as a message extension of the stanza
// package.
package reactions

import (
	"encoding/xml"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/causerie/causerie/core/xmpp/hints"
	"gosrc.io/xmpp/stanza"
)

// NS is the XEP-0444 namespace, also the disco#info feature of a client
// that understands reactions.
const NS = "urn:xmpp:reactions:0"

func init() {
	stanza.TypeRegistry.MapExtension(stanza.PKTMessage, xml.Name{Space: NS, Local: "reactions"}, Element{})
}

// Element is <reactions id='...'><reaction>👋</reaction>…</reactions>.
type Element struct {
	XMLName   xml.Name `xml:"urn:xmpp:reactions:0 reactions"`
	ID        string   `xml:"id,attr"`
	Reactions []string `xml:"reaction"`
}

// Bounds on what a sender's reactions can be: a few emoji, each a few
// code points (flags, skin tones and ZWJ sequences are several).
const (
	MaxReactions = 20
	maxBytes     = 64
)

// Of returns the message m reacts to and the reactions it sets (none:
// all taken back): each cleaned (no surrounding space, no control or
// other invisible formatting alone), kept once, at most MaxReactions, and
// each at most a few dozen bytes; what is not a reaction is left out. A
// message with no reactions element, or an error, reacts to nothing.
func Of(m stanza.Message) (id string, reactions []string, ok bool) {
	if m.Type == stanza.MessageTypeError {
		return "", nil, false
	}
	for _, e := range m.Extensions {
		var r *Element
		switch v := e.(type) {
		case *Element:
			r = v
		case Element:
			r = &v
		}
		if r == nil || r.ID == "" {
			continue
		}
		return r.ID, Clean(r.Reactions), true
	}
	return "", nil, false
}

// Clean keeps the reactions that can be shown: trimmed, valid, short,
// with something visible, once each, at most MaxReactions.
func Clean(in []string) []string {
	var out []string
	for _, r := range in {
		r = strings.TrimSpace(r)
		if r == "" || len(r) > maxBytes || !utf8.ValidString(r) || !visible(r) {
			continue
		}
		dup := false
		for _, o := range out {
			if o == r {
				dup = true
			}
		}
		if !dup {
			out = append(out, r)
		}
		if len(out) == MaxReactions {
			break
		}
	}
	return out
}

// visible reports whether r has a character that shows and no control
// character.
func visible(r string) bool {
	shows := false
	for _, c := range r {
		switch {
		case unicode.IsControl(c):
			return false
		case unicode.IsGraphic(c) && !unicode.IsSpace(c) && !unicode.Is(unicode.Mn, c):
			shows = true
		}
	}
	return shows
}

// Set makes m set the reactions to message id (an empty list takes ours
// back), with a hint that servers archive it (XEP-0334).
func Set(m *stanza.Message, id string, reactions []string) {
	m.Extensions = append(m.Extensions, &Element{XMLName: xml.Name{Space: NS, Local: "reactions"}, ID: id, Reactions: Clean(reactions)},
		&hints.Store{})
}
