package ui

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2/lang"
	"golang.design/x/clipboard"
)

// Fyne 2.7's clipboard holds text only; a picture copied in another
// application (a screenshot, an image copied in a browser) is read
// through golang.design/x/clipboard, which asks the system for PNG
// (X11's image/png target, Windows' and macOS's bitmaps).

// errClipboardSlow: the application that holds the clipboard did not
// give it in time.
var errClipboardSlow = errors.New("the clipboard did not answer")

// clipboardWait bounds a read of the clipboard: the application that
// holds it answers, and may never.
const clipboardWait = 3 * time.Second

// clipboardPicture is the picture on the system's clipboard as PNG, nil
// when there is none (or no clipboard to read). Not on Fyne's
// goroutine: the application holding the clipboard answers the read.
func clipboardPicture() ([]byte, error) {
	if err := clipboard.Init(); err != nil {
		return nil, nil // no clipboard we can read (no X display)
	}
	got := make(chan []byte, 1)
	go func() { got <- clipboard.Read(clipboard.FmtImage) }()
	select {
	case b := <-got:
		return b, nil
	case <-time.After(clipboardWait):
		return nil, errClipboardSlow
	}
}

// pastedDir is where pasted pictures are written before they are sent
// (files are sent from disk, a Retry reads them again, and the sent
// message shows its picture from there): beside the image cache.
// Pictures pasted more than pastedKept ago are removed.
func (a *App) pastedDir() string {
	if a.images == nil || a.images.Dir() == "" {
		return ""
	}
	return filepath.Join(filepath.Dir(a.images.Dir()), "pasted")
}

// pastedKept is how long a pasted picture is kept.
const pastedKept = 7 * 24 * time.Hour

// savePasted writes a pasted picture into dir under a name of its own
// that says when it was pasted, and removes those pasted over pastedKept
// ago.
func savePasted(dir string, png []byte, now time.Time) (string, error) {
	if dir == "" {
		return "", errors.New("no folder for pasted pictures")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	if old, err := os.ReadDir(dir); err == nil {
		for _, e := range old {
			if info, err := e.Info(); err == nil && now.Sub(info.ModTime()) > pastedKept {
				os.Remove(filepath.Join(dir, e.Name()))
			}
		}
	}
	// Two pastes in one second get two names (CreateTemp's number).
	f, err := os.CreateTemp(dir, strings.ReplaceAll(lang.L("picture"), "/", "_")+"-"+now.Format("2006-01-02-150405")+"-*.png")
	if err != nil {
		return "", err
	}
	_, err = f.Write(png)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// pastePicture offers to send the picture on the clipboard (the text
// paste found no text): the send dialog shows it, as a dropped file.
func (c *chatConversation) pastePicture() {
	var path string
	var none bool
	dir := c.win.app.pastedDir()
	c.win.app.background(func() error {
		png, err := clipboardPicture()
		if err != nil || png == nil {
			none = png == nil
			return err
		}
		path, err = savePasted(dir, png, time.Now())
		return err
	}, func(err error) {
		switch {
		case errors.Is(err, errClipboardSlow):
			c.showNotice(lang.L("The picture could not be pasted: the application it was copied from did not give it in time."))
		case err != nil:
			c.showNotice(lang.L("The picture could not be pasted: it could not be saved on this computer."))
		case none:
			// Nothing to paste: as an empty paste of text.
		default:
			c.offerFiles([]string{path})
		}
	})
}
