package ui

import (
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/safetext"
	"github.com/causerie/causerie/ui/recent"
	"github.com/causerie/causerie/ui/search"
)

// The search window: the words typed searched in the history of every
// conversation of every account (Ctrl+Shift+F), or of one conversation
// (Ctrl+F in a chat), as they are typed, with filters by conversation and
// by date. A result opens its chat at that message, marked among its
// neighbours, however far back it is (chat_jump.go).

// searchScope is one choice of the "In" filter: everything, an account,
// or one conversation.
type searchScope struct {
	account, peer string
}

type searchWindow struct {
	app   *App
	win   fyne.Window
	entry *searchEntry
	where *widget.Select
	// scopes are the where choices, in its order.
	scopes []searchScope
	scope  searchScope
	when   *widget.Select
	// from and to bound the dates with "Between dates…".
	from, to *widget.DateEntry
	dates    *fyne.Container
	status   *widget.Label
	list     *widget.List
	results  []search.Result
	model    *search.Model
	// current is the result Up and Down move to, Enter opens (-1: none).
	current int
	// shown is the query whose results are shown.
	shown history.Query
	now   func() time.Time
}

// The "When" choices, in the order shown.
const (
	whenAny = iota
	whenToday
	whenWeek
	whenMonth
	whenYear
	whenBetween
)

// ShowSearch opens the search window (or brings it to the front) on
// every conversation, or, with peer set, on that conversation of account.
func (a *App) ShowSearch(account, peer string) {
	if a.search == nil {
		a.search = newSearchWindow(a)
	}
	s := a.search
	s.setScopes(searchScope{account, peer})
	s.win.Show()
	s.win.RequestFocus()
	s.win.Canvas().Focus(s.entry)
	s.run()
}

func newSearchWindow(a *App) *searchWindow {
	s := &searchWindow{app: a, current: -1, now: time.Now}
	s.win = a.FyneApp.NewWindow(lang.L("Search messages") + " — Causerie")
	s.model = search.New(a.Client.Store(), a.do, s.answered)
	s.entry = newSearchEntry(s)
	s.entry.SetPlaceHolder(lang.L("Search messages"))
	s.entry.OnChanged = func(string) { s.run() }
	s.where = widget.NewSelect(nil, func(string) {
		if i := s.where.SelectedIndex(); i >= 0 && i < len(s.scopes) {
			s.scope = s.scopes[i]
		}
		s.run()
	})
	s.when = widget.NewSelect([]string{lang.L("Any time"), lang.L("Today"), lang.L("Past 7 days"),
		lang.L("Past 30 days"), lang.L("Past year"), lang.L("Between dates…")}, func(string) {
		if s.dates != nil {
			s.dates.Hidden = s.when.SelectedIndex() != whenBetween
			s.dates.Refresh()
		}
		s.run()
	})
	s.when.SetSelectedIndex(whenAny)
	s.from, s.to = widget.NewDateEntry(), widget.NewDateEntry()
	s.from.OnChanged = func(*time.Time) { s.run() }
	s.to.OnChanged = func(*time.Time) { s.run() }
	s.dates = container.NewGridWithColumns(2,
		container.NewBorder(nil, nil, widget.NewLabel(lang.L("From")), nil, s.from),
		container.NewBorder(nil, nil, widget.NewLabel(lang.L("To")), nil, s.to))
	s.dates.Hide()
	s.status = widget.NewLabel("")
	s.status.Importance = widget.LowImportance
	s.status.Wrapping = fyne.TextWrapWord
	s.list = widget.NewList(func() int { return len(s.results) },
		func() fyne.CanvasObject { return search.NewRow() },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= 0 && id < len(s.results) {
				s.fill(o.(*search.Row), s.results[id])
			}
		})
	s.list.OnSelected = func(id widget.ListItemID) {
		s.current = id
		s.list.UnselectAll() // a click opens; the current one is marked
		s.list.Refresh()
		s.open(id)
	}
	filters := container.NewGridWithColumns(2,
		container.NewBorder(nil, nil, widget.NewLabel(lang.L("In")), nil, s.where),
		container.NewBorder(nil, nil, widget.NewLabel(lang.L("When")), nil, s.when))
	top := container.NewVBox(s.entry, filters, s.dates, s.status)
	s.win.SetContent(container.NewBorder(top, nil, nil, nil, s.list))
	s.win.Resize(fyne.NewSize(560, 600))
	s.win.Canvas().SetOnTypedKey(func(k *fyne.KeyEvent) {
		if k.Name == fyne.KeyEscape && s.win.Canvas().Overlays().Top() == nil {
			s.win.Close()
		}
	})
	s.win.SetOnClosed(func() { a.search = nil })
	return s
}

