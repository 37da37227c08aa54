package ui

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"

	"golang.design/x/clipboard"

	"github.com/causerie/causerie/internal/testserver"
)

// TestSendFileInGUI: a picture dropped on the chat window is shown in
// the send dialog (name, size, preview); Send uploads it, the bar shows
// while it goes, and the contact gets it as a file. A file over the
// server's limit is refused in words before anything is sent; a file
// gone before it is sent fails with Retry; Cancel stops an upload and
// nothing is sent.
func TestSendFileInGUI(t *testing.T) {
	ch := newChatHarness(t, true)
	h := ch.harness
	b := newPeer(t, h.server)
	conv := ch.open(b.jid)
	dir := t.TempDir()

	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for i := range img.Pix {
		img.Pix[i] = byte(i)
	}
	img.Set(0, 0, color.White)
	var buf bytes.Buffer
	png.Encode(&buf, img)
	pic := filepath.Join(dir, "moulinsart.png")
	if err := os.WriteFile(pic, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	conv.dropped([]fyne.URI{storage.NewFileURI(pic)})
	h.pump("the send dialog", func() bool { return strings.Contains(overlayTexts(h.app.chat.win), "moulinsart.png") })
	text := overlayTexts(h.app.chat.win)
	if !strings.Contains(text, "Send this file to") || !strings.Contains(text, "bytes") {
		t.Errorf("the dialog says %q", text)
	}
	if n := previewsShown(h.app.chat.win); n != 1 {
		t.Errorf("%d previews", n)
	}
	test.Tap(overlayButton(t, h.app.chat.win, "Send"))
	h.pump("B gets the picture", func() bool {
		ms, _ := b.session.History(ch.me, 10)
		return len(ms) == 1 && ms[0].OOB != "" && ms[0].Body == ms[0].OOB && strings.HasSuffix(ms[0].OOB, "moulinsart.png")
	})
	h.pump("the bar gone", func() bool { return !conv.files.box.Visible() })
	// Shown as the file's name (a link to it), not its address.
	ch.waitShown("moulinsart.png")
	if strings.Contains(ch.markup(), "file_share") {
		t.Error("the file's address is shown")
	}

	// Over the limit (a sparse file: no disk is used).
	big := filepath.Join(dir, "énorme.iso")
	if err := os.WriteFile(big, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	os.Truncate(big, testserver.UploadLimit+1)
	conv.offerFiles([]string{big})
	h.pump("refused", func() bool { return conv.notice.Visible() })
	if !strings.Contains(conv.notice.Text, "the file is too large: 67.1 MB, and your server takes at most 67.1 MB.") {
		t.Errorf("notice %q", conv.notice.Text)
	}

	// Gone before it is sent: the bar says so, with Retry.
	gone := filepath.Join(dir, "parti.txt")
	os.WriteFile(gone, []byte("ici"), 0o600)
	conv.offerFiles([]string{gone})
	h.pump("the send dialog", func() bool { return strings.Contains(overlayTexts(h.app.chat.win), "parti.txt") })
	os.Remove(gone)
	test.Tap(overlayButton(t, h.app.chat.win, "Send"))
	h.pump("failed", func() bool { return conv.files.retry.Visible() })
	if !strings.Contains(conv.files.label.Text, "parti.txt was not sent: the file is no longer there.") {
		t.Errorf("bar %q", conv.files.label.Text)
	}
	os.WriteFile(gone, []byte("revenu"), 0o600)
	test.Tap(conv.files.retry)
	h.pump("sent on Retry", func() bool {
		ms, _ := b.session.History(ch.me, 10)
		return len(ms) == 2 && strings.HasSuffix(ms[len(ms)-1].OOB, "parti.txt")
	})

	// Cancelled while it goes.
	long := filepath.Join(dir, "long.bin")
	os.WriteFile(long, nil, 0o600)
	os.Truncate(long, 40<<20)
	conv.offerFiles([]string{long})
	h.pump("the send dialog", func() bool { return strings.Contains(overlayTexts(h.app.chat.win), "long.bin") })
	test.Tap(overlayButton(t, h.app.chat.win, "Send"))
	h.pump("going", func() bool { return conv.files.bar.Value > 0 })
	test.Tap(conv.files.stop)
	h.pump("stopped", func() bool { return !conv.files.box.Visible() && conv.files.cancel == nil })
	if ms, _ := b.session.History(ch.me, 10); len(ms) != 2 {
		t.Errorf("B has %d messages, want the 2 files", len(ms))
	}
}

// TestPastePictureInGUI: Ctrl+V with a picture on the system's clipboard
// (no text) shows the send dialog with the picture, named for when it was
// pasted; Send sends it.
func TestPastePictureInGUI(t *testing.T) {
	if err := clipboard.Init(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no system clipboard under Xvfb: %v", err)
		}
		t.Skip("no system clipboard:", err)
	}
	ch := newChatHarness(t, true)
	h := ch.harness
	b := newPeer(t, h.server)
	conv := ch.open(b.jid)
	var pic bytes.Buffer
	png.Encode(&pic, image.NewRGBA(image.Rect(0, 0, 64, 48)))
	<-clipboardWritten(pic.Bytes())
	conv.composer.TypedShortcut(&fyne.ShortcutPaste{Clipboard: emptyClipboard{}})
	h.pump("the send dialog", func() bool { return strings.Contains(overlayTexts(h.app.chat.win), "picture-") })
	if n := previewsShown(h.app.chat.win); n != 1 {
		t.Errorf("%d previews", n)
	}
	test.Tap(overlayButton(t, h.app.chat.win, "Send"))
	h.pump("B gets the picture", func() bool {
		ms, _ := b.session.History(ch.me, 10)
		return len(ms) == 1 && strings.Contains(ms[0].OOB, "/picture-") && strings.HasSuffix(ms[0].OOB, ".png")
	})
	if conv.composer.Text != "" {
		t.Errorf("the box holds %q", conv.composer.Text)
	}
}

// clipboardWritten puts png on the system's clipboard, as another
// application would; the channel is ready once it is there.
func clipboardWritten(png []byte) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		clipboard.Write(clipboard.FmtImage, png)
		time.Sleep(100 * time.Millisecond) // the selection owned
		close(done)
	}()
	return done
}

// emptyClipboard is Fyne's clipboard with no text on it.
type emptyClipboard struct{}

func (emptyClipboard) Content() string     { return "" }
func (emptyClipboard) SetContent(_ string) {}

// previewsShown counts the pictures the send dialog over win previews.
func previewsShown(win fyne.Window) int {
	n := 0
	for _, o := range test.LaidOutObjects(win.Canvas().Overlays().Top()) {
		if i, ok := o.(*canvas.Image); ok && i.Resource != nil && i.Resource.Name() == "preview.png" {
			n++
		}
	}
	return n
}
