package core

import (
	"context"
	"errors"
	"net"
	"syscall"

	"github.com/causerie/causerie/core/account"
	"github.com/causerie/causerie/core/xmpp"
)

// Problem classifies an error so the UI can explain it in words (and in
// the user's language) instead of showing a Go error string.
type Problem int

const (
	ProblemNone Problem = iota
	ProblemWrongPassword
	ProblemAccountDisabled
	ProblemPasswordNeeded
	ProblemKeyring
	ProblemServerNotFound
	ProblemConnectionRefused
	ProblemTimeout
	ProblemCertificate // see CertificateOf for the fingerprint
	ProblemNoTLS
	ProblemNoMechanism
	// ProblemDowngrade: the server offered only ways of signing in weaker
	// than this account has used (PLAIN or legacy after SCRAM); nothing
	// was sent.
	ProblemDowngrade
	ProblemReplaced // another login with the same resource took over
	ProblemServerShutdown
	ProblemNetwork
	ProblemInvalidAddress
	ProblemNotConnected
	ProblemMessageTooLong
	ProblemOther
)

// Classify maps an error from core or core/xmpp to a Problem.
func Classify(err error) Problem {
	if err == nil {
		return ProblemNone
	}
	var ae *xmpp.AuthError
	var ce *xmpp.CertificateError
	var se *xmpp.StreamError
	var de *xmpp.DowngradeError
	var dns *net.DNSError
	var ne net.Error
	switch {
	case errors.Is(err, ErrPasswordNeeded) && (errors.Is(err, account.ErrKeyringUnavailable) || errors.Is(err, account.ErrKeyringLocked)):
		return ProblemKeyring
	case errors.Is(err, ErrPasswordNeeded):
		return ProblemPasswordNeeded
	case errors.As(err, &ae):
		switch ae.Condition {
		case "account-disabled":
			return ProblemAccountDisabled
		case "not-authorized", "credentials-expired":
			return ProblemWrongPassword
		}
		return ProblemOther
	case errors.As(err, &ce):
		return ProblemCertificate
	case errors.Is(err, xmpp.ErrTLSNotOffered):
		return ProblemNoTLS
	case errors.As(err, &de):
		return ProblemDowngrade
	case errors.Is(err, xmpp.ErrNoMechanism):
		return ProblemNoMechanism
	case errors.As(err, &se):
		switch se.Condition {
		case "conflict":
			return ProblemReplaced
		case "system-shutdown":
			return ProblemServerShutdown
		}
		return ProblemOther
	case errors.Is(err, ErrInvalidJID):
		return ProblemInvalidAddress
	case errors.Is(err, ErrNotConnected):
		return ProblemNotConnected
	case errors.Is(err, ErrMessageTooLong):
		return ProblemMessageTooLong
	case errors.As(err, &dns):
		return ProblemServerNotFound
	case errors.Is(err, syscall.ECONNREFUSED):
		return ProblemConnectionRefused
	case errors.Is(err, xmpp.ErrTimeout), errors.Is(err, context.DeadlineExceeded):
		return ProblemTimeout
	case errors.As(err, &ne) && ne.Timeout():
		return ProblemTimeout
	case errors.As(err, &ne), errors.Is(err, xmpp.ErrResumeFailed), errors.Is(err, errLinkLost):
		return ProblemNetwork
	}
	return ProblemOther
}

// UntrustedCertificate is a certificate a server presented that this
// computer does not trust, as a trust prompt shows it.
type UntrustedCertificate struct {
	Domain string // the server's domain
	// Fingerprint is its SHA-256, "AB:CD:…": what the prompt shows and
	// Client.TrustCertificate pins.
	Fingerprint string
	// Pinned lists the fingerprints trusted before, in the same form,
	// when the server's certificate changed (none at first sight).
	Pinned []string
}

// Changed tells whether the certificate replaces one trusted before.
func (u UntrustedCertificate) Changed() bool { return len(u.Pinned) > 0 }

// CertificateOf returns the untrusted certificate behind an error.
func CertificateOf(err error) (UntrustedCertificate, bool) {
	var ce *xmpp.CertificateError
	if !errors.As(err, &ce) {
		return UntrustedCertificate{}, false
	}
	u := UntrustedCertificate{Domain: ce.Domain, Fingerprint: xmpp.FormatFingerprint(ce.Fingerprint)}
	for _, p := range ce.Pinned {
		u.Pinned = append(u.Pinned, xmpp.FormatFingerprint(p))
	}
	return u, true
}
