package xhtmlim

import (
	"encoding/xml"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"gosrc.io/xmpp/stanza"
)

// XEP-0071 (version 1.5) examples, §4 and §9; the 1.3 versions of the
// examples 1.5 rewrote; and the seed's example (French wikibook).
var examples = []struct {
	name  string
	xml   string
	want  Doc
	plain string
}{
	{"XEP-0071 Example 1: a simple example", `<message>
  <body>hi!</body>
  <html xmlns='http://jabber.org/protocol/xhtml-im'>
    <body xmlns='http://www.w3.org/1999/xhtml'>
      <p style='font-weight:bold'>hi!</p>
    </body>
  </html>
</message>`,
		Doc{Para(Bold("hi!"))},
		"hi!"},

	{"XEP-0071 Example 2: emphasis, font colors, strength", `<message>
  <body>Wow, I&apos;m green with envy!</body>
  <html xmlns='http://jabber.org/protocol/xhtml-im'>
    <body xmlns='http://www.w3.org/1999/xhtml'>
      <p style='font-size:large'>
        <em>Wow</em>, I&apos;m <span style='color:green'>green</span>
        with <strong>envy</strong>!
      </p>
    </body>
  </html>
</message>`,
		Doc{Para(
			Styled("Wow", Style{Italic: true, Size: SizeLarge}),
			Styled(", I'm ", Style{Size: SizeLarge}),
			Styled("green", Style{Color: RGB(0, 0x80, 0), Size: SizeLarge}),
			Styled(" with ", Style{Size: SizeLarge}),
			Styled("envy", Style{Bold: true, Size: SizeLarge}),
			Styled("!", Style{Size: SizeLarge}),
		)},
		"Wow, I'm green with envy!"},

	{"XEP-0071 Example 3: blockquote, cite", `<message>
  <body>As Emerson said in his essay Self-Reliance:

     &quot;A foolish consistency is the hobgoblin of little minds.&quot;
  </body>
  <html xmlns='http://jabber.org/protocol/xhtml-im'>
    <body xmlns='http://www.w3.org/1999/xhtml'>
      <p>As Emerson said in his essay <cite>Self-Reliance</cite>:</p>
      <blockquote>
        &quot;A foolish consistency is the hobgoblin of little minds.&quot;
      </blockquote>
    </body>
  </html>
</message>`,
		Doc{
			Para(Text("As Emerson said in his essay "), Styled("Self-Reliance", Style{Cite: true}), Text(":")),
			BlockQuote(Para(Text(`"A foolish consistency is the hobgoblin of little minds."`))),
		},
		"As Emerson said in his essay Self-Reliance:\n" +
			`> "A foolish consistency is the hobgoblin of little minds."`},

	{"XEP-0071 Example 4: an image and a hyperlink", `<message>
  <body>Hey, are you licensed to Jabber?

  http://www.xmpp.org/images/psa-license.jpg
  </body>
  <html xmlns='http://jabber.org/protocol/xhtml-im'>
    <body xmlns='http://www.w3.org/1999/xhtml'>
      <p>Hey, are you licensed to <a href='http://www.jabber.org/'>Jabber</a>?</p>
      <p><img src='http://www.xmpp.org/images/psa-license.jpg'
              alt='A License to Jabber'
              height='261'
              width='537'/></p>
    </body>
  </html>
</message>`,
		Doc{
			Para(Text("Hey, are you licensed to "), Link("Jabber", "http://www.jabber.org/"), Text("?")),
			Para(Img("http://www.xmpp.org/images/psa-license.jpg", "A License to Jabber", 537, 261)),
		},
		"Hey, are you licensed to Jabber (http://www.jabber.org/)?\nA License to Jabber"},

	{"XEP-0071 Example 5: two lists", `<message>
  <body>Here&apos;s my .plan for today:
  1. Add the following examples to XEP-0071:
     - ordered and unordered lists
     - more styles (e.g., indentation)
  2. Kick back and relax
  </body>
  <html xmlns='http://jabber.org/protocol/xhtml-im'>
    <body xmlns='http://www.w3.org/1999/xhtml'>
      <p>Here&apos;s my .plan for today:</p>
      <ol>
        <li>Add the following examples to XEP-0071:
          <ul>
            <li>ordered and unordered lists</li>
            <li>more styles (e.g., indentation)</li>
          </ul>
        </li>
        <li>Kick back and relax</li>
      </ol>
    </body>
  </html>
</message>`,
		Doc{
			Para(Text("Here's my .plan for today:")),
			NumberedList(
				[]Block{
					Para(Text("Add the following examples to XEP-0071:")),
					BulletList(Item(Text("ordered and unordered lists")), Item(Text("more styles (e.g., indentation)"))),
				},
				Item(Text("Kick back and relax")),
			),
		},
		`Here's my .plan for today:
1. Add the following examples to XEP-0071:
   • ordered and unordered lists
   • more styles (e.g., indentation)
2. Kick back and relax`},

	{"XEP-0071 Example 6: quoted text", `<message>
  <body>
You wrote:

   I think we have consensus on the following:

   1. Remove &lt;div/&gt;
   2. Nesting is not recommended
   3. Don't preserve whitespace

   Yes, no, maybe?

That seems fine to me.
  </body>
  <html xmlns='http://jabber.org/protocol/xhtml-im'>
    <body xmlns='http://www.w3.org/1999/xhtml'>
      <p>You wrote:</p>
      <blockquote>
        <p>I think we have consensus on the following:</p>
        <ol>
          <li>Remove &lt;div/&gt;</li>
          <li>Nesting is not recommended</li>
          <li>Don't preserve whitespace</li>
        </ol>
        <p>Yes, no, maybe?</p>
      </blockquote>
      <p>That seems fine to me.</p>
    </body>
  </html>
</message>`,
		Doc{
			Para(Text("You wrote:")),
			BlockQuote(
				Para(Text("I think we have consensus on the following:")),
				NumberedList(Item(Text("Remove <div/>")), Item(Text("Nesting is not recommended")), Item(Text("Don't preserve whitespace"))),
				Para(Text("Yes, no, maybe?")),
			),
			Para(Text("That seems fine to me.")),
		},
		`You wrote:
> I think we have consensus on the following:
> 1. Remove <div/>
> 2. Nesting is not recommended
> 3. Don't preserve whitespace
> Yes, no, maybe?
That seems fine to me.`},

	{"XEP-0071 Example 7: multiple bodies", `<message>
  <body xml:lang='en-US'>awesome!</body>
  <body xml:lang='de-DE'>ausgezeichnet!</body>
  <html xmlns='http://jabber.org/protocol/xhtml-im'>
    <body xml:lang='en-US' xmlns='http://www.w3.org/1999/xhtml'>
      <p><strong>awesome!</strong></p>
    </body>
    <body xml:lang='de-DE' xmlns='http://www.w3.org/1999/xhtml'>
      <p><strong>ausgezeichnet!</strong></p>
    </body>
  </html>
</message>`,
		Doc{Para(Bold("awesome!"))},
		"awesome!"},

	{"XEP-0071 Example 8: unrecognized elements and attributes", `<message>
  <body>
    The XHTML user agent conformance requirements say to ignore
    elements and attributes you don't understand, to wit:

      4. If a user agent encounters an element it does 
         not recognize, it must continue to process the 
         children of that element. If the content is text, 
         the text must be presented to the user.

      5. If a user agent encounters an attribute it does 
         not recognize, it must ignore the entire attribute 
         specification (i.e., the attribute and its value).
  </body>
  <html xmlns='http://jabber.org/protocol/xhtml-im'>
    <body xmlns='http://www.w3.org/1999/xhtml'>
      <p>The <acronym>XHTML</acronym> user agent conformance 
         requirements say to ignore elements and attributes 
         you don't understand, to wit:</p>
      <ol type='1' start='4'>
        <li><p>
          If a user agent encounters an element it does 
          not recognize, it must continue to process the 
          children of that element. If the content is text,
          the text must be presented to the user.
        </p></li>
        <li><p>
          If a user agent encounters an attribute it does 
          not recognize, it must ignore the entire attribute 
          specification (i.e., the attribute and its value).
        </p></li>
      </ol>
    </body>
  </html>
</message>`,
		Doc{
			Para(Text("The XHTML user agent conformance requirements say to ignore elements and attributes you don't understand, to wit:")),
			NumberedList(
				Item(Text("If a user agent encounters an element it does not recognize, it must continue to process the children of that element. If the content is text, the text must be presented to the user.")),
				Item(Text("If a user agent encounters an attribute it does not recognize, it must ignore the entire attribute specification (i.e., the attribute and its value).")),
			),
		},
		`The XHTML user agent conformance requirements say to ignore elements and attributes you don't understand, to wit:
1. If a user agent encounters an element it does not recognize, it must continue to process the children of that element. If the content is text, the text must be presented to the user.
2. If a user agent encounters an attribute it does not recognize, it must ignore the entire attribute specification (i.e., the attribute and its value).`},

	{"XEP-0071 1.3 Example 1: bold, italic, font colors", `<message>
  <body>OMG, I&apos;m green with envy!</body>
  <html xmlns='http://jabber.org/protocol/xhtml-im'>
    <body xmlns='http://www.w3.org/1999/xhtml'>
      <p style='font-size:large'>
        <span style='font-style: italic'>OMG</span>, 
        I&apos;m <span style='color:green'>green</span>
        with <span style='font-weight: bold'>envy</span>!
      </p>
    </body>
  </html>
</message>`,
		Doc{Para(
			Styled("OMG", Style{Italic: true, Size: SizeLarge}),
			Styled(", I'm ", Style{Size: SizeLarge}),
			Styled("green", Style{Color: RGB(0, 0x80, 0), Size: SizeLarge}),
			Styled(" with ", Style{Size: SizeLarge}),
			Styled("envy", Style{Bold: true, Size: SizeLarge}),
			Styled("!", Style{Size: SizeLarge}),
		)},
		"OMG, I'm green with envy!"},

	{"XEP-0071 1.3 Example 2: indentation", `<message>
  <body>As Emerson said in his essay Self-Reliance:

     &quot;A foolish consistency is the hobgoblin of little minds.&quot;
  </body>
  <html xmlns='http://jabber.org/protocol/xhtml-im'>
    <body xmlns='http://www.w3.org/1999/xhtml'>
      <p>As Emerson said in his essay <span style='font-style: italic'>Self-Reliance</span>:</p>
      <p style='margin-left: 5%'>
        &quot;A foolish consistency is the hobgoblin of little minds.&quot;
      </p>
    </body>
  </html>
</message>`,
		Doc{
			Para(Text("As Emerson said in his essay "), Italic("Self-Reliance"), Text(":")),
			indented(2, Para(Text(`"A foolish consistency is the hobgoblin of little minds."`))),
		},
		"As Emerson said in his essay Self-Reliance:\n" +
			`"A foolish consistency is the hobgoblin of little minds."`},

	{"XEP-0071 1.3 Example 5: quoted text", `<message>
  <body>You wrote: ...</body>
  <html xmlns='http://jabber.org/protocol/xhtml-im'>
    <body xmlns='http://www.w3.org/1999/xhtml'>
      <p>You wrote:</p>
      <div style='margin-left: 5%'>
        <p>I think we have consensus on the following:</p>
        <ol>
          <li>Remove &lt;div/&gt;</li>
          <li>Nesting is not recommended</li>
          <li>Don't preserve whitespace</li>
        </ol>
        <p>Yes, no, maybe?</p>
      </div>
      <p>That seems fine to me.</p>
    </body>
  </html>
</message>`,
		Doc{
			Para(Text("You wrote:")),
			indented(2, Para(Text("I think we have consensus on the following:"))),
			NumberedList(
				[]Block{indented(2, Para(Text("Remove <div/>")))},
				[]Block{indented(2, Para(Text("Nesting is not recommended")))},
				[]Block{indented(2, Para(Text("Don't preserve whitespace")))},
			),
			indented(2, Para(Text("Yes, no, maybe?"))),
			Para(Text("That seems fine to me.")),
		},
		`You wrote:
I think we have consensus on the following:
1. Remove <div/>
2. Nesting is not recommended
3. Don't preserve whitespace
Yes, no, maybe?
That seems fine to me.`},

	{"seed: Envoyer du texte en XHTML (XEP-0071)", `<message to="toto@jabber.org" type="chat">
  <body>Salut !</body>
  <html xmlns='http://jabber.org/protocol/xhtml-im'>
    <body xmlns='http://www.w3.org/1999/xhtml'>
      <p style='font-weight:bold'>Salut !</p>
    </body>
  </html>
</message>`,
		Doc{Para(Bold("Salut !"))},
		"Salut !"},
}

