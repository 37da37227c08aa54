package xhtmlim

import (
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func body(s string) string { return `<body xmlns='http://www.w3.org/1999/xhtml'>` + s + `</body>` }

func mustParse(t testing.TB, s string) Doc {
	t.Helper()
	d, err := Parse([]byte(s))
	if err != nil {
		t.Fatalf("%v\n%s", err, s)
	}
	return d
}

// Each case is sanitised to want, and Marshal writes none of the markers.
func TestHostile(t *testing.T) {
	for _, c := range []struct {
		name, in string
		want     Doc
	}{
		{"script", `<p>hi<script>alert(1)</script> there</p><script type='text/javascript'>document.cookie</script>`,
			Doc{Para(Text("hi there"))}},
		{"script in another namespace and upper case", `<p>a<svg:script xmlns:svg='http://www.w3.org/2000/svg'>alert(1)</svg:script><SCRIPT>alert(2)</SCRIPT>b</p>`,
			Doc{Para(Text("ab"))}},
		{"style head title", `<head><title>t</title><style>p{color:red}</style></head><style>*{display:none}</style><p>x</p>`,
			Doc{Para(Text("x"))}},
		{"object embed iframe applet", `<p>a<object data='x.swf'><param name='a' value='b'/>fallback</object><embed src='x.swf'/><iframe src='http://evil.example/'>no</iframe><applet code='A'>z</applet>b</p>`,
			Doc{Para(Text("ab"))}},
		{"svg and math", `<p>a<svg xmlns='http://www.w3.org/2000/svg'><text>t</text><foreignObject><p>x</p></foreignObject></svg><math><mi>x</mi></math>b</p>`,
			Doc{Para(Text("ab"))}},
		{"forms", `<form action='http://evil.example/'><p>Password: <input type='password' name='p'/><textarea>t</textarea><select><option>o</option></select><button>go</button></p></form>`,
			Doc{Para(Text("Password:"))}},
		{"javascript link", `<p><a href='javascript:alert(1)'>click</a></p>`, Doc{Para(Text("click"))}},
		{"javascript link, mixed case and spaces", `<p><a href='  JaVaScRiPt:alert(1)'>click</a></p>`, Doc{Para(Text("click"))}},
		{"javascript link with tab and newline", `<p><a href='java&#9;scr&#10;ipt:alert(1)'>click</a></p>`, Doc{Para(Text("click"))}},
		{"javascript link with leading control character", `<p><a href='&#127;javascript:alert(1)'>click</a></p>`, Doc{Para(Text("click"))}},
		{"vbscript and file links", `<p><a href='vbscript:msgbox'>a</a> <a href='file:///etc/passwd'>b</a></p>`, Doc{Para(Text("a b"))}},
		{"data:text/html link", `<p><a href='data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=='>x</a></p>`, Doc{Para(Text("x"))}},
		{"relative and protocol-relative links", `<p><a href='/etc'>a</a><a href='//evil.example/'>b</a><a href='#x'>c</a></p>`, Doc{Para(Text("abc"))}},
		{"link with user information", `<p><a href='http://bank.example@evil.example/'>bank</a></p>`, Doc{Para(Text("bank"))}},
		{"link with bidi override", "<p><a href='http://evil.example/\u202egpj.exe'>x</a></p>", Doc{Para(Text("x"))}},
		{"link with a zero-width space in the host", "<p><a href='https://paypal.com\u200b.evil.example/'>x</a></p>", Doc{Para(Text("x"))}},
		{"link with a soft hyphen, word joiner, BOM, tag", "<p><a href='https://pay\u00adpal.example/'>a</a><a href='https://a\u2060b.example/'>b</a><a href='https://a\ufeffb.example/'>c</a><a href='https://a.example/\U000e0041'>d</a></p>", Doc{Para(Text("abcd"))}},
		{"link with a variation selector or Hangul filler", "<p><a href='https://a\ufe0fb.example/'>a</a><a href='https://a\u3164b.example/'>b</a></p>", Doc{Para(Text("ab"))}},
		{"safe links", `<p><a href='HTTPS://xmpp.org/a b?c=d&amp;e=f'>a</a><a href='xmpp:romeo@montague.lit?message'>b</a><a href='mailto:juliet@capulet.lit'>c</a></p>`,
			Doc{Para(Link("a", "HTTPS://xmpp.org/a%20b?c=d&e=f"), Link("b", "xmpp:romeo@montague.lit?message"), Link("c", "mailto:juliet@capulet.lit"))}},
		{"event handlers, class, id, title", `<p onclick='alert(1)' onmouseover='alert(2)' class='x' id='y' title='z'><span onload='alert(3)' style='color: red'>red</span></p>`,
			Doc{Para(Styled("red", Style{Color: RGB(255, 0, 0)}))}},
		{"css url and expression", `<p style='background: url(javascript:alert(1)); color: expression(alert(2)); background-color: url(http://evil.example/track.png)'>a</p>`,
			Doc{Para(Text("a"))}},
		{"css escapes and comments", `<p style='color: re\64; font-weight: bo/**/ld; color: #0f0 /* x */'>a</p>`, Doc{Para(Text("a"))}},
		{"css injection through a family name", `<p style="font-family: 'x; color: red'">a</p>`, Doc{Para(Text("a"))}},
		{"css unknown properties", `<p style='position: fixed; top: 0; display: none; visibility: hidden; opacity: 0; behavior: url(x.htc); -moz-binding: url(x)'>a</p>`,
			Doc{Para(Text("a"))}},
		{"css zero font size does not hide text", `<p><span style='font-size: 0'>tiny</span></p>`,
			Doc{Para(Styled("tiny", Style{Size: SizeXXSmall}))}},
		{"css !important and case", `<p style='COLOR: RED !important; Font-Weight: BOLD'>a</p>`,
			Doc{Para(Styled("a", Style{Bold: true, Color: RGB(255, 0, 0)}))}},
		{"css semicolons and garbage", `<p style=';;;color:;:blue;color:blue;;x'>a</p>`,
			Doc{Para(Styled("a", Style{Color: RGB(0, 0, 255)}))}},
		{"remote image kept, not fetched", `<p><img src='http://tracker.example/pixel.gif?u=juliet' alt='' width='1' height='1'/></p>`,
			Doc{Para(Img("http://tracker.example/pixel.gif?u=juliet", "", 1, 1))}},
		{"javascript image", `<p><img src='javascript:alert(1)' alt='pic'/></p>`, Doc{Para(Text("pic"))}},
		{"svg data image", `<p><img src='data:image/svg+xml;base64,PHN2Zz48c2NyaXB0PmFsZXJ0KDEpPC9zY3JpcHQ+PC9zdmc+' alt='svg'/></p>`, Doc{Para(Text("svg"))}},
		{"html data image", `<p><img src='data:text/html,&lt;script&gt;' alt='h'/></p>`, Doc{Para(Text("h"))}},
		{"broken base64 image", `<p><img src='data:image/png;base64,***' alt='b'/></p>`, Doc{Para(Text("b"))}},
		{"image without src", `<p><img alt='nothing'/></p>`, Doc{Para(Text("nothing"))}},
		{"image size nonsense", `<p><img src='cid:sha1+8f35fef110ffc5df08d579a50083ff9308fb6242@bob.xmpp.org' alt='x' width='-5' height='99999999999'/></p>`,
			Doc{Para(Img("cid:sha1+8f35fef110ffc5df08d579a50083ff9308fb6242@bob.xmpp.org", "x", 0, 0))}},
		{"foreign element keeps its text", `<p>a<foo:bar xmlns:foo='urn:x'>b</foo:bar><blink>c</blink><marquee>d</marquee></p>`,
			Doc{Para(Text("abcd"))}},
		{"foreign-namespace lookalikes are not markup", `<p><x:strong xmlns:x='urn:x'>a</x:strong><x:a xmlns:x='urn:x' href='http://e.example/'>b</x:a></p>`,
			Doc{Para(Text("ab"))}},
		{"comments and processing instructions", `<p>a<!-- <script>alert(1)</script> -->b<?php evil() ?>c<![CDATA[<script>d</script>]]></p>`,
			Doc{Para(Text("abc<script>d</script>"))}},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := mustParse(t, body(c.in))
			checkDoc(t, d, c.want)
			out := strings.ToLower(string(Marshal(d)))
			for _, bad := range []string{"script:", "<script", "onclick", "url(", "expression", "<iframe", "<object", "<embed", "<style", "<svg", "class=", "id=", "<form"} {
				if strings.Contains(out, bad) {
					t.Errorf("Marshal writes %q: %s", bad, out)
				}
			}
		})
	}
}

