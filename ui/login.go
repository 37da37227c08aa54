package ui

import "github.com/causerie/causerie/core"

// loginWindow is the welcome and sign-in window (login.go).
type loginWindow struct{ app *App }

// ShowLogin shows the welcome window with "Sign in" and "Create account".
func (a *App) ShowLogin() {}

func (l *loginWindow) handle(e core.Event) {}
