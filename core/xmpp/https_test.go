package xmpp

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestHTTPSDialer: HTTPS to an upload service is verified against the
// roots given, or a pinned certificate; a certificate neither trusts is
// refused, never skipped.
func TestHTTPSDialer(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok")) }))
	defer srv.Close()
	leaf := srv.TLS.Certificates[0].Certificate[0]
	roots := x509.NewCertPool()
	cert, err := x509.ParseCertificate(leaf)
	if err != nil {
		t.Fatal(err)
	}
	roots.AddCert(cert)
	get := func(base *tls.Config, pinned [][32]byte) error {
		c := &http.Client{Transport: &http.Transport{DialTLSContext: HTTPSDialer(base, pinned)}}
		res, err := c.Get(srv.URL)
		if err == nil {
			res.Body.Close()
		}
		return err
	}
	if err := get(&tls.Config{RootCAs: roots}, nil); err != nil {
		t.Errorf("with the roots: %v", err)
	}
	if err := get(nil, [][32]byte{Fingerprint(leaf)}); err != nil {
		t.Errorf("pinned: %v", err)
	}
	var ce *CertificateError
	if err := get(nil, [][32]byte{{1}}); !errors.As(err, &ce) || ce.Fingerprint != Fingerprint(leaf) {
		t.Errorf("neither trusted: %v", err)
	}
	if err := get(&tls.Config{RootCAs: x509.NewCertPool()}, nil); !errors.As(err, &ce) {
		t.Errorf("other roots: %v", err)
	}
}
