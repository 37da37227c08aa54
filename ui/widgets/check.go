package widgets

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

var _ fyne.Focusable = (*Check)(nil)

// Check is a check box that reports Escape.
type Check struct {
	widget.Check
	// OnEscape is called on Escape; nil leaves Escape to the check box.
	OnEscape func()
}

// NewCheck makes a check box labelled text that calls onEscape on Escape.
func NewCheck(text string, onEscape func()) *Check {
	c := &Check{OnEscape: onEscape}
	c.Text = text
	c.ExtendBaseWidget(c)
	return c
}

// TypedKey handles Escape, the rest as a check box does.
func (c *Check) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape && c.OnEscape != nil {
		c.OnEscape()
		return
	}
	c.Check.TypedKey(k)
}
