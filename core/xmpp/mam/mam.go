// Package mam implements XEP-0313: Message Archive Management, the
// querying side, with the XEP-0059: Result Set Management paging it uses:
// a query by date, correspondent and archive id ([Query]), the results the
// archive pushes for it, each an XEP-0297 forwarded message with its
// archive id and date ([Result]), and the end of a page ([Fin]).
//
// A [Collector] matches pushed results to the query that asked for them
// (by queryid and by the archive they come from): feed it every incoming
// message, on the connection's reader goroutine, which dispatches in
// wire order, so that a page's results are all collected by the time its
// IQ result returns.
//
// Importing this package registers [Result] ({urn:xmpp:mam:2}result) as a
// message extension and [Query] and [Fin] as IQ payloads.
package mam

import (
	"encoding/xml"
	"strconv"
	"strings"
	"time"

	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/dataform"
	"github.com/causerie/causerie/core/xmpp/delay"
	"github.com/causerie/causerie/core/xmpp/forward"
	"gosrc.io/xmpp/stanza"
)

// Namespaces.
const (
	NS         = "urn:xmpp:mam:2"
	NSExtended = "urn:xmpp:mam:2#extended" // before-id, after-id, ids, flip-page, metadata
	NSRSM      = "http://jabber.org/protocol/rsm"
)

func init() {
	stanza.TypeRegistry.MapExtension(stanza.PKTMessage, xml.Name{Space: NS, Local: "result"}, Result{})
	stanza.TypeRegistry.MapExtension(stanza.PKTIQ, xml.Name{Space: NS, Local: "query"}, Query{})
	stanza.TypeRegistry.MapExtension(stanza.PKTIQ, xml.Name{Space: NS, Local: "fin"}, Fin{})
}

// Query is a <query xmlns='urn:xmpp:mam:2'/>: its filters (a data form,
// written only when one is set) and its page (RSM <set/>).
type Query struct {
	QueryID string
	// With keeps only messages to or from this address (bare: all its
	// resources).
	With string
	// Start and End bound the archive dates, inclusive; zero: unbounded.
	Start, End time.Time
	// AfterID and BeforeID bound the query by archive ids, exclusive
	// (NSExtended).
	AfterID, BeforeID string

	// Max is the page size asked for (the server may send fewer); 0
	// leaves it to the server.
	Max int
	// After asks for the page after this archive id; Before for the page
	// before it. Last asks for the last page (an empty <before/>).
	After, Before string
	Last          bool
	// Flip asks for the page's results newest first (NSExtended).
	Flip bool
}

func (*Query) Namespace() string         { return NS }
func (*Query) GetSet() *stanza.ResultSet { return nil }

// form is the query's filters as a submitted form, nil when none is set.
func (q *Query) form() *dataform.Form {
	var fields []dataform.Field
	add := func(v, val string) {
		if val != "" {
			fields = append(fields, dataform.Field{Var: v, Values: []string{val}})
		}
	}
	add("with", q.With)
	if !q.Start.IsZero() {
		add("start", delay.FormatStamp(q.Start))
	}
	if !q.End.IsZero() {
		add("end", delay.FormatStamp(q.End))
	}
	add("after-id", q.AfterID)
	add("before-id", q.BeforeID)
	if fields == nil {
		return nil
	}
	return &dataform.Form{Type: "submit", Fields: append([]dataform.Field{
		{Var: "FORM_TYPE", Type: dataform.Hidden, Values: []string{NS}}}, fields...)}
}

// MarshalXML writes the query.
func (q *Query) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	start := xml.StartElement{Name: xml.Name{Space: NS, Local: "query"}}
	if q.QueryID != "" {
		start.Attr = append(start.Attr, xml.Attr{Name: xml.Name{Local: "queryid"}, Value: q.QueryID})
	}
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	if f := q.form(); f != nil {
		if err := e.Encode(f); err != nil {
			return err
		}
	}
	if q.Max > 0 || q.After != "" || q.Before != "" || q.Last {
		set := xml.StartElement{Name: xml.Name{Space: NSRSM, Local: "set"}}
		if err := e.EncodeToken(set); err != nil {
			return err
		}
		if q.Max > 0 {
			if err := e.EncodeElement(strconv.Itoa(q.Max), xml.StartElement{Name: xml.Name{Local: "max"}}); err != nil {
				return err
			}
		}
		if q.After != "" {
			if err := e.EncodeElement(q.After, xml.StartElement{Name: xml.Name{Local: "after"}}); err != nil {
				return err
			}
		}
		if q.Before != "" || q.Last {
			if err := e.EncodeElement(q.Before, xml.StartElement{Name: xml.Name{Local: "before"}}); err != nil {
				return err
			}
		}
		if err := e.EncodeToken(set.End()); err != nil {
			return err
		}
	}
	if q.Flip {
		if err := e.EncodeElement("", xml.StartElement{Name: xml.Name{Local: "flip-page"}}); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

// UnmarshalXML reads a query (the archive's side; for tests and tools).
// Unknown fields and children are skipped.
func (q *Query) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	*q = Query{QueryID: attr(start, "queryid")}
	return xmpp.EachChild(d, func(t xml.StartElement) (bool, error) {
		switch {
		case t.Name.Space == dataform.NS && t.Name.Local == "x":
			var f dataform.Form
			if err := d.DecodeElement(&f, &t); err != nil {
				return true, err
			}
			for _, fl := range f.Fields {
				v := fl.Value()
				switch fl.Var {
				case "with":
					q.With = v
				case "start":
					q.Start, _ = delay.ParseStamp(v)
				case "end":
					q.End, _ = delay.ParseStamp(v)
				case "after-id":
					q.AfterID = v
				case "before-id":
					q.BeforeID = v
				}
			}
			return true, nil
		case t.Name.Space == NSRSM && t.Name.Local == "set":
			return true, eachText(d, func(name, s string) {
				switch name {
				case "max":
					q.Max, _ = strconv.Atoi(s)
				case "after":
					q.After = s
				case "before":
					q.Before, q.Last = s, s == ""
				}
			})
		case t.Name.Space == NS && t.Name.Local == "flip-page":
			q.Flip = true
		}
		return false, nil
	})
}

