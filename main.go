// Command causerie is a desktop XMPP chat client.
//
// main is wiring only: flags, the Fyne application, and its windows. The
// protocol lives in core/xmpp, the application model in core, the windows
// in ui.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/assets"
)

// appID is the reverse-DNS application ID (also in FyneApp.toml and the
// desktop file).
const appID = "org.causerie.Causerie"

// version is overridden at build time:
//
//	go build -ldflags "-X main.version=1.2.3" .
var version = "0.1.0-dev"

func main() {
	showVersion := flag.Bool("version", false, "print the version and exit")
	flag.Parse()

	if *showVersion {
		fmt.Println("causerie", version)
		return
	}

	if err := checkDisplay(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}

	a := app.NewWithID(appID)
	a.SetIcon(assets.Icon)

	w := a.NewWindow("Causerie")
	w.SetContent(container.NewCenter(container.NewVBox(
		widget.NewLabelWithStyle("Causerie", fyne.TextAlignCenter, fyne.TextStyle{Bold: true}),
		widget.NewLabelWithStyle("Version "+version, fyne.TextAlignCenter, fyne.TextStyle{}),
		widget.NewLabelWithStyle("The sign-in window arrives with the desktop-app issue.",
			fyne.TextAlignCenter, fyne.TextStyle{}),
	)))
	w.Resize(fyne.NewSize(480, 320))
	w.ShowAndRun()
}

// checkDisplay reports a clear error instead of letting Fyne panic when
// there is no graphical display to open a window on.
func checkDisplay() error {
	if runtime.GOOS != "linux" {
		return nil
	}
	if os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != "" {
		return nil
	}
	return errors.New("Causerie needs a graphical display, but neither DISPLAY nor WAYLAND_DISPLAY is set.\n" +
		"Run it inside a desktop session (or under Xvfb: xvfb-run causerie).")
}
