package mam

import (
	"context"
	"encoding/xml"
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/internal/testserver"
	"github.com/causerie/causerie/internal/xmpptest"
	"gosrc.io/xmpp/stanza"
)

const prefsExamples = "testdata/xep-0441-examples.xml"

// TestPrefsGolden: requests written as XEP-0441's examples 1 and 4, the
// answers of examples 2 and 5 read.
func TestPrefsGolden(t *testing.T) {
	for n, p := range map[string]Prefs{
		"1": {},
		"4": {Default: PolicyRoster, Always: []string{"romeo@montague.lit"}, Never: []string{"montague@montague.lit"}},
	} {
		typ := stanza.IQTypeGet
		if p.Default != "" {
			typ = stanza.IQTypeSet
		}
		iq := stanza.IQ{XMLName: xml.Name{Local: "iq"}, Attrs: stanza.Attrs{Type: typ, Id: "x"}, Payload: &p}
		if got, want := xmpptest.Canon(marshal(t, &iq), "id"), xmpptest.Canon(xmpptest.Example(t, prefsExamples, n), "id"); got != want {
			t.Errorf("example %s:\n got %s\nwant %s", n, got, want)
		}
	}
	for n, want := range map[string]Prefs{
		"2": {Default: PolicyRoster},
		"5": {Default: PolicyRoster, Always: []string{"romeo@montague.lit"}, Never: []string{"montague@montague.lit"}},
	} {
		var iq stanza.IQ
		if err := xml.Unmarshal([]byte(xmpptest.Example(t, prefsExamples, n)), &iq); err != nil {
			t.Fatal(err)
		}
		got, ok := iq.Payload.(*Prefs)
		if !ok || got.Default != want.Default || !slices.Equal(got.Always, want.Always) || !slices.Equal(got.Never, want.Never) {
			t.Errorf("example %s: %+v", n, iq.Payload)
		}
	}
}

// TestPrefsAgainstServers: both servers archive everything by default
// (their test configuration); with "never" a message is not archived,
// with "always" again it is, and the lists are kept; ejabberd without
// its archive module says preferences are not offered.
func TestPrefsAgainstServers(t *testing.T) {
	for name, kind := range map[string]testserver.Kind{"prosody": testserver.Prosody, "ejabberd": testserver.Ejabberd} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s := testserver.Shared(t, kind, testserver.Options{Archive: true})
			alice, bob := connect(t, s), connect(t, s)
			p, err := GetPrefs(ctx, bob.Conn)
			if err != nil || p.Default != PolicyAlways {
				t.Fatalf("preferences at first: %+v, %v", p, err)
			}
			friend := xmpp.BareJID(alice.JID())
			archived := func(body string) bool {
				t.Helper()
				m := stanza.NewMessage(stanza.Attrs{To: xmpp.BareJID(bob.JID()), Type: stanza.MessageTypeChat})
				m.Body = body
				if err := alice.Send(&m); err != nil {
					t.Fatal(err)
				}
				select {
				case <-bob.messages:
				case <-time.After(10 * time.Second):
					t.Fatalf("%q did not arrive", body)
				}
				pg, err := bob.col.Fetch(ctx, bob.Conn, "", Query{With: friend, Last: true, Max: 10})
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range pg.Results {
					if r.Message != nil && r.Message.Body == body {
						return true
					}
				}
				return false
			}
			if !archived("kept") {
				t.Fatal("not archived by default")
			}
			set, err := SetPrefs(ctx, bob.Conn, Prefs{Default: PolicyNever, Always: []string{"boss@" + s.Domain}})
			if err != nil || set.Default != PolicyNever {
				t.Fatalf("set never: %+v, %v", set, err)
			}
			if archived("off the record") {
				t.Error("archived under \"never\"")
			}
			got, err := GetPrefs(ctx, bob.Conn)
			if err != nil || got.Default != PolicyNever || !slices.Equal(got.Always, []string{"boss@" + s.Domain}) {
				t.Errorf("read back: %+v, %v", got, err)
			}
			if _, err := SetPrefs(ctx, bob.Conn, Prefs{Default: PolicyAlways}); err != nil {
				t.Fatal(err)
			}
			if !archived("kept again " + strconv.Itoa(1)) {
				t.Error("not archived under \"always\" again")
			}
			if kind == testserver.Ejabberd {
				bare := connect(t, testserver.Shared(t, kind, testserver.Options{}))
				if _, err := GetPrefs(ctx, bare.Conn); !errors.Is(err, ErrPrefsUnsupported) {
					t.Errorf("ejabberd without mod_mam: %v", err)
				}
			}
		})
	}
}
