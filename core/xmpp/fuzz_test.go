package xmpp

import (
	"bytes"
	"testing"
)

// FuzzStreamReader feeds arbitrary bytes after a stream header to the
// reader, under a small stanza limit and under the default (1 MiB) one
// that the app uses: it must end with an error or cleanly, never panic,
// never read more than the stanza limit beyond a stanza boundary. Two
// seeds are issue 12's namespace prefix bombs: 2,000 declarations on a
// message with 50,000 children (245 KB), and one 512 KiB declaration on a
// message filled up to the 1 MiB limit with receipt requests using it.
func FuzzStreamReader(f *testing.F) {
	for _, s := range []string{
		`<message from="tintin@jabber.org/chateau" type="chat"><body>Salut !</body></message>`,
		`<presence><show>dnd</show><status>Occupé</status><priority>1</priority></presence>`,
		`<iq type='get' id='v1'><query xmlns='jabber:iq:version'/></iq>`,
		`<iq type='result' id='x'><query xmlns='jabber:iq:roster'><item jid='a@b' subscription='both'><group>Amis</group></item></query></iq>`,
		`<r xmlns='urn:xmpp:sm:3'/><a xmlns='urn:xmpp:sm:3' h='4294967295'/>`,
		`<stream:error><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>`,
		`<message><body>` + string(bytes.Repeat([]byte("a"), 5000)),
		`<message><html xmlns='http://jabber.org/protocol/xhtml-im'><body xmlns='http://www.w3.org/1999/xhtml'><p style='font-weight:bold'>Salut !</p></body></html></message>`,
		`</stream:stream>`,
		`<message><![CDATA[x]]>&amp;&#x41;&bogus;</message>`,
		prefixBomb(2000, 50000),
		longPrefixBomb(512<<10, 1<<20),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		limits := []int64{4096}
		if len(data) > 4096 { // else the default limit gives the same run
			limits = append(limits, 0)
		}
		for _, max := range limits {
			c, mc := runReader(t, bytes.NewReader(data), newRecorder(), max)
			_ = c.Err()
			if mc.read > int64(len(seedHeader)+len(data)) {
				t.Fatalf("limit %d: read %d bytes of %d", max, mc.read, len(seedHeader)+len(data))
			}
		}
	})
}
