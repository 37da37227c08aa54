package xhtmlim

// The profile: which elements are read, and how.

// What an element does.
type action uint8

const (
	aInline action = iota // text-level: its text joins the paragraph
	aBlock                // starts and ends a paragraph (p, div, h1, ...)
	aPre                  // a block whose whitespace is kept
	aQuote                // blockquote
	aList                 // ul, ol
	aItem                 // li
	aBreak                // br
	aImage                // img
	aLink                 // a
	aCell                 // td, th: a space before
)

type elem struct {
	act    action
	styled bool // the style attribute is honoured
	set    func(*Style)
}

var (
	setBold   = func(s *Style) { s.Bold = true }
	setItalic = func(s *Style) { s.Italic = true }
	setCode   = func(s *Style) { s.Code = true }
)

func heading(size Size) func(*Style) {
	return func(s *Style) { s.Bold, s.Size = true, size }
}

// elems is the profile: XEP-0071's recommended elements (§7.8) plus
// <code/>, <pre/>, <q/> and the common presentational ones; the rest of
// the XHTML-IM integration set is read for its structure only.
var elems = map[string]elem{
	"p":          {act: aBlock, styled: true},
	"div":        {act: aBlock, styled: true},
	"body":       {act: aBlock, styled: true},
	"address":    {act: aBlock, styled: true},
	"h1":         {act: aBlock, styled: true, set: heading(SizeXXLarge)},
	"h2":         {act: aBlock, styled: true, set: heading(SizeXLarge)},
	"h3":         {act: aBlock, styled: true, set: heading(SizeLarge)},
	"h4":         {act: aBlock, styled: true, set: heading(SizeNormal)},
	"h5":         {act: aBlock, styled: true, set: heading(SizeSmall)},
	"h6":         {act: aBlock, styled: true, set: heading(SizeXSmall)},
	"pre":        {act: aPre, styled: true},
	"blockquote": {act: aQuote, styled: true},
	"ul":         {act: aList, styled: true},
	"ol":         {act: aList, styled: true},
	"li":         {act: aItem, styled: true},
	"br":         {act: aBreak},
	"img":        {act: aImage},
	"a":          {act: aLink, styled: true},
	"span":       {act: aInline, styled: true},
	"strong":     {act: aInline, styled: true, set: setBold},
	"b":          {act: aInline, styled: true, set: setBold},
	"em":         {act: aInline, styled: true, set: setItalic},
	"i":          {act: aInline, styled: true, set: setItalic},
	"var":        {act: aInline, styled: true, set: setItalic},
	"dfn":        {act: aInline, styled: true, set: setItalic},
	"u":          {act: aInline, styled: true, set: func(s *Style) { s.Underline = true }},
	"ins":        {act: aInline, set: func(s *Style) { s.Underline = true }},
	"s":          {act: aInline, set: func(s *Style) { s.Strike = true }},
	"strike":     {act: aInline, set: func(s *Style) { s.Strike = true }},
	"del":        {act: aInline, set: func(s *Style) { s.Strike = true }},
	"code":       {act: aInline, styled: true, set: setCode},
	"kbd":        {act: aInline, styled: true, set: setCode},
	"samp":       {act: aInline, styled: true, set: setCode},
	"tt":         {act: aInline, set: setCode},
	"cite":       {act: aInline, styled: true, set: func(s *Style) { s.Cite = true }},
	"q":          {act: aInline, styled: true, set: func(s *Style) { s.Quote = true }},
	"abbr":       {act: aInline, styled: true},
	"acronym":    {act: aInline, styled: true},
	// Not XHTML-IM, read for their structure only.
	"dl": {act: aBlock}, "dt": {act: aBlock}, "dd": {act: aBlock},
	"table": {act: aBlock}, "tr": {act: aBlock}, "caption": {act: aBlock},
	"td": {act: aCell}, "th": {act: aCell}, "hr": {act: aBlock},
	"center": {act: aBlock}, "section": {act: aBlock}, "article": {act: aBlock},
	"header": {act: aBlock}, "footer": {act: aBlock}, "nav": {act: aBlock},
	"aside": {act: aBlock}, "main": {act: aBlock}, "figure": {act: aBlock},
	"figcaption": {act: aBlock}, "details": {act: aBlock}, "summary": {act: aBlock},
	"fieldset": {act: aBlock}, "legend": {act: aBlock}, "form": {act: aBlock},
	"menu": {act: aList}, "dir": {act: aList},
}

// dropped elements lose their content too (whatever their namespace).
var dropped = map[string]bool{
	"script": true, "style": true, "head": true, "title": true, "object": true,
	"embed": true, "applet": true, "iframe": true, "frame": true, "frameset": true,
	"noframes": true, "noscript": true, "template": true, "svg": true, "math": true,
	"canvas": true, "audio": true, "video": true, "param": true, "source": true,
	"track": true, "select": true, "textarea": true, "button": true, "link": true,
	"meta": true, "base": true,
}
