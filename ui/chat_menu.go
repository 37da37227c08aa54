package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/muc"
	"github.com/causerie/causerie/core/retract"
	"github.com/causerie/causerie/ui/transcript"
)

// A message's menu (a secondary tap on it in the transcript): copy its
// text, select part of it, quote it in the box, see what it said before a
// correction.

// messageText is what a message says, as plain text; an action (/me) as
// it shows.
func (c *chatConversation) messageText(m history.Message) string {
	if transcript.IsAction(m) && m.Rich == "" {
		return "* " + c.senderName(m) + " " + strings.TrimPrefix(m.Body, "/me ")
	}
	return core.MessageDoc(m).PlainText()
}

// messageMenu shows message m's menu at pos in the chat window.
func (c *chatConversation) messageMenu(m history.Message, pos fyne.Position) {
	c.menuAt = pos // where the emoji picker shows
	cv := c.win.win.Canvas()
	widget.ShowPopUpMenuAtPosition(c.messageMenuItems(m), cv, pos)
}

// messageMenuItems is the menu of message m.
func (c *chatConversation) messageMenuItems(m history.Message) *fyne.Menu {
	text := c.messageText(m)
	copyIt := fyne.NewMenuItem(lang.L("Copy text"), func() { c.win.app.FyneApp.Clipboard().SetContent(text) })
	copyIt.Icon = theme.ContentCopyIcon()
	selectIt := fyne.NewMenuItem(lang.L("Select text…"), func() { c.selectText(text) })
	selectIt.Icon = theme.ContentCutIcon()
	quote := fyne.NewMenuItem(lang.L("Quote"), func() { c.quote(text) })
	quote.Icon = theme.DocumentIcon()
	items := []*fyne.MenuItem{quote, copyIt, selectIt}
	if strings.TrimSpace(text) == "" {
		items = nil
	}
	if c.canReact(m) {
		react := fyne.NewMenuItem(lang.L("React…"), func() { c.pickReaction(m, c.menuAt) })
		react.Icon = theme.ContentAddIcon()
		items = append([]*fyne.MenuItem{react}, items...)
	}
	if c.canReply(m) {
		answer := fyne.NewMenuItem(lang.L("Reply"), func() { c.startReply(m) })
		answer.Icon = theme.MailReplyIcon()
		items = append([]*fyne.MenuItem{answer}, items...)
	}
	if m.Corrected {
		items = append(items, fyne.NewMenuItem(lang.L("Earlier versions…"), func() { c.showEdits(m) }))
	}
	if c.room != nil && m.Direction == history.In && m.Type == "groupchat" && m.StanzaID != "" && !m.Retracted &&
		muc.Of(c.session).CanModerate(c.key.JID) {
		mod := fyne.NewMenuItem(lang.L("Delete as moderator…"), func() { c.confirmModerate(m) })
		mod.Icon = theme.DeleteIcon()
		items = append(items, fyne.NewMenuItemSeparator(), mod)
	}
	if retract.Of(c.session) != nil && retract.CanRetract(m) {
		del := fyne.NewMenuItem(lang.L("Delete for everyone…"), func() { c.confirmRetract(m) })
		del.Icon = theme.DeleteIcon()
		items = append(items, fyne.NewMenuItemSeparator(), del)
	}
	if m.Retracted {
		none := fyne.NewMenuItem(lang.L("Message deleted"), nil)
		none.Disabled = true
		return fyne.NewMenu("", none)
	}
	if len(items) == 0 {
		none := fyne.NewMenuItem(lang.L("No text to copy"), nil)
		none.Disabled = true
		items = append(items, none)
	}
	return fyne.NewMenu("", items...)
}

// selectText shows a message's text where part of it can be selected and
// copied (the transcript's rich text cannot be selected).
func (c *chatConversation) selectText(text string) {
	l := widget.NewLabel(text)
	l.Selectable = true
	l.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustom(lang.L("Select text"), lang.L("Close"), container.NewVScroll(l), c.win.win)
	d.Resize(fyne.NewSize(440, 300))
	d.Show()
}

// quote puts a message's text in the box as a quotation (XEP-0393's
// "> "), followed by a line for the answer, and focuses the box.
func (c *chatConversation) quote(text string) {
	var b strings.Builder
	if cur := c.composer.Text; strings.TrimSpace(cur) != "" {
		b.WriteString(strings.TrimRight(cur, "\n"))
		b.WriteString("\n")
	}
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		b.WriteString("> ")
		b.WriteString(line)
		b.WriteString("\n")
	}
	c.composer.SetText(b.String())
	c.composer.CursorRow = strings.Count(b.String(), "\n")
	c.composer.CursorColumn = 0
	c.composer.Refresh()
	if cv := c.win.win.Canvas(); cv != nil {
		cv.Focus(c.composer)
	}
}

// confirmRetract asks before taking back our message m for everyone
// (XEP-0424), then does.
func (c *chatConversation) confirmRetract(m history.Message) {
	r := retract.Of(c.session)
	d := dialog.NewConfirm(lang.L("Delete for everyone?"),
		lang.L("The message is removed here and from the conversation. Clients that cannot remove it show that you deleted it; anyone who already read it may remember it."),
		func(ok bool) {
			if !ok {
				return
			}
			c.win.app.background(func() error { return r.Retract(m) }, func(err error) {
				if err != nil {
					c.showNotice(lang.L("The message was not deleted: {{.Reason}}", map[string]any{"Reason": Explain(err)}))
				}
			})
		}, c.win.win)
	d.SetConfirmText(lang.L("Delete"))
	d.Show()
}

// confirmModerate asks a moderator for the reason, then has the room take
// back an occupant's message for everyone (XEP-0425).
func (c *chatConversation) confirmModerate(m history.Message) {
	reason := widget.NewEntry()
	reason.SetPlaceHolder(lang.L("Reason (optional, shown to everyone)"))
	rooms, room := muc.Of(c.session), c.key.JID
	d := dialog.NewCustomConfirm(lang.L("Delete this message for everyone?"), lang.L("Delete"), lang.L("Cancel"),
		container.NewVBox(widget.NewLabel(lang.L("As a moderator, you ask the room to remove it for everyone.")), reason),
		func(ok bool) {
			if !ok {
				return
			}
			why := strings.TrimSpace(reason.Text)
			c.win.app.background(func() error {
				ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
				defer cancel()
				return rooms.Moderate(ctx, room, m, why)
			}, func(err error) {
				if err != nil {
					c.showNotice(lang.L("The message was not deleted: {{.Reason}}", map[string]any{"Reason": roomProblem(err)}))
				}
			})
		}, c.win.win)
	d.Resize(fyne.NewSize(420, 0))
	d.Show()
}
