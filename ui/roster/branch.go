package roster

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// Branch is a group's (or section's) row: a bold label with a context
// menu (rename a group).
type Branch struct {
	widget.Label
	// UID is the node the row shows.
	UID string
	on  Callbacks
}

// NewBranch makes a branch row whose context menu is on.Menu.
func NewBranch(on Callbacks) *Branch {
	b := &Branch{on: on}
	b.TextStyle = fyne.TextStyle{Bold: true}
	b.Truncation = fyne.TextTruncateEllipsis
	b.ExtendBaseWidget(b)
	return b
}

// TappedSecondary opens the group's menu.
func (b *Branch) TappedSecondary(e *fyne.PointEvent) { b.on.Menu(b.UID, e.AbsolutePosition) }
