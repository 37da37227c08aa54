// Package markers implements XEP-0333: Displayed Markers: asking for them
// on a message we send (<markable/>), and reading the <displayed/> marker
// that comes back when the recipient's client has shown it, which marks
// that message and everything before it as read.
//
// The marker's id is the marked message's id attribute (for us, its
// origin-id: core/xmpp/sid.Add sets both). The stanza package's
// chat-marker types are the XML model.
package markers

import (
	"encoding/xml"

	"gosrc.io/xmpp/stanza"
)

// NS is the protocol's namespace, also the disco#info feature of a client
// that sends markers.
const NS = stanza.NSMsgChatMarkers

// AddMarkable asks the recipient for a displayed marker.
func AddMarkable(m *stanza.Message) {
	m.Extensions = append(m.Extensions, &stanza.Markable{XMLName: xml.Name{Space: NS, Local: "markable"}})
}

// IsMarkable reports whether m asks for a displayed marker.
func IsMarkable(m *stanza.Message) bool {
	for _, ext := range m.Extensions {
		if _, ok := ext.(*stanza.Markable); ok {
			return true
		}
	}
	return false
}

// Displayed returns the id of the message a <displayed/> marker in m
// marks (the first one).
func Displayed(m *stanza.Message) (id string, ok bool) {
	for _, ext := range m.Extensions {
		if d, ok := ext.(*stanza.MarkDisplayed); ok && d.ID != "" {
			return d.ID, true
		}
	}
	return "", false
}

// NewDisplayed is the marker telling to that message id was displayed:
// a chat message, so that our other devices get a carbon copy of it.
func NewDisplayed(to, id string) stanza.Message {
	m := stanza.NewMessage(stanza.Attrs{To: to, Type: stanza.MessageTypeChat})
	m.Extensions = append(m.Extensions, &stanza.MarkDisplayed{XMLName: xml.Name{Space: NS, Local: "displayed"}, ID: id})
	return m
}
