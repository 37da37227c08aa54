// Package oob implements the jabber:x:oob element of XEP-0066: Out of
// Band Data, a URL sent with a message: clients send a file uploaded
// with XEP-0363 as its GET URL, in the body and in this element, and
// show such a message as a file. Importing it registers [X] as a message
// extension of the stanza package.
package oob

import (
	"encoding/xml"
	"net/url"
	"path"
	"strings"

	"gosrc.io/xmpp/stanza"
)

// NS is the namespace of the element (and the disco#info feature of a
// client that understands it).
const NS = "jabber:x:oob"

func init() {
	stanza.TypeRegistry.MapExtension(stanza.PKTMessage, xml.Name{Space: NS, Local: "x"}, X{})
}

// X is <x xmlns='jabber:x:oob'/>: a URL, with an optional description.
type X struct {
	XMLName xml.Name `xml:"jabber:x:oob x"`
	URL     string   `xml:"url"`
	Desc    string   `xml:"desc,omitempty"`
}

// MaxURL bounds a URL taken from a message.
const MaxURL = 4096

// Add puts u (and desc, when not "") on m.
func Add(m *stanza.Message, u, desc string) {
	m.Extensions = append(m.Extensions, &X{URL: u, Desc: desc})
}

// Of is the first jabber:x:oob URL of m, with its description; ok is
// false when m has none, or one that is not an http(s) URL of at most
// MaxURL bytes.
func Of(m *stanza.Message) (u, desc string, ok bool) {
	for _, e := range m.Extensions {
		var x *X
		switch v := e.(type) {
		case *X:
			x = v
		case X:
			x = &v
		default:
			continue
		}
		u = strings.TrimSpace(x.URL)
		if !WebURL(u) {
			return "", "", false
		}
		return u, strings.TrimSpace(x.Desc), true
	}
	return "", "", false
}

// FileURL is the address of the file m carries: its jabber:x:oob URL
// (Of), else its body when the body is nothing but one https address
// naming a file of a kind people send (a picture, a sound, a video, a
// document, an archive: what clients that send an upload's GET URL
// alone, without the element, send), else "".
func FileURL(m *stanza.Message) string {
	if u, _, ok := Of(m); ok {
		return u
	}
	b := strings.TrimSpace(m.Body)
	if !strings.HasPrefix(b, "https://") || strings.ContainsAny(b, " \t\n\r") || !WebURL(b) {
		return ""
	}
	p, err := url.Parse(b)
	if err != nil || p.RawQuery != "" || p.Fragment != "" {
		return ""
	}
	if !fileExts[strings.ToLower(path.Ext(p.Path))] {
		return ""
	}
	return b
}

// fileExts are the kinds of file FileURL takes a body's address for.
var fileExts = map[string]bool{
	".png": true, ".jpg": true, ".jpeg": true, ".gif": true, ".webp": true, ".heic": true, ".avif": true,
	".mp4": true, ".webm": true, ".mkv": true, ".mov": true, ".mp3": true, ".ogg": true, ".oga": true,
	".opus": true, ".m4a": true, ".aac": true, ".flac": true, ".wav": true, ".pdf": true, ".txt": true,
	".odt": true, ".ods": true, ".odp": true, ".doc": true, ".docx": true, ".xls": true, ".xlsx": true,
	".ppt": true, ".pptx": true, ".zip": true, ".7z": true, ".gz": true, ".tar": true, ".xz": true,
}

// WebURL reports whether u is an absolute http or https URL with a host,
// without credentials, of at most MaxURL bytes.
func WebURL(u string) bool {
	if u == "" || len(u) > MaxURL {
		return false
	}
	p, err := url.Parse(u)
	return err == nil && (p.Scheme == "https" || p.Scheme == "http") && p.Host != "" && p.User == nil
}
