package xhtmlim

import (
	"fmt"
	"strings"
	"unicode"
)

// Doc is a sanitised rich-text message: a sequence of blocks. It holds no
// XML and no UI types; a renderer walks the blocks and maps each inline's
// [Style] to its own text styles.
//
// A Doc returned by [Parse], [Build] or [Doc.Normalize] is normal: no
// empty blocks or spans, adjacent spans with equal styles merged,
// whitespace collapsed as an XHTML user agent would, only safe links and
// image sources, nesting within [MaxBlockDepth]. For a normal d,
// Parse(Marshal(d)) equals d.
type Doc []Block

// BlockKind says what a [Block] is.
type BlockKind uint8

const (
	// Paragraph is a run of inline content (<p/>, or text between blocks).
	Paragraph BlockKind = iota
	// Quote is a quotation (<blockquote/>) holding nested blocks.
	Quote
	// Pre is preformatted text (<pre/>): whitespace and newlines are
	// significant and kept in the spans' text; it has no LineBreak inlines.
	Pre
	// List is an ordered (<ol/>) or unordered (<ul/>) list.
	List
)

func (k BlockKind) String() string {
	switch k {
	case Paragraph:
		return "Paragraph"
	case Quote:
		return "Quote"
	case Pre:
		return "Pre"
	case List:
		return "List"
	}
	return fmt.Sprintf("BlockKind(%d)", k)
}

// Block is one block of a [Doc].
type Block struct {
	Kind BlockKind

	// Inlines is the content of a Paragraph or Pre block.
	Inlines []Inline
	// Align and Indent lay out a Paragraph or Pre block (CSS text-align
	// and margin-left, inherited from enclosing blocks). Indent is in em,
	// 0 to [MaxIndent].
	Align  Align
	Indent int

	// Blocks is the content of a Quote.
	Blocks []Block

	// Ordered and Items are a List's numbering and its items; each item
	// is a sequence of blocks (usually one paragraph, perhaps followed by
	// a nested list).
	Ordered bool
	Items   [][]Block
}

// Align is a block's horizontal alignment (CSS text-align).
type Align uint8

const (
	AlignDefault Align = iota // the reading direction's start
	AlignLeft
	AlignCenter
	AlignRight
	AlignJustify
)

var alignNames = [...]string{"", "left", "center", "right", "justify"}

func (a Align) String() string {
	if int(a) < len(alignNames) {
		return alignNames[a]
	}
	return fmt.Sprintf("Align(%d)", a)
}

// InlineKind says what an [Inline] is.
type InlineKind uint8

const (
	// Span is styled text.
	Span InlineKind = iota
	// LineBreak is <br/>; it has no text and no style.
	LineBreak
	// Image is <img/>: Src, Alt, Width, Height, and Style.Link when the
	// image is inside a hyperlink. The package never fetches it.
	Image
)

func (k InlineKind) String() string {
	switch k {
	case Span:
		return "Span"
	case LineBreak:
		return "LineBreak"
	case Image:
		return "Image"
	}
	return fmt.Sprintf("InlineKind(%d)", k)
}

// Inline is one piece of a Paragraph's or Pre's content. It is
// comparable with ==.
type Inline struct {
	Kind  InlineKind
	Text  string // Span
	Style Style  // Span; an Image only uses Style.Link

	// Image: Src is an http, https, cid (XEP-0231) or base64 data:image
	// URI; Alt is the text to show instead (may be empty); Width and
	// Height are the sender's size hints in pixels, 0 when unknown.
	Src           string
	Alt           string
	Width, Height int
}

// Style is the text style of a Span. The zero Style is plain text. It is
// comparable with ==.
type Style struct {
	Bold      bool
	Italic    bool
	Underline bool
	Strike    bool // line-through
	Code      bool // monospace: <code/>, <kbd/>, <samp/>, <tt/>
	Cite      bool // <cite/>: the title of a work (usually shown in italics)
	Quote     bool // <q/>: an inline quotation (shown between quotation marks)

	Color      Color // text colour; zero means the theme's
	Background Color // background colour; zero means none
	Size       Size  // relative font size; 0 is the normal size
	// Family is a generic family (serif, sans-serif, monospace, cursive,
	// fantasy, system-ui) or a short font name ("Comic Sans MS"); ""
	// means the default font.
	Family string

	// Link is the target of the hyperlink around the text: an http,
	// https, xmpp or mailto URI. Show it to the user before following it
	// (XEP-0071 §11.2, phishing).
	Link string
}

