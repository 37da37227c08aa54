package testserver

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const supported = true

// sysProcAttr puts the server into its own process group (so that it and
// all its children can be signalled at once) and makes it die with the test
// binary.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// stopGroup stops the process group pgid whose leader is the started
// process. The leader's direct children (for ejabberd: beam.smp under the
// ejabberdctl bash script) and extra (the PID from the server's pidfile, if
// not 0) are signalled first, so that the leader can reap them and no
// orphaned zombies remain; the leader itself exits when they are gone. If
// anything is still alive after stopGrace, everything gets SIGKILL. stopGroup
// returns when all processes are gone and done (closed after cmd.Wait of the
// leader) is closed.
func stopGroup(pgid, extra int, done <-chan struct{}) {
	targets := func() []int {
		var t []int
		for _, pid := range groupPids(pgid) {
			if st, ok := procStat(pid); ok && st.ppid == pgid {
				t = append(t, pid)
			}
		}
		if extra > 0 && extra != pgid && pidAlive(extra) {
			t = append(t, extra)
		}
		return t
	}
	gone := func() bool {
		select {
		case <-done:
		default:
			return false
		}
		return len(groupPids(pgid)) == 0 && (extra <= 0 || !pidAlive(extra))
	}
	waitGone := func(d time.Duration) bool {
		deadline := time.Now().Add(d)
		for {
			if gone() {
				return true
			}
			if time.Now().After(deadline) {
				return false
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	signal := func(sig syscall.Signal) {
		t := targets()
		for _, pid := range t {
			syscall.Kill(pid, sig)
		}
		if len(t) == 0 {
			syscall.Kill(-pgid, sig)
		}
	}
	signal(syscall.SIGTERM)
	if waitGone(stopGrace) {
		return
	}
	signal(syscall.SIGKILL)
	if waitGone(time.Second) {
		return
	}
	syscall.Kill(-pgid, syscall.SIGKILL)
	waitGone(stopGrace)
}

// pidAlive reports whether pid exists and is not a zombie. A multi-threaded
// process (beam.smp) whose main thread already exited shows state Z while its
// other threads still hold its sockets open, so all threads are checked.
func pidAlive(pid int) bool {
	st, ok := procStat(pid)
	if !ok {
		return false
	}
	if st.state != 'Z' {
		return true
	}
	tasks, _ := filepath.Glob("/proc/" + strconv.Itoa(pid) + "/task/[0-9]*")
	for _, task := range tasks {
		if data, err := os.ReadFile(task + "/stat"); err == nil {
			s := string(data)
			if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) && s[i+2] != 'Z' {
				return true
			}
		}
	}
	return false
}

type stat struct {
	state byte
	ppid  int
	pgrp  int
}

func procStat(pid int) (stat, bool) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return stat{}, false
	}
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return stat{}, false
	}
	f := strings.Fields(s[i+1:]) // state ppid pgrp ...
	if len(f) < 3 || len(f[0]) == 0 {
		return stat{}, false
	}
	ppid, _ := strconv.Atoi(f[1])
	pgrp, _ := strconv.Atoi(f[2])
	return stat{state: f[0][0], ppid: ppid, pgrp: pgrp}, true
}

// groupPids returns the live (non-zombie) processes in process group pgid.
func groupPids(pgid int) []int {
	ents, _ := filepath.Glob("/proc/[0-9]*")
	var pids []int
	for _, e := range ents {
		pid, err := strconv.Atoi(filepath.Base(e))
		if err != nil {
			continue
		}
		if st, ok := procStat(pid); ok && st.pgrp == pgid && pidAlive(pid) {
			pids = append(pids, pid)
		}
	}
	return pids
}
