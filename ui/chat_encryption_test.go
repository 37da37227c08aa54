package ui

import (
	"context"
	"crypto/tls"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/omemo"
	"github.com/causerie/causerie/core/omemo/keys"
	"github.com/causerie/causerie/internal/omemotest"
	"github.com/causerie/causerie/internal/uitest"
)

// omemoFeature is an OMEMO feature with its own key database and keyring
// service (removed at the end), as main.go makes the app's.
func omemoFeature(t *testing.T) (*core.Feature, keys.Keyring) {
	t.Helper()
	db, secrets := omemotest.Keys(t, "causerie-omemo-uitest")
	return omemo.New(db, secrets), secrets
}

// withOMEMO has the app made next run with end-to-end encryption, as
// main.go has it; its keyring entries are removed at the end.
func withOMEMO(t *testing.T) keys.Keyring {
	t.Helper()
	f, secrets := omemoFeature(t)
	oldF, oldFeatures := OMEMO, Features
	OMEMO, Features = f, append(slices.Clone(Features), f)
	t.Cleanup(func() { OMEMO, Features = oldF, oldFeatures })
	return secrets
}

// encryptedChat is a chat harness whose app has OMEMO, and a contact
// (a headless client of its own with OMEMO) whose device is published.
func encryptedChat(t *testing.T) (h *chatHarness, st *omemo.State, pjid string, pst *omemo.State, ps *core.Session) {
	t.Helper()
	secrets := withOMEMO(t)
	h = newChatHarness(t, true)
	st = omemo.Of(h.s, OMEMO)
	t.Cleanup(func() {
		if id, _ := st.Own(); id != 0 {
			secrets.Delete(context.Background(), h.me, id)
		}
	})
	h.pump("our device published", func() bool { id, _ := st.Own(); return id != 0 })

	// The contact: a headless client of its own with OMEMO.
	pf, psecrets := omemoFeature(t)
	pc := uitest.NewClient(t, t.TempDir(), core.Options{TLSConfig: &tls.Config{RootCAs: h.server.CertPool}, Features: []*core.Feature{pf}})
	ready := make(chan struct{}, 1)
	cancel := pc.Subscribe(func(e core.Event) {
		if _, ok := e.(omemo.Ready); ok {
			select {
			case ready <- struct{}{}:
			default:
			}
		}
	})
	defer cancel()
	pjid, _, ps = uitest.SignIn(t, pc, h.server)
	pst = omemo.Of(ps, pf)
	t.Cleanup(func() {
		if id, _ := pst.Own(); id != 0 {
			psecrets.Delete(context.Background(), pjid, id)
		}
	})
	select {
	case <-ready:
	case <-time.After(30 * time.Second):
		t.Fatal("the contact's device was not published")
	}

	return h, st, pjid, pst, ps
}

