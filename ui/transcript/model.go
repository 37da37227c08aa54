package transcript

import (
	"github.com/causerie/causerie/core/omemo"
	"slices"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2/lang"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/xmpp/xhtmlim"
)

// The transcript's model: a flat slice of rows, day separators being rows
// of their own, so the virtualised list maps index -> row with no search.
// It is pure (no widgets): built and benchmarked without a window.

type rowKind uint8

const (
	rowDay rowKind = iota
	rowMsg
)

// row is one row of a transcript. h is the height measured at
// width w (0: not measured yet, the list uses its template height).
type row struct {
	kind rowKind
	day  time.Time // local midnight of the day (separators)
	msg  history.Message
	ver  uint32 // bumped when the row's content changes (delivery state)
	idx  int    // index in the model
	h, w float32
	// rich is the message's text as rich text, made once per text
	// (richVer is the ver it was made at).
	rich    xhtmlim.Doc
	richVer uint32
	richOK  bool
	// cont: the message continues the one before it (same sender, a
	// few minutes apart): shown without its own header.
	cont bool
}

// doc is the row's message as rich text (cached).
func (r *row) doc() xhtmlim.Doc {
	if !r.richOK || r.richVer != r.ver {
		r.rich, r.richVer, r.richOK = core.MessageDoc(r.msg), r.ver, true
	}
	return r.rich
}

// model holds a conversation's rows, oldest first.
type model struct {
	rows []*row
	byID map[int64]*row
	// sender names a message's author: messages under one header have
	// the same name (nil: groups go by what the messages say).
	sender func(history.Message) string
	// refs finds a message shown by the ids replies name it by (its
	// stanza-id, origin-id, id attribute); nil: to be made again.
	refs map[string]*row
	// reacts are the reactions (XEP-0444) to messages, by the id they
	// name them by.
	reacts map[string][]history.Reaction
}

