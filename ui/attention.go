package ui

import (
	"time"

	"github.com/causerie/causerie/core/csi"
)

// Attention: whether anyone may be looking at Causerie, which each
// account's server is told (XEP-0352, core/csi) so that it holds back
// presence changes and chat states, never messages, while nobody is.
//
// Nobody looks when no window is shown (the contact list closed to the
// tray, no chat window). Fyne does not say when a window is minimised;
// a minimised window loses the keyboard focus, so once no window of ours
// has had it for inactiveAfter, the user counts as away too. A window
// that is shown again, or gets the focus, makes the user active at once.

// inactiveAfter is how long without the focus counts as away.
const inactiveAfter = time.Minute

// attention is the App's record of it.
type attention struct {
	active      bool      // what the servers were last told
	unfocused   time.Time // when the last window lost the focus; zero while one has it
	timer       *time.Timer
	after       time.Duration // inactiveAfter; tests shorten it
	initialised bool
}

// setForeground follows the app's focus (the lifecycle's entered and
// exited foreground); on Fyne's goroutine.
func (a *App) setForeground(on bool) {
	a.foreground = on
	if on {
		a.att.unfocused = time.Time{}
	} else if a.att.unfocused.IsZero() {
		a.att.unfocused = a.now()
	}
	a.attentionChanged()
}

// windowShownNow follows a window being shown: someone is looking, even
// before the focus moves to it (the last focus change may be long past).
func (a *App) windowShownNow() {
	a.att.unfocused = time.Time{}
	a.attentionChanged()
}

// windowShown says whether a window that counts for attention is shown.
func (a *App) windowShown() bool {
	return (a.main != nil && a.main.visible && !a.main.hidden) || (a.chat != nil && a.chat.visible)
}

// attentionChanged works out whether the user may be looking and tells
// every account when that changed; on Fyne's goroutine, after anything
// that shows or hides a window or moves the focus, and for a new account.
func (a *App) attentionChanged() {
	after := a.att.after
	if after == 0 {
		after = inactiveAfter
	}
	active := a.windowShown()
	if active && !a.foreground && !a.att.unfocused.IsZero() {
		left := after - a.now().Sub(a.att.unfocused)
		active = left > 0
		if active {
			if a.att.timer != nil {
				a.att.timer.Stop()
			}
			a.att.timer = time.AfterFunc(left, func() { a.do(a.attentionChanged) })
		}
	}
	if a.att.initialised && active == a.att.active {
		return
	}
	a.att.active, a.att.initialised = active, true
	a.tellAttention()
}

// tellAttention gives every account the current attention (SetActive
// returns at once: the servers are told in the background).
func (a *App) tellAttention() {
	if !a.att.initialised {
		return // no window yet: every stream begins active
	}
	for _, s := range a.Client.Sessions() {
		if ind := csi.Of(s); ind != nil {
			ind.SetActive(a.att.active)
		}
	}
}
