//go:build !unix

package muc

import "time"

// cpuTime is not measured here: benchmarks report 0 for the client's CPU.
func cpuTime() time.Duration { return 0 }
