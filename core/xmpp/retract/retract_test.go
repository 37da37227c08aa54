package retract

import (
	"encoding/xml"
	"github.com/causerie/causerie/internal/xmpptest"
	"strings"
	"testing"

	"gosrc.io/xmpp/stanza"
)

// XEP-0424 Example 2 (version 0.4) and the form of version 0.3, as
// slixmpp 1.8 sends it.
const (
	ex2 = `<message type='chat' to='lord@capulet.example' id='retract-message-1'>
  <retract id="wrong-recipient-1" xmlns='urn:xmpp:message-retract:1'/>
  <fallback xmlns="urn:xmpp:fallback:0" for='urn:xmpp:message-retract:1'/>
  <body>/me retracted a previous message, but it's unsupported by your client.</body>
  <store xmlns="urn:xmpp:hints"/>
</message>`
	old = `<message type='chat' to='lord@capulet.example' id='r2'>
  <body>/me retracted a previous message, but it's unsupported by your client.</body>
  <apply-to xmlns='urn:xmpp:fasten:0' id='wrong-recipient-2'><retract xmlns='urn:xmpp:message-retract:0'/></apply-to>
  <fallback xmlns='urn:xmpp:fallback:0'/>
</message>`
)

func TestGolden(t *testing.T) {
	if id, ok := Of(*xmpptest.Message(t, ex2)); !ok || id != "wrong-recipient-1" {
		t.Fatalf("example 2: %q %v", id, ok)
	}
	if id, ok := Of(*xmpptest.Message(t, old)); !ok || id != "wrong-recipient-2" {
		t.Fatalf("version 0.3: %q %v", id, ok)
	}
	m := stanza.NewMessage(stanza.Attrs{To: "lord@capulet.example", Type: stanza.MessageTypeChat, Id: "retract-message-1"})
	Set(&m, "wrong-recipient-1")
	raw, err := xml.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`<retract xmlns="urn:xmpp:message-retract:1" id="wrong-recipient-1"></retract>`,
		`<apply-to xmlns="urn:xmpp:fasten:0" id="wrong-recipient-1"><retract xmlns="urn:xmpp:message-retract:0"></retract></apply-to>`,
		`<fallback xmlns="urn:xmpp:fallback:0" for="urn:xmpp:message-retract:1"></fallback>`,
		`<store xmlns="urn:xmpp:hints"></store>`,
		`<body>/me retracted a previous message, but it&#39;s unsupported by your client.</body>`,
	} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("%s\nlacks %s", raw, want)
		}
	}
	if id, ok := Of(*xmpptest.Message(t, string(raw))); !ok || id != "wrong-recipient-1" {
		t.Fatalf("read back: %q", id)
	}
}

func TestNotRetractions(t *testing.T) {
	for _, s := range []string{
		`<message><body>hi</body></message>`,
		`<message type='error'><retract xmlns='urn:xmpp:message-retract:1' id='x'/></message>`,
		`<message><retract xmlns='urn:xmpp:message-retract:1'/></message>`,
		`<message><apply-to xmlns='urn:xmpp:fasten:0' id='x'/></message>`, // fastened, but not a retraction
	} {
		if id, ok := Of(*xmpptest.Message(t, s)); ok {
			t.Errorf("%s retracts %q", s, id)
		}
	}
}

func FuzzOf(f *testing.F) {
	f.Add(ex2)
	f.Add(old)
	f.Fuzz(func(t *testing.T, s string) {
		var m stanza.Message
		if xml.Unmarshal([]byte(s), &m) != nil {
			return
		}
		if id, ok := Of(m); ok && id == "" {
			t.Fatal("retracts no id")
		}
	})
}

