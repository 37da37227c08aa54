package xmpp

import (
	"encoding/xml"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/causerie/causerie/internal/hostile"
	"gosrc.io/xmpp/stanza"
)

// TestDecodeKeepsNamespacePrefixes: an extension whose children use a
// prefix declared on the extension itself or on the stanza keeps their
// namespace when it is decoded on its own.
func TestDecodeKeepsNamespacePrefixes(t *testing.T) {
	for name, in := range map[string]string{
		"on the extension": `<message xmlns='jabber:client'><ev:x xmlns:ev='jabber:x:event'><ev:composing/><ev:id>m1</ev:id></ev:x></message>`,
		"on the stanza":    `<message xmlns='jabber:client' xmlns:ev='jabber:x:event'><ev:x><ev:composing/><ev:id>m1</ev:id></ev:x></message>`,
		"default":          `<message xmlns='jabber:client'><x xmlns='jabber:x:event' xml:lang='fr'><composing/><id>m1</id></x></message>`,
	} {
		kids, err := children(in)
		if err != nil || len(kids) != 1 {
			t.Fatalf("%s: %v, %d children", name, err, len(kids))
		}
		var v struct {
			XMLName   xml.Name  `xml:"jabber:x:event x"`
			Composing *struct{} `xml:"jabber:x:event composing"`
			ID        string    `xml:"jabber:x:event id"`
		}
		if !kids[0].unmarshalInto(&v) || v.Composing == nil || v.ID != "m1" {
			t.Errorf("%s: decoded %+v from %s", name, v, kids[0].bytes())
		}
	}
}

// children decodes the children of the stanza in, keeping each.
func children(in string) ([]rawChild, error) {
	d := xml.NewDecoder(strings.NewReader(in))
	tok, _ := d.Token()
	var kids []rawChild
	err := decodeChildren(d, tok.(xml.StartElement), func(c *rawChild) { kids = append(kids, *c) })
	return kids, err
}

// prefixBomb is a message declaring n namespace prefixes on itself, with
// kids children: empty <a/> elements, and every 1000th an extension whose
// content uses one of the prefixes.
func prefixBomb(n, kids int) string {
	var b strings.Builder
	b.WriteString(`<message xmlns='jabber:client' from='mallory@evil.example/x'`)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, ` xmlns:p%04d='urn:p:%04d'`, i, i)
	}
	b.WriteByte('>')
	for i := 0; i < kids; i++ {
		if i%1000 == 999 {
			fmt.Fprintf(&b, `<x xmlns='urn:x'><p%04d:y/></x>`, i%n)
		} else {
			b.WriteString(`<a/>`)
		}
	}
	b.WriteString(`</message>`)
	return b.String()
}

// measure runs f and returns its wall time, the bytes it allocated and the
// peak heap sampled meanwhile. A runaway (over 1 GiB of live heap) aborts
// the test binary instead of exhausting the machine's memory.
func measure(f func()) (d time.Duration, alloc, peak uint64) {
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	stop, sampled := make(chan struct{}), make(chan uint64)
	go func() {
		var peak uint64
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapAlloc)
			if m.HeapAlloc > 1<<30 {
				panic(fmt.Sprintf("runaway allocation: %d MiB of heap", m.HeapAlloc>>20))
			}
			select {
			case <-stop:
				sampled <- peak
				return
			case <-tick.C:
			}
		}
	}()
	start := time.Now()
	f()
	d = time.Since(start)
	close(stop)
	peak = <-sampled
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	return d, after.TotalAlloc - before.TotalAlloc, peak - min(peak, before.HeapAlloc)
}

// TestNamespacePrefixesDoNotAmplify: a stanza with 2,000 prefix
// declarations and 50,000 children (issue 12, point 3) goes through the
// stream reader in under 1 s and 64 MB, and so does one with 60; the
// declarations are copied only into the children that use them.
func TestNamespacePrefixesDoNotAmplify(t *testing.T) {
	for _, n := range []int{2000, 60} {
		in := prefixBomb(n, 50000)
		var got int
		h := &Mux{}
		h.HandleMessageFunc(func(_ *Conn, m *stanza.Message) { got++ })
		var c *Conn
		d, alloc, peak := measure(func() { c, _ = runReader(t, strings.NewReader(in+"</stream:stream>"), h, 0) })
		t.Logf("%d declarations, 50,000 children (%d KB): %v, %d MB allocated, heap peak +%d MB", n, len(in)>>10, d, alloc>>20, peak>>20)
		if !errors.Is(c.Err(), errStreamEnd) || got != 1 {
			t.Fatalf("%d declarations: Err = %v, %d messages", n, c.Err(), got)
		}
		if d > time.Second || alloc > 64<<20 {
			t.Errorf("%d declarations: %v and %d MB to decode, want < 1 s and < 64 MB", n, d, alloc>>20)
		}
		checkPrefixCopies(t, in, n)
	}
}

// checkPrefixCopies decodes the bomb's children and checks that a child
// gets a declaration only when it is decoded on its own, and only the
// extensions do, the one they use.
func checkPrefixCopies(t *testing.T, in string, n int) {
	t.Helper()
	kids, err := children(in)
	if err != nil || len(kids) != 50000 {
		t.Fatalf("%v, %d children", err, len(kids))
	}
	for i := range kids {
		k := &kids[i]
		if prefixDecls(k) != 0 {
			t.Fatalf("child %d <%s/> got %d declarations before it was decoded", i, k.XMLName.Local, prefixDecls(k))
		}
		var v struct {
			Y []struct{ XMLName xml.Name } `xml:",any"`
		}
		ok := k.unmarshalInto(&v)
		if i%1000 != 999 {
			if !ok || len(k.Attrs) != 0 {
				t.Fatalf("child %d <%s/>: decoded %v, %d attributes", i, k.XMLName.Local, ok, len(k.Attrs))
			}
			continue
		}
		want := fmt.Sprintf("urn:p:%04d", i%n)
		if !ok || prefixDecls(k) != 1 || len(v.Y) != 1 || v.Y[0].XMLName.Space != want {
			t.Fatalf("child %d: decoded %+v from %s, want one declaration and y in %s", i, v, k.bytes(), want)
		}
	}
}

