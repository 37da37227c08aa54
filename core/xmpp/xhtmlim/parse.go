package xhtmlim

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits. Parsing is linear in the input; past a limit content is
// flattened or dropped, never an error (except MaxInputSize for [Parse]).
const (
	// MaxInputSize bounds what Parse and ParseReader read.
	MaxInputSize = 2 << 20
	// MaxDepth is the element nesting kept below <body/>; deeper elements
	// are ignored (their text is kept, styled as at the limit), except
	// that the content of <script/> and the like is still dropped.
	MaxDepth = 32
	// MaxBlockDepth bounds the nesting of quotes and lists in a Doc;
	// deeper ones become plain paragraphs.
	MaxBlockDepth = 8
	// MaxTextSize bounds the text of a Doc (spans and alt texts), in bytes.
	MaxTextSize = 64 << 10
	// MaxDataImage bounds one data: image URI, in bytes.
	MaxDataImage = 256 << 10
	// MaxIndent bounds a block's indentation, in em.
	MaxIndent = 20

	maxDataTotal = 2 * MaxDataImage // all data: images of a Doc
	maxURLTotal  = 32 << 10         // all links and remote image URIs of a Doc
	maxInlines   = 2000             // spans, breaks and images of a Doc
	maxBlocks    = 500              // blocks of a Doc
	maxAlt       = 1024             // one image's alt text
	maxBodies    = 8                // <body/> elements read in one <html/>
)

// Errors.
var (
	// ErrTooLarge is returned by Parse for input over MaxInputSize.
	ErrTooLarge = errors.New("xhtml-im: input too large")
	// ErrDirective is returned for a DTD (<!DOCTYPE ...>) or other
	// directive, which XMPP forbids; entity declarations are never read.
	ErrDirective = errors.New("xhtml-im: directive in content")
	// ErrNoElement is returned when the input holds no element.
	ErrNoElement = errors.New("xhtml-im: no element")
)

// Parse reads and sanitises XHTML-IM content: an XHTML <body/> (the usual
// case), an <html/> element (the XEP-0071 wrapper or an XHTML document:
// its first <body/> is read), a <message/> (its wrapper's first body), or
// any other single element, read as if it were a body's only child.
// Elements and attributes outside the XEP-0071 recommended profile are
// ignored but their text kept; the content of <script/>, <style/>,
// <head/>, <title/>, <object/>, <embed/>, <iframe/> and similar is
// dropped. The predefined XHTML entities (&nbsp; ...) are accepted; DTDs
// are refused.
//
// An error means malformed input. A nil error with d.Empty() means
// nothing worth showing. In both cases show the plain <body/>.
func Parse(data []byte) (Doc, error) {
	if len(data) > MaxInputSize {
		return nil, ErrTooLarge
	}
	return parseBytes(data, true)
}

// ParseReader is Parse reading from r, at most MaxInputSize bytes.
func ParseReader(r io.Reader) (Doc, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxInputSize+1))
	if err != nil {
		return nil, err
	}
	return Parse(data)
}

func parseBytes(data []byte, htmlEntities bool) (Doc, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff")) // a byte order mark
	d := xml.NewDecoder(bytes.NewReader(data))
	if htmlEntities {
		d.Entity = xml.HTMLEntity
	}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil, ErrNoElement
		}
		if err != nil {
			return nil, fmt.Errorf("xhtml-im: %w", err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			return nil, ErrDirective
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return nil, ErrNoElement
			}
		case xml.StartElement:
			if t.Name.Local == "message" {
				return fromMessage(d)
			}
			if t.Name.Local != "html" {
				doc, err := sanitize(d, t)
				if err != nil {
					return nil, fmt.Errorf("xhtml-im: %w", err)
				}
				return doc, nil
			}
			var doc Doc
			found := false
			err := eachChild(d, func(c xml.StartElement) (bool, error) {
				if found || c.Name.Local != "body" {
					return false, nil
				}
				found = true
				var err error
				doc, err = sanitize(d, c)
				return true, err
			})
			if err != nil {
				return nil, fmt.Errorf("xhtml-im: %w", err)
			}
			return doc, nil
		}
	}
}

// fromMessage reads the XHTML-IM wrapper of a message stanza.
func fromMessage(d *xml.Decoder) (Doc, error) {
	var h HTML
	err := eachChild(d, func(c xml.StartElement) (bool, error) {
		if h.XMLName.Local != "" || c.Name != (xml.Name{Space: NS, Local: "html"}) {
			return false, nil
		}
		return true, h.UnmarshalXML(d, c)
	})
	if err != nil {
		return nil, fmt.Errorf("xhtml-im: %w", err)
	}
	return h.Doc(), nil
}

