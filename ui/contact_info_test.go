package ui

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/blocking"
	"github.com/causerie/causerie/ui/roster"
)

func testPNG(w, h int) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.NRGBA{uint8(x), uint8(y), 200, 255})
		}
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

// TestContactInfoWindow: between two real clients who are mutual
// contacts, the info window shows the subscription in words, the
// contact's online resource with its client (XEP-0092) and features
// (caps), its vCard and photo; blocking from it works.
func TestContactInfoWindow(t *testing.T) {
	srv := prosody(t)
	h, s, m := signedIn(t, srv)
	me := s.Account().JID
	p := newPeer(t, srv)
	ctx := t.Context()
	if err := p.session.SetVCard(ctx, core.VCard{FullName: "Tintin Reporter", Nickname: "Tintin",
		Emails: []string{"tintin@example.org"}, Note: "Grand reporter", Photo: testPNG(300, 200)}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddContact(ctx, core.AddContactRequest{JID: p.jid, Name: "Tintin", Subscribe: true}); err != nil {
		t.Fatal(err)
	}
	h.pump("their request", func() bool { c, _ := s.Roster().Contact(p.jid); return c.PendingOut })
	if err := p.session.ApproveSubscription(ctx, me, core.ApproveOptions{AddBack: true}); err != nil {
		t.Fatal(err)
	}
	h.pump("request back", func() bool { c, _ := s.Roster().Contact(p.jid); return c.PendingIn })
	if err := s.ApproveSubscription(ctx, p.jid, core.ApproveOptions{}); err != nil {
		t.Fatal(err)
	}
	h.pump("both and online", func() bool {
		c, _ := s.Roster().Contact(p.jid)
		return c.Subscription == core.SubBoth && c.Online()
	})

	// Their picture shows in the contact list.
	h.pump("avatar in the roster", func() bool {
		uid := roster.ContactUID(me, "", p.jid)
		return m.avatars[ChatKey{me, p.jid}] != nil && m.model.Nodes[uid] != nil
	})
	row := newRosterRow(m)
	m.updateNode(roster.ContactUID(me, "", p.jid), false, row)
	if row.Avatar == nil {
		t.Error("the row has no avatar")
	}

	h.app.ShowContactInfo(me, p.jid)
	ci := h.app.infos[ChatKey{me, p.jid}]
	if ci == nil {
		t.Fatal("no info window")
	}
	if ci.sub.Text != "You see their presence. They see yours." {
		t.Errorf("subscription %q", ci.sub.Text)
	}
	h.pump("profile and client", func() bool {
		text := strings.Join(loginLabels(ci.win.Content()), "\n")
		return strings.Contains(text, "Tintin Reporter") && strings.Contains(text, "Grand reporter") &&
			strings.Contains(text, "Client: Causerie dev on") && strings.Contains(text, "Typing notifications: yes") &&
			strings.Contains(text, "Rich text (XHTML-IM): yes")
	})
	if ci.avatar.Resource == nil || !strings.HasPrefix(ci.avatar.Resource.Name(), "photo-") && !strings.HasPrefix(ci.avatar.Resource.Name(), "avatar-") {
		t.Errorf("no photo shown: %v", ci.avatar.Resource)
	}

	// Block (Prosody has XEP-0191), then unblock.
	h.pump("block offered", func() bool { return ci.block.Visible() && ci.block.Text == "Block" })
	test.Tap(ci.block)
	h.pump("blocked", func() bool { return ci.block.Text == "Unblock" })
	list, err := blocking.Of(s).Blocked(ctx)
	if err != nil || len(list) != 1 || list[0] != p.jid {
		t.Fatalf("block list %q %v", list, err)
	}
	test.Tap(ci.block)
	h.pump("unblocked", func() bool { return ci.block.Text == "Block" })
	ci.win.Close()
	if len(h.app.infos) != 0 {
		t.Error("window still registered")
	}
}
