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
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/trace"
	"slices"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/causerie/causerie/assets"
	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/account"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/instance"
	"github.com/causerie/causerie/core/omemo"
	"github.com/causerie/causerie/core/omemo/keys"
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
	resumeGC := pauseGC()
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

	// The history opens beside the toolkit's start (issue 16: nothing the
	// first frame does not need runs before it on the UI goroutine).
	hist := openHistory(*dataPath)

	a := app.NewWithID(appID)
	fonts := loadFonts()
	// The language chosen in the preferences, else the system's.
	ui.SetLanguageEnv(ui.LanguagePreference(a))
	if err := ui.LoadTranslations(); err != nil {
		fmt.Fprintln(os.Stderr, "causerie: translations:", err)
	}
	// The windows' icon at 128 pixels: the window manager gets its pixels
	// for every window.
	a.SetIcon(assets.WindowIcon)
	// The first window starts the toolkit (about 40 ms) while the history
	// opens; the GUI shows its first window in it.
	first := a.NewWindow("Causerie")

	client, keyDB, err := openClient(*configDir, hist)
	if err != nil {
		// Tell the person in a window, not only on a terminal they may not
		// have; the collector runs while that window is up.
		resumeGC()
		ui.ShowStartError(a, first, err)
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
	gui.FirstWindow = first
	if os.Getenv("CAUSERIE_TRACE") != "" {
		// Milestones on stderr, for start-up benchmarks (make bench).
		gui.Trace = func(m string) { fmt.Fprintln(os.Stderr, "causerie-trace:", m) }
	}
	// The first window measures text: once the fonts are loaded (else it
	// would parse them a second time).
	<-fonts
	gui.Start()
	// The first frame is drawn (Start shows the window before the app
	// runs). What the start allocated and dropped (the fonts' parse, the
	// history's migrations, the translations' parse) is collected once and
	// goes back to the system, instead of staying mapped until the
	// scavenger's pace returns it; then the collector takes its pace
	// again. Resumed first, it would start a collection of its own at
	// once, its goal still that of the heap before the pause.
	go func() {
		debug.FreeOSMemory()
		resumeGC()
	}()
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
	if path := os.Getenv("CAUSERIE_IDLE_TRACE"); path != "" {
		go idleTrace(path, gui.Trace)
	}
	a.Run()
	gui.Stop()
	client.Close()
	client.Store().Close()
	if keyDB != nil {
		keyDB.Close()
	}
}

// startHeapLimit bounds the heap while the collector is paused for the
// start: past it, the collector runs anyway. The start allocates 28 MB
// with no account and 37 MB with 1,000 contacts cached.
const startHeapLimit = 256 << 20

// pauseGC pauses the garbage collector from the start until the first
// frame is drawn and what the start dropped is collected (issue 16). The
// heap grows from nothing to the fonts' faces then, through four or
// five collections that find little to free and take about a fifth of
// the CPU the fonts' parse has, while the window is made on the other
// core: on two cores the window came 26 ms later with them (medians of
// 20 alternated launches, with the pause and without). What the start
// drops is collected once, after the first frame. A memory limit stays
// as a bound, in case a start allocates far more than expected. resume
// puts back the collector's settings (GOGC and GOMEMLIMIT are honoured).
func pauseGC() (resume func()) {
	percent := debug.SetGCPercent(-1)
	limit := debug.SetMemoryLimit(-1)
	if limit > startHeapLimit {
		debug.SetMemoryLimit(startHeapLimit)
	}
	return func() {
		debug.SetMemoryLimit(limit)
		debug.SetGCPercent(percent)
	}
}

// openedHistory is the history store (and beside it the OMEMO keys'
// database, nil when that could not be opened: the app then runs without
// end-to-end encryption), or why it could not be opened.
type openedHistory struct {
	store *history.Store
	keys  *keys.DB
	err   *ui.StartError
}

// openHistory opens the history database in the background.
func openHistory(path string) <-chan openedHistory {
	c := make(chan openedHistory, 1)
	go func() {
		var err error
		if path == "" {
			if path, err = history.DefaultPath(); err != nil {
				c <- openedHistory{err: &ui.StartError{Step: ui.StartDataDir, Err: err}}
				return
			}
		}
		s, err := history.Open(path)
		if err != nil {
			c <- openedHistory{err: &ui.StartError{Step: ui.StartHistory, Path: path, Err: err}}
			return
		}
		kp := filepath.Join(filepath.Dir(path), "omemo.db")
		k, err := keys.Open(kp)
		if err != nil {
			fmt.Fprintf(os.Stderr, "causerie: %s: %v (no end-to-end encryption)\n", kp, err)
		}
		c <- openedHistory{store: s, keys: k}
	}()
	return c
}

// openClient opens the account list and the keyring, and makes the client
// once the history is open.
func openClient(configDir string, hist <-chan openedHistory) (*core.Client, *keys.DB, *ui.StartError) {
	var err error
	if configDir == "" {
		if configDir, err = account.DefaultDir(); err != nil {
			return nil, nil, &ui.StartError{Step: ui.StartConfigDir, Err: err}
		}
	}
	accounts, err := account.OpenStore(configDir)
	h := <-hist
	if err != nil {
		if h.store != nil {
			h.store.Close()
		}
		if h.keys != nil {
			h.keys.Close()
		}
		return nil, nil, &ui.StartError{Step: ui.StartAccounts, Path: filepath.Join(configDir, account.FileName), Err: err}
	}
	if h.err != nil {
		return nil, nil, h.err
	}
	features := ui.Features
	if h.keys != nil {
		ui.OMEMO = omemo.New(h.keys, keys.NewKeyring())
		features = append(slices.Clone(features), ui.OMEMO)
	}
	return core.NewClient(accounts, account.NewKeyring(), h.store, core.Options{DefaultResource: "causerie", ClientVersion: version, Features: features}), h.keys, nil
}

// loadFonts has Fyne load the faces of regular and bold text, each on its
// own goroutine, while the first window is made and the history opens;
// the channel is closed when both are loaded. A style's faces cost 30 to
// 50 ms to parse (the theme's font, the bundled emoji font, the system
// font for the language); Fyne's font cache is safe for concurrent use
// but does not share a load in progress, so the GUI must wait for them
// rather than meet a face still loading.
func loadFonts() <-chan struct{} {
	done := make(chan struct{})
	var wg sync.WaitGroup
	for _, style := range []fyne.TextStyle{{}, {Bold: true}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fyne.MeasureText("Causerie", 14, style)
		}()
	}
	go func() { wg.Wait(); close(done) }()
	return done
}

// idleTrace writes a Go execution trace of a minute of the app idling, 5 s
// after its start, to path (make bench: BenchmarkIdle shows that nothing
// of ours wakes while idle). milestone, if not nil, is told when it is
// written.
func idleTrace(path string, milestone func(string)) {
	time.Sleep(5 * time.Second)
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "causerie: idle trace:", err)
		return
	}
	defer f.Close()
	if err := trace.Start(f); err != nil {
		fmt.Fprintln(os.Stderr, "causerie: idle trace:", err)
		return
	}
	time.Sleep(time.Minute)
	trace.Stop()
	if milestone != nil {
		milestone("idle trace written")
	}
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
