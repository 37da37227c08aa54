package muc

import (
	"encoding/xml"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/xmpp"
	wire "github.com/causerie/causerie/core/xmpp/muc"
	"github.com/causerie/causerie/internal/coretest"
	"github.com/causerie/causerie/internal/testserver"
	"github.com/causerie/causerie/internal/xmpptest"
	"gosrc.io/xmpp/stanza"
)

// crowdN is the number of occupants of BenchmarkJoinCrowded's room.
const crowdN = 1000

var (
	crowdMu  sync.Mutex
	crowdFor = map[testserver.Kind]string{}
)

// crowdedRoom makes, once per server, a room with crowdN occupants: 100
// accounts signed in 10 times each (ejabberd lets an account have 10
// sessions), each session in the room under its own nick. Every join is
// told to everyone already in: the room sends half a million presences
// while it fills.
func crowdedRoom(b *testing.B, srv *testserver.Server) string {
	crowdMu.Lock()
	defer crowdMu.Unlock()
	if room, ok := crowdFor[srv.Kind]; ok {
		return room
	}
	owner := coretest.NewUser(b, srv, Feature)
	owner.Connect(b)
	room := newRoomName(srv, "foule")
	enter(b, owner, room, "hôte")
	waitForRoom(b, Of(owner.Session), room)
	began := time.Now()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	for a := 0; a < crowdN/10; a++ {
		jid, pass := srv.NewUser(b)
		for r := 0; r < 10; r++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				c := xmpptest.DialAs(b, srv, jid, pass, fmt.Sprint("r", r), &xmpp.Mux{})
				c.Send(wire.Join(room, fmt.Sprintf("membre %03d-%d", a, r), "", true))
			}()
		}
	}
	wg.Wait()
	rooms := Of(owner.Session)
	deadline := time.Now().Add(5 * time.Minute)
	for len(rooms.Occupants(room)) < crowdN+1 {
		if time.Now().After(deadline) {
			b.Fatalf("%d occupants", len(rooms.Occupants(room)))
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.Logf("%s: %d occupants in %s", srv.Kind, crowdN, time.Since(began).Round(time.Millisecond))
	crowdFor[srv.Kind] = room
	return room
}

// BenchmarkJoinCrowded: entering a room of 1,000 occupants, from Join
// to the Joined event with all of them listed (the room's disco#info,
// the join, 1,001 presences read), on each server. list-ms is when the
// last presence of those already in the room came: the list is complete
// then, though only our own presence, which the room sends last, says
// so (Prosody first tells the 1,000 others about us).
func BenchmarkJoinCrowded(b *testing.B) {
	for _, k := range []testserver.Kind{testserver.Prosody, testserver.Ejabberd} {
		b.Run(string(k), func(b *testing.B) {
			srv := testserver.Shared(b, k, testserver.Options{})
			room := crowdedRoom(b, srv)
			var lastMu sync.Mutex
			var last time.Time
			// Sees the room's presences before the feature does.
			timing := &core.Feature{Name: "timing", Attach: func(h *core.Hook) any {
				h.HandlePresence(func(_ *xmpp.Conn, p *stanza.Presence) bool {
					if xmpp.SameBare(p.From, room) && xmpp.ResourceOf(p.From) != "visiteur" {
						lastMu.Lock()
						last = time.Now()
						lastMu.Unlock()
					}
					return false
				})
				return nil
			}}
			u := coretest.NewUser(b, srv, timing, Feature)
			u.Connect(b)
			r := Of(u.Session)
			var cpu, list time.Duration
			for b.Loop() {
				began := cpuTime()
				start := time.Now()
				mark := u.Events.Mark()
				if err := r.Join(room, "visiteur", ""); err != nil {
					b.Fatal(err)
				}
				j := u.Events.WaitFrom(b, mark, "in the crowded room", joinedAs(room, "visiteur")).(Joined)
				if len(j.Occupants) != crowdN+2 {
					b.Fatalf("%d occupants", len(j.Occupants))
				}
				cpu += cpuTime() - began // with the 1,000 occupants' connections told of us
				lastMu.Lock()
				list += last.Sub(start)
				lastMu.Unlock()
				b.StopTimer()
				r.Leave(room)
				u.Conn(b).Ping(b.Context(), srv.Domain) // the leave is through
				b.StartTimer()
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/join")
			b.ReportMetric(float64(list.Milliseconds())/float64(b.N), "list-ms/join")
			b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "process-cpu-ms/join")
		})
	}
}

// roomCatchUpN is the size of BenchmarkRoomCatchUp's catch-up.
const roomCatchUpN = 10_000

// BenchmarkRoomCatchUp: an occupant comes back to a room where 10,000
// messages were said while away, on each server with its archive in
// SQLite: from Join to the end of the room's catch-up, all of them
// stored (40 pages of 250).
func BenchmarkRoomCatchUp(b *testing.B) {
	for _, k := range []testserver.Kind{testserver.Prosody, testserver.Ejabberd} {
		b.Run(string(k), func(b *testing.B) {
			srv := testserver.Shared(b, k, testserver.Options{Archive: true, SQLArchive: true})
			talker := coretest.NewUser(b, srv, Feature)
			talker.Connect(b)
			room := newRoomName(srv, "bavards")
			tr := Of(talker.Session)
			enter(b, talker, room, "bavard")
			waitForRoom(b, tr, room)
			first := coretest.NewUser(b, srv, Feature)
			first.Connect(b)
			if err := Of(first.Session).Join(room, "lecteur", ""); err != nil {
				b.Fatal(err)
			}
			first.Events.Wait(b, "the reader in", joinedAs(room, "lecteur"))
			m, _ := tr.Say(room, "Premier message")
			first.Events.Wait(b, "the first message", roomBody(room, m.Body))
			held, _, _ := first.Client.Store().LatestBy(first.JID, room, history.In)
			first.Session.Disconnect()

			began := time.Now()
			conn := talker.Conn(b)
			for i := range roomCatchUpN {
				conn.Send(wire.Say(room, fmt.Sprintf("Message numéro %d de la foule", i), ""))
				if i%500 == 499 {
					conn.Ping(b.Context(), srv.Domain) // paced: the room keeps up
				}
			}
			deadline := time.Now().Add(10 * time.Minute)
			for {
				if msgs, _ := talker.Session.History(room, 1); len(msgs) == 1 && msgs[0].Body == fmt.Sprintf("Message numéro %d de la foule", roomCatchUpN-1) {
					break
				}
				if time.Now().After(deadline) {
					b.Fatal("the room did not reflect every message")
				}
				time.Sleep(50 * time.Millisecond)
			}
			b.Logf("%s: the room archived %d messages in %s", k, roomCatchUpN, time.Since(began).Round(time.Millisecond))

			var cpu time.Duration
			for b.Loop() {
				b.StopTimer()
				dev := coretest.Login(b, srv, first.JID, first.Password, Feature)
				held.ID = 0
				if err := dev.Client.Store().Add(&held); err != nil {
					b.Fatal(err)
				}
				dev.Connect(b)
				mark := dev.Events.Mark()
				b.StartTimer()
				began := cpuTime()
				if err := Of(dev.Session).Join(room, "lecteur", ""); err != nil {
					b.Fatal(err)
				}
				d := dev.Events.WaitFrom(b, mark, "the room's catch-up", caughtUp(room)).(CatchUpDone)
				cpu += cpuTime() - began
				b.StopTimer()
				if d.Err != nil || d.Stored < roomCatchUpN {
					b.Fatalf("catch-up: %+v", d)
				}
				dev.Session.Disconnect()
				b.StartTimer()
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/catch-up")
			b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "client-cpu-ms/catch-up")
		})
	}
}

// BenchmarkCrowdPresences: our side of entering a room of 1,000
// occupants, without the network: the room's 1,001 presences (each
// occupant's, then ours) decoded as the stream decodes them and taken
// by the model, up to the Joined event with everyone listed.
func BenchmarkCrowdPresences(b *testing.B) {
	u := coretest.Login(b, &testserver.Server{}, "me@example.org", "x", Feature) // never connected
	r := Of(u.Session)
	const room = "foule@conference.example.org"
	raw := make([][]byte, 0, crowdN+1)
	for i := range crowdN {
		raw = append(raw, []byte(fmt.Sprintf(`<presence from='%s/membre %04d' to='me@example.org/causerie'>`+
			`<x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='none' role='participant'/></x></presence>`, room, i)))
	}
	raw = append(raw, []byte(`<presence from='`+room+`/moi' to='me@example.org/causerie'>`+
		`<x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='member' role='participant'/><status code='110'/></x></presence>`))
	var joined int
	u.Client.Subscribe(func(e core.Event) {
		if j, ok := e.(Joined); ok {
			joined = len(j.Occupants)
		}
	})
	b.ReportAllocs()
	for b.Loop() {
		r.mu.Lock()
		r.rooms[room] = &entry{jid: room, nick: "moi", archived: -1, occupants: map[string]Occupant{}}
		r.mu.Unlock()
		for _, x := range raw {
			var p stanza.Presence
			if err := xml.Unmarshal(x, &p); err != nil {
				b.Fatal(err)
			}
			r.presence(nil, &p)
		}
	}
	if joined != crowdN+1 {
		b.Fatalf("Joined with %d occupants", joined)
	}
}
