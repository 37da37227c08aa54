package core

import (
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/xmpp/xhtmlim"
)

// MessageDoc is a message's text as rich text to show: its XHTML-IM body
// (sanitised when it arrived, XEP-0071) when it has one that shows
// something, else its plain body.
func MessageDoc(m history.Message) xhtmlim.Doc {
	if m.Rich != "" {
		if d, err := xhtmlim.Parse([]byte(m.Rich)); err == nil && !d.Empty() {
			return d
		}
	}
	return plainDoc(m.Body)
}

// plainDoc is a plain body as rich text.
func plainDoc(body string) xhtmlim.Doc {
	return xhtmlim.FromText(body)
}
