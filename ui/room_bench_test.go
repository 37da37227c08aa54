package ui

import (
	"fmt"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/core/muc"
)

// BenchmarkOccupantList1000: the occupant panel of a room of 1,000
// shown: grouped by role, sorted, and drawn (only the rows in view are
// widgets).
func BenchmarkOccupantList1000(b *testing.B) {
	test.NewTempApp(b)
	occ := make([]muc.Occupant, 1000)
	for i := range occ {
		role := muc.RoleParticipant
		if i%50 == 0 {
			role = muc.RoleModerator
		}
		occ[i] = muc.Occupant{Nick: fmt.Sprintf("membre %04d", (i*7919)%1000), Role: role}
	}
	p := &roomPart{occupants: map[string]muc.Occupant{}, count: widget.NewLabel("")}
	p.list = widget.NewList(func() int { return len(p.rows) },
		func() fyne.CanvasObject { return newOccupantRow(p) },
		func(id widget.ListItemID, o fyne.CanvasObject) { o.(*occupantRow).set(p.rows[id]) })
	w := test.NewWindow(container.NewBorder(p.count, nil, nil, nil, p.list))
	w.Resize(fyne.NewSize(200, 600))
	defer w.Close()
	b.ReportAllocs()
	for b.Loop() {
		clear(p.occupants)
		for _, o := range occ {
			p.occupants[o.Nick] = o
		}
		p.occupantsChanged()
		test.RenderObjectToMarkup(w.Content()) // drawn
	}
	if len(p.rows) != 1002 {
		b.Fatalf("%d rows", len(p.rows))
	}
}
