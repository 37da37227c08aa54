// Package register implements XEP-0077: In-Band Registration: fetching a
// server's registration fields (plain fields or an XEP-0004 data form,
// including an XEP-0158 CAPTCHA with XEP-0231 bits of binary), creating an
// account, changing its password and removing it.
package register

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"strings"

	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/bob"
	"github.com/causerie/causerie/core/xmpp/dataform"
	"gosrc.io/xmpp/stanza"
)

// NS is the in-band registration namespace.
const NS = "jabber:iq:register"

// NSOOB is jabber:x:oob, used by servers that register on a web page.
const NSOOB = "jabber:x:oob"

// NSBoB is XEP-0231 bits of binary (CAPTCHA images).
const NSBoB = bob.NS

func init() {
	stanza.TypeRegistry.MapExtension(stanza.PKTIQ, xml.Name{Space: NS, Local: "query"}, Query{})
}

// Field is a plain registration field (username, password, email, name,
// nick, first, last, address, city, state, zip, phone, url, date, misc,
// text, key) with its value.
type Field struct {
	Name  string
	Value string
}

// Data is an XEP-0231 bits-of-binary item, e.g. a CAPTCHA image.
type Data = bob.Data

// Query is <query xmlns='jabber:iq:register'/>.
type Query struct {
	Instructions string
	Registered   bool
	Remove       bool
	Fields       []Field
	Form         *dataform.Form
	OOB          string // URL of a web registration page
	Data         []Data
}

func (*Query) Namespace() string         { return NS }
func (*Query) GetSet() *stanza.ResultSet { return nil }
func (q *Query) field(name string) *Field { // nil when absent
	for i := range q.Fields {
		if q.Fields[i].Name == name {
			return &q.Fields[i]
		}
	}
	return nil
}

// UnmarshalXML reads the query, keeping plain fields in document order.
func (q *Query) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	return xmpp.EachChild(d, func(t xml.StartElement) (bool, error) {
		switch {
		case t.Name.Space == dataform.NS && t.Name.Local == "x":
			var f dataform.Form
			if err := d.DecodeElement(&f, &t); err != nil {
				return true, err
			}
			q.Form = &f
		case t.Name.Space == NSOOB && t.Name.Local == "x":
			var x struct {
				URL string `xml:"url"`
			}
			if err := d.DecodeElement(&x, &t); err != nil {
				return true, err
			}
			q.OOB = strings.TrimSpace(x.URL)
		case t.Name.Space == NSBoB && t.Name.Local == "data":
			var x bob.Data
			if err := d.DecodeElement(&x, &t); err != nil {
				return true, err
			}
			if x.Bytes != nil {
				q.Data = append(q.Data, x)
			}
		case t.Name.Space == NS:
			var v string
			if err := d.DecodeElement(&v, &t); err != nil {
				return true, err
			}
			switch t.Name.Local {
			case "instructions":
				q.Instructions = strings.TrimSpace(v)
			case "registered":
				q.Registered = true
			case "remove":
				q.Remove = true
			default:
				q.Fields = append(q.Fields, Field{Name: t.Name.Local, Value: v})
			}
		default:
			return false, nil
		}
		return true, nil
	})
}

