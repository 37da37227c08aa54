package roster

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// Tree is the roster's widget.Tree with keyboard activation: Enter
// opens the selected contact's chat (or toggles the selected group), and
// Up/Down move the selection itself (as in GTK tree views, so that Enter
// acts on what the arrows reached). Fyne's Tree has neither.
type Tree struct {
	widget.Tree
	// OnEnter is Enter on the selected node.
	OnEnter func(uid string)
	// Rows lists the node IDs in display order, open branches expanded.
	Rows func() []string
	sel  string // the selected node (the Tree keeps its own private)
}

// NewTree makes an empty tree that keeps track of its selection; its
// OnSelected and OnUnselected are taken for that.
func NewTree() *Tree {
	t := &Tree{}
	t.OnSelected = func(uid string) { t.sel = uid }
	t.OnUnselected = func(uid string) {
		if t.sel == uid {
			t.sel = ""
		}
	}
	t.ExtendBaseWidget(t)
	return t
}

// Selected is the selected node's ID, "" when none is.
func (t *Tree) Selected() string { return t.sel }

// TypedKey handles Enter and the selection keys, then defers to the Tree.
func (t *Tree) TypedKey(e *fyne.KeyEvent) {
	switch e.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		if t.OnEnter != nil && t.sel != "" {
			t.OnEnter(t.sel)
		}
		return
	case fyne.KeyUp, fyne.KeyDown:
		if t.Rows == nil {
			break
		}
		rows := t.Rows()
		if len(rows) == 0 {
			return
		}
		i := -1
		for k, uid := range rows {
			if uid == t.sel {
				i = k
				break
			}
		}
		switch {
		case i < 0:
			i = 0
		case e.Name == fyne.KeyUp && i > 0:
			i--
		case e.Name == fyne.KeyDown && i < len(rows)-1:
			i++
		}
		t.Select(rows[i])
		return
	}
	t.Tree.TypedKey(e)
}

// OpenBranches opens the branches uids, laying the tree out once where
// OpenBranch lays it out again for each (twenty groups of a large roster
// cost the first window 25 ms): it opens every branch, then closes again
// those that were closed and are not in uids. OnBranchOpened and
// OnBranchClosed are not called.
func (t *Tree) OpenBranches(uids []string) {
	if len(uids) == 1 {
		opened := t.OnBranchOpened
		t.OnBranchOpened = nil
		t.OpenBranch(uids[0])
		t.OnBranchOpened = opened
		return
	}
	open := make(map[string]bool, len(uids))
	for _, uid := range uids {
		open[uid] = true
	}
	var shut []string
	var walk func(uid string)
	walk = func(uid string) {
		if t.ChildUIDs == nil {
			return
		}
		for _, c := range t.ChildUIDs(uid) {
			if t.IsBranch == nil || !t.IsBranch(c) {
				continue
			}
			if !t.IsBranchOpen(c) && !open[c] {
				shut = append(shut, c)
			}
			walk(c)
		}
	}
	walk("")
	closed := t.OnBranchClosed
	t.OnBranchClosed = nil
	t.OpenAllBranches()
	for _, uid := range shut {
		t.CloseBranch(uid)
	}
	t.OnBranchClosed = closed
}
