package testserver

import (
	"crypto/tls"
	"io"
	"net/http"
	"testing"
)

// Fetch GETs u (a file on the server's upload service) trusting the
// server's certificate only, and fails t unless it answers 200.
func (s *Server) Fetch(t testing.TB, u string) []byte {
	t.Helper()
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: s.CertPool}}}
	res, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d, %v", u, res.StatusCode, err)
	}
	return b
}