func indented(n int, b Block) Block { b.Indent = n; return b }

// dump shows a Doc compactly for failure messages.
func dump(d Doc) string {
	var b strings.Builder
	var blocks func([]Block, string)
	blocks = func(bs []Block, ind string) {
		for _, x := range bs {
			fmt.Fprintf(&b, "%s%v", ind, x.Kind)
			if x.Align != 0 || x.Indent != 0 {
				fmt.Fprintf(&b, "[align=%v indent=%d]", x.Align, x.Indent)
			}
			if x.Kind == List {
				fmt.Fprintf(&b, " ordered=%v", x.Ordered)
			}
			b.WriteString("\n")
			for _, in := range x.Inlines {
				fmt.Fprintf(&b, "%s  %v %q", ind, in.Kind, in.Text)
				if in.Style != (Style{}) {
					fmt.Fprintf(&b, " %+v", in.Style)
				}
				if in.Kind == Image {
					fmt.Fprintf(&b, " src=%q alt=%q %dx%d", in.Src, in.Alt, in.Width, in.Height)
				}
				b.WriteString("\n")
			}
			blocks(x.Blocks, ind+"  ")
			for i, it := range x.Items {
				fmt.Fprintf(&b, "%s  item %d\n", ind, i)
				blocks(it, ind+"    ")
			}
		}
	}
	blocks(d, "")
	return b.String()
}

