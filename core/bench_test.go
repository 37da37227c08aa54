package core

import (
	"context"
	"encoding/xml"
	"fmt"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/causerie/causerie/core/account"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/internal/hostile"
	"gosrc.io/xmpp/stanza"
)

func rosterOf(n int) []Contact {
	cs := make([]Contact, n)
	for i := range cs {
		cs[i] = Contact{JID: fmt.Sprintf("contact%05d@example.org", i), Name: fmt.Sprintf("Contact %d", i),
			Groups: []string{"Group " + fmt.Sprint(i%20)}, Subscription: SubBoth, InRoster: true}
	}
	return cs
}

// BenchmarkRoster5000 loads a 5,000-contact roster, applies one presence
// per contact (a third with two resources) and produces the sorted view.
func BenchmarkRoster5000(b *testing.B) {
	items := rosterOf(5000)
	shows := []Show{ShowAvailable, ShowAway, ShowDND, ShowXA, ShowChat}
	now := time.Now()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		r := NewRoster()
		r.replace(items, "v1")
		for j, c := range items {
			r.setPresence(c.JID, Resource{Name: "home", Show: shows[j%5], Priority: j % 3, Since: now}, true)
			if j%3 == 0 {
				r.setPresence(c.JID, Resource{Name: "work", Show: ShowAway, Priority: 5, Since: now}, true)
			}
		}
		if got := len(r.Contacts()); got != 5000 {
			b.Fatal(got)
		}
	}
}

// BenchmarkRosterMemory reports the heap held per 1,000 contacts with
// presence.
func BenchmarkRosterMemory(b *testing.B) {
	items := rosterOf(1000)
	var rs []*Roster
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := 0; i < b.N; i++ {
		r := NewRoster()
		r.replace(items, "v1")
		for _, c := range items {
			r.setPresence(c.JID, Resource{Name: "home", Status: "Au travail", Since: time.Now()}, true)
		}
		rs = append(rs, r)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(b.N), "heapB/1000contacts")
	runtime.KeepAlive(rs)
}

// BenchmarkIncomingMessages stores and publishes received chat messages
// through the session's handler (the path every message takes), on a
// real SQLite store.
// benchClient is a client with a fresh history and the account
// me@example.org, made with opts.
func benchClient(b testing.TB, opts Options) (*Client, *Session) {
	dir := b.TempDir()
	accts, err := account.OpenStore(filepath.Join(dir, "config"))
	if err != nil {
		b.Fatal(err)
	}
	store, err := history.Open(filepath.Join(dir, "history.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	c := NewClient(accts, nil, store, opts)
	s, err := c.AddAccount(context.Background(), account.Account{JID: "me@example.org"}, "")
	if err != nil {
		b.Fatal(err)
	}
	return c, s
}

func BenchmarkIncomingMessages(b *testing.B) {
	c, s := benchClient(b, Options{})
	var events int
	c.Subscribe(func(Event) { events++ })
	msgs := make([]*stanza.Message, b.N)
	for i := range msgs {
		m := stanza.NewMessage(stanza.Attrs{From: fmt.Sprintf("friend%d@example.org/phone", i%50), Type: stanza.MessageTypeChat, Id: fmt.Sprintf("id-%d", i)})
		m.Body = fmt.Sprintf("Salut ! message numéro %d", i)
		msgs[i] = &m
	}
	b.ReportAllocs()
	b.ResetTimer()
	for _, m := range msgs {
		s.HandleMessage(nil, m)
	}
	b.StopTimer()
	if events != b.N {
		b.Fatalf("%d events for %d messages", events, b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkMessageDoc: what showing a message costs in core: its stored
// XHTML-IM parsed again, or its plain body styled (XEP-0393) and linked.
func BenchmarkMessageDoc(b *testing.B) {
	rich := history.Message{Body: "Hello bold red", Rich: `<body xmlns='http://www.w3.org/1999/xhtml'><p>Hello <strong>bold</strong> <span style='color: #cc0000'>red</span> <a href='https://example.org/'>link</a></p><ul><li>one</li><li>two</li></ul></body>`}
	plain := history.Message{Body: "Salut *Tintin* ! Tu as vu _Milou_ ? https://example.org/journal\n> Mille sabords\n`code`"}
	for _, c := range []struct {
		name string
		m    history.Message
	}{{"xhtml", rich}, {"styled-plain", plain}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if MessageDoc(c.m).Empty() {
					b.Fatal("empty")
				}
			}
		})
	}
}

// BenchmarkHostileBoB: a ~300 KB message of 2,000 images naming one
// 190 KiB XEP-0231 item, handled (stored) and read back for display.
func BenchmarkHostileBoB(b *testing.B) {
	raw := hostile.BoBMessage("mallory@example.org/x", 2000, 190<<10)
	dir := b.TempDir()
	accts, _ := account.OpenStore(filepath.Join(dir, "config"))
	store, err := history.Open(filepath.Join(dir, "history.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	c := NewClient(accts, nil, store, Options{})
	defer c.Close()
	s, _ := c.AddAccount(context.Background(), account.Account{JID: "me@example.org"}, "")
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		var m stanza.Message
		if err := xml.Unmarshal(raw, &m); err != nil {
			b.Fatal(err)
		}
		m.Id = fmt.Sprint("bob-", i)
		s.HandleMessage(nil, &m)
		msgs, _ := s.History("mallory@example.org", 1)
		MessageDoc(msgs[0])
	}
}

// BenchmarkStoreArchived: a catch-up's pages of archived messages
// (core/mam, 250 a page, the page size it asks for) stored one
// transaction a page, deduplicated and published.
func BenchmarkStoreArchived(b *testing.B) {
	var h *Hook
	probe := &Feature{Name: "bench", Attach: func(hk *Hook) any { h = hk; return nil }}
	c, _ := benchClient(b, Options{Features: []*Feature{probe}})
	var events int
	c.Subscribe(func(Event) { events++ })
	const page = 250
	at := time.Now().Add(-time.Hour)
	pages := make([][]Archived, (b.N+page-1)/page)
	for i := 0; i < b.N; i++ {
		m := stanza.NewMessage(stanza.Attrs{From: fmt.Sprintf("friend%d@example.org/phone", i%50), To: "me@example.org/causerie",
			Type: stanza.MessageTypeChat, Id: fmt.Sprintf("id-%d", i)})
		m.Body = fmt.Sprintf("Salut ! message numéro %d", i)
		pages[i/page] = append(pages[i/page], Archived{ID: fmt.Sprintf("a%d", i), Stamp: at.Add(time.Duration(i) * time.Millisecond), Message: &m})
	}
	b.ReportAllocs()
	b.ResetTimer()
	for _, p := range pages {
		if _, err := h.StoreArchived(nil, p, false); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if events != b.N {
		b.Fatalf("%d events for %d messages", events, b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
