// Package forward implements XEP-0297: Stanza Forwarding, the reading
// side: the message a <forwarded/> element carries and the date its
// <delay/> gives it. Archive results (XEP-0313, core/xmpp/mam) and
// carbon copies (XEP-0280, core/xmpp/carbons) are read through it.
//
// The forwarded message is decoded as the stream decodes its own stanzas
// (xmpp.DecodeForwarded), one level deep: a forward inside a forwarded
// message is not read, so a stanza of nested forwards costs no more than
// its size.
package forward

import (
	"encoding/xml"
	"time"

	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/delay"
	"gosrc.io/xmpp/stanza"
)

// NS is the XEP-0297 namespace.
const NS = "urn:xmpp:forward:0"

// Forwarded is what a <forwarded/> element carries.
type Forwarded struct {
	// Stamp is its <delay/>: when the forwarder first received the
	// message; zero when not said or not a date.
	Stamp time.Time
	// Message is the forwarded message; nil when it carries none (or
	// carries something else: an IQ, a presence). A second message is
	// ignored.
	Message *stanza.Message
}

// Is reports whether name is a <forwarded/> element.
func Is(name xml.Name) bool { return name.Space == NS && name.Local == "forwarded" }

// Read reads the <forwarded/> element whose start d has just read, up to
// its end. A message inside a forwarded message fails with
// xmpp.ErrNestedForward.
func Read(d *xml.Decoder) (Forwarded, error) {
	var f Forwarded
	err := xmpp.EachChild(d, func(t xml.StartElement) (bool, error) {
		switch {
		case t.Name.Space == delay.NS && t.Name.Local == "delay":
			var dl delay.Delay
			if err := d.DecodeElement(&dl, &t); err != nil {
				return true, err
			}
			if f.Stamp.IsZero() {
				f.Stamp = dl.Stamp
			}
			return true, nil
		case t.Name.Local == "message" && (t.Name.Space == xmpp.NSClient || t.Name.Space == "") && f.Message == nil:
			m, err := xmpp.DecodeForwarded(d, t)
			if err != nil {
				return true, err
			}
			f.Message = m
			return true, nil
		}
		return false, nil
	})
	return f, err
}
