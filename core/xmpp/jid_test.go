package xmpp

import (
	"errors"
	"strings"
	"testing"
)

// TestParseJIDRFC7622Examples: the examples of RFC 7622 §3.5, valid and
// not, with what normalisation makes of them.
func TestParseJIDRFC7622Examples(t *testing.T) {
	valid := []struct{ in, want, local, domain, resource string }{
		{"juliet@example.com", "juliet@example.com", "juliet", "example.com", ""},
		{"juliet@example.com/foo", "juliet@example.com/foo", "juliet", "example.com", "foo"},
		{"juliet@example.com/foo bar", "juliet@example.com/foo bar", "juliet", "example.com", "foo bar"},
		{"juliet@example.com/foo@bar", "juliet@example.com/foo@bar", "juliet", "example.com", "foo@bar"},
		{`foo\20bar@example.com`, `foo\20bar@example.com`, `foo\20bar`, "example.com", ""},
		{"fussball@example.com", "fussball@example.com", "fussball", "example.com", ""},
		{"fußball@example.com", "fußball@example.com", "fußball", "example.com", ""},
		{"π@example.com", "π@example.com", "π", "example.com", ""},
		{"Σ@example.com/foo", "σ@example.com/foo", "σ", "example.com", "foo"},
		{"σ@example.com/foo", "σ@example.com/foo", "σ", "example.com", "foo"},
		{"ς@example.com/foo", "ς@example.com/foo", "ς", "example.com", "foo"},
		{"king@example.com/♚", "king@example.com/♚", "king", "example.com", "♚"},
		{"example.com", "example.com", "", "example.com", ""},
		{"example.com/foobar", "example.com/foobar", "", "example.com", "foobar"},
		{"a.example.com/b@example.net", "a.example.com/b@example.net", "", "a.example.com", "b@example.net"},
		// Case: the localpart and domain are folded, the resource kept.
		{"Juliet@Example.COM/Balcony", "juliet@example.com/Balcony", "juliet", "example.com", "Balcony"},
		// A final dot, IP literals, an underscore, an IDN in either form.
		{"juliet@example.com./x", "juliet@example.com/x", "juliet", "example.com", "x"},
		{"juliet@[::1]", "juliet@[::1]", "juliet", "[::1]", ""},
		{"juliet@127.0.0.1", "juliet@127.0.0.1", "juliet", "127.0.0.1", ""},
		{"juliet@_xmpp.example.com", "juliet@_xmpp.example.com", "juliet", "_xmpp.example.com", ""},
		{"juliet@xn--mnchen-3ya.de", "juliet@münchen.de", "juliet", "münchen.de", ""},
		{"juliet@MÜNCHEN.de", "juliet@münchen.de", "juliet", "münchen.de", ""},
		// Full-width letters are mapped to their usual width.
		{"ｊｕｌｉｅｔ@example.com", "juliet@example.com", "juliet", "example.com", ""},
	}
	for _, c := range valid {
		j, err := ParseJID(c.in)
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if j.String() != c.want || j.Local() != c.local || j.Domain() != c.domain || j.Resource() != c.resource {
			t.Errorf("%q: %q (%q, %q, %q), want %q", c.in, j, j.Local(), j.Domain(), j.Resource(), c.want)
		}
		again, err := ParseJID(j.String())
		if err != nil || again != j {
			t.Errorf("%q: not stable: %q %v", c.in, again, err)
		}
	}
	invalid := []struct{ in, part string }{
		{`"juliet"@example.com`, PartLocal},
		{"foo bar@example.com", PartLocal},
		{"@example.com/", PartLocal},
		{"henryⅣ@example.com", PartLocal},
		{"♚@example.com", PartLocal},
		{"juliet@", PartDomain},
		{"/foobar", PartDomain},
		{"juliet@example.com/", PartResource},
		{"juliet@exa mple.com", PartDomain},
		{"juliet@[not-an-ip]", PartDomain},
		{strings.Repeat("a", 1024) + "@example.com", PartLocal},
		{"juliet@example.com/" + strings.Repeat("r", 1024), PartResource},
		{"", ""},
		{"juliet@example.com/\x00", PartResource},
		{"\xff@example.com", ""},
	}
	for _, c := range invalid {
		j, err := ParseJID(c.in)
		var je *JIDError
		if !errors.As(err, &je) || !errors.Is(err, ErrInvalidJID) {
			t.Errorf("%q: parsed as %q, %v", c.in, j, err)
			continue
		}
		if je.Part != c.part {
			t.Errorf("%q: part %q, want %q (%v)", c.in, je.Part, c.part, err)
		}
	}
}

func TestJIDParts(t *testing.T) {
	j, err := ParseJID("Romeo@Montague.lit/Orchard")
	if err != nil {
		t.Fatal(err)
	}
	if j.IsBare() || j.Bare().String() != "romeo@montague.lit" || !j.Bare().IsBare() {
		t.Errorf("bare of %q: %q", j, j.Bare())
	}
	if j.DomainJID().String() != "montague.lit" || j.DomainJID().Local() != "" {
		t.Errorf("domain JID %q", j.DomainJID())
	}
	if w, err := j.WithResource("Balcon"); err != nil || w.String() != "romeo@montague.lit/Balcon" {
		t.Errorf("with resource: %q %v", w, err)
	}
	if w, err := j.WithResource(""); err != nil || w != j.Bare() {
		t.Errorf("with no resource: %q %v", w, err)
	}
	if _, err := j.WithResource("\x00"); !errors.Is(err, ErrInvalidJID) {
		t.Errorf("bad resource accepted: %v", err)
	}
	if !(JID{}).IsZero() || j.IsZero() || (JID{}).String() != "" {
		t.Error("zero JID")
	}
	if BareJID("ROMEO@montague.lit/x") != "romeo@montague.lit" || BareJID("not a jid") != "" {
		t.Error("BareJID")
	}
	if ResourceOf("romeo@montague.lit/Orchard") != "Orchard" || ResourceOf("romeo@montague.lit") != "" {
		t.Error("ResourceOf")
	}
	if !SameBare("Romeo@montague.lit/a", "romeo@MONTAGUE.lit") || SameBare("romeo@montague.lit", "juliet@capulet.lit") || SameBare("", "") {
		t.Error("SameBare")
	}
}

// FuzzParseJID: any input either fails with a JIDError or gives a JID
// whose string parses back to itself.
func FuzzParseJID(f *testing.F) {
	for _, s := range []string{"juliet@example.com/foo", "example.com", "Σ@example.com/♚", "a@[::1]/b", "@/", "ｊ@ｅ.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		j, err := ParseJID(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidJID) {
				t.Fatalf("%q: untyped error %v", s, err)
			}
			return
		}
		again, err := ParseJID(j.String())
		if err != nil || again != j {
			t.Fatalf("%q → %q → %q, %v", s, j, again, err)
		}
	})
}
