package ui

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/blocking"
	"github.com/causerie/causerie/core/carbons"
	"github.com/causerie/causerie/core/csi"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/mam"
	"github.com/causerie/causerie/core/mds"
	"github.com/causerie/causerie/core/muc"
	"github.com/causerie/causerie/core/reactions"
	"github.com/causerie/causerie/core/reply"
	"github.com/causerie/causerie/core/retract"
	"github.com/causerie/causerie/core/upload"
	"github.com/causerie/causerie/ui/transcript"
)

// Features are the core features the GUI shows (see core.Feature): the
// client the GUI drives is made with them (core.Options.Features). The
// carbon copies of our other devices' messages (carbons) and the archive
// catch-up (mam) show through the messages they store; client state
// indication (csi) follows the windows (attention.go); what the user reads
// is shared with the account's other devices (mds, persistRead); group
// chats (muc) have their tabs (room.go) and their section in the contact
// list.
var Features = []*core.Feature{blocking.Feature, carbons.Feature, csi.Feature, mam.Feature, mds.Feature, muc.Feature, reactions.Feature, reply.Feature, retract.Feature, upload.Feature}

// OMEMO is end-to-end encryption's feature (core/omemo) when the app runs
// with it: main makes it with the profile's key database, beside Features.
var OMEMO *core.Feature

// App is the GUI. It owns the windows and routes core events to them on
// Fyne's goroutine (fyne.Do): windows never see an event off that thread.
type App struct {
	FyneApp fyne.App
	Client  *core.Client
	Version string

	login *loginWindow // nil unless shown
	main  *mainWindow
	chat  *chatWindow
	// joinDlg is "Join group chat…" (room_join.go), nil unless shown.
	joinDlg *joinDialog
	// accounts is the accounts window (accounts.go), nil unless shown.
	accounts *accountsWindow
	// search is the search window (search.go), nil unless shown.
	search *searchWindow

	unread map[ChatKey]int
	// mentions counts a group chat's unread messages that name the user.
	mentions map[ChatKey]int
	// catchUpFailed: the accounts whose last archive catch-up ended with
	// an error (mam.CatchUpDone), and why.
	catchUpFailed map[string]error
	// requestsNotified: subscription requests already notified, by
	// sender (one notification each while the app runs).
	requestsNotified map[ChatKey]bool
	// strangers: when each stranger's messages last notified, and the
	// times of the last stranger notifications (strangerMayNotify).
	strangerNotified map[ChatKey]time.Time
	strangerTimes    []time.Time
	// now is the clock of notification limits (tests set it).
	now func() time.Time
	// images holds the images messages show.
	images *transcript.Images
	// foreground: the app has the focus (notifications are for when it
	// has not, or another conversation is shown).
	foreground bool
	// att: whether anyone may be looking, as the servers know it
	// (attention.go).
	att attention
	// The system tray (tray.go): nil without one. trayCheck says whether
	// a tray exists (replaced in tests).
	tray      desktop.App
	trayMenu  *fyne.Menu
	trayShow  *fyne.MenuItem
	trayBadge bool
	trayCheck func() bool
	// infos are the open contact info windows (contact_info.go).
	infos map[ChatKey]*contactInfo
	// profiles are the open profile editors, by account (profile.go).
	profiles map[string]*profileWindow
	// baseTheme is the theme the app had (the system's).
	baseTheme fyne.Theme
	// prefs is the preferences window, nil unless shown.
	prefs  *preferencesWindow
	cancel func()
	// FirstWindow, when set before Start, is an empty window made early:
	// main makes it while the history opens, so that the toolkit's start
	// (its first window costs about 40 ms) overlaps that. The first window
	// Start shows is made in it (newWindow).
	FirstWindow fyne.Window
	// Trace, when set, is told of milestones (window shown, roster shown
	// with its size, connection states) for start-up measurements.
	Trace func(milestone string)
	// OpenFile, when set, is given the files and folders Causerie would
	// hand to the system's applications (Open, Show in folder): tests
	// see them there.
	OpenFile func(*url.URL)
	// do runs f on Fyne's goroutine: fyne.Do, replaced in tests by a queue
	// the test goroutine drains, so widget state is only touched there.
	do func(f func())
}

// ChatKey names a conversation: an account and a contact's bare JID.
type ChatKey struct{ Account, JID string }

