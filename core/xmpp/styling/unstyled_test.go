package styling

import (
	"encoding/xml"
	"strings"
	"testing"

	"gosrc.io/xmpp/stanza"
)

// A message with the hint (XEP-0393, Disabling Styling), and one without.
const (
	unstyledMsg = `<message xmlns='jabber:client' to='romeo@montague.lit' type='chat'>
  <body>Fundamental theorem: *a* x *b* = *c*</body>
  <unstyled xmlns='urn:xmpp:styling:0'/>
</message>`
	styledMsg = `<message xmlns='jabber:client' to='romeo@montague.lit' type='chat'>
  <body>Wherefore art thou *Romeo*?</body>
</message>`
)

func decode(t *testing.T, s string) stanza.Message {
	t.Helper()
	var m stanza.Message
	if err := xml.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestUnstyled(t *testing.T) {
	m := decode(t, unstyledMsg)
	if !Unstyled(m) {
		t.Fatalf("no hint in %+v", m.Extensions)
	}
	if got := dump(ParseMessage(m.Body, Unstyled(m))); got != "P[Fundamental theorem: *a* x *b* = *c*]" {
		t.Errorf("unstyled body: %s", got)
	}

	m = decode(t, styledMsg)
	if Unstyled(m) {
		t.Fatal("hint found in a message without one")
	}
	if got := dump(ParseMessage(m.Body, Unstyled(m))); got != "P[Wherefore art thou {b:*Romeo*}?]" {
		t.Errorf("styled body: %s", got)
	}

	// Adding the hint, once, and reading it back.
	SetUnstyled(&m)
	SetUnstyled(&m)
	out, err := xml.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(out), `<unstyled xmlns="urn:xmpp:styling:0">`); n != 1 {
		t.Fatalf("%d hints in %s", n, out)
	}
	if back := decode(t, string(out)); !Unstyled(back) {
		t.Errorf("hint lost in %s", out)
	}
	if !Unstyled(stanza.Message{Extensions: []stanza.MsgExtension{UnstyledElement{}}}) {
		t.Error("value extension not seen")
	}
}
