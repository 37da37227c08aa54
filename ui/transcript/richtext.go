package transcript

import (
	"net/url"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/core/safetext"
	"github.com/causerie/causerie/core/xmpp/xhtmlim"
)

// Env is what rendering a message needs from where it is shown; any
// part may be nil.
type Env struct {
	// OpenLink is a tap on a link: show the target, then open it.
	OpenLink func(target string)
	// LoadImage is a tap on "load image": the person consents to fetch a
	// remote image (never fetched otherwise: it tells the sender that
	// and when the message was read).
	LoadImage func(src string)
	// Images says where each image stands: shown once prepared through
	// the bounded path (an inline data: image, or a remote one fetched
	// with consent), too large, broken, or nothing yet.
	Images *Images
	// Files, when set, shows what a file a message carries alone is,
	// with what can be done with it (Download, Open…).
	Files Files

	// AutoLoad fetches a remote picture without a tap (a file from a
	// contact, View.AutoPicture): called once per bind while it is not
	// known, so it should remember what it tried.
	AutoLoad func(src string)

	// auto is the one remote picture AutoLoad is for; local is the file
	// on this computer a file message's picture is shown from (own: one
	// we sent, with the limits of the user's pictures).
	auto, local string
	own         bool
}

// maxImagesShown bounds the pictures one message shows; the others show
// their alt text.
const maxImagesShown = 16

// Segments turns a message's rich text into Fyne RichText segments:
// paragraphs, quotes (a bar per level), preformatted blocks, lists,
// bold/italic/underline/strike/monospace, sizes, colours (through the
// theme, readable on its background), links (shown before opening) and
// images (remote ones only on request). base styles every text (italic
// headlines, error colour).
func Segments(d xhtmlim.Doc, base widget.RichTextStyle, env Env) []widget.RichTextSegment {
	r := &renderer{base: base, env: env}
	var out []widget.RichTextSegment
	for _, b := range d {
		out = append(out, r.block(b, 0)...)
	}
	// A paragraph ends with an empty block segment (as Fyne's Markdown
	// does); the last one would only add an empty line.
	if n := len(out); n > 0 && out[n-1] == paragraphEnd {
		out = out[:n-1]
	}
	if r.hidden > 0 {
		out = append(out, paragraphEnd, r.text(lang.L("[{{.Count}} more images not shown]", map[string]any{"Count": r.hidden}), xhtmlim.Style{Italic: true}))
	}
	return out
}

// paragraphEnd ends a paragraph's line (inline segments flow until a
// block segment). Shared: it holds no state.
var paragraphEnd = &widget.TextSegment{Style: widget.RichTextStyleParagraph}

type renderer struct {
	base widget.RichTextStyle
	env  Env
	// images counts the images asked for so far (maxImagesShown);
	// hidden those past it, shown as one count at the end.
	images, hidden int
}

// quoteBar prefixes each line of a quote, one bar per nesting level.
const quoteBar = "▍ "

