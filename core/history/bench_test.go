package history

import (
	"database/sql"
	"fmt"
	"github.com/causerie/causerie/internal/corpus"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if bigDir != "" {
		os.RemoveAll(bigDir)
	}
	os.Exit(code)
}

// bulkAdd stores many messages in few large transactions through the same
// prepared statements as Add. Tests and benchmarks only.
func (s *Store) bulkAdd(n int, next func(i int, m *Message)) error {
	const batch = 200_000
	for start := 0; start < n; start += batch {
		var fresh []convKey
		var freshIDs []convIDs
		err := s.write(func(tx *sql.Tx) error {
			var idx indexer
			for i := start; i < n && i < start+batch; i++ {
				var m Message
				next(i, &m)
				if m.Received.IsZero() {
					m.Received = m.Sent
				}
				ids, isNew, _, err := s.conv(tx, m.Account, m.Peer, true)
				if err != nil {
					return err
				}
				if isNew {
					// Visible to this transaction's later lookups through the cache.
					s.convs[convKey{m.Account, m.Peer}] = ids
					fresh, freshIDs = append(fresh, convKey{m.Account, m.Peer}), append(freshIDs, ids)
				}
				if _, _, err := s.insert(tx, ids, &m, &idx); err != nil {
					return err
				}
			}
			return idx.flush(s, tx)
		})
		if err != nil {
			for _, k := range fresh {
				delete(s.convs, k)
			}
			return err
		}
	}
	return nil
}

func peerJID(i uint64) string { return fmt.Sprintf("contact%03d@example.net", i) }

const bigN = 1_000_000

var (
	bigOnce sync.Once
	bigDir  string
	bigPath string
	bigErr  error
	bigVoc  []string
)

// bigDB builds (once per test binary run, only when a benchmark asks) a
// database of 1M messages: 500 conversations of one account, Zipf-sized.
func bigDB(b *testing.B) string {
	bigOnce.Do(func() {
		c := corpus.New(42)
		bigVoc = c.Vocab
		// CAUSERIE_HISTORY_BENCH_DB names a database to reuse (built there
		// if missing) across runs, for profiling.
		if p := os.Getenv("CAUSERIE_HISTORY_BENCH_DB"); p != "" {
			bigPath = p
			if _, err := os.Stat(p); err == nil {
				return
			}
		} else {
			bigDir, bigErr = os.MkdirTemp("", "causerie-history-bench-")
			if bigErr != nil {
				return
			}
			bigPath = filepath.Join(bigDir, "history.db")
		}
		start := time.Now()
		var s *Store
		if s, bigErr = Open(bigPath); bigErr != nil {
			return
		}
		base := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
		bigErr = s.bulkAdd(bigN, func(i int, m *Message) {
			m.Account = me
			m.Peer = peerJID(c.Peer())
			m.Direction = Direction(1 + c.Rand.Intn(2))
			m.Type = "chat"
			m.Body = c.Body()
			m.OriginID = fmt.Sprintf("%x-%d", c.Rand.Int63(), i)
			if m.Direction == In {
				m.StanzaID = fmt.Sprintf("s%d", i)
				m.Resource = "phone"
			}
			m.Sent = base.Add(time.Duration(i/3) * 7 * time.Second) // ties in threes
			m.State = StateReceived
		})
		if cerr := s.Close(); bigErr == nil {
			bigErr = cerr
		}
		var size int64
		if fi, err := os.Stat(bigPath); err == nil {
			size = fi.Size()
		}
		fmt.Fprintf(os.Stderr, "built %d-message database in %v: %.1f MiB (%.0f bytes/message)\n",
			bigN, time.Since(start).Round(time.Second), float64(size)/(1<<20), float64(size)/bigN)
	})
	if bigErr != nil {
		b.Fatal(bigErr)
	}
	return bigPath
}

