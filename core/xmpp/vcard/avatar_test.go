package vcard

import (
	"bytes"
	"encoding/xml"
	"image"
	"image/color"
	"image/png"
	"strings"
	"sync"
	"testing"

	"github.com/causerie/causerie/core/xmpp/pubsub"
	"github.com/causerie/causerie/internal/xmpptest"
	"gosrc.io/xmpp/stanza"
)

var (
	pngOnce sync.Once
	pngData []byte
)

// tinyPNG is a 16×16 PNG avatar.
func tinyPNG() []byte {
	pngOnce.Do(func() {
		img := image.NewRGBA(image.Rect(0, 0, 16, 16))
		for y := 0; y < 16; y++ {
			for x := 0; x < 16; x++ {
				img.Set(x, y, color.RGBA{uint8(x * 16), uint8(y * 16), 200, 255})
			}
		}
		var b bytes.Buffer
		if err := png.Encode(&b, img); err != nil {
			panic(err)
		}
		pngData = b.Bytes()
	})
	return pngData
}

// XEP-0084 examples.
const (
	// Example 1: publishing avatar data (placeholder data: not base64).
	ex84PublishData = `<iq type='set' from='juliet@capulet.lit/chamber' id='publish1'>
  <pubsub xmlns='http://jabber.org/protocol/pubsub'>
    <publish node='urn:xmpp:avatar:data'>
      <item id='111f4b3c50d7b0df729d299bc6f8e9ef9066971f'>
        <data xmlns='urn:xmpp:avatar:data'>
          qANQR1DBwU4DX7jmYZnncm...
        </data>
      </item>
    </publish>
  </pubsub>
</iq>`
	// Example 3: publishing avatar metadata.
	ex84PublishMeta = `<iq type='set' from='juliet@capulet.lit/chamber' id='publish2'>
  <pubsub xmlns='http://jabber.org/protocol/pubsub'>
    <publish node='urn:xmpp:avatar:metadata'>
      <item id='111f4b3c50d7b0df729d299bc6f8e9ef9066971f'>
        <metadata xmlns='urn:xmpp:avatar:metadata'>
          <info bytes='12345'
                id='111f4b3c50d7b0df729d299bc6f8e9ef9066971f'
                height='64'
                type='image/png'
                width='64'/>
        </metadata>
      </item>
    </publish>
  </pubsub>
</iq>`
	// Example 5: subscribers receive avatar metadata notification.
	ex84Notify = `<message to='romeo@montague.lit' from='juliet@capulet.lit'>
  <event xmlns='http://jabber.org/protocol/pubsub#event'>
    <items node='urn:xmpp:avatar:metadata'>
      <item id='111f4b3c50d7b0df729d299bc6f8e9ef9066971f'>
        <metadata xmlns='urn:xmpp:avatar:metadata'>
          <info bytes='12345'
                height='64'
                id='111f4b3c50d7b0df729d299bc6f8e9ef9066971f'
                type='image/png'
                width='64'/>
        </metadata>
      </item>
    </items>
  </event>
  <addresses xmlns='http://jabber.org/protocol/address'>
    <address type='replyto' jid='juliet@capulet.lit/chamber'/>
  </addresses>
</message>`
	// Example 9: disabling (XEP-0084 1.0's <stop/>).
	ex84Stop = `<message to='romeo@montague.lit' from='juliet@capulet.lit'>
  <event xmlns='http://jabber.org/protocol/pubsub#event'>
    <items node='urn:xmpp:avatar:metadata'>
      <item>
        <metadata xmlns='urn:xmpp:avatar:metadata'>
          <stop/>
        </metadata>
      </item>
    </items>
  </event>
</message>`
	// Example 10: metadata with multiple content types (just the payload).
	ex84Multiple = `<metadata xmlns='urn:xmpp:avatar:metadata'>
          <info bytes='12345'
                height='64'
                id='111f4b3c50d7b0df729d299bc6f8e9ef9066971f'
                type='image/png'
                url='http://avatars.example.org/happy.png'
                width='64'/>
          <info bytes='12345'
                height='64'
                id='111f4b3c50d7b0df729d299bc6f8e9ef9066971f'
                type='image/png'
                width='64'/>
          <info bytes='23456'
                height='64'
                id='222f4b3c50d7b0df729d299bc6f8e9ef9066971f'
                type='image/gif'
                url='http://avatars.example.org/happy.gif'
                width='64'/>
          <pointer>
            <x xmlns='http://example.com/virtualworlds'>
              <game>Ancapistan</game>
            </x>
          </pointer>
        </metadata>`
)

