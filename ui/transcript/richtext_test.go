package transcript

import (
	"image/color"
	"strings"
	"testing"

	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/internal/uitest"
)

func TestRichSegmentsSafeAndFaithful(t *testing.T) {
	var opened, loaded []string
	env := Env{OpenLink: func(s string) { opened = append(opened, s) }, LoadImage: func(s string) { loaded = append(loaded, s) }}
	segs := uitest.Flatten(Segments(uitest.RichFixture(t), widget.RichTextStyle{}, env))
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
	if styles["red"].ColorName != ColorName(color.NRGBA{0xcc, 0, 0, 0xff}) {
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
