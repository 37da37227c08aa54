package ui

import (
	"context"
	"encoding/hex"
	"fmt"
	"image"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/omemo"
	"github.com/causerie/causerie/core/omemo/keys"
	"github.com/causerie/causerie/core/safetext"
	qrcode "github.com/skip2/go-qrcode"
)

// omemoOf is the session's end-to-end encryption (nil when the app runs
// without it).
func omemoOf(s *core.Session) *omemo.State {
	if OMEMO == nil {
		return nil
	}
	return omemo.Of(s, OMEMO)
}

// encryption is what the encryption window and the lock show of one
// chat, read off the UI goroutine.
type encryption struct {
	on     bool
	theirs []keys.Device // the contact's devices
	ours   []keys.Device // our other devices
	ownID  uint32        // this device (0: keys not loaded)
	ownKey []byte
}

// counts are how many of the contact's and our other devices in use a
// message is encrypted for (theirs: the contact's alone; without one,
// nothing can be sent), how many of those are not verified, and how many
// wait for the user's decision.
func (e encryption) counts() (trusted, theirs, unverified, waiting int) {
	for i, d := range append(append([]keys.Device{}, e.theirs...), e.ours...) {
		if !d.Active {
			continue
		}
		switch {
		case d.Trust.Trusted():
			trusted++
			if i < len(e.theirs) {
				theirs++
			}
			if d.Trust != keys.Verified {
				unverified++
			}
		case d.Trust == keys.Undecided:
			waiting++
		}
	}
	return trusted, theirs, unverified, waiting
}

// readEncryption reads the chat's switch and devices (disk: off the UI
// goroutine).
func readEncryption(st *omemo.State, account, jid string) (encryption, error) {
	ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
	defer cancel()
	var e encryption
	var err error
	e.on = st.Enabled(ctx, jid)
	e.ownID, e.ownKey = st.Own()
	if e.ownID == 0 {
		return e, nil
	}
	if e.theirs, err = st.KnownDevices(ctx, jid); err != nil {
		return e, err
	}
	e.ours, err = st.KnownDevices(ctx, account)
	return e, err
}

// buildLock makes the header's lock: what holds of the chat's
// encryption; it opens the encryption window.
func (c *chatConversation) buildLock() fyne.CanvasObject {
	c.lock = widget.NewButton("", c.showEncryption)
	c.lock.Importance = widget.LowImportance
	row := container.NewHBox(c.lock)
	if c.room != nil || omemoOf(c.session) == nil {
		row.Hide() // no room taken in the header
	}
	return row
}

// refreshLock reads the chat's encryption again and shows it in the lock;
// the first time the session is online, it reads the contact's devices
// from the server (their list and fingerprints).
func (c *chatConversation) refreshLock() {
	st := omemoOf(c.session)
	if st == nil || c.room != nil {
		return
	}
	online := false
	if s, _ := c.session.State(); s == core.StateOnline {
		online = true
	}
	fetch := online && !c.lockFetched && !c.lockFetching
	c.lockFetching = c.lockFetching || fetch
	account, jid := c.key.Account, c.key.JID
	var e encryption
	fetched := false
	c.win.app.background(func() error {
		if fetch {
			ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
			// Not read (offline again, or no device list): the lock
			// shows what is known, and it is read at the next sign-in.
			fetched = st.Fetch(ctx, jid) == nil
			cancel()
		}
		var err error
		e, err = readEncryption(st, account, jid)
		return err
	}, func(err error) {
		if fetch {
			c.lockFetching = false
			c.lockFetched = c.lockFetched || fetched
		}
		if err != nil {
			return
		}
		c.enc = e
		c.lock.SetText(lockText(e))
	})
}

// lockText says what holds: in the clear, or encrypted for how many
// devices, with those not verified and those waiting.
func lockText(e encryption) string {
	if !e.on {
		return lang.L("🔓 Not encrypted")
	}
	trusted, theirs, unverified, waiting := e.counts()
	if theirs == 0 {
		return lang.L("🔒 ⚠ No device can read your messages")
	}
	s := lang.L("🔒 Encrypted for 1 device")
	if trusted > 1 {
		s = lang.L("🔒 Encrypted for {{.Count}} devices", map[string]any{"Count": trusted})
	}
	if unverified > 0 {
		s += " · " + lang.L("{{.Count}} not verified", map[string]any{"Count": unverified})
	}
	if waiting > 0 {
		s += " · ⚠ " + lang.L("{{.Count}} waiting for you", map[string]any{"Count": waiting})
	}
	return s
}

