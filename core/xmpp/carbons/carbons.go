// Package carbons implements XEP-0280: Message Carbons: turning carbon
// copies on for a session ([Enable], [Disable]), reading the copies our
// server sends of what our other devices send and receive ([Unwrap]),
// and keeping one message out of them ([MarkPrivate]).
//
// A carbon copy is only as trustworthy as its sender: [Unwrap] takes one
// only from the account's own bare JID (anyone else can wrap a message
// in <received/> and hope we store it as from whoever they like:
// CVE-2017-5589), and only when the copied message is to the account
// (received) or from it (sent).
//
// Importing this package registers [Carbon] ({urn:xmpp:carbons:2}received
// and sent) and [PrivateElement] as message extensions.
package carbons

import (
	"context"
	"encoding/xml"
	"fmt"

	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/disco"
	"github.com/causerie/causerie/core/xmpp/forward"
	"gosrc.io/xmpp/stanza"
)

// Namespaces.
const (
	// NS is the protocol's namespace and the feature a server that
	// offers carbons advertises.
	NS = "urn:xmpp:carbons:2"
	// NSRules: the server copies exactly the messages §6.1 lists.
	NSRules = "urn:xmpp:carbons:rules:0"
	// NSHints is XEP-0334's namespace (<no-copy/>).
	NSHints = "urn:xmpp:hints"
)

func init() {
	for _, local := range []string{"received", "sent"} {
		stanza.TypeRegistry.MapExtension(stanza.PKTMessage, xml.Name{Space: NS, Local: local}, Carbon{})
	}
	stanza.TypeRegistry.MapExtension(stanza.PKTMessage, xml.Name{Space: NS, Local: "private"}, PrivateElement{})
	stanza.TypeRegistry.MapExtension(stanza.PKTMessage, xml.Name{Space: NSHints, Local: "no-copy"}, NoCopyElement{})
}

// Carbon is a <received/> or <sent/> element: the copy of a message one
// of the account's other devices received or sent.
type Carbon struct {
	XMLName   xml.Name
	Forwarded forward.Forwarded
}

// Sent reports whether the copied message was sent by another of our
// devices (<sent/>), not received by it.
func (c *Carbon) Sent() bool { return c.XMLName.Local == "sent" }

// UnmarshalXML reads the element: its first <forwarded/>.
func (c *Carbon) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	*c = Carbon{XMLName: start.Name}
	seen := false
	return xmpp.EachChild(d, func(t xml.StartElement) (bool, error) {
		if !forward.Is(t.Name) || seen {
			return false, nil
		}
		seen = true
		f, err := forward.Read(d)
		c.Forwarded = f
		return true, err
	})
}

// PrivateElement is <private xmlns='urn:xmpp:carbons:2'/>: the message is
// not to be copied to the other devices of its sender or recipient.
type PrivateElement struct {
	XMLName xml.Name `xml:"urn:xmpp:carbons:2 private"`
}

// NoCopyElement is XEP-0334's <no-copy xmlns='urn:xmpp:hints'/>, which
// goes with <private/>.
type NoCopyElement struct {
	XMLName xml.Name `xml:"urn:xmpp:hints no-copy"`
}

// MarkPrivate keeps m out of carbon copies (§7): <private/> and the
// <no-copy/> hint.
func MarkPrivate(m *stanza.Message) {
	m.Extensions = append(m.Extensions, &PrivateElement{}, &NoCopyElement{})
}

// IsPrivate reports whether m asks not to be copied (<private/> or
// <no-copy/>).
func IsPrivate(m *stanza.Message) bool {
	for _, ext := range m.Extensions {
		switch ext.(type) {
		case *PrivateElement, *NoCopyElement:
			return true
		}
	}
	return false
}

// Of returns the carbon element m carries, if it carries exactly one.
func Of(m *stanza.Message) (*Carbon, bool) {
	c, n := carbonsIn(m)
	return c, n == 1
}

// IsCarbon reports whether m carries a carbon element (trusted or not).
func IsCarbon(m *stanza.Message) bool {
	_, n := carbonsIn(m)
	return n > 0
}

// carbonsIn returns the first carbon element of m and how many it has.
func carbonsIn(m *stanza.Message) (first *Carbon, n int) {
	for _, ext := range m.Extensions {
		if c, ok := ext.(*Carbon); ok {
			if n == 0 {
				first = c
			}
			n++
		}
	}
	return first, n
}

// Copy is a carbon copy that Unwrap accepted.
type Copy struct {
	// Message is the copied message, as our other device sent or
	// received it.
	Message *stanza.Message
	// Sent: our other device sent it (Message.From is our account);
	// otherwise it received it (Message.To is our account).
	Sent bool
}

// Unwrap returns the copy m carries when it is a carbon copy our server
// made for account (a bare JID): from account's bare JID exactly, with
// one <received/> or <sent/> that forwards a message to account
// (received) or from it (sent), which does not ask to stay private. ok
// is false for anything else, including a message that is not a carbon
// at all (see IsCarbon to tell a refused one apart).
func Unwrap(m *stanza.Message, account string) (c Copy, ok bool) {
	me, err := xmpp.ParseJID(account)
	if err != nil {
		return Copy{}, false
	}
	from, err := xmpp.ParseJID(m.From)
	if err != nil || from != me.Bare() {
		return Copy{}, false // only our server, speaking for our account
	}
	cb, ok := Of(m)
	if !ok || cb.Forwarded.Message == nil {
		return Copy{}, false
	}
	inner := cb.Forwarded.Message
	side := inner.To
	if cb.Sent() {
		side = inner.From
	}
	if j, err := xmpp.ParseJID(side); err != nil || j.Bare() != me.Bare() {
		return Copy{}, false
	}
	if IsPrivate(inner) {
		return Copy{}, false // it asked not to be copied
	}
	return Copy{Message: inner, Sent: cb.Sent()}, true
}

// Supported reports whether a server's disco#info offers carbons.
func Supported(info *disco.Info) bool { return info.Has(NS) }

// toggle is <enable/> or <disable/>.
type toggle struct {
	XMLName xml.Name
}

func (*toggle) Namespace() string         { return NS }
func (*toggle) GetSet() *stanza.ResultSet { return nil }

// Request builds the IQ that turns carbons on (enable) or off for this
// session. It has no 'to': our own server handles it.
func Request(enable bool) *stanza.IQ {
	local := "disable"
	if enable {
		local = "enable"
	}
	return &stanza.IQ{XMLName: xml.Name{Local: "iq"}, Attrs: stanza.Attrs{Type: stanza.IQTypeSet},
		Payload: &toggle{XMLName: xml.Name{Space: NS, Local: local}}}
}

// Enable asks our server to copy to this session what our other devices
// send and receive.
func Enable(ctx context.Context, c *xmpp.Conn) error {
	if _, err := c.SendIQ(ctx, Request(true)); err != nil {
		return fmt.Errorf("carbons: enable: %w", err)
	}
	return nil
}

// Disable stops the copies.
func Disable(ctx context.Context, c *xmpp.Conn) error {
	if _, err := c.SendIQ(ctx, Request(false)); err != nil {
		return fmt.Errorf("carbons: disable: %w", err)
	}
	return nil
}
