package mam

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"strings"

	"github.com/causerie/causerie/core/xmpp"
	"gosrc.io/xmpp/stanza"
)

// Archiving preferences (XEP-0441: Message Archive Management
// Preferences, split out of XEP-0313 and still in its namespace): what
// our server archives by default, and who is always or never archived.

// The default archiving policies.
const (
	PolicyAlways = "always" // every conversation
	PolicyRoster = "roster" // conversations with contacts in the roster
	PolicyNever  = "never"  // none
)

func init() {
	stanza.TypeRegistry.MapExtension(stanza.PKTIQ, xml.Name{Space: NS, Local: "prefs"}, Prefs{})
}

// Prefs is <prefs xmlns='urn:xmpp:mam:2' default='…'><always/><never/>.
type Prefs struct {
	XMLName xml.Name
	// Default is the policy for addresses in neither list: PolicyAlways,
	// PolicyRoster or PolicyNever (anything else the server says is kept
	// as said).
	Default string
	// Always and Never list the addresses always and never archived.
	Always, Never []string
}

func (*Prefs) Namespace() string         { return NS }
func (*Prefs) GetSet() *stanza.ResultSet { return nil }

// MarshalXML writes the preferences; a request with no Default asks for
// them (an empty <prefs/>).
func (p *Prefs) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	start := xml.StartElement{Name: xml.Name{Space: NS, Local: "prefs"}}
	if p.Default == "" {
		return e.EncodeElement("", start)
	}
	start.Attr = []xml.Attr{{Name: xml.Name{Local: "default"}, Value: p.Default}}
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	for _, list := range []struct {
		name string
		jids []string
	}{{"always", p.Always}, {"never", p.Never}} {
		ls := xml.StartElement{Name: xml.Name{Local: list.name}}
		if err := e.EncodeToken(ls); err != nil {
			return err
		}
		for _, j := range list.jids {
			if err := e.EncodeElement(j, xml.StartElement{Name: xml.Name{Local: "jid"}}); err != nil {
				return err
			}
		}
		if err := e.EncodeToken(ls.End()); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

// UnmarshalXML reads preferences; unknown children are skipped.
func (p *Prefs) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	*p = Prefs{XMLName: start.Name, Default: attr(start, "default")}
	return xmpp.EachChild(d, func(t xml.StartElement) (bool, error) {
		if t.Name.Space != NS || (t.Name.Local != "always" && t.Name.Local != "never") {
			return false, nil
		}
		list := &p.Always
		if t.Name.Local == "never" {
			list = &p.Never
		}
		return true, xmpp.EachChild(d, func(j xml.StartElement) (bool, error) {
			if j.Name.Space != NS || j.Name.Local != "jid" {
				return false, nil
			}
			var s string
			if err := d.DecodeElement(&s, &j); err != nil {
				return true, err
			}
			if s = strings.TrimSpace(s); s != "" {
				*list = append(*list, s)
			}
			return true, nil
		})
	})
}

// ErrPrefsUnsupported: our server does not let us choose what it
// archives (feature-not-implemented, or no archive at all).
var ErrPrefsUnsupported = errors.New("mam: the server does not let the archiving preferences be changed")

// GetPrefs reads our archiving preferences from our server.
func GetPrefs(ctx context.Context, c *xmpp.Conn) (Prefs, error) {
	return prefsRequest(ctx, c, stanza.IQTypeGet, &Prefs{})
}

// SetPrefs changes them; the server answers with what it applied, which
// its policy may make different.
func SetPrefs(ctx context.Context, c *xmpp.Conn, p Prefs) (Prefs, error) {
	if p.Default == "" {
		return Prefs{}, errors.New("mam: preferences without a default")
	}
	return prefsRequest(ctx, c, stanza.IQTypeSet, &p)
}

func prefsRequest(ctx context.Context, c *xmpp.Conn, typ stanza.StanzaType, p *Prefs) (Prefs, error) {
	iq := &stanza.IQ{XMLName: xml.Name{Local: "iq"}, Attrs: stanza.Attrs{Type: typ}, Payload: p}
	reply, err := c.SendIQ(ctx, iq)
	var se *xmpp.StanzaError
	if errors.As(err, &se) && (se.Condition == "feature-not-implemented" || se.Condition == "service-unavailable") {
		return Prefs{}, ErrPrefsUnsupported
	}
	if err != nil {
		return Prefs{}, fmt.Errorf("mam: preferences: %w", err)
	}
	got, ok := reply.Payload.(*Prefs)
	if !ok || got.Default == "" {
		if typ == stanza.IQTypeSet {
			return *p, nil // an empty result: applied as asked
		}
		return Prefs{}, errors.New("mam: preferences: the answer carries none")
	}
	return *got, nil
}