// The package does no network I/O: images and links are kept as URIs.
func TestImagesNotFetched(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	in := body(`<p><a href='` + srv.URL + `/link'><img src='` + srv.URL + `/img.png' alt='remote'/></a></p>`)
	d := mustParse(t, in)
	want := Doc{Para(Inline{Kind: Image, Src: srv.URL + "/img.png", Alt: "remote", Style: Style{Link: srv.URL + "/link"}})}
	checkDoc(t, d, want)
	_ = d.PlainText()
	_ = Marshal(d)
	_ = d.Normalize()
	time.Sleep(50 * time.Millisecond) // nothing to wait for: a request would have been made synchronously
	if n := hits.Load(); n != 0 {
		t.Fatalf("%d requests", n)
	}
	if got := d.PlainText(); got != "remote ("+srv.URL+"/link)" {
		t.Errorf("PlainText %q", got)
	}
}

func TestDataImages(t *testing.T) {
	png := base64.StdEncoding.EncodeToString([]byte("\x89PNG\r\n\x1a\nfake"))
	d := mustParse(t, body(`<p><img src='DATA:Image/PNG;Base64,`+png[:8]+"\n  "+png[8:]+`' alt='dot'/></p>`))
	checkDoc(t, d, Doc{Para(Img("data:image/png;base64,"+png, "dot", 0, 0))})

	big := strings.Repeat("A", MaxDataImage)
	d = mustParse(t, body(`<p><img src='data:image/png;base64,`+big+`' alt='big'/></p>`))
	checkDoc(t, d, Doc{Para(Text("big"))})

	// Within the limit each, but more than the total.
	one := strings.Repeat("A", (MaxDataImage-len("data:image/gif;base64,"))/4*4)
	var b strings.Builder
	for range 3 {
		b.WriteString(`<img src='data:image/gif;base64,` + one + `' alt='i'/>`)
	}
	d = mustParse(t, body(`<p>`+b.String()+`</p>`))
	if n := len(d[0].Inlines); n != 3 || d[0].Inlines[2].Kind != Span {
		t.Fatalf("%d inlines: %.300s", n, dump(d))
	}
}

