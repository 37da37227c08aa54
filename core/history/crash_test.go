package history

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The crash test re-executes the test binary as a child that adds messages
// and dies without closing the store; the parent then re-opens the database
// and checks that every message whose Add returned survived.
const (
	crashEnvDB   = "CAUSERIE_HISTORY_CRASH_DB"
	crashEnvMode = "CAUSERIE_HISTORY_CRASH_MODE"
)

func TestCrashRecovery(t *testing.T) {
	if path := os.Getenv(crashEnvDB); path != "" {
		crashChild(path, os.Getenv(crashEnvMode))
		return // not reached
	}
	for _, mode := range []string{"exit", "kill"} {
		t.Run(mode, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "h.db")
			cmd := exec.Command(os.Args[0], "-test.run=^TestCrashRecovery$", "-test.count=1")
			cmd.Env = append(os.Environ(), crashEnvDB+"="+path, crashEnvMode+"="+mode)
			cmd.Stderr = os.Stderr
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			committed := map[int64]string{}
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				f := strings.Fields(sc.Text())
				if len(f) != 3 || f[0] != "added" {
					continue
				}
				id, _ := strconv.ParseInt(f[1], 10, 64)
				committed[id] = f[2]
				if mode == "kill" && len(committed) == 60 {
					// SIGKILL while the child is still adding.
					if err := cmd.Process.Kill(); err != nil {
						t.Fatal(err)
					}
				}
			}
			err = cmd.Wait()
			if err == nil {
				t.Fatal("child exited cleanly")
			}
			if len(committed) < 60 {
				t.Fatalf("child committed only %d messages (%v)", len(committed), err)
			}
			// The child never checkpointed: the data is in the WAL.
			if fi, err := os.Stat(path + "-wal"); err != nil || fi.Size() == 0 {
				t.Logf("WAL after crash: %v %v", fi, err)
			}
			s, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			for id, body := range committed {
				m, err := s.Get(id)
				if err != nil || m.Body != body {
					t.Fatalf("message %d: %+v, %v", id, m, err)
				}
			}
			if r, err := s.Search(me, bob, "crash", 1000); err != nil || len(r) < len(committed) {
				t.Fatalf("FTS after crash: %d results for %d messages, %v", len(r), len(committed), err)
			}
			t.Logf("%s: %d committed messages all present after the crash", mode, len(committed))
		})
	}
}

func crashChild(path, mode string) {
	s, err := Open(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(3)
	}
	for i := 0; ; i++ {
		m := &Message{Account: me, Peer: bob, Direction: In, Body: fmt.Sprintf("crash-%d", i), Sent: t0.Add(time.Duration(i))}
		if err := s.Add(m); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(3)
		}
		// os.Stdout is unbuffered: the parent sees this line only after Add returned.
		fmt.Printf("added %d %s\n", m.ID, m.Body)
		if mode == "exit" && i == 99 {
			os.Exit(1) // no Close, no checkpoint
		}
		if i > 100000 {
			os.Exit(4) // the parent never killed us
		}
	}
}
