package ui

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/core/account"
	"github.com/causerie/causerie/core/history"
)

// StartStep names what main was doing when Causerie could not start.
type StartStep int

const (
	StartConfigDir StartStep = iota // finding the configuration folder
	StartAccounts                   // reading the account list
	StartDataDir                    // finding the data folder
	StartHistory                    // opening the message history
)

// StartError is why Causerie could not start: the step, the file or
// folder concerned and the error.
type StartError struct {
	Step StartStep
	Path string
	Err  error
}

func (e *StartError) Error() string { return fmt.Sprintf("%s: %v", e.Path, e.Err) }
func (e *StartError) Unwrap() error { return e.Err }

// Words says what went wrong and what the person can do, in words.
func (e *StartError) Words() string {
	var what string
	switch e.Step {
	case StartConfigDir:
		return lang.L("Causerie cannot find your configuration folder. Set the HOME environment variable (or XDG_CONFIG_HOME) and start it again.")
	case StartDataDir:
		return lang.L("Causerie cannot find the folder for its message history. Set the HOME environment variable (or XDG_DATA_HOME) and start it again.")
	case StartAccounts:
		what = lang.L("Causerie cannot read its account list, {{.Path}}.", map[string]any{"Path": e.Path})
	default:
		what = lang.L("Causerie cannot open its message history, {{.Path}}.", map[string]any{"Path": e.Path})
	}
	var why string
	switch {
	case errors.Is(e.Err, fs.ErrPermission):
		why = lang.L("It is not allowed to read or write there: check the permissions of the file and of its folder.")
	case errors.Is(e.Err, syscall.ENOSPC):
		why = lang.L("The disk is full: make room and start Causerie again.")
	case errors.Is(e.Err, history.ErrNewerVersion):
		why = lang.L("It was written by a newer version of Causerie: start that version again.")
	case errors.Is(e.Err, account.ErrCorruptFile):
		why = lang.L("The file is damaged or comes from a newer version of Causerie. Move it aside to start with no account; your messages are kept.")
	case e.Step == StartHistory:
		why = lang.L("The file may be damaged, or used by a program that locks it. Move it aside to start with an empty history.")
	default:
		why = lang.L("The file may be damaged. Move it aside to start with no account; your messages are kept.")
	}
	return what + "\n\n" + why
}

// ShowStartError tells the person why Causerie could not start, in a
// window (they may have no terminal), and runs the app until it is
// closed, in w if it is not nil. The technical detail goes to standard
// error for bug reports.
func ShowStartError(fa fyne.App, w fyne.Window, e *StartError) {
	fmt.Fprintln(os.Stderr, "causerie:", e)
	if w == nil {
		w = fa.NewWindow("")
	}
	w.SetTitle(lang.L("Causerie cannot start"))
	text := widget.NewLabel(e.Words())
	text.Wrapping = fyne.TextWrapWord
	quit := widget.NewButton(lang.L("Quit"), fa.Quit)
	quit.Importance = widget.HighImportance
	// In a scroll: a wrapped label's own height is that of one word per
	// line, which would make the window as tall as the screen.
	w.SetContent(container.NewBorder(nil, container.NewHBox(layout.NewSpacer(), quit), nil, nil, container.NewVScroll(text)))
	w.Canvas().SetOnTypedKey(func(k *fyne.KeyEvent) {
		if k.Name == fyne.KeyEscape || k.Name == fyne.KeyReturn || k.Name == fyne.KeyEnter {
			fa.Quit()
		}
	})
	w.Resize(fyne.NewSize(520, 220))
	w.ShowAndRun()
}
