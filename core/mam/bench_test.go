package mam

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/internal/coretest"
	"github.com/causerie/causerie/internal/testserver"
	"gosrc.io/xmpp/stanza"
)

// catchUpN is the size of BenchmarkCatchUp's catch-up.
const catchUpN = 10_000

// filled is an account whose archive holds catchUpN messages after the
// cursor a device had before they came.
type filled struct {
	jid, pass string
	cursor    history.ArchiveCursor
	fill      time.Duration // how long the server took to archive them
}

var (
	fillMu  sync.Mutex
	fillFor = map[testserver.Kind]*filled{}
)

// fillArchive makes, once per server, an account that signs in a first
// time (its cursor), then whose phone receives catchUpN messages from 10
// contacts, 1,000 each, sent at once.
func fillArchive(b *testing.B, srv *testserver.Server) *filled {
	fillMu.Lock()
	defer fillMu.Unlock()
	if f := fillFor[srv.Kind]; f != nil {
		return f
	}
	a := coretest.NewUser(b, srv, Feature)
	peers := make([]*coretest.User, 10)
	for i := range peers {
		peers[i] = coretest.NewUser(b, srv)
		peers[i].Connect(b)
	}
	send := func(from *coretest.User, body string) {
		m := stanza.NewMessage(stanza.Attrs{To: a.JID, Type: stanza.MessageTypeChat})
		m.Body = body
		if err := from.Conn(b).Send(&m); err != nil {
			b.Fatal(err)
		}
	}
	send(peers[0], "hello")
	if err := peers[0].Conn(b).Ping(context.Background(), srv.Domain); err != nil {
		b.Fatal(err)
	}
	mark := a.Events.Mark()
	a.Connect(b)
	a.Events.WaitFrom(b, mark, "catch-up", caughtUp(a))
	cursor, err := a.Client.Store().ArchiveCursor(a.JID)
	if err != nil || cursor.Stamp.IsZero() {
		b.Fatalf("cursor: %+v, %v", cursor, err)
	}
	a.Session.Disconnect()
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second)))

	phone := coretest.Login(b, srv, a.JID, a.Password)
	var got atomic.Int64
	all := make(chan struct{})
	phone.Client.Subscribe(func(e core.Event) {
		if _, ok := e.(core.MessageReceived); ok && got.Add(1) == catchUpN {
			close(all)
		}
	})
	phone.Connect(b)
	if err := phone.Conn(b).Ping(context.Background(), srv.Domain); err != nil {
		b.Fatal(err)
	}
	began := time.Now()
	// In rounds of 500 that the phone receives before the next: a
	// server drops a session that leaves more unacknowledged (ejabberd:
	// 5,000), and what follows would go to offline storage.
	const round = 500
	for sent := 0; sent < catchUpN; sent += round {
		var wg sync.WaitGroup
		for j, p := range peers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range round / len(peers) {
					send(p, fmt.Sprintf("Salut ! message numéro %d", (sent+i*len(peers)+j)/len(peers)))
				}
			}()
		}
		wg.Wait()
		deadline := time.Now().Add(5 * time.Minute)
		for got.Load() < int64(sent+round) {
			if time.Now().After(deadline) {
				b.Fatalf("the phone received %d of %d messages", got.Load(), sent+round)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	<-all
	phone.Session.Disconnect()
	f := &filled{jid: a.JID, pass: a.Password, cursor: cursor, fill: time.Since(began)}
	fillFor[srv.Kind] = f
	return f
}

// BenchmarkCatchUp: a device signs in again after 10,000 messages came
// to the account's other device (10 contacts, 1,000 each): from Connect
// to the end of its catch-up, all of them stored, on each server with
// its archive in SQLite (see testserver.Options.SQLArchive).
func BenchmarkCatchUp(b *testing.B) {
	for _, k := range []testserver.Kind{testserver.Prosody, testserver.Ejabberd} {
		b.Run(string(k), func(b *testing.B) {
			srv := testserver.Shared(b, k, testserver.Options{Archive: true, SQLArchive: true})
			f := fillArchive(b, srv)
			b.Logf("%s archived %d messages in %s", k, catchUpN, f.fill.Round(time.Millisecond))
			var total time.Duration
			for b.Loop() {
				b.StopTimer()
				dev := coretest.Login(b, srv, f.jid, f.pass, Feature)
				if err := dev.Client.Store().SetArchiveCursor(f.jid, f.cursor); err != nil {
					b.Fatal(err)
				}
				mark := dev.Events.Mark()
				b.StartTimer()
				began := time.Now()
				dev.Connect(b)
				d := dev.Events.WaitFrom(b, mark, "catch-up", caughtUp(dev)).(CatchUpDone)
				total += time.Since(began)
				b.StopTimer()
				if d.Err != nil || d.Stored < catchUpN {
					b.Fatalf("catch-up: %+v", d)
				}
				dev.Session.Disconnect()
				b.StartTimer()
			}
			b.ReportMetric(float64(catchUpN)*float64(b.N)/total.Seconds(), "msgs/s")
		})
	}
}
