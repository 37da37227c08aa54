package xmpp

import (
	"crypto/tls"
	"crypto/x509"
	"time"
)

// Config describes one connection. Only JID and Password are required.
type Config struct {
	// JID is the account's address, "user@domain" (a "/resource" part is
	// used as the requested resource when Resource is empty).
	JID      string
	Password string
	// Resource to request at bind time; empty lets the server choose.
	Resource string
	// Lang is the stream's xml:lang (default "en").
	Lang string

	// Host and Port override the SRV lookup when Host is set (Port defaults
	// to 5222, or 5223 with DirectTLS).
	Host string
	Port int
	// DirectTLS connects with TLS from the first byte (XEP-0368) to the
	// override host instead of STARTTLS. Ignored without Host: SRV records
	// say which kind each target is.
	DirectTLS bool

	// TLSConfig is the base TLS configuration (RootCAs, MinVersion,
	// MaxVersion, ...). It is cloned; ServerName and verification are set
	// by this package. Nil means system roots, TLS 1.2 minimum.
	TLSConfig *tls.Config
	// Pinned lists SHA-256 fingerprints of leaf certificates accepted even
	// though the system does not trust them (trust on first use).
	Pinned [][32]byte
	// TrustCertificate, if set, is asked about a certificate that neither
	// the system nor Pinned trusts; returning true accepts it for this
	// connection. Without it such a certificate fails with *CertificateError.
	TrustCertificate func(domain string, chain []*x509.Certificate) bool

	// Mechanisms, if set, restricts SASL to these mechanism names (still
	// strongest first among those the server offers).
	Mechanisms []string
	// DisableLegacyAuth refuses the XEP-0078 fallback.
	DisableLegacyAuth bool
	// MinAuth is the weakest way of signing in accepted (see AuthLevel):
	// the level of the strongest login this account has used. A server
	// offering nothing at this level or above is refused with
	// *DowngradeError before any credential is sent.
	MinAuth AuthLevel

	// Handler receives every inbound stanza in wire order, on the reader
	// goroutine: it must not block (start a goroutine for round trips).
	// A stanza counts as handled for XEP-0198 acks only when the handler
	// returns (and Flush, if set, has run), so a handler that stores a
	// message before returning, or defers it to Flush, never lets the
	// server forget one that was not stored.
	Handler Handler
	// Flush, if set, makes durable what the handler deferred (a burst of
	// messages stored in one transaction rather than one each). The
	// connection calls it before any acknowledgement covers a stanza
	// handled since the last Flush, and whenever it has read everything
	// received so far, so deferred work waits no longer than the burst.
	// An error drops the link like Conn.Refuse: every stanza handled
	// since the last successful Flush goes unacknowledged and the server
	// delivers them again. Flush may be called from any goroutine, also
	// while the handler runs.
	Flush func() error
	// OnStatus, if set, is told when the link drops and is resumed; called
	// on the reader goroutine.
	OnStatus func(Status)

	// ConnectTimeout bounds dialing plus the whole handshake (default 30 s).
	ConnectTimeout time.Duration
	// IQTimeout is the default wait for an IQ reply (default 30 s).
	IQTimeout time.Duration
	// MaxStanzaSize closes the stream when one stanza exceeds it
	// (default 1 MiB).
	MaxStanzaSize int64
	// KeepAlive sends an XEP-0199 ping after this much silence and treats
	// the link as dead when it is not answered (default 90 s; <0 disables).
	KeepAlive time.Duration
	// DisableStreamManagement turns XEP-0198 off.
	DisableStreamManagement bool
	// ResumeTimeout, when set, bounds how long a dropped session tries
	// to resume. By default it tries for the server's window (its max, or
	// 60 s), then on until an attempt reaches the server, for at most 10
	// more minutes (see Conn.resume).
	ResumeTimeout time.Duration
}

func (c *Config) connectTimeout() time.Duration {
	if c.ConnectTimeout > 0 {
		return c.ConnectTimeout
	}
	return 30 * time.Second
}

func (c *Config) iqTimeout() time.Duration {
	if c.IQTimeout > 0 {
		return c.IQTimeout
	}
	return 30 * time.Second
}

func (c *Config) maxStanza() int64 {
	if c.MaxStanzaSize > 0 {
		return c.MaxStanzaSize
	}
	return 1 << 20
}

func (c *Config) keepAlive() time.Duration {
	if c.KeepAlive == 0 {
		return 90 * time.Second
	}
	return c.KeepAlive
}

func (c *Config) lang() string {
	if c.Lang != "" {
		return c.Lang
	}
	return "en"
}

// Status is a change of the link under a live session.
type Status int

const (
	// StatusInterrupted: the TCP/TLS link dropped; the session is trying
	// to resume (stanzas sent meanwhile are queued).
	StatusInterrupted Status = iota + 1
	// StatusResumed: the session was resumed (XEP-0198); queued stanzas
	// were sent.
	StatusResumed
)

func (s Status) String() string {
	switch s {
	case StatusInterrupted:
		return "interrupted"
	case StatusResumed:
		return "resumed"
	}
	return "unknown"
}
