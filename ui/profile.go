package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/core"
)

// profileWindow edits the account's own vCard (XEP-0054) with its photo:
// core resizes the photo and publishes its hash in presence (XEP-0153) and
// as a User Avatar (XEP-0084), so contacts see it.
type profileWindow struct {
	app     *App
	win     fyne.Window
	account string
	session *core.Session

	// photo is the picture to publish (as read from the file or the
	// server: never given to Fyne); preview is the PNG shown, made by
	// core's bounded picture path.
	photo, preview                    []byte
	photoType                         string
	image                             *canvas.Image
	removePhoto                       *widget.Button
	fullName, nickname, birthday, org *widget.Entry
	title, url                        *widget.Entry
	emails, phones, addresses, note   *widget.Entry
	status, errorText                 *widget.Label
	progress                          *widget.ProgressBarInfinite
	save                              *widget.Button
	busy                              bool
	jabberID                          string
	loaded                            bool
	content                           fyne.CanvasObject
}

// ShowProfile opens the profile editor of an account.
func (a *App) ShowProfile(account string) {
	s, ok := a.Client.Session(account)
	if !ok {
		return
	}
	if p := a.profiles[account]; p != nil {
		p.win.Show()
		p.win.RequestFocus()
		return
	}
	p := &profileWindow{app: a, account: account, session: s}
	p.win = a.FyneApp.NewWindow(lang.L("My profile") + " — " + account)
	p.build()
	p.win.SetOnClosed(func() { delete(a.profiles, account) })
	p.win.Resize(fyne.NewSize(520, 680))
	a.profiles[account] = p
	p.win.Show()
	p.load()
}

func (p *profileWindow) build() {
	p.image = canvas.NewImageFromResource(theme.AccountIcon())
	p.image.FillMode = canvas.ImageFillContain
	p.image.SetMinSize(fyne.NewSize(96, 96))
	choose := widget.NewButton(lang.L("Choose photo…"), p.choosePhoto)
	p.removePhoto = widget.NewButton(lang.L("Remove photo"), func() {
		p.photo, p.photoType = nil, ""
		p.showPhoto()
	})
	entry := func(multi bool, hint string) *widget.Entry {
		e := widget.NewEntry()
		if multi {
			e = widget.NewMultiLineEntry()
			e.SetMinRowsVisible(2)
			e.Wrapping = fyne.TextWrapWord
		}
		e.SetPlaceHolder(hint)
		return e
	}
	p.fullName, p.nickname = entry(false, ""), entry(false, "")
	p.birthday = entry(false, lang.L("YYYY-MM-DD"))
	p.org, p.title, p.url = entry(false, ""), entry(false, ""), entry(false, "https://")
	p.emails = entry(true, lang.L("One per line"))
	p.phones = entry(true, lang.L("One per line"))
	p.addresses = entry(true, lang.L("One per line"))
	p.note = entry(true, "")
	p.status = loginMessageLabel(widget.MediumImportance)
	p.errorText = loginMessageLabel(widget.DangerImportance)
	p.progress = widget.NewProgressBarInfinite()
	p.save = widget.NewButton(lang.L("Save"), p.submit)
	p.save.Importance = widget.HighImportance
	p.save.Disable()
	intro := widget.NewLabel(lang.L("Your contacts see this profile and photo."))
	intro.Wrapping = fyne.TextWrapWord
	form := container.New(layout.NewFormLayout(),
		widget.NewLabel(lang.L("Full name")), p.fullName,
		widget.NewLabel(lang.L("Nickname")), p.nickname,
		widget.NewLabel(lang.L("Birthday")), p.birthday,
		widget.NewLabel(lang.L("Email")), p.emails,
		widget.NewLabel(lang.L("Phone")), p.phones,
		widget.NewLabel(lang.L("Address")), p.addresses,
		widget.NewLabel(lang.L("Organisation")), p.org,
		widget.NewLabel(lang.L("Title")), p.title,
		widget.NewLabel(lang.L("Web site")), p.url,
		widget.NewLabel(lang.L("About")), p.note,
	)
	photo := container.NewBorder(nil, nil, p.image, nil, container.NewVBox(choose, p.removePhoto))
	p.content = container.NewVBox(intro, photo, form, p.progress, p.status, p.errorText)
	cancel := widget.NewButton(lang.L("Close"), p.win.Close)
	p.win.SetContent(container.NewBorder(nil, container.NewHBox(layout.NewSpacer(), cancel, p.save), nil, nil,
		container.NewVScroll(container.NewPadded(p.content))))
}

func (p *profileWindow) msg(l *widget.Label, text string) { setFieldMessage(l, text, p.content) }

