// Command demo runs Causerie against a private local Prosody with a demo
// account, contacts in groups and scripted buddies, and a group chat
// (bookmarked, entered at sign-in) where three of them talk, so a
// newcomer sees everything working without an account of their own
// (make demo).
//
// Usage: go run ./internal/demo -app bin/causerie
package main

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/account"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/muc"
	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/internal/testserver"
)

type buddy struct {
	user, name string
	groups     []string
	presence   core.Presence
	client     *core.Client
	session    *core.Session
	jid, pass  string
}

func main() {
	appPath := flag.String("app", "bin/causerie", "the Causerie binary to start")
	setupOnly := flag.Bool("setup-only", false, "prepare the server and profile, print them, and wait (no app)")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("demo: ")

	srv, err := testserver.Launch(testserver.Prosody, testserver.Options{})
	if err != nil {
		log.Fatalf("cannot start Prosody (apt-get install prosody): %v", err)
	}
	defer srv.Stop()
	base, err := os.MkdirTemp("", "causerie-demo-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(base)

	me := &buddy{user: "moi"}
	buddies := []*buddy{
		{user: "tintin", name: "Tintin", groups: []string{"Amis"}, presence: core.Presence{Show: core.ShowChat, Status: "En route pour la Lune !"}},
		{user: "haddock", name: "Capitaine Haddock", groups: []string{"Amis", "Moulinsart"}, presence: core.Presence{Show: core.ShowDND, Status: "Mille sabords !"}},
		{user: "tournesol", name: "Professeur Tournesol", groups: []string{"Moulinsart"}, presence: core.Presence{Show: core.ShowAway, Status: "Au laboratoire"}},
		{user: "dupont", name: "Dupont", groups: []string{"Travail"}, presence: core.Presence{Show: core.ShowXA, Status: "Je dirais même plus…"}},
		{user: "nestor", name: "Nestor", groups: nil, presence: core.Presence{}},
	}
	castafiore := &buddy{user: "castafiore", name: "Bianca Castafiore"}
	all := append([]*buddy{me, castafiore}, buddies...)
	for _, b := range all {
		b.jid, b.pass = b.user+"@"+srv.Domain, randomPassword()
		if err := srv.Register(b.user, b.pass); err != nil {
			log.Fatalf("register %s: %v", b.user, err)
		}
		connect(srv, base, b)
	}
	ctx := context.Background()
	for _, b := range buddies {
		mutual(ctx, me, b)
	}
	for _, b := range buddies {
		if err := b.session.SetPresence(ctx, b.presence); err != nil {
			log.Printf("presence of %s: %v", b.user, err)
		}
	}
	room := "moulinsart@conference." + srv.Domain
	openRoom(ctx, me, room, buddies[1], buddies[0], buddies[2])
	me.session.Disconnect() // the app signs in as moi

	// The app's profile: the demo account, its server certificate pinned
	// (trust on first use), history in the profile.
	cfgDir := filepath.Join(base, "app", "config")
	accts, err := account.OpenStore(cfgDir)
	if err != nil {
		log.Fatal(err)
	}
	if err := accts.Put(account.Account{JID: me.jid, DisplayName: "Moi", Host: srv.Host, Port: srv.Port,
		Pinned: []string{xmpp.FormatFingerprint(srv.CertSHA256)}, AutoConnect: true}); err != nil {
		log.Fatal(err)
	}
	script(ctx, me.jid, buddies[0], buddies[1], castafiore)

	if *setupOnly {
		fmt.Printf("server %s, account %s, password %s, profile %s\n", srv.Addr(), me.jid, me.pass, cfgDir)
		waitSignal()
		return
	}
	cmd := exec.Command(*appPath, "-config", cfgDir, "-history", filepath.Join(base, "app", "history.db"), "-password-stdin")
	cmd.Stdin = strings.NewReader(me.pass + "\n")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	log.Printf("starting %s signed in as %s (contacts in groups; Tintin answers your messages)", *appPath, me.jid)
	if err := cmd.Run(); err != nil {
		log.Printf("the app ended: %v", err)
	}
	for _, b := range all {
		b.client.Close()
	}
}

func randomPassword() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// connect signs a buddy in with a headless core client.
func connect(srv *testserver.Server, base string, b *buddy) {
	dir := filepath.Join(base, b.user)
	accts, err := account.OpenStore(filepath.Join(dir, "config"))
	if err != nil {
		log.Fatal(err)
	}
	store, err := history.Open(filepath.Join(dir, "history.db"))
	if err != nil {
		log.Fatal(err)
	}
	b.client = core.NewClient(accts, nil, store, core.Options{TLSConfig: &tls.Config{RootCAs: srv.CertPool}, DefaultResource: "demo",
		Features: []*core.Feature{muc.Feature}})
	b.client.Logf = func(string, ...any) {}
	s, err := b.client.AddAccount(context.Background(), account.Account{JID: b.jid, Host: srv.Host, Port: srv.Port}, b.pass)
	if err != nil {
		log.Fatal(err)
	}
	b.session = s
	online := make(chan error, 1)
	cancel := b.client.Subscribe(func(e core.Event) {
		if st, ok := e.(core.ConnectionStateChanged); ok && (st.State == core.StateOnline || st.State == core.StateOffline && st.Err != nil) {
			select {
			case online <- st.Err:
			default:
			}
		}
	})
	defer cancel()
	s.Connect()
	if err := <-online; err != nil {
		log.Fatalf("%s cannot sign in: %v", b.user, err)
	}
}

// waitEvent waits (bounded) for an event on c matching f.
func waitEvent(c *core.Client, f func(core.Event) bool) {
	ch := make(chan struct{}, 1)
	cancel := c.Subscribe(func(e core.Event) {
		if f(e) {
			select {
			case ch <- struct{}{}:
			default:
			}
		}
	})
	defer cancel()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
	}
}

