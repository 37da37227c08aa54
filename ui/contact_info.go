package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/blocking"
	"github.com/causerie/causerie/core/safetext"
)

// contactInfo is a contact's info window (the seed's vCard, version and
// disco#info sections): address, name, groups and subscription (with its
// actions); each online resource with its presence, the client it runs
// (XEP-0092, asked when the window opens) and what that client supports
// (XEP-0030 through XEP-0115 caps); the contact's vCard (XEP-0054) with
// its photo or avatar (XEP-0153/XEP-0084). Network questions run in the
// background; their answers fill the window as they come.
type contactInfo struct {
	app     *App
	win     fyne.Window
	account string
	jid     string
	session *core.Session

	avatar    *canvas.Image
	title     *widget.Label
	subline   *widget.Label
	groups    *widget.Label
	sub       *widget.Label
	subBtns   *fyne.Container
	resources *fyne.Container
	vcard     *fyne.Container
	vcardMsg  *widget.Label
	block     *widget.Button
	blocked   bool

	// versions and features answered so far, by resource; asked: the
	// resources asked already.
	versions map[string]string
	features map[string]string
	asked    map[string]bool
}

// ShowContactInfo opens (or raises) the info window of a contact.
func (a *App) ShowContactInfo(account, jid string) {
	s, ok := a.Client.Session(account)
	if !ok {
		return
	}
	if ci := a.infos[ChatKey{account, jid}]; ci != nil {
		ci.win.Show()
		ci.win.RequestFocus()
		return
	}
	ci := &contactInfo{app: a, account: account, jid: jid, session: s,
		versions: map[string]string{}, features: map[string]string{}, asked: map[string]bool{}}
	ci.win = a.FyneApp.NewWindow(lang.L("Contact info") + " — " + jid)
	ci.build()
	ci.win.SetOnClosed(func() { delete(a.infos, ChatKey{account, jid}) })
	ci.win.Resize(fyne.NewSize(520, 640))
	a.infos[ChatKey{account, jid}] = ci
	ci.refresh()
	ci.win.Show()
	ci.loadVCard()
	ci.loadResources()
	ci.loadBlocked()
}

