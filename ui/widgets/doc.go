// Package widgets holds the general-purpose Fyne widgets of Causerie's
// windows and dialogs: an entry and a check box that report Escape (to go
// back or close what they are in), the entry optionally taking digits
// only; and SetVisible.
//
// A password entry is an Entry with Password set before it is shown: Fyne
// 2.7 then gives it its own revealer (widget/entry_password.go), which is
// enough. It toggles the text's visibility, gives the focus back to the
// entry, dims with a disabled entry and follows the entry's theme; it has
// no text to translate and, like any action item, takes no keyboard focus,
// so Escape always reaches the entry. Causerie's own revealer added only a
// pointing-hand cursor over the icon; it did not give the focus back, and
// the sign-up wizard's confirmation field had Fyne's anyway.
package widgets