// New makes the GUI over a core client.
func New(fa fyne.App, c *core.Client, version string) *App {
	dir, err := os.UserCacheDir()
	if err == nil {
		dir = filepath.Join(dir, "causerie", "images")
	}
	a := &App{FyneApp: fa, Client: c, Version: version, unread: map[ChatKey]int{}, mentions: map[ChatKey]int{}, catchUpFailed: map[string]error{}, requestsNotified: map[ChatKey]bool{}, do: fyne.Do,
		strangerNotified: map[ChatKey]time.Time{}, now: time.Now,
		foreground: true, trayCheck: trayAvailable, infos: map[ChatKey]*contactInfo{}, profiles: map[string]*profileWindow{}}
	// Rich text colours and the look preferences go through the app's
	// theme (theme.go); the other preferences apply to core.
	a.images = a.imageCacheIn(dir)
	a.baseTheme = fa.Settings().Theme()
	a.applyPreferences()
	return a
}

// imageCacheIn makes the cache of message images in dir: the open chats
// are drawn again when one is ready.
func (a *App) imageCacheIn(dir string) *transcript.Images {
	return transcript.NewImages(dir, func() { a.do(a.imagesReady) })
}

// imagesReady draws the open conversations again: an image they show was
// prepared.
func (a *App) imagesReady() {
	if a.chat == nil {
		return
	}
	for _, conv := range a.chat.convs {
		conv.trans.RefreshAll()
	}
}

// Start subscribes to core events and shows the first window: the welcome
// window on first run, else the main window (from the cached roster) while
// the auto-connect accounts sign in.
func (a *App) Start() {
	a.cancel = a.Client.Subscribe(func(e core.Event) {
		a.do(func() { a.dispatch(e) })
	})
	a.loadUnread()
	lc := a.FyneApp.Lifecycle()
	lc.SetOnEnteredForeground(func() { a.do(func() { a.setForeground(true) }) })
	lc.SetOnExitedForeground(func() { a.do(func() { a.setForeground(false) }) })
	if len(a.Client.Sessions()) == 0 {
		a.ShowLogin()
	} else {
		a.ShowMain()
		go a.Client.ConnectAll()
	}
	a.trace("first window shown")
	// The tray after the first frame (a D-Bus round trip), but before the
	// app runs: Fyne starts its tray only then.
	a.setupTray()
}

// newWindow makes a window titled title, in FirstWindow while it is
// unused.
func (a *App) newWindow(title string) fyne.Window {
	if w := a.FirstWindow; w != nil {
		a.FirstWindow = nil
		w.SetTitle(title)
		return w
	}
	return a.FyneApp.NewWindow(title)
}

// background runs work off the UI goroutine (network, keyring, disk) and
// then done with its result on the UI goroutine.
func (a *App) background(work func() error, done func(error)) {
	go func() {
		err := work()
		a.do(func() { done(err) })
	}()
}

// Stop unsubscribes from core (the windows stay as they are).
func (a *App) Stop() {
	if a.cancel != nil {
		a.cancel()
	}
}

func (a *App) trace(format string, args ...any) {
	if a.Trace != nil {
		a.Trace(fmt.Sprintf(format, args...))
	}
}

// dispatch runs on Fyne's goroutine.
func (a *App) dispatch(e core.Event) {
	if st, ok := e.(core.ConnectionStateChanged); ok {
		a.trace("state %s %s", st.Account, st.State)
	}
	if m, ok := e.(core.MessageReceived); ok && m.Message.Direction == history.In {
		key := ChatKey{m.Account, m.Message.Peer}
		if a.chat == nil || !a.chat.isShowing(key) {
			a.unread[key]++
			defer a.updateTitles()
		}
		// Shown as it arrives: the chat window marks it read (MarkRead).
	}
	if m, ok := e.(muc.MessageReceived); ok && m.Message.Direction == history.In {
		key := ChatKey{m.Account, m.Message.Peer}
		if a.chat == nil || !a.chat.isShowing(key) {
			a.unread[key]++
			if a.mentionsMe(m) {
				a.mentions[key]++
			}
			defer a.updateTitles()
			if a.main != nil {
				defer a.main.scheduleRebuild()
			}
		}
	}
	if inv, ok := e.(muc.Invited); ok {
		a.showInvitation(inv)
	}
	if r, ok := e.(core.ReadElsewhere); ok {
		a.readElsewhere(ChatKey{r.Account, r.Peer})
	}
	if d, ok := e.(mam.CatchUpDone); ok {
		// Kept for the chats opened later (chat_gap.go).
		if d.Err != nil {
			a.catchUpFailed[d.Account] = d.Err
		} else {
			delete(a.catchUpFailed, d.Account)
		}
	}
	a.notifyEvent(e)
	if a.login != nil {
		a.login.handle(e)
	}
	if a.main != nil {
		a.main.handle(e)
	}
	if a.chat != nil {
		a.chat.handle(e)
	}
	if a.accounts != nil {
		a.accounts.handle(e)
	}
	if a.joinDlg != nil {
		a.joinDlg.handle(e)
	}
	for _, ci := range a.infos {
		ci.handle(e)
	}
}

