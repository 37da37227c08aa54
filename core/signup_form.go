package core

import (
	"errors"
	"strings"

	"github.com/causerie/causerie/core/xmpp/dataform"
	"github.com/causerie/causerie/core/xmpp/register"
)

// FieldKind is the type of a data form field (XEP-0004 §3.3): what input
// shows it.
type FieldKind int

// The kinds of field. A type the server names that XEP-0004 does not
// define is FieldTextSingle, as a missing type is.
const (
	FieldTextSingle  FieldKind = iota // one line of text
	FieldTextPrivate                  // a password
	FieldTextMulti                    // several lines of text
	FieldJIDSingle                    // an address
	FieldJIDMulti                     // addresses, one a line
	FieldBoolean                      // yes ("1") or no ("0")
	FieldListSingle                   // one of the options
	FieldListMulti                    // any of the options, one value a line
	FieldFixed                        // text to show, nothing to fill in
	FieldHidden                       // a value sent back as it is, not shown
)

// DataForm is a server's XEP-0004 data form, as the GUI shows it: the
// sign-up wizard (the XEP-0158 challenge of a CAPTCHA form is in
// SignupForm), a room's configuration.
type DataForm struct {
	Fields []FormField
}

// FormField is one field of a DataForm.
type FormField struct {
	// Var is the name its value is sent under ("" for a text to show).
	Var   string
	Kind  FieldKind
	Label string
	// Desc is a longer description, "" if none.
	Desc     string
	Required bool
	// Values are what the server put in: the defaults.
	Values  []string
	Options []FieldOption
}

// FieldOption is a choice of a list field.
type FieldOption struct {
	Label string // "" to show Value
	Value string
}

// Value is the field's first value, or "".
func (f *FormField) Value() string {
	if len(f.Values) == 0 {
		return ""
	}
	return f.Values[0]
}

// Field returns the field named v, or nil.
func (f *DataForm) Field(v string) *FormField {
	for i := range f.Fields {
		if f.Fields[i].Var == v {
			return &f.Fields[i]
		}
	}
	return nil
}

// fieldKinds maps XEP-0004's field types to kinds.
var fieldKinds = map[string]FieldKind{
	dataform.TextSingle:  FieldTextSingle,
	dataform.TextPrivate: FieldTextPrivate,
	dataform.TextMulti:   FieldTextMulti,
	dataform.JIDSingle:   FieldJIDSingle,
	dataform.JIDMulti:    FieldJIDMulti,
	dataform.Boolean:     FieldBoolean,
	dataform.ListSingle:  FieldListSingle,
	dataform.ListMulti:   FieldListMulti,
	dataform.Fixed:       FieldFixed,
	dataform.Hidden:      FieldHidden,
}

// DataFormOf converts a data form from the protocol (nil for nil).
func DataFormOf(f *dataform.Form) *DataForm {
	if f == nil {
		return nil
	}
	out := &DataForm{}
	for _, fl := range f.Fields {
		ff := FormField{Var: fl.Var, Kind: fieldKinds[fl.Kind()], Label: fl.Label, Desc: fl.Desc,
			Required: fl.IsRequired(), Values: fl.Values}
		for _, o := range fl.Options {
			ff.Options = append(ff.Options, FieldOption{Label: o.Label, Value: o.Value})
		}
		out.Fields = append(out.Fields, ff)
	}
	return out
}

// Why a server refused to create an account. The errors of StartSignup
// and Submit match one of these (errors.Is) when the server refused, and
// are then a *SignupError.
var (
	// ErrSignupConflict: the user name is taken.
	ErrSignupConflict = errors.New("core: the user name is taken")
	// ErrSignupNotAcceptable: a required field is missing or a value is
	// refused (a weak password, say).
	ErrSignupNotAcceptable = errors.New("core: the server did not accept the information")
	// ErrSignupRateLimited: the server takes no more new accounts for now.
	ErrSignupRateLimited = errors.New("core: the server takes no more new accounts for now")
	// ErrSignupNotAllowed: the server does not create accounts in-band,
	// or not for this client.
	ErrSignupNotAllowed = errors.New("core: the server does not allow creating accounts")
)

// SignupError is a server's refusal to create an account.
type SignupError struct {
	// Reason is one of the ErrSignup… errors above.
	Reason error
	// Text is what the server said, "" when it said nothing.
	Text string
	err  error // the refusal as the protocol reported it
}

// Error is the protocol's message for the refusal.
func (e *SignupError) Error() string { return e.err.Error() }

// Unwrap gives the reason and the protocol's error.
func (e *SignupError) Unwrap() []error { return []error{e.Reason, e.err} }

// signupError makes a *SignupError of an XEP-0077 refusal; other errors
// are returned as they are.
func signupError(err error) error {
	var reason error
	switch {
	case err == nil:
		return nil
	case errors.Is(err, register.ErrConflict):
		reason = ErrSignupConflict
	case errors.Is(err, register.ErrNotAcceptable):
		reason = ErrSignupNotAcceptable
	case errors.Is(err, register.ErrRateLimited):
		reason = ErrSignupRateLimited
	case errors.Is(err, register.ErrNotAllowed), errors.Is(err, register.ErrNotAuthorized):
		reason = ErrSignupNotAllowed
	default:
		return err
	}
	se := &SignupError{Reason: reason, err: err}
	var re *register.Error
	if errors.As(err, &re) && re.Stanza != nil {
		se.Text = strings.TrimSpace(re.Stanza.Text)
	}
	return se
}
