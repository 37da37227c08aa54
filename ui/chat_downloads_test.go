package ui

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/upload"
)

// link is the last link shown in the chat window that says text.
func (h *chatHarness) link(text string) *widget.Hyperlink {
	h.t.Helper()
	h.settle()
	var found *widget.Hyperlink
	for _, o := range test.LaidOutObjects(h.app.chat.win.Content()) {
		if l, ok := o.(*widget.Hyperlink); ok && l.Text == text && l.Visible() {
			found = l
		}
	}
	return found
}

// waitLaidOut pumps until the chat window lays out texts that say each
// of what. (waitShown's markup is made in a canvas of its own, where the
// transcript's newest rows are sometimes left out.)
func (h *chatHarness) waitLaidOut(what ...string) {
	h.t.Helper()
	var all strings.Builder
	done := false
	defer func() {
		if !done { // timed out (Fatalf): what was there instead
			h.t.Logf("laid out:\n%s", all.String())
			for k, c := range h.app.chat.convs {
				var last []string
				for _, m := range c.trans.Messages() {
					last = append(last, m.Body)
				}
				last = last[max(0, len(last)-3):]
				h.t.Logf("%s: loaded %v loading %v away %v, %d rows, the last %q", k.JID, c.loaded, c.loading, c.away, c.trans.Len(), last)
			}
		}
	}()
	h.pump("chat lays out "+strings.Join(what, ", "), func() bool {
		h.settle()
		all.Reset()
		for _, o := range test.LaidOutObjects(h.app.chat.win.Content()) {
			if r, ok := o.(*widget.RichText); ok && r.Visible() {
				all.WriteString(r.String() + "\n")
			}
		}
		for _, w := range what {
			if !strings.Contains(all.String(), w) {
				return false
			}
		}
		return true
	})
	done = true
}

// pictures counts the prepared pictures the chat window shows.
func (h *chatHarness) pictures() int {
	n := 0
	for _, o := range test.LaidOutObjects(h.app.chat.win.Content()) {
		if i, ok := o.(*canvas.Image); ok && i.File != "" && strings.HasPrefix(i.File, h.app.images.Dir()) {
			n++
		}
	}
	return n
}