// A DTD is refused, so entity expansion (billion laughs, external
// entities) never happens.
func TestEntities(t *testing.T) {
	laughs := `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<body xmlns='http://www.w3.org/1999/xhtml'><p>&lol9;</p></body>`
	start := time.Now()
	if _, err := Parse([]byte(laughs)); !errors.Is(err, ErrDirective) {
		t.Fatalf("billion laughs: %v", err)
	}
	if _, err := Parse([]byte(`<!DOCTYPE b [<!ENTITY x SYSTEM "file:///etc/passwd">]><body>&x;</body>`)); !errors.Is(err, ErrDirective) {
		t.Fatalf("external entity: %v", err)
	}
	if _, err := Parse([]byte(body(`<!DOCTYPE x><p>a</p>`))); err == nil {
		t.Fatal("DOCTYPE inside the body accepted")
	}
	if _, err := Parse([]byte(body(`<p>&lol;</p>`))); err == nil {
		t.Fatal("undefined entity accepted")
	}
	if time.Since(start) > time.Second {
		t.Fatal("slow")
	}
	// The XHTML entities are known to Parse (not on the XMPP wire: XEP-0071 §8 rule 5).
	checkDoc(t, mustParse(t, body(`<p>a&nbsp;b &eacute;t&eacute; &#233;&#x263A;</p>`)), Doc{Para(Text("a\u00a0b été é☺"))})
	var h HTML
	if err := xml.Unmarshal([]byte(`<html xmlns='`+NS+`'>`+body(`<p>&nbsp;</p>`)+`</html>`), &h); err == nil {
		t.Fatal("the wire decoder knows &nbsp;")
	}
}

func TestDeepNesting(t *testing.T) {
	const n = 10000
	for _, tag := range []string{"span", "blockquote", "ul", "li", "div", "b", "a href='http://e.org/'", "unknown"} {
		name, _, _ := strings.Cut(tag, " ")
		in := body(strings.Repeat("<"+tag+">x", n) + strings.Repeat("</"+name+">", n))
		start := time.Now()
		d := mustParse(t, in)
		if el := time.Since(start); el > 2*time.Second {
			t.Errorf("%s: %v", tag, el)
		}
		if got := strings.Count(d.PlainText(), "x"); got != n {
			t.Errorf("%s: %d x of %d", tag, got, n)
		}
		if depth := blockDepth(d); depth > MaxBlockDepth {
			t.Errorf("%s: depth %d", tag, depth)
		}
		back, err := Parse(Marshal(d))
		if err != nil {
			t.Fatal(err)
		}
		checkDoc(t, back, d)
	}
	// Deep down, a script is still dropped.
	in := body(strings.Repeat("<span>", n) + "a<script>alert(1)</script>b" + strings.Repeat("</span>", n))
	checkDoc(t, mustParse(t, in), Doc{Para(Text("ab"))})
}

// blockDepth counts nested quotes and lists.
func blockDepth(bs []Block) int {
	d := 0
	for _, b := range bs {
		switch b.Kind {
		case Quote:
			d = max(d, 1+blockDepth(b.Blocks))
		case List:
			for _, it := range b.Items {
				d = max(d, 1+blockDepth(it))
			}
		}
	}
	return d
}

