package chaos

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/carbons"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/mam"
	"github.com/causerie/causerie/internal/testserver"
)

var (
	deviceFaults   = flag.Int("chaos.device-faults", 60, "faults per server in TestChaosDevices")
	deviceMessages = flag.Int("chaos.device-messages", 600, "messages to the account with two devices, per server")
)

// TestChaosDevices: one account signed in on two devices (desktop and
// phone, with carbons and archive catch-up, as the app has them), and a
// contact. The contact writes to the account, each device writes to the
// contact, while the three links are cut, frozen and refused at random.
// The servers keep a dropped session one second only, so that many
// faults end in a new session and its catch-up from the archive; what a
// session lost goes to the other device, to offline storage, or only to
// the archive. After the faults, each device signs in once more (its
// catch-up), and the three histories hold every message once: the two
// devices the same set, each device's own messages as sent and the
// other's as sent too; the contact's messages are all confirmed.
func TestChaosDevices(t *testing.T) {
	for _, k := range []testserver.Kind{testserver.Prosody, testserver.Ejabberd} {
		t.Run(string(k), func(t *testing.T) {
			t.Parallel()
			runDevices(t, testserver.Shared(t, k, testserver.Options{Archive: true, SQLArchive: true, ResumeWindow: time.Second}))
		})
	}
}

func runDevices(t *testing.T, srv *testserver.Server) {
	s := runSeed()
	rng := rand.New(rand.NewPCG(s, 17))
	start := time.Now()
	features := []*core.Feature{carbons.Feature, mam.Feature}
	jid, pass := srv.NewUser(t)
	desk := newDevice(t, srv, jid, pass, "desktop", features...)
	phone := newDevice(t, srv, jid, pass, "phone", features...)
	b := newUser(t, srv)
	users := []*user{desk, phone, b}
	for _, u := range users {
		u.s.Connect()
	}
	for _, u := range users {
		u.waitOnline(t)
	}
	befriend(t, desk, b)

	n := *deviceMessages
	pace := time.Duration(int64(*deviceFaults) * int64(450*time.Millisecond) / int64(n))
	var sendErrs atomic.Int64
	var wg sync.WaitGroup
	var bIDs []int64
	wg.Add(3)
	go func() { defer wg.Done(); bIDs = sender(t, b, "b", jid, n, pace, &sendErrs) }()
	go func() { defer wg.Done(); sender(t, desk, "desktop", b.jid, n/2, pace, &sendErrs) }()
	go func() { defer wg.Done(); sender(t, phone, "phone", b.jid, n/2, pace, &sendErrs) }()
	counts := &faultCounts{byKind: map[string]int{}}
	if err := inject(rng, *deviceFaults, users, counts); err != nil {
		t.Error(err)
	}
	wg.Wait()
	faulted := time.Since(start)
	caughtDuring := desk.caught.Load() + phone.caught.Load()

	// Each device signs in once more: its catch-up.
	for _, u := range users {
		u.px.Cut()
	}
	for _, u := range []*user{desk, phone} {
		u.waitOnline(t)
		done := make(chan struct{}, 1)
		cancel := u.client.Subscribe(func(e core.Event) {
			if _, ok := e.(mam.CatchUpDone); ok {
				select {
				case done <- struct{}{}:
				default:
				}
			}
		})
		u.s.Disconnect()
		u.s.Connect()
		select {
		case <-done:
		case <-time.After(time.Minute):
			t.Errorf("%s/%s: no catch-up a minute after signing in again", u.jid, u.resource)
		}
		cancel()
	}

	// What each history must hold: body → direction, for the account's
	// devices (the contact's is the other way round).
	mine := map[string]history.Direction{}
	for i := range n {
		mine[fmt.Sprintf("b #%06d", i)] = history.In
	}
	for i := range n / 2 {
		mine[fmt.Sprintf("desktop #%06d", i)] = history.Out
		mine[fmt.Sprintf("phone #%06d", i)] = history.Out
	}
	theirs := map[string]history.Direction{}
	for body, d := range mine {
		theirs[body] = history.In + history.Out - d
	}
	type view struct {
		u    *user
		peer string
		want map[string]history.Direction
	}
	views := []view{{desk, b.jid, mine}, {phone, b.jid, mine}, {b, jid, theirs}}
	var problems []string
	deadline := time.Now().Add(3 * time.Minute)
	for {
		problems = problems[:0]
		for _, v := range views {
			problems = append(problems, compare(t, v.u, v.peer, v.want)...)
		}
		if len(problems) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	// The contact's messages confirmed (receipts), though the server may
	// also have bounced a copy a dying session of the account's held.
	var delivered int
	for wait := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		if delivered = outgoing(t, b, bIDs)[history.StateDelivered]; delivered == len(bIDs) || time.Now().After(wait) {
			break
		}
	}
	if delivered != len(bIDs) {
		problems = append(problems, fmt.Sprintf("b: %d of its %d messages confirmed", delivered, len(bIDs)))
		for _, line := range undelivered(t, b, bIDs, desk, phone) {
			problems = append(problems, "not confirmed: "+line)
		}
	}
	t.Logf("chaos with two devices: %s seed %d: %d faults %s in %s, settled in %s; "+
		"catch-ups stored %d messages during the faults, %d in all (desktop %d, phone %d); "+
		"the contact's messages confirmed: %d of %d; state changes %d/%d/%d",
		srv.Kind, s, counts.total, counts, faulted.Round(time.Second), time.Since(start.Add(faulted)).Round(time.Second),
		caughtDuring, desk.caught.Load()+phone.caught.Load(), desk.caught.Load(), phone.caught.Load(),
		delivered, len(bIDs), desk.states.Load(), phone.states.Load(), b.states.Load())
	if counts.total < *deviceFaults || sendErrs.Load() > 0 {
		t.Errorf("%d faults, %d send errors", counts.total, sendErrs.Load())
	}
	for i, p := range problems {
		if i == 20 {
			t.Errorf("… and %d more", len(problems)-i)
			break
		}
		t.Error(p)
	}
}

