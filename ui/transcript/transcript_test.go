package transcript

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/internal/uitest"
)

// transcriptMessages makes n messages, perDay a day, the newest at noon
// yesterday (local time). A history is in the past: a message stamped now
// is newer than all of these at any hour, in any time zone. (They used to
// end at noon today; before noon, local time, the newest were then in the
// future, and TestTranscript100k's new message, stamped now, went in
// among them, out of view, as a delayed message does.)
func transcriptMessages(n, perDay int) []history.Message {
	y, mo, d := time.Now().Date()
	now := time.Date(y, mo, d-1, 12, 0, 0, 0, time.Local)
	msgs := make([]history.Message, n)
	for i := range msgs {
		daysAgo := (n - 1 - i) / perDay
		dir := history.In
		if i%3 == 0 {
			dir = history.Out
		}
		msgs[i] = history.Message{
			ID: int64(i + 1), Account: "me@example.org", Peer: "alice@example.org",
			Direction: dir, Type: "chat", State: history.StateAcked,
			Body: fmt.Sprintf("message %d", i+1),
			Sent: now.AddDate(0, 0, -daysAgo).Add(-time.Duration((n-1-i)%perDay) * time.Second),
		}
	}
	return msgs
}

// uiQueue stands for fyne.Do: work queued by widgets, run by the test.
type uiQueue []func()

func (q *uiQueue) do(f func()) { *q = append(*q, f) }

func (q *uiQueue) drain() {
	for i := 0; i < 20 && len(*q) > 0; i++ {
		fs := *q
		*q = nil
		for _, f := range fs {
			f()
		}
	}
}

func BenchmarkTranscript100k(b *testing.B) {
	msgs := transcriptMessages(100000, 100)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		m := newModel(nil)
		m.set(msgs)
		if len(m.rows) != 101000 {
			b.Fatalf("%d rows", len(m.rows))
		}
	}
}

func TestTranscriptModel(t *testing.T) {
	msgs := transcriptMessages(10, 4) // days: 2, 4, 4 messages
	m := newModel(nil)
	m.set(msgs[4:])
	if len(m.rows) != 6+2 || m.rows[0].kind != rowDay || m.rows[3].kind != rowDay {
		t.Fatalf("rows: %d", len(m.rows))
	}
	// an older page continuing the first day drops the duplicate separator
	m.prepend(msgs[:4])
	days := 0
	for i, r := range m.rows {
		if r.idx != i {
			t.Fatalf("row %d has idx %d", i, r.idx)
		}
		if r.kind == rowDay {
			days++
		}
	}
	if days != 3 || len(m.rows) != 13 {
		t.Fatalf("%d separators in %d rows", days, len(m.rows))
	}
	// a duplicate is ignored; a delayed message goes in its place
	if added, _ := m.add(msgs[9]); added {
		t.Error("duplicate added")
	}
	late := msgs[5]
	late.ID, late.Body = 99, "late"
	late.Sent = late.Sent.Add(-time.Millisecond)
	if added, appended := m.add(late); !added || appended {
		t.Errorf("delayed message: added %v appended %v", added, appended)
	}
	if r := m.byID[99]; r == nil || m.rows[r.idx] != r || m.rows[r.idx+1].msg.ID != msgs[5].ID {
		t.Error("delayed message not in time order")
	}
	// delivery states never go backwards
	if m.setState(1, history.StateSent, "") != nil {
		t.Error("state went back from acked to sent")
	}
	if r := m.setState(1, history.StateError, "service-unavailable"); r == nil || r.msg.Error == "" {
		t.Error("error state not recorded")
	}
	// a confirmation after a bounce: delivered, the error gone; a late
	// bounce then changes nothing
	if r := m.setState(1, history.StateDelivered, ""); r == nil || r.msg.State != history.StateDelivered || r.msg.Error != "" {
		t.Error("a failed message confirmed is not shown delivered")
	}
	if m.setState(1, history.StateError, "late") != nil {
		t.Error("a late bounce undid a delivery")
	}
}

