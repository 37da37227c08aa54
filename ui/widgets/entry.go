package widgets

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

var (
	_ fyne.Focusable    = (*Entry)(nil)
	_ fyne.Shortcutable = (*Entry)(nil)
)

// Entry is a single-line entry that reports Escape and, with Digits set,
// accepts digits only (typed or pasted). With Password set before it is
// shown, Fyne's own revealer shows or hides the text (see the package
// comment for why it is used).
type Entry struct {
	widget.Entry
	// OnEscape is called on Escape instead of the entry's own handling;
	// nil leaves Escape to the entry.
	OnEscape func()
	// Digits drops every character but 0 to 9.
	Digits bool
}

// NewEntry makes an entry that calls onEscape on Escape.
func NewEntry(onEscape func()) *Entry {
	e := &Entry{OnEscape: onEscape}
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	e.ExtendBaseWidget(e)
	return e
}

// TypedKey handles Escape, the rest as an entry does.
func (e *Entry) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape && e.OnEscape != nil {
		e.OnEscape()
		return
	}
	e.Entry.TypedKey(k)
}

// TypedRune drops non-digits in a numeric entry.
func (e *Entry) TypedRune(r rune) {
	if e.Digits && (r < '0' || r > '9') {
		return
	}
	e.Entry.TypedRune(r)
}

// TypedShortcut keeps pasted text numeric in a numeric entry.
func (e *Entry) TypedShortcut(s fyne.Shortcut) {
	if p, ok := s.(*fyne.ShortcutPaste); ok && e.Digits && p.Clipboard != nil {
		for _, r := range p.Clipboard.Content() {
			e.TypedRune(r)
		}
		return
	}
	e.Entry.TypedShortcut(s)
}
