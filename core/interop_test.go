package core

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/xmpp/disco"
	"github.com/causerie/causerie/core/xmpp/xhtmlim"
	"github.com/causerie/causerie/internal/slixpeer"
	"github.com/causerie/causerie/internal/testserver"
)

// Interop with an independent client: slixmpp (python3-slixmpp), driven
// through internal/slixpeer, on both servers.

// slixPair starts one of our clients and a slixmpp peer, makes them
// mutual contacts the way a user would (we add the peer and ask; it
// approves and asks back; we approve) and waits until our client learnt
// the peer's capabilities from the caps in its presence.
func slixPair(t *testing.T, srv *testserver.Server) (*env, *slixpeer.Peer) {
	t.Helper()
	a := newUser(t, srv)
	p := slixpeer.StartNew(t, srv, slixpeer.Options{SubscribeBack: true})
	a.connect()
	ctx := context.Background()
	aMark := a.rec.Mark()
	if err := a.s.AddContact(ctx, AddContactRequest{JID: p.Bare, Name: "Slix", Subscribe: true}); err != nil {
		t.Fatal(err)
	}
	p.WaitFor(t, "our subscription request", func(e slixpeer.Event) bool { return e.Event == "subscribe" && e.From == a.jid })
	a.rec.WaitFrom(t, aMark, "the peer asks back", func(e Event) bool {
		r, ok := e.(SubscriptionRequested)
		return ok && r.Request.From == p.Bare && r.InRoster
	})
	if err := a.s.ApproveSubscription(ctx, p.Bare, ApproveOptions{}); err != nil {
		t.Fatal(err)
	}
	a.rec.Wait(t, "mutual and online", contactIs(a, p.Bare, func(c Contact) bool {
		return c.Subscription == SubBoth && !c.PendingOut && c.Online()
	}))
	me := a.s.JID()
	p.WaitFor(t, "the peer sees us online", func(e slixpeer.Event) bool { return e.Event == "presence" && e.From == me && e.Type == "" })
	eventually(t, "our client learns the peer's caps", func() bool { return a.s.supports(p.JID, nsXHTMLIM) })
	return a, p
}

