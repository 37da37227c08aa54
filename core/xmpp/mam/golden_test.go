package mam

import (
	"encoding/xml"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/internal/xmpptest"
	"gosrc.io/xmpp/stanza"
)

// exampleText is the text of XEP-0313's example n (testdata holds them,
// numbered as in the XEP).
func exampleText(t *testing.T, n string) string {
	t.Helper()
	return xmpptest.Example(t, "testdata/xep-0313-examples.xml", n)
}

// messages decodes the messages of example n as the stream does.
func messages(t *testing.T, n string) []*stanza.Message {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(exampleText(t, n)))
	var out []*stanza.Message
	for {
		tok, err := d.Token()
		if err != nil {
			break
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "message" {
			m, err := xmpp.DecodeMessage(d, se)
			if err != nil {
				t.Fatalf("example %s: %v", n, err)
			}
			out = append(out, m)
		}
	}
	if len(out) == 0 {
		t.Fatalf("example %s: no message", n)
	}
	return out
}

// iqPayload decodes the IQ of example n and returns its payload.
func iqPayload(t *testing.T, n string) stanza.IQPayload {
	t.Helper()
	var iq stanza.IQ
	if err := xml.Unmarshal([]byte(exampleText(t, n)), &iq); err != nil {
		t.Fatalf("example %s: %v", n, err)
	}
	return iq.Payload
}

