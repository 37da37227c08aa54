package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/muc"
	"github.com/causerie/causerie/core/reply"
)

// Answering a message (XEP-0461): Reply in a message's menu shows above
// the box what the next message answers, with a button (and Escape) to
// answer nothing; the message sent carries the reference and a quotation
// for clients without replies. A reply shows the start of the message it
// answers above its text; a tap there goes to that message (chat_jump.go),
// however far back.

func (c *chatConversation) buildReplyBar() {
	c.replyNote = widget.NewLabel("")
	c.replyNote.Truncation = fyne.TextTruncateEllipsis
	c.replyNote.Importance = widget.LowImportance
	cancel := widget.NewButtonWithIcon("", theme.CancelIcon(), func() { c.cancelReply() })
	cancel.Importance = widget.LowImportance
	c.replyBar = container.NewBorder(nil, nil, widget.NewIcon(theme.MailReplyIcon()), cancel, c.replyNote)
	c.replyBar.Hide()
}

// canReply reports whether message m can be answered here: a message of
// the conversation with an id to name it by, while answers can be sent.
func (c *chatConversation) canReply(m history.Message) bool {
	if m.Type == "error" || m.Type == "headline" || m.State == history.StatePending || m.State == history.StateError {
		return false
	}
	if c.room != nil {
		return c.room.private == "" && (m.StanzaID != "" || m.OriginID != "")
	}
	id, _ := reply.To(c.key.Account, c.key.JID, m)
	return id != "" && reply.Of(c.session) != nil
}

// startReply makes the next message an answer to m.
func (c *chatConversation) startReply(m history.Message) {
	c.cancelEdit()
	c.replyTo = &m
	text := strings.Join(strings.Fields(c.messageText(m)), " ")
	c.replyNote.SetText(lang.L("Replying to {{.Name}}: {{.Text}}", map[string]any{"Name": c.senderName(m), "Text": text}))
	c.replyBar.Show()
	c.content.Refresh()
	if cv := c.win.win.Canvas(); cv != nil {
		cv.Focus(c.composer)
	}
}

// cancelReply makes the next message answer nothing; false when it did
// not.
func (c *chatConversation) cancelReply() bool {
	if c.replyTo == nil {
		return false
	}
	c.replyTo = nil
	c.replyBar.Hide()
	c.content.Refresh()
	return true
}

// sendReply sends text as an answer to message to; it runs off the UI
// goroutine, like any sending.
func (c *chatConversation) sendReply(text string, to history.Message) error {
	if c.room != nil {
		_, err := muc.Of(c.session).SayReply(c.key.JID, text, to)
		return err
	}
	_, err := reply.Of(c.session).Send(c.key.JID, text, to)
	return err
}

// openReplied goes to the message a reply answers: marked in place when
// shown, else read from the history, however far back; a message this
// computer does not have is said so.
func (c *chatConversation) openReplied(m history.Message, shown *history.Message) {
	if shown != nil {
		c.goTo(*shown)
		return
	}
	store, acct, jid := c.win.app.Client.Store(), c.key.Account, c.key.JID
	var found history.Message
	var ok bool
	c.win.app.background(func() (err error) {
		found, ok, err = store.FindReferenced(acct, jid, m.ReplyID)
		return err
	}, func(err error) {
		switch {
		case err != nil:
			c.showNotice(lang.L("The history of this conversation could not be read."))
		case !ok:
			c.showNotice(lang.L("The message this one answers is not on this computer."))
		default:
			c.goTo(found)
		}
	})
}
