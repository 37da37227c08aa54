package widgets

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
)

// TestEscapeReported: Escape in an entry or a check box calls OnEscape
// and nothing else; without one, the widget handles it.
func TestEscapeReported(t *testing.T) {
	test.NewTempApp(t)
	escapes := 0
	e := NewEntry(func() { escapes++ })
	c := NewCheck("Remember", func() { escapes++ })
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	c.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if escapes != 2 {
		t.Fatalf("%d escapes reported, want 2", escapes)
	}
	plain, box := NewEntry(nil), NewCheck("", nil)
	test.NewTempWindow(t, container.NewVBox(plain, box))
	plain.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	box.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
}

// TestDigitsOnly: a numeric entry keeps the digits typed or pasted; a
// plain one keeps everything.
func TestDigitsOnly(t *testing.T) {
	a := test.NewTempApp(t)
	port := NewEntry(nil)
	port.Digits = true
	test.Type(port, "52a2-2")
	a.Clipboard().SetContent("x5:2")
	port.TypedShortcut(&fyne.ShortcutPaste{Clipboard: a.Clipboard()})
	if port.Text != "522252" {
		t.Errorf("numeric entry holds %q, want 522252", port.Text)
	}
	plain := NewEntry(nil)
	test.Type(plain, "a1-")
	if plain.Text != "a1-" {
		t.Errorf("plain entry holds %q", plain.Text)
	}
}
