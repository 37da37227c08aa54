package ui

import (
	"context"
	"errors"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/mam"
)

// The "Server archive" setting of an account (XEP-0441 through
// core/mam): what the server keeps of the account's conversations, which
// is what the account's other devices and a new computer can catch up
// from. It is read from the server when the settings open (the select
// waits meanwhile) and changed with Save.

// archiveTimeout bounds reading or changing the policy.
const archiveTimeout = 20 * time.Second

// newArchive makes the select and starts reading the policy.
func (d *accountSettings) newArchive(s *core.Session) {
	d.archiveLabels = map[string]string{
		mam.PolicyAlways: lang.L("All conversations"),
		mam.PolicyRoster: lang.L("Only with my contacts"),
		mam.PolicyNever:  lang.L("None"),
	}
	d.archive = widget.NewSelect([]string{d.archiveLabels[mam.PolicyAlways], d.archiveLabels[mam.PolicyRoster], d.archiveLabels[mam.PolicyNever]}, nil)
	d.archive.PlaceHolder = lang.L("Asking the server…")
	d.archive.Disable()
	d.archiveNote = widget.NewLabel("")
	d.archiveNote.Wrapping = fyne.TextWrapWord
	d.archiveNote.Importance = widget.LowImportance
	arch := mam.Of(s)
	if arch == nil {
		d.archive.PlaceHolder = "—"
		d.archiveNote.SetText(lang.L("Not available in this version."))
		return
	}
	if st, _ := s.State(); st != core.StateOnline {
		d.archive.PlaceHolder = "—"
		d.archiveNote.SetText(lang.L("Sign in to see and change what the server keeps."))
		return
	}
	var policy string
	d.w.app.background(func() (err error) {
		ctx, cancel := context.WithTimeout(context.Background(), archiveTimeout)
		defer cancel()
		policy, err = arch.Policy(ctx)
		return err
	}, func(err error) {
		d.archive.PlaceHolder = "—"
		if err != nil {
			d.archiveNote.SetText(explainArchive(err))
			d.archive.Refresh()
			return
		}
		label, ok := d.archiveLabels[policy]
		if !ok {
			d.archiveNote.SetText(lang.L("The server keeps conversations by its own rule."))
			d.archive.Refresh()
			return
		}
		d.archiveLoaded = policy
		d.archive.SetSelected(label)
		d.archive.Enable()
		d.archiveNote.SetText(lang.L("What your server keeps: your other devices and a new computer get your conversations from it."))
	})
}

// archivePolicy is the policy to set on Save: "" when unchanged or not
// loaded.
func (d *accountSettings) archivePolicy() string {
	if d.archiveLoaded == "" || d.archive.Disabled() {
		return ""
	}
	for policy, label := range d.archiveLabels {
		if label == d.archive.Selected && policy != d.archiveLoaded {
			return policy
		}
	}
	return ""
}

// setArchive changes the policy (off Fyne's goroutine).
func (d *accountSettings) setArchive(s *core.Session, policy string) error {
	arch := mam.Of(s)
	if arch == nil {
		return mam.ErrPolicyUnsupported
	}
	ctx, cancel := context.WithTimeout(context.Background(), archiveTimeout)
	defer cancel()
	applied, err := arch.SetPolicy(ctx, policy)
	if err == nil && applied != policy {
		return errArchiveRule
	}
	return err
}

// errArchiveRule: the server applied another policy than asked.
var errArchiveRule = errors.New("ui: the server applied its own archiving rule")

// explainArchive says in words why the archive setting failed.
func explainArchive(err error) string {
	switch {
	case errors.Is(err, mam.ErrPolicyUnsupported):
		return lang.L("This server does not let you choose what it keeps.")
	case errors.Is(err, errArchiveRule):
		return lang.L("The server keeps conversations by its own rule.")
	case errors.Is(err, mam.ErrPolicyForbidden):
		return lang.L("The server does not allow changing this.")
	}
	return Explain(err)
}