func (r *renderer) block(b xhtmlim.Block, quote int) []widget.RichTextSegment {
	switch b.Kind {
	case xhtmlim.Quote:
		var out []widget.RichTextSegment
		for _, c := range b.Blocks {
			out = append(out, r.block(c, quote+1)...)
		}
		return out
	case xhtmlim.Pre:
		var sb strings.Builder
		for _, in := range b.Inlines {
			sb.WriteString(in.Text)
		}
		st := widget.RichTextStyleCodeBlock
		if r.base.ColorName != "" {
			st.ColorName = r.base.ColorName
		}
		text := sb.String()
		if quote > 0 {
			text = prefixLines(text, strings.Repeat(quoteBar, quote))
		}
		return []widget.RichTextSegment{&widget.TextSegment{Text: text, Style: st}}
	case xhtmlim.List:
		l := &widget.ListSegment{Ordered: b.Ordered}
		for _, item := range b.Items {
			var texts []widget.RichTextSegment
			for _, c := range item {
				switch c.Kind {
				case xhtmlim.List:
					if len(texts) > 0 {
						l.Items = append(l.Items, &widget.ParagraphSegment{Texts: texts})
						texts = nil
					}
					l.Items = append(l.Items, r.block(c, 0)...)
				default:
					if len(texts) > 0 {
						texts = append(texts, r.text("\n", xhtmlim.Style{}))
					}
					texts = append(texts, r.inlines(c.Inlines, "")...)
				}
			}
			if len(texts) > 0 {
				l.Items = append(l.Items, &widget.ParagraphSegment{Texts: texts})
			}
		}
		if quote > 0 {
			return []widget.RichTextSegment{r.quotePrefix(quote), l}
		}
		return []widget.RichTextSegment{l}
	}
	prefix := ""
	if quote > 0 {
		prefix = strings.Repeat(quoteBar, quote)
	}
	texts := r.inlines(b.Inlines, prefix)
	if b.Indent > 0 {
		texts = append([]widget.RichTextSegment{r.text(strings.Repeat("\u2003", min(b.Indent, 8)), xhtmlim.Style{})}, texts...)
	}
	if prefix != "" {
		texts = append([]widget.RichTextSegment{r.quotePrefix(quote)}, texts...)
	}
	return append(texts, paragraphEnd)
}

func (r *renderer) quotePrefix(level int) widget.RichTextSegment {
	return &widget.TextSegment{Text: strings.Repeat(quoteBar, level), Style: widget.RichTextStyle{
		Inline: true, ColorName: theme.ColorNamePrimary, TextStyle: fyne.TextStyle{Bold: true}}}
}

// prefixLines starts every line of s with p.
func prefixLines(s, p string) string {
	return p + strings.ReplaceAll(s, "\n", "\n"+p)
}

// inlines renders a paragraph's content; after a line break inside a
// quote, linePrefix starts the next line.
func (r *renderer) inlines(ins []xhtmlim.Inline, linePrefix string) []widget.RichTextSegment {
	var out []widget.RichTextSegment
	for _, in := range ins {
		switch in.Kind {
		case xhtmlim.LineBreak:
			out = append(out, r.text("\n", xhtmlim.Style{}))
			if linePrefix != "" {
				out = append(out, r.quotePrefix(strings.Count(linePrefix, quoteBar)))
			}
		case xhtmlim.Image:
			out = append(out, r.image(in)...)
		default:
			if in.Style.Link != "" {
				if u, err := url.Parse(in.Style.Link); err == nil {
					target := in.Style.Link
					out = append(out, &widget.HyperlinkSegment{Text: in.Text, URL: u, OnTapped: func() {
						if r.env.OpenLink != nil {
							r.env.OpenLink(target)
						}
					}})
					continue
				}
			}
			out = append(out, r.text(in.Text, in.Style))
		}
	}
	return out
}

// image is an inline image once prepared, else a placeholder: its alt
// text, "too large" or "not shown", with "load image" for a remote one not
// fetched yet.
func (r *renderer) image(in xhtmlim.Inline) []widget.RichTextSegment {
	if r.images >= maxImagesShown {
		r.hidden++
		return nil
	}
	r.images++
	var e imageEntry
	if r.env.Images != nil {
		e = r.env.Images.get(in.Src)
	}
	if e.status == imageAbsent && r.env.Images != nil && r.env.local != "" {
		e = r.env.Images.local(in.Src, r.env.local, r.env.own)
	}
	if e.status == imageAbsent && r.env.auto == in.Src && r.env.AutoLoad != nil {
		r.env.AutoLoad(in.Src)
	}
	if e.status == imageShown {
		return []widget.RichTextSegment{&PictureSegment{uri: e.uri, size: e.size, title: in.Alt}}
	}
	out := []widget.RichTextSegment{r.text(imageLabel(e.status, strings.TrimSpace(in.Alt))+" ", xhtmlim.Style{Italic: true})}
	if e.status == imageAbsent && (strings.HasPrefix(in.Src, "http://") || strings.HasPrefix(in.Src, "https://")) {
		src := in.Src
		u, _ := url.Parse(src)
		out = append(out, &widget.HyperlinkSegment{Text: lang.L("Load image"), URL: u, OnTapped: func() {
			if r.env.LoadImage != nil {
				r.env.LoadImage(src)
			}
		}})
	}
	return out
}