func TestTranscriptDayLabel(t *testing.T) {
	now := time.Date(2025, 3, 12, 15, 0, 0, 0, time.Local)
	for _, c := range []struct {
		day  time.Time
		want string
	}{
		{now, "Today"},
		{now.AddDate(0, 0, -1), "Yesterday"},
		{now.AddDate(0, 0, -5), "Friday, March 7"},
		{time.Date(2024, 5, 1, 9, 0, 0, 0, time.Local), "Wednesday, May 1, 2024"},
	} {
		if got := dayLabel(dayOf(c.day), now); got != c.want {
			t.Errorf("%v: %q, want %q", c.day, got, c.want)
		}
	}
}

// TestTranscript100k: a transcript of 100,000 messages renders with only
// the rows on screen made into widgets, scrolls, and takes new messages.
func TestTranscript100k(t *testing.T) {
	uitest.NewApp(t)
	var q uiQueue
	tr := New(q.do, func(m history.Message) string {
		if m.Direction == history.Out {
			return "Me"
		}
		return "Alice"
	})
	w := test.NewTempWindow(t, tr.Object())
	w.Resize(fyne.NewSize(480, 600))
	msgs := transcriptMessages(100000, 100)

	start := time.Now()
	tr.Set(msgs)
	q.drain()
	took := time.Since(start)
	t.Logf("100,000 messages: shown in %v with %d row widgets", took, len(tr.shown))
	if n := len(tr.shown); n == 0 || n > 60 {
		t.Fatalf("%d row widgets for 100,000 messages", n)
	}
	markup := test.RenderObjectToMarkup(w.Content())
	if !strings.Contains(markup, "message 100000") || strings.Contains(markup, ">message 1<") {
		t.Fatalf("not scrolled to the newest message: offset %v, list %v\n%s", tr.list.GetScrollOffset(), tr.list.Size(), markup)
	}

	// scrolled to the top: the first rows, still few widgets
	tr.stick = false
	tr.list.ScrollToTop()
	q.drain()
	markup = test.RenderObjectToMarkup(w.Content())
	if !strings.Contains(markup, "message 1<") {
		t.Fatal("top not shown")
	}
	if n := len(tr.shown); n > 120 {
		t.Fatalf("%d row widgets after scrolling", n)
	}

	// back at the bottom, a new message is followed
	tr.list.ScrollToBottom()
	q.drain()
	m := msgs[len(msgs)-1]
	m.ID, m.Body, m.Sent = 100001, "the newest one", time.Now()
	tr.Add(m)
	q.drain()
	if last := tr.model.lastMsg(); last == nil || last.msg.ID != m.ID {
		t.Fatalf("new message (sent %v) not the last row: the transcript's newest was sent %v",
			m.Sent.Format(time.RFC3339), msgs[len(msgs)-1].Sent.Format(time.RFC3339))
	}
	if !strings.Contains(test.RenderObjectToMarkup(w.Content()), "the newest one") {
		t.Fatal("new message not in view")
	}
}

// TestTranscriptRowHeights: a long body wraps and its row grows; a narrower
// window re-measures.
func TestTranscriptRowHeights(t *testing.T) {
	uitest.NewApp(t)
	var q uiQueue
	tr := New(q.do, func(history.Message) string { return "Alice" })
	w := test.NewTempWindow(t, tr.Object())
	w.Resize(fyne.NewSize(480, 600))
	msgs := transcriptMessages(3, 10)
	msgs[1].Body = strings.Repeat("word ", 60)
	tr.Set(msgs)
	q.drain()
	short, long := tr.model.byID[1], tr.model.byID[2]
	if long.h <= short.h*2 {
		t.Fatalf("wrapped row %v not taller than a one-line row %v", long.h, short.h)
	}
	wide := long.h
	w.Resize(fyne.NewSize(300, 600))
	q.drain()
	if long.h <= wide {
		t.Fatalf("narrower: %v, was %v", long.h, wide)
	}
}

