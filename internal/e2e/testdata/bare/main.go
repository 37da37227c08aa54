// Command bare is the floor Causerie's start is measured against
// (BenchmarkStartFloor, issue 16): a Fyne window with one label, built
// from the same module cache, doing nothing else.
package main

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"
)

func main() {
	a := app.NewWithID("org.causerie.BareFloor")
	w := a.NewWindow("Bare Fyne floor")
	w.SetContent(widget.NewLabel("A bare Fyne window"))
	w.Resize(fyne.NewSize(340, 600))
	w.ShowAndRun()
}
