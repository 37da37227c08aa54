package roster

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// TestOpenBranches opens the branches asked for, leaves the others as
// they were and calls neither branch callback; it lays the tree out once
// (plus once per branch closed again), where opening each branch lays it
// out each time.
func TestOpenBranches(t *testing.T) {
	test.NewTempApp(t)
	children := map[string][]string{"": {"a", "b", "c", "d", "e", "f", "g"}}
	for _, g := range children[""] {
		children[g] = []string{g + "1", g + "2"}
	}
	newTree := func() (*Tree, *int, *int) {
		tr := NewTree()
		tr.ChildUIDs = func(uid string) []string { return children[uid] }
		tr.IsBranch = func(uid string) bool { return len(children[uid]) > 0 }
		updates, called := new(int), new(int)
		tr.CreateNode = func(bool) fyne.CanvasObject { return widget.NewLabel("") }
		tr.UpdateNode = func(uid string, _ bool, o fyne.CanvasObject) { *updates++; o.(*widget.Label).SetText(uid) }
		w := test.NewWindow(tr)
		t.Cleanup(w.Close)
		w.Resize(fyne.NewSize(200, 600))
		tr.OpenBranch("g")
		tr.OnBranchOpened = func(string) { *called++ }
		tr.OnBranchClosed = func(string) { *called++ }
		*updates = 0
		return tr, updates, called
	}
	want := []string{"a", "b", "c", "d", "e"} // f stays closed, g open

	one, oneUpdates, _ := newTree()
	for _, uid := range want {
		one.OpenBranch(uid)
	}
	tr, updates, called := newTree()
	tr.OpenBranches(want)
	for _, uid := range children[""] {
		if got, want := tr.IsBranchOpen(uid), uid != "f"; got != want {
			t.Errorf("branch %s open %v, want %v", uid, got, want)
		}
	}
	if *called != 0 {
		t.Errorf("%d branch callbacks", *called)
	}
	if *updates*3 > *oneUpdates*2 {
		t.Errorf("%d rows updated, %d opening the branches one by one", *updates, *oneUpdates)
	}
	tr.OpenBranches([]string{"f"})
	if !tr.IsBranchOpen("f") || *called != 0 {
		t.Errorf("one branch: open %v, %d callbacks", tr.IsBranchOpen("f"), *called)
	}
}
