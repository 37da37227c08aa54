package e2e

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/upload"
)

// picturePNG is a small picture: a blue sky over green ground.
func picturePNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{0x4a, 0x90, 0xd9, 0xff}
			if y > h*2/3 {
				c = color.RGBA{0x3c, 0xa0, 0x50, 0xff}
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestFiles is issue 19 in the real app. The user opens the chat with
// Tintin, presses Ctrl+O, picks a picture in the file dialog, sees it in
// the send dialog and sends it (files-1-pick.png, files-2-confirm.png):
// Tintin's phone gets it as a file, the same bytes. Tintin's phone sends
// a picture back: the chat shows it as a file (files-3-received.png).
func TestFiles(t *testing.T) {
	needGUI(t)
	srv, meJID, mePass, friend := withContact(t, "Tintin")
	profile := savedAccountAt(t, srv, srv.Port, meJID, mePass)
	home := t.TempDir()
	pic := picturePNG(t, 320, 200)
	if err := os.WriteFile(filepath.Join(home, "moulinsart.png"), pic, 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"SSL_CERT_FILE=" + filepath.Join(profile, "ca.pem"), "HOME=" + home}
	bin := buildApp(t)
	phone := newHeadless(t, srv, friend.jid, friend.pass, upload.Feature)

	a := startApp(t, bin, profile, env...)
	mainWin := waitWindow(t, "^Causerie")
	friend.wait(t, "the app's presence", func(e core.Event) bool {
		p, ok := e.(core.PresenceChanged)
		return ok && p.Contact.JID == meJID && p.Contact.Online()
	})
	time.Sleep(time.Second)
	chatWin := openChat(t, mainWin, "Tintin")
	time.Sleep(800 * time.Millisecond)
	key(t, chatWin, "ctrl+o")
	time.Sleep(1500 * time.Millisecond)
	screenshot(t, "files-1-pick")
	click(t, chatWin, 295, 190) // moulinsart.png
	click(t, chatWin, 524, 557) // Open
	time.Sleep(1500 * time.Millisecond)
	screenshot(t, "files-2-confirm")
	click(t, chatWin, 325, 449) // Send
	got := friend.wait(t, "the picture at Tintin's", func(e core.Event) bool {
		m, ok := e.(core.MessageReceived)
		return ok && m.Message.Direction == history.In && m.Message.OOB != ""
	}).(core.MessageReceived)
	if !strings.HasSuffix(got.Message.OOB, "/moulinsart.png") || got.Message.Body != got.Message.OOB {
		t.Fatalf("Tintin got %+v", got.Message)
	}
	if b := srv.Fetch(t, got.Message.OOB); !bytes.Equal(b, pic) {
		t.Fatalf("the file Tintin fetched is not the picture (%d bytes)", len(b))
	}

	// Tintin's phone sends a picture back.
	back := picturePNG(t, 200, 120)
	if _, err := upload.Of(phone.session).Send(context.Background(), meJID, upload.File{Name: "chateau.png", Size: int64(len(back)),
		Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(back)), nil }}, nil); err != nil {
		t.Fatal(err)
	}
	// From a contact and small: shown without a tap.
	time.Sleep(2 * time.Second)
	screenshot(t, "files-3-received")

	// A document: Download saves it into the downloads folder.
	doc := []byte("%PDF-1.4 contrat de Tintin")
	if _, err := upload.Of(phone.session).Send(context.Background(), meJID, upload.File{Name: "contrat.pdf", Size: int64(len(doc)),
		Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(doc)), nil }}, nil); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	screenshot(t, "files-4-document")
	click(t, chatWin, downloadX, downloadY) // Download
	saved := filepath.Join(home, "Downloads", "contrat.pdf")
	for end := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if b, _ := os.ReadFile(saved); bytes.Equal(b, doc) {
			break
		}
		if time.Now().After(end) {
			screenshot(t, "files-5-not-saved")
			t.Fatalf("%s not saved", saved)
		}
	}
	time.Sleep(time.Second)
	screenshot(t, "files-5-downloaded")
	a.quit(friend, meJID)
}

// Where the document's Download link is in the chat window (from
// files-4-document.png).
const downloadX, downloadY = 153, 519
