// Package account stores Causerie's accounts: their settings in a file in the user config dir, their passwords only in the OS keyring (Secret Service, Windows Credential Manager, macOS Keychain) through go-keyring.
//
// There are two halves that never meet:
//
//   - [Store] keeps the [Account] settings in a versioned JSON file
//     (accounts.json in [DefaultDir]). [Account] has no password field, so
//     the file can never contain one.
//   - [Keyring] keeps one password per account in the OS keyring, under the
//     service "causerie" and the normalised bare JID as the user name. Every
//     call is bounded by a timeout because a locked keyring can block
//     forever waiting for an unlock prompt.
//
// The package is a leaf of the core tier: it imports neither Fyne nor
// core/xmpp.
package account

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/causerie/causerie/core/xmpp"
)

// TLSMode says how a connection is secured.
type TLSMode string

const (
	// TLSStartTLS connects in plain text and upgrades with STARTTLS
	// (RFC 6120). The empty TLSMode means the same.
	TLSStartTLS TLSMode = "starttls"
	// TLSDirect starts TLS immediately (XEP-0368, "xmpps-client").
	TLSDirect TLSMode = "direct"
)

// Account is one XMPP account's settings. It deliberately has no password
// field: passwords live only in the OS keyring (see [Keyring]).
type Account struct {
	JID              string   `json:"jid"` // bare JID, the key; stored normalised (lower-case), see NormalizeJID
	DisplayName      string   `json:"display_name,omitempty"`
	Resource         string   `json:"resource,omitempty"`
	Host             string   `json:"host,omitempty"` // server override
	Port             int      `json:"port,omitempty"`
	TLSMode          TLSMode  `json:"tls_mode,omitempty"`
	Pinned           []string `json:"pinned_sha256,omitempty"` // trusted certificate fingerprints, "AB:CD:..." upper-case hex
	AutoConnect      bool     `json:"auto_connect"`
	Priority         int      `json:"priority"`
	Disabled         bool     `json:"disabled,omitempty"`
	RememberPassword bool     `json:"remember_password"`
	// IgnoreStrangers drops the messages of people who are not in the
	// contact list and to whom this account never wrote: not stored, not
	// shown, not notified. Off by default.
	IgnoreStrangers bool `json:"ignore_strangers,omitempty"`
	// StrongestAuth is the strongest authentication mechanism this account
	// has signed in with ("SCRAM-SHA-256", "PLAIN", "jabber:iq:auth", ...):
	// a later sign-in refuses a server offering only weaker ones (core
	// decides what "weaker" means). Empty, as in files written before the
	// field existed, sets no floor until the next sign-in.
	StrongestAuth string `json:"strongest_auth,omitempty"`
}

// Limits checked by Validate. Part lengths follow RFC 7622 (1023 octets per
// part); DNS limits apply to ASCII domain names.
const (
	MaxPartLen        = 1023
	MaxDisplayNameLen = 1023
	MaxHostLen        = 253
	maxDNSLabelLen    = 63
	MinPriority       = -128
	MaxPriority       = 127
	MaxPort           = 65535
	MaxMechanismLen   = 64
)

// ErrInvalidAccount is matched (errors.Is) by every error Validate returns.
var ErrInvalidAccount = errors.New("invalid account")

// ValidationError says which field of an Account is wrong and why. It
// matches ErrInvalidAccount with errors.Is.
type ValidationError struct {
	Field  string // the Go field name: "JID", "Port", "Pinned", ...
	Value  string // the offending value (never a secret: accounts hold none)
	Reason string
}

func (e *ValidationError) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("account: invalid %s: %s", e.Field, e.Reason)
	}
	return fmt.Sprintf("account: invalid %s %q: %s", e.Field, e.Value, e.Reason)
}

// Is reports whether target is ErrInvalidAccount.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalidAccount }

func invalid(field, value, reason string) error {
	// Keep huge values out of messages.
	if len(value) > 80 {
		cut := 77
		for cut > 0 && !utf8.RuneStart(value[cut]) {
			cut--
		}
		value = value[:cut] + "..."
	}
	return &ValidationError{Field: field, Value: value, Reason: reason}
}

