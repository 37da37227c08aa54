package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/muc"
	"github.com/causerie/causerie/core/picture"
	"github.com/causerie/causerie/core/safetext"
	"github.com/causerie/causerie/core/upload"
)

// Sending files (XEP-0363) from a chat tab: the attach button (Ctrl+O)
// with the system's file picker, or files dropped on the chat window;
// a dialog shows what will be sent (names, sizes, a preview of a
// picture), the server's limit checked first; then a bar under the
// transcript says which file is going, how far, with Cancel; what went
// wrong is said in words, with Retry.

// fileBar is a tab's file sending: the one going and those waiting.
type fileBar struct {
	box     *fyne.Container
	label   *widget.Label
	bar     *widget.ProgressBar
	stop    *widget.Button // Cancel while sending, the close button after a failure
	retry   *widget.Button
	cancel  context.CancelFunc // the upload going, nil when none
	waiting []upload.File
	failed  *upload.File // the file Retry sends again
}

// progressUpdates coalesces an upload's progress, reported from the HTTP
// transport's goroutine, into at most one update of the bar queued for
// the UI goroutine at a time; none once the upload is over.
type progressUpdates struct {
	mu          sync.Mutex
	done, total int64
	queued      bool
	over        bool
}

func (c *chatConversation) buildFileBar() {
	f := &fileBar{label: widget.NewLabel(""), bar: widget.NewProgressBar()}
	f.label.Truncation = fyne.TextTruncateEllipsis
	f.stop = widget.NewButtonWithIcon(lang.L("Cancel"), theme.CancelIcon(), c.stopFiles)
	f.retry = widget.NewButtonWithIcon(lang.L("Retry"), theme.ViewRefreshIcon(), c.retryFile)
	f.retry.Hide()
	f.box = container.NewBorder(nil, nil, nil, container.NewHBox(f.retry, f.stop), container.NewVBox(f.label, f.bar))
	f.box.Hide()
	c.files = f
}

// attach (the paper clip, Ctrl+O) picks files to send.
func (c *chatConversation) attach() {
	d := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
		if err != nil || rc == nil {
			return
		}
		path := rc.URI().Path()
		rc.Close()
		c.offerFiles([]string{path})
	}, c.win.win)
	d.Resize(fyne.NewSize(720, 520))
	d.Show()
}

// dropped takes files dropped on the chat window for this tab.
func (c *chatConversation) dropped(uris []fyne.URI) {
	var paths []string
	for _, u := range uris {
		if u.Scheme() == "file" {
			paths = append(paths, u.Path())
		}
	}
	if len(paths) > 0 {
		c.offerFiles(paths)
	}
}

// maxPreview is the largest picture read for the send dialog's preview.
const maxPreview = 8 << 20

// offerFiles reads what paths are (off the UI goroutine), checks them
// against the server's limit, and asks before sending them.
func (c *chatConversation) offerFiles(paths []string) {
	up := upload.Of(c.session)
	if up == nil {
		return
	}
	if c.room != nil && c.room.private != "" {
		// A file through a room goes to everyone: not while the box
		// writes to one occupant alone.
		c.showNotice(lang.L("Files go to everyone in the room. Press Escape to write to everyone, then send the file."))
		return
	}
	var files []upload.File
	var limit int64
	var preview []byte
	enc, jid := omemoOf(c.session), c.key.JID
	c.win.app.background(func() error {
		if c.room == nil && enc != nil && enc.Enabled(context.Background(), jid) {
			return core.ErrFileNotEncrypted // not uploaded for nothing
		}
		for _, p := range paths {
			f, err := upload.FromPath(p)
			if err != nil {
				return err
			}
			files = append(files, f)
		}
		ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
		defer cancel()
		var err error
		if limit, err = up.Limit(ctx); err != nil {
			return err
		}
		for _, f := range files {
			if limit > 0 && f.Size > limit {
				return &upload.TooLargeError{Size: f.Size, Limit: limit}
			}
		}
		if len(files) == 1 && files[0].Size <= maxPreview && strings.HasPrefix(files[0].ContentType(), "image/") {
			preview = previewOf(paths[0], files[0].ContentType())
		}
		return nil
	}, func(err error) {
		if err != nil {
			c.showNotice(lang.L("Not sent: {{.Reason}}", map[string]any{"Reason": fileProblem(err)}))
			return
		}
		c.confirmFiles(files, preview)
	})
}

