package e2e

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/xmpp/xhtmlim"
)

// TestFrenchRichChatAndContactInfo runs the real binary on a French
// desktop (LANGUAGE=fr): an account saved with its password in the real
// keyring signs in by itself; a contact's client sends formatted text
// (XHTML-IM) and types; the person answers with formatting (received as
// XHTML-IM), opens the contact's info (profile, client) and the add
// contact form. Screenshots of each step, in French.
func TestFrenchRichChatAndContactInfo(t *testing.T) {
	needGUI(t)
	srv, meJID, mePass, friend := withContact(t, "Tintin", "Amis")
	ctx := context.Background()
	if err := friend.session.SetVCard(ctx, core.VCard{FullName: "Tintin Reporter", Nickname: "Tintin",
		Emails: []string{"tintin@example.test"}, Note: "Grand reporter au Petit Vingtième", Photo: portrait()}); err != nil {
		t.Fatal(err)
	}

	// The app's profile: the account, its password in the real keyring.
	profile := savedAccount(t, srv, meJID, mePass)
	ca := filepath.Join(profile, "ca.pem")

	bin := buildApp(t)
	friend.drain()
	startApp(t, bin, profile, "SSL_CERT_FILE="+ca, "LANGUAGE=fr", "LC_ALL=fr_FR.UTF-8", "LANG=fr_FR.UTF-8")
	friend.wait(t, "the app online", func(e core.Event) bool {
		p, ok := e.(core.PresenceChanged)
		return ok && p.Contact.JID == meJID && p.Contact.Online()
	})
	mainWin := waitWindow(t, "^Causerie")

	// The friend's client learns ours shows XHTML-IM (caps), then writes.
	c0, _ := friend.session.Roster().Contact(meJID)
	r, _ := c0.Best()
	deadline := time.Now().Add(20 * time.Second)
	for {
		f, err := friend.session.Features(ctx, meJID+"/"+r.Name)
		if err == nil && f.XHTMLIM {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("our client's features: %+v %v", f, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	red, _ := xhtmlim.ParseColor("#c62828")
	doc := xhtmlim.Build(
		xhtmlim.Para(xhtmlim.Text("Bonjour ! "), xhtmlim.Bold("Milou"), xhtmlim.Text(" a "), xhtmlim.Italic("encore"),
			xhtmlim.Text(" filé. "), xhtmlim.Styled("Urgent", xhtmlim.Style{Color: red, Bold: true}),
			xhtmlim.Text(" — voir "), xhtmlim.Link("le journal", "https://example.org/journal")),
		xhtmlim.BlockQuote(xhtmlim.Para(xhtmlim.Text("Mille milliards de mille sabords !"))),
		xhtmlim.BulletList(xhtmlim.Item(xhtmlim.Text("le port")), xhtmlim.Item(xhtmlim.Text("la gare"))),
	)
	if _, err := friend.session.SendRichMessage(meJID, doc); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	screenshot(t, "fr-1-main-unread")

	chatWin := openChat(t, mainWin, "Tintin")
	friend.session.Typing(meJID, core.TypingTyped)
	time.Sleep(time.Second)
	screenshot(t, "fr-2-chat-rich-typing")

	// Answer with formatting: the friend receives XHTML-IM.
	friend.drain()
	typeText(t, chatWin, "[b]Oui[/b], je cherche au [i]port[/i].")
	screenshot(t, "fr-3-composing")
	key(t, chatWin, "Return")
	got := friend.wait(t, "the formatted answer", func(e core.Event) bool {
		m, ok := e.(core.MessageReceived)
		return ok && m.Message.Direction == history.In && m.Message.Peer == meJID
	}).(core.MessageReceived)
	if !strings.Contains(got.Message.Rich, "<strong>Oui</strong>") || !strings.Contains(got.Message.Rich, "<em>port</em>") {
		t.Fatalf("rich answer: %q", got.Message.Rich)
	}
	if got.Message.Body != "*Oui*, je cherche au _port_." {
		t.Errorf("plain fallback %q", got.Message.Body)
	}
	screenshot(t, "fr-4-answered")

	// The contact's info: the info button at the right of the chat header.
	click(t, chatWin, 537, 72)
	infoWin := waitWindow(t, "Fiche du contact")
	time.Sleep(2 * time.Second) // the profile and the client's version come in
	screenshot(t, "fr-5-contact-info")
	key(t, infoWin, "Escape")
	waitGone(t, infoWin)
	key(t, chatWin, "ctrl+w")
	waitGone(t, chatWin)

	// The add-contact form, in French.
	mainWin = waitWindow(t, "^Causerie")
	key(t, mainWin, "ctrl+n")
	screenshot(t, "fr-6-add-contact")
}

// portrait is a small picture for a profile: an orange disc (a face) with
// a quiff, on blue.
func portrait() []byte {
	const n = 160
	img := image.NewNRGBA(image.Rect(0, 0, n, n))
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			c := color.NRGBA{0x2b, 0x6c, 0xb0, 0xff}
			dx, dy := x-n/2, y-n/2-10
			if dx*dx+dy*dy < 50*50 {
				c = color.NRGBA{0xf4, 0xc2, 0x9a, 0xff}
			}
			if dy < -38 && dx > -12 && dx < 18 && dx*dx+(dy+50)*(dy+50) < 22*22 {
				c = color.NRGBA{0xe0, 0x8a, 0x2c, 0xff}
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}