// eventually polls f until it holds, for what events do not announce.
func eventually(t testing.TB, what string, f func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !f() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestInteropVersionAndFeatures: our client asks slixmpp which software it
// runs and what it supports — known from the caps in its presence, before
// any question — and slixmpp, asking us the same, verifies our caps.
func TestInteropVersionAndFeatures(t *testing.T) { bothServers(t, testInteropVersionAndFeatures) }

func testInteropVersionAndFeatures(t *testing.T, srv *testserver.Server) {
	a, p := slixPair(t, srv)
	ctx := context.Background()

	v, err := a.s.SoftwareVersion(ctx, p.JID)
	if err != nil || v.Name != "slixbot" || v.Version != "1.0" || v.OS == "" || v.OS != p.Self.OS {
		t.Fatalf("version %+v %v (the peer says %q %q %q)", v, err, p.Self.Name, p.Self.Version, p.Self.OS)
	}

	// The capabilities came from the peer's <c/>: the hash slixmpp
	// computed checked out with ours, so the answer is cached under it.
	ref, online := a.s.resourceCaps(p.JID)
	if !online || ref.hash != "sha-1" || ref.node != p.Self.CapsNode || ref.ver != p.Self.CapsVer || p.Self.CapsVer == "" {
		t.Fatalf("caps in the peer's presence %+v, the peer advertises %q#%q", ref, p.Self.CapsNode, p.Self.CapsVer)
	}
	if _, ok := a.client.caps.Info(ref.hash, ref.ver); !ok {
		t.Fatal("the peer's caps are not in the verified cache")
	}
	f, err := a.s.Features(ctx, p.JID)
	if err != nil {
		t.Fatal(err)
	}
	if !f.XHTMLIM || !f.ChatStates || !f.Receipts || !f.Corrections || !f.Version || f.Avatars {
		t.Fatalf("features %+v", f)
	}
	if !reflect.DeepEqual(f.All, p.Self.Features) {
		t.Fatalf("features\n got  %q\n peer %q", f.All, p.Self.Features)
	}
	var peerInfo disco.Info
	for _, id := range p.Self.Identities {
		peerInfo.Identities = append(peerInfo.Identities, disco.Identity{Category: id.Category, Type: id.Type, Name: id.Name})
	}
	ids := featuresOf(&peerInfo).Identities
	if !reflect.DeepEqual(f.Identities, ids) || !slices.Contains(f.Identities, "client/bot") {
		t.Fatalf("identities %q, the peer advertises %+v", f.Identities, p.Self.Identities)
	}
	if f2, err := a.s.Features(ctx, p.Bare); err != nil || !reflect.DeepEqual(f2, f) {
		t.Fatalf("by bare JID: %+v %v", f2, err)
	}

	// The other way: slixmpp verified our caps (its own hash of our
	// disco#info matched the ver we advertise), and asks us directly.
	me := a.s.JID()
	ours := a.client.discoInfo()
	want := slices.Sorted(slices.Values(ours.Features))
	var got slixpeer.Event
	eventually(t, "slixmpp verifies our caps", func() bool {
		got = p.Try(t, slixpeer.Command{Cmd: "caps", To: me})
		return got.Error == ""
	})
	if !reflect.DeepEqual(got.Features, want) {
		t.Fatalf("slixmpp's view of our caps %q, want %q", got.Features, want)
	}
	if len(got.Identities) != 1 || got.Identities[0] != (slixpeer.Identity{Category: "client", Type: "pc", Name: "Causerie"}) {
		t.Fatalf("slixmpp's view of our identity %+v", got.Identities)
	}
	d := p.Do(t, slixpeer.Command{Cmd: "disco", To: me})
	if !reflect.DeepEqual(d.Features, want) {
		t.Fatalf("disco#info as slixmpp got it %q", d.Features)
	}
	ver := p.Do(t, slixpeer.Command{Cmd: "version", To: me})
	if want := a.client.versionInfo(); ver.Name != want.Name || ver.Version != want.Version || ver.OS != want.OS {
		t.Fatalf("our version as slixmpp got it %+v, want %+v", ver, want)
	}
}

// TestInteropRichFromSlixmpp: a formatted message written by slixmpp's
// XHTML-IM plugin is stored sanitised, and shows bold, italic, colour, a
// link, a list and a quote.
func TestInteropRichFromSlixmpp(t *testing.T) { bothServers(t, testInteropRichFromSlixmpp) }

func testInteropRichFromSlixmpp(t *testing.T, srv *testserver.Server) {
	a, p := slixPair(t, srv)
	const link = "https://xmpp.org/extensions/xep-0071.html"
	html := `<p><strong>gras</strong>, <em>italique</em>, <span style="color: #cc0000">rouge</span> et <a href="` + link + `">le XEP</a></p>` +
		`<ul><li>premier</li><li>second</li></ul>` +
		`<blockquote><p>Une citation</p></blockquote>`
	body := "gras, italique, rouge et le XEP\n- premier\n- second\n> Une citation"
	mark := a.rec.Mark()
	p.Message(t, a.jid, body, html)
	m := a.rec.WaitFrom(t, mark, "the formatted message", func(e Event) bool {
		r, ok := e.(MessageReceived)
		return ok && r.Message.Direction == history.In && r.Message.Peer == p.Bare
	}).(MessageReceived).Message
	if m.Body != body || m.Rich == "" {
		t.Fatalf("stored %+v", m)
	}
	doc := MessageDoc(m)
	red := xhtmlim.RGB(0xcc, 0, 0)
	for _, c := range []struct {
		text string
		ok   func(xhtmlim.Style) bool
	}{
		{"gras", func(s xhtmlim.Style) bool { return s == xhtmlim.Style{Bold: true} }},
		{"italique", func(s xhtmlim.Style) bool { return s == xhtmlim.Style{Italic: true} }},
		{"rouge", func(s xhtmlim.Style) bool { return s == xhtmlim.Style{Color: red} }},
		{"le XEP", func(s xhtmlim.Style) bool { return s == xhtmlim.Style{Link: link} }},
	} {
		in, ok := findInline(doc, func(in xhtmlim.Inline) bool { return in.Kind == xhtmlim.Span && in.Text == c.text })
		if !ok || !c.ok(in.Style) {
			t.Errorf("%q: %+v (found %v)", c.text, in, ok)
		}
	}
	var list, quote *xhtmlim.Block
	for i := range doc {
		switch doc[i].Kind {
		case xhtmlim.List:
			list = &doc[i]
		case xhtmlim.Quote:
			quote = &doc[i]
		}
	}
	if list == nil || list.Ordered || len(list.Items) != 2 || xhtmlim.Doc(list.Items[1]).PlainText() != "second" {
		t.Errorf("list %+v", list)
	}
	if quote == nil || xhtmlim.Doc(quote.Blocks).PlainText() != "Une citation" {
		t.Errorf("quote %+v", quote)
	}
	want := xhtmlim.Build(
		xhtmlim.Para(xhtmlim.Bold("gras"), xhtmlim.Text(", "), xhtmlim.Italic("italique"), xhtmlim.Text(", "),
			xhtmlim.Styled("rouge", xhtmlim.Style{Color: red}), xhtmlim.Text(" et "), xhtmlim.Link("le XEP", link)),
		xhtmlim.BulletList(xhtmlim.Item(xhtmlim.Text("premier")), xhtmlim.Item(xhtmlim.Text("second"))),
		xhtmlim.BlockQuote(xhtmlim.Para(xhtmlim.Text("Une citation"))),
	)
	if !reflect.DeepEqual(doc, want) {
		t.Fatalf("shown\n%#v\nwant\n%#v\nstored %s", doc, want, m.Rich)
	}
}

// findInline returns the first inline of d (in any block) matching f.
func findInline(d xhtmlim.Doc, f func(xhtmlim.Inline) bool) (xhtmlim.Inline, bool) {
	var walk func([]xhtmlim.Block) (xhtmlim.Inline, bool)
	walk = func(bs []xhtmlim.Block) (xhtmlim.Inline, bool) {
		for _, b := range bs {
			for _, in := range b.Inlines {
				if f(in) {
					return in, true
				}
			}
			if in, ok := walk(b.Blocks); ok {
				return in, true
			}
			for _, it := range b.Items {
				if in, ok := walk(it); ok {
					return in, true
				}
			}
		}
		return xhtmlim.Inline{}, false
	}
	return walk(d)
}

// TestInteropHostileXHTMLFromSlixmpp: slixmpp carries whatever markup it
// is given; what we store and show keeps the text and drops scripts,
// script links, event handlers, CSS urls and deep nesting, and keeps a
// remote image as an image that nobody fetched.
func TestInteropHostileXHTMLFromSlixmpp(t *testing.T) {
	bothServers(t, testInteropHostileXHTMLFromSlixmpp)
}

func testInteropHostileXHTMLFromSlixmpp(t *testing.T, srv *testserver.Server) {
	var hits atomic.Int32
	tracker := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer tracker.Close()
	pixel := tracker.URL + "/pixel.gif?u=alice"

	a, p := slixPair(t, srv)
	// 200 nested spans; Prosody 0.12 cannot take that many: archiving the
	// message (util.serialization, at most 127 nested tables) fails, the
	// message is dropped and the sender's stream closed.
	depth := 200
	if srv.Kind == testserver.Prosody {
		depth = 100
	}
	deep := strings.Repeat(`<span style="font-weight: bold">`, depth) + "tout au fond" + strings.Repeat("</span>", depth)
	html := `<p onclick="alert('p')" style="color: blue; background-image: url(http://evil.example/bg.png)">Bonjour ` +
		`<script type="text/javascript">alert('script')</script>` +
		`<a href="javascript:alert('lien')" onmouseover="alert('survol')">clique ici</a> ` +
		`<span style="color: red; background: url(javascript:alert('css'))" onload="alert('span')">rouge</span> ` +
		`<img src="` + strings.ReplaceAll(pixel, "&", "&amp;") + `" alt="pixel espion" width="1" height="1" onerror="alert('img')"/></p>` +
		`<p>` + deep + `</p>`
	mark := a.rec.Mark()
	p.Message(t, a.jid, "Bonjour clique ici rouge — tout au fond", html)
	m := a.rec.WaitFrom(t, mark, "the hostile message", func(e Event) bool {
		r, ok := e.(MessageReceived)
		return ok && r.Message.Direction == history.In && r.Message.Peer == p.Bare
	}).(MessageReceived).Message
	if m.Rich == "" {
		t.Fatalf("no rich body stored: %+v", m)
	}
	low := strings.ToLower(m.Rich)
	for _, bad := range []string{"script", "alert", "javascript", "url(", "evil.example"} {
		if strings.Contains(low, bad) {
			t.Errorf("stored rich body has %q: %s", bad, m.Rich)
		}
	}
	if regexp.MustCompile(`\son[a-z]+\s*=`).MatchString(low) {
		t.Errorf("stored rich body has an event handler: %s", m.Rich)
	}
	t.Logf("stored: %s", m.Rich)
	if d := xmlDepth(t, m.Rich); d > 6 {
		t.Errorf("stored rich body nests %d deep: %s", d, m.Rich)
	}

	doc := MessageDoc(m)
	img, ok := findInline(doc, func(in xhtmlim.Inline) bool { return in.Kind == xhtmlim.Image })
	if !ok || img.Src != pixel || img.Alt != "pixel espion" || img.Width != 1 || img.Height != 1 || img.Style.Link != "" {
		t.Errorf("image %+v (found %v)", img, ok)
	}
	// The link's text joins the paragraph's (blue) text: no link left.
	if in, ok := findInline(doc, func(in xhtmlim.Inline) bool { return strings.Contains(in.Text, "clique ici") }); !ok || in.Style != (xhtmlim.Style{Color: xhtmlim.RGB(0, 0, 255)}) {
		t.Errorf("script link %+v (found %v)", in, ok)
	}
	if in, ok := findInline(doc, func(in xhtmlim.Inline) bool { return in.Text == "rouge" }); !ok || in.Style != (xhtmlim.Style{Color: xhtmlim.RGB(255, 0, 0)}) {
		t.Errorf("rouge %+v (found %v)", in, ok)
	}
	if in, ok := findInline(doc, func(in xhtmlim.Inline) bool { return in.Text == "tout au fond" }); !ok || in.Style != (xhtmlim.Style{Bold: true}) {
		t.Errorf("deep text %+v (found %v)", in, ok)
	}
	plain := doc.PlainText()
	for _, want := range []string{"Bonjour", "clique ici", "rouge", "tout au fond"} {
		if !strings.Contains(plain, want) {
			t.Errorf("plain text %q lacks %q", plain, want)
		}
	}
	if strings.Contains(plain, "alert") {
		t.Errorf("plain text %q has the script", plain)
	}
	time.Sleep(100 * time.Millisecond)
	if n := hits.Load(); n != 0 {
		t.Errorf("the remote image was fetched %d times", n)
	}
}

// xmlDepth is the element nesting of an XML fragment.
func xmlDepth(t testing.TB, s string) int {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(s))
	depth, deepest := 0, 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return deepest
		}
		if err != nil {
			t.Fatalf("%v: %s", err, s)
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
			deepest = max(deepest, depth)
		case xml.EndElement:
			depth--
		}
	}
}