// mutual makes me and b contacts with subscription both, b in its groups.
func mutual(ctx context.Context, me, b *buddy) {
	requested := func(c *core.Client) func(core.Event) bool {
		return func(e core.Event) bool { _, ok := e.(core.SubscriptionRequested); return ok }
	}
	go func() {
		waitEvent(b.client, requested(b.client))
		b.session.ApproveSubscription(ctx, me.jid, core.ApproveOptions{AddBack: true, Name: "Moi"})
	}()
	if err := me.session.AddContact(ctx, core.AddContactRequest{JID: b.jid, Name: b.name, Groups: b.groups, Subscribe: true}); err != nil {
		log.Fatalf("add %s: %v", b.user, err)
	}
	waitEvent(me.client, requested(me.client))
	me.session.ApproveSubscription(ctx, b.jid, core.ApproveOptions{AddBack: true})
	waitEvent(me.client, func(core.Event) bool {
		c, ok := me.session.Roster().Contact(b.jid)
		return ok && c.Subscription == core.SubBoth
	})
}

// script makes the buddies lively: Tintin answers every message; when the
// demo user comes online Tintin and Haddock say hello and Castafiore asks
// to be added.
func script(ctx context.Context, me string, tintin, haddock, castafiore *buddy) {
	tintin.client.Subscribe(func(e core.Event) {
		m, ok := e.(core.MessageReceived)
		if !ok || m.Message.Direction != history.In || m.Message.Peer != me {
			return
		}
		go tintin.session.SendMessage(me, core.TypeChat, "", "Bien reçu : « "+m.Message.Body+" ». Milou te salue !")
	})
	greeted := false
	tintin.client.Subscribe(func(e core.Event) {
		p, ok := e.(core.PresenceChanged)
		if !ok || p.Contact.JID != me || !p.Contact.Online() || greeted {
			return
		}
		greeted = true
		go func() {
			time.Sleep(time.Second)
			tintin.session.SendMessage(me, core.TypeChat, "", "Salut ! Tu as vu Milou ?")
			haddock.session.SendMessage(me, core.TypeNormal, "Moulinsart", "Venez dîner au château samedi, tonnerre de Brest !")
			castafiore.session.RequestSubscription(me, "Ah ! Je ris de me voir si belle en ce miroir !")
		}()
	})
}

// openRoom has the host make the room and set its subject, the others
// come in, and bookmarks it for me (entered at sign-in). Then they talk:
// a line every 20 seconds, and the one named in what the user says
// answers.
func openRoom(ctx context.Context, me *buddy, room string, host *buddy, guests ...*buddy) {
	enter := func(b *buddy) {
		joined := make(chan struct{}, 1)
		cancel := b.client.Subscribe(func(e core.Event) {
			if j, ok := e.(muc.Joined); ok && j.Room == room {
				select {
				case joined <- struct{}{}:
				default:
				}
			}
		})
		defer cancel()
		for try := 0; try < 20; try++ {
			if err := muc.Of(b.session).Join(room, b.name, ""); err != nil {
				log.Fatalf("%s cannot enter the room: %v", b.user, err)
			}
			select {
			case <-joined:
				return
			case <-time.After(500 * time.Millisecond): // the room is being made
			}
		}
		log.Fatalf("%s cannot enter the room", b.user)
	}
	enter(host)
	time.Sleep(300 * time.Millisecond)
	muc.Of(host.session).SetSubject(room, "Le trésor de Rackham le Rouge")
	for _, g := range guests {
		enter(g)
	}
	waitEvent(me.client, func(e core.Event) bool { _, ok := e.(muc.BookmarksChanged); return ok })
	time.Sleep(500 * time.Millisecond) // the bookmarks read after sign-in
	if err := muc.Of(me.session).SaveBookmark(ctx, muc.Bookmark{JID: room, Name: "Château de Moulinsart", Nick: "Moi", Autojoin: true}); err != nil {
		log.Printf("the demo room is not bookmarked: %v", err)
	}
	talkers := append([]*buddy{host}, guests...)
	lines := []string{
		"Tonnerre de Brest ! Qui a vu ma pipe ?",
		"Elle est sur la cheminée, Capitaine.",
		"Comment ? Une tartine ? Non merci, j'ai déjà déjeuné.",
		"Je pars demain pour le Pérou, qui vient ?",
		"Mille millions de mille sabords, encore un voyage !",
	}
	go func() {
		for i := 0; ; i++ {
			time.Sleep(20 * time.Second)
			muc.Of(talkers[i%len(talkers)].session).Say(room, lines[i%len(lines)])
		}
	}()
	for _, b := range talkers {
		b.client.Subscribe(func(e core.Event) {
			m, ok := e.(muc.MessageReceived)
			if !ok || m.Message.Peer != room || m.Message.Direction != history.In || m.Message.Resource != "Moi" || m.Archived {
				return
			}
			if muc.Mentions(m.Message.Body, b.name) || (b == host && !mentionsAny(m.Message.Body, talkers)) {
				go muc.Of(b.session).Say(room, "Moi : bien reçu, « "+m.Message.Body+" » !")
			}
		})
	}
}

// mentionsAny reports whether body names one of the buddies.
func mentionsAny(body string, bs []*buddy) bool {
	for _, b := range bs {
		if muc.Mentions(body, b.name) {
			return true
		}
	}
	return false
}

func waitSignal() {
	c := make(chan os.Signal, 1)
	signal.Notify(c, os.Interrupt)
	<-c
}