// load reads the profile from the server.
func (p *profileWindow) load() {
	p.setBusy(true, lang.L("Reading your profile…"))
	s := p.session
	var v core.VCard
	p.app.background(func() (err error) {
		ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
		defer cancel()
		v, err = s.VCard(ctx, "")
		return err
	}, func(err error) {
		p.setBusy(false, "")
		if err != nil {
			p.msg(p.errorText, lang.L("Your profile could not be read: {{.Reason}}", map[string]any{"Reason": Explain(err)}))
			return
		}
		p.loaded = true
		p.fill(v)
		p.save.Enable()
	})
}

func (p *profileWindow) fill(v core.VCard) {
	p.fullName.SetText(v.FullName)
	p.nickname.SetText(v.Nickname)
	p.birthday.SetText(v.Birthday)
	p.emails.SetText(strings.Join(v.Emails, "\n"))
	p.phones.SetText(strings.Join(v.Phones, "\n"))
	p.addresses.SetText(strings.Join(v.Addresses, "\n"))
	p.org.SetText(v.Org)
	p.title.SetText(v.Title)
	p.url.SetText(v.URL)
	p.note.SetText(v.Note)
	p.jabberID = v.JabberID
	p.photo, p.photoType, p.preview = v.Photo, v.PhotoType, v.Preview
	p.showPhoto()
}

func (p *profileWindow) showPhoto() {
	if len(p.photo) > 0 {
		p.image.Resource = theme.AccountIcon()
		if len(p.preview) > 0 {
			p.image.Resource = fyne.NewStaticResource(fmt.Sprintf("my-photo-%p", p.preview), p.preview)
		}
		p.removePhoto.Enable()
	} else {
		p.image.Resource = theme.AccountIcon()
		p.removePhoto.Disable()
	}
	p.image.Refresh()
}

// choosePhoto picks an image file.
func (p *profileWindow) choosePhoto() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		var data []byte
		p.app.background(func() error { // the disk, off the UI goroutine
			defer r.Close()
			var err error
			data, err = io.ReadAll(io.LimitReader(r, 32<<20+1))
			if err == nil && len(data) > 32<<20 {
				err = core.ErrBadPhoto
			}
			return err
		}, func(err error) {
			if err != nil {
				p.msg(p.errorText, lang.L("This file cannot be used as a photo."))
				return
			}
			p.setPhoto(data)
		})
	}, p.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".png", ".jpg", ".jpeg", ".gif"}))
	d.Show()
}

// setPhoto takes a picked image (core checks and resizes it on save) and
// shows its preview once made, off the UI goroutine.
func (p *profileWindow) setPhoto(data []byte) {
	p.msg(p.errorText, "")
	p.photo, p.photoType, p.preview = data, "", nil
	p.showPhoto()
	var preview []byte
	p.app.background(func() error {
		var err error
		preview, err = core.PhotoPreview(data)
		return err
	}, func(err error) {
		if !bytes.Equal(p.photo, data) {
			return // another photo was picked meanwhile
		}
		if err != nil {
			p.msg(p.errorText, lang.L("This photo cannot be used: choose a PNG, JPEG or GIF image."))
			return
		}
		p.preview = preview
		p.showPhoto()
	})
}

func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// submit saves the profile on the server.
func (p *profileWindow) submit() {
	if p.busy || !p.loaded {
		return
	}
	v := core.VCard{
		FullName: strings.TrimSpace(p.fullName.Text), Nickname: strings.TrimSpace(p.nickname.Text),
		Birthday: strings.TrimSpace(p.birthday.Text), Org: strings.TrimSpace(p.org.Text),
		Title: strings.TrimSpace(p.title.Text), URL: strings.TrimSpace(p.url.Text),
		Note: strings.TrimSpace(p.note.Text), JabberID: p.jabberID,
		Emails: lines(p.emails.Text), Phones: lines(p.phones.Text), Addresses: lines(p.addresses.Text),
		Photo: p.photo, PhotoType: p.photoType,
	}
	p.msg(p.errorText, "")
	p.setBusy(true, lang.L("Saving your profile…"))
	s := p.session
	p.app.background(func() error {
		ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
		defer cancel()
		return s.SetVCard(ctx, v)
	}, func(err error) {
		p.setBusy(false, "")
		switch {
		case err == nil:
			p.msg(p.status, lang.L("Saved. Your contacts see the new profile."))
		case errors.Is(err, core.ErrBadPhoto):
			p.msg(p.errorText, lang.L("This photo cannot be used: choose a PNG, JPEG or GIF image."))
		default:
			p.msg(p.errorText, lang.L("Your profile was not saved: {{.Reason}}", map[string]any{"Reason": Explain(err)}))
		}
	})
}

func (p *profileWindow) setBusy(b bool, status string) {
	p.busy = b
	if b {
		p.progress.Show()
		p.progress.Start()
		p.save.Disable()
	} else {
		p.progress.Stop()
		p.progress.Hide()
		if p.loaded {
			p.save.Enable()
		}
	}
	p.msg(p.status, status)
}
