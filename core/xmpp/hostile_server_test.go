package xmpp

import (
	"context"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	ts "github.com/causerie/causerie/internal/testserver"
)

// Hostile servers played by internal/testserver's Fake (issue 12, point 7).

const (
	fakePlainOnly = "<mechanisms xmlns='" + NSSASL + "'><mechanism>PLAIN</mechanism></mechanisms>"
	fakeLegacy    = "<auth xmlns='http://jabber.org/features/iq-auth'/>"
)

// fakeCfg is a config for alice@example.test on the fake server, trusting
// its primary certificate.
func fakeCfg(f *ts.Fake) Config {
	return Config{
		JID: "alice@" + f.Domain, Password: "sesame", Resource: "desk",
		Host: f.Host, Port: f.Port,
		TLSConfig:      &tls.Config{RootCAs: f.CertPool},
		ConnectTimeout: 10 * time.Second,
		KeepAlive:      -1,
	}
}

// TestDowngradeToPlainRefused: an account that has used SCRAM refuses a
// server offering only PLAIN, with *DowngradeError, and the server never
// receives <auth/> (nor anything else after STARTTLS). Without a floor
// the same server does get <auth mechanism='PLAIN'/>: the assertion can
// see one.
func TestDowngradeToPlainRefused(t *testing.T) {
	t.Parallel()
	f := ts.StartFake(t)
	run := f.Play(ts.STARTTLS(ts.PrimaryCert), ts.Features(fakePlainOnly))
	cfg := fakeCfg(f)
	cfg.MinAuth = MechanismLevel("SCRAM-SHA-256")
	_, err := Dial(context.Background(), cfg)
	var de *DowngradeError
	if !errors.As(err, &de) || de.Min != AuthSCRAM || !slices.Equal(de.Offered, []string{"PLAIN"}) {
		t.Fatalf("Dial: %v, want *DowngradeError offering PLAIN", err)
	}
	if errors.Is(err, ErrNoMechanism) {
		t.Error("a downgrade must not read as a plain lack of mechanisms")
	}
	if err := run.Wait(t); err != nil {
		t.Fatal(err)
	}
	if got := run.Received(); run.Has(NSSASL, "") || len(got) != 1 {
		t.Fatalf("the server received %v", got)
	}

	// Control: without a floor, PLAIN is used.
	run = f.Play(ts.STARTTLS(ts.PrimaryCert), ts.Features(fakePlainOnly),
		ts.Expect(NSSASL, "auth"),
		ts.Send("<failure xmlns='"+NSSASL+"'><not-authorized/></failure>"))
	cfg.MinAuth = AuthAny
	_, err = Dial(context.Background(), cfg)
	var ae *AuthError
	if !errors.As(err, &ae) || ae.Mechanism != "PLAIN" {
		t.Fatalf("Dial without floor: %v", err)
	}
	if err := run.Wait(t); err != nil {
		t.Fatal(err)
	}
}

// TestDowngradeToLegacyAuthRefused: after SCRAM, a server offering only
// XEP-0078 is refused before anything is sent, not even the user name.
func TestDowngradeToLegacyAuthRefused(t *testing.T) {
	t.Parallel()
	f := ts.StartFake(t)
	run := f.Play(ts.STARTTLS(ts.PrimaryCert), ts.Features(fakeLegacy))
	cfg := fakeCfg(f)
	cfg.MinAuth = AuthSCRAM
	_, err := Dial(context.Background(), cfg)
	var de *DowngradeError
	if !errors.As(err, &de) || !slices.Equal(de.Offered, []string{LegacyAuth}) {
		t.Fatalf("Dial: %v, want *DowngradeError offering %s", err, LegacyAuth)
	}
	if err := run.Wait(t); err != nil {
		t.Fatal(err)
	}
	if got := run.Received(); run.Has("", "iq") || len(got) != 1 {
		t.Fatalf("the server received %v", got)
	}
}

// legacyScript plays XEP-0078 offering fields (e.g. "<password/><digest/>")
// and accepting whatever credential comes.
func legacyScript(fields string) []ts.Step {
	return []ts.Step{
		ts.STARTTLS(ts.PrimaryCert),
		ts.Features(fakeLegacy),
		ts.Reply("", "iq", func(e *ts.Element) string {
			return "<iq type='result' id='" + e.Attr("id") + "'><query xmlns='jabber:iq:auth'><username/>" + fields + "<resource/></query></iq>"
		}),
		ts.Reply("", "iq", func(e *ts.Element) string {
			return "<iq type='result' id='" + e.Attr("id") + "'/>"
		}),
	}
}

