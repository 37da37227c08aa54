// Package xmpp is Causerie's client stream layer (RFC 6120): it dials a server
// (SRV records, XEP-0368 direct TLS or STARTTLS), verifies its certificate
// with an optional trust-on-first-use pin, authenticates with SASL
// (SCRAM-SHA-256/SHA-1 with or without channel binding, PLAIN only inside TLS)
// or, when a server offers no SASL, legacy XEP-0078 jabber:iq:auth, binds a
// resource, and then runs one reader goroutine that dispatches stanzas in
// wire order.
//
// It also implements XEP-0198: Stream Management (acks, resumption after a
// dropped connection, resending what the server did not acknowledge) and
// XEP-0199: XMPP Ping (answering pings and keep-alive).
//
// The XML model is gosrc.io/xmpp/stanza; this package does not use that
// module's Client, which reorders stanzas and loses IQ replies (see
// ARCHITECTURE.md). Feature protocols live in sub-packages (register, ...).
package xmpp
