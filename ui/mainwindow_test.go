package ui

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/account"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/internal/testserver"
	"github.com/causerie/causerie/ui/roster"
)

// rowText describes a visible row as the tree shows it: a branch's label,
// or "  name | status | unread" for a leaf, through the window's own
// update code.
func rowText(m *mainWindow, uid string) string {
	if m.model.IsBranch(uid) {
		l := newBranchLabel(m)
		m.updateNode(uid, true, l)
		return l.Text
	}
	r := newRosterRow(m)
	m.updateNode(uid, false, r)
	s := "  " + r.Name
	if r.Status != "" {
		s += " | " + r.Status
	}
	if r.Unread > 0 {
		s += " | unread " + strconv.Itoa(r.Unread)
	}
	return s
}

// rows lists the visible rows' texts.
func rows(m *mainWindow) []string {
	var out []string
	for _, uid := range m.visibleRows() {
		out = append(out, rowText(m, uid))
	}
	return out
}

// renderedRow finds the on-screen row widget of a node, on the Contacts
// tab (shown, as the user would).
func renderedRow(m *mainWindow, uid string) *roster.Row {
	m.tabs.SelectIndex(1)
	for _, o := range test.LaidOutObjects(m.win.Canvas().Content()) {
		if r, ok := o.(*roster.Row); ok && r.UID == uid && r.Visible() {
			return r
		}
	}
	return nil
}

// rowDrawn is what a row's renderer draws: the presence dot, then its
// texts in order (the name, the status line, the unread badge's count).
func rowDrawn(r *roster.Row) (dot *canvas.Circle, name, status, badge *canvas.Text) {
	var texts []*canvas.Text
	for _, o := range test.WidgetRenderer(r).Objects() {
		switch o := o.(type) {
		case *canvas.Circle:
			dot = o
		case *canvas.Text:
			texts = append(texts, o)
		}
	}
	if len(texts) != 3 {
		panic("a roster row draws a name, a status and a badge")
	}
	return dot, texts[0], texts[1], texts[2]
}

// rowButton is the button of a row's renderer with the text, or nil.
func rowButton(r *roster.Row, text string) *widget.Button {
	for _, o := range test.WidgetRenderer(r).Objects() {
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			return b
		}
	}
	return nil
}

func hasRow(m *mainWindow, text string) bool { return slices.Contains(rows(m), text) }

func domainOf(jid string) string { return jid[strings.IndexByte(jid, '@')+1:] }

// signedIn is a harness with one real account online and its main window.
func signedIn(t *testing.T, srv *testserver.Server) (*harness, *core.Session, *mainWindow) {
	t.Helper()
	h := newHarness(t, srv)
	s := h.addAccount(srv.NewUser(t))
	h.app.Start() // subscribes to core and, with an account, shows the main window
	m := h.app.main
	if m == nil {
		t.Fatal("ShowMain: no main window")
	}
	h.online(s)
	h.pump("state line online", func() bool { return m.views[s.Account().JID].label.Text == "Online" })
	return h, s, m
}