func checkDoc(t *testing.T, got, want Doc) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got\n%s\nwant\n%s", dump(got), dump(want))
	}
}

func decodeMessage(t testing.TB, s string) *stanza.Message {
	t.Helper()
	var m stanza.Message
	if err := xml.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return &m
}

// wrapper cuts the <html/> element out of a stanza, as core/xmpp's
// decoder hands each extension to its type.
func wrapper(s string) string {
	i := strings.Index(s, "<html ")
	j := strings.LastIndex(s, "</html>")
	return s[i : j+len("</html>")]
}

func TestGoldenExamples(t *testing.T) {
	for _, ex := range examples {
		t.Run(ex.name, func(t *testing.T) {
			m := decodeMessage(t, ex.xml)
			h := Find(m)
			if h == nil {
				t.Fatalf("no *HTML among %#v", m.Extensions)
			}
			if h.XMLName != (xml.Name{Space: NS, Local: "html"}) {
				t.Errorf("XMLName %v", h.XMLName)
			}
			var h2 HTML
			if !m.Get(&h2) || !reflect.DeepEqual(&h2, h) {
				t.Error("stanza.Message.Get does not find the extension")
			}
			doc := h.Doc()
			checkDoc(t, doc, ex.want)
			if doc.Empty() {
				t.Error("Empty")
			}
			if got := doc.PlainText(); got != ex.plain {
				t.Errorf("PlainText\n%s\nwant\n%s", got, ex.plain)
			}

			// The same through the wrapper alone (core/xmpp's path) and
			// through Parse.
			var h3 HTML
			if err := xml.Unmarshal([]byte(wrapper(ex.xml)), &h3); err != nil {
				t.Fatal(err)
			}
			checkDoc(t, h3.Doc(), ex.want)
			p, err := Parse([]byte(wrapper(ex.xml)))
			if err != nil {
				t.Fatal(err)
			}
			checkDoc(t, p, ex.want)

			// Golden data is normal: it survives Marshal and Parse.
			checkDoc(t, ex.want.Normalize(), ex.want)
			back, err := Parse(Marshal(doc))
			if err != nil {
				t.Fatalf("%v\n%s", err, Marshal(doc))
			}
			checkDoc(t, back, ex.want)
		})
	}
}