// imageLabel is what stands for an image not shown.
func imageLabel(st imageStatus, alt string) string {
	args := map[string]any{"Alt": alt}
	switch {
	case st == imageTooLarge && alt != "":
		return lang.L("[Image too large: {{.Alt}}]", args)
	case st == imageTooLarge:
		return lang.L("[Image too large]")
	case st == imageBroken && alt != "":
		return lang.L("[Image not shown: {{.Alt}}]", args)
	case st == imageBroken:
		return lang.L("[Image not shown]")
	case alt != "":
		return lang.L("[Image: {{.Alt}}]", args)
	}
	return lang.L("[Image]")
}

// text is an inline text segment with a span's style over the base.
func (r *renderer) text(s string, st xhtmlim.Style) *widget.TextSegment {
	style := r.base
	style.Inline = true
	ts := style.TextStyle
	ts.Bold = ts.Bold || st.Bold
	ts.Italic = ts.Italic || st.Italic || st.Cite
	ts.Underline = ts.Underline || st.Underline
	ts.Monospace = ts.Monospace || st.Code || st.Family == "monospace"
	style.TextStyle = ts
	if st.Color.Valid && r.base.ColorName == "" {
		style.ColorName = ColorName(st.Color)
	}
	switch {
	case st.Size <= xhtmlim.SizeSmall:
		style.SizeName = theme.SizeNameCaptionText
	case st.Size == xhtmlim.SizeLarge:
		style.SizeName = theme.SizeNameSubHeadingText
	case st.Size >= xhtmlim.SizeXLarge:
		style.SizeName = theme.SizeNameHeadingText
	}
	s = safetext.Isolate(s) // a stranger's text cannot flip what is around it
	if st.Quote {
		s = "“" + s + "”"
	}
	if st.Strike {
		s = strikeThrough(s)
	}
	return &widget.TextSegment{Text: s, Style: style}
}

// strikeThrough draws a line through s with a combining long stroke on
// each character (Fyne text has no strike-through style).
func strikeThrough(s string) string {
	var b strings.Builder
	for _, c := range s {
		b.WriteRune(c)
		if c != '\n' && c != ' ' {
			b.WriteRune('\u0336')
		}
	}
	return b.String()
}

// A PictureSegment is a prepared picture in a message: a block at its
// known size (not at a size Fyne learns only once it is drawn, as with
// widget.ImageSegment, which made rows measured before that overlap the
// next ones), on the leading side.
type PictureSegment struct {
	uri   fyne.URI
	size  fyne.Size
	title string
}

// Source is the prepared picture's file; Title its alternative text.
func (p *PictureSegment) Source() fyne.URI { return p.uri }
func (p *PictureSegment) Title() string    { return p.title }

func (p *PictureSegment) Inline() bool    { return false }
func (p *PictureSegment) Textual() string { return imageLabel(imageAbsent, p.title) }

func (p *PictureSegment) Visual() fyne.CanvasObject {
	img := canvas.NewImageFromURI(p.uri)
	img.FillMode = canvas.ImageFillContain
	img.SetMinSize(p.size)
	return container.NewHBox(img)
}

func (p *PictureSegment) Update(o fyne.CanvasObject) {
	box := o.(*fyne.Container)
	img := box.Objects[0].(*canvas.Image)
	if img.File != p.uri.Path() || img.MinSize() != p.size {
		fresh := canvas.NewImageFromURI(p.uri)
		img.File, img.Resource = fresh.File, fresh.Resource
		img.SetMinSize(p.size)
		img.Refresh()
		box.Refresh()
	}
}

func (p *PictureSegment) Select(pos1, pos2 fyne.Position) {}
func (p *PictureSegment) SelectedText() string            { return "" }
func (p *PictureSegment) Unselect()                       {}