// showEncryption opens the chat's encryption window: its switch, the
// contact's devices and ours with their fingerprints and trust, and this
// device's fingerprint with its QR code.
func (c *chatConversation) showEncryption() {
	st := omemoOf(c.session)
	if st == nil {
		return
	}
	account, jid := c.key.Account, c.key.JID
	online := false
	if s, _ := c.session.State(); s == core.StateOnline {
		online = true
	}
	var e encryption
	c.lock.Disable() // while the devices' keys are read
	c.win.app.background(func() error {
		if online {
			// The devices' fingerprints: their keys, read from the
			// server once (what cannot be read now shows as such).
			ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
			st.FetchKeys(ctx, jid)
			st.FetchKeys(ctx, account)
			cancel()
		}
		var err error
		e, err = readEncryption(st, account, jid)
		return err
	}, func(err error) {
		c.lock.Enable()
		if err != nil {
			c.showNotice(Explain(err))
			return
		}
		c.enc = e
		c.lock.SetText(lockText(e))
		c.encryptionWindow(st, e)
	})
}

// encryptionWindow shows e in a dialog over the chat window.
func (c *chatConversation) encryptionWindow(st *omemo.State, e encryption) {
	account, jid := c.key.Account, c.key.JID
	var d dialog.Dialog
	reopen := func() {
		if d != nil {
			d.Hide()
		}
		c.showEncryption()
	}
	box := container.NewVBox()
	sw := widget.NewCheck(lang.L("Encrypt messages in this chat (OMEMO)"), nil)
	sw.Checked = e.on
	sw.OnChanged = func(on bool) {
		c.win.app.background(func() error {
			ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
			defer cancel()
			return st.SetEnabled(ctx, jid, on)
		}, func(err error) {
			if err != nil {
				c.showNotice(Explain(err))
			}
			reopen()
		})
	}
	box.Add(sw)
	summary := widget.NewLabel(encryptionSummary(e, c.displayName()))
	summary.Wrapping = fyne.TextWrapWord
	box.Add(summary)
	if e.ownID == 0 {
		box.Add(widget.NewLabel(lang.L("Encryption is being set up for this account. Try again once connected.")))
	}

	decide := func(owner string, dev keys.Device, t keys.Trust) {
		apply := func() {
			c.win.app.background(func() error {
				ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
				defer cancel()
				return st.SetTrust(ctx, owner, dev.ID, t)
			}, func(err error) {
				if err != nil {
					c.showNotice(Explain(err))
				}
				reopen()
			})
		}
		if t != keys.Verified {
			apply()
			return
		}
		msg := widget.NewLabel(lang.L("Compare this fingerprint with the one the device itself shows (in its encryption settings), in person or over a call you trust:") +
			"\n\n" + fingerprintText(dev.Identity) + "\n\n" +
			lang.L("Mark it verified only if every group is the same. Once a device is verified, new devices of {{.Name}} wait for your decision before they can read your messages.",
				map[string]any{"Name": safetext.Isolate(owner)}))
		msg.Wrapping = fyne.TextWrapWord
		msg.TextStyle = fyne.TextStyle{}
		cd := dialog.NewCustomConfirm(lang.L("Verify this device"), lang.L("They are the same"), lang.L("Cancel"),
			container.NewGridWrap(fyne.NewSize(520, 220), msg), func(ok bool) {
				if ok {
					apply()
				}
			}, c.win.win)
		cd.Show()
	}
	section := func(title, owner string, ds []keys.Device) {
		if len(ds) == 0 {
			return
		}
		box.Add(widget.NewSeparator())
		box.Add(widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		for _, dev := range ds {
			box.Add(c.deviceRow(owner, dev, decide))
		}
	}
	section(lang.L("Devices of {{.Name}}", map[string]any{"Name": c.displayName()}), jid, e.theirs)
	section(lang.L("Your other devices"), account, e.ours)
	if len(e.theirs) == 0 && e.ownID != 0 {
		box.Add(widget.NewSeparator())
		none := widget.NewLabel(lang.L("{{.Name}} has no device that uses OMEMO (or it was not read yet): messages cannot be encrypted for them.", map[string]any{"Name": c.displayName()}))
		none.Wrapping = fyne.TextWrapWord
		box.Add(none)
	}
	if e.ownID != 0 {
		box.Add(widget.NewSeparator())
		box.Add(widget.NewLabelWithStyle(lang.L("This device"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		fp := widget.NewLabelWithStyle(fingerprintText(e.ownKey), fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
		fp.Wrapping = fyne.TextWrapWord
		box.Add(fp)
		hint := widget.NewLabel(lang.L("Your contacts compare this fingerprint with what their client shows for this device, or scan the code."))
		hint.Wrapping = fyne.TextWrapWord
		box.Add(hint)
		if img := qrImage(verificationURI(account, e.ownID, e.ownKey)); img != nil {
			q := canvas.NewImageFromImage(img)
			q.FillMode = canvas.ImageFillContain
			q.ScaleMode = canvas.ImageScalePixels
			q.SetMinSize(fyne.NewSize(180, 180))
			box.Add(container.NewHBox(q))
		}
	}
	refresh := widget.NewButton(lang.L("Read the devices again"), func() {
		c.win.app.background(func() error {
			ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
			defer cancel()
			if err := st.FetchKeys(ctx, jid); err != nil {
				return err
			}
			return st.FetchKeys(ctx, account)
		}, func(err error) {
			if err != nil {
				c.showNotice(Explain(err))
			}
			reopen()
		})
	})
	scroll := container.NewVScroll(box)
	scroll.SetMinSize(fyne.NewSize(500, 420))
	d = dialog.NewCustom(lang.L("Encryption — {{.Name}}", map[string]any{"Name": c.displayName()}), lang.L("Close"),
		container.NewBorder(nil, container.NewHBox(refresh), nil, nil, scroll), c.win.win)
	d.Show()
}

// deviceRow is one device: its id, fingerprint and trust, and what the
// user can decide about it.
func (c *chatConversation) deviceRow(owner string, dev keys.Device, decide func(string, keys.Device, keys.Trust)) fyne.CanvasObject {
	status := deviceStatus(dev)
	head := widget.NewLabelWithStyle(lang.L("Device {{.ID}}", map[string]any{"ID": fmt.Sprint(dev.ID)})+" — "+status,
		fyne.TextAlignLeading, fyne.TextStyle{})
	head.Wrapping = fyne.TextWrapWord
	row := container.NewVBox(head)
	if dev.Identity == nil {
		return row
	}
	fp := widget.NewLabelWithStyle(fingerprintText(dev.Identity), fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	fp.Wrapping = fyne.TextWrapWord
	row.Add(fp)
	var btns []fyne.CanvasObject
	if dev.Trust != keys.Verified {
		v := widget.NewButton(lang.L("Verify…"), func() { decide(owner, dev, keys.Verified) })
		if dev.Trust == keys.Undecided {
			v.Importance = widget.HighImportance
		}
		btns = append(btns, v)
	}
	if dev.Trust == keys.Undecided || dev.Trust == keys.Distrusted {
		btns = append(btns, widget.NewButton(lang.L("Trust"), func() { decide(owner, dev, keys.Blind) }))
	}
	if dev.Trust != keys.Distrusted {
		btns = append(btns, widget.NewButton(lang.L("Don’t trust"), func() { decide(owner, dev, keys.Distrusted) }))
	}
	row.Add(container.NewHBox(btns...))
	return row
}

// deviceStatus says a device's trust in words.
func deviceStatus(d keys.Device) string {
	var s string
	switch {
	case d.Identity == nil && d.Trust == keys.Distrusted:
		s = lang.L("not trusted: it cannot read your messages")
	case d.Identity == nil:
		s = lang.L("its keys could not be read yet")
	case d.Trust == keys.Verified:
		s = lang.L("✓ verified")
	case d.Trust == keys.Blind:
		s = lang.L("trusted, not verified")
	case d.Trust == keys.Distrusted:
		s = lang.L("not trusted: it cannot read your messages")
	default:
		s = lang.L("new: it cannot read your messages until you trust or verify it")
	}
	if !d.Active {
		s += " " + lang.L("(no longer in use)")
	}
	return s
}

// encryptionSummary says, in a sentence, what holds for the chat.
func encryptionSummary(e encryption, name string) string {
	if !e.on {
		return lang.L("Messages to {{.Name}} are sent in the clear: the servers on the way can read them.", map[string]any{"Name": name})
	}
	trusted, theirs, unverified, waiting := e.counts()
	if theirs == 0 {
		return lang.L("Messages to {{.Name}} are to be encrypted, but no trusted device can read them: they will not be sent until you trust a device, or turn encryption off.", map[string]any{"Name": name})
	}
	s := lang.L("Messages are encrypted end to end for 1 device: only it can read them.")
	if trusted > 1 {
		s = lang.L("Messages are encrypted end to end for {{.Count}} devices: only they can read them.", map[string]any{"Count": trusted})
	}
	if unverified > 0 {
		s += " " + lang.L("Not verified: {{.Count}}. Compare fingerprints to be sure nobody else reads along.", map[string]any{"Count": unverified})
	}
	if waiting == 1 {
		s += " " + lang.L("1 new device waits for your decision and cannot read your messages yet.")
	} else if waiting > 1 {
		s += " " + lang.L("{{.Count}} new devices wait for your decision and cannot read your messages yet.", map[string]any{"Count": waiting})
	}
	return s
}

// fingerprintText is an identity key's fingerprint in two lines of four
// groups.
func fingerprintText(identity []byte) string {
	g := strings.Fields(keys.Fingerprint(identity))
	if len(g) != 8 {
		return strings.Join(g, " ")
	}
	return strings.Join(g[:4], " ") + "\n" + strings.Join(g[4:], " ")
}

// verificationURI is the xmpp: URI other clients scan to verify our
// device: xmpp:account?omemo-sid-<id>=<fingerprint in hexadecimal>.
func verificationURI(account string, id uint32, identity []byte) string {
	if len(identity) == 33 {
		identity = identity[1:]
	}
	return fmt.Sprintf("xmpp:%s?omemo-sid-%d=%s", account, id, strings.ToLower(hex.EncodeToString(identity)))
}

// qrImage is s as a QR code (nil if it does not fit one).
func qrImage(s string) image.Image {
	q, err := qrcode.New(s, qrcode.Medium)
	if err != nil {
		return nil
	}
	q.DisableBorder = false
	return q.Image(360)
}

// verifyByLink checks the fingerprints a link vouches for (device id →
// hexadecimal, from another client's QR code) against the keys the
// server gives for the contact's devices and ours, and offers to mark
// those that match verified. One that does not match is said, and
// nothing is marked.
func (c *chatConversation) verifyByLink(fps map[uint32]string) {
	st := omemoOf(c.session)
	if st == nil || c.room != nil {
		return
	}
	account, jid := c.key.Account, c.key.JID
	type match struct {
		owner string
		id    uint32
	}
	var ok []match
	var bad []uint32
	var missing []uint32
	c.win.app.background(func() error {
		ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
		defer cancel()
		if s, _ := c.session.State(); s == core.StateOnline {
			st.FetchKeys(ctx, jid) // (what cannot be read shows as missing)
		}
		known := map[uint32]match{}
		keysOf := map[uint32][]byte{}
		for _, owner := range []string{jid, account} {
			ds, err := st.KnownDevices(ctx, owner)
			if err != nil {
				return err
			}
			for _, d := range ds {
				if d.Identity != nil {
					known[d.ID], keysOf[d.ID] = match{owner, d.ID}, d.Identity
				}
			}
		}
		for id, fp := range fps {
			m, seen := known[id]
			switch {
			case !seen:
				missing = append(missing, id)
			case len(keysOf[id]) == 33 && strings.EqualFold(hex.EncodeToString(keysOf[id][1:]), fp):
				ok = append(ok, m)
			default:
				bad = append(bad, id)
			}
		}
		return nil
	}, func(err error) {
		win := c.win.win
		switch {
		case err != nil:
			c.showNotice(Explain(err))
		case len(bad) > 0:
			dialog.ShowInformation(lang.L("The fingerprints do not match"),
				lang.L("The link's fingerprint of device {{.ID}} is not the one the server gave for it: someone may be speaking for that device. Nothing was marked verified.",
					map[string]any{"ID": fmt.Sprint(bad[0])}), win)
		case len(ok) == 0:
			dialog.ShowInformation(lang.L("Unknown devices"),
				lang.L("The devices this link vouches for are not known for {{.Name}}: nothing was marked verified.", map[string]any{"Name": c.displayName()}), win)
		default:
			q := lang.L("The link's fingerprint matches the device the server gave. Mark it verified? Do so only if the link came from the person, in person or from someone you trust.")
			if len(ok) > 1 {
				q = lang.L("The link's fingerprints match {{.Count}} devices the server gave. Mark them verified? Do so only if the link came from the person, in person or from someone you trust.",
					map[string]any{"Count": len(ok)})
			}
			dialog.ShowConfirm(lang.L("Verify devices"), q, func(yes bool) {
				if !yes {
					return
				}
				c.win.app.background(func() error {
					ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
					defer cancel()
					for _, m := range ok {
						if err := st.SetTrust(ctx, m.owner, m.id, keys.Verified); err != nil {
							return err
						}
					}
					return nil
				}, func(err error) {
					if err != nil {
						c.showNotice(Explain(err))
					}
					c.refreshLock()
				})
			}, win)
		}
	})
}
