package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
)

// notifications is a desktop notification server (the
// org.freedesktop.Notifications D-Bus service a desktop runs) that
// records what it is asked to show.
type notifications struct {
	got chan [2]string // summary, body
}

func (n *notifications) Notify(app string, replaces uint32, icon, summary, body string, actions []string,
	hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	n.got <- [2]string{summary, body}
	return 1, nil
}

func (n *notifications) GetCapabilities() ([]string, *dbus.Error) { return []string{"body"}, nil }

func (n *notifications) GetServerInformation() (string, string, string, string, *dbus.Error) {
	return "e2e", "causerie", "1", "1.2", nil
}

func (n *notifications) CloseNotification(uint32) *dbus.Error { return nil }

// serveNotifications claims the notification service on the session bus.
func serveNotifications(t *testing.T) *notifications {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	n := &notifications{got: make(chan [2]string, 16)}
	if err := conn.Export(n, "/org/freedesktop/Notifications", "org.freedesktop.Notifications"); err != nil {
		t.Fatal(err)
	}
	reply, err := conn.RequestName("org.freedesktop.Notifications", dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("notification service: %v %v", reply, err)
	}
	return n
}

// TestNotificationsAndSecondLaunch: a message from a contact whose chat is
// not open shows as a desktop notification (through the real D-Bus
// protocol); launching Causerie again with an xmpp: link hands the link to
// the running copy, which opens the chat with the text typed in, and the
// second launch exits at once.
func TestNotificationsAndSecondLaunch(t *testing.T) {
	needGUI(t)
	notes := serveNotifications(t)
	srv, meJID, mePass, friend := withContact(t, "Haddock", "Marins")

	profile := savedAccount(t, srv, meJID, mePass)
	ca := filepath.Join(profile, "ca.pem")

	bin := buildApp(t)
	friend.drain()
	env := []string{"SSL_CERT_FILE=" + ca, "LANGUAGE=en", "LC_ALL=C.UTF-8"}
	startApp(t, bin, profile, env...)
	friend.wait(t, "the app online", func(e core.Event) bool {
		p, ok := e.(core.PresenceChanged)
		return ok && p.Contact.JID == meJID && p.Contact.Online()
	})
	waitWindow(t, "^Causerie")

	// A message while its chat is not open: a notification.
	if _, err := friend.session.SendMessage(meJID, core.TypeChat, "", "Mille sabords, où est Tintin ?"); err != nil {
		t.Fatal(err)
	}
	select {
	case n := <-notes.got:
		if n[0] != "Message from Haddock" || n[1] != "Mille sabords, où est Tintin ?" {
			t.Errorf("notification %q", n)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no notification")
	}
	time.Sleep(500 * time.Millisecond)
	screenshot(t, "desktop-1-unread-title")
	waitWindow(t, `^Causerie \(1\)$`) // the unread count in the title

	// A second launch with an xmpp: link: handed over, exits at once.
	second := exec.Command(bin, "-config", filepath.Join(profile, "config"), "-history", filepath.Join(profile, "history.db"),
		"xmpp:"+friend.jid+"?message;body=Il%20est%20au%20port")
	second.Env = append(os.Environ(), env...)
	start := time.Now()
	if out, err := second.CombinedOutput(); err != nil {
		t.Fatalf("second launch: %v\n%s", err, out)
	}
	took := time.Since(start)
	chatWin := waitWindow(t, "Haddock")
	screenshot(t, "desktop-2-link-opened")
	t.Logf("second launch handed the link over and exited in %v", took)
	if took > 5*time.Second {
		t.Errorf("second launch took %v", took)
	}
	// The body from the link is in the box: Enter sends it.
	friend.drain()
	key(t, chatWin, "Return")
	got := friend.wait(t, "the message from the link", func(e core.Event) bool {
		m, ok := e.(core.MessageReceived)
		return ok && m.Message.Direction == history.In && m.Message.Peer == meJID
	}).(core.MessageReceived)
	if got.Message.Body != "Il est au port" {
		t.Errorf("sent %q", got.Message.Body)
	}
}