// Size is a font size in steps of about ×1.2 from the normal size, from
// SizeXXSmall (-3) to SizeXXLarge (3), matching the CSS keywords.
type Size int8

const (
	SizeXXSmall Size = -3
	SizeXSmall  Size = -2
	SizeSmall   Size = -1
	SizeNormal  Size = 0
	SizeLarge   Size = 1
	SizeXLarge  Size = 2
	SizeXXLarge Size = 3
)

var sizeNames = [...]string{"xx-small", "x-small", "small", "medium", "large", "x-large", "xx-large"}

// String returns the CSS keyword ("medium" for SizeNormal).
func (s Size) String() string {
	if s >= SizeXXSmall && s <= SizeXXLarge {
		return sizeNames[s+3]
	}
	return fmt.Sprintf("Size(%d)", s)
}

// Empty reports whether d shows nothing: no text other than whitespace
// and no image. Callers then show the message's plain <body/>.
func (d Doc) Empty() bool { return blocksEmpty(d) }

func blocksEmpty(bs []Block) bool {
	for i := range bs {
		b := &bs[i]
		for _, in := range b.Inlines {
			if in.Kind == Image || in.Kind == Span && strings.TrimFunc(in.Text, unicode.IsSpace) != "" {
				return false
			}
		}
		if !blocksEmpty(b.Blocks) {
			return false
		}
		for _, it := range b.Items {
			if !blocksEmpty(it) {
				return false
			}
		}
	}
	return true
}

// Normalize returns d in normal form, as Parse(Marshal(d)) would: empty
// pieces dropped, equal spans merged, unsafe links and image sources
// removed (an image then shows as its alt text), and in non-Pre text "\n"
// turned into a LineBreak, tabs into spaces, and runs of spaces kept with
// no-break spaces (XEP-0071 §8 rule 9). Invalid UTF-8 becomes U+FFFD and
// characters XML cannot carry are dropped.
func (d Doc) Normalize() Doc {
	n, err := parseBytes(marshalBody("", d), false)
	if err != nil { // cannot happen: marshalBody writes well-formed XML
		return nil
	}
	return n
}

// Build returns a normal Doc of these blocks (see [Doc.Normalize]).
func Build(blocks ...Block) Doc { return Doc(blocks).Normalize() }

// FromText returns plain text as a Doc: one paragraph whose line breaks
// are the text's newlines.
func FromText(s string) Doc { return Build(Para(Text(s))) }

// Para returns a Paragraph of these inlines.
func Para(in ...Inline) Block { return Block{Kind: Paragraph, Inlines: in} }

// Preformatted returns a Pre block of this text.
func Preformatted(text string) Block {
	return Block{Kind: Pre, Inlines: []Inline{{Kind: Span, Text: text}}}
}

// BlockQuote returns a Quote of these blocks.
func BlockQuote(blocks ...Block) Block { return Block{Kind: Quote, Blocks: blocks} }

// BulletList returns an unordered List; each item is a sequence of blocks.
func BulletList(items ...[]Block) Block { return Block{Kind: List, Items: items} }

// NumberedList returns an ordered List.
func NumberedList(items ...[]Block) Block { return Block{Kind: List, Ordered: true, Items: items} }

// Item returns a list item of one paragraph of these inlines.
func Item(in ...Inline) []Block { return []Block{Para(in...)} }

// Text returns an unstyled Span.
func Text(s string) Inline { return Inline{Kind: Span, Text: s} }

// Styled returns a Span with this style.
func Styled(s string, st Style) Inline { return Inline{Kind: Span, Text: s, Style: st} }

// Bold returns a bold Span.
func Bold(s string) Inline { return Styled(s, Style{Bold: true}) }

// Italic returns an italic Span.
func Italic(s string) Inline { return Styled(s, Style{Italic: true}) }

// Link returns a Span linking to href.
func Link(s, href string) Inline { return Styled(s, Style{Link: href}) }

// Break returns a LineBreak.
func Break() Inline { return Inline{Kind: LineBreak} }

// Img returns an Image; width and height may be 0.
func Img(src, alt string, width, height int) Inline {
	return Inline{Kind: Image, Src: src, Alt: alt, Width: width, Height: height}
}
