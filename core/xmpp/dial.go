package xmpp

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"slices"
	"sort"
	"strconv"
)

// target is one place to try: a host:port and whether TLS starts at once.
type target struct {
	addr      string
	directTLS bool
}

// resolver is overridable in tests.
var lookupSRV = net.DefaultResolver.LookupSRV

// targets lists where to connect for a domain: the explicit override, or
// the SRV records _xmpps-client._tcp (direct TLS, XEP-0368) and
// _xmpp-client._tcp merged by priority then weight, falling back to the
// domain on port 5222 (RFC 6120 §3.2).
func targets(ctx context.Context, cfg *Config, domain string) []target {
	if cfg.Host != "" {
		port := cfg.Port
		if port == 0 {
			port = 5222
			if cfg.DirectTLS {
				port = 5223
			}
		}
		return []target{{net.JoinHostPort(cfg.Host, strconv.Itoa(port)), cfg.DirectTLS}}
	}
	type rec struct {
		srv    *net.SRV
		direct bool
	}
	var recs []rec
	for _, svc := range []struct {
		name   string
		direct bool
	}{{"xmpps-client", true}, {"xmpp-client", false}} {
		_, srvs, err := lookupSRV(ctx, svc.name, "tcp", domain)
		if err != nil {
			continue
		}
		for _, s := range srvs {
			if s.Target == "." { // "service decidedly not available"
				continue
			}
			recs = append(recs, rec{s, svc.direct})
		}
	}
	sort.SliceStable(recs, func(i, j int) bool {
		if recs[i].srv.Priority != recs[j].srv.Priority {
			return recs[i].srv.Priority < recs[j].srv.Priority
		}
		if recs[i].srv.Weight != recs[j].srv.Weight {
			return recs[i].srv.Weight > recs[j].srv.Weight
		}
		return recs[i].direct && !recs[j].direct
	})
	var out []target
	for _, r := range recs {
		host := r.srv.Target
		if n := len(host); n > 0 && host[n-1] == '.' {
			host = host[:n-1]
		}
		out = append(out, target{net.JoinHostPort(host, strconv.Itoa(int(r.srv.Port))), r.direct})
	}
	if len(out) == 0 {
		out = append(out, target{net.JoinHostPort(domain, "5222"), false})
	}
	return out
}

// ConnectError reports that no target could be reached. Addrs lists what
// was tried; Err is the last network error (use errors.Is with
// syscall.ECONNREFUSED, or *net.DNSError for an unknown host).
type ConnectError struct {
	Domain string
	Addrs  []string
	Err    error
}

func (e *ConnectError) Error() string {
	return fmt.Sprintf("xmpp: cannot connect to %s (tried %v): %v", e.Domain, e.Addrs, e.Err)
}

func (e *ConnectError) Unwrap() error { return e.Err }

// dialAny connects to the first reachable target.
func dialAny(ctx context.Context, cfg *Config, domain string) (net.Conn, target, error) {
	ts := targets(ctx, cfg, domain)
	var d net.Dialer
	var lastErr error
	var tried []string
	for _, t := range ts {
		tried = append(tried, t.addr)
		c, err := d.DialContext(ctx, "tcp", t.addr)
		if err == nil {
			return c, t, nil
		}
		lastErr = err
		if ctx.Err() != nil {
			break
		}
	}
	return nil, target{}, &ConnectError{Domain: domain, Addrs: tried, Err: lastErr}
}

// tlsConfig builds the client TLS config for domain with our own
// verification: system (or configured) roots first, then the pins, then the
// caller's trust hook.
func tlsConfig(cfg *Config, domain string) *tls.Config {
	var tc *tls.Config
	if cfg.TLSConfig != nil {
		tc = cfg.TLSConfig.Clone()
	} else {
		tc = &tls.Config{}
	}
	if tc.MinVersion == 0 {
		tc.MinVersion = tls.VersionTLS12
	}
	roots := tc.RootCAs
	tc.ServerName = domain
	tc.InsecureSkipVerify = true // verification is done below, never skipped
	tc.VerifyConnection = func(cs tls.ConnectionState) error {
		return verifyChain(cfg, domain, roots, cs.PeerCertificates)
	}
	return tc
}

// HTTPSDialer dials TLS for HTTPS to where an account's server sends us
// (XEP-0363 upload URLs), for http.Transport.DialTLSContext: the
// certificate is verified for the host dialled (a name, or an address
// its certificate names) against base's roots (the system's when base
// has none), else accepted when it is one of pinned (the certificates
// the user trusted for the account). Nothing is ever skipped.
func HTTPSDialer(base *tls.Config, pinned [][32]byte) func(ctx context.Context, network, addr string) (net.Conn, error) {
	cfg := &Config{Pinned: slices.Clone(pinned)}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		var tc *tls.Config
		if base != nil {
			tc = base.Clone()
		} else {
			tc = &tls.Config{}
		}
		if tc.MinVersion == 0 {
			tc.MinVersion = tls.VersionTLS12
		}
		roots := tc.RootCAs
		tc.ServerName = host
		tc.NextProtos = []string{"http/1.1"}
		tc.InsecureSkipVerify = true // verification is done below, never skipped
		tc.VerifyConnection = func(cs tls.ConnectionState) error {
			return verifyChain(cfg, host, roots, cs.PeerCertificates)
		}
		d := &tls.Dialer{Config: tc}
		return d.DialContext(ctx, network, addr)
	}
}

func verifyChain(cfg *Config, domain string, roots *x509.CertPool, chain []*x509.Certificate) error {
	if len(chain) == 0 {
		return &CertificateError{Domain: domain, Err: errors.New("no certificate")}
	}
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	_, verr := chain[0].Verify(x509.VerifyOptions{DNSName: domain, Roots: roots, Intermediates: inter})
	if verr == nil {
		return nil
	}
	fp := Fingerprint(chain[0].Raw)
	for _, p := range cfg.Pinned {
		if p == fp {
			return nil
		}
	}
	if cfg.TrustCertificate != nil && cfg.TrustCertificate(domain, chain) {
		return nil
	}
	return &CertificateError{Domain: domain, Chain: chain, Fingerprint: fp, Pinned: slices.Clone(cfg.Pinned), Err: verr}
}
