package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// composerEntry is the message box: a multi-line entry where Enter sends
// and Shift+Enter starts a new line.
//
// Fyne 2.7 delivers Shift+Enter as a plain TypedKey(KeyReturn): the
// desktop driver only turns keys with Ctrl, Alt or Super into a
// desktop.CustomShortcut, never Shift alone. So the entry tracks Shift
// itself from KeyDown/KeyUp (and asks the desktop driver's current
// modifiers when there is one); a CustomShortcut{KeyReturn, Shift} is
// honoured too in case a driver sends one.
type composerEntry struct {
	widget.Entry
	onSend func()
	// onShortcut gets the window's shortcuts (tab switching, closing)
	// that an entry would otherwise swallow; true when handled.
	onShortcut func(fyne.Shortcut) bool
	// onUp is Up in an empty box (edit the last message), onEscape is
	// Escape; both may be nil.
	onUp, onEscape func()
	// onPasteEmpty is a paste that finds no text on the clipboard (it
	// may hold a picture); nil: nothing happens.
	onPasteEmpty func()
	shift        bool
}

func newComposerEntry() *composerEntry {
	e := &composerEntry{}
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapWord
	e.ExtendBaseWidget(e)
	e.SetMinRowsVisible(2)
	return e
}

func (e *composerEntry) shiftHeld() bool {
	if e.shift {
		return true
	}
	if d, ok := fyne.CurrentApp().Driver().(desktop.Driver); ok {
		return d.CurrentKeyModifiers()&fyne.KeyModifierShift != 0
	}
	return false
}

// KeyDown tracks Shift.
func (e *composerEntry) KeyDown(k *fyne.KeyEvent) {
	if k.Name == desktop.KeyShiftLeft || k.Name == desktop.KeyShiftRight {
		e.shift = true
	}
	e.Entry.KeyDown(k)
}

// KeyUp tracks Shift.
func (e *composerEntry) KeyUp(k *fyne.KeyEvent) {
	if k.Name == desktop.KeyShiftLeft || k.Name == desktop.KeyShiftRight {
		e.shift = false
	}
	e.Entry.KeyUp(k)
}

// FocusLost forgets Shift (its release may go to another widget).
func (e *composerEntry) FocusLost() {
	e.shift = false
	e.Entry.FocusLost()
}

// TypedKey sends on Enter, inserts a newline on Shift+Enter.
func (e *composerEntry) TypedKey(k *fyne.KeyEvent) {
	switch {
	case (k.Name == fyne.KeyReturn || k.Name == fyne.KeyEnter) && !e.shiftHeld():
		if e.onSend != nil {
			e.onSend()
		}
		return
	case k.Name == fyne.KeyUp && e.Text == "" && e.onUp != nil:
		e.onUp()
		return
	case k.Name == fyne.KeyEscape && e.onEscape != nil:
		e.onEscape()
		return
	}
	e.Entry.TypedKey(k)
}

// TypedShortcut handles Shift+Enter sent as a shortcut and hands window
// shortcuts on.
func (e *composerEntry) TypedShortcut(s fyne.Shortcut) {
	if p, ok := s.(*fyne.ShortcutPaste); ok && e.onPasteEmpty != nil && p.Clipboard != nil && p.Clipboard.Content() == "" {
		e.onPasteEmpty()
		return
	}
	if cs, ok := s.(*desktop.CustomShortcut); ok {
		if (cs.KeyName == fyne.KeyReturn || cs.KeyName == fyne.KeyEnter) && cs.Modifier == fyne.KeyModifierShift {
			e.Entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
			return
		}
		if cs.Modifier == fyne.KeyModifierShortcutDefault && e.format(cs.KeyName) {
			return
		}
		if e.onShortcut != nil && e.onShortcut(s) {
			return
		}
	}
	e.Entry.TypedShortcut(s)
}
