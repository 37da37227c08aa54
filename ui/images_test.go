package ui

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"image"
	"image/jpeg"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/xmpp/xhtmlim"
	"github.com/causerie/causerie/internal/hostile"
	"github.com/causerie/causerie/internal/uitest"
	"github.com/causerie/causerie/ui/transcript"
	"gosrc.io/xmpp/stanza"
)

func dataURI(mime string, b []byte) string {
	return "data:" + mime + ";base64," + base64.StdEncoding.EncodeToString(b)
}

// storeRich stores a received message showing doc, in h's chat with peer.
func (h *chatHarness) storeRich(peer string, doc xhtmlim.Doc) {
	h.t.Helper()
	m := history.Message{Account: h.me, Peer: peer, Direction: history.In, Type: "chat",
		Body: "a picture", Rich: string(xhtmlim.Marshal(doc)), Sent: time.Now()}
	if err := h.client.Store().Add(&m); err != nil {
		h.t.Fatal(err)
	}
}

// imageSegments are the images the chat window shows.
func (h *chatHarness) imageSegments() []*transcript.PictureSegment {
	h.settle()
	var out []*transcript.PictureSegment
	for _, o := range test.LaidOutObjects(h.app.chat.win.Content()) {
		rt, ok := o.(*widget.RichText)
		if !ok {
			continue
		}
		for _, s := range uitest.Flatten(rt.Segments) {
			if img, ok := s.(*transcript.PictureSegment); ok {
				out = append(out, img)
			}
		}
	}
	return out
}

// testJPEG is a w×h JPEG picture.
func testJPEG(w, h int) []byte {
	img, _, err := image.Decode(bytes.NewReader(testPNG(w, h)))
	if err != nil {
		panic(err)
	}
	var b bytes.Buffer
	jpeg.Encode(&b, img, nil)
	return b.Bytes()
}

// TestInlineBombIsAPlaceholder: the report's message — XHTML-IM with an
// inline data: PNG of 31 KB whose header says 16000×16000 — made the app
// grow from 160 MiB to 4.8 GiB when its chat was opened, every time. Now
// the picture is refused from its header and the chat shows "image too
// large" with its alt text; the heap barely grows.
func TestInlineBombIsAPlaceholder(t *testing.T) {
	h := newChatHarness(t, false)
	peer := "mallory@example.org"
	bomb := hostile.PNG(16000, 16000)
	h.storeRich(peer, xhtmlim.Build(xhtmlim.Para(xhtmlim.Text("Regarde "), xhtmlim.Img(dataURI("image/png", bomb), "un chat", 0, 0))))
	growth, took := hostile.Peak(func() {
		h.open(peer)
		h.app.chat.win.Resize(fyne.NewSize(520, 400))
		h.waitShown("[Image too large: un chat]")
		h.app.chat.win.Canvas().Capture() // painted, as on screen
	})
	t.Logf("a %d-byte message picture of 16000×16000: shown as a placeholder in %v, heap +%d MiB", len(bomb), took, growth>>20)
	if growth > 64<<20 {
		t.Fatalf("the heap grew by %d MiB", growth>>20)
	}
	if n := len(h.imageSegments()); n != 0 {
		t.Fatalf("%d image segments shown", n)
	}
}

