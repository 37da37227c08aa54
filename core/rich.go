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

// plainBody is the plain text of a formatted message we send.
func plainBody(doc xhtmlim.Doc) string { return doc.PlainText() }

// showsXHTML reports whether the contact's client shows XHTML-IM: it sent
// us some (the seed's disco#info check comes from entity capabilities
// when they are known).
func (s *Session) showsXHTML(peer string) bool {
	s.chats.mu.Lock()
	c := s.chats.convs[peer]
	saw := c != nil && c.sawXHTML
	s.chats.mu.Unlock()
	return saw
}