// Request builds the IQ set for q, to archive ("" for our own account's
// archive: no 'to').
func Request(archive string, q Query) *stanza.IQ {
	iq := &stanza.IQ{XMLName: xml.Name{Local: "iq"}, Attrs: stanza.Attrs{Type: stanza.IQTypeSet, To: archive}}
	iq.Payload = &q
	return iq
}

// Result is a pushed result: <result xmlns='urn:xmpp:mam:2' queryid id>
// holding <forwarded xmlns='urn:xmpp:forward:0'> with the date the
// archive received the message (<delay/>) and the message itself.
type Result struct {
	XMLName xml.Name
	QueryID string
	ID      string          // the message's archive id
	Stamp   time.Time       // when the archive received it; zero when not said
	Message *stanza.Message // nil when the result carries none
}

// UnmarshalXML reads a result. The forwarded message is decoded as the
// stream decodes its stanzas (xmpp.DecodeMessage); a second one is
// ignored.
func (r *Result) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	*r = Result{XMLName: start.Name, QueryID: attr(start, "queryid"), ID: attr(start, "id")}
	return xmpp.EachChild(d, func(t xml.StartElement) (bool, error) {
		if !forward.Is(t.Name) || r.Message != nil {
			return false, nil
		}
		f, err := forward.Read(d)
		r.Stamp, r.Message = f.Stamp, f.Message
		return true, err
	})
}

// ResultOf returns the archive result m carries, if any.
func ResultOf(m *stanza.Message) (*Result, bool) {
	for _, ext := range m.Extensions {
		if r, ok := ext.(*Result); ok {
			return r, true
		}
	}
	return nil, false
}

// Fin ends a page: <fin xmlns='urn:xmpp:mam:2' complete stable> with the
// RSM <set/> that names the page's first and last archive ids.
type Fin struct {
	XMLName xml.Name
	// Complete: no result is left after this page (in the direction
	// paged).
	Complete bool
	// Unstable: the server says these results may still change.
	Unstable    bool
	First, Last string
	// Count is the number of results the whole query matches, -1 when
	// the server does not say.
	Count int
}

func (*Fin) Namespace() string         { return NS }
func (*Fin) GetSet() *stanza.ResultSet { return nil }

// UnmarshalXML reads a fin.
func (f *Fin) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	*f = Fin{XMLName: start.Name, Count: -1,
		Complete: isTrue(attr(start, "complete")), Unstable: attr(start, "stable") == "false"}
	return xmpp.EachChild(d, func(t xml.StartElement) (bool, error) {
		if t.Name.Space != NSRSM || t.Name.Local != "set" {
			return false, nil
		}
		return true, eachText(d, func(name, s string) {
			switch name {
			case "first":
				f.First = s
			case "last":
				f.Last = s
			case "count":
				if n, err := strconv.Atoi(s); err == nil && n >= 0 {
					f.Count = n
				}
			}
		})
	})
}

// MarshalXML writes a fin (the archive's side; for tests).
func (f *Fin) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	start := xml.StartElement{Name: xml.Name{Space: NS, Local: "fin"}}
	if f.Complete {
		start.Attr = append(start.Attr, xml.Attr{Name: xml.Name{Local: "complete"}, Value: "true"})
	}
	if f.Unstable {
		start.Attr = append(start.Attr, xml.Attr{Name: xml.Name{Local: "stable"}, Value: "false"})
	}
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	set := xml.StartElement{Name: xml.Name{Space: NSRSM, Local: "set"}}
	if err := e.EncodeToken(set); err != nil {
		return err
	}
	for _, el := range []struct{ name, v string }{{"first", f.First}, {"last", f.Last}} {
		if el.v != "" {
			if err := e.EncodeElement(el.v, xml.StartElement{Name: xml.Name{Local: el.name}}); err != nil {
				return err
			}
		}
	}
	if f.Count >= 0 {
		if err := e.EncodeElement(strconv.Itoa(f.Count), xml.StartElement{Name: xml.Name{Local: "count"}}); err != nil {
			return err
		}
	}
	if err := e.EncodeToken(set.End()); err != nil {
		return err
	}
	return e.EncodeToken(start.End())
}

// eachText gives f the name and trimmed text of each child of the element
// d has just started (an RSM <set/>'s).
func eachText(d *xml.Decoder, f func(name, text string)) error {
	return xmpp.EachChild(d, func(t xml.StartElement) (bool, error) {
		var s string
		if err := d.DecodeElement(&s, &t); err != nil {
			return true, err
		}
		f(t.Name.Local, strings.TrimSpace(s))
		return true, nil
	})
}

func attr(se xml.StartElement, name string) string {
	for _, a := range se.Attr {
		if a.Name.Space == "" && a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func isTrue(s string) bool { return s == "true" || s == "1" }
