// Package reply implements XEP-0461: Message Replies, with the
// compatibility fallback of XEP-0428: Fallback Indication (a quotation of
// the message replied to at the start of the body, marked so that a
// client that shows the reply's reference leaves it out).
//
// Importing this package registers [Element] ({urn:xmpp:reply:0}reply)
// and [Fallback] ({urn:xmpp:fallback:0}fallback, and the namespace
// earlier versions used, urn:xmpp:feature-fallback:0) as message
// extensions of the stanza package.
package reply

import (
	"encoding/xml"
	"strconv"
	"strings"
	"unicode/utf8"

	"gosrc.io/xmpp/stanza"
)

const (
	// NS is the XEP-0461 namespace, also the disco#info feature of a
	// client that understands replies.
	NS = "urn:xmpp:reply:0"
	// FallbackNS is XEP-0428's namespace.
	FallbackNS = "urn:xmpp:fallback:0"
	// oldFallbackNS is XEP-0428's namespace before version 0.2, still
	// sent by some clients (slixmpp 1.8).
	oldFallbackNS = "urn:xmpp:feature-fallback:0"
)

func init() {
	stanza.TypeRegistry.MapExtension(stanza.PKTMessage, xml.Name{Space: NS, Local: "reply"}, Element{})
	stanza.TypeRegistry.MapExtension(stanza.PKTMessage, xml.Name{Space: FallbackNS, Local: "fallback"}, Fallback{})
	stanza.TypeRegistry.MapExtension(stanza.PKTMessage, xml.Name{Space: oldFallbackNS, Local: "fallback"}, oldFallback{})
}

// Element is <reply to='...' id='...' xmlns='urn:xmpp:reply:0'/>: the
// message is an answer to message ID by To (a full JID in a room, a bare
// or full JID in a one-to-one chat).
type Element struct {
	XMLName xml.Name `xml:"urn:xmpp:reply:0 reply"`
	To      string   `xml:"to,attr,omitempty"`
	ID      string   `xml:"id,attr"`
}

// Fallback is XEP-0428's <fallback for='...'>: the parts of the body
// (Bodies, in code points; none: all of it) that are there only for
// clients that do not understand the specification For.
type Fallback struct {
	XMLName xml.Name `xml:"urn:xmpp:fallback:0 fallback"`
	For     string   `xml:"for,attr,omitempty"`
	Bodies  []Range  `xml:"body"`
}

// oldFallback is Fallback in the namespace before XEP-0428 0.2, read
// only.
type oldFallback struct {
	XMLName xml.Name `xml:"urn:xmpp:feature-fallback:0 fallback"`
	For     string   `xml:"for,attr,omitempty"`
	Bodies  []Range  `xml:"body"`
}

// Range is a part of the body, [Start, End) in Unicode code points
// (XEP-0426); empty attributes are the whole body.
type Range struct {
	Start string `xml:"start,attr,omitempty"`
	End   string `xml:"end,attr,omitempty"`
}

// Of returns what m replies to: the id of the message and its author
// (to: "" when m does not say). An error message replies to nothing.
func Of(m stanza.Message) (id, to string, ok bool) {
	if m.Type == stanza.MessageTypeError {
		return "", "", false
	}
	for _, e := range m.Extensions {
		var r *Element
		switch v := e.(type) {
		case *Element:
			r = v
		case Element:
			r = &v
		}
		if r != nil && r.ID != "" {
			return r.ID, r.To, true
		}
	}
	return "", "", false
}

// maxQuoteRunes bounds the quotation a reply carries for other clients.
const maxQuoteRunes = 200

// Add makes m a reply to message id by to, the quotation of what it said
// (quoted: its text) put before m's body for clients without replies,
// and marked as such (XEP-0428). A long quotation is cut.
func Add(m *stanza.Message, id, to, quoted string) {
	m.Extensions = append(m.Extensions, &Element{XMLName: xml.Name{Space: NS, Local: "reply"}, To: to, ID: id})
	quoted = strings.TrimSpace(quoted)
	if quoted == "" {
		return
	}
	if utf8.RuneCountInString(quoted) > maxQuoteRunes {
		r := []rune(quoted)[:maxQuoteRunes]
		quoted = strings.TrimSpace(string(r)) + "…"
	}
	var b strings.Builder
	for _, line := range strings.Split(quoted, "\n") {
		b.WriteString("> ")
		b.WriteString(line)
		b.WriteString("\n")
	}
	fb := b.String()
	m.Body = fb + m.Body
	m.Extensions = append(m.Extensions, &Fallback{XMLName: xml.Name{Space: FallbackNS, Local: "fallback"}, For: NS,
		Bodies: []Range{{Start: "0", End: strconv.Itoa(utf8.RuneCountInString(fb))}}})
}

// Strip returns m's body without the parts marked as a reply's fallback,
// and the quotation those parts held (each line's "> " taken off). A
// range that does not fit the body is ignored.
func Strip(m stanza.Message) (body, quoted string) {
	body = m.Body
	runes := []rune(body)
	type cut struct{ start, end int }
	var cuts []cut
	for _, e := range m.Extensions {
		var f *Fallback
		switch v := e.(type) {
		case *Fallback:
			f = v
		case Fallback:
			f = &v
		case *oldFallback:
			f = (*Fallback)(v)
		case oldFallback:
			f = (*Fallback)(&v)
		}
		if f == nil || f.For != NS {
			continue
		}
		for _, r := range f.Bodies {
			if r.Start == "" && r.End == "" {
				continue // "all of the body": a reply is not all fallback
			}
			s, err1 := strconv.Atoi(r.Start)
			e, err2 := strconv.Atoi(r.End)
			if err1 != nil || err2 != nil || s < 0 || e <= s || e > len(runes) {
				continue
			}
			cuts = append(cuts, cut{s, e})
		}
	}
	if len(cuts) == 0 {
		return body, ""
	}
	var out, q strings.Builder
	in := make([]bool, len(runes))
	for _, c := range cuts {
		for i := c.start; i < c.end; i++ {
			in[i] = true
		}
	}
	for i, r := range runes {
		if in[i] {
			q.WriteRune(r)
		} else {
			out.WriteRune(r)
		}
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(q.String(), "\n"), "\n") {
		l = strings.TrimPrefix(l, ">")
		lines = append(lines, strings.TrimPrefix(l, " "))
	}
	// A common fallback names the author first ("Anna wrote:"): kept,
	// it reads well above the quotation.
	return strings.TrimLeft(out.String(), "\n"), strings.TrimSpace(strings.Join(lines, "\n"))
}
