package hostile

import (
	"runtime"
	"runtime/metrics"
	"sync"
	"time"
)

// heapObjects is the runtime metric of live and not yet swept heap
// objects: what a decoded picture or an expanded message occupies.
const heapObjects = "/memory/classes/heap/objects:bytes"

func heapNow(s []metrics.Sample) uint64 {
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// Peak runs f and returns the most the heap grew above its size before f
// (sampled every half millisecond, and at the end) and how long f took.
// The caller keeps what f allocated reachable if it wants it counted at
// the end; what f dropped before is caught by the samples.
func Peak(f func()) (growth uint64, took time.Duration) {
	runtime.GC()
	s := []metrics.Sample{{Name: heapObjects}}
	base := heapNow(s)
	var (
		mu   sync.Mutex
		peak = base
		stop = make(chan struct{})
		done = make(chan struct{})
	)
	note := func(v uint64) {
		mu.Lock()
		peak = max(peak, v)
		mu.Unlock()
	}
	go func() {
		defer close(done)
		s := []metrics.Sample{{Name: heapObjects}}
		t := time.NewTicker(500 * time.Microsecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				note(heapNow(s))
			}
		}
	}()
	start := time.Now()
	f()
	took = time.Since(start)
	note(heapNow(s))
	close(stop)
	<-done
	mu.Lock()
	defer mu.Unlock()
	return peak - base, took
}
