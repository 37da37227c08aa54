package xhtmlim

import (
	"encoding/xml"
	"strings"
	"testing"

	"gosrc.io/xmpp/stanza"
)

// A typical formatted chat message: XEP-0071 Example 2's body.
var typical = []byte(wrapper(examples[1].xml))

func BenchmarkParse(b *testing.B) {
	b.SetBytes(int64(len(typical)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(typical); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseLarge: every example body in one, 64 times (about 150 KiB).
func BenchmarkParseLarge(b *testing.B) {
	var s strings.Builder
	for range 64 {
		for _, ex := range examples {
			m := string(Marshal(ex.want))
			m = strings.TrimPrefix(m, `<body xmlns="`+NSXHTML+`">`)
			s.WriteString("<div>" + strings.TrimSuffix(m, "</body>") + "</div>")
		}
	}
	data := []byte(body(s.String()))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeMessage decodes a whole stanza with the extension, as
// the stanza package does.
func BenchmarkDecodeMessage(b *testing.B) {
	data := []byte(examples[1].xml)
	b.ReportAllocs()
	for b.Loop() {
		var m stanza.Message
		if err := xml.Unmarshal(data, &m); err != nil || Find(&m) == nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMarshal(b *testing.B) {
	d := examples[1].want
	b.ReportAllocs()
	for b.Loop() {
		_ = Marshal(d)
	}
}

func BenchmarkPlainText(b *testing.B) {
	d := examples[4].want
	b.ReportAllocs()
	for b.Loop() {
		_ = d.PlainText()
	}
}