// BenchmarkTranscript100kScroll: one scroll step near the bottom of a
// 100,000-message transcript (Fyne's List walks the row heights from the
// top on each step when rows have their own heights).
func BenchmarkTranscript100kScroll(b *testing.B) {
	uitest.NewApp(b)
	var q uiQueue
	tr := New(q.do, func(history.Message) string { return "Alice" })
	w := test.NewTempWindow(b, tr.Object())
	w.Resize(fyne.NewSize(480, 600))
	tr.Set(transcriptMessages(100000, 100))
	q.drain()
	bottom := tr.list.GetScrollOffset()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		tr.list.ScrollToOffset(bottom - float32(i%400)*20)
		i++
	}
	b.StopTimer()
	q.drain()
}

// TestPictureRowMeasured: a row that shows a prepared picture counts the
// picture's height (half its pixels) in its own. (With Fyne's
// ImageSegment, the real driver knows that height only once the picture
// is drawn, and rows measured before overlapped the next ones; the test
// driver does not show that: e2e TestFiles's screenshots do.)
func TestPictureRowMeasured(t *testing.T) {
	uitest.NewApp(t)
	imgs := NewImages(t.TempDir(), nil)
	src := "https://example.org/file_share/x/moulinsart.png"
	k := keyOf(src)
	var b bytes.Buffer
	png.Encode(&b, image.NewGray(image.Rect(0, 0, 320, 200)))
	imgs.set(k, imgs.prepare(k, b.Bytes(), "image/png"))
	v := New(func(f func()) { f() }, func(history.Message) string { return "Tintin" })
	v.Env.Images = imgs
	plain := &row{kind: rowMsg, msg: history.Message{ID: 1, Direction: history.In, Type: "chat", Body: "moulinsart.png", Sent: time.Now()}}
	pic := &row{kind: rowMsg, msg: history.Message{ID: 2, Direction: history.In, Type: "chat", Body: src, OOB: src, Sent: time.Now()}}
	w := newRowWidget(v)
	w.bind(plain)
	without := w.heightFor(500)
	w.bind(pic)
	with := w.heightFor(500)
	if with-without < 100 {
		t.Fatalf("the picture's row is %v tall, a row of its name %v: the picture (100 high) is not counted", with, without)
	}
}

// TestTranscriptFollowsAcrossResizes: a transcript that follows the
// newest message keeps following it when its window changes size (a
// bar shown or hidden above it, the user resizing): the list's offset
// moves then, but the user did not scroll away.
func TestTranscriptFollowsAcrossResizes(t *testing.T) {
	uitest.NewApp(t)
	var q uiQueue
	tr := New(q.do, func(history.Message) string { return "Alice" })
	w := test.NewTempWindow(t, tr.Object())
	w.Resize(fyne.NewSize(400, 300))
	msgs := transcriptMessages(40, 100)
	tr.Set(msgs)
	q.drain()
	next := int64(1000)
	for _, size := range []fyne.Size{{Width: 400, Height: 200}, {Width: 400, Height: 500}, {Width: 300, Height: 250}, {Width: 400, Height: 300}} {
		w.Resize(size)
		q.drain()
		m := msgs[len(msgs)-1]
		next++
		m.ID, m.Body, m.Sent = next, fmt.Sprintf("after a resize to %v", size), time.Now()
		tr.Add(m)
		q.drain()
		if !tr.stick {
			t.Fatalf("after a resize to %v: no longer following", size)
		}
		if !tr.atBottom() {
			t.Fatalf("after a resize to %v: %q out of view (offset %v, list %v, content %v)", size, m.Body,
				tr.list.GetScrollOffset(), tr.list.Size(), tr.contentHeight())
		}
	}
	// The user scrolls up: no longer followed.
	tr.list.ScrollToTop()
	q.drain()
	m := msgs[len(msgs)-1]
	m.ID, m.Body, m.Sent = next+1, "while reading above", time.Now()
	tr.Add(m)
	q.drain()
	if tr.stick {
		t.Fatal("still following after the user scrolled up")
	}
}

