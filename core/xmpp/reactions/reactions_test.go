package reactions

import (
	"encoding/xml"
	"fmt"
	"github.com/causerie/causerie/internal/xmpptest"
	"strings"
	"testing"

	"gosrc.io/xmpp/stanza"
)

// XEP-0444 Examples 2, 3 and 4: a reaction, two, and all taken back.
const (
	ex2 = `<message to='romeo@capulet.net/orchard' id='7fdd29fa-a57a-11e9-b04a-4889e7820c76' type='chat'>
  <reactions id='744f6e18-a57a-11e9-a656-4889e7820c76' xmlns='urn:xmpp:reactions:0'>
    <reaction>👋</reaction>
  </reactions>
  <store xmlns="urn:xmpp:hints"/>
</message>`
	ex3 = `<message to='romeo@capulet.net/orchard' id='96d73204-a57a-11e9-88b8-4889e7820c76' type='chat'>
  <reactions id='744f6e18-a57a-11e9-a656-4889e7820c76' xmlns='urn:xmpp:reactions:0'>
    <reaction>👋</reaction>
    <reaction>🐢</reaction>
  </reactions>
  <store xmlns="urn:xmpp:hints"/>
</message>`
	ex4 = `<message to='romeo@capulet.net/orchard' id='973c9d2e-a57a-11e9-af82-4889e7820c76' type='chat'>
  <reactions id='744f6e18-a57a-11e9-a656-4889e7820c76' xmlns='urn:xmpp:reactions:0'/>
  <store xmlns="urn:xmpp:hints"/>
</message>`
)

func TestGolden(t *testing.T) {
	const target = "744f6e18-a57a-11e9-a656-4889e7820c76"
	for _, c := range []struct {
		xml  string
		want []string
	}{{ex2, []string{"👋"}}, {ex3, []string{"👋", "🐢"}}, {ex4, nil}} {
		id, rs, ok := Of(*xmpptest.Message(t, c.xml))
		if !ok || id != target || fmt.Sprint(rs) != fmt.Sprint(c.want) {
			t.Errorf("%s: %q %q %v", c.xml, id, rs, ok)
		}
	}
	// Example 3 made by Set.
	m := stanza.NewMessage(stanza.Attrs{To: "romeo@capulet.net/orchard", Type: stanza.MessageTypeChat, Id: "96d73204-a57a-11e9-88b8-4889e7820c76"})
	Set(&m, target, []string{"👋", "🐢"})
	raw, err := xml.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	want := `<reactions xmlns="urn:xmpp:reactions:0" id="744f6e18-a57a-11e9-a656-4889e7820c76"><reaction>👋</reaction><reaction>🐢</reaction></reactions><store xmlns="urn:xmpp:hints"></store>`
	if !strings.Contains(string(raw), want) {
		t.Fatalf("%s\nlacks\n%s", raw, want)
	}
	if id, rs, ok := Of(*xmpptest.Message(t, string(raw))); !ok || id != target || len(rs) != 2 {
		t.Fatalf("read back: %q %q", id, rs)
	}
}

// TestClean: duplicates, blanks, controls, huge or invalid reactions and
// more than MaxReactions are left out; an error message reacts to
// nothing.
func TestClean(t *testing.T) {
	in := []string{" 👍 ", "👍", "", "   ", "\u0301", "a\x00", strings.Repeat("😀", 40), "\xff", "👨‍👩‍👧", "🇫🇷"}
	if got := Clean(in); fmt.Sprint(got) != fmt.Sprint([]string{"👍", "👨‍👩‍👧", "🇫🇷"}) {
		t.Fatalf("Clean = %q", got)
	}
	var many []string
	for i := 0; i < 100; i++ {
		many = append(many, fmt.Sprint(i))
	}
	if n := len(Clean(many)); n != MaxReactions {
		t.Fatalf("%d kept", n)
	}
	if _, _, ok := Of(*xmpptest.Message(t, `<message type='error'><reactions xmlns='urn:xmpp:reactions:0' id='x'><reaction>👍</reaction></reactions></message>`)); ok {
		t.Fatal("an error reacts")
	}
	if _, _, ok := Of(*xmpptest.Message(t, `<message><reactions xmlns='urn:xmpp:reactions:0'><reaction>👍</reaction></reactions></message>`)); ok {
		t.Fatal("reactions to no message")
	}
}

func FuzzOf(f *testing.F) {
	f.Add(ex3)
	f.Fuzz(func(t *testing.T, s string) {
		var m stanza.Message
		if xml.Unmarshal([]byte(s), &m) != nil {
			return
		}
		_, rs, _ := Of(m)
		if len(rs) > MaxReactions {
			t.Fatalf("%d reactions", len(rs))
		}
		for _, r := range rs {
			if len(r) > maxBytes || r == "" {
				t.Fatalf("reaction %q", r)
			}
		}
	})
}
