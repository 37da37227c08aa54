package e2e

import (
	"bufio"
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/account"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/xmpp/xhtmlim"
	"github.com/causerie/causerie/internal/hostile"
	"github.com/causerie/causerie/internal/testserver"
)

// memKiB reads a process's resident memory now (VmRSS) and at its peak
// (VmHWM), in KiB.
func memKiB(t *testing.T, pid int) (rss, peak int) {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), ":")
		n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
		switch k {
		case "VmRSS":
			rss = n
		case "VmHWM":
			peak = n
		}
	}
	return rss, peak
}

// savedAccount writes the app's profile: the account, signing in by
// itself with its password in the real keyring.
func savedAccount(t *testing.T, srv *testserver.Server, jid, pass string) string {
	t.Helper()
	return savedAccountAt(t, srv, srv.Port, jid, pass)
}

// savedAccountAt is savedAccount with the account's server port set to
// port (a proxy's, say).
func savedAccountAt(t *testing.T, srv *testserver.Server, port int, jid, pass string) string {
	t.Helper()
	profile := t.TempDir()
	accts, err := account.OpenStore(filepath.Join(profile, "config"))
	if err != nil {
		t.Fatal(err)
	}
	store, err := history.Open(filepath.Join(profile, "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	kr := account.NewKeyring()
	c := core.NewClient(accts, kr, store, core.Options{})
	if _, err := c.AddAccount(context.Background(), account.Account{JID: jid, Host: srv.Host, Port: port, AutoConnect: true, RememberPassword: true}, pass); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { kr.Delete(context.Background(), jid) })
	c.Close()
	store.Close()
	os.WriteFile(filepath.Join(profile, "ca.pem"), srv.CertPEM, 0o600)
	return profile
}

// waitXHTML waits until peer's client knows ours shows XHTML-IM (caps).
func waitXHTML(t *testing.T, peer *headless, jid string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, _ := peer.session.Roster().Contact(jid)
		if r, ok := c.Best(); ok {
			if f, err := peer.session.Features(context.Background(), jid+"/"+r.Name); err == nil && f.XHTMLIM {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("our client's XHTML-IM support never showed")
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestHostilePictureInRealApp: the report's case in the real binary. A
// contact sends a message of 31 KB whose inline PNG says 16000×16000
// pixels; opening the chat made Causerie grow from 160 MiB to 4.8 GiB in
// 10 s, every time. Now the chat shows "image too large" and the
// process's peak memory barely moves. A screenshot shows the placeholder.
func TestHostilePictureInRealApp(t *testing.T) {
	needGUI(t)
	srv, meJID, mePass, mallory := withContact(t, "Mallory", "Amis")
	profile := savedAccount(t, srv, meJID, mePass)

	bin := buildApp(t)
	mallory.drain()
	a := startApp(t, bin, profile, "SSL_CERT_FILE="+filepath.Join(profile, "ca.pem"))
	mallory.wait(t, "the app online", func(e core.Event) bool {
		p, ok := e.(core.PresenceChanged)
		return ok && p.Contact.JID == meJID && p.Contact.Online()
	})
	mainWin := waitWindow(t, "^Causerie")
	waitXHTML(t, mallory, meJID)

	bomb := hostile.PNG(16000, 16000)
	src := "data:image/png;base64," + base64.StdEncoding.EncodeToString(bomb)
	doc := xhtmlim.Build(
		xhtmlim.Para(xhtmlim.Text("Regarde mon chat :")),
		xhtmlim.Para(xhtmlim.Img(src, "un chat", 0, 0)),
	)
	if _, err := mallory.session.SendRichMessage(meJID, doc); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	pid := a.cmd.Process.Pid
	before, beforePeak := memKiB(t, pid)

	chatWin := openChat(t, mainWin, "Mallory")
	time.Sleep(3 * time.Second) // the report saw 4.8 GiB within 10 s, still climbing
	screenshot(t, "hostile-1-placeholder")
	after, peak := memKiB(t, pid)
	t.Logf("a %d-byte 16000×16000 PNG inline: RSS %d → %d MiB, peak %d → %d MiB", len(bomb), before>>10, after>>10, beforePeak>>10, peak>>10)
	if peak-beforePeak > 150<<10 {
		t.Fatalf("the peak memory grew by %d MiB", (peak-beforePeak)>>10)
	}
	key(t, chatWin, "ctrl+w")
	waitGone(t, chatWin)
}
