package core

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"image"
	"image/png"
	"strings"
	"testing"

	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/xmpp/xhtmlim"
	"gosrc.io/xmpp/stanza"
)

// TestRichOfInlinesBitsOfBinary: an XHTML-IM image given as cid: with its
// data in the message (XEP-0231) is stored as an inline data: image; one
// whose data is missing keeps its cid: (shown as its alt text).
func TestRichOfInlinesBitsOfBinary(t *testing.T) {
	var pngBuf bytes.Buffer
	png.Encode(&pngBuf, image.NewGray(image.Rect(0, 0, 4, 4)))
	b64 := base64.StdEncoding.EncodeToString(pngBuf.Bytes())
	raw := `<message xmlns='jabber:client' from='a@example.org/x' type='chat'><body>spot</body>
<html xmlns='http://jabber.org/protocol/xhtml-im'><body xmlns='http://www.w3.org/1999/xhtml'>
<p>A <img alt='spot' src='cid:sha1+1@bob.xmpp.org'/> and <img alt='missing' src='cid:sha1+2@bob.xmpp.org'/></p></body></html>
<data xmlns='urn:xmpp:bob' cid='sha1+1@bob.xmpp.org' type='image/png'>` + b64 + `</data></message>`
	var m stanza.Message
	if err := xml.Unmarshal([]byte(raw), &m); err != nil {
		t.Fatal(err)
	}
	rich := richOf(&m)
	doc, err := xhtmlim.Parse([]byte(rich))
	if err != nil {
		t.Fatal(err)
	}
	var srcs []string
	for _, in := range doc[0].Inlines {
		if in.Kind == xhtmlim.Image {
			srcs = append(srcs, in.Src)
		}
	}
	if len(srcs) != 2 || !strings.HasPrefix(srcs[0], "data:image/png;base64,") || srcs[1] != "cid:sha1+2@bob.xmpp.org" {
		t.Fatalf("images %q", srcs)
	}
}

// TestFileDoc: a message that is a file alone (its body the XEP-0066
// URL) shows the file's name as a link, and a picture's place before it;
// a message with other text shows its text.
func TestFileDoc(t *testing.T) {
	const pic = "https://upload.example.org/abc/vacances%20%C3%A0%20Moulinsart.JPG"
	d := MessageDoc(history.Message{Body: pic, OOB: pic})
	if len(d) != 2 || d[0].Inlines[0].Kind != xhtmlim.Image || d[0].Inlines[0].Src != pic ||
		d[1].Inlines[0].Text != "vacances à Moulinsart.JPG" || d[1].Inlines[0].Style.Link != pic {
		t.Errorf("picture: %+v", d)
	}
	const doc = "https://upload.example.org/abc/plan.pdf"
	if d := MessageDoc(history.Message{Body: doc, OOB: doc}); len(d) != 1 || d[0].Inlines[0].Text != "plan.pdf" || d[0].Inlines[0].Kind != xhtmlim.Span {
		t.Errorf("document: %+v", d)
	}
	if d := MessageDoc(history.Message{Body: "regarde " + doc, OOB: doc}); len(d) != 1 || !strings.HasPrefix(d[0].Inlines[0].Text, "regarde") {
		t.Errorf("text with a file: %+v", d)
	}
	for u, want := range map[string]string{
		"https://upload.example.org/":                     "",
		"https://upload.example.org/a/b%2Fc.txt":          "c.txt",
		"https://u.example/a/txt.%E2%80%AEexe.png":        "txt.exe.png", // no right-to-left override
		"https://u.example/a/deux%0Alignes.txt":           "deuxlignes.txt",
		"https://u.example/a/" + strings.Repeat("é", 300): strings.Repeat("é", maxFileName) + "…",
	} {
		if got := fileName(u); got != want {
			t.Errorf("fileName(%.60q) = %.60q, want %.60q", u, got, want)
		}
	}
}
