package xmpp

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"gosrc.io/xmpp/stanza"
)

// ErrTLSNotOffered means the server does not offer STARTTLS; Causerie never
// talks to a server in the clear.
var ErrTLSNotOffered = errors.New("xmpp: server does not offer TLS")

// ErrNoMechanism means the server offered no authentication mechanism that is
// safe to use here.
var ErrNoMechanism = errors.New("xmpp: no acceptable authentication mechanism offered")

// ErrClosed is returned by operations on a closed connection.
var ErrClosed = errors.New("xmpp: connection closed")

// ErrStanzaTooLarge means the peer sent a stanza bigger than
// Config.MaxStanzaSize, or stream features listing more than a client ever
// needs (see maxFeatures): either ends the connection.
var ErrStanzaTooLarge = errors.New("xmpp: stanza too large")

// ErrServerSignature means the server failed to prove it knows the password
// (SCRAM server signature mismatch): a possible man in the middle.
var ErrServerSignature = errors.New("xmpp: server signature verification failed")

// ErrResumeFailed means stream management could not resume the session after
// the connection dropped; stanzas not acknowledged are in Conn.Unacked.
var ErrResumeFailed = errors.New("xmpp: session could not be resumed")

// ErrTimeout is returned when the server does not answer in time.
var ErrTimeout = errors.New("xmpp: timed out")

// CertificateError reports a server certificate that the system does not
// trust and that is not pinned. Fingerprint is the SHA-256 of the leaf
// certificate, which the UI shows for a trust-on-first-use decision.
// Pinned lists the fingerprints the connection had pinned (Config.Pinned),
// none of which matched: when it is not empty, the server's certificate
// changed since it was trusted, and the UI says so, showing the old and the
// new fingerprints.
type CertificateError struct {
	Domain      string
	Chain       []*x509.Certificate
	Fingerprint [32]byte
	Pinned      [][32]byte
	Err         error // the verification error
}

// Changed reports whether the certificate replaces a pinned one.
func (e *CertificateError) Changed() bool { return len(e.Pinned) > 0 }

func (e *CertificateError) Error() string {
	return fmt.Sprintf("xmpp: certificate of %s not trusted (SHA-256 %s): %v", e.Domain, FormatFingerprint(e.Fingerprint), e.Err)
}

func (e *CertificateError) Unwrap() error { return e.Err }

// Fingerprint returns the SHA-256 fingerprint of a DER certificate.
func Fingerprint(der []byte) [32]byte { return sha256.Sum256(der) }

// FormatFingerprint formats a fingerprint as colon-separated upper-case hex.
func FormatFingerprint(fp [32]byte) string {
	h := strings.ToUpper(hex.EncodeToString(fp[:]))
	var b strings.Builder
	for i := 0; i < len(h); i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(h[i : i+2])
	}
	return b.String()
}

// ParseFingerprint parses a hex fingerprint, with or without colons.
func ParseFingerprint(s string) ([32]byte, error) {
	var fp [32]byte
	b, err := hex.DecodeString(strings.ReplaceAll(strings.TrimSpace(s), ":", ""))
	if err != nil || len(b) != 32 {
		return fp, fmt.Errorf("xmpp: bad SHA-256 fingerprint %q", s)
	}
	copy(fp[:], b)
	return fp, nil
}

// AuthError is a SASL <failure/> or a legacy-auth error. Condition is the
// RFC 6120 §6.5 condition: not-authorized, account-disabled,
// credentials-expired, encryption-required, invalid-mechanism,
// temporary-auth-failure, aborted, malformed-request, ...
type AuthError struct {
	Mechanism string
	Condition string
	Text      string
}

func (e *AuthError) Error() string {
	s := "xmpp: authentication failed (" + e.Mechanism + "): " + e.Condition
	if e.Text != "" {
		s += ": " + e.Text
	}
	return s
}

// StreamError is a <stream:error/> sent by the server (RFC 6120 §4.9).
// Condition is e.g. conflict, see-other-host, policy-violation,
// system-shutdown, host-unknown, not-authorized; For see-other-host, Other
// holds the new host.
type StreamError struct {
	Condition string
	Text      string
	Other     string
}

func (e *StreamError) Error() string {
	s := "xmpp: stream error: " + e.Condition
	if e.Other != "" {
		s += " (" + e.Other + ")"
	}
	if e.Text != "" {
		s += ": " + e.Text
	}
	return s
}

// StanzaError is an error reply to a request (RFC 6120 §8.3): Type is
// auth, cancel, continue, modify or wait; Condition e.g. conflict,
// not-acceptable, service-unavailable, item-not-found.
type StanzaError struct {
	Type      string
	Condition string
	Text      string
	Code      int
}

func (e *StanzaError) Error() string {
	s := "xmpp: " + e.Condition
	if e.Type != "" {
		s += " (" + e.Type + ")"
	}
	if e.Text != "" {
		s += ": " + e.Text
	}
	return s
}

// ErrorOf is the error a stanza of type error carries (a presence or a
// message; an IQ's comes back from SendIQ).
func ErrorOf(e stanza.Err) *StanzaError { return stanzaError(&e) }

// stanzaError converts the stanza package's error element.
func stanzaError(e *stanza.Err) *StanzaError {
	if e == nil {
		return &StanzaError{Type: "cancel", Condition: "undefined-condition"}
	}
	cond := e.Reason
	if cond == "" {
		cond = legacyCondition(e.Code)
	}
	return &StanzaError{Type: string(e.Type), Condition: cond, Text: e.Text, Code: e.Code}
}

// legacyCondition maps an old numeric error code (XEP-0086) to a condition.
func legacyCondition(code int) string {
	switch code {
	case 400:
		return "bad-request"
	case 401:
		return "not-authorized"
	case 403:
		return "forbidden"
	case 404:
		return "item-not-found"
	case 405:
		return "not-allowed"
	case 406:
		return "not-acceptable"
	case 409:
		return "conflict"
	case 500:
		return "internal-server-error"
	case 501:
		return "feature-not-implemented"
	case 503:
		return "service-unavailable"
	}
	return "undefined-condition"
}
