package ui

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/core"
)

// The main window's presence bar: the show selector, the status message
// and the priority, applied to every connected account.

var presenceShows = []core.Show{core.ShowAvailable, core.ShowChat, core.ShowAway, core.ShowXA, core.ShowDND, core.ShowInvisible, core.ShowOffline}

// presenceOption is a show's label in the selector.
func presenceOption(s core.Show) string {
	if s == core.ShowXA {
		return lang.L("Not available (xa)")
	}
	return showLabel(s)
}

// currentShow is what the selector shows: the first connected account's
// chosen presence, or offline.
func (m *mainWindow) currentShow() core.Show {
	for _, jid := range m.accounts {
		v := m.views[jid]
		if v.state != core.StateOffline {
			return v.session.Presence().Show
		}
	}
	return core.ShowOffline
}

func (m *mainWindow) updatePresenceSelector() {
	m.settingSelect = true
	m.presence.SetSelected(presenceOption(m.currentShow()))
	m.settingSelect = false
}

// presenceChosen applies a presence picked in the selector to every
// account.
func (m *mainWindow) presenceChosen(label string) {
	if m.settingSelect {
		return
	}
	for _, s := range presenceShows {
		if presenceOption(s) == label {
			m.applyPresence(s)
			return
		}
	}
}

// applyStatus is Enter in the status message.
func (m *mainWindow) applyStatus() {
	if show := m.selectedShow(); show != core.ShowOffline {
		m.applyPresence(show)
	}
}

func (m *mainWindow) selectedShow() core.Show {
	for _, s := range presenceShows {
		if presenceOption(s) == m.presence.Selected {
			return s
		}
	}
	return core.ShowOffline
}

func (m *mainWindow) applyPresence(show core.Show) {
	p := core.Presence{Show: show, Status: strings.TrimSpace(m.status.Text), Priority: m.priority}
	for _, jid := range m.accounts {
		s := m.views[jid].session
		m.app.background(func() error {
			ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
			defer cancel()
			return s.SetPresence(ctx, p)
		}, func(err error) {
			if m.closed || err == nil {
				return
			}
			if errors.Is(err, core.ErrInvisibleUnsupported) {
				dialog.ShowInformation(lang.L("Invisible"), lang.L("This server does not support being invisible."), m.win)
			} else {
				dialog.ShowInformation(lang.L("Presence not changed"), Explain(err), m.win)
			}
			m.updatePresenceSelector() // back to what core has
		})
	}
}

// showPriority asks for the presence priority.
func (m *mainWindow) showPriority() {
	e := widget.NewEntry()
	e.SetText(strconv.Itoa(m.priority))
	e.Validator = func(s string) error {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < -128 || n > 127 {
			return errors.New(lang.L("A number from -128 to 127."))
		}
		return nil
	}
	help := widget.NewLabel(lang.L("When you are signed in from several places, messages go to the one with the highest priority. A negative priority receives no messages sent to your address."))
	help.Wrapping = fyne.TextWrapWord
	help.Importance = widget.LowImportance
	items := []*widget.FormItem{widget.NewFormItem(lang.L("Priority"), e), widget.NewFormItem("", help)}
	d := dialog.NewForm(lang.L("Presence priority"), lang.L("Apply"), lang.L("Cancel"), items, func(ok bool) {
		if !ok {
			return
		}
		n, _ := strconv.Atoi(strings.TrimSpace(e.Text))
		m.priority = n
		if show := m.selectedShow(); show != core.ShowOffline {
			m.applyPresence(show)
		}
	}, m.win)
	d.Resize(dialogSize(m.win, fyne.NewSize(320, 260)))
	d.Show()
}

// showLabel names an availability for a person.
func showLabel(s core.Show) string {
	switch s {
	case core.ShowChat:
		return lang.L("Free for chat")
	case core.ShowAvailable:
		return lang.L("Available")
	case core.ShowAway:
		return lang.L("Away")
	case core.ShowXA:
		return lang.L("Not available")
	case core.ShowDND:
		return lang.L("Do not disturb")
	case core.ShowInvisible:
		return lang.L("Invisible")
	}
	return lang.L("Offline")
}
