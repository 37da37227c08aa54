package xmppuri

import (
	"errors"
	"strings"
	"testing"
)

// Examples from RFC 5122 §2 and XEP-0147 §2 and its registry.
func TestParse(t *testing.T) {
	cases := []struct {
		in      string
		account string
		jid     string
		action  string
		params  map[string]string
	}{
		{"xmpp:node@example.com", "", "node@example.com", "", nil},
		{"xmpp://guest@example.com", "guest@example.com", "", "", nil}, // no target: error below
		{"xmpp://guest@example.com/support@example.com?message", "guest@example.com", "support@example.com", "message", nil},
		{"xmpp:support@example.com?message", "", "support@example.com", "message", nil},
		{"xmpp:example-node@example.com/some-resource", "", "example-node@example.com/some-resource", "", nil},
		{"xmpp:example.com", "", "example.com", "", nil},
		{"xmpp:example-node@example.com?message", "", "example-node@example.com", "message", nil},
		{"xmpp:example-node@example.com?message;subject=Hello%20World", "", "example-node@example.com", "message", map[string]string{"subject": "Hello World"}},
		{"xmpp:nasty!%23$%25()*+,-.;=%3F%5B%5C%5D%5E_%60%7B%7C%7D~node@example.com", "", "nasty!#$%()*+,-.;=?[\\]^_`{|}~node@example.com", "", nil},
		{"xmpp:node@example.com/repulsive%20!%23%22$%25&'()*+,-.%2F:;%3C=%3E%3F%40%5B%5C%5D%5E_%60%7B%7C%7D~resource", "", "node@example.com/repulsive !#\"$%&'()*+,-./:;<=>?@[\\]^_`{|}~resource", "", nil},
		{"xmpp:ji%C5%99i@%C4%8Dechy.example/v%20Praze", "", "jiři@čechy.example/v Praze", "", nil},
		{"xmpp:romeo@montague.net?subscribe", "", "romeo@montague.net", "subscribe", nil},
		{"xmpp:romeo@montague.net?roster;name=Romeo%20Montague;group=Friends", "", "romeo@montague.net", "roster", map[string]string{"name": "Romeo Montague", "group": "Friends"}},
		{"xmpp:darkcave@macbeth.shakespeare.lit?join", "", "darkcave@macbeth.shakespeare.lit", "join", nil},
		{"xmpp:Romeo@Montague.net?Message;body=Hi#frag", "", "romeo@montague.net", "message", map[string]string{"body": "Hi"}},
	}
	for _, c := range cases {
		u, err := Parse(c.in)
		if c.jid == "" {
			if !errors.Is(err, ErrNoAddress) {
				t.Errorf("%s: err %v, want no address", c.in, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if u.Account != c.account || u.JID != c.jid || u.Action != c.action {
			t.Errorf("%s: got %+v", c.in, u)
		}
		for k, v := range c.params {
			if u.Params[k] != v {
				t.Errorf("%s: param %s = %q, want %q", c.in, k, u.Params[k], v)
			}
		}
	}
}

func TestParseRejects(t *testing.T) {
	for _, in := range []string{
		"", "mailto:a@b", "http://example.com", "xmpp:", "xmpp:@example.com", "xmpp:a@",
		"xmpp:a b@example.com", "xmpp:a@b@c", "xmpp:a@example.com/",
		"xmpp:a@example.com?mess%20age", "xmpp:%zz@example.com", "xmpp:a@example.com?message;body=%zz",
		"xmpp:a%0A@example.com", "xmpp:" + strings.Repeat("a", MaxLen),
	} {
		if u, err := Parse(in); err == nil {
			t.Errorf("%q accepted: %+v", in, u)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"xmpp:node@example.com?message;body=hi", "xmpp://a@b/c@d?join", "xmpp:%C5%99@x/y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := Parse(s)
		if err != nil {
			return
		}
		if u.JID == "" || strings.ContainsAny(u.Bare(), " \n") {
			t.Fatalf("%q -> %+v", s, u)
		}
	})
}

// OMEMO's verification links (XEP-0384 devices' fingerprints, as
// Conversations writes them in its QR codes): parameters without a
// query type; those not well formed are left out.
func TestOMEMOFingerprints(t *testing.T) {
	fp := strings.Repeat("ab", 32)
	u, err := Parse("xmpp:romeo@montague.lit?omemo-sid-123456789=" + strings.ToUpper(fp) +
		";omemo-sid-42=" + strings.Repeat("01", 32) + ";omemo-sid-0=" + fp + ";omemo-sid-7=short;omemo-sid-x=" + fp + ";name=Romeo")
	if err != nil || u.Action != "" || u.JID != "romeo@montague.lit" {
		t.Fatalf("%+v %v", u, err)
	}
	got := u.OMEMOFingerprints()
	if len(got) != 2 || got[123456789] != fp || got[42] != strings.Repeat("01", 32) {
		t.Fatalf("fingerprints %v", got)
	}
	if u, _ := Parse("xmpp:romeo@montague.lit?message;body=hi"); len(u.OMEMOFingerprints()) != 0 {
		t.Fatal("a message link vouches for devices")
	}
}
