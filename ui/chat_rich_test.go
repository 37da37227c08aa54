package ui

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/xmpp/xhtmlim"
	"github.com/causerie/causerie/internal/uitest"
)

// TestChatRichGolden: a rich message from another client as the chat shows
// it (markup and image, looked at).
func TestChatRichGolden(t *testing.T) {
	h := newChatHarness(t, false)
	peerJID := "alice@example.org"
	rich := string(xhtmlim.Marshal(uitest.RichFixture(t)))
	at := time.Date(2024, 5, 1, 9, 30, 0, 0, time.Local)
	m := history.Message{Account: h.me, Peer: peerJID, Direction: history.In, Type: "chat",
		Body: "Hello bold italic red click me a real link", Rich: rich, Sent: at}
	if err := h.client.Store().Add(&m); err != nil {
		t.Fatal(err)
	}
	h.open(peerJID)
	h.app.chat.win.Resize(fyne.NewSize(520, 520))
	h.settle()
	test.AssertRendersToMarkup(t, "chat/rich.xml", h.app.chat.win.Canvas())
	test.AssertRendersToImage(t, "chat/rich.png", h.app.chat.win.Canvas())
}

// TestRemoteImageOnlyOnRequest: a remote image in a message is not
// fetched when the message shows; "Load image" fetches it, and it then
// shows inline. A link asks before opening.
func TestRemoteImageOnlyOnRequest(t *testing.T) {
	var hits atomic.Int32
	img := testPNG(40, 30)
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "image/png")
		w.Write(img)
	}))
	defer web.Close()
	h := newChatHarness(t, false)
	peer := "alice@example.org"
	doc := xhtmlim.Build(xhtmlim.Para(xhtmlim.Text("Regarde "), xhtmlim.Img(web.URL+"/chat.png", "un chat", 40, 30),
		xhtmlim.Text(" "), xhtmlim.Link("ici", "https://example.org/")))
	m := history.Message{Account: h.me, Peer: peer, Direction: history.In, Type: "chat", Body: "Regarde", Rich: string(xhtmlim.Marshal(doc)), Sent: time.Now()}
	if err := h.client.Store().Add(&m); err != nil {
		t.Fatal(err)
	}
	conv := h.open(peer)
	h.waitShown("[Image: un chat]", "Load image")
	if hits.Load() != 0 {
		t.Fatal("the image was fetched without a tap")
	}
	conv.loadImage(web.URL + "/chat.png")
	h.pump("image shown", func() bool {
		h.settle()
		return hits.Load() == 1 && !strings.Contains(h.markup(), "Load image")
	})
	// The link's target is shown before anything opens.
	conv.openLink("https://example.org/")
	top := h.app.chat.win.Canvas().Overlays().Top()
	if top == nil || !strings.Contains(strings.Join(loginLabels(top), "\n"), "https://example.org/") {
		t.Fatal("no confirmation showing the link's target")
	}
}
