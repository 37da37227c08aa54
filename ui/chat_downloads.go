package ui

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/picture"
	"github.com/causerie/causerie/core/safetext"
	"github.com/causerie/causerie/core/upload"
	"github.com/causerie/causerie/ui/transcript"
)

// prefAutoPictures is the largest picture from a contact shown without a
// tap, in bytes (0: never).
const prefAutoPictures = "files.autoPictures"

// autoPictureChoices are the sizes the preferences offer, the default
// first among the non-zero ones (1 MB: a phone's photo as the usual
// clients send it).
var autoPictureChoices = []int{0, 1_000_000, 4_000_000}

const defaultAutoPictures = 1_000_000

// fileActions is what a chat's transcript can do with the files its
// messages carry (transcript.Files): download them into the downloads
// folder with progress and Cancel, open the copy, show its folder.
type fileActions struct {
	c *chatConversation
	// downloading: the downloads going on, by message id (UI goroutine)
	downloading map[int64]*download
	// tried: the pictures fetched without a tap, once each
	tried map[string]bool
}

// download is a download going on.
type download struct {
	cancel context.CancelFunc
	mu     sync.Mutex
	got    int64
	total  int64
	queued bool
}

func newFileActions(c *chatConversation) *fileActions {
	return &fileActions{c: c, downloading: map[int64]*download{}, tried: map[string]bool{}}
}

// Info is the file's kind, and its size when known.
func (f *fileActions) Info(m history.Message) string {
	kind := kindOf(fileNameOf(m)).name()
	if m.FileSize > 0 {
		return lang.L("{{.Kind}}, {{.Size}}", map[string]any{"Kind": kind, "Size": byteSize(m.FileSize)})
	}
	return kind
}

// Icon is the file's kind's icon.
func (f *fileActions) Icon(m history.Message) fyne.Resource { return kindOf(fileNameOf(m)).icon() }

// fileNameOf is the name of the file m carries, from its address.
func fileNameOf(m history.Message) string {
	if u, err := url.Parse(m.OOB); err == nil {
		return path.Base(u.Path)
	}
	return path.Base(m.OOB)
}

// A fileKind is what a file is, from its name's extension.
type fileKind int

const (
	kindFile fileKind = iota
	kindPicture
	kindVideo
	kindSound
	kindPDF
	kindText
	kindDocument
	kindSpreadsheet
	kindArchive
)

var kindsByExt = map[string]fileKind{
	".png": kindPicture, ".jpg": kindPicture, ".jpeg": kindPicture, ".gif": kindPicture, ".webp": kindPicture,
	".heic": kindPicture, ".avif": kindPicture, ".bmp": kindPicture, ".svg": kindPicture, ".tif": kindPicture, ".tiff": kindPicture,
	".mp4": kindVideo, ".webm": kindVideo, ".mkv": kindVideo, ".mov": kindVideo, ".avi": kindVideo,
	".mp3": kindSound, ".ogg": kindSound, ".oga": kindSound, ".opus": kindSound, ".m4a": kindSound, ".aac": kindSound,
	".flac": kindSound, ".wav": kindSound,
	".pdf": kindPDF,
	".txt": kindText, ".md": kindText, ".csv": kindText, ".log": kindText,
	".odt": kindDocument, ".doc": kindDocument, ".docx": kindDocument, ".rtf": kindDocument,
	".ods": kindSpreadsheet, ".xls": kindSpreadsheet, ".xlsx": kindSpreadsheet,
	".zip": kindArchive, ".tar": kindArchive, ".gz": kindArchive, ".tgz": kindArchive, ".xz": kindArchive,
	".7z": kindArchive, ".rar": kindArchive, ".bz2": kindArchive, ".zst": kindArchive,
}

func kindOf(name string) fileKind { return kindsByExt[strings.ToLower(path.Ext(name))] }

func (k fileKind) name() string {
	switch k {
	case kindPicture:
		return lang.L("Picture")
	case kindVideo:
		return lang.L("Video")
	case kindSound:
		return lang.L("Sound")
	case kindPDF:
		return lang.L("PDF document")
	case kindText:
		return lang.L("Text")
	case kindDocument:
		return lang.L("Document")
	case kindSpreadsheet:
		return lang.L("Spreadsheet")
	case kindArchive:
		return lang.L("Archive")
	}
	return lang.L("File")
}

func (k fileKind) icon() fyne.Resource {
	switch k {
	case kindPicture:
		return theme.FileImageIcon()
	case kindVideo:
		return theme.FileVideoIcon()
	case kindSound:
		return theme.FileAudioIcon()
	case kindText:
		return theme.FileTextIcon()
	case kindPDF, kindDocument, kindSpreadsheet:
		return theme.DocumentIcon()
	case kindArchive:
		return theme.FileApplicationIcon()
	}
	return theme.FileIcon()
}