// TestInlineImagesThroughBoundedPath: an ordinary inline picture shows,
// from a PNG the bounded path made (a large one scaled down to 800
// pixels); an SVG announced as PNG is not shown.
func TestInlineImagesThroughBoundedPath(t *testing.T) {
	h := newChatHarness(t, false)
	peer := "alice@example.org"
	svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><rect width="100" height="100"/></svg>`)
	h.storeRich(peer, xhtmlim.Build(
		xhtmlim.Para(xhtmlim.Img(dataURI("image/png", testPNG(40, 30)), "small", 0, 0)),
		xhtmlim.Para(xhtmlim.Img(dataURI("image/jpeg", testJPEG(2000, 1000)), "large", 0, 0)),
		xhtmlim.Para(xhtmlim.Img(dataURI("image/png", svg), "disguised", 0, 0)),
	))
	h.open(peer)
	h.waitShown("[Image not shown: disguised]")
	h.pump("two images shown", func() bool { h.settle(); return len(h.imageSegments()) == 2 })
	sizes := map[string]image.Point{}
	for _, seg := range h.imageSegments() {
		if !strings.HasPrefix(seg.Source().Path(), h.app.images.Dir()) {
			t.Fatalf("image shown from %s, not the cache", seg.Source())
		}
		b, err := os.ReadFile(seg.Source().Path())
		if err != nil {
			t.Fatal(err)
		}
		cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
		if err != nil || format != "png" {
			t.Fatalf("%s: %s, %v", seg.Title(), format, err)
		}
		sizes[seg.Title()] = image.Pt(cfg.Width, cfg.Height)
	}
	if sizes["small"] != image.Pt(40, 30) || sizes["large"] != image.Pt(800, 400) {
		t.Fatalf("sizes shown: %v", sizes)
	}
}

// TestRemoteImageBounded: a remote image, once the person asks for it,
// is fetched only from the host it names (a redirect elsewhere is not
// followed), and a bomb is shown as too large.
func TestRemoteImageBounded(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		w.Header().Set("Content-Type", "image/png")
		w.Write(testPNG(10, 10))
	}))
	defer other.Close()
	bomb := hostile.PNG(16000, 16000)
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/away.png":
			// 127.0.0.1 and localhost are different hosts.
			http.Redirect(w, r, strings.Replace(other.URL, "127.0.0.1", "localhost", 1)+"/x.png", http.StatusFound)
		case "/here.png":
			http.Redirect(w, r, "/bomb.png", http.StatusFound)
		case "/bomb.png":
			w.Header().Set("Content-Type", "image/png")
			w.Write(bomb)
		}
	}))
	defer web.Close()
	h := newChatHarness(t, false)
	peer := "alice@example.org"
	h.storeRich(peer, xhtmlim.Build(
		xhtmlim.Para(xhtmlim.Img(web.URL+"/away.png", "away", 0, 0)),
		xhtmlim.Para(xhtmlim.Img(web.URL+"/here.png", "here", 0, 0)),
	))
	conv := h.open(peer)
	h.waitShown("[Image: away]", "[Image: here]")
	conv.loadImage(web.URL + "/away.png")
	h.pump("notice", func() bool { return conv.notice.Visible() })
	if elsewhere.Load() != 0 {
		t.Fatal("a redirect to another host was followed")
	}
	growth, _ := hostile.Peak(func() {
		conv.loadImage(web.URL + "/here.png")
		h.waitShown("[Image too large: here]")
	})
	if growth > 64<<20 {
		t.Fatalf("the heap grew by %d MiB", growth>>20)
	}
	if _, err := os.Stat(filepath.Join(h.app.images.Dir())); err == nil {
		entries, _ := os.ReadDir(h.app.images.Dir())
		if len(entries) != 0 {
			t.Fatalf("cache holds %d files", len(entries))
		}
	}
}

// TestHostileBoBRendered: the ~300 KB message of 2,000 images naming one
// 190 KiB XEP-0231 item, received (stored) and shown in the chat: the item
// inline once, fifteen placeholders, then one line counting the rest;
// within 200 ms (in a build without the race detector) and 50 MB.
func TestHostileBoBRendered(t *testing.T) {
	h := newChatHarness(t, false)
	peer := "mallory@example.org"
	var m stanza.Message
	if err := xml.Unmarshal(hostile.BoBMessage(peer+"/x", 2000, 190<<10), &m); err != nil {
		t.Fatal(err)
	}
	conv := h.open(peer)
	h.app.chat.win.Resize(fyne.NewSize(520, 600))
	var rt *widget.RichText
	growth, took := hostile.Peak(func() {
		h.s.HandleMessage(nil, &m) // stored, as the reader would
		h.pump("message shown", func() bool { return conv.trans.Len() > 0 })
		msgs, _ := h.s.History(peer, 1)
		doc := core.MessageDoc(msgs[0])
		rt = widget.NewRichText(transcript.Segments(doc, widget.RichTextStyle{}, conv.trans.Env)...)
		w := test.NewWindow(rt)
		defer w.Close()
		w.Resize(fyne.NewSize(500, 600))
		w.Canvas().Capture()
	})
	t.Logf("stored and rendered in %v, heap +%d MiB", took, growth>>20)
	if growth > 50<<20 {
		t.Errorf("the heap grew by %d MiB", growth>>20)
	}
	if took > 200*time.Millisecond*hostile.Slowdown {
		t.Errorf("took %v", took)
	}
	var placeholders, images int
	var count string
	for _, s := range uitest.Flatten(rt.Segments) {
		switch s := s.(type) {
		case *transcript.PictureSegment:
			images++
		case *widget.TextSegment:
			switch {
			case strings.HasPrefix(s.Text, "[Image"):
				placeholders++
			case strings.Contains(s.Text, "more images"):
				count = s.Text
			}
		}
	}
	// The item shows (or is being prepared, shown by its alt text).
	if placeholders+images != 16 || images > 1 || count != "[1984 more images not shown]" {
		t.Errorf("%d images, %d placeholders, then %q", images, placeholders, count)
	}
	h.waitShown("[1984 more images not shown]")
	h.pump("the item shown once", func() bool { return len(h.imageSegments()) == 1 })
}
