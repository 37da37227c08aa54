package search

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/internal/corpus"
)

// The benchmark's history: 1,000,000 messages in 500 conversations of
// one account (Zipf-sized) from internal/corpus, as core/history's own
// search benchmark.
const benchN = 1_000_000

var (
	benchOnce sync.Once
	benchDir  string // removed by TestMain
	benchPath string
	benchVoc  []string
	benchErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

func benchDB(b *testing.B) string {
	benchOnce.Do(func() {
		c := corpus.New(42)
		benchVoc = c.Vocab
		// CAUSERIE_SEARCH_BENCH_DB names a database to reuse across runs
		// (built there if missing).
		benchPath = os.Getenv("CAUSERIE_SEARCH_BENCH_DB")
		if benchPath != "" {
			if _, err := os.Stat(benchPath); err == nil {
				return
			}
		} else {
			benchDir, benchErr = os.MkdirTemp("", "causerie-search-bench-")
			if benchErr != nil {
				return
			}
			benchPath = filepath.Join(benchDir, "history.db")
		}
		start := time.Now()
		s, err := history.Open(benchPath)
		if benchErr = err; err != nil {
			return
		}
		defer s.Close()
		base := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
		const page = 20_000
		for i := 0; i < benchN; i += page {
			burst := &history.Burst{Refetchable: true}
			for j := i; j < i+page; j++ {
				m := &history.Message{Account: me, Peer: fmt.Sprintf("contact%03d@example.net", c.Peer()),
					Direction: history.Direction(1 + c.Rand.Intn(2)), Type: "chat", Body: c.Body(),
					OriginID: fmt.Sprintf("o%d", j), Sent: base.Add(time.Duration(j/3) * 7 * time.Second),
					State: history.StateReceived}
				if m.Direction == history.In {
					m.StanzaID, m.Resource = fmt.Sprintf("s%d", j), "phone"
				}
				burst.Adds = append(burst.Adds, m)
			}
			if benchErr = s.Commit(burst); benchErr != nil {
				return
			}
		}
		fmt.Fprintf(os.Stderr, "built %d-message database in %v\n", benchN, time.Since(start).Round(time.Second))
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchPath
}

// BenchmarkFirstResults is a query typed in the search window to its
// first results handed back, through the Model the window uses (the query,
// the snippets and marks, the delivery), on 1,000,000 messages. Issue 20's
// goal: at most 20 ms.
func BenchmarkFirstResults(b *testing.B) {
	s, err := history.Open(benchDB(b))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	voc := benchVoc
	lastWeek := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(benchN/3)*7*time.Second).AddDate(0, 0, -7)
	cases := []struct {
		name string
		q    history.Query
	}{
		{"rare/all", history.Query{Words: voc[15000]}},
		{"common/all", history.Query{Words: voc[20]}},
		{"letter/all", history.Query{Words: voc[20][:1]}},
		{"prefix3/all", history.Query{Words: voc[1000][:3]}},
		{"twowords/all", history.Query{Words: voc[50] + " " + voc[200]}},
		{"common/chat", history.Query{Words: voc[20], Account: me, Peer: "contact000@example.net"}},
		{"rare/chat", history.Query{Words: voc[15000], Account: me, Peer: "contact000@example.net"}},
		{"common/lastweek", history.Query{Words: voc[20], Since: lastWeek}},
		{"rare/2020", history.Query{Words: voc[15000], Until: time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)}},
	}
	for _, c := range cases {
		c.q.Limit = Limit
		b.Run(c.name, func(b *testing.B) {
			got := make(chan int, 1)
			m := New(s, func(f func()) { f() }, func(_ history.Query, rs []Result, err error) {
				if err != nil {
					b.Error(err)
				}
				got <- len(rs)
			})
			var n int
			for i := 0; i < b.N; i++ {
				m.Search(c.q)
				n = <-got
			}
			b.ReportMetric(float64(n), "results")
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/query")
		})
	}
}
