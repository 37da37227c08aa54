package xmpp

import (
	"encoding/xml"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

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

// checkPrefixCopies decodes the bomb's children and checks that only the
// extensions got a declaration, the one they use.
func checkPrefixCopies(t *testing.T, in string, n int) {
	t.Helper()
	kids, err := children(in)
	if err != nil || len(kids) != 50000 {
		t.Fatalf("%v, %d children", err, len(kids))
	}
	for i := range kids {
		k := &kids[i]
		if i%1000 != 999 {
			if len(k.Attrs) != 0 {
				t.Fatalf("child %d <%s/> got %d attributes", i, k.XMLName.Local, len(k.Attrs))
			}
			continue
		}
		var v struct {
			Y []struct{ XMLName xml.Name } `xml:",any"`
		}
		want := fmt.Sprintf("urn:p:%04d", i%n)
		if prefixDecls(k) != 1 || !k.unmarshalInto(&v) || len(v.Y) != 1 || v.Y[0].XMLName.Space != want {
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
