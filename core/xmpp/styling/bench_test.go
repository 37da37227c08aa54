package styling

import (
	"strings"
	"testing"
)

// A typical styled chat message.
const typical = "> did you see *this*?\nyes, _really_ nice: https://xmpp.org/extensions/xep-0393.html\n" +
	"try `go test ./...` and ~then~ ship it 🚀"

func BenchmarkParse(b *testing.B) {
	b.SetBytes(int64(len(typical)))
	b.ReportAllocs()
	for b.Loop() {
		_ = Parse(typical)
	}
}

// BenchmarkParseLarge: every XEP example and parse case in one body (a
// few KiB).
func BenchmarkParseLarge(b *testing.B) {
	var s strings.Builder
	for _, ex := range xepExamples {
		s.WriteString(ex.body + "\n")
	}
	for _, c := range parseCases {
		s.WriteString(c.body + "\n")
	}
	body := s.String()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		_ = Parse(body)
	}
}

// BenchmarkParseAdversarial: 60 KiB lines made to make a naive parser
// quadratic.
func BenchmarkParseAdversarial(b *testing.B) {
	for _, body := range adversarial() {
		b.Run(strings.ReplaceAll(body[:8], "\n", `\n`), func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				_ = Parse(body)
			}
		})
	}
}

func BenchmarkCompose(b *testing.B) {
	d := Parse(typical)
	b.ReportAllocs()
	for b.Loop() {
		_ = Compose(d)
	}
}
