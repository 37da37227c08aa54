package xmpp

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/causerie/causerie/internal/testserver"
	"gosrc.io/xmpp/stanza"
)

// BenchmarkLogin measures a whole login on loopback Prosody: TCP,
// STARTTLS, SCRAM-SHA-256, bind, stream management.
func BenchmarkLogin(b *testing.B) {
	s := testserver.Shared(b, testserver.Prosody, testserver.Options{})
	jid, pass := s.NewUser(b)
	px := testserver.NewProxy(b, s.Addr())
	cfg := cfgFor(s, jid, pass)
	cfg.Port = px.Port()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c, err := Dial(context.Background(), cfg)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		c.Close()
		b.StartTimer()
	}
	b.StopTimer()
	// Measured by the proxy: client flights that waited for the server.
	b.ReportMetric(float64(px.Flights())/float64(b.N), "roundtrips/op")
}

// benchStream is n chat messages in one stream.
func benchStream(n int) string {
	var sb strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&sb, `<message from="tintin@jabber.org/chateau" to="toto@jabber.org/maison" type="chat" id="m%d"><body>Salut ! message %d</body><active xmlns="http://jabber.org/protocol/chatstates"/></message>`, i, i)
	}
	sb.WriteString("</stream:stream>")
	return sb.String()
}

// BenchmarkDispatch measures parse + dispatch of received chat messages:
// ns/op is per message; allocs and B/op are per message.
func BenchmarkDispatch(b *testing.B) {
	const n = 1000
	input := benchStream(n)
	var count int
	h := &Mux{}
	h.HandleMessageFunc(func(*Conn, *stanza.Message) { count++ })
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += n {
		runReader(b, io.Reader(strings.NewReader(input)), h, 0)
	}
	b.StopTimer()
	if count < b.N {
		b.Fatalf("dispatched %d of %d", count, b.N)
	}
}
