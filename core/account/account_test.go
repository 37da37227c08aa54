package account

import (
	"errors"
	"strings"
	"testing"
)

const fpOK = "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89"

func TestValidate(t *testing.T) {
	good := Account{JID: "alice@example.com"}
	cases := []struct {
		name  string
		mod   func(a *Account)
		field string // "" = valid
	}{
		{"minimal", func(a *Account) {}, ""},
		{"full", func(a *Account) {
			a.DisplayName = "Alice"
			a.Resource = "laptop"
			a.Host = "xmpp.example.com"
			a.Port = 5223
			a.TLSMode = TLSDirect
			a.Pinned = []string{fpOK, strings.ToLower(fpOK)}
			a.Priority = -128
		}, ""},
		{"starttls", func(a *Account) { a.TLSMode = TLSStartTLS; a.Priority = 127; a.Port = 65535 }, ""},
		{"ip host", func(a *Account) { a.Host = "192.0.2.1" }, ""},
		{"ipv6 domain", func(a *Account) { a.JID = "alice@[::1]" }, ""},
		{"idn domain", func(a *Account) { a.JID = "jörg@bücher.example" }, ""},
		{"empty jid", func(a *Account) { a.JID = "" }, "JID"},
		{"no at", func(a *Account) { a.JID = "example.com" }, "JID"},
		{"empty local", func(a *Account) { a.JID = "@example.com" }, "JID"},
		{"empty domain", func(a *Account) { a.JID = "alice@" }, "JID"},
		{"resource", func(a *Account) { a.JID = "alice@example.com/home" }, "JID"},
		{"space", func(a *Account) { a.JID = "al ice@example.com" }, "JID"},
		{"space in domain", func(a *Account) { a.JID = "alice@exa mple.com" }, "JID"},
		{"leading space", func(a *Account) { a.JID = " alice@example.com" }, "JID"},
		{"two ats", func(a *Account) { a.JID = "a@b@example.com" }, "JID"},
		{"forbidden char", func(a *Account) { a.JID = "a<b@example.com" }, "JID"},
		{"control", func(a *Account) { a.JID = "a\x01b@example.com" }, "JID"},
		{"empty label", func(a *Account) { a.JID = "alice@example..com" }, "JID"},
		{"long local", func(a *Account) { a.JID = strings.Repeat("a", 1024) + "@example.com" }, "JID"},
		{"long label", func(a *Account) { a.JID = "a@" + strings.Repeat("b", 64) + ".com" }, "JID"},
		{"long domain", func(a *Account) { a.JID = "a@" + strings.Repeat("b.", 512) + "com" }, "JID"},
		{"bad utf8", func(a *Account) { a.JID = "a\xffb@example.com" }, "JID"},
		{"negative port", func(a *Account) { a.Port = -1 }, "Port"},
		{"big port", func(a *Account) { a.Port = 65536 }, "Port"},
		{"low priority", func(a *Account) { a.Priority = -129 }, "Priority"},
		{"high priority", func(a *Account) { a.Priority = 128 }, "Priority"},
		{"tls mode", func(a *Account) { a.TLSMode = "none" }, "TLSMode"},
		{"host with port", func(a *Account) { a.Host = "example.com:5222" }, "Host"},
		{"host with space", func(a *Account) { a.Host = "exa mple.com" }, "Host"},
		{"fp short", func(a *Account) { a.Pinned = []string{fpOK[:len(fpOK)-3]} }, "Pinned"},
		{"fp long", func(a *Account) { a.Pinned = []string{fpOK + ":00"} }, "Pinned"},
		{"fp no colons", func(a *Account) { a.Pinned = []string{strings.ReplaceAll(fpOK, ":", "")} }, "Pinned"},
		{"fp not hex", func(a *Account) { a.Pinned = []string{"ZZ" + fpOK[2:]} }, "Pinned"},
		{"fp dashes", func(a *Account) { a.Pinned = []string{strings.ReplaceAll(fpOK, ":", "-")} }, "Pinned"},
		{"resource control", func(a *Account) { a.Resource = "a\nb" }, "Resource"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := good
			c.mod(&a)
			err := a.Validate()
			if c.field == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want an error about %s", c.field)
			}
			if !errors.Is(err, ErrInvalidAccount) {
				t.Errorf("error %v does not match ErrInvalidAccount", err)
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error %T is not *ValidationError", err)
			}
			if ve.Field != c.field {
				t.Errorf("Field = %q, want %q (error: %v)", ve.Field, c.field, err)
			}
			if len(err.Error()) > 400 {
				t.Errorf("error message is %d bytes long", len(err.Error()))
			}
			t.Logf("%v", err)
		})
	}
}

func TestNormalizeJID(t *testing.T) {
	for in, want := range map[string]string{
		"Alice@Example.COM":   "alice@example.com",
		"alice@example.com.":  "alice@example.com",
		"JÖRG@Bücher.Example": "jörg@bücher.example",
	} {
		if got := NormalizeJID(in); got != want {
			t.Errorf("NormalizeJID(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFingerprint(t *testing.T) {
	fp := Fingerprint([]byte("not really a certificate"))
	if !validFingerprint(fp) || fp != strings.ToUpper(fp) {
		t.Fatalf("Fingerprint = %q, not in AB:CD:... upper-case form", fp)
	}
	if err := (Account{JID: "a@b.c", Pinned: []string{fp}}).Validate(); err != nil {
		t.Fatal(err)
	}
}