func TestMainWindowGroupsFilterAndOffline(t *testing.T) {
	h, s, m := signedIn(t, prosody(t))
	dom := domainOf(s.Account().JID)
	ctx := context.Background()
	alice, bob := "alice@"+dom, "bob@"+dom
	if err := s.AddContact(ctx, core.AddContactRequest{JID: alice, Name: "Alice", Groups: []string{"Work", "Friends"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddContact(ctx, core.AddContactRequest{JID: bob}); err != nil {
		t.Fatal(err)
	}
	h.pump("both contacts in the window", func() bool { return m.model.Contacts == 2 })

	// Offline contacts are hidden by default: nobody is online.
	if got := rows(m); len(got) != 0 || !m.hint.Visible() || !strings.Contains(m.hint.Text, "Nobody is online") {
		t.Fatalf("offline hidden: rows %q, hint %q", got, m.hint.Text)
	}
	test.Tap(m.showOffline)
	want := []string{
		"Friends (0/1)", "  Alice | Presence not shared",
		"Work (0/1)", "  Alice | Presence not shared",
		"Contacts (0/1)", "  " + bob + " | Presence not shared",
	}
	if got := rows(m); !slices.Equal(got, want) {
		t.Fatalf("show offline:\n got %q\nwant %q", got, want)
	}
	if !h.fyne.Preferences().Bool(prefShowOffline) {
		t.Error("show offline not remembered")
	}

	// The filter hides what does not match, by name or address.
	test.Type(m.filter, "ALI")
	if got := rows(m); !slices.Equal(got, []string{"Friends (0/1)", "  Alice | Presence not shared", "Work (0/1)", "  Alice | Presence not shared"}) {
		t.Fatalf("filter ALI: %q", got)
	}
	m.filter.SetText("bob@")
	if got := rows(m); !slices.Equal(got, []string{"Contacts (0/1)", "  " + bob + " | Presence not shared"}) {
		t.Fatalf("filter bob@: %q", got)
	}
	m.filter.SetText("nobody")
	if len(rows(m)) != 0 || !strings.Contains(m.hint.Text, "nobody") {
		t.Fatalf("filter nobody: %q, hint %q", rows(m), m.hint.Text)
	}
	m.filter.SetText("")

	// A group closed stays closed across rebuilds.
	m.tree.CloseBranch(roster.GroupUID(s.Account().JID, "Friends"))
	m.rebuild()
	if got := rows(m); got[0] != "Friends (0/1)" || got[1] != "Work (0/1)" {
		t.Fatalf("closed group: %q", got)
	}
	test.Tap(m.showOffline)
	if len(rows(m)) != 0 || h.fyne.Preferences().Bool(prefShowOffline) {
		t.Fatalf("offline hidden again: %q", rows(m))
	}
}

func TestMainWindowPresenceUnreadAndOpenChat(t *testing.T) {
	srv := prosody(t)
	h, s, m := signedIn(t, srv)
	p := newPeer(t, srv)
	me := s.Account().JID
	ctx := context.Background()
	if err := s.AddContact(ctx, core.AddContactRequest{JID: p.jid, Name: "Peer", Groups: []string{"Friends"}, Subscribe: true}); err != nil {
		t.Fatal(err)
	}
	h.pump("the peer got our request", func() bool {
		reqs, _ := p.session.PendingRequests()
		return len(reqs) == 1
	})
	if err := p.session.ApproveSubscription(ctx, me, core.ApproveOptions{}); err != nil {
		t.Fatal(err)
	}
	uid := roster.ContactUID(me, "Friends", p.jid)
	h.pump("peer shown online", func() bool { return rowText(m, uid) == "  Peer" })

	// The peer goes away: the row's dot and status follow.
	if err := p.session.SetPresence(ctx, core.Presence{Show: core.ShowAway, Status: "At lunch"}); err != nil {
		t.Fatal(err)
	}
	h.pump("peer away", func() bool { return rowText(m, uid) == "  Peer | At lunch" })
	r := renderedRow(m, uid)
	if r == nil {
		t.Fatal("peer's row not on screen")
	}
	dot, _, status, _ := rowDrawn(r)
	if want, _ := roster.PresenceColor(core.ShowAway); dot.FillColor != want || status.Text != "At lunch" {
		t.Errorf("away row: dot %v, status %q", dot.FillColor, status.Text)
	}

	// A message from the peer: badge, bold name, title.
	if _, err := p.session.SendMessage(me, core.TypeChat, "", "hi"); err != nil {
		t.Fatal(err)
	}
	h.pump("unread badge", func() bool {
		return rowText(m, uid) == "  Peer | At lunch | unread 1" && m.win.Title() == "Causerie (1)"
	})
	if r = renderedRow(m, uid); r == nil {
		t.Fatal("row gone")
	}
	_, name, _, badge := rowDrawn(r)
	if !name.TextStyle.Bold || !badge.Visible() || badge.Text != "1" {
		t.Errorf("unread row: bold %v, badge %v %q", name.TextStyle.Bold, badge.Visible(), badge.Text)
	}
	if m.win.Title() != "Causerie (1)" {
		t.Errorf("title %q", m.win.Title())
	}
	h.app.MarkRead(ChatKey{me, p.jid})
	h.pump("read", func() bool { return rowText(m, uid) == "  Peer | At lunch" && m.win.Title() == "Causerie" })

	// Double tap, and Enter on the selected row, open the chat.
	var opened []string
	openChatHook = func(acct, jid string) { opened = append(opened, acct+" "+jid) }
	t.Cleanup(func() { openChatHook = nil })
	test.DoubleTap(renderedRow(m, uid))
	test.Tap(renderedRow(m, uid))
	if m.tree.Selected() != uid {
		t.Errorf("tap did not select: %q", m.tree.Selected())
	}
	m.tree.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	m.tree.UnselectAll()
	test.Type(m.filter, "pee")
	m.filter.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if want := []string{me + " " + p.jid, me + " " + p.jid, me + " " + p.jid}; !slices.Equal(opened, want) {
		t.Errorf("opened %q, want %q", opened, want)
	}
	m.filter.SetText("")

	// Our own presence: away with a status, then invisible, which this
	// Prosody does not offer.
	m.status.SetText("Back soon")
	m.presence.SetSelected(presenceOption(core.ShowAway))
	h.pump("we are away", func() bool { return s.Presence().Show == core.ShowAway && s.Presence().Status == "Back soon" })
	m.presence.SetSelected(presenceOption(core.ShowInvisible))
	h.pump("invisible refused", func() bool { return m.win.Canvas().Overlays().Top() != nil })
	if !overlayHasText(m, "This server does not support being invisible.") {
		t.Error("no explanation for invisible")
	}
	if m.presence.Selected != presenceOption(core.ShowAway) {
		t.Errorf("selector not back: %q", m.presence.Selected)
	}
}

func overlayHasText(m *mainWindow, text string) bool {
	for _, o := range test.LaidOutObjects(m.win.Canvas().Overlays().Top()) {
		switch o := o.(type) {
		case *widget.Label:
			if o.Text == text {
				return true
			}
		case *widget.RichText:
			if o.String() == text {
				return true
			}
		}
	}
	return false
}

func TestMainWindowSubscriptionRequest(t *testing.T) {
	srv := prosody(t)
	h, s, m := signedIn(t, srv)
	p := newPeer(t, srv)
	me := s.Account().JID
	if err := p.session.RequestSubscription(me, "It's me"); err != nil {
		t.Fatal(err)
	}
	uid := roster.RequestUID(me, p.jid)
	h.pump("request shown", func() bool { return hasRow(m, "  "+p.jid+" | “It's me”") })
	if got := rows(m); got[0] != "Requests (1)" {
		t.Fatalf("requests first: %q", got)
	}
	r := renderedRow(m, uid)
	if r == nil {
		t.Fatal("no request row on screen")
	}
	approve, deny := rowButton(r, "Approve"), rowButton(r, "Deny")
	if approve == nil || !approve.Visible() || deny == nil || !deny.Visible() {
		t.Fatal("no Approve button on screen")
	}
	test.Tap(approve)
	h.pump("request answered", func() bool { return m.model.Nodes[uid] == nil })
	h.pump("they see us", func() bool {
		c, ok := s.Roster().Contact(p.jid)
		return ok && c.InRoster && c.SeesUs()
	})
	if slices.Contains(rows(m), "Requests (1)") {
		t.Errorf("requests still shown: %q", rows(m))
	}
	// Approving added them and asked back.
	h.pump("asked back", func() bool {
		c, _ := s.Roster().Contact(p.jid)
		return c.PendingOut || c.WeSee()
	})
}

func TestMainWindowAccountsAndConnectionState(t *testing.T) {
	srv := prosody(t)
	h, s, m := signedIn(t, srv)
	jid, _ := srv.NewUser(t)
	bad := h.addAccount(jid, "wrong password")
	bad.Connect()
	v := func() *accountState { return m.views[jid] }
	h.pump("second account offline with an error", func() bool { return v() != nil && v().state == core.StateOffline && v().err != nil })
	want := jid + ": " + "Offline — " + Explain(v().err)
	if v().label.Text != want || !v().signIn.Visible() {
		t.Errorf("state line %q (sign in shown %v), want %q", v().label.Text, v().signIn.Visible(), want)
	}
	if got := m.views[s.Account().JID].label.Text; got != s.Account().JID+": Online" || m.views[s.Account().JID].signIn.Visible() {
		t.Errorf("first account %q", got)
	}
	// One branch per account.
	if err := s.AddContact(context.Background(), core.AddContactRequest{JID: "carol@" + domainOf(jid), Name: "Carol"}); err != nil {
		t.Fatal(err)
	}
	m.setShowOffline(true)
	want = s.Account().JID + " (0/1)"
	h.pump("account branch", func() bool { return len(rows(m)) > 0 && rows(m)[0] == want })
	if got := rows(m); !slices.Equal(got, []string{want, "Contacts (0/1)", "  Carol | Presence not shared", jid + " (0/0)"}) {
		t.Errorf("rows %q", got)
	}
}

// newOfflineWindow is a main window over one account and no server, fed
// with events: deterministic, for goldens.
func newOfflineWindow(t *testing.T) (*harness, *mainWindow) {
	h := newHarness(t, nil)
	if _, err := h.client.AddAccount(context.Background(), account.Account{JID: "me@example.org"}, ""); err != nil {
		t.Fatal(err)
	}
	h.app.Start()
	h.drain()
	return h, h.app.main
}

func TestMainWindowGolden(t *testing.T) {
	h, m := newOfflineWindow(t)
	const me = "me@example.org"
	if got := rows(m); len(got) != 0 || !strings.Contains(m.hint.Text, "No contacts yet") {
		t.Fatalf("empty roster: %q, hint %q", got, m.hint.Text)
	}
	if m.views[me].label.Text != "Offline" || m.views[me].signIn.Visible() || m.presence.Selected != "Offline" {
		t.Fatalf("offline state: %q", m.views[me].label.Text)
	}
	res := func(show core.Show, status string) []core.Resource {
		return []core.Resource{{Name: "pc", Show: show, Status: status}}
	}
	contacts := []core.Contact{
		{JID: "alice@example.org", Name: "Alice Martin", Groups: []string{"Friends", "Work"}, Subscription: core.SubBoth, InRoster: true, Resources: res(core.ShowChat, "Free to talk")},
		{JID: "bob@example.org", Name: "Bob", Groups: []string{"Friends"}, Subscription: core.SubBoth, InRoster: true, Resources: res(core.ShowAway, "At lunch")},
		{JID: "carol@example.org", Name: "Carol", Groups: []string{"Work"}, Subscription: core.SubBoth, InRoster: true, Resources: res(core.ShowDND, "")},
		{JID: "dave@example.org", Name: "Dave", Groups: []string{"Work"}, Subscription: core.SubBoth, InRoster: true, Resources: res(core.ShowXA, "On holiday until a date much later than this row is wide")},
		{JID: "erin@example.net", Subscription: core.SubNone, PendingOut: true, InRoster: true},
		{JID: "frank@example.net", Name: "Frank", Subscription: core.SubBoth, InRoster: true, Resources: res(core.ShowAvailable, "")},
		{JID: "gina@example.net", Name: "Gina", Subscription: core.SubBoth, InRoster: true},
	}
	h.app.dispatch(core.ConnectionStateChanged{Account: me, State: core.StateOnline})
	h.app.dispatch(core.RosterChanged{Account: me, Contacts: contacts})
	h.app.dispatch(core.SubscriptionRequested{Account: me, Request: history.Request{From: "henry@example.com", Message: "Hello, it's Henry from the club", At: time.Unix(1, 0)}})
	h.app.dispatch(core.MessageReceived{Account: me, Message: history.Message{ID: 1, Peer: "bob@example.org", Direction: history.In, Body: "x", Sent: time.Date(2024, 5, 1, 9, 0, 0, 0, time.Local)}})
	h.app.dispatch(core.MessageReceived{Account: me, Message: history.Message{ID: 2, Peer: "bob@example.org", Direction: history.In, Body: "Are you coming tonight?", Sent: time.Date(2024, 5, 1, 9, 5, 0, 0, time.Local)}})
	h.drain()
	want := []string{
		"Requests (1)", "  henry@example.com | “Hello, it's Henry from the club”",
		"Friends (2/2)", "  Alice Martin | Free to talk", "  Bob | At lunch | unread 2",
		"Work (3/3)", "  Alice Martin | Free to talk", "  Carol | Do not disturb", "  Dave | On holiday until a date much later than this row is wide",
		"Contacts (1/3)", "  Frank",
	}
	if got := rows(m); !slices.Equal(got, want) {
		t.Fatalf("rows:\n got %q\nwant %q", got, want)
	}
	m.setShowOffline(true)
	want = append(want, "  erin@example.net | Waiting for approval", "  Gina")
	if got := rows(m); !slices.Equal(got, want) {
		t.Fatalf("rows:\n got %q\nwant %q", got, want)
	}
	if m.win.Title() != "Causerie (2)" {
		t.Errorf("title %q", m.win.Title())
	}
	m.win.Resize(fyne.NewSize(340, 600))
	m.tabs.SelectIndex(1)
	test.AssertRendersToMarkup(t, "main/roster.xml", m.win.Canvas())
	test.AssertRendersToImage(t, "main/roster.png", m.win.Canvas())

	// The Chats tab: Bob's two unread messages, our answer to Alice, a
	// stranger's message, the latest first.
	day := func(d int) time.Time { return time.Date(2024, 5, d, 9, 30, 0, 0, time.Local) }
	for _, msg := range []history.Message{
		{ID: 10, Peer: "alice@example.org", Direction: history.Out, Body: "See you at the club tonight?", Sent: day(2)},
		{ID: 11, Peer: "zoe@example.com", Direction: history.In, Body: "Hello, I found your address on the club's page", Sent: day(3)},
	} {
		h.app.dispatch(core.MessageReceived{Account: me, Message: msg})
	}
	h.drain()
	m.tabs.SelectIndex(0)
	wantKeys := []string{"zoe@example.com", "alice@example.org", "bob@example.org"}
	var gotKeys []string
	for _, k := range m.recentKeys {
		gotKeys = append(gotKeys, k.Peer)
	}
	if !slices.Equal(gotKeys, wantKeys) {
		t.Fatalf("chats %q, want %q", gotKeys, wantKeys)
	}
	test.AssertRendersToImage(t, "main/chats.png", m.win.Canvas())

	// The reconnection countdown.
	h.app.dispatch(core.ConnectionStateChanged{Account: me, State: core.StateReconnecting, Retry: core.RetryInfo{At: time.Now().Add(11500 * time.Millisecond), Attempt: 1}})
	if got := m.views[me].label.Text; got != "Reconnecting in 12 s…" {
		t.Errorf("reconnecting: %q", got)
	}
	h.pump("countdown ticks", func() bool { return m.views[me].label.Text == "Reconnecting in 11 s…" })
}

func TestMainWindowKeyboardAndMenu(t *testing.T) {
	h, m := newOfflineWindow(t)
	const me = "me@example.org"
	h.app.dispatch(core.RosterChanged{Account: me, Contacts: []core.Contact{
		{JID: "a@example.org", Name: "A", Groups: []string{"G"}, Subscription: core.SubBoth, InRoster: true},
		{JID: "b@example.org", Name: "B", Groups: []string{"G"}, Subscription: core.SubBoth, InRoster: true},
	}})
	h.drain()
	var opened []string
	openChatHook = func(acct, jid string) { opened = append(opened, jid) }
	t.Cleanup(func() { openChatHook = nil })

	// Down three times moves the selection over the group, A and B; Enter
	// opens B's chat. Enter on the group closes it.
	m.win.Canvas().Focus(m.tree)
	for _, k := range []fyne.KeyName{fyne.KeyDown, fyne.KeyDown, fyne.KeyDown, fyne.KeyReturn} {
		m.tree.TypedKey(&fyne.KeyEvent{Name: k})
	}
	if !slices.Equal(opened, []string{"b@example.org"}) {
		t.Errorf("keyboard opened %q", opened)
	}
	m.tree.Select(roster.GroupUID(me, "G"))
	m.tree.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if m.tree.IsBranchOpen(roster.GroupUID(me, "G")) || len(m.visibleRows()) != 1 {
		t.Errorf("Enter on a group did not close it: %q", rows(m))
	}

	// Ctrl+F focuses the filter; Ctrl+N opens the add-contact form.
	ctrl := func(k fyne.KeyName) {
		sc := &desktop.CustomShortcut{KeyName: k, Modifier: fyne.KeyModifierShortcutDefault}
		m.win.Canvas().(fyne.Shortcutable).TypedShortcut(sc)
	}
	ctrl(fyne.KeyF)
	if m.win.Canvas().Focused() != m.filter {
		t.Error("Ctrl+F did not focus the filter")
	}
	ctrl(fyne.KeyN)
	if m.win.Canvas().Overlays().Top() == nil {
		t.Fatal("Ctrl+N: no add-contact form")
	}
	menu := m.win.MainMenu()
	if menu == nil || len(menu.Items) == 0 {
		t.Fatal("no main menu")
	}
	var labels []string
	for _, it := range menu.Items[0].Items {
		labels = append(labels, it.Label)
	}
	for _, l := range []string{"Accounts…", "Add contact…", "Preferences…", "Quit"} {
		if !slices.Contains(labels, l) {
			t.Errorf("menu lacks %q: %q", l, labels)
		}
	}
	// Preferences: a window; its offline toggle drives the list.
	for _, it := range menu.Items[0].Items {
		if it.Label == "Preferences…" {
			it.Action()
		}
	}
	if h.app.prefs == nil {
		t.Fatal("no preferences window")
	}
	test.Tap(h.app.prefs.offline)
	if !m.offlinePref || !m.showOffline.Checked {
		t.Error("preference did not apply")
	}
}

// The roster, the contacts' pictures and the pending requests show from
// the local store before any network answer (here there is no server at
// all).
func TestMainWindowFromCache(t *testing.T) {
	h := newHarness(t, nil)
	const me = "me@example.org"
	st := h.client.Store()
	if err := st.SaveRoster(me, "7", []byte(`[{"jid":"x@example.org","name":"Xavier","groups":["Team"],"sub":"both"}]`)); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveAvatar("x@example.org", "h1", testPNG(40, 40)); err != nil {
		t.Fatal(err)
	}
	if err := st.AddRequest(me, history.Request{From: "y@example.org", At: time.Unix(1, 0)}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.AddAccount(context.Background(), account.Account{JID: me}, ""); err != nil {
		t.Fatal(err)
	}
	h.app.Start()
	m := h.app.main
	if got := rows(m); !slices.Equal(got, []string{"Team (0/1)", "  Xavier"}) {
		t.Errorf("cached roster at once: %q", got)
	}
	h.pump("cached request", func() bool { return len(rows(m)) == 4 })
	h.pump("cached picture", func() bool { return m.avatars[ChatKey{me, "x@example.org"}] != nil })
	row := newRosterRow(m)
	m.updateNode(roster.ContactUID(me, "Team", "x@example.org"), false, row)
	if row.Avatar == nil {
		t.Error("the row shows no picture")
	}
	if got := rows(m); !slices.Equal(got, []string{"Requests (1)", "  y@example.org | Wants to see your presence", "Team (0/1)", "  Xavier"}) {
		t.Errorf("with the request: %q", got)
	}
	// Offline, approving cannot work: the reason is explained.
	h.drain()
	m.answerRequest(roster.RequestUID(me, "y@example.org"), true)
	h.pump("explanation", func() bool { return m.win.Canvas().Overlays().Top() != nil })
	if !overlayHasText(m, Explain(core.ErrNotConnected)) {
		t.Error("no explanation")
	}
}

// TestSignInAgainAsksThePassword: an account whose password was refused
// shows "Sign in again", which asks for the password right there (not the
// whole sign-in window) and signs in with it.
func TestSignInAgainAsksThePassword(t *testing.T) {
	srv := prosody(t)
	h := newHarness(t, srv)
	jid, pass := srv.NewUser(t)
	s := h.addAccount(jid, "wrong-password")
	h.app.Start()
	m := h.app.main
	s.Connect()
	v := m.views[jid]
	h.pump("refused", func() bool { return v.signIn.Visible() })
	test.Tap(v.signIn)
	if m.passwordDialog == nil || h.app.login != nil {
		t.Fatal("no password dialog (or the whole sign-in window)")
	}
	entries := overlayEntries(m.win.Canvas().Overlays().Top())
	if len(entries) != 1 || m.win.Canvas().Focused() != entries[0] {
		t.Fatal("password field not focused")
	}
	for _, o := range test.LaidOutObjects(m.win.Canvas().Overlays().Top()) {
		if c, ok := o.(*widget.Check); ok && c.Checked {
			test.Tap(c) // no keyring in this test
		}
	}
	test.Type(entries[0], pass)
	entries[0].TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	h.pump("online", func() bool { st, _ := s.State(); return st == core.StateOnline })
}