// previewOf is a small PNG of the picture at path (at most maxPreview
// bytes read, through the bounded path with the limits of a local
// photo), nil when there is none to show.
func previewOf(path, typ string) []byte {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxPreview+1))
	if err != nil || len(b) > maxPreview {
		return nil
	}
	png, _, _, err := picture.ThumbnailWithin(b, typ, 240, picture.Local)
	if err != nil {
		return nil
	}
	return png
}

// confirmFiles shows what will be sent; Send sends it.
func (c *chatConversation) confirmFiles(files []upload.File, preview []byte) {
	box := container.NewVBox()
	if preview != nil {
		img := canvas.NewImageFromResource(fyne.NewStaticResource("preview.png", preview))
		img.FillMode = canvas.ImageFillContain
		img.SetMinSize(fyne.NewSize(240, 180))
		box.Add(img)
	}
	for _, f := range files {
		l := widget.NewLabel(lang.L("{{.Name}} ({{.Size}})", map[string]any{"Name": safetext.Isolate(f.Name), "Size": byteSize(f.Size)}))
		l.Truncation = fyne.TextTruncateEllipsis
		box.Add(l)
	}
	title := lang.L("Send this file to {{.Name}}?", map[string]any{"Name": c.displayName()})
	if len(files) > 1 {
		title = lang.L("Send these {{.Count}} files to {{.Name}}?", map[string]any{"Count": len(files), "Name": c.displayName()})
	}
	d := dialog.NewCustomConfirm(title, lang.L("Send"), lang.L("Cancel"), box, func(ok bool) {
		if ok {
			c.sendFiles(files)
		}
	}, c.win.win)
	d.Resize(fyne.NewSize(420, 0))
	d.Show()
}

// sendFiles sends files one after the other.
func (c *chatConversation) sendFiles(files []upload.File) {
	c.files.waiting = append(c.files.waiting, files...)
	if c.files.cancel == nil {
		c.nextFile()
	}
}

// nextFile starts sending the first file waiting, or hides the bar.
func (c *chatConversation) nextFile() {
	f := c.files
	if len(f.waiting) == 0 {
		f.box.Hide()
		return
	}
	file := f.waiting[0]
	f.waiting = f.waiting[1:]
	f.failed = nil
	f.retry.Hide()
	f.stop.SetText(lang.L("Cancel"))
	f.label.SetText(lang.L("Sending {{.Name}}…", map[string]any{"Name": safetext.Isolate(file.Name)}))
	f.bar.SetValue(0)
	f.bar.Show()
	f.box.Show()
	ctx, cancel := context.WithCancel(context.Background())
	f.cancel = cancel
	up, rooms, jid, room := upload.Of(c.session), muc.Of(c.session), c.key.JID, c.room != nil
	pu := &progressUpdates{}
	progress := func(done, total int64) {
		pu.mu.Lock()
		defer pu.mu.Unlock()
		pu.done, pu.total = done, total
		if pu.queued || pu.over {
			return
		}
		pu.queued = true
		c.win.app.do(func() {
			pu.mu.Lock()
			done, total, over := pu.done, pu.total, pu.over
			pu.queued = false
			pu.mu.Unlock()
			if !over && total > 0 {
				f.bar.SetValue(float64(done) / float64(total))
			}
		})
	}
	c.win.app.background(func() error {
		if room && !rooms.In(jid) {
			return muc.ErrNotInRoom // not uploaded for nothing
		}
		if file.Path != "" {
			// As it is now: it may have changed since it was chosen
			// (and before a Retry).
			fresh, err := upload.FromPath(file.Path)
			if err != nil {
				return err
			}
			file = fresh
		}
		if room {
			get, err := up.Upload(ctx, file, progress)
			if err != nil {
				return err
			}
			_, err = rooms.SayFile(jid, get, file.Path, file.Size)
			return err
		}
		_, err := up.Send(ctx, jid, file, progress)
		return err
	}, func(err error) {
		pu.mu.Lock()
		pu.over = true
		pu.mu.Unlock()
		cancelled := ctx.Err() != nil
		cancel()
		f.cancel = nil
		switch {
		case err == nil:
			c.nextFile()
		case cancelled:
			f.waiting = nil
			f.box.Hide()
		default:
			f.failed = &file
			f.bar.Hide()
			f.label.SetText(lang.L("{{.Name}} was not sent: {{.Reason}}", map[string]any{"Name": safetext.Isolate(file.Name), "Reason": fileProblem(err)}))
			f.retry.Show()
			f.stop.SetText(lang.L("Close"))
		}
	})
}

