package ui

import (
	"context"
	"errors"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/mam"
)

// Older history from the server's archive: when scrolling up reaches the
// start of what this computer holds, the chat asks the account's archive
// for the page before (core/mam Archive.Older), with a bar at the top
// that says so. A page that could not be read leaves the bar with a
// Retry button, a visible gap, never a silent hole.

// archivePage is how many archived messages a scroll asks for.
const archivePage = 100

// archiveTimeout bounds one page.
const archivePageTimeout = time.Minute

// statusBar is a bar at the top of the transcript: a progress line, what
// is going on, and Retry. This one's, and the catch-up's gap
// (chat_gap.go).
type statusBar struct {
	box      *fyne.Container
	progress *widget.ProgressBarInfinite
	label    *widget.Label
	retry    *widget.Button
}

// newStatusBar makes a hidden bar whose Retry button calls retry.
func newStatusBar(retry func()) statusBar {
	b := statusBar{progress: widget.NewProgressBarInfinite(), label: widget.NewLabel("")}
	b.progress.Stop()
	b.label.Wrapping = fyne.TextWrapWord
	b.retry = widget.NewButtonWithIcon(lang.L("Retry"), theme.ViewRefreshIcon(), retry)
	b.box = container.NewVBox(b.progress, container.NewBorder(nil, nil, nil, b.retry, b.label))
	b.box.Hide()
	return b
}

func (c *chatConversation) buildArchiveBar() { c.archive = newStatusBar(c.loadFromArchive) }

// archiveState shows what the bar says: busy (a page is on its way), a
// problem (with Retry), or nothing.
func (c *chatConversation) archiveState(busy bool, problem string) {
	b := &c.archive
	switch {
	case busy:
		b.label.SetText(lang.L("Loading older messages from the server…"))
		b.label.Importance = widget.LowImportance
		b.retry.Hide()
		b.progress.Show()
		b.progress.Start()
		b.box.Show()
	case problem != "":
		b.label.SetText(problem)
		b.label.Importance = widget.WarningImportance
		b.progress.Stop()
		b.progress.Hide()
		b.retry.Show()
		b.box.Show()
	default:
		b.progress.Stop()
		b.box.Hide()
	}
	if c.content != nil {
		c.content.Refresh() // the bar's height changed
	}
}

// loadFromArchive asks the archive for the page before the oldest
// message shown (the Retry button).
func (c *chatConversation) loadFromArchive() { c.fromArchive(false) }

// fromArchive asks the archive for the page before the oldest message
// shown. auto: the chat opened with less than a page of local history
// (too short to scroll up): nothing is said when offline.
func (c *chatConversation) fromArchive(auto bool) {
	arch := mam.Of(c.session)
	if arch == nil {
		c.archiveDone = true
		c.exhausted = true
		return
	}
	if c.archiveBusy {
		return
	}
	if st, _ := c.session.State(); st != core.StateOnline {
		if !auto {
			c.archiveState(false, lang.L("Older messages may be on the server: sign in to load them."))
		}
		return
	}
	first, _ := c.trans.First()
	gen := c.gen
	c.archiveBusy = true
	c.archiveState(true, "")
	s, jid := c.session, c.key.JID
	var msgs []history.Message
	var complete bool
	c.win.app.background(func() error {
		ctx, cancel := context.WithTimeout(context.Background(), archivePageTimeout)
		defer cancel()
		var err error
		if _, complete, err = arch.Older(ctx, jid, first, archivePage); err != nil {
			return err
		}
		if first.ID == 0 {
			msgs, err = s.History(jid, chatPageSize)
		} else {
			msgs, err = s.HistoryBefore(jid, first, chatPageSize)
		}
		return err
	}, func(err error) {
		c.archiveBusy = false
		if errors.Is(err, mam.ErrNoArchive) {
			c.archiveDone, c.exhausted = true, true
			c.archiveState(false, "")
			return
		}
		if err != nil {
			c.archiveState(false, lang.L("Older messages could not be loaded from the server. {{.Reason}}",
				map[string]any{"Reason": Explain(err)}))
			return
		}
		c.archiveState(false, "")
		c.archiveDone = complete
		c.exhausted = complete && len(msgs) < chatPageSize
		if gen != c.gen {
			return // stored; what it was read for is no longer shown
		}
		if first.ID == 0 {
			c.trans.Set(msgs)
		} else {
			c.trans.Prepend(msgs)
		}
		c.loadReactions(msgs)
	})
}