func (ci *contactInfo) build() {
	ci.avatar = canvas.NewImageFromResource(theme.AccountIcon())
	ci.avatar.FillMode = canvas.ImageFillContain
	ci.avatar.SetMinSize(fyne.NewSize(96, 96))
	ci.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	ci.title.SizeName = theme.SizeNameSubHeadingText
	ci.title.Wrapping = fyne.TextWrapWord
	ci.subline = widget.NewLabel(ci.jid)
	ci.subline.Selectable = true
	ci.groups = widget.NewLabel("")
	ci.groups.Wrapping = fyne.TextWrapWord
	ci.sub = widget.NewLabel("")
	ci.sub.Wrapping = fyne.TextWrapWord
	ci.subBtns = container.NewHBox()
	ci.resources = container.NewVBox()
	ci.vcard = container.New(layout.NewFormLayout())
	ci.vcardMsg = widget.NewLabel(lang.L("Loading the profile…"))
	ci.vcardMsg.Importance = widget.LowImportance
	ci.block = widget.NewButton(lang.L("Block"), ci.toggleBlock)
	ci.block.Hide()
	head := container.NewBorder(nil, nil, ci.avatar, nil, container.NewVBox(ci.title, ci.subline, ci.groups))
	section := func(text string) *widget.Label {
		return widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	body := container.NewVBox(head,
		widget.NewSeparator(),
		section(lang.L("Presence subscription")), ci.sub, ci.subBtns,
		widget.NewSeparator(),
		section(lang.L("Online now")), ci.resources,
		widget.NewSeparator(),
		section(lang.L("Profile")), ci.vcardMsg, ci.vcard,
	)
	edit := widget.NewButton(lang.L("Edit…"), func() {
		if c, ok := ci.session.Roster().Contact(ci.jid); ok && ci.app.main != nil {
			ci.app.ShowMain()
			ci.app.main.showEditContact(ci.account, c)
		}
	})
	chat := widget.NewButton(lang.L("Open chat"), func() { ci.app.OpenChat(ci.account, ci.jid) })
	closeBtn := widget.NewButton(lang.L("Close"), ci.win.Close)
	ci.win.SetContent(container.NewBorder(nil,
		container.NewHBox(chat, edit, ci.block, layout.NewSpacer(), closeBtn), nil, nil, container.NewVScroll(container.NewPadded(body))))
	ci.win.Canvas().SetOnTypedKey(func(k *fyne.KeyEvent) {
		if k.Name == fyne.KeyEscape {
			ci.win.Close()
		}
	})
}

// subscriptionText says who sees whose presence, in words.
func subscriptionText(c core.Contact) string {
	var parts []string
	switch {
	case c.WeSee():
		parts = append(parts, lang.L("You see their presence."))
	case c.PendingOut:
		parts = append(parts, lang.L("You asked to see their presence; they have not answered yet."))
	default:
		parts = append(parts, lang.L("You do not see their presence."))
	}
	switch {
	case c.SeesUs():
		parts = append(parts, lang.L("They see yours."))
	case c.PendingIn:
		parts = append(parts, lang.L("They ask to see yours."))
	case c.Approved:
		parts = append(parts, lang.L("They may see yours as soon as they ask."))
	default:
		parts = append(parts, lang.L("They do not see yours."))
	}
	return strings.Join(parts, " ")
}

// refresh shows the roster's view of the contact (in memory).
func (ci *contactInfo) refresh() {
	c, in := ci.session.Roster().Contact(ci.jid)
	name := ci.jid
	if in && c.Name != "" {
		name = c.Name
	}
	ci.title.SetText(safetext.Isolate(name))
	if len(c.Groups) > 0 {
		groups := make([]string, len(c.Groups))
		for i, g := range c.Groups {
			groups[i] = safetext.Isolate(g)
		}
		ci.groups.SetText(lang.L("Groups: {{.Groups}}", map[string]any{"Groups": strings.Join(groups, ", ")}))
	} else {
		ci.groups.SetText(lang.L("No group"))
	}
	if !in || !c.InRoster {
		ci.sub.SetText(lang.L("Not in your contacts."))
	} else {
		ci.sub.SetText(subscriptionText(c))
	}
	ci.subBtns.Objects = nil
	if in && c.InRoster {
		for _, a := range subscriptionActions(c) {
			ci.subBtns.Add(widget.NewButton(a.label, func() {
				s := ci.session
				ci.app.background(func() error { return a.do(s) }, func(err error) {
					if err != nil {
						ci.sub.SetText(a.fail + ": " + Explain(err))
					}
				})
			}))
		}
	}
	ci.subBtns.Refresh()
	ci.loadAvatar()
	ci.showResources(c)
}

// loadAvatar shows the contact's cached picture, read off the UI
// goroutine (the cache may be the database).
func (ci *contactInfo) loadAvatar() {
	s, jid := ci.session, ci.jid
	var data []byte
	ci.app.background(func() error {
		data, _ = s.Avatar(jid)
		return nil
	}, func(error) {
		if len(data) > 0 {
			ci.avatar.Resource = fyne.NewStaticResource("avatar-"+jid, data)
			ci.avatar.Refresh()
		}
	})
}

// showResources lists the online resources with what is known of them.
func (ci *contactInfo) showResources(c core.Contact) {
	ci.resources.Objects = nil
	if len(c.Resources) == 0 {
		l := widget.NewLabel(lang.L("Offline."))
		l.Importance = widget.LowImportance
		ci.resources.Add(l)
	}
	for _, r := range c.Resources {
		name := r.Name
		if name == "" {
			name = lang.L("(no resource)")
		}
		head := widget.NewLabelWithStyle(safetext.Isolate(name), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		presence := showLabel(r.Show)
		if r.Status != "" {
			presence += " — " + safetext.Isolate(r.Status)
		}
		lines := []string{
			lang.L("Presence: {{.Presence}}", map[string]any{"Presence": presence}),
			lang.L("Priority: {{.Priority}}", map[string]any{"Priority": r.Priority}),
		}
		if v, ok := ci.versions[r.Name]; ok {
			lines = append(lines, lang.L("Client: {{.Client}}", map[string]any{"Client": v}))
		} else {
			lines = append(lines, lang.L("Client: asking…"))
		}
		if f, ok := ci.features[r.Name]; ok {
			lines = append(lines, f)
		}
		body := widget.NewLabel(strings.Join(lines, "\n"))
		body.Wrapping = fyne.TextWrapWord
		body.Selectable = true
		ci.resources.Add(container.NewVBox(head, body))
	}
	ci.resources.Refresh()
}

// loadResources asks each online resource's client name, version and OS,
// and its features.
func (ci *contactInfo) loadResources() {
	c, _ := ci.session.Roster().Contact(ci.jid)
	for _, r := range c.Resources {
		if ci.asked[r.Name] {
			continue
		}
		ci.asked[r.Name] = true
		full := ci.jid + "/" + r.Name
		res := r.Name
		s := ci.session
		var v core.SoftwareVersion
		var f core.Features
		var verr, ferr error
		ci.app.background(func() error {
			ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
			defer cancel()
			v, verr = s.SoftwareVersion(ctx, full)
			f, ferr = s.Features(ctx, full)
			return nil
		}, func(error) {
			if verr != nil {
				ci.versions[res] = lang.L("does not say")
			} else {
				ci.versions[res] = versionText(v)
			}
			if ferr == nil {
				ci.features[res] = featuresText(f)
			}
			if c, ok := ci.session.Roster().Contact(ci.jid); ok {
				ci.showResources(c)
			}
		})
	}
}

// versionText is "Gajim 1.8.4 on Linux".
func versionText(v core.SoftwareVersion) string {
	text := safetext.Isolate(strings.TrimSpace(v.Name + " " + v.Version))
	if text == "" {
		text = lang.L("unknown")
	}
	if v.OS != "" {
		text = lang.L("{{.Client}} on {{.OS}}", map[string]any{"Client": text, "OS": safetext.Isolate(v.OS)})
	}
	return text
}

// featuresText lists, in words, what a client supports among what
// Causerie uses.
func featuresText(f core.Features) string {
	yes := func(b bool) string {
		if b {
			return lang.L("yes")
		}
		return lang.L("no")
	}
	return strings.Join([]string{
		lang.L("Rich text (XHTML-IM): {{.Answer}}", map[string]any{"Answer": yes(f.XHTMLIM)}),
		lang.L("Typing notifications: {{.Answer}}", map[string]any{"Answer": yes(f.ChatStates)}),
		lang.L("Delivery receipts: {{.Answer}}", map[string]any{"Answer": yes(f.Receipts)}),
		lang.L("Message correction: {{.Answer}}", map[string]any{"Answer": yes(f.Corrections)}),
	}, "\n")
}

// loadVCard fetches and shows the contact's profile.
func (ci *contactInfo) loadVCard() {
	s, jid := ci.session, ci.jid
	var v core.VCard
	ci.app.background(func() (err error) {
		ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
		defer cancel()
		v, err = s.VCard(ctx, jid)
		return err
	}, func(err error) {
		if err != nil {
			ci.vcardMsg.SetText(lang.L("The profile could not be read: {{.Reason}}", map[string]any{"Reason": Explain(err)}))
			return
		}
		ci.showVCard(v)
	})
}

// vcardRows are a profile's fields in the order shown.
func vcardRows(v core.VCard) [][2]string {
	rows := [][2]string{
		{lang.L("Full name"), v.FullName},
		{lang.L("Nickname"), v.Nickname},
		{lang.L("Birthday"), v.Birthday},
		{lang.L("Email"), strings.Join(v.Emails, "\n")},
		{lang.L("Phone"), strings.Join(v.Phones, "\n")},
		{lang.L("Address"), strings.Join(v.Addresses, "\n")},
		{lang.L("Organisation"), v.Org},
		{lang.L("Title"), v.Title},
		{lang.L("Web site"), v.URL},
		{lang.L("About"), v.Note},
	}
	return slices.DeleteFunc(rows, func(r [2]string) bool { return strings.TrimSpace(r[1]) == "" })
}

func (ci *contactInfo) showVCard(v core.VCard) {
	rows := vcardRows(v)
	ci.vcard.Objects = nil
	for _, r := range rows {
		val := widget.NewLabel(safetext.Isolate(r[1]))
		val.Wrapping = fyne.TextWrapWord
		val.Selectable = true
		ci.vcard.Add(widget.NewLabel(r[0]))
		ci.vcard.Add(val)
	}
	ci.vcard.Refresh()
	if len(rows) == 0 {
		ci.vcardMsg.SetText(lang.L("No profile published."))
	} else {
		ci.vcardMsg.Hide()
	}
	if len(v.Preview) > 0 {
		ci.avatar.Resource = fyne.NewStaticResource(fmt.Sprintf("photo-%s", ci.jid), v.Preview)
		ci.avatar.Refresh()
	}
	if v.FullName != "" {
		if c, ok := ci.session.Roster().Contact(ci.jid); !ok || c.Name == "" {
			ci.title.SetText(safetext.Isolate(v.FullName))
		}
	}
}

// loadBlocked shows Block or Unblock when the server supports blocking.
func (ci *contactInfo) loadBlocked() {
	s := ci.session
	var supported bool
	var list []string
	ci.app.background(func() (err error) {
		ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
		defer cancel()
		bl := blocking.Of(s)
		if bl == nil {
			return nil // a client without the feature: not offered
		}
		if supported, err = bl.Supported(ctx); err != nil || !supported {
			return err
		}
		list, err = bl.Blocked(ctx)
		return err
	}, func(err error) {
		if err != nil || !supported {
			return
		}
		ci.setBlocked(slices.Contains(list, ci.jid))
	})
}

func (ci *contactInfo) setBlocked(b bool) {
	ci.blocked = b
	if b {
		ci.block.SetText(lang.L("Unblock"))
	} else {
		ci.block.SetText(lang.L("Block"))
	}
	ci.block.Show()
}

// toggleBlock blocks or unblocks the contact (XEP-0191).
func (ci *contactInfo) toggleBlock() {
	s, jid, block := ci.session, ci.jid, !ci.blocked
	ci.app.background(func() error {
		ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
		defer cancel()
		bl := blocking.Of(s)
		if bl == nil {
			return core.ErrNotConnected
		}
		if block {
			return bl.Block(ctx, jid)
		}
		return bl.Unblock(ctx, jid)
	}, func(err error) {
		if err != nil {
			ci.sub.SetText(lang.L("Not changed: {{.Reason}}", map[string]any{"Reason": Explain(err)}))
			return
		}
		ci.setBlocked(block)
	})
}

// handle follows the contact's roster, presence and avatar.
func (ci *contactInfo) handle(e core.Event) {
	if core.AccountOf(e) != ci.account {
		return
	}
	mine := false
	switch e := e.(type) {
	case core.PresenceChanged:
		mine = e.Contact.JID == ci.jid
	case core.AvatarChanged:
		mine = e.JID == ci.jid
	case core.RosterChanged:
		mine = slices.Contains(e.Removed, ci.jid)
		for _, c := range e.Contacts {
			mine = mine || c.JID == ci.jid
		}
	case blocking.Changed:
		ci.setBlocked(slices.Contains(e.Blocked, ci.jid))
	}
	if mine {
		ci.refresh()
		ci.loadResources() // a resource that came online
	}
}
