package carbons

import (
	"encoding/xml"
	"strings"
	"testing"

	"github.com/causerie/causerie/core/xmpp/disco"
	"github.com/causerie/causerie/internal/xmpptest"
	"gosrc.io/xmpp/stanza"
)

const examples = "testdata/xep-0280-examples.xml"

func TestEnableDisableRequests(t *testing.T) {
	for n, enable := range map[string]bool{"3": true, "6": false} {
		b, err := xml.Marshal(Request(enable))
		if err != nil {
			t.Fatal(err)
		}
		want := xmpptest.Canon(unqualified(xmpptest.Example(t, examples, n)), "from", "id")
		if got := xmpptest.Canon(string(b), "id"); got != want {
			t.Errorf("example %s:\n got %s\nwant %s", n, got, want)
		}
	}
}

func TestServerAdvertises(t *testing.T) {
	var iq stanza.IQ
	if err := xml.Unmarshal([]byte(xmpptest.Example(t, examples, "2")), &iq); err != nil {
		t.Fatal(err)
	}
	info, ok := iq.Payload.(*disco.Info)
	if !ok {
		t.Fatalf("payload %T", iq.Payload)
	}
	if !Supported(info) || !info.Has(NSRules) {
		t.Errorf("example 2: carbons not offered: %+v", info)
	}
	if Supported(&disco.Info{}) {
		t.Error("an empty disco#info offers carbons")
	}
}

// TestReceivedCopy: example 10, Romeo's other client gets what Juliet
// sent to his garden resource.
func TestReceivedCopy(t *testing.T) {
	c, ok := Unwrap(xmpptest.Message(t, xmpptest.Example(t, examples, "10")), "romeo@montague.example")
	if !ok || c.Sent {
		t.Fatalf("example 10: %+v, %v", c, ok)
	}
	m := c.Message
	if m.From != "juliet@capulet.example/balcony" || m.To != "romeo@montague.example/garden" || m.Type != stanza.MessageTypeChat ||
		!strings.HasPrefix(m.Body, "What man art thou") || m.Thread != "0e3141cd80894871a68e6fe6b1ec56fa" {
		t.Errorf("example 10: %+v", m)
	}
	if _, ok := Unwrap(xmpptest.Message(t, xmpptest.Example(t, examples, "10")), "juliet@capulet.example"); ok {
		t.Error("example 10 accepted for another account")
	}
}

// TestSentCopy: example 13, what Romeo sent from home, copied to garden.
func TestSentCopy(t *testing.T) {
	c, ok := Unwrap(xmpptest.Message(t, xmpptest.Example(t, examples, "13")), "romeo@montague.example")
	if !ok || !c.Sent {
		t.Fatalf("example 13: %+v, %v", c, ok)
	}
	if m := c.Message; m.From != "romeo@montague.example/home" || m.To != "juliet@capulet.example/balcony" ||
		m.Body != "Neither, fair saint, if either thee dislike." {
		t.Errorf("example 13: %+v", m)
	}
}

// TestImpersonation: example 11, Tybalt wraps a message as if Juliet had
// sent it: refused (§11: copies come only from our own bare JID).
func TestImpersonation(t *testing.T) {
	m := xmpptest.Message(t, xmpptest.Example(t, examples, "11"))
	if !IsCarbon(m) {
		t.Fatal("example 11 is not read as a carbon")
	}
	if c, ok := Unwrap(m, "romeo@montague.example"); ok {
		t.Fatalf("Tybalt's copy accepted: %+v", c.Message)
	}
	// Nor from one of our own resources, nor from our server, nor a
	// "sent" copy of a message that is not from us, nor a "received" one
	// not to us.
	for name, x := range map[string]string{
		"full JID":            `<message xmlns='jabber:client' from='romeo@montague.example/home' to='romeo@montague.example/garden'><received xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client' from='juliet@capulet.example/balcony' to='romeo@montague.example/home'><body>x</body></message></forwarded></received></message>`,
		"server":              `<message xmlns='jabber:client' from='montague.example' to='romeo@montague.example/garden'><received xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client' from='juliet@capulet.example/balcony' to='romeo@montague.example/home'><body>x</body></message></forwarded></received></message>`,
		"sent by another":     `<message xmlns='jabber:client' from='romeo@montague.example' to='romeo@montague.example/garden'><sent xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client' from='juliet@capulet.example/balcony' to='nurse@capulet.example'><body>x</body></message></forwarded></sent></message>`,
		"received by another": `<message xmlns='jabber:client' from='romeo@montague.example' to='romeo@montague.example/garden'><received xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client' from='juliet@capulet.example/balcony' to='nurse@capulet.example'><body>x</body></message></forwarded></received></message>`,
		"two copies":          `<message xmlns='jabber:client' from='romeo@montague.example' to='romeo@montague.example/garden'><received xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client' from='juliet@capulet.example/balcony' to='romeo@montague.example'><body>x</body></message></forwarded></received><sent xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client' from='romeo@montague.example' to='juliet@capulet.example'><body>y</body></message></forwarded></sent></message>`,
		"empty":               `<message xmlns='jabber:client' from='romeo@montague.example' to='romeo@montague.example/garden'><received xmlns='urn:xmpp:carbons:2'/></message>`,
	} {
		if c, ok := Unwrap(xmpptest.Message(t, x), "romeo@montague.example"); ok {
			t.Errorf("%s: accepted %+v", name, c.Message)
		}
	}
}

// TestPrivate: example 14's <private/> and <no-copy/>, written by
// MarkPrivate and read by IsPrivate; a copy of a private message (a
// server that copied it anyway) is refused.
func TestPrivate(t *testing.T) {
	ex := xmpptest.Message(t, xmpptest.Example(t, examples, "14"))
	if !IsPrivate(ex) {
		t.Fatal("example 14 is not private")
	}
	m := stanza.NewMessage(stanza.Attrs{From: "romeo@montague.example/home", To: "juliet@capulet.example/home", Type: stanza.MessageTypeChat})
	m.Body, m.Thread = "Neither, fair saint, if either thee dislike.", "0e3141cd80894871a68e6fe6b1ec56fa"
	MarkPrivate(&m)
	b, err := xml.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := xmpptest.Canon(string(b)), xmpptest.Canon(unqualified(xmpptest.Example(t, examples, "14"))); got != want {
		t.Errorf("marked private:\n got %s\nwant %s", got, want)
	}
	copied := `<message xmlns='jabber:client' from='romeo@montague.example' to='romeo@montague.example/garden'><sent xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>` +
		xmpptest.Example(t, examples, "14") + `</forwarded></sent></message>`
	if _, ok := Unwrap(xmpptest.Message(t, copied), "romeo@montague.example"); ok {
		t.Error("a copy of a private message accepted")
	}
}

// unqualified drops the stream's namespace from an example's stanza:
// stanzas are written without it (the stream declares it).
func unqualified(s string) string { return strings.ReplaceAll(s, " xmlns='jabber:client'", "") }