// TestEncryptionInChat: a chat with a contact whose client has an OMEMO
// device is encrypted by default, and its lock says for how many devices
// and that they are not verified; the encryption window shows the
// contact's fingerprint and ours; verified there, the lock says so; what
// is typed goes encrypted; the switch turned off, in the clear; a file
// is refused while the switch is on.
func TestEncryptionInChat(t *testing.T) {
	h, st, pjid, pst, ps := encryptedChat(t)
	conv := h.open(pjid)
	h.waitShown("Encrypted for 1 device", "1 not verified")

	test.Tap(conv.lock)
	_, theirKey := pst.Own()
	h.pump("the encryption window", func() bool {
		h.settle()
		return strings.Contains(overlayTexts(h.app.chat.win), "Devices of")
	})
	texts := overlayTexts(h.app.chat.win)
	_, ourKey := st.Own()
	for _, want := range []string{fingerprintText(theirKey), "trusted, not verified", "This device", fingerprintText(ourKey)} {
		if !strings.Contains(texts, want) {
			t.Fatalf("the window lacks %q:\n%s", want, texts)
		}
	}
	test.Tap(overlayButton(t, h.app.chat.win, "Verify…"))
	h.settle()
	test.Tap(overlayButton(t, h.app.chat.win, "They are the same"))
	h.pump("verified", func() bool {
		h.settle()
		return conv.lock.Text == "🔒 Encrypted for 1 device" && strings.Contains(overlayTexts(h.app.chat.win), "✓ verified")
	})
	h.app.chat.win.Canvas().Overlays().Top().Hide()
	for h.app.chat.win.Canvas().Overlays().Top() != nil {
		h.app.chat.win.Canvas().Overlays().Remove(h.app.chat.win.Canvas().Overlays().Top())
	}

	send := func(text string) history.Message {
		t.Helper()
		conv.composer.SetText(text)
		conv.sendNow()
		var got history.Message
		h.pump("the contact gets "+text, func() bool {
			ms, _ := ps.History(h.me, 50)
			for _, m := range ms {
				if m.Direction == history.In && m.Body == text {
					got = m
					return true
				}
			}
			return false
		})
		return got
	}
	if m := send("secret du jour"); m.Encryption != history.OMEMO {
		t.Fatalf("sent as %v", m.Encryption)
	}
	h.waitShown("🔒 encrypted")

	// The switch off, in the window.
	test.Tap(conv.lock)
	h.pump("the encryption window", func() bool { h.settle(); return h.app.chat.win.Canvas().Overlays().Top() != nil })
	var sw *widget.Check
	for _, o := range test.LaidOutObjects(h.app.chat.win.Canvas().Overlays().Top()) {
		if c, ok := o.(*widget.Check); ok && c.Text == "Encrypt messages in this chat (OMEMO)" {
			sw = c
		}
	}
	if sw == nil || !sw.Checked {
		t.Fatalf("the switch: %+v", sw)
	}
	test.Tap(sw)
	h.pump("the lock open", func() bool { h.settle(); return conv.lock.Text == "🔓 Not encrypted" })
	for h.app.chat.win.Canvas().Overlays().Top() != nil {
		h.app.chat.win.Canvas().Overlays().Remove(h.app.chat.win.Canvas().Overlays().Top())
	}
	if m := send("en clair"); m.Encryption != history.NotEncrypted {
		t.Fatalf("sent as %v", m.Encryption)
	}

	// On again: a file is refused, before anything is uploaded.
	if err := st.SetEnabled(context.Background(), pjid, true); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "note.txt")
	os.WriteFile(path, []byte("hello"), 0o600)
	conv.offerFiles([]string{path})
	h.waitShown("files cannot be sent encrypted yet")
}

// The code other clients scan is xmpp:JID?omemo-sid-<device>=<the
// identity key's 32 bytes in hexadecimal>, as Conversations reads it;
// fingerprints show in two lines of four groups of eight.
func TestVerificationURI(t *testing.T) {
	key := make([]byte, 33)
	key[0] = 5
	for i := 1; i < 33; i++ {
		key[i] = byte(i)
	}
	want := "xmpp:juliet@capulet.lit?omemo-sid-1234=0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20"
	if got := verificationURI("juliet@capulet.lit", 1234, key); got != want {
		t.Fatalf("got %s", got)
	}
	if got := fingerprintText(key); got != "01020304 05060708 090a0b0c 0d0e0f10\n11121314 15161718 191a1b1c 1d1e1f20" {
		t.Fatalf("fingerprint %q", got)
	}
	if qrImage(want) == nil {
		t.Fatal("no code")
	}
}

// A link with a device's fingerprint (another client's QR code): the
// app checks it against the key the server gives for that device and,
// confirmed, marks it verified; a link whose fingerprint differs marks
// nothing and says so.
func TestVerifyByLink(t *testing.T) {
	h, st, pjid, pst, _ := encryptedChat(t)
	id, key := pst.Own()
	wrong := append([]byte{5}, make([]byte, 32)...)
	h.app.HandleURI(verificationURI(pjid, id, wrong))
	h.pump("the warning", func() bool {
		h.settle()
		return h.app.chat != nil && strings.Contains(overlayTexts(h.app.chat.win), "is not the one the server gave")
	})
	if ds, _ := st.KnownDevices(context.Background(), pjid); len(ds) != 1 || ds[0].Trust != keys.Blind {
		t.Fatalf("after a wrong link: %+v", ds)
	}
	for h.app.chat.win.Canvas().Overlays().Top() != nil {
		h.app.chat.win.Canvas().Overlays().Remove(h.app.chat.win.Canvas().Overlays().Top())
	}

	h.app.HandleURI(verificationURI(pjid, id, key))
	h.pump("the question", func() bool {
		h.settle()
		return strings.Contains(overlayTexts(h.app.chat.win), "matches the device the server gave")
	})
	test.Tap(overlayButton(t, h.app.chat.win, "Yes"))
	h.pump("verified", func() bool {
		h.settle()
		ds, _ := st.KnownDevices(context.Background(), pjid)
		return len(ds) == 1 && ds[0].Trust == keys.Verified
	})
	conv := h.app.chat.convs[h.key(pjid)]
	h.pump("the lock", func() bool { h.settle(); return conv.lock.Text == "🔒 Encrypted for 1 device" })
}
