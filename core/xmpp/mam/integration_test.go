package mam

import (
	"context"
	"encoding/xml"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/sid"
	"github.com/causerie/causerie/internal/testserver"
	"github.com/causerie/causerie/internal/xmpptest"
	"gosrc.io/xmpp/stanza"
)

func TestMain(m *testing.M) { testserver.Main(m) }

// reader is a connection whose incoming messages go first to a
// collector, then to a channel.
type reader struct {
	*xmpp.Conn
	col      Collector
	messages chan *stanza.Message
}

func connect(t *testing.T, s *testserver.Server) *reader {
	t.Helper()
	r := &reader{messages: make(chan *stanza.Message, 1000)}
	mux := &xmpp.Mux{}
	mux.HandleMessageFunc(func(_ *xmpp.Conn, m *stanza.Message) {
		if !r.col.Deliver(m) {
			r.messages <- m
		}
	})
	r.Conn = xmpptest.Dial(t, s, mux)
	if err := r.Send(&stanza.Presence{XMLName: xml.Name{Local: "presence"}}); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestArchiveAgainstServers: 120 messages from alice to bob, read back
// from bob's archive in pages of 50 on both servers: all of them, once,
// in order, with the archive ids the live copies carried, the last page
// complete; a filter on another correspondent finds none; paging after
// an id the archive never gave fails (Prosody).
func TestArchiveAgainstServers(t *testing.T) {
	for name, kind := range map[string]testserver.Kind{"prosody": testserver.Prosody, "ejabberd": testserver.Ejabberd} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s := testserver.Shared(t, kind, testserver.Options{Archive: true})
			alice, bob := connect(t, s), connect(t, s)
			const n = 120
			for i := range n {
				m := stanza.NewMessage(stanza.Attrs{To: xmpp.BareJID(bob.JID()), Type: stanza.MessageTypeChat})
				m.Body = strconv.Itoa(i)
				sid.Add(&m, fmt.Sprintf("o%d", i))
				if err := alice.Send(&m); err != nil {
					t.Fatal(err)
				}
			}
			live := map[string]string{} // body → stanza-id
			timeout := time.After(20 * time.Second)
			for len(live) < n {
				select {
				case m := <-bob.messages:
					if m.Body != "" {
						live[m.Body] = sid.StanzaIDBy(m, xmpp.BareJID(bob.JID()))
					}
				case <-timeout:
					t.Fatalf("%d of %d messages came live", len(live), n)
				}
			}

			var got []*Result
			q := Query{With: xmpp.BareJID(alice.JID()), Max: 50}
			pages := 0
			for {
				pg, err := bob.col.Fetch(ctx, bob.Conn, "", q)
				if err != nil {
					t.Fatalf("page %d: %v", pages+1, err)
				}
				pages++
				got = append(got, pg.Results...)
				if len(pg.Results) > 0 && (pg.Fin.First != pg.Results[0].ID || pg.Fin.Last != pg.Results[len(pg.Results)-1].ID) {
					t.Errorf("page %d: fin %+v does not name its results", pages, pg.Fin)
				}
				if pg.Fin.Complete || pages > 10 {
					break
				}
				q.After = pg.Fin.Last
			}
			if len(got) != n || pages != 3 {
				t.Fatalf("%d results in %d pages, want %d in 3", len(got), pages, n)
			}
			var last time.Time
			for i, r := range got {
				if r.Message == nil || r.Message.Body != strconv.Itoa(i) || xmpp.BareJID(r.Message.From) != xmpp.BareJID(alice.JID()) {
					t.Fatalf("result %d: %+v", i, r.Message)
				}
				if sid.Origin(r.Message) != fmt.Sprintf("o%d", i) {
					t.Errorf("result %d: origin-id %q", i, sid.Origin(r.Message))
				}
				if live[r.Message.Body] != r.ID {
					t.Errorf("result %d: archive id %q, the live copy said %q", i, r.ID, live[r.Message.Body])
				}
				if r.Stamp.IsZero() || r.Stamp.Before(last) || time.Since(r.Stamp) > time.Minute {
					t.Errorf("result %d: stamp %v after %v", i, r.Stamp, last)
				}
				last = r.Stamp
			}

			pg, err := bob.col.Fetch(ctx, bob.Conn, "", Query{With: "nobody@" + s.Domain})
			if err != nil || len(pg.Results) != 0 || !pg.Fin.Complete {
				t.Errorf("another correspondent: %d results, %+v, %v", len(pg.Results), pg.Fin, err)
			}
			// §4.4.2: item-not-found. ejabberd 23.01 answers anyway (its
			// ids are dates; it reads a malformed one as none).
			if _, err := bob.col.Fetch(ctx, bob.Conn, "", Query{After: "no-such-id", Max: 5}); err == nil && kind == testserver.Prosody {
				t.Error("paging after an unknown id did not fail")
			}
		})
	}
}