// TestLegacyAuthPrefersDigest: offered both, XEP-0078 sends the digest
// SHA1(stream id + password) and never the password; offered only the
// password field, it sends the password (inside TLS).
func TestLegacyAuthPrefersDigest(t *testing.T) {
	t.Parallel()
	f := ts.StartFake(t)
	sum := sha1.Sum([]byte(ts.SecureStreamID + "sesame"))
	for _, tc := range []struct {
		fields, want, never, value string
	}{
		{"<password/><digest/>", "digest", "password", hex.EncodeToString(sum[:])},
		{"<digest/><password/>", "digest", "password", hex.EncodeToString(sum[:])},
		{"<password/>", "password", "digest", "sesame"},
	} {
		run := f.Play(legacyScript(tc.fields)...)
		c, err := Dial(context.Background(), fakeCfg(f))
		if err != nil {
			t.Fatalf("%s: Dial: %v", tc.fields, err)
		}
		if c.Mechanism() != LegacyAuth || c.JID() != "alice@example.test/desk" {
			t.Errorf("%s: mechanism %s, JID %s", tc.fields, c.Mechanism(), c.JID())
		}
		c.Close()
		if err := run.Wait(t); err != nil {
			t.Fatal(err)
		}
		got := run.Received()
		if len(got) < 3 {
			t.Fatalf("%s: received %v", tc.fields, got)
		}
		set := got[2]
		cred := set.Find("", tc.want)
		if set.Attr("type") != "set" || cred == nil || cred.Text != tc.value {
			t.Errorf("%s: sent %s, want <%s>%s</%s>", tc.fields, set.String(), tc.want, tc.value, tc.want)
		}
		if run.Has("", tc.never) {
			t.Errorf("%s: <%s/> was sent", tc.fields, tc.never)
		}
	}
}

// injected is what a man in the middle slips in after <proceed/>: read as
// XML, it would end the stream with a recognisable error.
const injected = "<stream:error><policy-violation xmlns='" + NSStreams + "'/>" +
	"<text xmlns='" + NSStreams + "'>INJECTED</text></stream:error>"

// TestPlaintextAfterProceedNotRead: bytes sent in the clear right after
// <proceed/> are never read as part of the secure stream. Sent in the same
// segment as <proceed/>, they sit in the plaintext reader's buffer, which
// is dropped when TLS starts: the login goes on with what the server sent
// over TLS. Sent once the client has started the TLS handshake, they reach
// crypto/tls, which refuses them as a bad record header
// (tls.RecordHeaderError), and the login fails.
func TestPlaintextAfterProceedNotRead(t *testing.T) {
	t.Parallel()
	f := ts.StartFake(t)
	login := []ts.Step{
		ts.StartTLS(ts.PrimaryCert),
		ts.OpenStream(ts.SecureStreamID),
		ts.Features(fakePlainOnly),
		ts.Reply(NSSASL, "auth", func(*ts.Element) string { return "<success xmlns='" + NSSASL + "'/>" }),
		ts.OpenStream("bound"),
		ts.Features("<bind xmlns='" + NSBind + "'/>"),
		ts.Reply("", "iq", func(e *ts.Element) string {
			return "<iq type='result' id='" + e.Attr("id") + "'><bind xmlns='" + NSBind + "'><jid>alice@example.test/genuine</jid></bind></iq>"
		}),
	}
	start := []ts.Step{
		ts.OpenStream("plain"),
		ts.Features("<starttls xmlns='" + NSTLS + "'><required/></starttls>"),
		ts.Expect(NSTLS, "starttls"),
	}
	t.Run("same segment", func(t *testing.T) {
		run := f.Play(slices.Concat(start, []ts.Step{ts.Proceed(injected)}, login)...)
		c, err := Dial(context.Background(), fakeCfg(f))
		var rh tls.RecordHeaderError
		switch {
		case err == nil:
			if c.JID() != "alice@example.test/genuine" || c.StreamID() != "bound" {
				t.Errorf("JID %s, stream %s", c.JID(), c.StreamID())
			}
			c.Close()
			t.Log("the injected bytes were dropped with the plaintext buffer")
		case errors.As(err, &rh): // the injection reached crypto/tls after all
			t.Logf("the TLS layer refused the injected bytes: %v", err)
		default:
			t.Fatalf("Dial: %v", err)
		}
		if err != nil && strings.Contains(err.Error(), "INJECTED") {
			t.Errorf("the injected bytes were read: %v", err)
		}
		run.Wait(t)
	})
	t.Run("during the handshake", func(t *testing.T) {
		run := f.Play(slices.Concat(start, []ts.Step{
			ts.Proceed(""), ts.AwaitClient(), ts.Send(injected),
		}, login)...)
		_, err := Dial(context.Background(), fakeCfg(f))
		var rh tls.RecordHeaderError
		if !errors.As(err, &rh) || string(rh.RecordHeader[:]) != injected[:5] {
			t.Fatalf("Dial: %v, want the TLS layer to refuse the injected bytes", err)
		}
		var se *StreamError
		if errors.As(err, &se) || strings.Contains(err.Error(), "INJECTED") {
			t.Errorf("the injected bytes were read as XML: %v", err)
		}
		if err := run.Wait(t); err == nil || !strings.Contains(err.Error(), "TLS handshake") {
			t.Errorf("fake: %v, want its TLS handshake to fail", err)
		}
		if run.Has(NSSASL, "") {
			t.Error("the client went on to authenticate")
		}
	})
}