// Progress says how far a download is.
func (f *fileActions) Progress(id int64) (float64, bool) {
	d, ok := f.downloading[id]
	if !ok {
		return 0, false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.total <= 0 {
		return -1, true
	}
	return float64(d.got) / float64(d.total), true
}

// Download saves m's file into the downloads folder.
func (f *fileActions) Download(m history.Message) {
	c := f.c
	up := upload.Of(c.session)
	if up == nil {
		return
	}
	if _, going := f.downloading[m.ID]; going {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	d := &download{cancel: cancel, total: -1}
	f.downloading[m.ID] = d
	c.trans.Touch(m.ID)
	progress := func(got, total int64) {
		d.mu.Lock()
		defer d.mu.Unlock()
		d.got, d.total = got, total
		if d.queued {
			return
		}
		d.queued = true
		c.win.app.do(func() {
			d.mu.Lock()
			d.queued = false
			d.mu.Unlock()
			if f.downloading[m.ID] == d {
				c.trans.Touch(m.ID)
			}
		})
	}
	var saved history.Message
	c.win.app.background(func() error {
		dir, err := upload.DownloadsDir()
		if err != nil {
			return err
		}
		saved, err = up.Download(ctx, m, dir, progress)
		return err
	}, func(err error) {
		cancelled := ctx.Err() != nil
		cancel()
		delete(f.downloading, m.ID)
		switch {
		case err == nil:
			c.trans.SetFile(m.ID, saved.File, saved.FileSize)
			c.hideNotice()
		case cancelled:
			c.trans.Touch(m.ID)
		default:
			c.trans.Touch(m.ID)
			c.showNotice(lang.L("The file was not downloaded: {{.Reason}}", map[string]any{"Reason": downloadProblem(err)}))
		}
	})
}

// Cancel stops m's file's download; nothing of it is kept.
func (f *fileActions) Cancel(m history.Message) {
	if d, ok := f.downloading[m.ID]; ok {
		d.cancel()
	}
}

// Open hands the copy of m's file to the system's application for it,
// once it is known to be there still.
// A program (by its name) is opened only once the user confirms: the
// system would run it.
func (f *fileActions) Open(m history.Message) {
	if !isProgram(m.File) {
		f.withCopy(m, m.File)
		return
	}
	name := safetext.Isolate(filepath.Base(m.File))
	d := dialog.NewConfirm(lang.L("Run this program?"),
		lang.L("{{.Name}} is a program: opening it runs it on this computer, with everything your account may do. Open it only if you expected it from someone you trust.", map[string]any{"Name": name}),
		func(ok bool) {
			if ok {
				f.withCopy(m, m.File)
			}
		}, f.c.win.win)
	d.SetConfirmText(lang.L("Run it"))
	d.SetDismissText(lang.L("Cancel"))
	d.Show()
}

// programExts are the names the systems we run on may run when opened.
var programExts = map[string]bool{
	".exe": true, ".com": true, ".bat": true, ".cmd": true, ".scr": true, ".pif": true, ".msi": true, ".msp": true,
	".ps1": true, ".vbs": true, ".vbe": true, ".js": true, ".jse": true, ".wsf": true, ".wsh": true, ".hta": true,
	".cpl": true, ".lnk": true, ".reg": true, ".jar": true, ".desktop": true, ".sh": true, ".run": true, ".bin": true,
	".appimage": true, ".command": true, ".app": true, ".pkg": true, ".py": true, ".pl": true, ".deb": true, ".rpm": true,
	".terminal": true, ".fileloc": true, ".inetloc": true, ".webloc": true, ".dmg": true, ".scpt": true, ".url": true,
	".scf": true, ".chm": true, ".iso": true, ".img": true, ".vhd": true, ".vhdx": true, ".msix": true, ".appx": true,
	".appinstaller": true, ".xll": true, ".msc": true, ".psm1": true, ".inf": true, ".settingcontent-ms": true,
	".ps1xml": true, ".gadget": true, ".application": true, ".xbap": true, ".flatpakref": true, ".snap": true,
}

// isProgram says the file at p is named as a program.
func isProgram(p string) bool {
	return programExts[strings.ToLower(filepath.Ext(p))]
}

// ShowFolder opens the folder that holds the copy of m's file.
func (f *fileActions) ShowFolder(m history.Message) { f.withCopy(m, filepath.Dir(m.File)) }

// withCopy opens target (the copy of m's file, or its folder) if the
// copy is still there as it was; else it is forgotten and m's file
// shows Download again.
func (f *fileActions) withCopy(m history.Message, target string) {
	c := f.c
	up := upload.Of(c.session)
	if up == nil || m.File == "" {
		return
	}
	c.win.app.background(func() error {
		return up.Copy(m)
	}, func(err error) {
		switch {
		case errors.Is(err, upload.ErrCopyGone):
			c.trans.SetFile(m.ID, "", 0)
			c.showNotice(lang.L("{{.Name}} is no longer where it was saved. Download it again to open it.",
				map[string]any{"Name": safetext.Isolate(filepath.Base(m.File))}))
		case err != nil:
			c.showNotice(lang.L("The file could not be opened: {{.Reason}}", map[string]any{"Reason": downloadProblem(err)}))
		default:
			c.win.app.openFile(target)
		}
	})
}

// autoLoad fetches a contact's picture without a tap, once, within the
// size the preferences allow.
func (f *fileActions) autoLoad(src string) {
	if f.tried[src] {
		return
	}
	f.tried[src] = true
	max := int64(f.c.win.app.FyneApp.Preferences().IntWithFallback(prefAutoPictures, defaultAutoPictures))
	if max <= 0 {
		return
	}
	f.fetchPicture(src, max, false)
}

// fetchPicture fetches a file's picture (through the account's HTTPS
// client, so that a server's pinned certificate is trusted) of at most
// max bytes; tapped: the person asked, and a failure says so.
func (f *fileActions) fetchPicture(src string, max int64, tapped bool) {
	c := f.c
	up := upload.Of(c.session)
	images := c.win.app.images
	c.win.app.background(func() error {
		return images.FetchWith(src, func() ([]byte, error) {
			b, err := up.Picture(context.Background(), src, max, transcript.MaxShownSide)
			if !tapped && errors.Is(err, picture.ErrTooLarge) {
				// Over the size shown without asking, not too large to
				// show: not recorded, "Load image" stays.
				return nil, fmt.Errorf("%w: over the automatic limit", picture.ErrFetch)
			}
			return b, err
		})
	}, func(err error) {
		if err != nil && tapped {
			c.showNotice(lang.L("The image could not be loaded."))
			return
		}
		c.trans.RefreshAll()
	})
}

// autoPicture says which messages' pictures show without a tap: files
// alone from a contact in a one-to-one chat, while the preferences allow.
func (c *chatConversation) autoPicture(m history.Message) bool {
	return c.room == nil && c.inRoster && m.Direction == history.In && m.File == "" &&
		c.win.app.FyneApp.Preferences().IntWithFallback(prefAutoPictures, defaultAutoPictures) > 0
}

// stopDownloads cancels the tab's downloads (it closes).
func (f *fileActions) stopDownloads() {
	for _, d := range f.downloading {
		d.cancel()
	}
}

// openFile hands a file or folder on this computer to the system.
func (a *App) openFile(p string) {
	u := &url.URL{Scheme: "file", Path: filepath.ToSlash(p)}
	if !strings.HasPrefix(u.Path, "/") {
		u.Path = "/" + u.Path // C:/… on Windows
	}
	if a.OpenFile != nil {
		a.OpenFile(u)
		return
	}
	a.FyneApp.OpenURL(u)
}

// downloadProblem says in words why a file was not downloaded or opened.
func downloadProblem(err error) string {
	var he *upload.HTTPError
	switch {
	case errors.Is(err, upload.ErrNotHTTPS):
		return lang.L("its address is not secure (not https), so it was not fetched.")
	case errors.Is(err, upload.ErrStalled):
		return lang.L("the server stopped sending it. Try again later.")
	case errors.Is(err, upload.ErrNoFolder):
		return lang.L("there is no downloads folder to save it in.")
	case errors.As(err, &he) && he.Status == 404 || errors.As(err, &he) && he.Status == 410:
		return lang.L("the file is no longer on the server.")
	case errors.As(err, &he) && he.Denied():
		return lang.L("the server refused to give it.")
	case errors.As(err, &he):
		return lang.L("the server failed ({{.Status}}).", map[string]any{"Status": he.Status})
	case errors.Is(err, os.ErrPermission):
		return lang.L("Causerie is not allowed to write in the downloads folder.")
	case errors.Is(err, upload.ErrCut):
		return lang.L("the connection was cut during the download.")
	case errors.Is(err, upload.ErrUnreachable):
		return lang.L("the server that holds it could not be reached.")
	case core.Classify(err) == core.ProblemCertificate:
		return lang.L("the certificate of the server that holds it is not trusted.")
	case errors.Is(err, context.DeadlineExceeded):
		return lang.L("the server that holds it did not answer in time.")
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return lang.L("it could not be written to the disk (is it full?).")
	}
	return Explain(err)
}
