package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/ui/widgets"
)

// formFields shows the fields of an XEP-0004 data form (core.DataForm)
// as inputs, and reads back their values: the sign-up wizard's
// server-defined form (signup.go) and a room's configuration
// (room_config.go).
type formFields struct {
	// values reads each field's value, by var; required names the
	// required ones, by var, with their labels.
	values   map[string]func() string
	required map[string]string
	// input records an input, in the order shown (to enable, disable,
	// focus).
	input func(fyne.Disableable)
	// textEntry makes the entry of a text field (its owner wires Enter
	// and Escape); it records it itself.
	textEntry func(name string, secret bool) *widgets.Entry
	// wrap, when set, may put more around a field's input (text is the
	// entry of a text field, nil for others).
	wrap func(fl core.FormField, input fyne.CanvasObject, text *widgets.Entry) fyne.CanvasObject
}

// build adds each field shown (not the hidden ones) through add, with its
// label; a fixed field is a text of its own.
func (ff *formFields) build(f *core.DataForm, add func(label, input fyne.CanvasObject)) {
	for _, fl := range f.Fields {
		label := fl.Label
		if label == "" {
			label = fl.Var
		}
		if fl.Required && fl.Var != "" {
			ff.required[fl.Var] = label
		}
		var input fyne.CanvasObject
		var text *widgets.Entry
		switch fl.Kind {
		case core.FieldHidden:
			continue
		case core.FieldFixed:
			t := widget.NewLabel(strings.Join(fl.Values, "\n"))
			t.Wrapping = fyne.TextWrapWord
			if fl.Label == "" {
				add(layout.NewSpacer(), t)
			} else {
				add(signupLabel(fl.Label, false), t)
			}
			continue
		case core.FieldBoolean:
			c := widget.NewCheck("", nil)
			v := strings.ToLower(fl.Value())
			c.SetChecked(v == "1" || v == "true")
			ff.values[fl.Var] = func() string {
				if c.Checked {
					return "1"
				}
				return "0"
			}
			ff.input(c)
			input = c
		case core.FieldListSingle:
			var labels []string
			byLabel := map[string]string{}
			for _, o := range fl.Options {
				lb := o.Label
				if lb == "" {
					lb = o.Value
				}
				labels = append(labels, lb)
				byLabel[lb] = o.Value
			}
			s := widget.NewSelect(labels, nil)
			for lb, v := range byLabel {
				if v == fl.Value() {
					s.SetSelected(lb)
				}
			}
			ff.values[fl.Var] = func() string { return byLabel[s.Selected] }
			ff.input(s)
			input = s
		case core.FieldListMulti:
			box := container.NewVBox()
			var checks []*widget.Check
			var vals []string
			for _, o := range fl.Options {
				lb := o.Label
				if lb == "" {
					lb = o.Value
				}
				c := widget.NewCheck(lb, nil)
				for _, v := range fl.Values {
					if v == o.Value {
						c.SetChecked(true)
					}
				}
				checks = append(checks, c)
				vals = append(vals, o.Value)
				box.Add(c)
				ff.input(c)
			}
			ff.values[fl.Var] = func() string {
				var out []string
				for i, c := range checks {
					if c.Checked {
						out = append(out, vals[i])
					}
				}
				return strings.Join(out, "\n")
			}
			input = box
		case core.FieldTextMulti, core.FieldJIDMulti:
			e := ff.textEntry(fl.Var, false)
			e.MultiLine = true
			e.Wrapping = fyne.TextWrapWord
			e.OnSubmitted = nil
			e.SetText(strings.Join(fl.Values, "\n"))
			input = e
		default: // text-single, text-private, jid-single
			text = ff.textEntry(fl.Var, fl.Kind == core.FieldTextPrivate)
			text.SetText(fl.Value())
			input = text
		}
		if ff.wrap != nil {
			input = ff.wrap(fl, input, text)
		}
		if fl.Desc != "" {
			d := widget.NewLabel(fl.Desc)
			d.Wrapping = fyne.TextWrapWord
			d.Importance = widget.LowImportance
			input = container.NewVBox(input, d)
		}
		add(signupLabel(label, fl.Required), input)
	}
}
