// Command causerie is a desktop XMPP chat client.
//
// main is wiring only: flags, the Fyne application, and its windows. The
// protocol lives in core/xmpp, the application model in core, the windows
// in ui.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/assets"
	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/account"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/instance"
	"github.com/causerie/causerie/ui"
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
	configDir := flag.String("config", "", "directory of the account list (default: the user config dir)")
	dataPath := flag.String("history", "", "history database file (default: in the user data dir)")
	passwordStdin := flag.Bool("password-stdin", false, "read the password of the accounts from the first line of standard input (for scripts such as make demo)")
	flag.Parse()

	if *showVersion {
		fmt.Println("causerie", version)
		return
	}

	// One running copy per configuration: a second launch (say, from an
	// xmpp: link on the desktop) hands its arguments over and exits.
	dir := *configDir
	if dir == "" {
		dir, _ = account.DefaultDir()
	}
	if dir != "" && !*passwordStdin && instance.Send(dir, flag.Args()) == nil {
		return
	}

	if err := checkDisplay(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}

	a := app.NewWithID(appID)
	// The language chosen in the preferences, else the system's.
	ui.SetLanguageEnv(ui.LanguagePreference(a))
	if err := ui.LoadTranslations(); err != nil {
		fmt.Fprintln(os.Stderr, "causerie: translations:", err)
	}
	a.SetIcon(assets.Icon)

	client, err := openClient(*configDir, *dataPath)
	if err != nil {
		// Tell the person in a window, not only on a terminal they may not have.
		w := a.NewWindow("Causerie")
		w.SetContent(widget.NewLabel(err.Error()))
		w.Resize(fyne.NewSize(520, 160))
		w.ShowAndRun()
		os.Exit(1)
	}
	if *passwordStdin {
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && line == "" {
			fmt.Fprintln(os.Stderr, "causerie: -password-stdin: no password on standard input")
			os.Exit(2)
		}
		for _, s := range client.Sessions() {
			s.SetPassword(strings.TrimRight(line, "\r\n"))
		}
	}
	gui := ui.New(a, client, version)
	if os.Getenv("CAUSERIE_TRACE") != "" {
		// Milestones on stderr, for start-up benchmarks (make bench).
		gui.Trace = func(m string) { fmt.Fprintln(os.Stderr, "causerie-trace:", m) }
	}
	gui.Start()
	for _, arg := range flag.Args() {
		gui.HandleURI(arg)
	}
	if dir != "" {
		srv, err := instance.Listen(dir, func(args []string) {
			fyne.Do(func() {
				gui.Raise()
				for _, arg := range args {
					gui.HandleURI(arg)
				}
			})
		})
		if err == nil {
			defer srv.Close()
		}
	}
	a.Run()
	gui.Stop()
	client.Close()
	client.Store().Close()
}

// openClient opens the account list, the keyring and the history.
func openClient(configDir, dataPath string) (*core.Client, error) {
	var err error
	if configDir == "" {
		if configDir, err = account.DefaultDir(); err != nil {
			return nil, fmt.Errorf("Causerie cannot find your configuration folder: %v", err)
		}
	}
	accounts, err := account.OpenStore(configDir)
	if err != nil {
		return nil, fmt.Errorf("Causerie cannot read its account list in %s: %v", configDir, err)
	}
	if dataPath == "" {
		if dataPath, err = history.DefaultPath(); err != nil {
			return nil, fmt.Errorf("Causerie cannot find your data folder: %v", err)
		}
	}
	store, err := history.Open(dataPath)
	if err != nil {
		return nil, fmt.Errorf("Causerie cannot open its message history %s: %v", dataPath, err)
	}
	return core.NewClient(accounts, account.NewKeyring(), store, core.Options{DefaultResource: "causerie", ClientVersion: version, Features: ui.Features}), nil
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
