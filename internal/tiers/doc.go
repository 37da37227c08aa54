// Package tiers holds the test that keeps the architecture's tiers: a
// package imports only packages of its own tier or below
// (ARCHITECTURE.md). Tier 1 is the protocol (core/xmpp and one package per
// XEP under it), tier 2 the application model (core and its model packages),
// tier 3 the feature packages on the session's feature hook (core/<feature>),
// tier 4 the GUI (ui and everything under it). The main package at the module
// root wires them and may import anything; internal/ holds test helpers that
// production packages never import. Tiers 1 to 3 never import Fyne, and ui
// imports no protocol package but the rich-text model core/xmpp/xhtmlim.
//
// The test reads the module's packages with `go list` and checks their
// non-test imports; the package has no code of its own.
package tiers
