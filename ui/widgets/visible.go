package widgets

import "fyne.io/fyne/v2"

// SetVisible shows o when v is true, else hides it.
func SetVisible(o fyne.CanvasObject, v bool) {
	if v {
		o.Show()
	} else {
		o.Hide()
	}
}
