package upload

import (
	"encoding/xml"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/disco"
	"github.com/causerie/causerie/internal/xmpptest"
	"gosrc.io/xmpp/stanza"
)

func example363(t *testing.T, n string) string {
	t.Helper()
	return xmpptest.Example(t, "testdata/xep-0363-examples.xml", n)
}

func decodeIQ(t *testing.T, text string) *stanza.IQ {
	t.Helper()
	var iq stanza.IQ
	if err := xml.Unmarshal([]byte(text), &iq); err != nil {
		t.Fatal(err)
	}
	return &iq
}

// TestGoldenDiscovery: XEP-0363 example 4, the service and its limit.
func TestGoldenDiscovery(t *testing.T) {
	info, ok := decodeIQ(t, example363(t, "4")).Payload.(*disco.Info)
	if !ok {
		t.Fatal("no disco#info")
	}
	if s, ok := ServiceOf("upload.montague.tld", info); !ok || s != (Service{JID: "upload.montague.tld", MaxSize: 5242880}) {
		t.Fatalf("service %+v %v", s, ok)
	}
	if _, ok := ServiceOf("conference.montague.tld", &disco.Info{Features: []string{"http://jabber.org/protocol/muc"}}); ok {
		t.Error("a room service taken for an upload service")
	}
	if s, ok := ServiceOf("upload.example", &disco.Info{Features: []string{NS}}); !ok || s.MaxSize != 0 {
		t.Errorf("a service without a limit: %+v %v", s, ok)
	}
}

// TestGoldenSlot: examples 5 and 6; only the allowed headers are sent.
func TestGoldenSlot(t *testing.T) {
	req := &stanza.IQ{XMLName: xml.Name{Local: "iq"}, Attrs: stanza.Attrs{Type: stanza.IQTypeGet, To: "upload.montague.tld"},
		Payload: &Request{Filename: "très cool.jpg", Size: 23456, ContentType: "image/jpeg"}}
	b, err := xml.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := xmpptest.Canon(string(b), "from", "id"), xmpptest.Canon(example363(t, "5"), "from", "id"); got != want {
		t.Errorf("request:\n got %s\nwant %s", got, want)
	}
	s, ok := decodeIQ(t, example363(t, "6")).Payload.(*Slot)
	if !ok {
		t.Fatal("no slot")
	}
	if s.Put.URL != "https://upload.montague.tld/4a771ac1-f0b2-4a4a-9700-f2a26fa2bb67/tr%C3%A8s%20cool.jpg" ||
		s.Get.URL != "https://download.montague.tld/4a771ac1-f0b2-4a4a-9700-f2a26fa2bb67/tr%C3%A8s%20cool.jpg" {
		t.Errorf("slot %+v", s)
	}
	if got := s.PutHeaders(); !slices.Equal(got, []Header{{"Authorization", "Basic Base64String=="}, {"Cookie", "foo=bar; user=romeo"}}) {
		t.Errorf("headers %+v", got)
	}
	// §4, §11.2: other headers dropped, names case-insensitive,
	// newlines out, order kept.
	s.Put.Headers = []Header{{"X-Evil", "1"}, {"eXpires", "Tue, 01 Dec 2026\r\n 00:00:00 GMT"}, {"Host", "evil"},
		{"cookie", "a=1"}, {"Cookie\n", "b=2\nInjected: yes"}}
	want := []Header{{"Expires", "Tue, 01 Dec 2026 00:00:00 GMT"}, {"Cookie", "a=1"}, {"Cookie", "b=2Injected: yes"}}
	if got := s.PutHeaders(); !slices.Equal(got, want) {
		t.Errorf("headers kept:\n got %+v\nwant %+v", got, want)
	}
	for _, u := range []string{"", "http://upload.example/x", "https:///x", "https://user:pw@upload.example/x", "https://upload.example/" + strings.Repeat("a", maxURL)} {
		if httpsURL(u) {
			t.Errorf("%q taken as a slot URL", u)
		}
	}
}

// TestGoldenRefusals: examples 11 to 13 read as words the GUI can give.
func TestGoldenRefusals(t *testing.T) {
	for n, want := range map[string]error{"11": ErrTooLarge, "12": ErrQuota, "13": ErrForbidden} {
		iq := decodeIQ(t, example363(t, n))
		err := refusal(xmpp.ErrorOf(*iq.Error))
		if !errors.Is(err, want) {
			t.Errorf("example %s: %v, want %v", n, err, want)
		}
	}
	if err := refusal(errors.New("timed out")); errors.Is(err, ErrTooLarge) || errors.Is(err, ErrQuota) || errors.Is(err, ErrForbidden) {
		t.Errorf("a timeout read as a refusal: %v", err)
	}
}