// eachChild is xmpp.EachChild, refusing directives.
func eachChild(d *xml.Decoder, f func(xml.StartElement) (bool, error)) error {
	for {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.Directive:
			return ErrDirective
		case xml.StartElement:
			used, err := f(t)
			if err != nil {
				return err
			}
			if !used {
				if err := d.Skip(); err != nil {
					return err
				}
			}
		}
	}
}

// frame is an open element.
type frame struct {
	style  Style
	align  Align
	indent int
	pre    bool
	block  bool // ends a paragraph when it closes
	cont   bool // opened a container
}

// container is an open Doc, Quote, List or list item.
type container struct {
	kind    BlockKind // Paragraph for the Doc itself and for list items
	item    bool
	ordered bool
	blocks  []Block
	items   [][]Block
	para    para
}

// budget is what a Doc may still hold.
type budget struct {
	text, urls, data, inlines, blocks int
}

type parser struct {
	d     *xml.Decoder
	ns    string // the body's namespace: the one of recognised elements
	stack []frame
	inert int // open elements past MaxDepth
	conts []*container
	depth int // open quotes and lists
	b     budget
	full  bool // out of budget: drop the rest
}

// sanitize reads the element whose start d has just returned, up to its
// end, into a Doc.
func sanitize(d *xml.Decoder, root xml.StartElement) (Doc, error) {
	p := &parser{
		d:     d,
		ns:    root.Name.Space,
		conts: []*container{{}},
		b:     budget{text: MaxTextSize, urls: maxURLTotal, data: maxDataTotal, inlines: maxInlines, blocks: maxBlocks},
	}
	// A <body/> is the root; any other element is read as a body's only
	// child.
	virtual := root.Name.Local != "body"
	p.stack = append(p.stack, frame{})
	if virtual {
		if dropped[strings.ToLower(root.Name.Local)] {
			return nil, d.Skip()
		}
		if err := p.start(root); err != nil {
			return nil, err
		}
	} else if s := attr(root, "style"); s != "" {
		p.stack[0].applyBlock(applyStyle(s, &p.stack[0].style, 0))
	}
	for {
		tok, err := d.Token()
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if err := p.start(t); err != nil {
				return nil, err
			}
		case xml.EndElement:
			if p.inert > 0 {
				p.inert--
				continue
			}
			if len(p.stack) > 1 {
				p.end()
				if !virtual || len(p.stack) > 1 {
					continue
				}
			}
			p.flush(p.top()) // the root's end
			return Doc(p.conts[0].blocks), nil
		case xml.CharData:
			p.text(string(t))
		case xml.Directive:
			return nil, ErrDirective
		}
	}
}

