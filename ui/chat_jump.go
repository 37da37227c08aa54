package ui

import (
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/core/history"
)

// Going to a message (a search result): the chat shows it marked in the
// middle of its neighbours, however far back it is. A message not among
// those shown is read with a page on either side; the chat then shows a
// stretch from the middle of the conversation ("away" from its newest
// messages) until the user scrolls down to them, or presses "Show the
// latest", or sends: newer pages are read as the bottom comes into view.
// New messages meanwhile are in the history and come with those pages.

// aroundPage is how many messages are read on either side of the one
// gone to.
const aroundPage = chatPageSize / 2

func (c *chatConversation) buildLatestBar() {
	c.latestBtn = widget.NewButtonWithIcon(lang.L("Show the latest messages"), theme.MoveDownIcon(), c.showLatest)
	c.latestBtn.Importance = widget.LowImportance
	c.latestBtn.Hide()
}

// goTo shows message m (of this conversation) marked, with its
// neighbours.
func (c *chatConversation) goTo(m history.Message) {
	if c.loaded && !c.loading && c.trans.Reveal(m.ID) {
		return
	}
	// A read under way (of the newest messages, of a page) gives way:
	// its result is not shown (gen).
	c.gen++
	gen := c.gen
	c.loading = true
	// What comes during the read waits for it (early), as in load: it
	// is shown after, if the read reaches the newest messages.
	c.loaded = false
	s, jid := c.session, c.key.JID
	store := c.win.app.Client.Store()
	var msgs []history.Message
	var newest bool
	c.win.app.background(func() error {
		// As it is now: m is what a search or a reply had of it, which
		// may have been corrected or taken back since.
		now, err := store.Get(m.ID)
		if err != nil {
			return err
		}
		m = now
		before, err := s.HistoryBefore(jid, m, aroundPage)
		if err != nil {
			return err
		}
		after, err := store.After(c.key.Account, jid, m, aroundPage)
		if err != nil {
			return err
		}
		newest = len(after) < aroundPage
		msgs = append(append(before, m), after...)
		return nil
	}, func(err error) {
		if gen != c.gen {
			return // a newer read replaces it
		}
		c.loading = false
		c.loaded = true
		early := c.early
		c.early = nil
		if err != nil {
			for _, m := range early {
				c.trans.Add(m)
			}
			c.showNotice(lang.L("The history of this conversation could not be read."))
			return
		}
		c.away = !newest
		c.exhausted = false
		c.trans.SetAround(msgs, m.ID)
		c.loadReactions(msgs)
		if newest {
			for _, m := range early {
				c.trans.Add(m)
			}
		}
		c.latestBtn.Hidden = !c.away
		c.content.Refresh()
	})
}

// loadNewer reads the page after the newest message shown, while the
// chat shows a stretch from the middle of the conversation.
func (c *chatConversation) loadNewer() {
	if !c.away || !c.loaded || c.loading {
		return
	}
	last, ok := c.trans.Last()
	if !ok {
		return
	}
	c.loading = true
	gen := c.gen
	store, acct, jid := c.win.app.Client.Store(), c.key.Account, c.key.JID
	var msgs []history.Message
	c.win.app.background(func() (err error) {
		msgs, err = store.After(acct, jid, last, chatPageSize)
		return err
	}, func(err error) {
		if gen != c.gen {
			return // what it was read for is no longer shown
		}
		c.loading = false
		if err != nil {
			c.showNotice(lang.L("Newer messages could not be read."))
			return
		}
		c.trans.Append(msgs)
		c.loadReactions(msgs)
		if len(msgs) == chatPageSize {
			c.early = nil // the next page reads them
		}
		if len(msgs) < chatPageSize {
			// The newest are shown: what comes next is shown as it comes.
			c.away = false
			c.latestBtn.Hide()
			for _, m := range c.early {
				c.trans.Add(m)
			}
			c.early = nil
		}
	})
}

// showLatest leaves a stretch from the middle for the newest messages.
func (c *chatConversation) showLatest() { c.load() }

// retracted shows message m taken back, in the transcript or among the
// messages waiting for a read.
func (c *chatConversation) retracted(m history.Message) {
	for i := range c.early {
		if c.early[i].ID == m.ID {
			c.early[i] = m
		}
	}
	c.trans.Retract(m)
	if c.replyTo != nil && c.replyTo.ID == m.ID {
		c.cancelReply()
	}
}
