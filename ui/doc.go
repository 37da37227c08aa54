// Package ui holds the Fyne windows and dialogs of Causerie. It knows core types, never XML or sockets.
package ui