// prefixDecls counts the prefix declarations among a child's attributes.
func prefixDecls(k *rawChild) int {
	n := 0
	for _, a := range k.Attrs {
		if a.Name.Space == "xmlns" {
			n++
		}
	}
	return n
}

// longPrefixBomb is a message of at most size bytes declaring one prefix,
// a, whose value is valueLen bytes long, with as many registered
// extensions using it (XEP-0184 receipt requests whose text is "a:") as
// fit: each child decoded on its own with the declaration copied in means
// children × valueLen bytes to write and parse again.
func longPrefixBomb(valueLen, size int) string {
	const head, kid, tail = `<message xmlns='jabber:client' from='mallory@evil.example/x' xmlns:a='`, `<request xmlns='urn:xmpp:receipts'>a:</request>`, `</message>`
	var b strings.Builder
	b.Grow(size)
	b.WriteString(head)
	b.WriteString(strings.Repeat("x", valueLen))
	b.WriteString(`'>`)
	for b.Len()+len(kid)+len(tail) <= size {
		b.WriteString(kid)
	}
	b.WriteString(tail)
	return b.String()
}

// TestLongNamespacePrefixDoesNotAmplify: one 512 KiB prefix declaration on
// a message with as many registered extensions using it as fit in the
// 1 MiB stanza limit goes through the stream reader in under 1 s and
// 64 MB: the declaration is copied into the children decoded on their
// own only while the stanza's budget lasts, and the rest are dropped.
func TestLongNamespacePrefixDoesNotAmplify(t *testing.T) {
	in := longPrefixBomb(512<<10, 1<<20)
	kids := strings.Count(in, "<request ")
	var got []*stanza.Message
	h := &Mux{}
	h.HandleMessageFunc(func(_ *Conn, m *stanza.Message) { got = append(got, m) })
	var c *Conn
	d, alloc, peak := measure(func() { c, _ = runReader(t, strings.NewReader(in+"</stream:stream>"), h, 0) })
	t.Logf("one 512 KiB declaration, %d children (%d KB): %v, %d MB allocated, heap peak +%d MB", kids, len(in)>>10, d, alloc>>20, peak>>20)
	if !errors.Is(c.Err(), errStreamEnd) || len(got) != 1 {
		t.Fatalf("Err = %v, %d messages", c.Err(), len(got))
	}
	if limit := time.Second * hostile.Slowdown; d > limit || alloc > 64<<20 {
		t.Errorf("%v and %d MB to decode, want < %v and < 64 MB", d, alloc>>20, limit)
	}
	n := len(got[0].Extensions)
	t.Logf("%d of %d receipt requests decoded", n, kids)
	if n < 1 || n > 2 {
		t.Errorf("%d of %d receipt requests decoded, want the first (or two) within the budget", n, kids)
	}
}

// TestPrefixBudget: the budget for copying a stanza's declarations into
// its children is spent only on the children decoded on their own, lets
// every declaration be copied once however long, and lets an ordinary
// stanza give a short declaration to every child that uses it.
func TestPrefixBudget(t *testing.T) {
	const req = `<request xmlns='urn:xmpp:receipts'>a:</request>`
	long := strings.Repeat("x", 100<<10)
	for name, tc := range map[string]struct {
		in   string
		want int // receipt requests decoded
	}{
		// 1,000 unregistered extensions using the prefix spend nothing,
		// so the request after them still gets the declaration.
		"unregistered first": {`<message xmlns='jabber:client' xmlns:a='` + long + `'>` +
			strings.Repeat(`<x xmlns='urn:x'>a:</x>`, 1000) + req + req + `</message>`, 1},
		"short, many": {`<message xmlns='jabber:client' xmlns:a='urn:a'>` +
			strings.Repeat(req, 20000) + `</message>`, 20000},
	} {
		d := xml.NewDecoder(strings.NewReader(tc.in))
		tok, _ := d.Token()
		m, err := decodeMessage(d, tok.(xml.StartElement), false)
		if err != nil || len(m.Extensions) != tc.want {
			t.Errorf("%s: %v, %d receipt requests decoded, want %d", name, err, len(m.Extensions), tc.want)
		}
	}
	// An IQ's payload is decoded on its own, and so is each error: past
	// the budget an error using the prefix is dropped, not the IQ.
	in := `<iq xmlns='jabber:client' type='get' id='v1' xmlns:a='` + long + `'><query xmlns='jabber:iq:version'><a:x/></query>` +
		strings.Repeat(`<error type='cancel'><a:x/></error>`, 100) + `<error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>`
	d := xml.NewDecoder(strings.NewReader(in))
	tok, _ := d.Token()
	iq, err := decodeIQ(d, tok.(xml.StartElement))
	if err != nil || iq.Payload == nil || iq.Error == nil || iq.Error.Reason != "item-not-found" {
		t.Errorf("IQ: %v, payload %T, error %+v", err, iq.Payload, iq.Error)
	}
}
