package uitest

import (
	"testing"

	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/core/xmpp/xhtmlim"
)

// HostileXHTML is what a malicious client might send: scripts, event
// handlers, javascript: links, a remote image, styles with url().
const HostileXHTML = `<body xmlns='http://www.w3.org/1999/xhtml'>
<p onclick='steal()'>Hello <strong>bold</strong> <em>italic</em> <span style='color: #cc0000; background: url(http://evil.example/t.png)'>red</span>
<a href='javascript:alert(1)'>click me</a> <a href='https://example.org/page'>a real link</a></p>
<script>document.cookie</script>
<blockquote><p>quoted <code>code</code></p></blockquote>
<ul><li>one</li><li>two</li></ul>
<p><img src='https://evil.example/track.png' alt='a tracker'/></p>
</body>`

// RichFixture is HostileXHTML parsed.
func RichFixture(t testing.TB) xhtmlim.Doc {
	t.Helper()
	d, err := xhtmlim.Parse([]byte(HostileXHTML))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// Flatten lists every segment, nested ones included.
func Flatten(segs []widget.RichTextSegment) []widget.RichTextSegment {
	var out []widget.RichTextSegment
	for _, s := range segs {
		out = append(out, s)
		switch s := s.(type) {
		case *widget.ParagraphSegment:
			out = append(out, Flatten(s.Texts)...)
		case *widget.ListSegment:
			out = append(out, Flatten(s.Items)...)
		}
	}
	return out
}