// NormalizeJID returns the key form of a bare JID: its RFC 7622
// normalisation (xmpp.ParseJID: localpart case-mapped, domain lower-cased,
// no trailing dot), so that "Alice@Example.COM" and "alice@example.com"
// are the same account. It does not validate (see ValidateJID): what does
// not parse is only lower-cased.
func NormalizeJID(jid string) string {
	if j, err := xmpp.ParseJID(jid); err == nil {
		return j.String()
	}
	return strings.ToLower(jid)
}

// ValidateJID checks that jid is a bare JID with a localpart:
// local@domain, both parts non-empty, no resource, valid under RFC 7622
// (xmpp.ParseJID), and a server name usable in DNS. Errors match
// ErrInvalidAccount and say what is wrong in words.
func ValidateJID(jid string) error {
	if jid == "" {
		return invalid("JID", "", "empty; expected user@server")
	}
	if !utf8.ValidString(jid) {
		return invalid("JID", jid, "not valid UTF-8")
	}
	if strings.Contains(jid, "/") {
		return invalid("JID", jid, "must be a bare JID without a resource (\"/...\")")
	}
	if !strings.Contains(jid, "@") {
		return invalid("JID", jid, "missing \"@\"; expected user@server")
	}
	j, err := xmpp.ParseJID(jid)
	var je *xmpp.JIDError
	if errors.As(err, &je) {
		part := "user part"
		if je.Part == xmpp.PartDomain {
			part = "server part"
		}
		return invalid("JID", jid, part+" "+je.Reason)
	}
	if err := validateDomain(j.Domain()); err != nil {
		return invalid("JID", jid, err.Error())
	}
	return nil
}

// validateDomain checks an XMPP domainpart: a DNS name (ASCII or
// internationalised), or an IP literal ("[::1]" or "192.0.2.1").
func validateDomain(d string) error {
	d = strings.TrimSuffix(d, ".")
	if d == "" {
		return errors.New("empty server part")
	}
	if len(d) > MaxPartLen {
		return fmt.Errorf("server part longer than %d bytes", MaxPartLen)
	}
	if strings.HasPrefix(d, "[") {
		if !strings.HasSuffix(d, "]") || len(d) < 4 {
			return errors.New("malformed IPv6 literal")
		}
		for _, r := range d[1 : len(d)-1] {
			if !(r == ':' || r == '.' || ('0' <= r && r <= '9') || ('a' <= r && r <= 'f') || ('A' <= r && r <= 'F')) {
				return errors.New("malformed IPv6 literal")
			}
		}
		return nil
	}
	for _, label := range strings.Split(d, ".") {
		if label == "" {
			return errors.New("empty label in the server name (\"..\")")
		}
		ascii := true
		for _, r := range label {
			switch {
			case unicode.IsSpace(r):
				return errors.New("spaces are not allowed")
			case unicode.IsControl(r) || r == utf8.RuneError:
				return errors.New("control characters are not allowed")
			case r >= utf8.RuneSelf:
				ascii = false
				if !unicode.IsLetter(r) && !unicode.IsNumber(r) && !unicode.Is(unicode.Mn, r) && !unicode.Is(unicode.Mc, r) {
					return fmt.Errorf("character %q is not allowed in the server name", r)
				}
			case r == '-' || r == '_' || ('0' <= r && r <= '9') || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z'):
			default:
				return fmt.Errorf("character %q is not allowed in the server name", r)
			}
		}
		if ascii && len(label) > maxDNSLabelLen {
			return fmt.Errorf("server name label longer than %d characters", maxDNSLabelLen)
		}
		if strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			return errors.New("a server name label cannot start or end with \"-\"")
		}
	}
	return nil
}

