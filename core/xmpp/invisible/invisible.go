// Package invisible implements XEP-0186: Invisible Command: going
// invisible (online, but appearing offline to contacts) and visible again
// within one session.
//
// Two versions exist: urn:xmpp:invisible:0 (XEP-0186 up to 0.11, what
// older servers deploy) and urn:xmpp:invisible:1 (0.12 and later, adding
// the 'probe' attribute that says whether the server probes our contacts'
// presence for us while we are invisible). Enable and Disable use the
// version the server advertises, preferring :1; the probe attribute exists
// only in :1, so with a :0 server it is not sent (a :0 server's probing is
// unspecified).
package invisible

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"

	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/disco"
	"gosrc.io/xmpp/stanza"
)

// NS is the XEP-0186 namespace up to version 0.11.
const NS = "urn:xmpp:invisible:0"

// NS1 is the namespace since XEP-0186 0.12 (with the probe attribute).
const NS1 = "urn:xmpp:invisible:1"

// ErrUnsupported: the server advertises neither namespace.
var ErrUnsupported = errors.New("invisible: the server does not support the invisible command (XEP-0186)")

// Supported reports whether a server's disco#info advertises the
// invisible command (either version).
func Supported(info *disco.Info) bool { return Namespace(info) != "" }

// Namespace is the version to use with this server: NS1, NS, or "" when
// unsupported.
func Namespace(info *disco.Info) string {
	switch {
	case info.Has(NS1):
		return NS1
	case info.Has(NS):
		return NS
	}
	return ""
}

// Command is the <invisible/> or <visible/> payload of an IQ set.
type Command struct {
	XMLName   xml.Name // {NS or NS1, "invisible" or "visible"}
	Probe     bool     // only written for invisible in NS1
	Invisible bool
}

func (c *Command) Namespace() string       { return c.XMLName.Space }
func (*Command) GetSet() *stanza.ResultSet { return nil }

// MarshalXML writes the command.
func (c *Command) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	space := c.XMLName.Space
	if space == "" {
		space = NS1
	}
	local := "visible"
	if c.Invisible {
		local = "invisible"
	}
	start := xml.StartElement{Name: xml.Name{Space: space, Local: local}}
	if c.Invisible && space == NS1 {
		p := "false"
		if c.Probe {
			p = "true"
		}
		start.Attr = []xml.Attr{{Name: xml.Name{Local: "probe"}, Value: p}}
	}
	return e.EncodeElement("", start)
}

// Request builds the IQ set for a command in namespace ns (NS or NS1). It
// has no 'to': the user's own server handles it.
func Request(ns string, invisible, probe bool) *stanza.IQ {
	cmd := &Command{XMLName: xml.Name{Space: ns}, Invisible: invisible, Probe: probe}
	return &stanza.IQ{XMLName: xml.Name{Local: "iq"}, Attrs: stanza.Attrs{Type: stanza.IQTypeSet}, Payload: cmd}
}

func namespaceOf(ctx context.Context, c *xmpp.Conn) (string, error) {
	info, err := disco.GetInfo(ctx, c, "", "")
	if err != nil {
		return "", fmt.Errorf("invisible: %w", err)
	}
	ns := Namespace(info)
	if ns == "" {
		return "", ErrUnsupported
	}
	return ns, nil
}

// Enable makes this session invisible. probe asks the server to probe our
// contacts so that we still receive their presence (XEP-0186 0.12+; the
// spec's default is false). It first asks the server's disco#info for the
// supported version and returns ErrUnsupported without sending anything
// when there is none. Call it before initial presence to never appear
// online.
func Enable(ctx context.Context, c *xmpp.Conn, probe bool) error {
	ns, err := namespaceOf(ctx, c)
	if err != nil {
		return err
	}
	if _, err := c.SendIQ(ctx, Request(ns, true, probe)); err != nil {
		return fmt.Errorf("invisible: %w", err)
	}
	return nil
}

// Disable makes this session visible again. The client then sends its
// undirected presence itself (XEP-0186 §3.2).
func Disable(ctx context.Context, c *xmpp.Conn) error {
	ns, err := namespaceOf(ctx, c)
	if err != nil {
		return err
	}
	if _, err := c.SendIQ(ctx, Request(ns, false, false)); err != nil {
		return fmt.Errorf("invisible: %w", err)
	}
	return nil
}
