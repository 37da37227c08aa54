package e2e

import (
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/internal/testserver"
)

// TestStrangerFromChatsList is issue 15 in the real app: someone who is
// not a contact writes twice; the main window's Chats tab lists them with
// the two messages unread (the title says 2), a click opens their chat,
// which says they are not a contact, and the count goes. Screenshots:
// stranger-1-chats.png, stranger-2-chat.png.
func TestStrangerFromChatsList(t *testing.T) {
	needGUI(t)
	srv := testserver.Start(t, testserver.Prosody, testserver.Options{})
	meJID, mePass := srv.NewUser(t)
	strangerJID, strangerPass := srv.NewUser(t)
	stranger := newHeadless(t, srv, strangerJID, strangerPass)
	profile := savedAccountAt(t, srv, srv.Port, meJID, mePass)

	bin := buildApp(t)
	a := startApp(t, bin, profile, "SSL_CERT_FILE="+filepath.Join(profile, "ca.pem"))
	mainWin := waitWindow(t, "^Causerie")
	for _, body := range []string{"Bonjour, vous ne me connaissez pas.", "Je suis le voisin du dessus : votre chat est chez moi."} {
		if _, err := stranger.session.SendMessage(meJID, core.TypeChat, "", body); err != nil {
			t.Fatal(err)
		}
	}
	waitWindow(t, `^Causerie \(2\)$`)
	// The Chats tab (the tab shown is a preference, shared by the runs
	// of this test binary).
	key(t, mainWin, "ctrl+1")
	screenshot(t, "stranger-1-chats")
	click(t, mainWin, 170, 248) // the first conversation of the Chats tab
	chatWin := waitWindow(t, regexp.QuoteMeta(strangerJID))
	screenshot(t, "stranger-2-chat")
	focus(t, chatWin)
	deadline := time.Now().Add(20 * time.Second)
	for {
		if out := xdo(t, "getwindowname", mainWin); out == "Causerie" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the main window still counts unread messages: %q\n%s", xdo(t, "getwindowname", mainWin), a.out.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
}