// IDsOf are the ids others may name m by (answering it, reacting to it,
// taking it back): its stanza-id, origin-id and id attribute.
func IDsOf(m history.Message) []string {
	var out []string
	for _, k := range []string{m.StanzaID, m.OriginID, m.WireID} {
		if k != "" && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// reactionsOf are the reactions to m, by whichever of its ids they name
// it, each sender once (their newest set).
func (t *model) reactionsOf(m history.Message) []history.Reaction {
	var out []history.Reaction
	for _, id := range IDsOf(m) {
		for _, r := range t.reacts[id] {
			i := slices.IndexFunc(out, func(o history.Reaction) bool { return o.Sender == r.Sender })
			switch {
			case i < 0:
				out = append(out, r)
			case r.At.After(out[i].At):
				out[i] = r
			}
		}
	}
	return out
}

// setReactions records sender's reactions to the message named target;
// it returns the row of that message when shown.
func (t *model) setReactions(target, sender string, emojis []string, at time.Time) *row {
	if t.reacts == nil {
		t.reacts = map[string][]history.Reaction{}
	}
	for _, r := range t.reacts[target] {
		if r.Sender == sender && r.At.After(at) {
			return nil // a newer set is shown (a read finishing late)
		}
	}
	list := slices.DeleteFunc(t.reacts[target], func(r history.Reaction) bool { return r.Sender == sender })
	if len(emojis) > 0 {
		list = append(list, history.Reaction{Sender: sender, Emojis: emojis, At: at})
	}
	t.reacts[target] = list
	r := t.referenced(target)
	if r != nil {
		r.ver++
		r.w = 0
	}
	return r
}

// referenced is the row of the message shown that a reply names by id,
// or nil.
func (t *model) referenced(id string) *row {
	if id == "" {
		return nil
	}
	if t.refs == nil {
		t.refs = map[string]*row{}
		for _, r := range t.rows {
			if r.kind != rowMsg {
				continue
			}
			for _, k := range IDsOf(r.msg) {
				t.refs[k] = r // the newest wins, as in the history
			}
		}
	}
	return t.refs[id]
}

func newModel(sender func(history.Message) string) *model {
	return &model{byID: map[int64]*row{}, sender: sender}
}

// dayOf is the local calendar day of t.
func dayOf(t time.Time) time.Time {
	y, m, d := t.Local().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.Local)
}

// buildRows turns messages (oldest first) into rows with a day
// separator before the first message of each day. Messages already in
// byID are skipped; new ones are added to it.
func buildRows(msgs []history.Message, byID map[int64]*row) []*row {
	rows := make([]*row, 0, len(msgs)+len(msgs)/8+1)
	// one allocation for all the rows of a page
	block := make([]row, 0, len(msgs)+len(msgs)/8+1)
	var last time.Time
	for i := range msgs {
		m := &msgs[i]
		if m.ID != 0 {
			if _, dup := byID[m.ID]; dup {
				continue
			}
		}
		day := dayOf(m.Sent)
		if len(rows) == 0 || !day.Equal(last) {
			block = append(block, row{kind: rowDay, day: day})
			rows = append(rows, &block[len(block)-1])
			last = day
		}
		block = append(block, row{kind: rowMsg, day: day, msg: *m})
		r := &block[len(block)-1]
		rows = append(rows, r)
		if m.ID != 0 {
			byID[m.ID] = r
		}
	}
	return rows
}

// reindex numbers the rows from from on, and groups them again: a row
// whose grouping changed is measured again.
func (t *model) reindex(from int) {
	t.refs = nil
	for i := from; i < len(t.rows); i++ {
		r := t.rows[i]
		r.idx = i
		cont := i > 0 && r.kind == rowMsg && t.rows[i-1].kind == rowMsg && continues(t.rows[i-1].msg, r.msg) &&
			(t.sender == nil || t.sender(t.rows[i-1].msg) == t.sender(r.msg))
		if cont != r.cont {
			r.cont = cont
			r.ver++
			r.w = 0
		}
	}
}

// groupGap is how far apart two messages of one sender can be and still
// share a header.
const groupGap = 5 * time.Minute

// continues reports whether m goes under prev's header: the same sender
// in the same kind of message, at most groupGap later, neither with a
// subject nor an action (/me), neither a headline nor an error.
func continues(prev, m history.Message) bool {
	if m.Direction != prev.Direction || m.Type != prev.Type {
		return false
	}
	switch m.Type {
	case "chat", "normal", "groupchat", "":
	default:
		return false
	}
	if m.Type == "groupchat" {
		same := m.Resource == prev.Resource
		if m.OccupantID != "" || prev.OccupantID != "" {
			same = m.OccupantID == prev.OccupantID
		}
		if !same {
			return false
		}
	}
	gap := m.Sent.Sub(prev.Sent)
	if gap < 0 || gap > groupGap {
		return false
	}
	return m.Subject == "" && prev.Subject == "" && !IsAction(m) && !IsAction(prev)
}

// IsAction reports whether a message is an action, "/me waves" (XEP-0245):
// shown as "* Alice waves".
func IsAction(m history.Message) bool {
	return strings.HasPrefix(m.Body, "/me ") && len(strings.TrimSpace(m.Body)) > len("/me")
}

// set replaces the content with msgs (oldest first).
func (t *model) set(msgs []history.Message) {
	t.byID = map[int64]*row{}
	t.rows = buildRows(msgs, t.byID)
	t.reindex(0)
}

// lastMsg is the newest message row, or nil.
func (t *model) lastMsg() *row {
	for i := len(t.rows) - 1; i >= 0; i-- {
		if t.rows[i].kind == rowMsg {
			return t.rows[i]
		}
	}
	return nil
}

// firstMsg is the oldest message row, or nil.
func (t *model) firstMsg() *row {
	for _, r := range t.rows {
		if r.kind == rowMsg {
			return r
		}
	}
	return nil
}

// add puts one message in place. It returns appended=true when the rows
// were only appended to (the common case: a new message is the newest);
// false when it had to go earlier (a delayed message), which reorders
// rows. added is false for a message already shown.
func (t *model) add(m history.Message) (added, appended bool) {
	if m.ID != 0 {
		if _, dup := t.byID[m.ID]; dup {
			return false, true
		}
	}
	last := t.lastMsg()
	if last == nil || !before(m, last.msg) {
		n := len(t.rows)
		t.rows = append(t.rows, buildRows([]history.Message{m}, t.byID)...)
		// the new day separator is not needed when the day continues
		if last != nil && t.rows[n].kind == rowDay && t.rows[n].day.Equal(last.day) {
			t.rows = append(t.rows[:n], t.rows[n+1:]...)
		}
		t.reindex(n)
		return true, true
	}
	// out of order: rebuild from the messages, keeping measured rows
	msgs := t.messages()
	i := sort.Search(len(msgs), func(i int) bool { return before(m, msgs[i]) })
	msgs = append(msgs[:i], append([]history.Message{m}, msgs[i:]...)...)
	t.rebuild(msgs)
	return true, false
}

// prepend adds older messages (oldest first) before the current rows.
func (t *model) prepend(older []history.Message) int {
	rows := buildRows(older, t.byID)
	if len(rows) == 0 {
		return 0
	}
	if len(t.rows) > 0 && t.rows[0].kind == rowDay && t.rows[0].day.Equal(rows[len(rows)-1].day) {
		t.rows = t.rows[1:] // the day continues from the older page
	}
	t.rows = append(rows, t.rows...)
	t.reindex(0)
	return len(rows)
}

// appendPage adds newer messages (oldest first) after the current rows;
// it returns how many rows it added.
func (t *model) appendPage(newer []history.Message) int {
	rows := buildRows(newer, t.byID)
	if len(rows) == 0 {
		return 0
	}
	n := len(t.rows)
	if last := t.lastMsg(); last != nil && rows[0].kind == rowDay && rows[0].day.Equal(last.day) {
		rows = rows[1:] // the day continues into the newer page
	}
	t.rows = append(t.rows, rows...)
	t.reindex(n)
	return len(rows)
}

// rebuild lays out msgs again, reusing the rows (and measured heights) of
// messages already shown.
func (t *model) rebuild(msgs []history.Message) {
	old := t.byID
	t.byID = map[int64]*row{}
	rows := buildRows(msgs, t.byID)
	for i, r := range rows {
		if r.kind == rowMsg && r.msg.ID != 0 {
			if o, ok := old[r.msg.ID]; ok {
				o.msg, o.day = r.msg, r.day
				rows[i] = o
				t.byID[r.msg.ID] = o
			}
		}
	}
	t.rows = rows
	t.reindex(0)
}

func (t *model) messages() []history.Message {
	out := make([]history.Message, 0, len(t.rows))
	for _, r := range t.rows {
		if r.kind == rowMsg {
			out = append(out, r.msg)
		}
	}
	return out
}

// setState records a delivery state change; it returns the row changed.
func (t *model) setState(id int64, st history.State, reason string) *row {
	r, ok := t.byID[id]
	if !ok {
		return nil
	}
	if !r.msg.State.Advances(st) {
		return nil // never backwards, as core (history.Store.Advance)
	}
	r.msg.State = st
	r.msg.Error = ""
	if st == history.StateError {
		r.msg.Error = reason
	}
	r.ver++
	r.w = 0 // re-measure: an error adds a line
	return r
}

// replace shows a corrected message's new text; it returns the row changed.
func (t *model) replace(m history.Message) *row {
	r, ok := t.byID[m.ID]
	if !ok {
		return nil
	}
	r.msg.Body, r.msg.Rich, r.msg.Corrected = m.Body, m.Rich, m.Corrected
	r.ver++
	r.w = 0          // re-measure: the text changed
	t.reindex(r.idx) // it may have become an action (/me), or stopped being one
	return r
}

// retract shows a message taken back (a tombstone); it returns the row
// changed.
func (t *model) retract(m history.Message) *row {
	r, ok := t.byID[m.ID]
	if !ok {
		return nil
	}
	r.msg = m
	r.ver++
	r.w = 0
	return r
}

// setFile records where a message's file is on this computer (a
// download finished, or a copy gone); it returns the row changed.
func (t *model) setFile(id int64, path string, size int64) *row {
	r, ok := t.byID[id]
	if !ok {
		return nil
	}
	r.msg.File, r.msg.FileSize = path, size
	r.ver++
	r.w = 0
	return r
}

// touch has a row drawn again (a download's progress); it returns it.
func (t *model) touch(id int64) *row {
	r, ok := t.byID[id]
	if !ok {
		return nil
	}
	r.ver++
	return r
}

// lastOutgoing is our last message, if it is a chat message that can be
// corrected (not failed).
func (t *model) lastOutgoing() (history.Message, bool) {
	for i := len(t.rows) - 1; i >= 0; i-- {
		r := t.rows[i]
		if r.kind != rowMsg || r.msg.Direction != history.Out {
			continue
		}
		ok := r.msg.Type == "chat" && r.msg.State != history.StateError && r.msg.State != history.StatePending && !r.msg.Retracted
		return r.msg, ok
	}
	return history.Message{}, false
}

func before(a, b history.Message) bool {
	if !a.Sent.Equal(b.Sent) {
		return a.Sent.Before(b.Sent)
	}
	return a.ID < b.ID
}

// DayLabel is the text of the day separator of time t seen at now:
// "Today", "Yesterday", or the localised date.
func DayLabel(t, now time.Time) string { return dayLabel(dayOf(t), now) }

// dayLabel is "Today", "Yesterday", or the localised date of day (a
// local midnight).
func dayLabel(day, now time.Time) string {
	today := dayOf(now)
	switch {
	case day.Equal(today):
		return lang.L("Today")
	case day.Equal(today.AddDate(0, 0, -1)):
		return lang.L("Yesterday")
	}
	data := map[string]any{
		"Weekday": weekdayName(day.Weekday()),
		"Month":   monthName(day.Month()),
		"Day":     day.Day(),
		"Year":    day.Year(),
	}
	if day.Year() == today.Year() {
		return lang.L("{{.Weekday}}, {{.Month}} {{.Day}}", data)
	}
	return lang.L("{{.Weekday}}, {{.Month}} {{.Day}}, {{.Year}}", data)
}

// deliveryText is the delivery state shown on an outgoing message.
func deliveryText(m history.Message) (text string, failed bool) {
	if m.Direction != history.Out {
		return "", false
	}
	switch m.State {
	case history.StatePending:
		return lang.L("Sending…"), false
	case history.StateSent:
		return lang.L("✓ sent"), false
	case history.StateAcked:
		return lang.L("✓✓ on server"), false
	case history.StateDelivered:
		return lang.L("✓✓ delivered"), false
	case history.StateRead:
		return lang.L("✓✓ read"), false
	case history.StateError:
		return lang.L("⚠ Not delivered: {{.Reason}}", map[string]any{"Reason": reasonText(m.Error)}), true
	}
	return "", false
}

// reasonText puts an XMPP error condition ("service-unavailable",
// optionally followed by ": text" from the server) into words.
func reasonText(reason string) string {
	cond, text, _ := strings.Cut(reason, ": ")
	var s string
	switch cond {
	case omemo.ReasonNoDevices:
		s = lang.L("it could not be encrypted: the contact has no device that reads OMEMO. Turn encryption off in this chat (🔒) to send in the clear")
	case omemo.ReasonUntrusted:
		s = lang.L("it could not be encrypted: none of the contact's devices is trusted. Open the chat's encryption (🔒) to decide")
	case omemo.ReasonNotSetUp, core.ReasonNoEncryption:
		s = lang.L("it could not be encrypted: this device's encryption keys could not be read from the system's keyring")
	case "service-unavailable", "item-not-found", "recipient-unavailable", "gone":
		s = lang.L("the address does not exist or does not accept messages")
	case "remote-server-not-found", "remote-server-timeout":
		s = lang.L("the contact's server could not be reached")
	case "not-allowed", "forbidden", "not-authorized", "not-acceptable":
		s = lang.L("the contact's server refused it")
	case "resource-constraint", "policy-violation":
		s = lang.L("the server refused it (too many messages, or against its rules)")
	case "":
		s = lang.L("the server refused it")
	default:
		s = lang.L("the server refused it ({{.Condition}})", map[string]any{"Condition": cond})
	}
	if text != "" {
		s += " — " + text
	}
	return s
}
