// Package dataform implements XEP-0004: Data Forms, with the media
// element of XEP-0221: Data Forms Media Element (used by XEP-0158 CAPTCHA
// forms). It parses forms a server sends and builds the submit form.
package dataform

import (
	"encoding/xml"
	"strings"
)

// NS is the data forms namespace.
const NS = "jabber:x:data"

// Field types (XEP-0004 §3.3).
const (
	Boolean     = "boolean"
	Fixed       = "fixed"
	Hidden      = "hidden"
	JIDMulti    = "jid-multi"
	JIDSingle   = "jid-single"
	ListMulti   = "list-multi"
	ListSingle  = "list-single"
	TextMulti   = "text-multi"
	TextPrivate = "text-private"
	TextSingle  = "text-single"
)

// Form is a <x xmlns='jabber:x:data'/>. Type is form, submit, cancel or
// result.
type Form struct {
	XMLName      xml.Name `xml:"jabber:x:data x"`
	Type         string   `xml:"type,attr"`
	Title        string   `xml:"title,omitempty"`
	Instructions []string `xml:"instructions,omitempty"`
	Fields       []Field  `xml:"field"`
}

// Field is one form field. A missing type means text-single.
type Field struct {
	Var      string    `xml:"var,attr,omitempty"`
	Type     string    `xml:"type,attr,omitempty"`
	Label    string    `xml:"label,attr,omitempty"`
	Desc     string    `xml:"desc,omitempty"`
	Required *struct{} `xml:"required"`
	Values   []string  `xml:"value"`
	Options  []Option  `xml:"option"`
	Media    *Media    `xml:"urn:xmpp:media-element media"`
}

// Option is a choice of a list field.
type Option struct {
	Label string `xml:"label,attr,omitempty"`
	Value string `xml:"value"`
}

// Media is an XEP-0221 media element, e.g. a CAPTCHA image.
type Media struct {
	Width  int   `xml:"width,attr,omitempty"`
	Height int   `xml:"height,attr,omitempty"`
	URIs   []URI `xml:"uri"`
}

// URI is one place to get the media: "cid:..." (XEP-0231 bits of binary
// in the same stanza), "http(s):...", ...
type URI struct {
	Type  string `xml:"type,attr"`
	Value string `xml:",chardata"`
}

// IsRequired reports the <required/> flag.
func (f *Field) IsRequired() bool { return f.Required != nil }

// Kind is the field type with the text-single default applied.
func (f *Field) Kind() string {
	if f.Type == "" {
		return TextSingle
	}
	return f.Type
}

// Value is the first value, or "".
func (f *Field) Value() string {
	if len(f.Values) == 0 {
		return ""
	}
	return f.Values[0]
}

// Field returns the field named v, or nil.
func (f *Form) Field(v string) *Field {
	for i := range f.Fields {
		if f.Fields[i].Var == v {
			return &f.Fields[i]
		}
	}
	return nil
}

// FormType is the value of the hidden FORM_TYPE field, or "".
func (f *Form) FormType() string {
	if fl := f.Field("FORM_TYPE"); fl != nil {
		return fl.Value()
	}
	return ""
}

// Submit builds the submit form answering f with values (by var; several
// values for multi fields). Hidden fields keep their values; fixed fields
// and fields without a var are left out, as XEP-0004 §3.4 asks.
func (f *Form) Submit(values map[string][]string) *Form {
	out := &Form{Type: "submit"}
	for _, fl := range f.Fields {
		if fl.Var == "" || fl.Kind() == Fixed {
			continue
		}
		vals, ok := values[fl.Var]
		if !ok {
			if fl.Kind() != Hidden && !fl.IsRequired() && len(fl.Values) == 0 {
				continue
			}
			vals = fl.Values
		}
		out.Fields = append(out.Fields, Field{Var: fl.Var, Values: normalise(fl.Kind(), vals)})
	}
	return out
}

func normalise(kind string, vals []string) []string {
	if kind == Boolean && len(vals) > 0 {
		switch strings.ToLower(strings.TrimSpace(vals[0])) {
		case "1", "true":
			return []string{"1"}
		default:
			return []string{"0"}
		}
	}
	if kind == TextMulti && len(vals) == 1 {
		return strings.Split(vals[0], "\n")
	}
	return vals
}
