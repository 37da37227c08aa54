package ui

import (
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/core/mam"
)

// The catch-up's gap: a catch-up of the server's archive (core/mam)
// reads what came while we were away newest first. When it ends with an
// error, the newest messages are in, and what came before them may not
// be: each open chat of the account says so, in a bar above the
// transcript with Retry (mam's Archive.CatchUp), until a catch-up reads
// to the end. A visible gap, never a silent hole.

func (c *chatConversation) buildGapBar() {
	c.gap = newStatusBar(c.retryCatchUp)
	c.gap.progress.Hide()
	c.gap.label.Importance = widget.WarningImportance
	if err, failed := c.win.app.catchUpFailed[c.key.Account]; failed {
		c.catchUpDone(err)
	}
}

// catchUpDone shows how the account's last catch-up ended: the bar with
// the reason after an error, nothing once one read to the end.
func (c *chatConversation) catchUpDone(err error) {
	if c.room != nil {
		return // a room's history is not the account's archive
	}
	b := &c.gap
	b.progress.Stop()
	b.progress.Hide()
	if err == nil {
		b.box.Hide()
	} else {
		b.label.SetText(lang.L("Messages from while you were away may be missing here: the server's archive could not be read to the end. {{.Reason}}",
			map[string]any{"Reason": Explain(err)}))
		b.retry.Show()
		b.box.Show()
	}
	if c.content != nil {
		c.content.Refresh() // the bar's height changed
	}
}

// retryCatchUp asks the account's archive again (Retry).
func (c *chatConversation) retryCatchUp() {
	arch := mam.Of(c.session)
	if arch == nil {
		return
	}
	b := &c.gap
	if err := arch.CatchUp(); err != nil {
		c.catchUpDone(err) // offline: says so
		return
	}
	b.label.SetText(lang.L("Loading messages from while you were away…"))
	b.retry.Hide()
	b.progress.Show()
	b.progress.Start()
}
