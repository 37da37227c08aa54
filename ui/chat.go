package ui

import "github.com/causerie/causerie/core"

// chatWindow holds the conversations (chat.go).
type chatWindow struct{ app *App }

// OpenChat opens (or focuses) the conversation with jid on account.
func (a *App) OpenChat(account, jid string) {}

func (c *chatWindow) handle(e core.Event)      {}
func (c *chatWindow) isShowing(k ChatKey) bool { return false }
