// Package recent is the main window's list of recent conversations: every
// conversation with a message, with contacts and with strangers, across
// accounts, the most recently active first, each with its last message,
// its time, its unread count and the peer's presence. The window keeps
// the entries up to date from core events and draws them with a
// virtualised list of Rows.
package recent
