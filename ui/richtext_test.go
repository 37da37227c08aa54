package ui

import (
	"image/color"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/xmpp/xhtmlim"
)

// hostileXHTML is what a malicious client might send: scripts, event
// handlers, javascript: links, a remote image, styles with url().
const hostileXHTML = `<body xmlns='http://www.w3.org/1999/xhtml'>
<p onclick='steal()'>Hello <strong>bold</strong> <em>italic</em> <span style='color: #cc0000; background: url(http://evil.example/t.png)'>red</span>
<a href='javascript:alert(1)'>click me</a> <a href='https://example.org/page'>a real link</a></p>
<script>document.cookie</script>
<blockquote><p>quoted <code>code</code></p></blockquote>
<ul><li>one</li><li>two</li></ul>
<p><img src='https://evil.example/track.png' alt='a tracker'/></p>
</body>`

func richFixture(t *testing.T) xhtmlim.Doc {
	t.Helper()
	d, err := xhtmlim.Parse([]byte(hostileXHTML))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// flatten lists every segment, nested ones included.
func flatten(segs []widget.RichTextSegment) []widget.RichTextSegment {
	var out []widget.RichTextSegment
	for _, s := range segs {
		out = append(out, s)
		switch s := s.(type) {
		case *widget.ParagraphSegment:
			out = append(out, flatten(s.Texts)...)
		case *widget.ListSegment:
			out = append(out, flatten(s.Items)...)
		}
	}
	return out
}

func TestRichSegmentsSafeAndFaithful(t *testing.T) {
	var opened, loaded []string
	env := richEnv{openLink: func(s string) { opened = append(opened, s) }, loadImage: func(s string) { loaded = append(loaded, s) }}
	segs := flatten(richSegments(richFixture(t), widget.RichTextStyle{}, env))
	var text strings.Builder
	styles := map[string]widget.RichTextStyle{}
	var links []*widget.HyperlinkSegment
	var lists int
	for _, s := range segs {
		switch s := s.(type) {
		case *widget.TextSegment:
			text.WriteString(s.Text)
			styles[strings.TrimSpace(s.Text)] = s.Style
		case *widget.HyperlinkSegment:
			text.WriteString(s.Text)
			links = append(links, s)
		case *widget.ListSegment:
			lists++
		}
	}
	all := text.String()
	for _, bad := range []string{"document.cookie", "steal", "evil.example/t.png"} {
		if strings.Contains(all, bad) {
			t.Errorf("%q shown", bad)
		}
	}
	for _, want := range []string{"Hello", "click me", "quoted", "one", "two", "[Image: a tracker]"} {
		if !strings.Contains(all, want) {
			t.Errorf("%q not shown in %q", want, all)
		}
	}
	if !styles["bold"].TextStyle.Bold || !styles["italic"].TextStyle.Italic || !styles["code"].TextStyle.Monospace {
		t.Errorf("styles: %+v", styles)
	}
	if styles["red"].ColorName != rgbColorName(color.NRGBA{0xcc, 0, 0, 0xff}) {
		t.Errorf("colour: %q", styles["red"].ColorName)
	}
	if lists != 1 {
		t.Errorf("%d lists", lists)
	}
	// Only the real link and "load image" are links; nothing is fetched
	// or opened until tapped.
	var targets []string
	for _, l := range links {
		targets = append(targets, l.URL.String())
	}
	if len(links) != 2 || targets[0] != "https://example.org/page" || links[1].Text != "Load image" {
		t.Fatalf("links %q", targets)
	}
	if len(opened)+len(loaded) != 0 {
		t.Fatal("something was opened or loaded without a tap")
	}
	links[0].OnTapped()
	links[1].OnTapped()
	if len(opened) != 1 || opened[0] != "https://example.org/page" || len(loaded) != 1 || loaded[0] != "https://evil.example/track.png" {
		t.Errorf("opened %q loaded %q", opened, loaded)
	}
}

func TestThemeKeepsSenderColoursReadable(t *testing.T) {
	th := appTheme{Theme: theme.DefaultTheme()}
	for _, v := range []fyne.ThemeVariant{theme.VariantDark, theme.VariantLight} {
		bg := th.Color(theme.ColorNameBackground, v)
		for _, c := range []color.NRGBA{{0, 0, 0x80, 0xff}, {0xff, 0xff, 0xff, 0xff}, {0x20, 0x20, 0x20, 0xff}, {0xcc, 0, 0, 0xff}} {
			got := th.Color(rgbColorName(c), v)
			if contrast(got, bg) < minContrast-0.01 {
				t.Errorf("variant %d: %v became %v, contrast %.2f", v, c, got, contrast(got, bg))
			}
		}
	}
	// A colour already readable is kept as sent.
	red := color.NRGBA{0xff, 0x40, 0x40, 0xff}
	if got := th.Color(rgbColorName(red), theme.VariantDark); got != color.Color(red) {
		t.Errorf("readable colour changed: %v", got)
	}
}

// TestChatRichGolden: a rich message from another client as the chat shows
// it (markup and image, looked at).
func TestChatRichGolden(t *testing.T) {
	h := newChatHarness(t, false)
	peerJID := "alice@example.org"
	rich := string(xhtmlim.Marshal(richFixture(t)))
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
