package e2e

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/causerie/causerie/core/account"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/roster"
	"github.com/causerie/causerie/internal/testserver"
)

// run is one launch of the real binary, with its trace milestones
// timestamped as they arrive.
type run struct {
	cmd   *exec.Cmd
	start time.Time
	lines chan traced
	other strings.Builder // non-trace output, for failure messages
}

type traced struct {
	at   time.Duration
	text string
}

func launch(tb testing.TB, bin, profile, password string) *run {
	r := &run{lines: make(chan traced, 10000)}
	args := []string{"-config", filepath.Join(profile, "config"), "-history", filepath.Join(profile, "history.db")}
	if password != "" {
		args = append(args, "-password-stdin")
	}
	r.cmd = exec.Command(bin, args...)
	r.cmd.Env = append(os.Environ(), "CAUSERIE_TRACE=1")
	if password != "" {
		r.cmd.Stdin = strings.NewReader(password + "\n")
	}
	stderr, _ := r.cmd.StderrPipe()
	r.start = time.Now()
	if err := r.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m, ok := strings.CutPrefix(sc.Text(), "causerie-trace: "); ok {
				r.lines <- traced{time.Since(r.start), m}
			} else {
				r.other.WriteString(sc.Text() + "\n")
			}
		}
		close(r.lines)
	}()
	return r
}

// until waits for a milestone containing text; it returns when it came.
func (r *run) until(tb testing.TB, text string) time.Duration {
	timeout := time.After(60 * time.Second)
	for {
		select {
		case l, ok := <-r.lines:
			if !ok {
				tb.Fatalf("app exited before %q", text)
			}
			if strings.Contains(l.text, text) {
				return l.at
			}
		case <-timeout:
			tb.Fatalf("no milestone %q", text)
		}
	}
}

// mapped waits for the first visible Causerie window (one app runs at a
// time: the previous one has exited).
func (r *run) mapped(tb testing.TB) time.Duration { return r.mappedNamed(tb, "Causerie") }

// mappedNamed waits for the first visible window whose title has name.
func (r *run) mappedNamed(tb testing.TB, name string) time.Duration {
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		out, _ := exec.Command("xdotool", "search", "--onlyvisible", "--name", name).Output()
		if len(strings.TrimSpace(string(out))) > 0 {
			return time.Since(r.start)
		}
	}
	out, _ := exec.Command("xdotool", "search", "--name", ".").Output()
	r.cmd.Process.Signal(syscall.SIGQUIT)
	time.Sleep(time.Second)
	tb.Fatalf("no window mapped (windows: %q); the app's output:\n%s", out, r.other.String())
	return 0
}

func (r *run) rssMiB() float64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(r.cmd.Process.Pid) + "/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.Atoi(f[1])
			return float64(kb) / 1024
		}
	}
	return 0
}

// cpuTicks is the process's user and system CPU time so far, in clock
// ticks (1/100 s on Linux).
func (r *run) cpuTicks() int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(r.cmd.Process.Pid) + "/stat")
	if err != nil {
		return 0
	}
	// Fields after the command name (which may hold spaces): state is
	// field 3, utime 14, stime 15.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.Atoi(f[11])
	s, _ := strconv.Atoi(f[12])
	return u + s
}

func (r *run) stop() {
	r.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { r.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		r.cmd.Process.Kill()
		<-done
	}
}

func needDesktop(b *testing.B) {
	if os.Getenv("DISPLAY") == "" || !haveCmd("xdotool") {
		b.Skip("needs a display and xdotool: run through make bench")
	}
}

// BenchmarkStartEmpty: process start to the first window (welcome, no
// account), and RSS after 5 s idle.
func BenchmarkStartEmpty(b *testing.B) {
	needDesktop(b)
	bin := buildApp(&testing.T{})
	var mapped time.Duration
	var rss float64
	for i := 0; i < b.N; i++ {
		r := launch(b, bin, b.TempDir(), "")
		mapped += r.mapped(b)
		if i == 0 {
			time.Sleep(5 * time.Second)
			rss = r.rssMiB()
		}
		r.stop()
	}
	b.ReportMetric(float64(mapped.Milliseconds())/float64(b.N), "ms-to-window")
	b.ReportMetric(rss, "MiB-RSS-idle")
}