// dropFiles stops everything the tab was sending (it closes).
func (c *chatConversation) dropFiles() {
	if c.files == nil {
		return
	}
	c.files.waiting, c.files.failed = nil, nil
	if c.files.cancel != nil {
		c.files.cancel()
	}
}

// stopFiles cancels the file going and those waiting, or closes the
// bar after a failure.
func (c *chatConversation) stopFiles() {
	f := c.files
	f.waiting = nil
	if f.cancel != nil {
		f.cancel()
		return
	}
	f.failed = nil
	f.box.Hide()
}

// retryFile sends the file that failed again.
func (c *chatConversation) retryFile() {
	f := c.files
	if f.failed == nil || f.cancel != nil {
		return
	}
	f.waiting = append([]upload.File{*f.failed}, f.waiting...)
	c.nextFile()
}

// fileProblem says in words why a file was not sent.
func fileProblem(err error) string {
	var tl *upload.TooLargeError
	var he *upload.HTTPError
	switch {
	case errors.As(err, &tl):
		return lang.L("the file is too large: {{.Size}}, and your server takes at most {{.Limit}}.",
			map[string]any{"Size": byteSize(tl.Size), "Limit": byteSize(tl.Limit)})
	case errors.Is(err, upload.ErrTooLarge):
		return lang.L("the file is too large for your server.")
	case errors.Is(err, upload.ErrNoService):
		return lang.L("your server does not offer sending files.")
	case errors.Is(err, upload.ErrQuota):
		return lang.L("you have sent as much as your server allows for now. Try again later.")
	case errors.Is(err, upload.ErrForbidden):
		return lang.L("your server does not let this account send files.")
	case errors.As(err, &he) && he.Denied():
		return lang.L("your server's file service refused the file.")
	case errors.As(err, &he):
		return lang.L("your server's file service failed ({{.Status}}).", map[string]any{"Status": he.Status})
	case errors.Is(err, upload.ErrChanged):
		return lang.L("the file changed while it was being sent.")
	case errors.Is(err, upload.ErrNotFile):
		return lang.L("only files can be sent, not folders.")
	case errors.Is(err, os.ErrNotExist):
		return lang.L("the file is no longer there.")
	case errors.Is(err, os.ErrPermission):
		return lang.L("Causerie is not allowed to read this file.")
	case errors.Is(err, muc.ErrNotInRoom):
		return roomProblem(err)
	case errors.Is(err, core.ErrFileNotEncrypted):
		return lang.L("files cannot be sent encrypted yet: turn encryption off in this chat (🔒) to send it in the clear.")
	case core.Classify(err) == core.ProblemCertificate:
		return lang.L("the certificate of your server's file service is not trusted.")
	case errors.Is(err, context.DeadlineExceeded):
		return lang.L("your server's file service did not answer in time.")
	case errors.Is(err, upload.ErrCut):
		return lang.L("the connection was cut while the file was being sent.")
	case errors.Is(err, upload.ErrUnreachable):
		return lang.L("your server's file service could not be reached.")
	}
	return Explain(err)
}

// byteSize is n bytes in words: "512 bytes", "3 KB", "1.5 MB", with the
// language's decimal separator.
func byteSize(n int64) string {
	dec := func(v float64) string {
		s := fmt.Sprintf("%.1f", v)
		s = strings.TrimSuffix(s, ".0")
		return strings.Replace(s, ".", lang.X("ui.decimal", "."), 1)
	}
	switch {
	case n < 1000:
		return lang.L("{{.N}} bytes", map[string]any{"N": n})
	case n < 1000*1000:
		return lang.L("{{.N}} KB", map[string]any{"N": dec(float64(n) / 1e3)})
	case n < 1000*1000*1000:
		return lang.L("{{.N}} MB", map[string]any{"N": dec(float64(n) / 1e6)})
	}
	return lang.L("{{.N}} GB", map[string]any{"N": dec(float64(n) / 1e9)})
}