// XEP-0425 Examples 2, 3 and 6 (version 0.3): the moderator's request,
// the room's announcement, a tombstone; and what Prosody's
// mod_muc_moderation (XEP-0425 0.2) announces and archives.
const (
	modEx3 = `<message type="groupchat" id='retraction-id-1' from='room@muc.example.com' to="room@muc.example.com/macbeth">
  <retract id="stanza-id-1" xmlns='urn:xmpp:message-retract:1'>
    <moderated by='room@muc.example.com/macbeth' xmlns='urn:xmpp:message-moderate:1'>
      <occupant-id xmlns="urn:xmpp:occupant-id:0" id="dd72603deec90a38ba552f7c68cbcc61bca202cd" />
    </moderated>
    <reason>This message contains inappropriate content for this forum</reason>
  </retract>
</message>`
	modEx6 = `<message type="groupchat" from="room@muc.example.com/oldhag" to="room@muc.example.com/macbeth" id="message-id-1">
        <occupant-id xmlns="urn:xmpp:occupant-id:0" id="ef73b09de9c90a38ba552f7c68cbeef1dca24429" />
        <retracted stamp='2019-09-20T23:19:12Z' xmlns='urn:xmpp:message-retract:1'>
          <moderated by="witch@shakespeare.example" xmlns="urn:xmpp:message-moderate:1"/>
          <reason>This message contains inappropriate content for this forum</reason>
        </retracted>
      </message>`
	prosodyMod = `<message type='groupchat' from='room@muc.example.com' id='m1'>
  <apply-to xmlns='urn:xmpp:fasten:0' id='stanza-id-2'>
    <moderated xmlns='urn:xmpp:message-moderate:0' by='room@muc.example.com/macbeth'>
      <retract xmlns='urn:xmpp:message-retract:0'/>
      <reason>spam</reason>
    </moderated>
  </apply-to>
</message>`
	prosodyTomb = `<message type='groupchat' from='room@muc.example.com/oldhag' id='o1'>
  <moderated xmlns='urn:xmpp:message-moderate:0' by='room@muc.example.com/macbeth'>
    <retracted xmlns='urn:xmpp:message-retract:0' stamp='2023-01-01T00:00:00Z'/>
    <reason>spam</reason>
  </moderated>
</message>`
)

func TestModeration(t *testing.T) {
	for _, c := range []struct {
		xml, id, by, reason string
	}{
		{modEx3, "stanza-id-1", "room@muc.example.com/macbeth", "This message contains inappropriate content for this forum"},
		{prosodyMod, "stanza-id-2", "room@muc.example.com/macbeth", "spam"},
	} {
		m := *xmpptest.Message(t, c.xml)
		id, by, reason, ok := Moderation(m)
		if !ok || id != c.id || by != c.by || reason != c.reason {
			t.Errorf("%s: %q %q %q %v", c.xml, id, by, reason, ok)
		}
		if id, ok := Of(m); ok {
			t.Errorf("a moderation read as the sender's retraction of %q", id)
		}
	}
	if _, _, _, ok := Moderation(*xmpptest.Message(t, ex2)); ok {
		t.Error("a sender's retraction read as a moderation")
	}
	for _, s := range []string{modEx6, prosodyTomb} {
		if !Tombstone(*xmpptest.Message(t, s)) {
			t.Errorf("not a tombstone: %s", s)
		}
	}
	if Tombstone(*xmpptest.Message(t, ex2)) {
		t.Error("a retraction is no tombstone")
	}

	// Example 2, the request, in either version.
	for _, c := range []struct{ ns, want string }{
		{NSModerate1, `<moderate xmlns="urn:xmpp:message-moderate:1" id="stanza-id-1"><retract xmlns="urn:xmpp:message-retract:1"></retract><reason>This message contains inappropriate content for this forum</reason></moderate>`},
		{NSModerate0, `<apply-to xmlns="urn:xmpp:fasten:0" id="stanza-id-1"><moderate xmlns="urn:xmpp:message-moderate:0"><retract xmlns="urn:xmpp:message-retract:0"></retract><reason>This message contains inappropriate content for this forum</reason></moderate></apply-to>`},
	} {
		iq := Moderate(c.ns, "room@muc.example.com", "stanza-id-1", "This message contains inappropriate content for this forum")
		raw, err := xml.Marshal(iq)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(raw), c.want) || !strings.Contains(string(raw), `type="set"`) || !strings.Contains(string(raw), `to="room@muc.example.com"`) {
			t.Errorf("%s:\n%s\nlacks\n%s", c.ns, raw, c.want)
		}
	}
}
