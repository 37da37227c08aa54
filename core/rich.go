package core

import (
	"encoding/base64"
	"net/url"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"gosrc.io/xmpp/stanza"

	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/safetext"
	"github.com/causerie/causerie/core/xmpp/bob"
	"github.com/causerie/causerie/core/xmpp/styling"
	"github.com/causerie/causerie/core/xmpp/xhtmlim"
)

// MessageDoc is a message's text as rich text to show: a file it carries
// alone (fileDoc), its XHTML-IM body (sanitised when it arrived, XEP-0071)
// when it has one that shows something, else its plain body.
func MessageDoc(m history.Message) xhtmlim.Doc {
	if m.OOB != "" && strings.TrimSpace(m.Body) == m.OOB {
		return fileDoc(m.OOB)
	}
	if m.Rich != "" {
		if d, err := xhtmlim.Parse([]byte(m.Rich)); err == nil && !d.Empty() {
			return d
		}
	}
	return plainDoc(m.Body)
}

// maxFileName bounds a file's name as shown, in runes.
const maxFileName = 200

// fileName is the name of the file at u (an upload's URL, XEP-0363): its
// path's last part, unescaped, without control, invisible or bidi
// characters (a name that would show other than it is), cut to
// maxFileName runes; "" when it has none.
func fileName(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return ""
	}
	name := path.Base(p.Path)
	if name == "/" || name == "." {
		return ""
	}
	var b strings.Builder
	n := 0
	for _, r := range name {
		if unicode.IsControl(r) || safetext.IsBidiControl(r) || safetext.IsInvisible(r) || r == utf8.RuneError {
			continue
		}
		if n == maxFileName {
			b.WriteString("…")
			break
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// pictureExts are the file names shown as pictures (fetched with the
// user's consent, decoded only by core/picture).
var pictureExts = map[string]bool{".png": true, ".jpg": true, ".jpeg": true, ".gif": true, ".webp": true}

// fileDoc is a file a message carries alone (XEP-0066): a picture's
// place (its name until the user lets it be fetched), and the file's
// name as a link to it.
func fileDoc(u string) xhtmlim.Doc {
	name := fileName(u)
	if name == "" {
		name = u
	}
	var doc xhtmlim.Doc
	if pictureExts[strings.ToLower(path.Ext(name))] {
		doc = append(doc, xhtmlim.Block{Kind: xhtmlim.Paragraph, Inlines: []xhtmlim.Inline{{Kind: xhtmlim.Image, Src: u, Alt: name}}})
	}
	return append(doc, xhtmlim.Block{Kind: xhtmlim.Paragraph, Inlines: []xhtmlim.Inline{
		{Kind: xhtmlim.Span, Text: name, Style: xhtmlim.Style{Link: u, Underline: true}},
	}})
}

// plainDoc is a plain body as rich text: XEP-0393 styling (*bold*,
// _italic_, ~strike~, `code`, ``` blocks, > quotes) and links.
func plainDoc(body string) xhtmlim.Doc {
	return styling.Parse(body)
}

// plainBody is the plain text of a formatted message we send.
// It says the same in text, with XEP-0393 styling where it can: what
// clients without XHTML-IM show.
func plainBody(doc xhtmlim.Doc) string { return styling.Compose(doc) }

// showsXHTML reports whether the contact's client shows XHTML-IM: its
// disco#info (through entity capabilities) lists the feature — the seed's
// disco#info check — or it sent us some.
func (s *Session) showsXHTML(peer string) bool {
	if s.supports(peer, nsXHTMLIM) {
		return true
	}
	s.chats.mu.Lock()
	c := s.chats.convs[peer]
	saw := c != nil && c.sawXHTML
	s.chats.mu.Unlock()
	return saw
}

// richOf is a received message's XHTML-IM body, sanitised and written
// back (only what the whitelist kept), or "" when it has none that shows
// anything: then its plain body is what is shown.
func richOf(m *stanza.Message) string {
	h := xhtmlim.Find(m)
	if h == nil {
		if styling.Unstyled(*m) && m.Body != "" {
			// The sender asks not to style its text (XEP-0393 §7):
			// kept as it is, links only.
			return string(xhtmlim.Marshal(styling.ParseMessage(m.Body, true)))
		}
		return ""
	}
	doc := h.Doc()
	if doc.Empty() {
		return ""
	}
	if items := bob.FromMessage(m); items != nil {
		in := bobInliner{items: items, done: map[string]bool{}, budget: maxInlinedBoB}
		in.blocks(doc)
	}
	return string(xhtmlim.Marshal(doc))
}

// maxInlinedBoB bounds what XEP-0231 data adds to one stored message, in
// bytes of data: URIs: the items came in one stanza, but each could be
// referenced any number of times.
const maxInlinedBoB = 512 << 10

// bobInliner replaces the cid: images of a message whose data it carries
// (XEP-0231) with data: URIs, so they show inline: each cid once (the
// first image naming it), and only while the message's budget lasts. An
// image left with its cid: shows as its alt text.
type bobInliner struct {
	items  map[string]bob.Data
	done   map[string]bool
	budget int
}

func (b *bobInliner) blocks(doc []xhtmlim.Block) {
	for i := range doc {
		blk := &doc[i]
		for j := range blk.Inlines {
			if in := &blk.Inlines[j]; in.Kind == xhtmlim.Image {
				b.image(in)
			}
		}
		b.blocks(blk.Blocks)
		for _, item := range blk.Items {
			b.blocks(item)
		}
	}
}

func (b *bobInliner) image(in *xhtmlim.Inline) {
	cid, ok := bob.CID(in.Src)
	if !ok || b.done[cid] {
		return
	}
	d, ok := b.items[cid]
	if !ok || base64.StdEncoding.EncodedLen(len(d.Bytes)) > b.budget {
		return
	}
	b.done[cid] = true
	if src, safe := xhtmlim.SafeImage(d.DataURI()); safe {
		in.Src = src
		b.budget -= len(src)
	}
}
