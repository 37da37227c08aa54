package ui

import (
	"bytes"
	"image/png"
	"testing"

	"fyne.io/fyne/v2/test"
)

// TestProfileEditor: the account's own profile is read, edited with a
// photo, saved; another client sees the new name and the resized photo.
func TestProfileEditor(t *testing.T) {
	srv := prosody(t)
	h, s, _ := signedIn(t, srv)
	me := s.Account().JID
	p := newPeer(t, srv)
	h.app.ShowProfile(me)
	pw := h.app.profiles[me]
	h.pump("profile read", func() bool { return pw.loaded && !pw.busy })
	if !pw.removePhoto.Disabled() {
		t.Error("Remove photo offered without a photo")
	}
	pw.fullName.SetText("Milou Chien")
	pw.emails.SetText("milou@example.org\n\n  ")
	pw.setPhoto(testPNG(600, 400))
	test.Tap(pw.save)
	h.pump("saved", func() bool { return !pw.busy && (pw.status.Text != "" || pw.errorText.Visible()) })
	if pw.errorText.Visible() {
		t.Fatalf("error %q", pw.errorText.Text)
	}
	v, err := p.session.VCard(t.Context(), me)
	if err != nil || v.FullName != "Milou Chien" || len(v.Emails) != 1 || v.Emails[0] != "milou@example.org" {
		t.Fatalf("seen by the other client: %+v %v", v, err)
	}
	img, err := png.DecodeConfig(bytes.NewReader(v.Photo))
	if err != nil || img.Width != 192 || img.Height != 128 {
		t.Fatalf("photo %dx%d %v", img.Width, img.Height, err)
	}
	// A file that is not an image is refused with a sentence.
	pw.setPhoto([]byte("not an image"))
	test.Tap(pw.save)
	h.pump("refused", func() bool { return !pw.busy && pw.errorText.Visible() })
	if pw.errorText.Text != "This photo cannot be used: choose a PNG, JPEG or GIF image." {
		t.Errorf("error %q", pw.errorText.Text)
	}
}

// TestBlockedAddressesDialog: block an address typed in, see it listed,
// unblock it.
func TestBlockedAddressesDialog(t *testing.T) {
	srv := prosody(t)
	h, s, _ := signedIn(t, srv)
	me := s.Account().JID
	h.app.ShowAccounts()
	aw := h.app.accounts
	test.Tap(aw.rows[me].blocked)
	d := aw.blocked
	h.pump("list read", func() bool { return len(d.list.Objects) > 0 })
	d.entry.SetText("not an address@@")
	test.Tap(d.add)
	if !d.msg.Visible() {
		t.Error("bad address accepted")
	}
	d.entry.SetText("spam@example.org")
	test.Tap(d.add)
	h.pump("blocked", func() bool { return len(d.blocked) == 1 && d.blocked[0] == "spam@example.org" })
	test.Tap(loginFindButton(t, d.list, "Unblock"))
	h.pump("unblocked", func() bool { return len(d.blocked) == 0 })
}
