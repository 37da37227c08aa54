// Command bare is the floor Causerie's start is measured against
// (BenchmarkStartFloor, issue 16): a Fyne window with one label, built
// from the same module cache, doing nothing else. With -button, a button
// is under the label: the floor of any window with a button, whose text
// is bold (Fyne loads the bold faces beside the regular ones).
package main

import (
	"flag"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

func main() {
	button := flag.Bool("button", false, "show a button under the label")
	flag.Parse()
	a := app.NewWithID("org.causerie.BareFloor")
	w := a.NewWindow("Bare Fyne floor")
	var content fyne.CanvasObject = widget.NewLabel("A bare Fyne window")
	if *button {
		content = container.NewVBox(content, widget.NewButton("A button", func() {}))
	}
	w.SetContent(content)
	w.Resize(fyne.NewSize(340, 600))
	w.ShowAndRun()
}