func TestMultipleBodies(t *testing.T) {
	h := Find(decodeMessage(t, examples[6].xml))
	if len(h.Bodies) != 2 || h.Bodies[0].Lang != "en-US" || h.Bodies[1].Lang != "de-DE" {
		t.Fatalf("bodies %+v", h.Bodies)
	}
	en := Doc{Para(Bold("awesome!"))}
	de := Doc{Para(Bold("ausgezeichnet!"))}
	for _, c := range []struct {
		langs []string
		want  Doc
	}{
		{nil, en},
		{[]string{"de-DE"}, de},
		{[]string{"DE-de"}, de},
		{[]string{"de"}, de},
		{[]string{"de-AT"}, de},
		{[]string{"fr", "de"}, de},
		{[]string{"fr"}, en},
		{[]string{"", "en-GB"}, en},
	} {
		checkDoc(t, h.Doc(c.langs...), c.want)
	}
	var none *HTML
	if none.Doc("en") != nil {
		t.Error("nil HTML has a Doc")
	}
}

// Composing: a message with our extension encodes to XHTML-IM that reads
// back the same, next to the plain body.
func TestMessageRoundTrip(t *testing.T) {
	doc := Build(
		Para(Text("Salut "), Bold("Tintin"), Text(" !"), Break(), Styled("rouge", Style{Color: RGB(0xff, 0, 0)})),
		BulletList(Item(Link("xmpp.org", "https://xmpp.org/")), Item(Italic("deux"))),
	)
	m := stanza.NewMessage(stanza.Attrs{To: "tintin@jabber.fr", Type: stanza.MessageTypeChat})
	m.Body = doc.PlainText()
	h := New(doc)
	h.Bodies = append(h.Bodies, Body{Lang: "en", Doc: FromText("Hi Tintin!")})
	m.Extensions = append(m.Extensions, h)
	raw, err := xml.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	s := string(raw)
	for _, want := range []string{
		`<html xmlns="http://jabber.org/protocol/xhtml-im"><body xmlns="http://www.w3.org/1999/xhtml"><p>Salut <strong>Tintin</strong> !<br/><span style="color: #ff0000">rouge</span></p>`,
		`<ul><li><a href="https://xmpp.org/">xmpp.org</a></li><li><em>deux</em></li></ul></body>`,
		`<body xmlns="http://www.w3.org/1999/xhtml" xml:lang="en"><p>Hi Tintin!</p></body></html>`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("%s\nlacks\n%s", s, want)
		}
	}
	back := Find(decodeMessage(t, s))
	checkDoc(t, back.Doc(), doc)
	checkDoc(t, back.Doc("en"), Doc{Para(Text("Hi Tintin!"))})
	if got, want := m.Body, "Salut Tintin !\nrouge\n• xmpp.org\n• deux"; got != want {
		t.Errorf("plain %q, want %q", got, want)
	}
	// A value (not a pointer) in Extensions encodes too.
	m.Extensions = []stanza.MsgExtension{*New(FromText("x"))}
	if raw, err = xml.Marshal(m); err != nil || !strings.Contains(string(raw), `<p>x</p>`) {
		t.Errorf("%s %v", raw, err)
	}
}

func TestRegistry(t *testing.T) {
	ext := stanza.TypeRegistry.GetMsgExtension(xml.Name{Space: NS, Local: "html"})
	if _, ok := ext.(*HTML); !ok {
		t.Fatalf("registry gives %T", ext)
	}
}

func TestParseMessage(t *testing.T) {
	for _, ex := range examples {
		d, err := Parse([]byte(ex.xml))
		if err != nil {
			t.Fatal(err)
		}
		checkDoc(t, d, ex.want)
	}
	d, err := Parse([]byte(`<message><body>plain</body></message>`))
	if err != nil || d != nil {
		t.Fatalf("%v %s", err, dump(d))
	}
	var h HTML
	in := `<html xmlns='` + NS + `' xml:lang='fr'>` + body(`<p>a</p>`) + `<body xmlns='` + NSXHTML + `' xml:lang='en'><p>b</p></body></html>`
	if err := xml.Unmarshal([]byte(in), &h); err != nil || h.Bodies[0].Lang != "fr" || h.Bodies[1].Lang != "en" {
		t.Fatalf("%v %+v", err, h.Bodies)
	}
}
