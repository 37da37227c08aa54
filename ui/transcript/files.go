package transcript

import (
	"strings"

	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/core/history"
)

// Files is what a transcript shows under a file a message carries
// alone (core.MessageDoc shows its picture and its name): what it is,
// and what can be done with it. The chat window implements it.
type Files interface {
	// Info is the file's kind and size in words ("PDF document, 1.2 MB").
	Info(m history.Message) string
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
	out := []widget.RichTextSegment{paragraphEnd, &widget.TextSegment{Text: f.Info(m) + "   ", Style: Subtle}}
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