// BenchmarkStartFloor measures Causerie against the floor, a bare Fyne
// window with one label built from the same module cache, alternately in
// the same run (issue 16): exec to the first window mapped, RSS once it
// has been up 5 s, and CPU over the next 10 s of idling. Causerie starts
// with no account (its welcome window).
func BenchmarkStartFloor(b *testing.B) {
	needDesktop(b)
	bin := buildApp(&testing.T{})
	bare := filepath.Join(b.TempDir(), "bare")
	if out, err := exec.Command("go", "build", "-o", bare, "./testdata/bare").CombinedOutput(); err != nil {
		b.Fatalf("go build bare: %v\n%s", err, out)
	}
	type sample struct {
		ms, mib, cpu float64 // to the window; RSS; CPU % of one core while idle
	}
	measure := func(r *run, window string) sample {
		ms := float64(r.mappedNamed(b, window).Microseconds()) / 1000
		time.Sleep(5 * time.Second)
		mib := r.rssMiB()
		t0, c0 := time.Now(), r.cpuTicks()
		time.Sleep(10 * time.Second)
		cpu := float64(r.cpuTicks()-c0) / 100 / time.Since(t0).Seconds() * 100
		r.stop()
		return sample{ms, mib, cpu}
	}
	var floor, ours []sample
	for i := 0; i < b.N; i++ {
		r := &run{cmd: exec.Command(bare), lines: make(chan traced)}
		r.start = time.Now()
		if err := r.cmd.Start(); err != nil {
			b.Fatal(err)
		}
		floor = append(floor, measure(r, "Bare Fyne floor"))
		ours = append(ours, measure(launch(b, bin, b.TempDir(), ""), "Causerie"))
	}
	median := func(ss []sample, f func(sample) float64) float64 {
		v := make([]float64, len(ss))
		for i, s := range ss {
			v[i] = f(s)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	for _, m := range []struct {
		unit string
		f    func(sample) float64
	}{
		{"ms-to-window", func(s sample) float64 { return s.ms }},
		{"MiB-RSS", func(s sample) float64 { return s.mib }},
		{"%CPU-idle", func(s sample) float64 { return s.cpu }},
	} {
		f, o := median(floor, m.f), median(ours, m.f)
		b.ReportMetric(f, "floor-"+m.unit)
		b.ReportMetric(o, "causerie-"+m.unit)
		b.Logf("%s: floor %.1f, Causerie %.1f (+%.1f, ×%.2f)", m.unit, f, o, o-f, o/f)
	}
}

// BenchmarkRoster1000: an account with 1,000 contacts on a loopback
// Prosody. First launch (no cache): start to the roster fully shown after
// sign-in. Later launches: start to the window, and to the roster shown
// from the cache before the network answers. RSS after 5 s idle.
func BenchmarkRoster1000(b *testing.B) {
	needDesktop(b)
	srv := testserver.Start(b, testserver.Prosody, testserver.Options{})
	jid, pass := srv.NewUser(b)
	ctx := context.Background()
	c, err := xmpp.Dial(ctx, xmpp.Config{JID: jid, Password: pass, Host: srv.Host, Port: srv.Port, TLSConfig: srv.TLSConfig()})
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < 1000; i++ {
		it := roster.Item{JID: fmt.Sprintf("contact%04d@example.org", i), Name: fmt.Sprintf("Contact %d", i), Groups: []string{fmt.Sprintf("Group %d", i%20)}}
		if err := roster.Set(ctx, c, it); err != nil {
			b.Fatal(err)
		}
	}
	c.Close()
	bin := buildApp(&testing.T{})
	profile := b.TempDir()
	accts, _ := account.OpenStore(filepath.Join(profile, "config"))
	accts.Put(account.Account{JID: jid, Host: srv.Host, Port: srv.Port, AutoConnect: true,
		Pinned: []string{xmpp.FormatFingerprint(srv.CertSHA256)}})

	first := launch(b, bin, profile, pass)
	signIn := first.until(b, "state "+jid+" connecting")
	shown := first.until(b, "roster 1000 contacts")
	first.stop()
	signInMs := float64((shown - signIn).Milliseconds())

	var mapped, cached time.Duration
	var rss float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := launch(b, bin, profile, pass)
		mapped += r.mapped(b)
		cached += r.until(b, "roster 1000 contacts")
		if i == 0 {
			r.until(b, "state "+jid+" online")
			time.Sleep(5 * time.Second)
			rss = r.rssMiB()
		}
		r.stop()
	}
	b.ReportMetric(float64(mapped.Milliseconds())/float64(b.N), "ms-to-window")
	b.ReportMetric(float64(cached.Milliseconds())/float64(b.N), "ms-to-cached-roster")
	b.ReportMetric(rss, "MiB-RSS-idle-1000")
	b.ReportMetric(signInMs, "ms-signin-to-roster1000")
	b.ReportMetric(chatsRSS(b, bin, profile, pass, jid), "MiB-RSS-1000-and-5-chats-of-10000")
}

// chatsRSS stores 5 conversations of 10,000 messages, starts the app,
// opens the 5 chats from the keyboard (Ctrl+F, name, Enter) and returns
// the RSS after 5 s idle.
func chatsRSS(b *testing.B, bin, profile, pass, jid string) float64 {
	store, err := history.Open(filepath.Join(profile, "history.db"))
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now().Add(-10000 * time.Minute)
	for c := 1; c <= 5; c++ {
		peer := fmt.Sprintf("contact%04d@example.org", c)
		for i := 0; i < 10000; i++ {
			dir := history.In
			if i%3 == 0 {
				dir = history.Out
			}
			m := &history.Message{Account: jid, Peer: peer, Direction: dir, Type: "chat",
				Body: fmt.Sprintf("Message %d of a long conversation, with a few more words to be realistic.", i),
				Sent: now.Add(time.Duration(i) * time.Minute), State: history.StateAcked}
			if dir == history.In {
				m.State = history.StateReceived
			}
			if err := store.Add(m); err != nil {
				b.Fatal(err)
			}
		}
	}
	store.Close()
	r := launch(b, bin, profile, pass)
	defer r.stop()
	r.mapped(b)
	r.until(b, "state "+jid+" online")
	main := waitWindow(&testing.T{}, "^Causerie")
	for c := 1; c <= 5; c++ {
		exec.Command("xdotool", "windowfocus", "--sync", main).Run()
		exec.Command("xdotool", "key", "ctrl+f").Run()
		exec.Command("xdotool", "key", "ctrl+a").Run()
		exec.Command("xdotool", "type", fmt.Sprintf("Contact %d", c)).Run()
		exec.Command("xdotool", "key", "Return").Run()
		time.Sleep(700 * time.Millisecond)
	}
	out, _ := exec.Command("xdotool", "search", "--onlyvisible", "--name", "Contact 5").Output()
	if len(strings.Fields(string(out))) == 0 {
		b.Fatal("the chats did not open")
	}
	time.Sleep(5 * time.Second)
	return r.rssMiB()
}
