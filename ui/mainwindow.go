package ui

import "github.com/causerie/causerie/core"

// mainWindow is the roster window (mainwindow.go).
type mainWindow struct{ app *App }

// ShowMain shows the main window.
func (a *App) ShowMain() {}

func (m *mainWindow) handle(e core.Event)     {}
func (m *mainWindow) unreadChanged(k ChatKey) {}
