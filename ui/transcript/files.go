package transcript

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/core/history"
)

// Files is what a transcript shows under a file a message carries
// alone (core.MessageDoc shows its picture and its name): what it is,
// and what can be done with it. The chat window implements it.
type Files interface {
	// Info is the file's kind and size in words ("PDF document, 1.2 MB"),
	// Icon its kind's icon.
	Info(m history.Message) string
	Icon(m history.Message) fyne.Resource
	// Progress is how much of m's file was downloaded, from 0 to 1 (-1:
	// not known), and whether it is being downloaded.
	Progress(id int64) (float64, bool)
	// Download saves it into the downloads folder; Cancel stops that.
	Download(m history.Message)
	Cancel(m history.Message)
	// Open hands the copy on this computer to the system's application
	// for it; ShowFolder opens the folder that holds it.
	Open(m history.Message)
	ShowFolder(m history.Message)
}

// IsFile says m is a file alone: its body is the address of the file it
// carries (XEP-0066), which core.MessageDoc shows as a file.
func IsFile(m history.Message) bool {
	return m.OOB != "" && strings.TrimSpace(m.Body) == m.OOB
}

// fileLine is the line under a file: its kind and size, then Download,
// the download's progress with Cancel, or Open and Show in folder.
func fileLine(m history.Message, f Files) []widget.RichTextSegment {
	out := []widget.RichTextSegment{paragraphEnd, &iconSegment{res: f.Icon(m)},
		&widget.TextSegment{Text: " " + f.Info(m) + "   ", Style: Subtle}}
	link := func(text string, act func(history.Message)) *widget.HyperlinkSegment {
		return &widget.HyperlinkSegment{Text: text, OnTapped: func() { act(m) }}
	}
	gap := &widget.TextSegment{Text: "   ", Style: Subtle}
	if p, ok := f.Progress(m.ID); ok {
		text := lang.L("Downloading…")
		if p >= 0 {
			text = lang.L("Downloading… {{.Percent}}%", map[string]any{"Percent": int(p * 100)})
		}
		return append(out, &widget.TextSegment{Text: text, Style: Subtle}, gap, link(lang.L("Cancel"), f.Cancel))
	}
	if m.File != "" {
		return append(out, link(lang.L("Open"), f.Open), gap, link(lang.L("Show in folder"), f.ShowFolder))
	}
	return append(out, link(lang.L("Download"), f.Download))
}

// iconSegment is a small icon in a line of text (a file's kind).
type iconSegment struct{ res fyne.Resource }

func (s *iconSegment) Inline() bool    { return true }
func (s *iconSegment) Textual() string { return "" }

func (s *iconSegment) Visual() fyne.CanvasObject {
	img := canvas.NewImageFromResource(theme.NewThemedResource(s.res))
	img.FillMode = canvas.ImageFillContain
	// As tall as a line of text: Fyne's rich text aligns an object of
	// another height by the text's baseline, which would put the icon
	// below the line.
	side := fyne.MeasureText("Mg", theme.TextSize(), fyne.TextStyle{}).Height
	img.SetMinSize(fyne.NewSize(side, side))
	return container.NewHBox(img) // at its size, on the left, however wide the place
}

func (s *iconSegment) Update(o fyne.CanvasObject) {
	img := o.(*fyne.Container).Objects[0].(*canvas.Image)
	img.Resource = theme.NewThemedResource(s.res)
	img.Refresh()
}

func (s *iconSegment) Select(pos1, pos2 fyne.Position) {}
func (s *iconSegment) SelectedText() string            { return "" }
func (s *iconSegment) Unselect()                       {}