// MarshalXML writes the query (for requests: fields, form or remove).
func (q *Query) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	start = xml.StartElement{Name: xml.Name{Space: NS, Local: "query"}}
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	if q.Remove {
		if err := e.EncodeElement("", xml.StartElement{Name: xml.Name{Local: "remove"}}); err != nil {
			return err
		}
	}
	for _, f := range q.Fields {
		if err := e.EncodeElement(f.Value, xml.StartElement{Name: xml.Name{Local: f.Name}}); err != nil {
			return err
		}
	}
	if q.Form != nil {
		if err := e.Encode(q.Form); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

// Error kinds a UI branches on.
var (
	// ErrConflict: the user name is taken (409).
	ErrConflict = errors.New("register: user name already taken")
	// ErrNotAcceptable: a required field is missing or a value is refused
	// (406), e.g. a weak password.
	ErrNotAcceptable = errors.New("register: information not acceptable")
	// ErrRateLimited: the server refuses more registrations for now
	// (resource-constraint, policy-violation, or wait-type errors).
	ErrRateLimited = errors.New("register: too many registrations, try later")
	// ErrNotAllowed: the server does not allow in-band registration
	// (not-allowed, forbidden, service-unavailable, feature-not-implemented).
	ErrNotAllowed = errors.New("register: server does not allow registration")
	// ErrNotAuthorized: the change requires authorisation (e.g. the old
	// password) or the session may not do it.
	ErrNotAuthorized = errors.New("register: not authorised")
)

// Error wraps a server's refusal with the kind above and its own text.
type Error struct {
	Kind   error
	Stanza *xmpp.StanzaError
	// Form is set when the server answers a password change with a data
	// form it wants filled in (XEP-0077 §3.3, Example 20).
	Form *dataform.Form
}

func (e *Error) Error() string {
	if e.Stanza != nil && e.Stanza.Text != "" {
		return e.Kind.Error() + ": " + e.Stanza.Text
	}
	return e.Kind.Error()
}

func (e *Error) Unwrap() error { return e.Kind }

func mapError(reply *stanza.IQ, err error) error {
	var se *xmpp.StanzaError
	if !errors.As(err, &se) {
		return err
	}
	out := &Error{Stanza: se}
	switch se.Condition {
	case "conflict":
		out.Kind = ErrConflict
	case "not-acceptable", "bad-request", "jid-malformed":
		out.Kind = ErrNotAcceptable
	case "resource-constraint", "policy-violation":
		out.Kind = ErrRateLimited
	case "not-authorized":
		out.Kind = ErrNotAuthorized
	default:
		if se.Type == "wait" {
			out.Kind = ErrRateLimited
		} else {
			out.Kind = ErrNotAllowed
		}
	}
	if reply != nil {
		if q, ok := reply.Payload.(*Query); ok && q.Form != nil {
			out.Form = q.Form
		}
	}
	return out
}

func newIQ(typ stanza.StanzaType, to string, q *Query) *stanza.IQ {
	return &stanza.IQ{XMLName: xml.Name{Local: "iq"}, Attrs: stanza.Attrs{Type: typ, To: to}, Payload: q}
}

// Fetch asks the server for its registration fields (XEP-0077 §3.1) on a
// stream from xmpp.DialUnauthenticated, or, on a logged-in stream, for the
// account's current registration (Registered set).
func Fetch(ctx context.Context, c *xmpp.Conn) (*Query, error) {
	reply, err := c.SendIQ(ctx, newIQ(stanza.IQTypeGet, c.Domain(), &Query{}))
	if err != nil {
		return nil, mapError(reply, err)
	}
	q, ok := reply.Payload.(*Query)
	if !ok {
		return nil, fmt.Errorf("register: server sent no registration form")
	}
	return q, nil
}

// Submit registers with plain field values (username, password, and what
// else Fetch listed).
func Submit(ctx context.Context, c *xmpp.Conn, fields []Field) error {
	reply, err := c.SendIQ(ctx, newIQ(stanza.IQTypeSet, c.Domain(), &Query{Fields: fields}))
	return mapError(reply, err)
}

// SubmitForm registers with a filled-in data form (Form.Submit).
func SubmitForm(ctx context.Context, c *xmpp.Conn, form *dataform.Form) error {
	reply, err := c.SendIQ(ctx, newIQ(stanza.IQTypeSet, c.Domain(), &Query{Form: form}))
	return mapError(reply, err)
}

// ChangePassword changes the logged-in account's password (XEP-0077 §3.3).
// When the server wants more (for example the old password), the error is
// an *Error whose Form is the form to fill and send with SubmitForm.
func ChangePassword(ctx context.Context, c *xmpp.Conn, newPassword string) error {
	me, err := xmpp.ParseJID(c.JID())
	if err != nil {
		return err
	}
	return Submit(ctx, c, []Field{{"username", me.Local()}, {"password", newPassword}})
}

// Remove deletes the logged-in account from the server (XEP-0077 §3.2).
// The server may close the stream right after (or instead of) answering;
// that is the expected end, not an error.
func Remove(ctx context.Context, c *xmpp.Conn) error {
	reply, err := c.SendIQ(ctx, newIQ(stanza.IQTypeSet, "", &Query{Remove: true}))
	var serr *xmpp.StreamError
	if errors.As(err, &serr) || (err != nil && errors.Is(err, xmpp.ErrClosed)) {
		return nil
	}
	return mapError(reply, err)
}