func TestLimits(t *testing.T) {
	if _, err := Parse(make([]byte, MaxInputSize+1)); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("huge input: %v", err)
	}
	if _, err := ParseReader(strings.NewReader(strings.Repeat(" ", MaxInputSize+1))); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("huge reader: %v", err)
	}
	// Text is cut at MaxTextSize, on a character boundary.
	in := body("<p>" + strings.Repeat("é", MaxTextSize) + "</p><p>more</p>")
	d := mustParse(t, in)
	if len(d) != 1 || len(d[0].Inlines[0].Text) != MaxTextSize || !strings.HasSuffix(d[0].Inlines[0].Text, "é") {
		t.Fatalf("%d blocks, %d bytes", len(d), len(d[0].Inlines[0].Text))
	}
	// Many tiny spans: the node budget ends the Doc, and the result is
	// stable.
	var b strings.Builder
	for i := range 5000 {
		if i%2 == 0 {
			b.WriteString("<b>x</b>")
		} else {
			b.WriteString("<i>y</i>")
		}
	}
	d = mustParse(t, body("<p>"+b.String()+"</p>"))
	if n := len(d[0].Inlines); n > maxInlines || n < maxInlines/2 {
		t.Fatalf("%d inlines", n)
	}
	back, err := Parse(Marshal(d))
	if err != nil {
		t.Fatal(err)
	}
	checkDoc(t, back, d)
}

func TestMalformed(t *testing.T) {
	for _, in := range []string{
		``,
		`   `,
		`just text`,
		`<body><p>unclosed</body>`,
		`<body><p>a</b></p></body>`,
		`<body><p>`,
		`<body>&#0;</body>`,
		`<body><p a='1' a='2'>x</p>`,
		"<body>\x00</body>",
		`<html xmlns='http://jabber.org/protocol/xhtml-im'><body xmlns='http://www.w3.org/1999/xhtml'><p>x</p>`,
	} {
		if d, err := Parse([]byte(in)); err == nil {
			t.Errorf("%q: no error, %s", in, dump(d))
		}
	}
	// A byte order mark and an XML declaration are fine.
	checkDoc(t, mustParse(t, "\ufeff<?xml version='1.0' encoding='UTF-8'?>"+body("<p>x</p>")), Doc{Para(Text("x"))})
	// Well-formed but empty: no error, Empty.
	for _, in := range []string{
		`<body/>`,
		`<html xmlns='http://jabber.org/protocol/xhtml-im'/>`,
		`<html xmlns='http://jabber.org/protocol/xhtml-im'><foo/></html>`,
		body(`<p>   </p><p><br/><br/></p><script>x</script><ul><li> </li></ul><blockquote/><pre>  </pre>`),
		body("<p>\u00a0</p>"),
		`<script>alert(1)</script>`,
	} {
		d, err := Parse([]byte(in))
		if err != nil || !d.Empty() {
			t.Errorf("%q: %v %s", in, err, dump(d))
		}
	}
}

// Whatever Parse returns, Marshal writes less than MaxInputSize, so that
// Parse(Marshal(d)) == d holds at the limits too.
func TestWorstCaseSize(t *testing.T) {
	var b strings.Builder
	img := strings.Repeat("A", (MaxDataImage-len("data:image/png;base64,"))/4*4)
	b.WriteString(`<p><img src='data:image/png;base64,` + img + `' alt='a'/><img src='data:image/png;base64,` + img + `' alt='b'/></p>`)
	b.WriteString("<p>" + strings.Repeat("&amp;", MaxTextSize/2) + "</p><p>")
	for i := range maxInlines {
		fmt.Fprintf(&b, `<a href='http://e.org/%d'><b><i><code><cite><q><span style="color: #010203; background-color: #040506; font-size: %s; font-family: 'Abcdefghijklmnopqrstuvwxyz abcde'; text-decoration: underline line-through">&amp;</span></q></cite></code></i></b></a>`,
			i, []string{"xx-small", "x-small"}[i%2])
	}
	b.WriteString("</p>")
	in := body(b.String())
	if len(in) > MaxInputSize {
		t.Fatalf("input %d", len(in))
	}
	d := mustParse(t, in)
	m := Marshal(d)
	t.Logf("input %d bytes, output %d bytes, %d inlines", len(in), len(m), len(d[2].Inlines))
	if len(m) > MaxInputSize {
		t.Fatalf("Marshal writes %d bytes", len(m))
	}
	back, err := Parse(m)
	if err != nil {
		t.Fatal(err)
	}
	checkDoc(t, back, d)
}
