package ui

import (
	"fmt"
	"image/color"
	"regexp"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/core/xmpp/xhtmlim"
)

// The message box is plain text. Formatting from the toolbar or Ctrl+B,
// Ctrl+I, Ctrl+U is written into it as tags around the selection, which
// a preview under the box shows as they will look:
//
//	[b]bold[/b] [i]italic[/i] [u]underline[/u] [s]struck[/s] [code]code[/code]
//	[color=#rrggbb]coloured[/color] [url=https://example.org]a link[/url]
//
// and lines starting with "> " are a quotation, lines starting with "- "
// a list. A message with formatting goes out as XHTML-IM (XEP-0071) with
// a plain body that says the same in text; a message without tags is
// plain text (the contact's client may still style *bold* or _italic_,
// XEP-0393). Tags are BBCode's, familiar from forums, and typed by hand
// they work the same.

// composerTag matches one tag of the composer's markup.
var composerTag = regexp.MustCompile(`\[(/?)(b|i|u|s|code|color|url)(?:=([^\]\s]+))?\]`)

// parseComposer turns the message box's text into rich text; formatted is
// false when it holds no formatting (send it as plain text).
func parseComposer(text string) (doc xhtmlim.Doc, formatted bool) {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	var blocks []xhtmlim.Block
	var para []xhtmlim.Inline
	var quote []xhtmlim.Block
	var items [][]xhtmlim.Block
	flushPara := func() {
		if para != nil {
			blocks = append(blocks, xhtmlim.Para(para...))
			para = nil
		}
	}
	flushQuote := func() {
		if quote != nil {
			blocks = append(blocks, xhtmlim.BlockQuote(quote...))
			quote = nil
		}
	}
	flushList := func() {
		if items != nil {
			blocks = append(blocks, xhtmlim.BulletList(items...))
			items = nil
		}
	}
	var st composerState
	for _, line := range lines {
		switch {
		case strings.HasPrefix(line, "> "):
			flushPara()
			flushList()
			quote = append(quote, xhtmlim.Para(st.inlines(line[2:])...))
			formatted = true
		case strings.HasPrefix(line, "- "):
			flushPara()
			flushQuote()
			items = append(items, xhtmlim.Item(st.inlines(line[2:])...))
			formatted = true
		default:
			flushQuote()
			flushList()
			if para != nil {
				para = append(para, xhtmlim.Break())
			}
			para = append(para, st.inlines(line)...)
			if para == nil {
				para = []xhtmlim.Inline{}
			}
		}
	}
	flushPara()
	flushQuote()
	flushList()
	formatted = formatted || st.tags
	return xhtmlim.Build(blocks...), formatted
}

// composerState is the style open across lines (a tag may span them).
type composerState struct {
	bold, italic, under, strike, code int
	colors, links                     []string
	tags                              bool // a tag was seen
}

func (st *composerState) style() xhtmlim.Style {
	s := xhtmlim.Style{Bold: st.bold > 0, Italic: st.italic > 0, Underline: st.under > 0, Strike: st.strike > 0, Code: st.code > 0}
	if n := len(st.colors); n > 0 {
		s.Color, _ = xhtmlim.ParseColor(st.colors[n-1])
	}
	if n := len(st.links); n > 0 {
		s.Link = st.links[n-1]
	}
	return s
}

// inlines reads one line's text and tags.
func (st *composerState) inlines(line string) []xhtmlim.Inline {
	var out []xhtmlim.Inline
	emit := func(s string) {
		if s != "" {
			out = append(out, xhtmlim.Styled(s, st.style()))
		}
	}
	for line != "" {
		loc := composerTag.FindStringSubmatchIndex(line)
		if loc == nil {
			emit(line)
			break
		}
		emit(line[:loc[0]])
		closing := loc[3] > loc[2]
		name := line[loc[4]:loc[5]]
		arg := ""
		if loc[6] >= 0 {
			arg = line[loc[6]:loc[7]]
		}
		if !st.apply(name, arg, closing) {
			emit(line[loc[0]:loc[1]]) // not a usable tag: keep its text
		}
		line = line[loc[1]:]
	}
	return out
}