// TestTranscriptAround: a stretch shown from the middle (a search result
// and its neighbours) has the message marked and in the middle of the
// view, stays there while rows are measured, takes a newer page below
// without moving, and asks for it when its last row shows.
func TestTranscriptAround(t *testing.T) {
	uitest.NewApp(t)
	var q uiQueue
	tr := New(q.do, func(history.Message) string { return "Alice" })
	bottoms := 0
	tr.OnBottom = func() { bottoms++ }
	w := test.NewTempWindow(t, tr.Object())
	w.Resize(fyne.NewSize(400, 300))
	msgs := transcriptMessages(300, 50)
	for i := range msgs {
		if i%7 == 0 {
			msgs[i].Body = strings.Repeat("a long line that wraps ", 12) // rows of their own heights
		}
	}
	target := msgs[150]
	tr.SetAround(msgs[50:250], target.ID)
	q.drain()
	if tr.mark != target.ID || tr.target == nil {
		t.Fatalf("mark %d, target %v", tr.mark, tr.target)
	}
	r := tr.model.byID[target.ID]
	inView := func() bool {
		top := tr.offsetOf(r) - tr.list.GetScrollOffset()
		return top >= 0 && top+r.h <= tr.list.Size().Height
	}
	if !inView() {
		t.Fatalf("the message found is out of view: at %v, offset %v, view %v", tr.offsetOf(r), tr.list.GetScrollOffset(), tr.list.Size())
	}
	if !strings.Contains(test.RenderObjectToMarkup(w.Content()), fmt.Sprintf(">message %d<", target.ID)) {
		t.Fatal("the message found is not drawn")
	}
	if bottoms != 0 {
		t.Fatalf("OnBottom called %d times with the last row out of view", bottoms)
	}
	// A newer page below changes nothing in view.
	at := tr.list.GetScrollOffset()
	tr.Append(msgs[250:])
	q.drain()
	if tr.list.GetScrollOffset() != at || !inView() {
		t.Fatalf("appending moved the view: %v -> %v", at, tr.list.GetScrollOffset())
	}
	if last, _ := tr.Last(); last.ID != msgs[299].ID || tr.Len() != 250+5 {
		t.Fatalf("last %d, %d rows", last.ID, tr.Len())
	}
	// At the bottom, OnBottom asks for more.
	tr.list.ScrollToBottom()
	q.drain()
	if bottoms == 0 {
		t.Fatal("OnBottom not called at the last row")
	}
	// Revealing a message shown moves the mark.
	if !tr.Reveal(msgs[60].ID) || tr.mark != msgs[60].ID {
		t.Fatal("Reveal of a message shown")
	}
	q.drain()
	r = tr.model.byID[msgs[60].ID]
	if !inView() {
		t.Fatal("the revealed message is out of view")
	}
	if tr.Reveal(msgs[10].ID) {
		t.Fatal("Reveal of a message not shown")
	}
	// Set (the latest, again) ends it.
	tr.Set(msgs[200:])
	if tr.mark != 0 || tr.target != nil || !tr.stick {
		t.Fatal("Set keeps the mark")
	}
}

// TestTranscriptGroups: a message of the same sender minutes after the
// one before goes under its header; another sender, a longer pause, a
// new day, a subject or an action starts a new header. An older page
// that ends with the same sender groups across the join.
func TestTranscriptGroups(t *testing.T) {
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.Local)
	msg := func(id int64, dir history.Direction, typ, res, body string, min int) history.Message {
		return history.Message{ID: id, Direction: dir, Type: typ, Resource: res, Body: body,
			Sent: at.Add(time.Duration(min) * time.Minute)}
	}
	msgs := []history.Message{
		msg(1, history.In, "chat", "phone", "one", 0),
		msg(2, history.In, "chat", "laptop", "two (another device, same person)", 1),
		msg(3, history.Out, "chat", "", "mine", 2),
		msg(4, history.Out, "chat", "", "mine again", 3),
		msg(5, history.Out, "chat", "", "after a pause", 10),
		msg(6, history.Out, "chat", "", "/me waves", 11),
		msg(7, history.Out, "chat", "", "after the action", 12),
		msg(8, history.In, "groupchat", "tintin", "room", 13),
		msg(9, history.In, "groupchat", "haddock", "another nick", 13),
		msg(10, history.In, "groupchat", "haddock", "same nick", 14),
	}
	want := map[int64]bool{2: true, 4: true, 10: true}
	m := newModel(nil)
	m.set(msgs)
	for _, r := range m.rows {
		if r.kind == rowMsg && r.cont != want[r.msg.ID] {
			t.Errorf("message %d %q: continues %v", r.msg.ID, r.msg.Body, r.cont)
		}
	}
	// An older page whose last message is the same sender's, a minute
	// before: the first message shown now continues it, and is measured
	// again.
	first := m.byID[1]
	first.w, first.h = 480, 60
	m.prepend([]history.Message{msg(0, history.In, "chat", "phone", "just before", -1)})
	if !first.cont || first.w != 0 {
		t.Fatalf("after the older page: continues %v, width %v", first.cont, first.w)
	}
	// A correction that makes a message an action takes it out of its
	// group.
	four := msgs[3]
	four.Body = "/me fixes it"
	if r := m.replace(four); r.cont {
		t.Fatal("an action continues a group")
	}
	if !IsAction(four) || IsAction(history.Message{Body: "/me "}) || IsAction(history.Message{Body: "/meow"}) {
		t.Fatal("IsAction")
	}
}

