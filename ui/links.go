package ui

import (
	"errors"
	"net/url"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
	"golang.org/x/net/idna"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/muc"
	"github.com/causerie/causerie/core/safetext"
	"github.com/causerie/causerie/core/xmppuri"
)

// linkConfirmation is what a link's confirmation shows: its whole target
// and, when its host has letters beyond ASCII (which can imitate others:
// "аpple.com" with a Cyrillic а), the host as DNS sees it, in punycode.
func linkConfirmation(target string, u *url.URL) fyne.CanvasObject {
	l := widget.NewLabel(safetext.Isolate(target))
	l.Wrapping = fyne.TextWrapBreak
	l.Selectable = true
	box := container.NewVBox(widget.NewLabel(lang.L("This link leads to:")), l)
	if uni, ascii, ok := idnHost(u.Hostname()); ok {
		h := widget.NewLabel(lang.L("Its server's name has letters that can look like others: {{.Host}} is written {{.ASCII}} in plain letters.",
			map[string]any{"Host": safetext.Isolate(uni), "ASCII": ascii}))
		h.Wrapping = fyne.TextWrapWord
		h.Importance = widget.WarningImportance
		box.Add(h)
	}
	return box
}

// idnHost reports whether host is an internationalised name (letters
// beyond ASCII, or punycode), with its Unicode and ASCII (punycode) forms.
func idnHost(host string) (uni, ascii string, ok bool) {
	ascii, err := idna.Lookup.ToASCII(host)
	if err != nil {
		if ascii, err = idna.Punycode.ToASCII(host); err != nil {
			return "", "", false
		}
	}
	if uni, err = idna.Punycode.ToUnicode(ascii); err != nil {
		uni = host
	}
	return uni, ascii, uni != ascii
}

// HandleURI acts on an xmpp: link (RFC 5122, XEP-0147) given on the
// command line or handed over by a second launch: ?message (or none)
// opens a chat, with the body typed in; ?subscribe and ?roster open the
// add-contact form filled in; ?join opens the room when we are in it,
// else "Join group chat…" filled in; OMEMO fingerprints
// (?omemo-sid-<id>=<hex>) open the chat and offer to verify those
// devices. A link that is not valid is explained.
func (a *App) HandleURI(s string) {
	u, err := xmppuri.Parse(s)
	if err != nil {
		a.ShowMain()
		a.showURIProblem(err)
		return
	}
	acct := a.accountFor(u.Account)
	if acct == "" {
		a.ShowLogin()
		if a.login != nil {
			dialog.ShowInformation(lang.L("Sign in first"),
				lang.L("To open {{.Link}}, sign in to an account first.", map[string]any{"Link": u.Bare()}), a.login.win)
		}
		return
	}
	a.ShowMain()
	if fps := u.OMEMOFingerprints(); len(fps) > 0 {
		// A device's fingerprint, as another client's QR code shows
		// it: checked against what the server gave, then verified
		// if the user confirms.
		a.OpenChat(acct, u.Bare())
		if a.chat != nil {
			if conv := a.chat.convs[ChatKey{acct, u.Bare()}]; conv != nil {
				conv.verifyByLink(fps)
			}
		}
		return
	}
	switch u.Action {
	case "subscribe", "roster":
		a.main.showAddContactFor(acct, u.Bare())
		if f := a.main.contactDialog; f != nil {
			if name := u.Params["name"]; name != "" {
				f.name.SetText(name)
			}
			if g := u.Params["group"]; g != "" {
				f.groups.entry.SetText(g)
			}
		}
	case "join":
		// A room we are in opens; any other is offered in "Join group
		// chat…", for the user to choose a nick and confirm: a link
		// from anyone does not enter a room by itself.
		if s, ok := a.Client.Session(acct); ok {
			if r := muc.Of(s); r != nil && r.In(u.Bare()) {
				a.OpenRoom(acct, u.Bare())
				return
			}
		}
		a.ShowJoinRoom(acct, u.Bare(), u.Params["password"])
	default:
		a.OpenChat(acct, u.Bare())
		if body := u.Params["body"]; body != "" && a.chat != nil {
			if conv := a.chat.convs[ChatKey{acct, u.Bare()}]; conv != nil && conv.composer.Text == "" {
				conv.composer.SetText(body)
			}
		}
	}
}

// accountFor picks the account a link acts with: the one it names if it
// is ours, else the first online account, else the first.
func (a *App) accountFor(named string) string {
	sessions := a.Client.Sessions()
	if len(sessions) == 0 {
		return ""
	}
	if named != "" {
		if j, err := core.ParseJID(named); err == nil {
			if s, ok := a.Client.Session(j.Bare().String()); ok {
				return s.Account().JID
			}
		}
	}
	for _, s := range sessions {
		if st, _ := s.State(); st == core.StateOnline {
			return s.Account().JID
		}
	}
	return sessions[0].Account().JID
}

func (a *App) showURIProblem(err error) {
	text := lang.L("This xmpp: link is not valid.")
	switch {
	case errors.Is(err, xmppuri.ErrNoAddress):
		text = lang.L("This xmpp: link has no address in it.")
	case errors.Is(err, xmppuri.ErrAddress):
		text = lang.L("The address in this xmpp: link is not valid.")
	case errors.Is(err, xmppuri.ErrNotXMPP):
		text = lang.L("Causerie only opens xmpp: links.")
	}
	if a.main != nil {
		dialog.ShowInformation(lang.L("Link not opened"), text, a.main.win)
	}
}

// Raise brings Causerie to the front: the main window, or the welcome
// window when there is no account.
func (a *App) Raise() {
	if len(a.Client.Sessions()) == 0 {
		a.ShowLogin()
		return
	}
	a.ShowMain()
}
