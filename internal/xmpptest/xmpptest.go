// Package xmpptest holds what the integration tests of the core/xmpp
// feature packages share: the two test servers, and signed-in
// connections to them.
package xmpptest

import (
	"context"
	"crypto/tls"
	"testing"
	"time"

	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/internal/testserver"
)

// Servers are the two server implementations tests run against.
func Servers(t *testing.T) map[string]*testserver.Server {
	return map[string]*testserver.Server{
		"prosody":  testserver.Shared(t, testserver.Prosody, testserver.Options{}),
		"ejabberd": testserver.Shared(t, testserver.Ejabberd, testserver.Options{}),
	}
}

// Config is a connection config for jid on s that trusts s's certificate.
func Config(s *testserver.Server, jid, pass, resource string, h xmpp.Handler) xmpp.Config {
	return xmpp.Config{JID: jid, Password: pass, Resource: resource, Host: s.Host, Port: s.Port,
		TLSConfig: &tls.Config{RootCAs: s.CertPool}, Handler: h,
		ConnectTimeout: 20 * time.Second, IQTimeout: 20 * time.Second}
}

// DialAs signs jid in on s; the connection closes when the test ends.
func DialAs(t testing.TB, s *testserver.Server, jid, pass, resource string, h xmpp.Handler) *xmpp.Conn {
	t.Helper()
	c, err := xmpp.Dial(context.Background(), Config(s, jid, pass, resource, h))
	if err != nil {
		t.Fatalf("sign in %s: %v", jid, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// Dial signs a new user in on s.
func Dial(t testing.TB, s *testserver.Server, h xmpp.Handler) *xmpp.Conn {
	t.Helper()
	jid, pass := s.NewUser(t)
	return DialAs(t, s, jid, pass, "", h)
}
