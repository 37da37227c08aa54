package ui

import (
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/core/account"
)

// showTrustDialog asks whether to trust a certificate the system does not
// (trust on first use, per account): it shows the domain and the SHA-256
// fingerprint, and calls answer with the choice. Sign-up uses it.
func showTrustDialog(win fyne.Window, domain, fp string, answer func(trust bool)) dialog.Dialog {
	return showCertificateDialog(win, domain, fp, nil, answer)
}

// showCertificateDialog is showTrustDialog for an account, which may have
// pinned certificates already: when previous (the pinned fingerprints the
// certificate did not match) is not empty, the certificate changed since it
// was trusted, and the dialog says so, showing the old fingerprints and the
// new one. Accepting replaces the old pins (core.Session.TrustCertificate).
func showCertificateDialog(win fyne.Window, domain, fp string, previous []string, answer func(trust bool)) dialog.Dialog {
	// Over a narrow window (the main window: 340 pixels) the fingerprint
	// takes four lines and the button a short name, so nothing is cut.
	perLine := 16
	if narrow := win.Canvas().Size().Width < 460; narrow {
		perLine = 8
	}
	fingerprintLabel := func(fp string) *widget.Label { return fingerprintLabelN(fp, perLine) }
	fpLabel := fingerprintLabel(fp)
	var content *fyne.Container
	title, confirm := lang.L("Certificate not trusted"), lang.L("Trust this certificate")
	if len(previous) == 0 {
		intro := widget.NewLabel(lang.L("The server {{.Server}} presented a certificate that this computer does not trust.", map[string]any{"Server": domain}))
		intro.Wrapping = fyne.TextWrapWord
		advice := widget.NewLabel(lang.L("This happens with private servers and with attacks. Before trusting it, compare the fingerprint with the one the server's administrator gives you. Causerie will trust this certificate for this account only."))
		advice.Wrapping = fyne.TextWrapWord
		content = container.NewVBox(intro,
			widget.NewLabelWithStyle(lang.L("SHA-256 fingerprint:"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
			fpLabel, advice)
	} else {
		title, confirm = lang.L("Certificate changed"), lang.L("Trust the new certificate")
		intro := widget.NewLabel(lang.L("The certificate of {{.Server}} has changed since you trusted it.", map[string]any{"Server": domain}))
		intro.Wrapping = fyne.TextWrapWord
		advice := widget.NewLabel(lang.L("Servers change their certificate when it is renewed, and attackers present their own. Trust the new one only if the server's administrator confirms its fingerprint. Causerie will then trust only the new certificate for this account."))
		advice.Wrapping = fyne.TextWrapWord
		content = container.NewVBox(intro,
			widget.NewLabelWithStyle(lang.L("Previously trusted SHA-256 fingerprint:"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		for _, p := range previous {
			content.Add(fingerprintLabel(p))
		}
		content.Add(widget.NewLabelWithStyle(lang.L("New SHA-256 fingerprint:"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		content.Add(fpLabel)
		content.Add(advice)
	}
	if perLine < 16 {
		confirm = lang.L("Trust")
	}
	d := dialog.NewCustomConfirm(title, confirm, lang.L("Cancel"), content, answer, win)
	d.Resize(dialogSize(win, fyne.NewSize(460, 0)))
	d.Show()
	return d
}

// fingerprintLabelN shows a fingerprint in monospace, selectable, n
// pairs a line.
func fingerprintLabelN(fp string, n int) *widget.Label {
	l := widget.NewLabel(fingerprintLines(fp, n))
	l.TextStyle = fyne.TextStyle{Monospace: true}
	l.Selectable = true
	return l
}

// loginFingerprintLines splits a 32-byte fingerprint over two lines.
func loginFingerprintLines(fp string) string { return fingerprintLines(fp, 16) }

// fingerprintLines is a SHA-256 fingerprint in lines of n pairs.
func fingerprintLines(fp string, n int) string {
	parts := strings.Split(fp, ":")
	if len(parts) != 32 || n <= 0 {
		return fp
	}
	var lines []string
	for len(parts) > 0 {
		k := min(n, len(parts))
		lines = append(lines, strings.Join(parts[:k], ":"))
		parts = parts[k:]
	}
	return strings.Join(lines, "\n")
}

// wrappedLabel shows text that may be longer than a narrow dialog is wide
// (an address), broken where needed.
func wrappedLabel(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapBreak
	return l
}

// dialogSize is the size for a dialog over win: want, within the window
// (a dialog is drawn inside its window: what passes its edges is cut).
func dialogSize(win fyne.Window, want fyne.Size) fyne.Size {
	if c := win.Canvas().Size(); c.Width > 0 && c.Height > 0 {
		want.Width, want.Height = min(want.Width, c.Width), min(want.Height, c.Height)
	}
	return want
}

// setFieldMessage shows text in a message label under a field, or hides
// it when text is "", and lays out view again.
func setFieldMessage(m *widget.Label, text string, view fyne.CanvasObject) {
	if m.Text == text && m.Visible() == (text != "") {
		return
	}
	m.SetText(text)
	if text == "" {
		m.Hide()
	} else {
		m.Show()
	}
	view.Refresh()
}

// parsePort reads an optional port field: 0 when empty, else 1..65535; the
// message explains a bad value.
func parsePort(text string) (port int, problem string) {
	text = strings.TrimSpace(text)
	if text == "" {
		return 0, ""
	}
	p, err := strconv.Atoi(text)
	if err != nil || p < 1 || p > account.MaxPort {
		return 0, lang.L("The port is a number from 1 to 65535.")
	}
	return p, ""
}
