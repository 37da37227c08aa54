package core

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"image"
	"image/png"
	"strings"
	"testing"

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
