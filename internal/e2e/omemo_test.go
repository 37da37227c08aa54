package e2e

import (
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/internal/slixpeer"
	"github.com/causerie/causerie/internal/testserver"
	"github.com/causerie/causerie/internal/xdriver"
)

// TestOMEMOMessage: the app, signed in, publishes its OMEMO device; a
// stranger on Syndace's python-omemo (an independent OMEMO 0.3) sends an
// encrypted message, which the app reads: its chat shows the text marked
// "🔒 encrypted", and the history holds it with its encryption. The
// OMEMO identity key is made at the first sign-in, in the keyring.
// Screenshot: omemo-1-chat.png.
func TestOMEMOMessage(t *testing.T) {
	needGUI(t)
	srv := testserver.Start(t, testserver.Prosody, testserver.Options{})
	meJID, mePass := srv.NewUser(t)
	profile := savedAccountAt(t, srv, srv.Port, meJID, mePass)
	peer := slixpeer.StartNew(t, srv, slixpeer.Options{OMEMO: true})

	bin := buildApp(t)
	a := startApp(t, bin, profile, "SSL_CERT_FILE="+filepath.Join(profile, "ca.pem"))
	mainWin := waitWindow(t, "^Causerie")
	// The app's device, published once it signed in.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(500 * time.Millisecond) {
		if ev := peer.Do(t, slixpeer.Command{Cmd: "omemo_devices", To: meJID}); len(ev.Devices) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the app published no OMEMO device\n%s", a.out.String())
		}
	}
	const text = "Message chiffré de bout en bout 🔐"
	peer.Do(t, slixpeer.Command{Cmd: "omemo_send", To: meJID, Body: text})
	waitWindow(t, `^Causerie \(1\)$`)
	key(t, mainWin, "ctrl+1") // the Chats tab
	click(t, mainWin, 170, 248)
	chatWin := waitWindow(t, regexp.QuoteMeta(peer.Bare))
	screenshot(t, "omemo-1-chat")

	// The answer from the chat goes encrypted (the switch is on: the
	// peer has a device), and python-omemo reads it.
	mark := peer.Mark()
	const answer = "Reponse chiffree depuis la conversation" // (xdotool types ASCII)
	typeText(t, chatWin, answer)
	key(t, chatWin, "Return")
	got := peer.WaitFrom(t, mark, "the peer decrypts the app's answer", func(e slixpeer.Event) bool {
		return e.Event == "omemo_message" && (e.Body != "" || e.Error != "")
	})
	if got.Error != "" || got.Body != answer {
		t.Fatalf("the peer: %+v", got)
	}
	time.Sleep(time.Second) // its state shown
	screenshot(t, "omemo-2-answer")

	// The lock opens the chat's encryption: the peer's device, with its
	// fingerprint, trusted without verification; this device's, and its
	// code.
	click(t, chatWin, lockX, lockY)
	time.Sleep(2 * time.Second)
	screenshot(t, "omemo-3-encryption")
	// Scrolled down: this device's code.
	xdriver.Do(t, "mousemove", "--window", chatWin, "280", "300")
	xdriver.Do(t, "click", "--repeat", "8", "5")
	time.Sleep(time.Second)
	screenshot(t, "omemo-4-code")

	store, err := history.Open(filepath.Join(profile, "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ms, err := store.Latest(meJID, peer.Bare, 10)
	if err != nil || len(ms) != 2 {
		t.Fatalf("history: %v %v", ms, err)
	}
	if ms[0].Body != text || ms[0].Encryption != history.OMEMO || ms[0].Undecrypted != "" {
		t.Fatalf("stored: %q, encryption %v, undecrypted %q", ms[0].Body, ms[0].Encryption, ms[0].Undecrypted)
	}
	if ms[1].Body != answer || ms[1].Encryption != history.OMEMO || ms[1].Direction != history.Out {
		t.Fatalf("our answer stored: %q, encryption %v", ms[1].Body, ms[1].Encryption)
	}
}

// Where the chat window's lock is (the header's right, before the search
// button), at the window's default size.
const lockX, lockY = 150, 98