// TestInteropRichToSlixmpp: once the peer's caps say it shows XHTML-IM, a
// formatted message goes out with it; slixmpp gets valid XHTML-IM and the
// plain text as the body.
func TestInteropRichToSlixmpp(t *testing.T) { bothServers(t, testInteropRichToSlixmpp) }

func testInteropRichToSlixmpp(t *testing.T, srv *testserver.Server) {
	a, p := slixPair(t, srv)
	if !a.s.showsXHTML(p.Bare) {
		t.Fatal("the peer's caps list XHTML-IM but showsXHTML is false")
	}
	const link = "https://causerie.example/aide?page=1&lang=fr"
	doc := xhtmlim.Build(
		xhtmlim.Para(xhtmlim.Bold("Important"), xhtmlim.Text(" : "),
			xhtmlim.Styled("en rouge", xhtmlim.Style{Color: xhtmlim.RGB(0xcc, 0, 0)}), xhtmlim.Text(", "),
			xhtmlim.Italic("penché"), xhtmlim.Text(" et "), xhtmlim.Link("l'aide", link)),
		xhtmlim.BulletList(xhtmlim.Item(xhtmlim.Text("un")), xhtmlim.Item(xhtmlim.Text("deux"))),
		xhtmlim.BlockQuote(xhtmlim.Para(xhtmlim.Text("cité"))),
	)
	mark := p.Mark()
	sent, err := a.s.SendRichMessage(p.Bare, doc)
	if err != nil {
		t.Fatal(err)
	}
	ev := p.WaitFrom(t, mark, "the formatted message", func(e slixpeer.Event) bool { return e.Event == "message" && e.Body != "" })
	// The body is our plain fallback of the same text.
	if ev.Body != sent.Body || ev.Body != plainBody(doc) || !strings.Contains(ev.Body, "Important") || !strings.Contains(ev.Body, "en rouge") {
		t.Fatalf("body %q, want %q", ev.Body, plainBody(doc))
	}
	if ev.HTML == "" || ev.HTMLBody == "" {
		t.Fatalf("no XHTML-IM: %+v", ev)
	}
	for _, want := range []string{"<strong>Important</strong>", "color: #cc0000", `<a href="https://causerie.example/aide?page=1&amp;lang=fr">`, "<em>penché</em>", "<ul>", "<blockquote>"} {
		if !strings.Contains(ev.HTML, want) || !strings.Contains(ev.HTMLBody, want) {
			t.Errorf("slixmpp's XHTML-IM lacks %s:\n%s\nbody: %s", want, ev.HTML, ev.HTMLBody)
		}
	}
	validXHTMLIM(t, ev.HTML)
	// What slixmpp got reads back as what we sent.
	back, err := xhtmlim.Parse([]byte(ev.HTML))
	if err != nil || !reflect.DeepEqual(back, doc) {
		t.Fatalf("round trip through slixmpp:\n%#v %v\nwant\n%#v", back, err, doc)
	}
	if !ev.ReceiptRequest || ev.ID != sent.OriginID || ev.OriginID != sent.OriginID {
		t.Errorf("message %+v, sent %+v", ev, sent)
	}
}

