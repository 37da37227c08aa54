package oob

import (
	"encoding/xml"
	"strings"
	"testing"

	"github.com/causerie/causerie/internal/xmpptest"
	"gosrc.io/xmpp/stanza"
)

// TestGoldenOOB: XEP-0066 example 5, and what is not a file's URL.
func TestGoldenOOB(t *testing.T) {
	var m stanza.Message
	if err := xml.Unmarshal([]byte(xmpptest.Example(t, "testdata/xep-0066-examples.xml", "5")), &m); err != nil {
		t.Fatal(err)
	}
	if u, desc, ok := Of(&m); !ok || u != "http://www.jabber.org/images/psa-license.jpg" || desc != "" {
		t.Errorf("oob %q %q %v", u, desc, ok)
	}
	out := stanza.NewMessage(stanza.Attrs{To: "juliet@capulet.lit", Type: stanza.MessageTypeChat})
	out.Body = "https://download.montague.tld/a/b.jpg"
	out.Extensions = append(out.Extensions, &X{URL: out.Body})
	b, _ := xml.Marshal(out)
	if !strings.Contains(string(b), `<x xmlns="jabber:x:oob"><url>https://download.montague.tld/a/b.jpg</url></x>`) {
		t.Errorf("sent: %s", b)
	}
	for _, u := range []string{"javascript:alert(1)", "file:///etc/passwd", "https://" + strings.Repeat("a", MaxURL), "data:image/png;base64,AAAA"} {
		m := stanza.Message{Extensions: []stanza.MsgExtension{&X{URL: u}}}
		if _, _, ok := Of(&m); ok {
			t.Errorf("%.40q taken as a file's URL", u)
		}
	}
}

// TestFileURL: the element's address, else a body that is one https
// address of a file alone (as clients that send an upload's address
// without the element); a link to a page, with text around it, over
// http, or with a query is not a file.
func TestFileURL(t *testing.T) {
	withX := stanza.Message{Body: "voici", Extensions: []stanza.MsgExtension{&X{URL: "https://up.example/a/b.bin"}}}
	if got := FileURL(&withX); got != "https://up.example/a/b.bin" {
		t.Errorf("with the element: %q", got)
	}
	for body, want := range map[string]string{
		"https://up.example/share/x1/photo.JPG":             "https://up.example/share/x1/photo.JPG",
		" https://up.example/share/x1/contrat%20a.pdf\n":    "https://up.example/share/x1/contrat%20a.pdf",
		"https://example.org/article.html":                  "",
		"https://example.org/":                              "",
		"regarde https://up.example/share/x1/photo.jpg":     "",
		"http://up.example/share/x1/photo.jpg":              "",
		"https://up.example/share/x1/photo.jpg?s=1":         "",
		"https://user:pw@up.example/photo.jpg":              "",
		"https://up.example/a.jpg https://up.example/b.jpg": "",
	} {
		m := stanza.Message{Body: body}
		if got := FileURL(&m); got != want {
			t.Errorf("%q: %q, want %q", body, got, want)
		}
	}
}
