//go:build unix

package muc

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time this process used so far (user and system): in
// a benchmark whose servers are other processes, the client's own work.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