// xhtmlIMAttrs is XEP-0071 §7's recommended profile: each element and the
// attributes it may carry.
var xhtmlIMAttrs = map[string][]string{
	"body": {"style", "lang"}, "p": {"style"}, "span": {"style"}, "br": nil,
	"a": {"href", "style", "type"}, "img": {"alt", "height", "src", "style", "width"},
	"strong": nil, "em": nil, "cite": {"style"}, "code": {"style"}, "q": {"style"},
	"blockquote": {"style"}, "pre": {"style"}, "ul": {"style"}, "ol": {"style"}, "li": {"style"},
}

// validXHTMLIM checks an <html/> element: the XHTML-IM wrapper holding
// XHTML <body/>s of the recommended profile only.
func validXHTMLIM(t testing.TB, s string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(s))
	var stack []xml.Name
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed: %v\n%s", err, s)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			switch len(stack) {
			case 0:
				if tk.Name != (xml.Name{Space: nsXHTMLIM, Local: "html"}) {
					t.Fatalf("root %v:\n%s", tk.Name, s)
				}
			case 1:
				if tk.Name != (xml.Name{Space: xhtmlim.NSXHTML, Local: "body"}) {
					t.Fatalf("wrapper child %v:\n%s", tk.Name, s)
				}
			default:
				if tk.Name.Space != xhtmlim.NSXHTML {
					t.Errorf("element %v outside XHTML:\n%s", tk.Name, s)
				}
			}
			if len(stack) > 0 {
				allowed, ok := xhtmlIMAttrs[tk.Name.Local]
				if !ok {
					t.Errorf("element %s outside the profile:\n%s", tk.Name.Local, s)
				}
				for _, at := range tk.Attr {
					if at.Name.Space == "xmlns" || at.Name.Local == "xmlns" || at.Name.Space == "http://www.w3.org/XML/1998/namespace" {
						continue
					}
					if !slices.Contains(allowed, at.Name.Local) {
						t.Errorf("attribute %s on %s outside the profile:\n%s", at.Name.Local, tk.Name.Local, s)
					}
				}
			}
			stack = append(stack, tk.Name)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		}
	}
}

