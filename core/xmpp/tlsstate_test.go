package xmpp

import "crypto/tls"

var (
	tlsState13 = tls.ConnectionState{Version: tls.VersionTLS13}
	tlsState12 = tls.ConnectionState{Version: tls.VersionTLS12, TLSUnique: []byte("unique")}
)

func tlsOf(v any) *tls.ConnectionState { return v.(*tls.ConnectionState) }