func sendBytes(t *testing.T, from *peer, to, name string, data []byte) {
	t.Helper()
	f := upload.File{Name: name, Size: int64(len(data)), Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
	if _, err := upload.Of(from.session).Send(context.Background(), to, f, nil); err != nil {
		t.Fatal(err)
	}
}

// TestDownloadFileInGUI: a contact's picture shows without a tap (under
// the preferences' size; with "Never", on a tap); a file shows its kind
// and Download, which saves it into the downloads folder with its name,
// then Open and Show in folder hand it to the system. A copy removed
// since is forgotten: Open says so, and Download shows again.
func TestDownloadFileInGUI(t *testing.T) {
	dl := t.TempDir()
	t.Setenv("XDG_DOWNLOAD_DIR", dl)
	ch := newChatHarness(t, true)
	h := ch.harness
	var opened []string
	h.app.OpenFile = func(u *url.URL) { opened = append(opened, u.Path) }
	b := newPeer(t, h.server)
	if err := ch.s.AddContact(context.Background(), core.AddContactRequest{JID: b.jid, Name: "Bianca"}); err != nil {
		t.Fatal(err)
	}
	conv := ch.open(b.jid)
	h.pump("a contact", func() bool { return conv.inRoster })

	var pic bytes.Buffer
	png.Encode(&pic, image.NewGray(image.Rect(0, 0, 40, 30)))
	sendBytes(t, b, ch.me, "tournesol.png", pic.Bytes())
	ch.waitLaidOut("tournesol.png", "Picture")
	h.pump("the picture shown without a tap", func() bool { ch.settle(); return ch.pictures() == 1 })

	doc := []byte("%PDF-1.4 le contrat")
	sendBytes(t, b, ch.me, "contrat signé.pdf", doc)
	ch.waitLaidOut("contrat signé.pdf", "PDF document")
	ch.link("Download").OnTapped()
	saved := filepath.Join(dl, "contrat signé.pdf")
	h.pump("downloaded", func() bool { ch.settle(); return ch.link("Open") != nil })
	if got, _ := os.ReadFile(saved); !bytes.Equal(got, doc) {
		t.Fatalf("saved %q", got)
	}
	ch.waitLaidOut("PDF document, 19 bytes", "Show in folder")
	ms, _ := ch.s.History(b.jid, 5)
	if last := ms[len(ms)-1]; last.File != saved || last.FileSize != int64(len(doc)) {
		t.Fatalf("the copy is not remembered: %+v", last)
	}
	ch.link("Open").OnTapped()
	h.pump("opened", func() bool { return len(opened) == 1 })
	ch.link("Show in folder").OnTapped()
	h.pump("its folder opened", func() bool { return len(opened) == 2 })
	if opened[0] != filepath.ToSlash(saved) || opened[1] != filepath.ToSlash(dl) {
		t.Errorf("opened %q", opened)
	}

	os.Remove(saved)
	ch.link("Open").OnTapped()
	h.pump("gone", func() bool { return conv.notice.Visible() })
	if want := "is no longer where it was saved. Download it again to open it."; !strings.Contains(conv.notice.Text, want) {
		t.Errorf("notice %q", conv.notice.Text)
	}
	h.pump("Download again", func() bool { ch.settle(); return ch.link("Open") == nil && ch.link("Download") != nil })
	if len(opened) != 2 {
		t.Errorf("opened %q", opened)
	}

	// A program: opened only once the user confirms.
	sendBytes(t, b, ch.me, "mise-a-jour.exe", []byte("MZ pas un vrai programme"))
	ch.waitLaidOut("mise-a-jour.exe", "File")
	ch.link("Download").OnTapped()
	h.pump("downloaded", func() bool { ch.settle(); return ch.link("Open") != nil })
	ch.link("Open").OnTapped()
	h.pump("asked", func() bool { return strings.Contains(overlayTexts(h.app.chat.win), "Run this program?") })
	if !strings.Contains(overlayTexts(h.app.chat.win), "mise-a-jour.exe is a program") {
		t.Errorf("the dialog says %q", overlayTexts(h.app.chat.win))
	}
	test.Tap(overlayButton(t, h.app.chat.win, "Cancel"))
	ch.settle()
	if len(opened) != 2 {
		t.Fatalf("opened without asking: %q", opened)
	}
	ch.link("Open").OnTapped()
	h.pump("asked again", func() bool { return strings.Contains(overlayTexts(h.app.chat.win), "Run this program?") })
	test.Tap(overlayButton(t, h.app.chat.win, "Run it"))
	h.pump("run once confirmed", func() bool { return len(opened) == 3 })
	if st, err := os.Stat(filepath.Join(dl, "mise-a-jour.exe")); err != nil || st.Mode().Perm()&0o111 != 0 {
		t.Errorf("saved as %v, %v", st.Mode(), err)
	}

	// Never: a picture waits for a tap.
	h.fyne.Preferences().SetInt(prefAutoPictures, 0)
	var other bytes.Buffer
	png.Encode(&other, image.NewGray(image.Rect(0, 0, 30, 40)))
	sendBytes(t, b, ch.me, "haddock.png", other.Bytes())
	ch.waitLaidOut("haddock.png", "Load image")
	if n := ch.pictures(); n != 1 {
		t.Fatalf("%d pictures shown before the tap", n)
	}
	ch.link("Load image").OnTapped()
	h.pump("shown on a tap", func() bool { ch.settle(); return ch.pictures() == 2 })
}

// TestDownloadRefusedInGUI: a file whose address is not https is not
// fetched; the chat says why in words, and Download stays.
func TestDownloadRefusedInGUI(t *testing.T) {
	t.Setenv("XDG_DOWNLOAD_DIR", t.TempDir())
	ch := newChatHarness(t, true)
	u := "http://files.example.org/share/plan.pdf"
	m := history.Message{Account: ch.me, Peer: "carol@example.org", Direction: history.In, Type: "chat", Body: u, OOB: u, Sent: time.Now()}
	if err := ch.client.Store().Add(&m); err != nil {
		t.Fatal(err)
	}
	conv := ch.open("carol@example.org")
	ch.waitLaidOut("plan.pdf", "PDF document")
	ch.link("Download").OnTapped()
	ch.pump("refused", func() bool { return conv.notice.Visible() })
	if want := "The file was not downloaded: its address is not secure (not https), so it was not fetched."; conv.notice.Text != want {
		t.Errorf("notice %q", conv.notice.Text)
	}
	if ch.link("Download") == nil {
		t.Error("Download is gone")
	}
}