// setScopes fills the "In" choices: everywhere, each account when there
// are several, then the conversations, the most recent first; and picks
// want.
func (s *searchWindow) setScopes(want searchScope) {
	s.scopes = []searchScope{{}}
	names := []string{lang.L("All conversations")}
	sessions := s.app.Client.Sessions()
	if len(sessions) > 1 {
		for _, ss := range sessions {
			jid := ss.Account().JID
			s.scopes = append(s.scopes, searchScope{account: jid})
			names = append(names, lang.L("All of {{.Account}}", map[string]any{"Account": safetext.Isolate(jid)}))
		}
	}
	var keys []recent.Key
	if m := s.app.main; m != nil {
		keys = m.recent.Sorted(func(k recent.Key) bool { return m.views[k.Account] != nil })
	}
	const most = 500 // a choice list, not a directory: the search narrows further
	if len(keys) > most {
		keys = keys[:most]
	}
	found := want.peer == ""
	for _, k := range keys {
		found = found || (k == recent.Key{Account: want.account, Peer: want.peer})
		s.scopes = append(s.scopes, searchScope{k.Account, k.Peer})
		names = append(names, s.whereName(k.Account, k.Peer, len(sessions) > 1))
	}
	if !found {
		s.scopes = append(s.scopes, want)
		names = append(names, s.whereName(want.account, want.peer, len(sessions) > 1))
	}
	s.where.Options = names
	s.scope = want
	for i, sc := range s.scopes {
		if sc == want {
			s.where.SetSelectedIndex(i) // runs the search
			break
		}
	}
}

// whereName is a conversation's name in the "In" list and in results.
func (s *searchWindow) whereName(account, peer string, withAccount bool) string {
	name := peer
	if m := s.app.main; m != nil && m.views[account] != nil {
		name = m.recentName(recent.Key{Account: account, Peer: peer})
	}
	name = safetext.Isolate(name)
	if withAccount {
		name += " (" + safetext.Isolate(account) + ")"
	}
	return name
}

// query is what the window asks for now.
func (s *searchWindow) query() history.Query {
	q := history.Query{Words: s.entry.Text, Account: s.scope.account, Peer: s.scope.peer, Limit: search.Limit}
	now := s.now()
	y, mo, d := now.Date()
	midnight := time.Date(y, mo, d, 0, 0, 0, 0, now.Location())
	switch s.when.SelectedIndex() {
	case whenToday:
		q.Since = midnight
	case whenWeek:
		q.Since = midnight.AddDate(0, 0, -6)
	case whenMonth:
		q.Since = midnight.AddDate(0, 0, -29)
	case whenYear:
		q.Since = midnight.AddDate(-1, 0, 0)
	case whenBetween:
		if s.from.Date != nil {
			f := *s.from.Date
			q.Since = time.Date(f.Year(), f.Month(), f.Day(), 0, 0, 0, 0, now.Location())
		}
		if s.to.Date != nil {
			t := *s.to.Date
			q.Until = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, now.Location()).AddDate(0, 0, 1)
		}
	}
	return q
}

// run searches for what the window asks now (the answer comes to
// answered).
func (s *searchWindow) run() {
	if s.model == nil || s.when == nil || s.from == nil {
		return // still being built
	}
	q := s.query()
	if strings.TrimSpace(q.Words) == "" {
		s.results, s.current = nil, -1
		s.list.UnselectAll()
		s.list.Refresh()
		s.status.SetText(lang.L("Type words to find the messages that contain them."))
		return
	}
	s.model.Search(q)
}

