// Package ui holds the Fyne windows and dialogs of Causerie. It knows core
// types, never XML or sockets. The parts that stand alone are packages of
// their own: ui/transcript (a conversation's transcript and rich text),
// ui/roster (the roster's model and rows) and ui/widgets.
package ui