// TestInteropChatStatesAndReceipts: slixmpp acknowledges our message
// (XEP-0184) so it shows delivered; its typing shows; we acknowledge its
// message; once it showed it takes chat states, it sees ours; its
// correction (XEP-0308) replaces its message.
func TestInteropChatStatesAndReceipts(t *testing.T) { bothServers(t, testInteropChatStatesAndReceipts) }

func testInteropChatStatesAndReceipts(t *testing.T, srv *testserver.Server) {
	a, p := slixPair(t, srv)
	me := a.s.JID()

	// Our message: slixmpp answers the receipt request by itself.
	pMark, aMark := p.Mark(), a.rec.Mark()
	sent, err := a.s.SendMessage(p.Bare, TypeChat, "", "Tu es là ?")
	if err != nil {
		t.Fatal(err)
	}
	ev := p.WaitFrom(t, pMark, "our message", func(e slixpeer.Event) bool { return e.Event == "message" && e.Body == "Tu es là ?" })
	if !ev.ReceiptRequest || ev.ID != sent.OriginID || ev.Type != "chat" {
		t.Fatalf("the peer got %+v", ev)
	}
	a.rec.WaitFrom(t, aMark, "delivered", func(e Event) bool {
		st, ok := e.(MessageStateChanged)
		return ok && st.ID == sent.ID && st.State == history.StateDelivered
	})

	// The peer types: we see it.
	aMark = a.rec.Mark()
	p.Do(t, slixpeer.Command{Cmd: "chatstate", To: me, ChatState: "composing"})
	cs := a.rec.WaitFrom(t, aMark, "the peer composing", func(e Event) bool {
		cs, ok := e.(ChatStateChanged)
		return ok && cs.JID == p.Bare && cs.State == ChatComposing
	}).(ChatStateChanged)
	if cs.Resource == "" || p.Bare+"/"+cs.Resource != p.JID || cs.Legacy {
		t.Errorf("chat state %+v", cs)
	}

	// The peer answers, asking for a receipt: we send one.
	aMark, pMark = a.rec.Mark(), p.Mark()
	id := p.Do(t, slixpeer.Command{Cmd: "send", To: me, Body: "Oui !", ChatState: "active", Receipt: true}).ID
	got := a.rec.WaitFrom(t, aMark, "the peer's answer", func(e Event) bool {
		r, ok := e.(MessageReceived)
		return ok && r.Message.Direction == history.In && r.Message.Body == "Oui !"
	}).(MessageReceived).Message
	a.rec.WaitFrom(t, aMark, "the peer active", func(e Event) bool {
		cs, ok := e.(ChatStateChanged)
		return ok && cs.JID == p.Bare && cs.State == ChatActive
	})
	p.WaitFrom(t, pMark, "our receipt", func(e slixpeer.Event) bool { return e.Event == "message" && e.Receipt == id })

	// We type: the peer sees composing.
	pMark = p.Mark()
	a.s.Typing(p.Bare, TypingTyped)
	ev = p.WaitFrom(t, pMark, "our composing", func(e slixpeer.Event) bool { return e.Event == "message" && e.ChatState == "composing" })
	if ev.Body != "" || ev.From != me || ev.Type != "chat" {
		t.Errorf("our chat state as received %+v", ev)
	}

	// The peer corrects its message.
	aMark = a.rec.Mark()
	p.Do(t, slixpeer.Command{Cmd: "send", To: me, Body: "Oui, je suis là !", Replace: id})
	c := a.rec.WaitFrom(t, aMark, "the correction", func(e Event) bool { _, ok := e.(MessageCorrected); return ok }).(MessageCorrected)
	if c.Message.ID != got.ID || c.Message.Body != "Oui, je suis là !" || !c.Message.Corrected {
		t.Fatalf("corrected %+v", c.Message)
	}
}