var exInfo = AvatarInfo{ID: "111f4b3c50d7b0df729d299bc6f8e9ef9066971f", Type: "image/png", Bytes: 12345, Width: 64, Height: 64}

func message(t testing.TB, s string) *stanza.Message {
	t.Helper()
	var m stanza.Message
	if err := xml.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return &m
}

func TestGolden84(t *testing.T) {
	m, ok := AvatarMetadataFromMessage(message(t, ex84Notify))
	if !ok || len(m.Infos) != 1 || m.Infos[0] != exInfo || m.Disabled() || m.DataNodeInfo() == nil {
		t.Fatalf("notification %+v %v", m, ok)
	}
	if m, ok := AvatarMetadataFromMessage(message(t, ex84Stop)); !ok || !m.Disabled() || m.DataNodeInfo() != nil {
		t.Fatalf("stop %+v %v", m, ok)
	}
	if _, ok := AvatarMetadataFromMessage(message(t, `<message from='a@b'><body>hi</body></message>`)); ok {
		t.Fatal("metadata in a plain message")
	}
	var multi AvatarMetadata
	if err := xml.Unmarshal([]byte(ex84Multiple), &multi); err != nil {
		t.Fatal(err)
	}
	if len(multi.Infos) != 3 || multi.DataNodeInfo() != &multi.Infos[1] || multi.Infos[2].Type != "image/gif" {
		t.Fatalf("multiple %+v", multi)
	}
	// Example 1's placeholder is not base64: no data.
	var data AvatarData
	if err := xml.Unmarshal([]byte(`<data xmlns='urn:xmpp:avatar:data'>
          qANQR1DBwU4DX7jmYZnncm...
        </data>`), &data); err != nil || data.Data != nil {
		t.Fatalf("placeholder data %+v %v", data, err)
	}
}

func TestMarshal84(t *testing.T) {
	// Our publish requests have the shape of Examples 1 and 3.
	for _, c := range []struct {
		iq *stanza.IQ
		ex string
	}{
		{pubsub.PublishRequest(NSAvatarData, exInfo.ID, &AvatarData{Data: []byte("placeholder")}), ex84PublishData},
		{pubsub.PublishRequest(NSAvatarMetadata, exInfo.ID, &AvatarMetadata{Infos: []AvatarInfo{exInfo}}), ex84PublishMeta},
	} {
		c.iq.Id = "x"
		b, err := xml.Marshal(c.iq)
		if err != nil {
			t.Fatal(err)
		}
		got := xmpptest.Canon(string(b), "from", "id")
		want := xmpptest.Canon(c.ex, "from", "id")
		// The data example's content is a placeholder: compare the shape.
		if c.ex == ex84PublishData {
			got = strings.Replace(got, "cGxhY2Vob2xkZXI=", "qANQR1DBwU4DX7jmYZnncm...", 1)
		}
		if got != want {
			t.Errorf("\n got %s\nwant %s", got, want)
		}
	}
	// An items request for the latest metadata; publish-options.
	b, _ := xml.Marshal(pubsub.ItemsRequest("", NSAvatarMetadata, "", 1).Payload)
	if string(b) != `<pubsub xmlns="http://jabber.org/protocol/pubsub"><items node="urn:xmpp:avatar:metadata" max_items="1"></items></pubsub>` {
		t.Errorf("items: %s", b)
	}
	b, _ = xml.Marshal(pubsub.ItemsRequest("", NSAvatarData, "abc", 0).Payload)
	if string(b) != `<pubsub xmlns="http://jabber.org/protocol/pubsub"><items node="urn:xmpp:avatar:data"><item id="abc"></item></items></pubsub>` {
		t.Errorf("item: %s", b)
	}
	b, _ = xml.Marshal(pubsub.PublishRequest(NSAvatarMetadata, "", &AvatarMetadata{}, pubsub.Option{Var: "pubsub#access_model", Value: "open"}).Payload)
	for _, s := range []string{`<publish-options><x xmlns="jabber:x:data" type="submit">`, `<value>open</value>`,
		`<item><metadata xmlns="urn:xmpp:avatar:metadata"></metadata></item>`} {
		if !strings.Contains(string(b), s) {
			t.Errorf("publish-options lack %s: %s", s, b)
		}
	}
	// Data round trip.
	b, _ = xml.Marshal(&AvatarData{Data: tinyPNG()})
	var back AvatarData
	if err := xml.Unmarshal(b, &back); err != nil || !bytes.Equal(back.Data, tinyPNG()) {
		t.Fatalf("data round trip: %v", err)
	}
}
