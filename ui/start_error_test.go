package ui

import (
	"fmt"
	"io/fs"
	"strings"
	"syscall"
	"testing"

	"github.com/causerie/causerie/core/account"
	"github.com/causerie/causerie/core/history"
)

// TestStartErrorWords: each reason Causerie cannot start is said in words
// (never the Go error) with what to do, in English and French.
func TestStartErrorWords(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("history: open /p: %w", err) }
	cases := []struct {
		e         StartError
		en, fr    string
		pathShown bool
	}{
		{StartError{Step: StartConfigDir, Err: fmt.Errorf("neither $XDG_CONFIG_HOME nor $HOME are defined")}, "configuration folder", "dossier de configuration", false},
		{StartError{Step: StartDataDir, Err: fmt.Errorf("no home")}, "XDG_DATA_HOME", "XDG_DATA_HOME", false},
		{StartError{Step: StartAccounts, Path: "/c/accounts.json", Err: wrap(account.ErrCorruptFile)}, "Move it aside to start with no account", "sans compte", true},
		{StartError{Step: StartHistory, Path: "/d/history.db", Err: wrap(history.ErrNewerVersion)}, "newer version of Causerie", "plus récente", true},
		{StartError{Step: StartHistory, Path: "/d/history.db", Err: wrap(fs.ErrPermission)}, "permissions", "droits", true},
		{StartError{Step: StartAccounts, Path: "/c/accounts.json", Err: wrap(syscall.ENOSPC)}, "disk is full", "disque est plein", true},
		{StartError{Step: StartHistory, Path: "/d/history.db", Err: wrap(fmt.Errorf("file is not a database (26)"))}, "empty history", "historique vide", true},
	}
	check := func(want func(int) string) {
		for i, c := range cases {
			w := c.e.Words()
			if !strings.Contains(w, want(i)) {
				t.Errorf("case %d: %q lacks %q", i, w, want(i))
			}
			if strings.Contains(w, c.e.Err.Error()) || strings.Contains(w, "history:") {
				t.Errorf("case %d: the Go error shows: %q", i, w)
			}
			if c.pathShown && !strings.Contains(w, c.e.Path+".") {
				t.Errorf("case %d: path %q not in %q", i, c.e.Path, w)
			}
		}
	}
	check(func(i int) string { return cases[i].en })
	useFrench(t)
	check(func(i int) string { return cases[i].fr })
}
