package xmpptest

import (
	"os"
	"regexp"
	"testing"
)

// Example is the text of example n of a XEP's examples file (testdata
// holds the ones a package uses, as <example n='N'>, numbered as in the
// XEP).
func Example(t testing.TB, path, n string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)<example n='` + regexp.QuoteMeta(n) + `'[^>]*>(.*?)</example>`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("%s: no example %s", path, n)
	}
	return string(m[1])
}