func openBig(b *testing.B) *Store {
	s, err := Open(bigDB(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

func BenchmarkAdd(b *testing.B) {
	s, _ := openTemp(b)
	c := corpus.New(7)
	msgs := make([]Message, 1024)
	for i := range msgs {
		msgs[i] = Message{Account: me, Peer: peerJID(uint64(i % 20)), Direction: In, Type: "chat", Body: c.Body()}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m := msgs[i%len(msgs)]
		m.OriginID = fmt.Sprint("o", i)
		m.StanzaID = fmt.Sprint("s", i)
		if err := s.Add(&m); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// openSync is openTemp with the write connection's synchronous pragma set to
// mode (1 NORMAL, 2 FULL) and checked.
func openSync(b *testing.B, mode int) *Store {
	s, _ := openTemp(b)
	if _, err := s.w.Exec(fmt.Sprintf("PRAGMA synchronous=%d", mode)); err != nil {
		b.Fatal(err)
	}
	var got int
	if err := s.w.QueryRow("PRAGMA synchronous").Scan(&got); err != nil || got != mode {
		b.Fatalf("synchronous = %d, %v; want %d", got, err, mode)
	}
	return s
}

// BenchmarkDurability measures a message's write cost under synchronous=NORMAL
// (a commit is a WAL write) and FULL (a WAL write and an fsync): "in" is one
// received message (one Add, one transaction), "out" one sent message's life
// (Add pending, SetState sent, SetState acked: three transactions). Run it on
// a real disk: on tmpfs an fsync costs nothing.
func BenchmarkDurability(b *testing.B) {
	c := corpus.New(7)
	bodies := make([]string, 1024)
	for i := range bodies {
		bodies[i] = c.Body()
	}
	for _, mode := range []struct {
		name string
		sync int
	}{{"NORMAL", 1}, {"FULL", 2}} {
		b.Run(mode.name+"/in", func(b *testing.B) {
			s := openSync(b, mode.sync)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				m := Message{Account: me, Peer: peerJID(uint64(i % 20)), Direction: In, Type: "chat",
					Body: bodies[i%len(bodies)], OriginID: fmt.Sprint("o", i), StanzaID: fmt.Sprint("s", i)}
				if err := s.Add(&m); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
		})
		// A burst as the reader hands it over (Store.Commit): 16
		// messages, one transaction. Per message.
		b.Run(mode.name+"/in-burst16", func(b *testing.B) {
			s := openSync(b, mode.sync)
			b.ReportAllocs()
			b.ResetTimer()
			burst := make([]*Message, 0, 16)
			for i := 0; i < b.N; i++ {
				burst = append(burst, &Message{Account: me, Peer: peerJID(uint64(i % 20)), Direction: In, Type: "chat",
					Body: bodies[i%len(bodies)], OriginID: fmt.Sprint("o", i), StanzaID: fmt.Sprint("s", i)})
				if len(burst) == cap(burst) || i == b.N-1 {
					if err := s.Commit(&Burst{Adds: burst}); err != nil {
						b.Fatal(err)
					}
					burst = burst[:0]
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
		})
		b.Run(mode.name+"/out", func(b *testing.B) {
			s := openSync(b, mode.sync)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				m := Message{Account: me, Peer: peerJID(uint64(i % 20)), Direction: Out, Type: "chat",
					Body: bodies[i%len(bodies)], OriginID: fmt.Sprint("o", i), State: StatePending}
				if err := s.Add(&m); err != nil {
					b.Fatal(err)
				}
				if err := s.SetState(m.ID, StateSent, ""); err != nil {
					b.Fatal(err)
				}
				if err := s.SetState(m.ID, StateAcked, ""); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}

func BenchmarkLatest50(b *testing.B) {
	s := openBig(b)
	for _, peer := range []struct {
		name string
		jid  string
	}{{"biggest", peerJID(0)}, {"small", peerJID(300)}} {
		b.Run(peer.name, func(b *testing.B) {
			ms, err := s.Latest(me, peer.jid, 50)
			if err != nil || len(ms) == 0 {
				b.Fatalf("Latest: %d, %v", len(ms), err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := s.Latest(me, peer.jid, 50); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkBefore50(b *testing.B) {
	s := openBig(b)
	ms, err := s.Latest(me, peerJID(0), 1)
	if err != nil || len(ms) != 1 {
		b.Fatal(err)
	}
	// Page back from the middle of the biggest conversation.
	mid, err := s.Get(ms[0].ID / 2)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.Before(me, mid.Peer, mid, 50); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSearch(b *testing.B) {
	s := openBig(b)
	voc := bigVoc
	cases := []struct {
		name, peer, q string
	}{
		{"rare/chat", peerJID(0), voc[15000]},
		{"rare/all", "", voc[15000]},
		{"medium/chat", peerJID(0), voc[1000]},
		{"medium/all", "", voc[1000]},
		{"common/chat", peerJID(0), voc[20]},
		{"common/all", "", voc[20]},
		{"common/smallchat", peerJID(300), voc[20]},
		{"twowords/all", "", voc[50] + " " + voc[200]},
		{"prefix3/all", "", voc[1000][:3]},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			r, err := s.Search(me, c.peer, c.q, 50)
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := s.Search(me, c.peer, c.q, 50); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(r)), "results")
		})
	}
}

// BenchmarkConversations5000 lists an account's 5,000 conversations (3
// messages each) for the recent-conversations view (issue 15: ≤ 50 ms).
func BenchmarkConversations5000(b *testing.B) {
	s, err := Open(filepath.Join(b.TempDir(), "h.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	const convs = 5000
	if err := s.bulkAdd(3*convs, func(i int, m *Message) {
		*m = Message{Account: me, Peer: fmt.Sprintf("contact%04d@example.net", i%convs), Direction: Direction(1 + i%2),
			Type: "chat", Body: "un message assez ordinaire", Sent: t0.Add(time.Duration(i) * time.Second)}
	}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cs, err := s.Conversations(me)
		if err != nil || len(cs) != convs {
			b.Fatal(len(cs), err)
		}
	}
}

func BenchmarkConversations(b *testing.B) {
	s := openBig(b)
	for i := 0; i < b.N; i++ {
		if _, err := s.Conversations(me); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkInsertFloor is the floor under BenchmarkStoreArchived (package
// core): pages of 250 rows written into this schema's messages table and
// search index with nothing else, one prepared INSERT each and one
// transaction a page, no duplicate check, no conversation update, no
// result read back. Whatever storing an archive page does costs at least
// this; "raw" is the same rows without the search index.
func BenchmarkInsertFloor(b *testing.B) {
	for _, fts := range []bool{true, false} {
		name := "indexed"
		if !fts {
			name = "raw"
		}
		b.Run(name, func(b *testing.B) {
			s, _ := openTemp(b)
			var conv, acct int64
			if err := s.write(func(tx *sql.Tx) error {
				ids, _, _, err := s.conv(tx, me, "bob@example.org", true)
				conv, acct = ids.conv, ids.account
				return err
			}); err != nil {
				b.Fatal(err)
			}
			tokens := convIDs{conv: conv, account: acct}.ftsTokens()
			ins, err := s.w.Prepare(`INSERT INTO messages(conv, chrono, resource, direction, type, body,
				origin_id, stanza_id, wire_id, sent, received) VALUES(?,?,?,?,?,?,?,?,?,?,?)`)
			if err != nil {
				b.Fatal(err)
			}
			at := time.Now().Add(-time.Hour)
			b.ResetTimer()
			for start := 0; start < b.N; start += 250 {
				if err := s.write(func(tx *sql.Tx) error {
					st, fst := tx.Stmt(ins), tx.Stmt(s.insFTS)
					var rows []indexRow // indexed at the end, as indexer does
					for i := start; i < b.N && i < start+250; i++ {
						sent := at.Add(time.Duration(i) * time.Millisecond)
						chrono := chronoBase(sent)
						body := fmt.Sprintf("Salut ! message numéro %d", i)
						if _, err := st.Exec(conv, chrono, "phone", In, "chat", body, "", fmt.Sprint("a", i),
							fmt.Sprint("id-", i), sent.UnixNano(), sent.UnixNano()); err != nil {
							return err
						}
						rows = append(rows, indexRow{chrono: chrono, body: body})
					}
					for _, r := range rows {
						if !fts {
							break
						}
						if _, err := fst.Exec(r.chrono, r.body, "", tokens); err != nil {
							return err
						}
					}
					return nil
				}); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}