func marshal(t *testing.T, v any) string {
	t.Helper()
	b, err := xml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func stamp(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestGoldenQueries: the queries of §4 written as the XEP writes them.
func TestGoldenQueries(t *testing.T) {
	for n, q := range map[string]Query{
		"2":  {QueryID: "f27"},
		"6":  {With: "juliet@capulet.lit"},
		"7":  {Start: stamp("2010-06-07T00:00:00Z"), End: stamp("2010-07-07T13:23:54Z")},
		"8":  {Start: stamp("2010-08-07T00:00:00Z")},
		"9":  {AfterID: "09af3-cc343-b409f"},
		"10": {AfterID: "28482-98726-73623", BeforeID: "09af3-cc343-b409f"},
		"18": {Start: stamp("2010-08-07T00:00:00Z"), Max: 10},
		"20": {Start: stamp("2010-08-07T00:00:00Z"), Max: 10, After: "09af3-cc343-b409f"},
		"23": {Start: stamp("2010-08-07T00:00:00Z"), Max: 10, Last: true},
		"24": {Start: stamp("2010-08-07T00:00:00Z"), Max: 10, After: "09af3-cc343-b409f", Flip: true},
	} {
		got := xmpptest.Canon(marshal(t, Request("", q)), "id")
		if want := xmpptest.Canon(exampleText(t, n), "id"); got != want {
			t.Errorf("example %s:\n got %s\nwant %s", n, got, want)
		}
		// And read back as written.
		back, ok := iqPayload(t, n).(*Query)
		if !ok {
			t.Errorf("example %s: the query is not read back", n)
			continue
		}
		if !back.Start.Equal(q.Start) || !back.End.Equal(q.End) {
			t.Errorf("example %s: dates read back %v..%v", n, back.Start, back.End)
		}
		back.Start, back.End, q.Start, q.End = time.Time{}, time.Time{}, time.Time{}, time.Time{}
		if *back != q {
			t.Errorf("example %s: read back %+v, want %+v", n, *back, q)
		}
	}
}

// TestGoldenResults: results pushed for a query (examples 3, 17 and 27)
// and the archive id of a live message (example 1 is XEP-0359's).
func TestGoldenResults(t *testing.T) {
	ms := messages(t, "17")
	if len(ms) != 2 {
		t.Fatalf("%d messages", len(ms))
	}
	r, ok := ResultOf(ms[0])
	if !ok || r.QueryID != "f27" || r.ID != "28482-98726-73623" || !r.Stamp.Equal(stamp("2010-07-10T23:08:25Z")) {
		t.Fatalf("first result: %+v", r)
	}
	if m := r.Message; m == nil || m.From != "romeo@montague.lit/orchard" || m.To != "juliet@capulet.lit/balcony" ||
		m.Type != stanza.MessageTypeChat || !strings.HasPrefix(m.Body, "Call me but love") {
		t.Errorf("first result's message: %+v", r.Message)
	}
	if ms[0].Body != "" {
		t.Error("the forwarded body leaked into the outer message")
	}
	r, _ = ResultOf(ms[1])
	if r.ID != "5d398-28273-f7382" || r.Message == nil || r.Message.Id != "8a54s" || r.Message.From != "juliet@capulet.lit/balcony" {
		t.Errorf("second result: %+v %+v", r, r.Message)
	}

	r, _ = ResultOf(messages(t, "3")[0])
	if r.Message == nil || r.Message.Body != "Hail to thee" || r.Message.From != "witch@shakespeare.lit" {
		t.Errorf("example 3: %+v", r)
	}
	room := messages(t, "27")
	r, _ = ResultOf(room[1])
	if room[1].From != "coven@chat.shakespeare.lit" || r.QueryID != "g27" || r.Message == nil ||
		r.Message.Type != stanza.MessageTypeGroupchat || r.Message.From != "coven@chat.shakespeare.lit/secondwitch" {
		t.Errorf("room result: %+v", r)
	}
	if _, ok := ResultOf(messages(t, "1")[0]); ok {
		t.Error("a live message read as a result")
	}
}

// TestGoldenFin: the end of a page (examples 4, 19 and 22).
func TestGoldenFin(t *testing.T) {
	for n, want := range map[string]Fin{
		"4":  {First: "28482-98726-73623", Last: "09af3-cc343-b409f", Count: -1},
		"19": {First: "28482-98726-73623", Last: "09af3-cc343-b409f", Count: 20},
		"22": {Complete: true, First: "23452-4534-1", Last: "390-2342-22", Count: 16},
	} {
		f, ok := iqPayload(t, n).(*Fin)
		if !ok {
			t.Errorf("example %s: no fin", n)
			continue
		}
		f.XMLName = xml.Name{}
		if *f != want {
			t.Errorf("example %s: %+v, want %+v", n, *f, want)
		}
		// Written back: the same but for the first's index.
		got := xmpptest.Canon(marshal(t, f))
		wantXML := xmpptest.Canon(regexp.MustCompile(`(?s)^.*?(<fin.*</fin>).*$`).ReplaceAllString(exampleText(t, n), "$1"), "index")
		if got != wantXML {
			t.Errorf("example %s written:\n got %s\nwant %s", n, got, wantXML)
		}
	}
}

// TestCollectorTakesOnlyItsResults: a result is taken only for a pending
// query and only from the archive asked; past MaxResults the page fails.
func TestCollectorTakesOnlyItsResults(t *testing.T) {
	var c Collector
	res := func(from, qid string) *stanza.Message {
		m := &stanza.Message{Attrs: stanza.Attrs{From: from}}
		m.Extensions = append(m.Extensions, &Result{QueryID: qid, ID: "1", Message: &stanza.Message{Body: "x"}})
		return m
	}
	if c.Deliver(res("", "q1")) {
		t.Fatal("taken with no query pending")
	}
	own := &pending{from: func(f string) bool { return f == "" || f == "me@example.test" }}
	room := &pending{from: func(f string) bool { return f == "room@muc.example.test" }}
	c.pending = map[string]*pending{"q1": own, "q2": room}
	for _, tc := range []struct {
		m    *stanza.Message
		want bool
	}{
		{res("", "q1"), true},
		{res("me@example.test", "q1"), true},
		{res("mallory@example.test", "q1"), false},
		{res("me@example.test/phone", "q1"), false},
		{res("room@muc.example.test", "q2"), true},
		{res("room@muc.example.test/nick", "q2"), false},
		{res("", "q2"), false},
		{res("", "q3"), false},
	} {
		if got := c.Deliver(tc.m); got != tc.want {
			t.Errorf("from %q for %s: taken %v", tc.m.From, tc.m.Extensions[0].(*Result).QueryID, got)
		}
	}
	if len(own.results) != 2 || len(room.results) != 1 {
		t.Errorf("kept %d and %d", len(own.results), len(room.results))
	}
	for range MaxResults {
		c.Deliver(res("", "q1"))
	}
	if !own.over || len(own.results) != MaxResults {
		t.Errorf("past the bound: over %v, %d kept", own.over, len(own.results))
	}
}
