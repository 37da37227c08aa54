package xmpp

import (
	"bytes"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"gosrc.io/xmpp/stanza"
)

// memConn is a net.Conn reading a fixed input and discarding writes, to
// drive the reader without a server.
type memConn struct {
	r    io.Reader
	mu   sync.Mutex
	read int64
	out  bytes.Buffer
}

func (m *memConn) Read(p []byte) (int, error) {
	n, err := m.r.Read(p)
	m.mu.Lock()
	m.read += int64(n)
	m.mu.Unlock()
	return n, err
}
func (m *memConn) Write(p []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.out.Write(p)
}
func (m *memConn) Close() error                     { return nil }
func (m *memConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (m *memConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (m *memConn) SetDeadline(time.Time) error      { return nil }
func (m *memConn) SetReadDeadline(time.Time) error  { return nil }
func (m *memConn) SetWriteDeadline(time.Time) error { return nil }

// The seed's server stream header.
const seedHeader = `<?xml version='1.0' encoding='UTF-8'?><stream:stream xmlns='jabber:client' xml:lang='en' xmlns:stream='http://etherx.jabber.org/streams' from='jabber.org' id='166C34A3F3E91' >`

// runReader feeds input after the seed's stream header to a Conn's reader
// and returns the Conn once the reader has ended.
func runReader(t testing.TB, input io.Reader, h Handler, max int64) (*Conn, *memConn) {
	mc := &memConn{r: io.MultiReader(strings.NewReader(seedHeader), input)}
	c, err := newConn(Config{JID: "toto@jabber.org", Handler: h, MaxStanzaSize: max, KeepAlive: -1})
	if err != nil {
		t.Fatal(err)
	}
	c.jid = "toto@jabber.org/maison"
	tr := newTransport(mc, c.cfg.maxStanza())
	hdr, err := tr.openStream("jabber.org", "", "fr", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if hdr.ID != "166C34A3F3E91" || hdr.From != "jabber.org" || hdr.Lang != "en" {
		t.Fatalf("header: %+v", hdr)
	}
	c.start(tr)
	select {
	case <-c.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("reader did not end")
	}
	return c, mc
}

type recorder struct {
	Mux
	got []any
}

func newRecorder() *recorder {
	r := &recorder{}
	r.HandleMessageFunc(func(_ *Conn, m *stanza.Message) { r.got = append(r.got, m) })
	r.HandlePresenceFunc(func(_ *Conn, p *stanza.Presence) { r.got = append(r.got, p) })
	return r
}

func TestSeedStanzasDispatchedInOrder(t *testing.T) {
	in := `<presence to='dupont@im.apinc.org' from='toto@jabber.org/ecole'>
  <show>away</show>
  <status>Je suis de retour dans 1 minute !</status>
  <priority>5</priority>
</presence>
<message from="tintin@jabber.org/chateau" type="chat">
        <body>Salut !</body>
</message>
<message from='romeo@montague.net' to='juliette@capulet.com/balcon'>
 <x xmlns='jabber:x:event'>
   <composing/>
   <id>message22</id>
 </x>
</message>
<iq from='toto@jabber.org/ecole' type='result' id='aaab'>
  <query xmlns='jabber:iq:roster'>
     <item jid='tintin@jabber.org' subscription='both' name='Tintin'/>
  </query>
</iq>
</stream:stream>`
	rec := newRecorder()
	c, _ := runReader(t, strings.NewReader(in), rec, 0)
	if !errors.Is(c.Err(), errStreamEnd) {
		t.Fatalf("Err = %v, want end of stream", c.Err())
	}
	if len(rec.got) != 3 {
		t.Fatalf("got %d stanzas", len(rec.got))
	}
	p := rec.got[0].(*stanza.Presence)
	if p.Show != stanza.PresenceShowAway || p.Priority != 5 || p.Status != "Je suis de retour dans 1 minute !" || p.From != "toto@jabber.org/ecole" {
		t.Fatalf("presence: %+v", p)
	}
	m := rec.got[1].(*stanza.Message)
	if m.Body != "Salut !" || m.Type != stanza.MessageTypeChat || m.From != "tintin@jabber.org/chateau" {
		t.Fatalf("message: %+v", m)
	}
	if m2 := rec.got[2].(*stanza.Message); m2.From != "romeo@montague.net" || m2.Body != "" {
		t.Fatalf("event message: %+v", m2)
	}
}

func TestUnknownIQGetAnswered(t *testing.T) {
	in := `<iq type='get' id='v1' from='tintin@jabber.org/chateau'><query xmlns='jabber:iq:version'/></iq>` +
		`<iq type='get' id='p1' from='jabber.org'><ping xmlns='urn:xmpp:ping'/></iq></stream:stream>`
	_, mc := runReader(t, strings.NewReader(in), nil, 0)
	out := mc.out.String()
	if !strings.Contains(out, `<iq type='error' id='v1' to='tintin@jabber.org/chateau'><error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>`) {
		t.Errorf("no service-unavailable answer in %q", out)
	}
	if !strings.Contains(out, `<iq type="result" id="p1" to="jabber.org"></iq>`) {
		t.Errorf("no ping answer in %q", out)
	}
}

func TestStreamErrors(t *testing.T) {
	cases := map[string]StreamError{
		// RFC 6120 §4.9.3.19
		`<stream:error><see-other-host xmlns='urn:ietf:params:xml:ns:xmpp-streams'>[2001:41D0:1:A49b::1]:9222</see-other-host></stream:error>`: {Condition: "see-other-host", Other: "[2001:41D0:1:A49b::1]:9222"},
		// RFC 6120 §4.9.3.3 with text
		`<stream:error><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/><text xmlns='urn:ietf:params:xml:ns:xmpp-streams' xml:lang='en'>Replaced by new connection</text></stream:error>`: {Condition: "conflict", Text: "Replaced by new connection"},
		`<stream:error><system-shutdown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>`:                                                                                           {Condition: "system-shutdown"},
	}
	for in, want := range cases {
		c, _ := runReader(t, strings.NewReader(in), nil, 0)
		var se *StreamError
		if !errors.As(c.Err(), &se) || *se != want {
			t.Errorf("%s: Err = %v, want %+v", in, c.Err(), want)
		}
	}
}

func TestOversizedStanzaClosesStream(t *testing.T) {
	const max = 64 << 10
	huge := io.MultiReader(strings.NewReader("<message><body>"), &repeatReader{b: 'a', n: 64 << 20})
	c, mc := runReader(t, huge, nil, max)
	if !errors.Is(c.Err(), ErrStanzaTooLarge) {
		t.Fatalf("Err = %v, want ErrStanzaTooLarge", c.Err())
	}
	if mc.read > max+16<<10 {
		t.Fatalf("read %d bytes for a %d limit", mc.read, max)
	}
	if !strings.Contains(mc.out.String(), "<policy-violation") {
		t.Fatalf("no policy-violation stream error sent: %q", mc.out.String())
	}
}

func TestMalformedXMLClosesStream(t *testing.T) {
	c, mc := runReader(t, strings.NewReader("<message><body>x</bod></message>"), nil, 0)
	if c.Err() == nil || !strings.Contains(mc.out.String(), "<not-well-formed") {
		t.Fatalf("Err = %v, sent %q", c.Err(), mc.out.String())
	}
}

type repeatReader struct {
	b byte
	n int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	n := min(len(p), r.n)
	for i := range p[:n] {
		p[i] = r.b
	}
	r.n -= n
	return n, nil
}

func TestFeaturesRFC6120(t *testing.T) {
	in := `<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>` +
		`<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>SCRAM-SHA-1-PLUS</mechanism><mechanism>SCRAM-SHA-1</mechanism><mechanism>PLAIN</mechanism></mechanisms>` +
		`<sasl-channel-binding xmlns='urn:xmpp:sasl-cb:0'><channel-binding type='tls-server-end-point'/><channel-binding type='tls-exporter'/></sasl-channel-binding>` +
		`<sm xmlns='urn:xmpp:sm:3'/><register xmlns='http://jabber.org/features/iq-register'/></stream:features>`
	mc := &memConn{r: strings.NewReader(seedHeader + in)}
	tr := newTransport(mc, 1<<20)
	if _, err := tr.openStream("jabber.org", "", "en", time.Second); err != nil {
		t.Fatal(err)
	}
	f, err := tr.readFeatures()
	if err != nil {
		t.Fatal(err)
	}
	if f.StartTLS == nil || f.StartTLS.Required == nil || f.SM == nil || f.Register == nil || f.Bind != nil {
		t.Fatalf("features: %+v", f)
	}
	if m := f.mechanisms(); len(m) != 3 || m[0] != "SCRAM-SHA-1-PLUS" {
		t.Fatalf("mechanisms %v", m)
	}
	if b := f.bindingTypes(); len(b) != 2 || b[1] != "tls-exporter" {
		t.Fatalf("binding types %v", b)
	}
}

func TestSeedLegacyAuthError(t *testing.T) {
	in := `<iq type='error' id='auth_2'>
  <query xmlns='jabber:iq:auth'>
     <username>toto</username>
     <password>mot2passe</password>
     <resource>maison</resource>
  </query>
  <error type='auth' code='401'><not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>
     <text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>Unauthorized</text>
  </error>
</iq>`
	mc := &memConn{r: strings.NewReader(seedHeader + in)}
	tr := newTransport(mc, 1<<20)
	tr.openStream("jabber.org", "", "en", time.Second)
	e, err := tr.readIQ("auth_2")
	if err != nil {
		t.Fatal(err)
	}
	var ae *AuthError
	if err := legacyAuthError(e); !errors.As(err, &ae) || ae.Condition != "not-authorized" || ae.Text != "Unauthorized" {
		t.Fatalf("err = %v", err)
	}
	// An old server with only the numeric code.
	se := stanzaError(&stanza.Err{Code: 409, Type: "cancel"})
	if se.Condition != "conflict" {
		t.Fatalf("code 409 -> %s", se.Condition)
	}
}

func TestChooseMechanism(t *testing.T) {
	all := []string{"PLAIN", "SCRAM-SHA-1", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-256", "SCRAM-SHA-256-PLUS"}
	tls13 := &tlsState13
	tls12 := &tlsState12
	cases := []struct {
		offered, allowed, cb []string
		cs                   any
		want                 string
	}{
		{all, nil, nil, tls12, "SCRAM-SHA-256-PLUS"},
		{all, nil, nil, tls13, "SCRAM-SHA-256"},                           // no XEP-0440: no tls-exporter
		{all, nil, []string{"tls-exporter"}, tls13, "SCRAM-SHA-256-PLUS"}, // advertised
		{[]string{"PLAIN", "SCRAM-SHA-1", "SCRAM-SHA-1-PLUS"}, nil, nil, tls13, "SCRAM-SHA-1"},
		{[]string{"PLAIN"}, nil, nil, tls13, "PLAIN"},
		{all, []string{"PLAIN"}, nil, tls12, "PLAIN"},
		{[]string{"DIGEST-MD5", "X-OAUTH2"}, nil, nil, tls13, ""},
	}
	for _, tc := range cases {
		m, ok := chooseMechanism(tc.offered, tc.allowed, tlsOf(tc.cs), tc.cb)
		if (tc.want == "") == ok || m.Name != tc.want {
			t.Errorf("offered %v allowed %v cb %v: got %q %v, want %q", tc.offered, tc.allowed, tc.cb, m.Name, ok, tc.want)
		}
	}
}

func TestFeatureNames(t *testing.T) {
	in := `<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/><ver xmlns='urn:xmpp:features:rosterver'/><sub xmlns='urn:xmpp:features:pre-approval'/><csi xmlns='urn:xmpp:csi:0'/></stream:features>`
	mc := &memConn{r: strings.NewReader(seedHeader + in)}
	tr := newTransport(mc, 1<<20)
	tr.openStream("jabber.org", "", "en", time.Second)
	f, err := tr.readFeatures()
	if err != nil {
		t.Fatal(err)
	}
	c := &Conn{features: f.names()}
	for _, n := range [][2]string{{NSBind, "bind"}, {"urn:xmpp:features:rosterver", "ver"}, {"urn:xmpp:features:pre-approval", "sub"}, {"urn:xmpp:csi:0", "csi"}} {
		if !c.HasFeature(n[0], n[1]) {
			t.Errorf("feature %v missing", n)
		}
	}
	if c.HasFeature(NSSM, "sm") {
		t.Error("sm reported but not advertised")
	}
}

func TestHostileStanzasDoNotEndTheSession(t *testing.T) {
	in := `<message from='mallory@evil.example/x' type='chat'><x xmlns='urn:example:unknown'><body>spoofed</body></x><body>real</body></message>` +
		`<message from='a@b/c'><forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client' from='z@y'><body>inner</body></message></forwarded><body>outer</body></message>` +
		`<presence from='a@b/c'><priority>abc</priority><status>still here</status></presence>` +
		`<presence from='a@b/d'><priority>300</priority><x xmlns='urn:example'><priority>9</priority></x></presence>` +
		`<message from='a@b/e'><delay xmlns='urn:xmpp:delay' stamp='not a date'/><body>bad stamp</body></message>` +
		`<message from='a@b/f' xml:lang='fr'><body>last</body></message></stream:stream>`
	rec := newRecorder()
	c, _ := runReader(t, strings.NewReader(in), rec, 0)
	if !errors.Is(c.Err(), errStreamEnd) {
		t.Fatalf("session ended with %v", c.Err())
	}
	if len(rec.got) != 6 {
		t.Fatalf("got %d stanzas, want 6", len(rec.got))
	}
	if m := rec.got[0].(*stanza.Message); m.Body != "real" {
		t.Errorf("nested body overrode the message's: %q", m.Body)
	}
	if m := rec.got[1].(*stanza.Message); m.Body != "outer" || m.From != "a@b/c" {
		t.Errorf("forwarded message: %+v", m)
	}
	if p := rec.got[2].(*stanza.Presence); p.Priority != 0 || p.Status != "still here" {
		t.Errorf("bad priority: %+v", p)
	}
	if p := rec.got[3].(*stanza.Presence); p.Priority != 0 {
		t.Errorf("out-of-range or nested priority used: %d", p.Priority)
	}
	if m := rec.got[5].(*stanza.Message); m.Lang != "fr" || m.Body != "last" {
		t.Errorf("xml:lang: %+v", m)
	}
}