// TestChangedCertificateReportsPins: a certificate that is not the pinned
// one fails with *CertificateError naming the new fingerprint and the
// pinned ones it replaces.
func TestChangedCertificateReportsPins(t *testing.T) {
	t.Parallel()
	f := ts.StartFake(t)
	run := f.Play(ts.STARTTLS(ts.OtherCert))
	cfg := fakeCfg(f)
	cfg.TLSConfig = &tls.Config{RootCAs: x509.NewCertPool()} // trust comes from the pin only
	cfg.Pinned = [][32]byte{f.CertSHA256}
	_, err := Dial(context.Background(), cfg)
	var ce *CertificateError
	if !errors.As(err, &ce) {
		t.Fatalf("Dial: %v, want *CertificateError", err)
	}
	if ce.Fingerprint != f.OtherSHA256 || !ce.Changed() || !slices.Equal(ce.Pinned, [][32]byte{f.CertSHA256}) {
		t.Errorf("fingerprint %x, pinned %x", ce.Fingerprint, ce.Pinned)
	}
	run.Wait(t)

	// The same pin and the primary certificate: trusted.
	run = f.Play(ts.STARTTLS(ts.PrimaryCert), ts.Close())
	if _, err := Dial(context.Background(), cfg); errors.As(err, &ce) {
		t.Errorf("pinned certificate refused: %v", err)
	}
	run.Wait(t)
}

// heapPeak runs f and returns the peak heap growth sampled meanwhile.
func heapPeak(f func()) uint64 {
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	stop, peak := make(chan struct{}), make(chan uint64)
	go func() {
		var p uint64
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			p = max(p, m.HeapAlloc)
			select {
			case <-stop:
				peak <- p
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	f()
	close(stop)
	p := <-peak
	return p - min(p, before.HeapAlloc)
}

// TestOversizedFeaturesEndTheConnection: stream features over the stanza
// limit, or listing thousands of mechanisms or features, end the
// connection with ErrStanzaTooLarge, within a few MB of heap, and the
// client authenticates with none of them.
// Not parallel: the heap is measured for the whole process.
func TestOversizedFeaturesEndTheConnection(t *testing.T) {
	f := ts.StartFake(t)
	var mechs, many strings.Builder
	mechs.WriteString("<mechanisms xmlns='" + NSSASL + "'>")
	for i := range 5000 {
		fmt.Fprintf(&mechs, "<mechanism>X-%d</mechanism>", i)
	}
	mechs.WriteString("<mechanism>PLAIN</mechanism></mechanisms>")
	for range 50000 {
		many.WriteString("<f xmlns='urn:x'/>")
	}
	cases := []struct {
		name, features string
	}{
		{"over 1 MiB", "<pad xmlns='urn:x'>" + strings.Repeat("a", 1<<20+1000) + "</pad>" + fakePlainOnly},
		{"5001 mechanisms", mechs.String()},
		{"50000 features", many.String() + fakePlainOnly},
	}
	for _, tc := range cases {
		run := f.Play(ts.STARTTLS(ts.PrimaryCert), ts.Features(tc.features),
			ts.Expect(NSSASL, "auth"), ts.Send("<failure xmlns='"+NSSASL+"'><not-authorized/></failure>"))
		var err error
		peak := heapPeak(func() { _, err = Dial(context.Background(), fakeCfg(f)) })
		if !errors.Is(err, ErrStanzaTooLarge) {
			t.Errorf("%s: Dial: %v, want ErrStanzaTooLarge", tc.name, err)
		}
		if peak > 24<<20 {
			t.Errorf("%s: heap grew by %d MiB", tc.name, peak>>20)
		}
		t.Logf("%s (%d KiB): heap peak +%d KiB", tc.name, len(tc.features)>>10, peak>>10)
		run.Wait(t)
		if run.Has(NSSASL, "auth") {
			t.Errorf("%s: the client authenticated", tc.name)
		}
	}
}