// Validate checks the account's settings: JID (see ValidateJID), resource,
// host, port 0..65535 (0: default), TLS mode, priority -128..127, pinned
// fingerprints (32 bytes of hex separated by colons, see Fingerprint) and
// the strongest mechanism's name (printable ASCII, at most 64 bytes). Errors
// are *ValidationError and match ErrInvalidAccount.
func (a Account) Validate() error {
	if err := ValidateJID(a.JID); err != nil {
		return err
	}
	if len(a.DisplayName) > MaxDisplayNameLen {
		return invalid("DisplayName", a.DisplayName, fmt.Sprintf("longer than %d bytes", MaxDisplayNameLen))
	}
	if !utf8.ValidString(a.DisplayName) {
		return invalid("DisplayName", a.DisplayName, "not valid UTF-8")
	}
	if len(a.Resource) > MaxPartLen {
		return invalid("Resource", a.Resource, fmt.Sprintf("longer than %d bytes", MaxPartLen))
	}
	if !utf8.ValidString(a.Resource) {
		return invalid("Resource", a.Resource, "not valid UTF-8")
	}
	for _, r := range a.Resource {
		if unicode.IsControl(r) {
			return invalid("Resource", a.Resource, "control characters are not allowed")
		}
	}
	if a.Host != "" {
		if len(a.Host) > MaxHostLen {
			return invalid("Host", a.Host, fmt.Sprintf("longer than %d bytes", MaxHostLen))
		}
		if strings.ContainsAny(a.Host, "/@") {
			return invalid("Host", a.Host, "expected a host name or IP address only")
		}
		if err := validateDomain(a.Host); err != nil {
			return invalid("Host", a.Host, err.Error())
		}
	}
	if a.Port < 0 || a.Port > MaxPort {
		return invalid("Port", fmt.Sprint(a.Port), fmt.Sprintf("must be between 0 (default) and %d", MaxPort))
	}
	switch a.TLSMode {
	case "", TLSStartTLS, TLSDirect:
	default:
		return invalid("TLSMode", string(a.TLSMode), fmt.Sprintf("must be %q or %q", TLSStartTLS, TLSDirect))
	}
	if a.Priority < MinPriority || a.Priority > MaxPriority {
		return invalid("Priority", fmt.Sprint(a.Priority), fmt.Sprintf("must be between %d and %d", MinPriority, MaxPriority))
	}
	for _, fp := range a.Pinned {
		if !validFingerprint(fp) {
			return invalid("Pinned", fp, "expected a SHA-256 fingerprint: 32 hex byte pairs separated by colons (AB:CD:...)")
		}
	}
	if len(a.StrongestAuth) > MaxMechanismLen {
		return invalid("StrongestAuth", a.StrongestAuth, fmt.Sprintf("longer than %d bytes", MaxMechanismLen))
	}
	for _, r := range a.StrongestAuth {
		if r <= ' ' || r > '~' {
			return invalid("StrongestAuth", a.StrongestAuth, "expected a mechanism name (printable ASCII, no spaces)")
		}
	}
	return nil
}

// validFingerprint accepts "AB:CD:..." with exactly 32 pairs, either case.
func validFingerprint(fp string) bool {
	if len(fp) != 32*3-1 {
		return false
	}
	for i := 0; i < len(fp); i++ {
		c := fp[i]
		if i%3 == 2 {
			if c != ':' {
				return false
			}
			continue
		}
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// Fingerprint returns the SHA-256 fingerprint of a DER certificate in the
// form Account.Pinned stores: upper-case hex pairs separated by colons.
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	h := strings.ToUpper(hex.EncodeToString(sum[:]))
	var b strings.Builder
	b.Grow(len(h) + len(h)/2)
	for i := 0; i < len(h); i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(h[i : i+2])
	}
	return b.String()
}

// normalized returns a deep copy of a with the JID normalised and the
// fingerprints upper-cased.
func (a Account) normalized() Account {
	a.JID = NormalizeJID(a.JID)
	if a.Pinned != nil {
		p := make([]string, len(a.Pinned))
		for i, fp := range a.Pinned {
			p[i] = strings.ToUpper(fp)
		}
		a.Pinned = p
	}
	return a
}

// clone returns a deep copy of a.
func (a Account) clone() Account {
	if a.Pinned != nil {
		a.Pinned = append([]string(nil), a.Pinned...)
	}
	return a
}
