package e2e

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// watcher is a StatusNotifierWatcher, the D-Bus service through which a
// desktop's tray finds the icons of applications: it records who
// registers an icon.
type watcher struct{ items chan string }

func (w *watcher) RegisterStatusNotifierItem(sender dbus.Sender, service string) *dbus.Error {
	w.items <- string(sender)
	return nil
}

func (w *watcher) RegisterStatusNotifierHost(string) *dbus.Error { return nil }

type menuItem struct {
	id    int32
	label string
}

// trayMenu reads an application's tray menu (com.canonical.dbusmenu).
func trayMenu(t *testing.T, conn *dbus.Conn, owner string) []menuItem {
	t.Helper()
	var rev uint32
	var layout struct {
		ID       int32
		Props    map[string]dbus.Variant
		Children []dbus.Variant
	}
	call := conn.Object(owner, "/StatusNotifierMenu").Call("com.canonical.dbusmenu.GetLayout", 0, int32(0), int32(-1), []string{})
	if err := call.Store(&rev, &layout); err != nil {
		t.Fatalf("tray menu: %v", err)
	}
	var out []menuItem
	for _, v := range layout.Children {
		fields, ok := v.Value().([]any)
		if !ok || len(fields) < 2 {
			continue
		}
		id, _ := fields[0].(int32)
		props, _ := fields[1].(map[string]dbus.Variant)
		label, _ := props["label"].Value().(string)
		out = append(out, menuItem{id, label})
	}
	return out
}

func clickTray(t *testing.T, conn *dbus.Conn, owner string, items []menuItem, prefix string) {
	t.Helper()
	for _, it := range items {
		if strings.HasPrefix(it.label, prefix) {
			call := conn.Object(owner, "/StatusNotifierMenu").Call("com.canonical.dbusmenu.Event", 0, it.id, "clicked", dbus.MakeVariant(""), uint32(0))
			if call.Err != nil {
				t.Fatalf("click %q: %v", it.label, call.Err)
			}
			return
		}
	}
	t.Fatalf("no tray item %q in %+v", prefix, items)
}

func visible(name string) bool {
	out, _ := exec.Command("xdotool", "search", "--onlyvisible", "--name", name).Output()
	return len(strings.Fields(string(out))) > 0
}

// TestTrayIcon: on a desktop with a tray (a StatusNotifierWatcher on the
// session bus), Causerie registers its icon; its menu hides and shows the
// window and quits the app cleanly.
func TestTrayIcon(t *testing.T) {
	need(t, "an X display (DISPLAY)", os.Getenv("DISPLAY") != "")
	need(t, "a D-Bus session", os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "")
	need(t, "xdotool", haveCmd("xdotool"))
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	w := &watcher{items: make(chan string, 4)}
	if err := conn.Export(w, "/StatusNotifierWatcher", "org.kde.StatusNotifierWatcher"); err != nil {
		t.Fatal(err)
	}
	if reply, err := conn.RequestName("org.kde.StatusNotifierWatcher", dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("watcher name: %v %v", reply, err)
	}
	defer conn.ReleaseName("org.kde.StatusNotifierWatcher")

	bin := buildApp(t)
	profile := t.TempDir()
	a := startApp(t, bin, profile, "LANGUAGE=en", "LC_ALL=C.UTF-8")
	waitWindow(t, "^Causerie$") // the welcome window (no account)
	var owner string
	select {
	case owner = <-w.items:
	case <-time.After(20 * time.Second):
		t.Fatalf("no tray icon registered\n%s", a.out.String())
	}
	// The menu is filled in the background: read it until it is whole.
	var items []menuItem
	var labels []string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		items = trayMenu(t, conn, owner)
		labels = labels[:0]
		for _, it := range items {
			labels = append(labels, it.label)
		}
		if len(labels) > 0 && labels[len(labels)-1] == "Quit" || time.Now().After(deadline) {
			break
		}
	}
	if !strings.Contains(strings.Join(labels, "|"), "Presence") || labels[len(labels)-1] != "Quit" {
		t.Fatalf("tray menu %q", labels)
	}
	// Show contacts with no account shows the welcome window: still there.
	clickTray(t, conn, owner, items, "Show contacts")
	time.Sleep(500 * time.Millisecond)
	if !visible("^Causerie$") {
		t.Error("no window after Show contacts")
	}
	// Quit from the tray: the app ends cleanly.
	done := make(chan error, 1)
	go func() { done <- a.cmd.Wait() }()
	clickTray(t, conn, owner, items, "Quit")
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("quit from the tray: %v\n%s", err, a.out.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("the app did not quit from the tray\n%s", a.out.String())
	}
	if strings.Contains(a.out.String(), "panic") {
		t.Errorf("output: %s", a.out.String())
	}
}
