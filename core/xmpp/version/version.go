// Package version implements XEP-0092: Software Version (jabber:iq:version):
// asking another entity which software it runs, and answering such
// requests for ourselves.
//
// XEP-0092 §5 requires that a user can stop sharing the operating system:
// an [Info] with an empty OS answers without the <os/> element.
//
// Importing this package registers [Query] as the stanza package's payload
// for <query xmlns='jabber:iq:version'/>, replacing gosrc's own Version.
package version

import (
	"context"
	"encoding/xml"
	"fmt"
	"strings"

	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/disco"
	"gosrc.io/xmpp/stanza"
)

// NS is the software version namespace (also the disco feature).
const NS = "jabber:iq:version"

func init() {
	stanza.TypeRegistry.MapExtension(stanza.PKTIQ, xml.Name{Space: NS, Local: "query"}, Query{})
}

// Query is <query xmlns='jabber:iq:version'/>: empty in a request, the
// software's name, version and (optionally) operating system in a result.
type Query struct {
	XMLName xml.Name // set when decoded
	Name    string
	Version string
	OS      string // "" when not shared
}

func (*Query) Namespace() string         { return NS }
func (*Query) GetSet() *stanza.ResultSet { return nil }

// UnmarshalXML reads the query; unknown children are skipped and values
// are trimmed of surrounding white space.
func (q *Query) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	*q = Query{XMLName: start.Name}
	return xmpp.EachChild(d, func(t xml.StartElement) (bool, error) {
		if t.Name.Space != NS {
			return false, nil
		}
		var dst *string
		switch t.Name.Local {
		case "name":
			dst = &q.Name
		case "version":
			dst = &q.Version
		case "os":
			dst = &q.OS
		default:
			return false, nil
		}
		var v string
		if err := d.DecodeElement(&v, &t); err != nil {
			return true, err
		}
		*dst = strings.TrimSpace(v)
		return true, nil
	})
}

// MarshalXML writes the query: empty when all fields are empty (a
// request), else name and version (both required in a result, written even
// if empty) and os when set.
func (q *Query) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	start := xml.StartElement{Name: xml.Name{Space: NS, Local: "query"}}
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	if q.Name != "" || q.Version != "" || q.OS != "" {
		fields := []struct{ name, value string }{{"name", q.Name}, {"version", q.Version}, {"os", q.OS}}
		for _, f := range fields {
			if f.name == "os" && f.value == "" {
				continue
			}
			if err := e.EncodeElement(f.value, xml.StartElement{Name: xml.Name{Local: f.name}}); err != nil {
				return err
			}
		}
	}
	return e.EncodeToken(start.End())
}

// Supported reports whether an entity's disco#info advertises
// jabber:iq:version.
func Supported(info *disco.Info) bool { return info.Has(NS) }

// Get asks an entity (to; "" means our server) for its software version.
// A client is addressed by its full JID. An error answer (typically
// service-unavailable when the entity does not support the protocol) is
// returned as an error wrapping the *xmpp.StanzaError.
func Get(ctx context.Context, c *xmpp.Conn, to string) (Query, error) {
	if to == "" {
		to = c.Domain()
	}
	iq := &stanza.IQ{XMLName: xml.Name{Local: "iq"}, Attrs: stanza.Attrs{Type: stanza.IQTypeGet, To: to}, Payload: &Query{}}
	reply, err := c.SendIQ(ctx, iq)
	if err != nil {
		return Query{}, fmt.Errorf("version %s: %w", to, err)
	}
	q, ok := reply.Payload.(*Query)
	if !ok {
		return Query{}, fmt.Errorf("version %s: the result carries no version query", to)
	}
	return Query{Name: q.Name, Version: q.Version, OS: q.OS}, nil
}

// Answer answers iq if it is a software version request: a get with our
// name, version and OS (left out when info.OS is empty), a set with
// bad-request. It reports whether iq was such a request; other IQs are left
// to the caller.
func Answer(c *xmpp.Conn, iq *stanza.IQ, info Query) bool {
	if iq == nil || xmpp.PayloadName(iq) != (xml.Name{Space: NS, Local: "query"}) {
		return false
	}
	switch iq.Type {
	case stanza.IQTypeGet:
		c.SendResult(iq, &Query{Name: info.Name, Version: info.Version, OS: info.OS})
	case stanza.IQTypeSet:
		c.SendError(iq, "modify", "bad-request")
	default:
		return false
	}
	return true
}

// Handler is a function for xmpp.Mux.HandleIQFunc(NS, "query", ...) that
// answers version requests with info.
func Handler(info Query) func(*xmpp.Conn, *stanza.IQ) {
	return func(c *xmpp.Conn, iq *stanza.IQ) {
		if !Answer(c, iq, info) {
			c.SendError(iq, "modify", "bad-request")
		}
	}
}

// Register makes m answer version requests with info.
func Register(m *xmpp.Mux, info Query) { m.HandleIQFunc(NS, "query", Handler(info)) }