func attr(se xml.StartElement, name string) string {
	for _, a := range se.Attr {
		if a.Name.Space == "" && a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func (f *frame) applyBlock(bs blockStyle) {
	if bs.alignSet {
		f.align = bs.align
	}
	if bs.indentSet {
		f.indent = min(f.indent+bs.indent, MaxIndent)
	}
}

func (p *parser) top() *container { return p.conts[len(p.conts)-1] }

func (p *parser) start(t xml.StartElement) error {
	if dropped[strings.ToLower(t.Name.Local)] {
		return p.d.Skip()
	}
	if p.inert > 0 || len(p.stack) > MaxDepth {
		p.inert++
		return nil
	}
	parent := &p.stack[len(p.stack)-1]
	f := frame{style: parent.style, align: parent.align, indent: parent.indent, pre: parent.pre}
	e := elem{act: aInline}
	if t.Name.Space == p.ns {
		if k, ok := elems[t.Name.Local]; ok {
			e = k
		}
	}
	if e.set != nil {
		e.set(&f.style)
	}
	if e.styled {
		if s := attr(t, "style"); s != "" {
			bs := applyStyle(s, &f.style, parent.style.Size)
			if e.act != aInline && e.act != aLink {
				f.applyBlock(bs)
			}
		}
	}
	switch e.act {
	case aBlock:
		p.breakPara()
		f.block = true
	case aPre:
		p.breakPara()
		f.block, f.pre = true, true
	case aQuote, aList:
		p.breakPara()
		f.block = true
		if p.depth < MaxBlockDepth {
			p.depth++
			f.cont = true
			c := &container{kind: List, ordered: t.Name.Local == "ol"}
			if e.act == aQuote {
				c.kind = Quote
			}
			p.conts = append(p.conts, c)
		}
	case aItem:
		p.breakPara()
		f.block = true
		if c := p.top(); c.kind == List {
			f.cont = true
			p.conts = append(p.conts, &container{item: true})
		}
	case aBreak:
		if f.pre {
			p.text("\n")
		} else {
			p.lineBreak()
		}
	case aImage:
		p.image(t, f.style)
	case aLink:
		if href, ok := SafeLink(attr(t, "href")); ok && len(href) <= p.b.urls && href != f.style.Link {
			p.b.urls -= len(href)
			f.style.Link = href
		}
	case aCell:
		p.text(" ")
	}
	p.stack = append(p.stack, f)
	return nil
}

func (p *parser) end() {
	f := p.stack[len(p.stack)-1]
	p.stack = p.stack[:len(p.stack)-1]
	if f.block {
		p.breakPara()
	}
	if !f.cont {
		return
	}
	c := p.top()
	p.conts = p.conts[:len(p.conts)-1]
	p.flush(c)
	parent := p.top()
	if c.item {
		if len(c.blocks) > 0 {
			parent.items = append(parent.items, c.blocks)
		}
		return
	}
	p.depth--
	var b Block
	switch c.kind {
	case Quote:
		if len(c.blocks) == 0 {
			return
		}
		b = Block{Kind: Quote, Blocks: c.blocks}
	default:
		if len(c.items) == 0 {
			return
		}
		b = Block{Kind: List, Ordered: c.ordered, Items: c.items}
	}
	p.add(parent, b)
}

// add appends a block to a container. A block directly in a list (not in
// an item) joins the previous item, as a nested list usually means.
func (p *parser) add(c *container, b Block) {
	if p.b.blocks <= 0 {
		p.full = true
		return
	}
	p.b.blocks--
	if c.kind != List {
		c.blocks = append(c.blocks, b)
	} else if n := len(c.items); n > 0 && b.Kind != Paragraph && b.Kind != Pre {
		c.items[n-1] = append(c.items[n-1], b)
	} else {
		c.items = append(c.items, []Block{b})
	}
}

// breakPara ends the paragraph being built, if any.
func (p *parser) breakPara() { p.flush(p.top()) }

func (p *parser) flush(c *container) {
	if b, ok := c.para.finish(); ok {
		p.add(c, b)
	}
}

// cur returns the paragraph text goes to, set up for the current block.
func (p *parser) cur() (*para, *frame) {
	f := &p.stack[len(p.stack)-1]
	pa := &p.top().para
	if pa.empty() {
		pa.pre, pa.align, pa.indent = f.pre, f.align, f.indent
	}
	return pa, f
}

func (p *parser) text(s string) {
	if p.full {
		return
	}
	pa, f := p.cur()
	if !pa.add(s, f.style, &p.b) {
		p.full = true
	}
}

func (p *parser) lineBreak() {
	if p.full {
		return
	}
	pa, _ := p.cur()
	if !pa.lineBreak(&p.b) {
		p.full = true
	}
}

func (p *parser) image(t xml.StartElement, st Style) {
	if p.full {
		return
	}
	alt := strings.Join(strings.Fields(attr(t, "alt")), " ")
	if len(alt) > maxAlt {
		alt = truncate(alt, maxAlt)
	}
	src, ok := SafeImage(attr(t, "src"))
	if ok && strings.HasPrefix(src, "data:") {
		ok = len(src) <= p.b.data
	} else if ok {
		ok = len(src) <= p.b.urls
	}
	if !ok {
		p.text(alt) // no usable image: its alt text stands in
		return
	}
	if len(alt) > p.b.text || p.b.inlines <= 0 {
		p.full = true
		return
	}
	if strings.HasPrefix(src, "data:") {
		p.b.data -= len(src)
	} else {
		p.b.urls -= len(src)
	}
	p.b.text -= len(alt)
	pa, _ := p.cur()
	pa.inline(Inline{Kind: Image, Src: src, Alt: alt, Width: dimension(attr(t, "width")),
		Height: dimension(attr(t, "height")), Style: Style{Link: st.Link}}, &p.b)
}

// dimension reads a width or height in pixels ("261" or "261px"), 0 if
// absent or unreasonable.
func dimension(s string) int {
	s = strings.TrimSuffix(strings.TrimSpace(s), "px")
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 || n > 10000 {
		return 0
	}
	return n
}

// truncate cuts s to at most n bytes, on a character boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
