package ui

import (
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/reactions"
	"github.com/causerie/causerie/core/safetext"
	"github.com/causerie/causerie/ui/transcript"
)

// Reactions (XEP-0444): under a message, each emoji with how many reacted
// with it and who; a tap on one adds or takes back ours. "React…" in a
// message's menu opens a small picker. The reactions to the messages
// shown are read with each page; changes come as core events.

// reactionChoices are the picker's emoji, the ones people use most.
var reactionChoices = []string{"👍", "❤️", "😂", "😮", "😢", "🙏", "👏", "🎉", "🔥", "👀", "✅", "👎"}

func (c *chatConversation) setUpReactions() {
	c.trans.Reactor = c.reactorName
	c.trans.Mine = c.isMe
	if reactions.Of(c.session) != nil {
		c.trans.Toggle = c.toggleReaction
	}
}

// isMe reports whether a reaction's sender is us (our account's bare
// JID, as core keeps ours).
func (c *chatConversation) isMe(sender string) bool { return sender == c.key.Account }

// reactorName names who reacted: "Me", the contact, or in a room the
// occupant's nick (the sender is room/nick).
func (c *chatConversation) reactorName(sender string) string {
	switch {
	case c.isMe(sender):
		return lang.L("Me")
	case c.room == nil && sender == c.key.JID:
		return c.displayName()
	case c.room != nil && strings.HasPrefix(sender, c.key.JID+"/"):
		return safetext.Isolate(strings.TrimPrefix(sender, c.key.JID+"/"))
	}
	return safetext.Isolate(sender)
}

// canReact reports whether message m can be reacted to now.
func (c *chatConversation) canReact(m history.Message) bool {
	if reactions.Of(c.session) == nil || reactions.Target(m) == "" || m.Type == "error" || m.Type == "headline" {
		return false
	}
	if m.State == history.StatePending || m.State == history.StateError {
		return false
	}
	return c.room == nil || m.Type == "groupchat"
}

// ourReactions are our reactions shown under m.
func (c *chatConversation) ourReactions(m history.Message) []string {
	for _, r := range c.trans.Reactions(m) {
		if c.isMe(r.Sender) {
			return slices.Clone(r.Emojis)
		}
	}
	return nil
}

// toggleReaction adds our reaction emoji to m, or takes it back.
func (c *chatConversation) toggleReaction(m history.Message, emoji string) {
	if !c.canReact(m) {
		return
	}
	mine := c.ourReactions(m)
	if i := slices.Index(mine, emoji); i >= 0 {
		mine = slices.Delete(mine, i, i+1)
	} else {
		mine = append(mine, emoji)
	}
	r := reactions.Of(c.session)
	c.win.app.background(func() error { return r.React(m, mine) }, func(err error) {
		if err != nil {
			c.showNotice(lang.L("The reaction was not sent: {{.Reason}}", map[string]any{"Reason": Explain(err)}))
		}
	})
}

// pickReaction shows the emoji picker for m at pos.
func (c *chatConversation) pickReaction(m history.Message, pos fyne.Position) {
	cv := c.win.win.Canvas()
	var pop *widget.PopUp
	grid := container.NewGridWithColumns(6)
	mine := c.ourReactions(m)
	for _, e := range reactionChoices {
		e := e
		b := widget.NewButton(e, func() {
			pop.Hide()
			c.toggleReaction(m, e)
		})
		if slices.Contains(mine, e) {
			b.Importance = widget.HighImportance
		} else {
			b.Importance = widget.LowImportance
		}
		grid.Add(b)
	}
	pop = widget.NewPopUp(grid, cv)
	pop.ShowAtPosition(pos)
}

// loadReactions reads the reactions to msgs (a page shown) and shows
// them.
func (c *chatConversation) loadReactions(msgs []history.Message) {
	var ids []string
	for _, m := range msgs {
		ids = append(ids, transcript.IDsOf(m)...)
	}
	if len(ids) == 0 {
		return
	}
	store, acct, jid := c.win.app.Client.Store(), c.key.Account, c.key.JID
	var got map[string][]history.Reaction
	c.win.app.background(func() (err error) {
		got, err = store.Reactions(acct, jid, ids)
		return err
	}, func(err error) {
		if err == nil {
			c.trans.SetReactions(got)
		}
	})
}

// reacted shows a change of someone's reactions.
func (c *chatConversation) reacted(target, sender string, emojis []string) {
	c.trans.React(target, sender, emojis, time.Now())
}
