package xmpp

import (
	"context"
	"errors"
	"net"
	"reflect"
	"testing"
)

func TestTargetsFromSRV(t *testing.T) {
	old := lookupSRV
	defer func() { lookupSRV = old }()
	lookupSRV = func(_ context.Context, service, proto, name string) (string, []*net.SRV, error) {
		if name != "example.org" || proto != "tcp" {
			t.Errorf("lookup %s %s %s", service, proto, name)
		}
		switch service {
		case "xmpps-client": // XEP-0368
			return "", []*net.SRV{{Target: "tls.example.org.", Port: 443, Priority: 5, Weight: 1}}, nil
		case "xmpp-client":
			return "", []*net.SRV{
				{Target: "backup.example.org.", Port: 5222, Priority: 20},
				{Target: "xmpp.example.org.", Port: 5222, Priority: 5, Weight: 1},
			}, nil
		}
		return "", nil, errors.New("no such service")
	}
	got := targets(context.Background(), &Config{}, "example.org")
	want := []target{{"tls.example.org:443", true}, {"xmpp.example.org:5222", false}, {"backup.example.org:5222", false}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("targets = %v, want %v", got, want)
	}

	// No records: the domain itself on 5222 (RFC 6120 §3.2.2).
	lookupSRV = func(context.Context, string, string, string) (string, []*net.SRV, error) {
		return "", nil, &net.DNSError{Err: "no such host", IsNotFound: true}
	}
	got = targets(context.Background(), &Config{}, "example.org")
	if !reflect.DeepEqual(got, []target{{"example.org:5222", false}}) {
		t.Fatalf("fallback = %v", got)
	}

	// "." means the service is decidedly not available there.
	lookupSRV = func(_ context.Context, service, _, _ string) (string, []*net.SRV, error) {
		return "", []*net.SRV{{Target: ".", Port: 0}}, nil
	}
	got = targets(context.Background(), &Config{}, "example.org")
	if !reflect.DeepEqual(got, []target{{"example.org:5222", false}}) {
		t.Fatalf("dot target = %v", got)
	}

	// An explicit host overrides DNS.
	got = targets(context.Background(), &Config{Host: "127.0.0.1", DirectTLS: true}, "example.org")
	if !reflect.DeepEqual(got, []target{{"127.0.0.1:5223", true}}) {
		t.Fatalf("override = %v", got)
	}
}

func TestFingerprintFormat(t *testing.T) {
	var fp [32]byte
	for i := range fp {
		fp[i] = byte(i * 7)
	}
	s := FormatFingerprint(fp)
	if len(s) != 32*3-1 || s[:8] != "00:07:0E" {
		t.Fatalf("format %q", s)
	}
	back, err := ParseFingerprint(s)
	if err != nil || back != fp {
		t.Fatalf("parse: %v", err)
	}
	if _, err := ParseFingerprint("12:34"); err == nil {
		t.Fatal("short fingerprint accepted")
	}
}