// compare says how u's history with peer differs from want (body →
// direction): messages missing, twice, in the wrong direction, or not
// sent at all.
func compare(t *testing.T, u *user, peer string, want map[string]history.Direction) []string {
	ms, err := u.store.Latest(u.jid, peer, 4*len(want)+100)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	var out []string
	for _, m := range ms {
		d, ok := want[m.Body]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("%s/%s: unexpected %q (%v, type %q, state %v %q, from %q, wire id %q, stanza-id %q, subject %q)",
				u.jid, u.resource, m.Body, m.Direction, m.Type, m.State, m.Error, m.Resource, m.WireID, m.StanzaID, m.Subject))
		case d != m.Direction:
			out = append(out, fmt.Sprintf("%s/%s: %q stored as %v", u.jid, u.resource, m.Body, m.Direction))
		}
		seen[m.Body]++
	}
	var missing, twice []string
	for body := range want {
		switch seen[body] {
		case 0:
			missing = append(missing, body)
		case 1:
		default:
			twice = append(twice, body)
		}
	}
	sort.Strings(missing)
	sort.Strings(twice)
	if len(missing) > 0 {
		out = append(out, fmt.Sprintf("%s/%s: %d missing: %s", u.jid, u.resource, len(missing), strings.Join(first(missing, 8), ", ")))
	}
	if len(twice) > 0 {
		out = append(out, fmt.Sprintf("%s/%s: %d more than once: %s", u.jid, u.resource, len(twice), strings.Join(first(twice, 8), ", ")))
	}
	return out
}

func first(s []string, n int) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// undelivered explains the first of from's messages not delivered: how
// each device holds it.
func undelivered(t *testing.T, from *user, ids []int64, devices ...*user) []string {
	var out []string
	for _, id := range ids {
		m, err := from.store.Get(id)
		if err != nil {
			t.Fatal(err)
		}
		if m.State == history.StateDelivered {
			continue
		}
		line := fmt.Sprintf("%q (%v, sent %s):", m.Body, m.State, m.Sent.Format("15:04:05.000"))
		for _, d := range devices {
			ms, _ := d.store.Latest(d.jid, from.jid, 4*len(ids))
			for _, dm := range ms {
				if dm.Body == m.Body {
					line += fmt.Sprintf(" %s: received %s, sent %s, stanza-id %q;", d.resource,
						dm.Received.Format("15:04:05.000"), dm.Sent.Format("15:04:05.000"), dm.StanzaID)
				}
			}
		}
		out = append(out, line)
		if len(out) == 5 {
			break
		}
	}
	return out
}
