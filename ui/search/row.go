package search

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Row is one result of the list: who wrote it, in which conversation and
// when on the first line, the snippet with the words found in bold on the
// second. The window fills it with Set.
type Row struct {
	widget.BaseWidget
	head    *widget.RichText
	when    *widget.Label
	snippet *widget.RichText
	current *canvas.Rectangle
	box     *fyne.Container
}

// NewRow makes an empty row.
func NewRow() *Row {
	r := &Row{
		head:    widget.NewRichText(),
		when:    widget.NewLabel(""),
		snippet: widget.NewRichText(),
	}
	r.head.Truncation = fyne.TextTruncateEllipsis
	r.snippet.Truncation = fyne.TextTruncateEllipsis
	r.when.Importance = widget.LowImportance
	r.current = canvas.NewRectangle(theme.Color(theme.ColorNameSelection))
	r.current.CornerRadius = theme.InputRadiusSize()
	r.current.Hide()
	r.box = container.NewStack(r.current,
		container.NewVBox(container.NewBorder(nil, nil, nil, r.when, r.head), r.snippet))
	r.ExtendBaseWidget(r)
	return r
}

var (
	styleName  = widget.RichTextStyle{Inline: true, TextStyle: fyne.TextStyle{Bold: true}}
	styleWhere = widget.RichTextStyle{Inline: true, ColorName: theme.ColorNamePlaceHolder}
	stylePlain = widget.RichTextStyleInline
	styleMark  = widget.RichTextStyle{Inline: true, ColorName: theme.ColorNamePrimary, TextStyle: fyne.TextStyle{Bold: true}}
)

// Set shows a result: sender, the conversation (where; "" when the search
// is in one conversation), when, and the result's snippet; current marks
// the result the keyboard is on.
func (r *Row) Set(sender, where, when string, res Result, current bool) {
	if current {
		r.current.FillColor = theme.Color(theme.ColorNameSelection)
		r.current.Show()
	} else {
		r.current.Hide()
	}
	head := []widget.RichTextSegment{&widget.TextSegment{Text: sender, Style: styleName}}
	if where != "" {
		head = append(head, &widget.TextSegment{Text: "  " + where, Style: styleWhere})
	}
	r.head.Segments = head
	r.head.Refresh()
	r.when.SetText(when)
	r.snippet.Segments = Segments(res.Snippet, res.Marks)
	r.snippet.Refresh()
}

// Segments are text as rich text with the ranges marks in bold, in the
// theme's primary colour.
func Segments(text string, marks [][2]int) []widget.RichTextSegment {
	var segs []widget.RichTextSegment
	at := 0
	for _, m := range marks {
		if m[0] < at || m[1] > len(text) {
			continue
		}
		if m[0] > at {
			segs = append(segs, &widget.TextSegment{Text: text[at:m[0]], Style: stylePlain})
		}
		segs = append(segs, &widget.TextSegment{Text: text[m[0]:m[1]], Style: styleMark})
		at = m[1]
	}
	if at < len(text) || len(segs) == 0 {
		segs = append(segs, &widget.TextSegment{Text: text[at:], Style: stylePlain})
	}
	return segs
}

// CreateRenderer is the row's renderer.
func (r *Row) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(r.box)
}
