package upload

import (
	"io"
	"os"
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"testing"
	"time"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/internal/coretest"
	"github.com/causerie/causerie/internal/testserver"
)

// benchSize is BenchmarkUpload's file: 50 MB.
const benchSize = 50 << 20

// heapPeak samples the live heap every 2 ms until stop is called, and
// gives its peak above what it was when it began, in bytes.
func heapPeak() (stop func() int64) {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() int64 {
		metrics.Read(sample)
		return int64(sample[0].Value.Uint64())
	}
	base := read()
	var peak atomic.Int64
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if v := read() - base; v > peak.Load() {
					peak.Store(v)
				}
			}
		}
	}()
	return func() int64 {
		close(done)
		return peak.Load()
	}
}

// BenchmarkUpload: a 50 MB file uploaded to each server's service,
// streamed: the heap's growth while it goes (issue 19: at most 20 MB).
func BenchmarkUpload(b *testing.B) {
	for _, k := range []testserver.Kind{testserver.Prosody, testserver.Ejabberd} {
		b.Run(string(k), func(b *testing.B) {
			srv := testserver.Shared(b, k, testserver.Options{})
			a := coretest.NewUser(b, srv, Feature)
			a.Connect(b)
			up := Of(a.Session)
			if _, err := up.Limit(b.Context()); err != nil {
				b.Fatal(err)
			}
			var growth int64
			b.SetBytes(benchSize)
			for b.Loop() {
				stop := heapPeak()
				_, err := up.Upload(b.Context(), File{Name: "gros.bin", Size: benchSize, Open: func() (io.ReadCloser, error) {
					return io.NopCloser(io.LimitReader(zeros{}, benchSize)), nil
				}}, nil)
				growth = max(growth, stop())
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(growth)/(1<<20), "MiB-heap-growth")
		})
	}
}

// BenchmarkDownload: the 50 MB file downloaded from each server's
// service into a folder, streamed: the heap's growth while it goes
// (issue 19: at most 20 MB).
func BenchmarkDownload(b *testing.B) {
	for _, k := range []testserver.Kind{testserver.Prosody, testserver.Ejabberd} {
		b.Run(string(k), func(b *testing.B) {
			srv := testserver.Shared(b, k, testserver.Options{})
			a, r := coretest.NewUser(b, srv, Feature), coretest.NewUser(b, srv, Feature)
			a.Connect(b)
			r.Connect(b)
			sent, err := Of(a.Session).Send(b.Context(), r.JID, File{Name: "gros.bin", Size: benchSize, Open: func() (io.ReadCloser, error) {
				return io.NopCloser(io.LimitReader(zeros{}, benchSize)), nil
			}}, nil)
			if err != nil {
				b.Fatal(err)
			}
			m := r.Events.Wait(b, "the file", func(e core.Event) bool {
				got, ok := e.(core.MessageReceived)
				return ok && got.Message.OOB == sent.OOB
			}).(core.MessageReceived).Message
			dir := b.TempDir()
			var growth int64
			b.SetBytes(benchSize)
			for b.Loop() {
				stop := heapPeak()
				got, err := Of(r.Session).Download(b.Context(), m, dir, nil)
				growth = max(growth, stop())
				if err != nil || got.FileSize != benchSize {
					b.Fatal(got.FileSize, err)
				}
				os.Remove(got.File)
			}
			b.ReportMetric(float64(growth)/(1<<20), "MiB-heap-growth")
		})
	}
}
