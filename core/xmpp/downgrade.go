package xmpp

import (
	"fmt"
	"strings"
)

// AuthLevel ranks ways of signing in by what they give away to the server,
// or to a man in the middle holding a certificate the user was talked into
// accepting. An account remembers the strongest mechanism it has used;
// Config.MinAuth, the level of that mechanism, then refuses a server that
// offers only weaker ones: otherwise an attacker could simply offer PLAIN
// and read the password.
//
// There are deliberately only two levels above AuthAny:
//
//   - Within SCRAM no floor. -PLUS depends on the TLS version and on the
//     server advertising tls-exporter (XEP-0440; see the channel-binding
//     note in ARCHITECTURE.md: ejabberd 23.01 offers -PLUS on TLS 1.3 and
//     then rejects it), and on whether a TLS-terminating proxy sits in
//     front of the server: pinning -PLUS would lock people out after an
//     ordinary upgrade. SCRAM-SHA-256 to SCRAM-SHA-1 is also a legitimate
//     change: Prosody offers SHA-256 only when it stores plaintext
//     passwords, so an administrator moving to hashed storage (a hardening)
//     leaves SHA-1 alone; and on the wire SCRAM-SHA-1 hides the password
//     and authenticates the server as well as SHA-256 does (HMAC and
//     PBKDF2 do not rely on collision resistance): the difference is the
//     cost of cracking a stolen server database, not a downgrade an
//     attacker could profit from on this connection.
//   - PLAIN and XEP-0078 (plaintext or digest) form one level: each hands
//     over the password or its equivalent. A man in the middle relays the
//     real server's stream id to the client, so the legacy digest
//     authenticates him just as the password would. The digest is still
//     preferred when offered (it keeps the password itself out of the
//     server's hands and logs).
//
// Which mechanism is recorded as "the strongest used" follows the finer
// order of Stronger, so the account file says what was actually used.
type AuthLevel int

const (
	// AuthAny sets no floor (no login recorded yet).
	AuthAny AuthLevel = iota
	// AuthPassword: the server is given the password or a digest it can
	// replay: SASL PLAIN, XEP-0078 jabber:iq:auth.
	AuthPassword
	// AuthSCRAM: SCRAM-SHA-1 or SCRAM-SHA-256, with or without -PLUS: the
	// password never leaves the client and the server proves it knows it.
	AuthSCRAM
)

func (l AuthLevel) String() string {
	switch l {
	case AuthAny:
		return "any"
	case AuthPassword:
		return "password"
	case AuthSCRAM:
		return "SCRAM"
	}
	return fmt.Sprintf("AuthLevel(%d)", int(l))
}

// LegacyAuth is the mechanism name Conn.Mechanism reports for XEP-0078.
const LegacyAuth = "jabber:iq:auth"

// MechanismLevel is the level of a mechanism name as Conn.Mechanism
// reports it; AuthAny for "" and for names it does not know (other than a
// future SCRAM variant, which counts as SCRAM).
func MechanismLevel(name string) AuthLevel {
	switch {
	case strings.HasPrefix(name, "SCRAM-"):
		return AuthSCRAM
	case name == "PLAIN", name == LegacyAuth:
		return AuthPassword
	}
	return AuthAny
}

// mechanismRank orders the mechanisms we use, strongest last:
// XEP-0078 < PLAIN < SCRAM-SHA-1 < SCRAM-SHA-256 < SCRAM-SHA-1-PLUS <
// SCRAM-SHA-256-PLUS.
func mechanismRank(name string) int {
	switch name {
	case LegacyAuth:
		return 1
	case "PLAIN":
		return 2
	case "SCRAM-SHA-1":
		return 3
	case "SCRAM-SHA-256":
		return 4
	case "SCRAM-SHA-1-PLUS":
		return 5
	case "SCRAM-SHA-256-PLUS":
		return 6
	}
	if MechanismLevel(name) == AuthSCRAM {
		return 3 // an unknown SCRAM variant: at least SCRAM
	}
	return 0
}

// Stronger reports whether mechanism a ranks above b ("" ranks lowest):
// whether a login with a should replace b as an account's strongest.
func Stronger(a, b string) bool { return mechanismRank(a) > mechanismRank(b) }

// DowngradeError means the server offered only ways of signing in weaker
// than Config.MinAuth, the strongest this account has used: PLAIN or legacy
// jabber:iq:auth after SCRAM. Nothing was sent, neither password nor
// digest. A server whose administrator really changed this is rare; a man
// in the middle trying to read the password does exactly this.
type DowngradeError struct {
	Min     AuthLevel
	Offered []string // what the server offered: SASL mechanisms, LegacyAuth for XEP-0078
}

func (e *DowngradeError) Error() string {
	return fmt.Sprintf("xmpp: authentication downgrade refused: the account has used %s, the server offers only %s",
		e.Min, strings.Join(e.Offered, ", "))
}
