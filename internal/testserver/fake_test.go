package testserver

import (
	"bufio"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

const plainFeature = "<mechanisms xmlns='" + nsSASL + "'><mechanism>PLAIN</mechanism></mechanisms>"

// TestFakeScript: a client doing STARTTLS with the test CA sees the
// scripted features; what it sends is recorded, also after the last step.
func TestFakeScript(t *testing.T) {
	t.Parallel()
	f := StartFake(t)
	run := f.Play(STARTTLS(PrimaryCert), Features(plainFeature))
	c, err := dialRaw(f.Addr(), f.Domain, nil, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.openStream(); err != nil {
		t.Fatal(err)
	}
	if err := c.startTLS(f.TLSConfig()); err != nil {
		t.Fatal(err)
	}
	if !c.features.hasMechanism("PLAIN") {
		t.Fatalf("mechanisms %v", c.features.mechanisms())
	}
	// After the script: still recorded.
	if err := c.send("<auth xmlns='" + nsSASL + "' mechanism='PLAIN'>AGEAYg==</auth>"); err != nil {
		t.Fatal(err)
	}
	c.Close()
	if err := run.Wait(t); err != nil {
		t.Fatal(err)
	}
	got := run.Received()
	if len(got) != 2 || got[0].XMLName.Local != "starttls" || got[1].XMLName.Local != "auth" {
		t.Fatalf("received %v", got)
	}
	if !run.Has(nsSASL, "auth") || got[1].Attr("mechanism") != "PLAIN" || got[1].Text != "AGEAYg==" {
		t.Errorf("auth %s", got[1].String())
	}
	if run.Has(nsSASL, "response") {
		t.Error("Has reports an element never sent")
	}
}

// TestFakeOtherCert: the other certificate is for the same domain, is not
// trusted by CertPool, and has the announced fingerprint.
func TestFakeOtherCert(t *testing.T) {
	t.Parallel()
	f := StartFake(t)
	if f.CertSHA256 == f.OtherSHA256 {
		t.Fatal("both certificates have the same fingerprint")
	}
	for _, tc := range []struct {
		cert Cert
		want [32]byte
	}{{PrimaryCert, f.CertSHA256}, {OtherCert, f.OtherSHA256}} {
		run := f.Play(STARTTLS(tc.cert), Close())
		c, err := dialRaw(f.Addr(), f.Domain, nil, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.openStream(); err != nil {
			t.Fatal(err)
		}
		var leaf *x509.Certificate
		cfg := &tls.Config{InsecureSkipVerify: true, VerifyConnection: func(cs tls.ConnectionState) error {
			leaf = cs.PeerCertificates[0]
			return nil
		}}
		if err := c.startTLS(cfg); err == nil {
			t.Fatal("the stream went on after Close")
		}
		run.Wait(t)
		if leaf == nil || sha256.Sum256(leaf.Raw) != tc.want {
			t.Fatalf("cert %d: wrong certificate", tc.cert)
		}
		_, err = leaf.Verify(x509.VerifyOptions{DNSName: Domain, Roots: f.CertPool})
		if trusted := err == nil; trusted != (tc.cert == PrimaryCert) {
			t.Errorf("cert %d: trusted by CertPool = %v", tc.cert, trusted)
		}
	}
}

// TestFakeProceedInjection: the injected bytes follow <proceed/> on the
// wire in the clear, before the server's TLS handshake.
func TestFakeProceedInjection(t *testing.T) {
	t.Parallel()
	f := StartFake(t)
	const inject = "<iq type='set' id='evil'/>"
	run := f.Play(
		OpenStream("s"),
		Features("<starttls xmlns='"+nsTLS+"'/>"),
		Expect(nsTLS, "starttls"),
		Proceed(inject),
		StartTLS(PrimaryCert),
	)
	c, err := net.DialTimeout("tcp", f.Addr(), 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(c, "<?xml version='1.0'?><stream:stream to='example.test' xmlns='jabber:client' xmlns:stream='"+nsStreams+"' version='1.0'>")
	r := bufio.NewReader(c)
	if _, err := r.ReadString('>'); err != nil { // <?xml?>
		t.Fatal(err)
	}
	if s, err := readUntil(r, "</stream:features>"); err != nil {
		t.Fatalf("%v after %q", err, s)
	}
	io.WriteString(c, "<starttls xmlns='"+nsTLS+"'/>")
	want := "<proceed xmlns='" + nsTLS + "'/>" + inject
	got := make([]byte, len(want))
	if _, err := io.ReadFull(r, got); err != nil || string(got) != want {
		t.Fatalf("read %q, %v; want %q", got, err, want)
	}
	c.Close()
	if err := run.Wait(t); err == nil || !strings.Contains(err.Error(), "TLS handshake") {
		t.Errorf("script error %v, want the TLS handshake to fail", err)
	}
}

func readUntil(r *bufio.Reader, end string) (string, error) {
	var b strings.Builder
	for !strings.HasSuffix(b.String(), end) {
		c, err := r.ReadByte()
		if err != nil {
			return b.String(), err
		}
		b.WriteByte(c)
	}
	return b.String(), nil
}

// TestFakeScriptFailure: an unexpected element fails the script with the
// step's name; a connection without script is closed and counted.
func TestFakeScriptFailure(t *testing.T) {
	t.Parallel()
	f := StartFake(t)
	run := f.Play(OpenStream("s"), Features("<starttls xmlns='"+nsTLS+"'/>"), Expect(nsSASL, "auth"))
	c, err := dialRaw(f.Addr(), f.Domain, nil, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.openStream(); err != nil {
		t.Fatal(err)
	}
	c.send("<starttls xmlns='" + nsTLS + "'/>")
	err = run.Wait(t)
	if err == nil || !strings.Contains(err.Error(), "step 3 (expect <auth/>)") || !strings.Contains(err.Error(), "starttls") {
		t.Errorf("script error %v", err)
	}
	if _, err := c.next(); err == nil {
		t.Error("connection still open after a failed step")
	}

	c2, err := net.DialTimeout("tcp", f.Addr(), 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	c2.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c2.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
		t.Errorf("unscripted connection: read %v, want EOF", err)
	}
	if n := f.Unscripted(); n != 1 {
		t.Errorf("Unscripted() = %d", n)
	}
}
