package bob

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"

	"gosrc.io/xmpp/stanza"
)

// XEP-0231 Example 1 (shortened base64 of a PNG), in a message with an
// XHTML-IM image referring to it.
const ex = `<message from='ladymacbeth@shakespeare.lit/castle' to='macbeth@chat.shakespeare.lit' type='chat'>
  <body>Yet here's a spot.</body>
  <html xmlns='http://jabber.org/protocol/xhtml-im'>
    <body xmlns='http://www.w3.org/1999/xhtml'>
      <p>Yet here's a spot. <img alt='A spot' src='cid:sha1+8f35fef110ffc5df08d579a50083ff9308fb6242@bob.xmpp.org'/></p>
    </body>
  </html>
  <data xmlns='urn:xmpp:bob'
        cid='sha1+8f35fef110ffc5df08d579a50083ff9308fb6242@bob.xmpp.org'
        max-age='86400'
        type='image/png'>
    iVBORw0KGgoAAAANSUhEUgAAAAoAAAAKCAYAAACNMs+9AAAABGdBTUEAALGP
    C/xhBQAAAAlwSFlzAAALEwAACxMBAJqcGAAAAAd0SU1FB9YGARc5KB0XV+IA
  </data>
</message>`

func TestFromMessage(t *testing.T) {
	var m stanza.Message
	if err := xml.Unmarshal([]byte(ex), &m); err != nil {
		t.Fatal(err)
	}
	items := FromMessage(&m)
	d, ok := items["sha1+8f35fef110ffc5df08d579a50083ff9308fb6242@bob.xmpp.org"]
	if !ok || d.Type != "image/png" || d.MaxAge != 86400 || !bytes.HasPrefix(d.Bytes, []byte("\x89PNG")) {
		t.Fatalf("items %+v", items)
	}
	if !strings.HasPrefix(d.DataURI(), "data:image/png;base64,iVBORw0KGgo") {
		t.Errorf("data URI %q", d.DataURI())
	}
	out, err := xml.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var back Data
	if err := xml.Unmarshal(out, &back); err != nil || !bytes.Equal(back.Bytes, d.Bytes) || back.CID != d.CID {
		t.Fatalf("round trip %s: %+v %v", out, back, err)
	}
	if c, ok := CID("cid:abc@bob.xmpp.org"); !ok || c != "abc@bob.xmpp.org" {
		t.Error("CID")
	}
	if _, ok := CID("https://x"); ok {
		t.Error("not a cid")
	}
}

func TestTooLargeOrBroken(t *testing.T) {
	big := `<data xmlns='urn:xmpp:bob' cid='a@bob.xmpp.org' type='image/png'>` + strings.Repeat("AAAA", MaxSize/3+10) + `</data>`
	var d Data
	if err := xml.Unmarshal([]byte(big), &d); err != nil || d.Bytes != nil {
		t.Errorf("too large kept: %d %v", len(d.Bytes), err)
	}
	if err := xml.Unmarshal([]byte(`<data xmlns='urn:xmpp:bob' cid='a' type='image/png'>!!!</data>`), &d); err != nil || d.Bytes != nil {
		t.Errorf("broken kept: %v", err)
	}
}
