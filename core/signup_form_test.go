package core

import (
	"errors"
	"fmt"
	"testing"

	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/dataform"
	"github.com/causerie/causerie/core/xmpp/register"
)

// TestDataFormConverted: every XEP-0004 field type becomes its kind (an
// unknown or missing one is a line of text), with labels, options,
// defaults and the required flag.
func TestDataFormConverted(t *testing.T) {
	req := &struct{}{}
	types := map[string]FieldKind{
		"": FieldTextSingle, "x-unknown": FieldTextSingle, dataform.TextSingle: FieldTextSingle,
		dataform.TextPrivate: FieldTextPrivate, dataform.TextMulti: FieldTextMulti,
		dataform.JIDSingle: FieldJIDSingle, dataform.JIDMulti: FieldJIDMulti, dataform.Boolean: FieldBoolean,
		dataform.ListSingle: FieldListSingle, dataform.ListMulti: FieldListMulti,
		dataform.Fixed: FieldFixed, dataform.Hidden: FieldHidden,
	}
	for typ, want := range types {
		f := DataFormOf(&dataform.Form{Fields: []dataform.Field{{Var: "v", Type: typ}}})
		if got := f.Fields[0].Kind; got != want {
			t.Errorf("type %q: kind %d, want %d", typ, got, want)
		}
	}
	f := DataFormOf(&dataform.Form{Type: "form", Fields: []dataform.Field{
		{Var: "lang", Type: dataform.ListSingle, Label: "Language", Desc: "Yours", Required: req,
			Options: []dataform.Option{{Label: "English", Value: "en"}, {Value: "fr"}}, Values: []string{"fr"}},
	}})
	lang := f.Field("lang")
	if lang == nil || lang.Label != "Language" || lang.Desc != "Yours" || !lang.Required || lang.Value() != "fr" ||
		len(lang.Options) != 2 || lang.Options[0] != (FieldOption{"English", "en"}) || lang.Options[1] != (FieldOption{"", "fr"}) {
		t.Errorf("list field: %+v", lang)
	}
	if f.Field("missing") != nil || DataFormOf(nil) != nil {
		t.Error("a field or form that is not there was found")
	}
}

// TestSignupErrorReasons: each refusal of XEP-0077 is a *SignupError with
// its reason and the server's words, and still matches the protocol's
// error; other errors stay as they are.
func TestSignupErrorReasons(t *testing.T) {
	refusal := func(kind error, text string) error {
		return fmt.Errorf("submit: %w", &register.Error{Kind: kind, Stanza: &xmpp.StanzaError{Text: text}})
	}
	for _, c := range []struct {
		in   error
		want error
		text string
	}{
		{refusal(register.ErrConflict, ""), ErrSignupConflict, ""},
		{refusal(register.ErrNotAcceptable, " Password too weak "), ErrSignupNotAcceptable, "Password too weak"},
		{refusal(register.ErrRateLimited, ""), ErrSignupRateLimited, ""},
		{refusal(register.ErrNotAllowed, ""), ErrSignupNotAllowed, ""},
		{refusal(register.ErrNotAuthorized, ""), ErrSignupNotAllowed, ""},
		{register.ErrNotAllowed, ErrSignupNotAllowed, ""},
	} {
		err := signupError(c.in)
		var se *SignupError
		if !errors.As(err, &se) || !errors.Is(err, c.want) || se.Text != c.text || !errors.Is(err, c.in) {
			t.Errorf("%v: got %v (%+v)", c.in, err, se)
		}
		if err.Error() != c.in.Error() {
			t.Errorf("message %q, want %q", err.Error(), c.in.Error())
		}
	}
	other := errors.New("network down")
	if signupError(other) != other || signupError(nil) != nil {
		t.Error("an error that is no refusal was changed")
	}
}