// answered shows a query's results, if it is still the one asked.
func (s *searchWindow) answered(q history.Query, rs []search.Result, err error) {
	if s.app.search != s || q != s.query() {
		return // closed, or a newer query is coming
	}
	s.shown = q
	s.results, s.current = rs, -1
	s.list.UnselectAll()
	s.list.Refresh()
	s.list.ScrollToTop()
	switch {
	case err != nil:
		s.status.SetText(lang.L("The history on this computer could not be searched. Try again; if it keeps failing, check that the disk is not full."))
	case len(rs) == 0:
		s.status.SetText(lang.L("No message found."))
	case len(rs) >= search.Limit:
		s.status.SetText(lang.L("The {{.Count}} most recent messages found. Add words or choose dates to find older ones.",
			map[string]any{"Count": len(rs)}))
	default:
		s.status.SetText(lang.L("Messages found: {{.Count}}", map[string]any{"Count": len(rs)}))
	}
}

// fill shows a result in a row.
func (s *searchWindow) fill(r *search.Row, res search.Result) {
	m := res.Msg
	k := recent.Key{Account: m.Account, Peer: m.Peer}
	name := s.whereName(m.Account, m.Peer, false)
	var sender string
	switch {
	case m.Direction == history.Out:
		sender = lang.L("Me")
	case m.Type == "groupchat" && m.Resource != "":
		sender = safetext.Isolate(m.Resource)
	default:
		sender = name
	}
	where := ""
	if s.shown.Peer == "" {
		where = name
		if len(s.app.Client.Sessions()) > 1 {
			where = s.whereName(k.Account, k.Peer, true)
		}
		if sender == name {
			where = ""
			if len(s.app.Client.Sessions()) > 1 {
				where = "(" + safetext.Isolate(m.Account) + ")"
			}
		}
	}
	current := s.current >= 0 && s.current < len(s.results) && s.results[s.current].Msg.ID == m.ID
	r.Set(sender, where, resultWhen(m.Sent, s.now()), res, current)
}

// resultWhen is when a result was sent: the time today, else the date and
// time.
func resultWhen(t, now time.Time) string {
	t, now = t.Local(), now.Local()
	switch t.Format("2006-01-02") {
	case now.Format("2006-01-02"):
		return t.Format("15:04")
	case now.AddDate(0, 0, -1).Format("2006-01-02"):
		return lang.L("Yesterday") + " " + t.Format("15:04")
	}
	return t.Format("2006-01-02 15:04")
}

// move makes the result by results away the current one (Up, Down).
func (s *searchWindow) move(by int) {
	if len(s.results) == 0 {
		return
	}
	s.current = max(0, min(len(s.results)-1, s.current+by))
	s.list.ScrollTo(s.current)
	s.list.Refresh()
}

// openCurrent opens the current result (Enter), the first if none.
func (s *searchWindow) openCurrent() {
	if len(s.results) == 0 {
		return
	}
	s.open(max(0, s.current))
}

// open shows result id in its chat.
func (s *searchWindow) open(id widget.ListItemID) {
	if id < 0 || id >= len(s.results) {
		return
	}
	m := s.results[id].Msg
	a := s.app
	ss, ok := a.Client.Session(m.Account)
	if !ok {
		dialog.ShowInformation(lang.L("Account removed"),
			lang.L("This message is in the history of an account that is no longer in Causerie."), s.win)
		return
	}
	switch {
	case isRoom(ss, m.Peer):
		a.OpenRoom(m.Account, m.Peer)
	case m.Type == "groupchat":
		// A room we left: entered again only if the user says so.
		a.ShowJoinRoom(m.Account, m.Peer, "")
		return
	default:
		a.OpenChat(m.Account, m.Peer)
	}
	if a.chat == nil {
		return
	}
	if conv := a.chat.convs[ChatKey{Account: ss.Account().JID, JID: chatBareJID(m.Peer)}]; conv != nil {
		conv.goTo(m)
	}
}

// searchEntry is the search box: Up and Down move among the results,
// Enter opens one, Escape closes the window.
type searchEntry struct {
	widget.Entry
	s *searchWindow
}

func newSearchEntry(s *searchWindow) *searchEntry {
	e := &searchEntry{s: s}
	e.ExtendBaseWidget(e)
	return e
}

// TypedKey handles the keys that act on the results.
func (e *searchEntry) TypedKey(k *fyne.KeyEvent) {
	switch k.Name {
	case fyne.KeyDown:
		e.s.move(1)
	case fyne.KeyUp:
		e.s.move(-1)
	case fyne.KeyReturn, fyne.KeyEnter:
		e.s.openCurrent()
	case fyne.KeyEscape:
		e.s.win.Close()
	default:
		e.Entry.TypedKey(k)
	}
}