// anyWindow is a window to show a message over: the accounts window, the
// main window or the welcome window, whichever is open.
func (a *App) anyWindow() fyne.Window {
	switch {
	case a.accounts != nil:
		return a.accounts.win
	case a.main != nil && !a.main.hidden:
		return a.main.win
	case a.login != nil:
		return a.login.win
	case a.main != nil:
		return a.main.win
	}
	return nil
}

// Mentions is the number of unread messages of a group chat that name
// the user.
func (a *App) Mentions(k ChatKey) int { return a.mentions[k] }

// mentionsMe reports whether a room message names the user (by the
// nick the user has there now), or was written to the user alone.
func (a *App) mentionsMe(m muc.MessageReceived) bool {
	if m.Message.Type == "chat" {
		return m.Message.Direction == history.In
	}
	s, ok := a.Client.Session(m.Account)
	if !ok {
		return false
	}
	r := muc.Of(s)
	if r == nil {
		return false
	}
	nick := r.Nick(m.Message.Peer)
	return nick != "" && m.Message.Resource != nick && muc.Mentions(m.Message.Body, nick)
}

// Unread is the number of unread messages of a conversation.
func (a *App) Unread(k ChatKey) int { return a.unread[k] }

// UnreadTotal is the number of unread messages in all conversations.
func (a *App) UnreadTotal() int {
	n := 0
	for _, v := range a.unread {
		n += v
	}
	return n
}

// MarkRead clears a conversation's unread count (the chat is shown).
func (a *App) MarkRead(k ChatKey) {
	a.persistRead(k)
	delete(a.mentions, k)
	if a.unread[k] == 0 {
		return
	}
	delete(a.unread, k)
	if a.main != nil {
		a.main.unreadChanged(k)
	}
	a.updateTitles()
}

// persistRead keeps in the history that conversation k is read, so its
// unread count is right after a restart.
func (a *App) persistRead(k ChatKey) {
	s, ok := a.Client.Session(k.Account)
	if !ok {
		return
	}
	a.background(func() error {
		if err := s.MarkRead(k.JID); err != nil {
			return err
		}
		if y := mds.Of(s); y != nil && !isRoom(s, k.JID) {
			return y.Displayed(k.JID) // the other devices' counts
		}
		return nil
	}, func(error) {})
}

// readElsewhere shows the unread count of conversation k after another
// of the user's devices displayed it (core.ReadElsewhere): what the
// history still counts as unread (off the UI goroutine).
func (a *App) readElsewhere(k ChatKey) {
	s, ok := a.Client.Session(k.Account)
	if !ok {
		return
	}
	var counts map[string]int
	before := a.unread[k]
	a.background(func() (err error) {
		counts, err = s.Unread()
		return err
	}, func(err error) {
		// What came meanwhile was counted here on top of before.
		n := counts[k.JID] + a.unread[k] - before
		if err != nil || n >= a.unread[k] {
			return // the count here is already no higher
		}
		if n > 0 {
			a.unread[k] = n
		} else {
			delete(a.unread, k)
		}
		if a.main != nil {
			a.main.unreadChanged(k)
		}
		a.updateTitles()
	})
}

// loadUnread reads the unread counts kept from the last run (off the UI
// goroutine) and shows them.
func (a *App) loadUnread() {
	for _, s := range a.Client.Sessions() {
		acct := s.Account().JID
		var counts map[string]int
		a.background(func() (err error) {
			counts, err = s.Unread()
			return err
		}, func(err error) {
			if err != nil || len(counts) == 0 {
				return
			}
			for peer, n := range counts {
				k := ChatKey{acct, peer}
				if a.chat != nil && a.chat.isShowing(k) {
					continue
				}
				a.unread[k] = max(a.unread[k], n)
			}
			if a.main != nil {
				a.main.scheduleRebuild()
			}
			a.updateTitles()
		})
	}
}
