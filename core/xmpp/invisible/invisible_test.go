package invisible

import (
	"context"
	"crypto/tls"
	"encoding/xml"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/disco"
	"github.com/causerie/causerie/internal/testserver"
	"gosrc.io/xmpp/stanza"
)

func TestMain(m *testing.M) { testserver.Main(m) }

// XEP-0186 (0.11, urn:xmpp:invisible:0) Examples 1 and 3, and (0.12+,
// urn:xmpp:invisible:1) the invisible command with its probe attribute.
const (
	exInvisible0 = `<iq id='inv1' type='set'><invisible xmlns='urn:xmpp:invisible:0'/></iq>`
	exVisible0   = `<iq id='vis1' type='set'><visible xmlns='urn:xmpp:invisible:0'/></iq>`
	exInvisible1 = `<iq id='inv1' type='set'><invisible xmlns='urn:xmpp:invisible:1' probe='false'/></iq>`
	exVisible1   = `<iq id='vis1' type='set'><visible xmlns='urn:xmpp:invisible:1'/></iq>`
	// XEP-0186 §4 (Example 6 in 0.11): the server's disco#info answer.
	exDisco = `<iq from='tolkien.lit' id='disco1' to='bilbo@tolkien.lit/shire' type='result'>
  <query xmlns='http://jabber.org/protocol/disco#info'>
    <feature var='urn:xmpp:invisible:0'/>
  </query>
</iq>`
)

// norm turns the examples' single quotes into encoding/xml's output form.
func norm(s string) string { return strings.ReplaceAll(s, "'", `"`) }

func marshal(t *testing.T, iq *stanza.IQ, id string) string {
	t.Helper()
	iq.Id = id
	b, err := xml.Marshal(iq)
	if err != nil {
		t.Fatal(err)
	}
	// encoding/xml writes <x></x> for an empty element.
	s := string(b)
	for _, e := range []string{"invisible", "visible"} {
		s = strings.Replace(s, "></"+e+">", "/>", 1)
	}
	return s
}

func TestGoldenRequests(t *testing.T) {
	cases := []struct {
		ns               string
		invisible, probe bool
		id, want         string
	}{
		{NS, true, false, "inv1", exInvisible0},
		{NS, true, true, "inv1", exInvisible0}, // no probe attribute in :0
		{NS, false, false, "vis1", exVisible0},
		{NS1, true, false, "inv1", exInvisible1},
		{NS1, true, true, "inv1", strings.Replace(exInvisible1, "false", "true", 1)},
		{NS1, false, true, "vis1", exVisible1},
	}
	for _, tc := range cases {
		got := marshal(t, Request(tc.ns, tc.invisible, tc.probe), tc.id)
		// The IQ element has no 'to' (handled by our own server).
		got = strings.Replace(got, `<iq type="set" id="`+tc.id+`">`, `<iq id="`+tc.id+`" type="set">`, 1)
		if got != norm(tc.want) {
			t.Errorf("%s invisible=%v probe=%v:\n got %s\nwant %s", tc.ns, tc.invisible, tc.probe, got, norm(tc.want))
		}
	}
}

func TestSupported(t *testing.T) {
	var iq stanza.IQ
	if err := xml.Unmarshal([]byte(exDisco), &iq); err != nil {
		t.Fatal(err)
	}
	info := iq.Payload.(*disco.Info)
	if !Supported(info) || Namespace(info) != NS {
		t.Fatal("XEP-0186 disco example not recognised")
	}
	info.Features = append(info.Features, NS1)
	if Namespace(info) != NS1 {
		t.Fatal(":1 not preferred")
	}
	if Supported(&disco.Info{Features: []string{"urn:xmpp:ping"}}) || Supported(nil) {
		t.Fatal("supported without the feature")
	}
}

// Neither test server ships XEP-0186: Supported is false and Enable
// refuses without sending anything; the caller reports "invisible
// unsupported".
func TestServersWithoutInvisible(t *testing.T) {
	ctx := context.Background()
	for name, s := range map[string]*testserver.Server{
		"prosody":  testserver.Shared(t, testserver.Prosody, testserver.Options{}),
		"ejabberd": testserver.Shared(t, testserver.Ejabberd, testserver.Options{}),
	} {
		t.Run(name, func(t *testing.T) {
			jid, pass := s.NewUser(t)
			c, err := xmpp.Dial(ctx, xmpp.Config{JID: jid, Password: pass, Host: s.Host, Port: s.Port,
				TLSConfig: &tls.Config{RootCAs: s.CertPool}, ConnectTimeout: 20 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			info, err := disco.GetInfo(ctx, c, "", "")
			if err != nil {
				t.Fatal(err)
			}
			if Supported(info) {
				t.Fatalf("%s advertises XEP-0186 (%s): update the test and the report", name, Namespace(info))
			}
			if err := Enable(ctx, c, false); !errors.Is(err, ErrUnsupported) {
				t.Fatalf("Enable: %v, want ErrUnsupported", err)
			}
			if err := Disable(ctx, c); !errors.Is(err, ErrUnsupported) {
				t.Fatalf("Disable: %v, want ErrUnsupported", err)
			}
			// Sent anyway, the server refuses the unknown payload.
			_, err = c.SendIQ(ctx, Request(NS, true, false))
			var se *xmpp.StanzaError
			if !errors.As(err, &se) {
				t.Fatalf("raw invisible command: %v", err)
			}
			t.Logf("%s: raw <invisible/> → %s", name, se.Condition)
		})
	}
}
