package ui

import (
	"regexp"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/internal/slixpeer"
)

// TestSlixmppPeerInGUI: an independent client (slixmpp) seen through the
// GUI: its client name, version and OS and its features in the contact
// info window; its formatted message rendered; a hostile one shown safe.
func TestSlixmppPeerInGUI(t *testing.T) {
	srv := prosody(t)
	h, s, _ := signedIn(t, srv)
	me := s.Account().JID
	p := slixpeer.StartNew(t, srv, slixpeer.Options{SubscribeBack: true})
	ctx := t.Context()
	if err := s.AddContact(ctx, core.AddContactRequest{JID: p.Bare, Name: "Slix", Subscribe: true}); err != nil {
		t.Fatal(err)
	}
	h.pump("the peer asks back", func() bool { c, _ := s.Roster().Contact(p.Bare); return c.PendingIn })
	if err := s.ApproveSubscription(ctx, p.Bare, core.ApproveOptions{}); err != nil {
		t.Fatal(err)
	}
	h.pump("mutual and online", func() bool {
		c, _ := s.Roster().Contact(p.Bare)
		return c.Subscription == core.SubBoth && c.Online()
	})
	h.app.ShowContactInfo(me, p.Bare)
	ci := h.app.infos[ChatKey{me, p.Bare}]
	want := "Client: slixbot 1.0 on " + p.Self.OS
	h.pump("slixmpp's client and features", func() bool {
		text := strings.Join(loginLabels(ci.win.Content()), "\n")
		return strings.Contains(text, want) && strings.Contains(text, "Rich text (XHTML-IM): yes") &&
			strings.Contains(text, "Typing notifications: yes") && strings.Contains(text, "Delivery receipts: yes")
	})
	ci.win.Close()

	// Its formatted message and a hostile one, in the chat.
	h.app.OpenChat(me, p.Bare)
	conv := h.app.chat.convs[ChatKey{me, p.Bare}]
	h.pump("history", func() bool { return conv.loaded })
	p.Message(t, me, "Bold and red", `<p><strong>Bold</strong> and <span style="color: #cc0000">red</span></p>`)
	p.Message(t, me, "click here", `<p onmouseover="steal()">click <a href="javascript:alert(1)">here</a><script>document.cookie</script></p>`)
	var markup string
	defer func() {
		if t.Failed() {
			t.Logf("markup: %s", markup)
		}
	}()
	h.pump("both shown", func() bool {
		markup = test.RenderObjectToMarkup(h.app.chat.win.Content())
		return strings.Contains(markup, ">Bold<") && strings.Contains(markup, ">click here<")
	})
	for _, bad := range []string{"steal", "document.cookie", "javascript"} {
		if strings.Contains(markup, bad) {
			t.Errorf("%q shown", bad)
		}
	}
	if !strings.Contains(markup, `bold="true"`) && !strings.Contains(markup, "<text bold") {
		t.Error("bold not rendered")
	}
	if !regexp.MustCompile(`color="rgba\([^"]*\)"[^>]*>red<`).MatchString(markup) {
		t.Error("colour not rendered")
	}
}