// TestTranscriptActionAndGroupShown: an action line says "* Name text";
// a message under the one before shows no second header.
func TestTranscriptActionAndGroupShown(t *testing.T) {
	tr, w, q := aliceTranscript(t)
	at := time.Now().Add(-time.Hour)
	tr.Set([]history.Message{
		{ID: 1, Direction: history.In, Type: "chat", Body: "first", Sent: at},
		{ID: 2, Direction: history.In, Type: "chat", Body: "second", Sent: at.Add(time.Minute)},
		{ID: 3, Direction: history.In, Type: "chat", Body: "/me waves", Sent: at.Add(2 * time.Minute)},
	})
	q.drain()
	markup := test.RenderObjectToMarkup(w.Content())
	if n := strings.Count(markup, ">Alice<"); n != 2 {
		t.Errorf("%d headers for three messages, one continuing (want 2):\n%s", n, markup)
	}
	if !strings.Contains(markup, "* Alice </text>") || !strings.Contains(markup, ">waves<") {
		t.Errorf("the action line:\n%s", markup)
	}
}

// An encrypted message shows "🔒 encrypted" in its header; one that
// could not be read says so, and why, in place of its text.
func TestTranscriptEncrypted(t *testing.T) {
	tr, w, q := aliceTranscript(t)
	at := time.Now().Add(-time.Hour)
	tr.Set([]history.Message{
		{ID: 1, Direction: history.In, Type: "chat", Body: "secret", Encryption: history.OMEMO, Sent: at},
		{ID: 2, Direction: history.In, Type: "chat", Encryption: history.OMEMO, Undecrypted: "not-for-device", Sent: at.Add(10 * time.Minute)},
		// From a device not trusted, a minute later: its warning shows
		// though it continues the one before.
		{ID: 3, Direction: history.In, Type: "chat", Body: "trust me", Encryption: history.OMEMOUntrusted, Sent: at.Add(11 * time.Minute)},
	})
	q.drain()
	markup := test.RenderObjectToMarkup(w.Content())
	if n := strings.Count(markup, "🔒 encrypted"); n != 2 {
		t.Errorf("%d headers marked encrypted (want 2):\n%s", n, markup)
	}
	if !strings.Contains(markup, ">secret<") || !strings.Contains(markup, "could not be read: it was not encrypted") ||
		!strings.Contains(markup, "🔒 ⚠ encrypted by a device you have not trusted") || !strings.Contains(markup, ">trust me<") {
		t.Errorf("the messages:\n%s", markup)
	}
	if got := Undecrypted("something new"); !strings.Contains(got, "it does not decrypt") {
		t.Errorf("an unknown reason: %q", got)
	}
}

// aliceTranscript is a transcript of messages from "Alice" in a 480×400
// test window, with the queue standing for fyne.Do.
func aliceTranscript(t *testing.T) (*View, fyne.Window, *uiQueue) {
	t.Helper()
	uitest.NewApp(t)
	q := &uiQueue{}
	tr := New(q.do, func(history.Message) string { return "Alice" })
	w := test.NewTempWindow(t, tr.Object())
	w.Resize(fyne.NewSize(480, 400))
	return tr, w, q
}