// apply opens or closes a tag; false when it is not valid here.
func (st *composerState) apply(name, arg string, closing bool) bool {
	dec := func(n *int) bool {
		if *n == 0 {
			return false
		}
		*n--
		return true
	}
	pop := func(s *[]string) bool {
		if len(*s) == 0 {
			return false
		}
		*s = (*s)[:len(*s)-1]
		return true
	}
	ok := true
	switch {
	case closing && arg != "":
		ok = false
	case name == "b":
		ok = closing && dec(&st.bold) || !closing && inc(&st.bold)
	case name == "i":
		ok = closing && dec(&st.italic) || !closing && inc(&st.italic)
	case name == "u":
		ok = closing && dec(&st.under) || !closing && inc(&st.under)
	case name == "s":
		ok = closing && dec(&st.strike) || !closing && inc(&st.strike)
	case name == "code":
		ok = closing && dec(&st.code) || !closing && inc(&st.code)
	case name == "color" && closing:
		ok = pop(&st.colors)
	case name == "color":
		if _, valid := xhtmlim.ParseColor(arg); valid {
			st.colors = append(st.colors, arg)
		} else {
			ok = false
		}
	case name == "url" && closing:
		ok = pop(&st.links)
	case name == "url":
		if link, safe := xhtmlim.SafeLink(arg); safe {
			st.links = append(st.links, link)
		} else {
			ok = false
		}
	}
	if ok {
		st.tags = true
	}
	return ok
}

func inc(n *int) bool { *n++; return true }

// wrap surrounds the box's selection (or inserts at the cursor) with a
// tag pair; the cursor ends inside when nothing was selected.
func (e *composerEntry) wrap(open, close string) {
	sel := e.SelectedText()
	for _, r := range open + sel + close {
		e.TypedRune(r)
	}
	if sel == "" {
		for range []rune(close) {
			e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyLeft})
		}
	}
}

// newFormatBar is the formatting toolbar over the message box.
func (c *chatConversation) newFormatBar() fyne.CanvasObject {
	btn := func(label string, f func()) *widget.Button {
		b := widget.NewButton(label, func() {
			c.win.win.Canvas().Focus(c.composer)
			f()
		})
		b.Importance = widget.LowImportance
		return b
	}
	return container.NewHBox(
		btn(lang.L("Bold"), func() { c.composer.format(fyne.KeyB) }),
		btn(lang.L("Italic"), func() { c.composer.format(fyne.KeyI) }),
		btn(lang.L("Underline"), func() { c.composer.format(fyne.KeyU) }),
		btn(lang.L("Colour…"), c.pickColour),
		btn(lang.L("Link…"), c.askLink),
	)
}

// format applies Ctrl+B, Ctrl+I or Ctrl+U; false for another key.
func (e *composerEntry) format(k fyne.KeyName) bool {
	switch k {
	case fyne.KeyB:
		e.wrap("[b]", "[/b]")
	case fyne.KeyI:
		e.wrap("[i]", "[/i]")
	case fyne.KeyU:
		e.wrap("[u]", "[/u]")
	default:
		return false
	}
	return true
}

// pickColour colours the selection.
func (c *chatConversation) pickColour() {
	d := dialog.NewColorPicker(lang.L("Text colour"), lang.L("Colour of the selected text"), func(col color.Color) {
		r, g, b, _ := col.RGBA()
		hex := fmt.Sprintf("#%02x%02x%02x", r>>8, g>>8, b>>8)
		c.win.win.Canvas().Focus(c.composer)
		c.composer.wrap("[color="+hex+"]", "[/color]")
	}, c.win.win)
	d.Show()
}

// askLink asks for a link's address and makes the selection (or the
// address) a link.
func (c *chatConversation) askLink() {
	sel := c.composer.SelectedText()
	addr := widget.NewEntry()
	addr.SetPlaceHolder("https://")
	msg := loginMessageLabel(widget.DangerImportance)
	content := container.NewVBox(addr, msg)
	var d *dialog.ConfirmDialog
	d = dialog.NewCustomConfirm(lang.L("Insert link"), lang.L("Insert"), lang.L("Cancel"), content, func(ok bool) {
		if !ok {
			return
		}
		link, safe := xhtmlim.SafeLink(strings.TrimSpace(addr.Text))
		if !safe {
			return
		}
		c.win.win.Canvas().Focus(c.composer)
		if sel == "" {
			c.composer.wrap("[url="+link+"]"+link, "[/url]")
			return
		}
		c.composer.wrap("[url="+link+"]", "[/url]")
	}, c.win.win)
	addr.OnChanged = func(s string) {
		if _, safe := xhtmlim.SafeLink(strings.TrimSpace(s)); !safe && s != "" {
			setFieldMessage(msg, lang.L("This is not a web, XMPP or email link."), content)
		} else {
			setFieldMessage(msg, "", content)
		}
	}
	d.Resize(fyne.NewSize(380, 0))
	d.Show()
	c.win.win.Canvas().Focus(addr)
}
