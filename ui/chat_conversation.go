package ui

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"maps"
	"net/url"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/blocking"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/mam"
	"github.com/causerie/causerie/core/muc"
	"github.com/causerie/causerie/core/picture"
	"github.com/causerie/causerie/core/safetext"
	"github.com/causerie/causerie/core/upload"
	"github.com/causerie/causerie/ui/transcript"
	"github.com/causerie/causerie/ui/widgets"
)

// chatPageSize is how many messages are loaded on open and per page when
// scrolling back.
const chatPageSize = 200

// chatConversation is one tab: a header with the contact's presence, the
// transcript, and the composer.
type chatConversation struct {
	win     *chatWindow
	session *core.Session
	key     ChatKey
	item    *container.TabItem

	dot      *canvas.Circle
	header   *widget.RichText
	notice   *widget.Label // history or sending problems
	trans    *transcript.View
	composer *composerEntry
	send     *widget.Button

	// typing shows the contact's chat state ("is typing…").
	typing *widget.Label
	// editing is the id of our message being corrected (0: none), with
	// the label that says so.
	editing     int64
	editingNote *widget.Label
	attachBtn   *widget.Button // sends a file (chat_files.go)
	files       *fileBar
	fileActs    *fileActions // what the files shown can do (chat_downloads.go)
	// clearing: the composer is being emptied by a send, not by the user.
	clearing bool
	// preview shows how formatted text in the box will look.
	preview *widget.RichText
	// mute turns this conversation's notifications off.
	mute *widget.Check
	// stranger is the bar shown while the peer is not a contact: Add,
	// Block and, when they asked, the answer to their request.
	stranger                     *fyne.Container
	strangerNote                 *widget.Label
	approve, deny, block, addBtn *widget.Button

	contact   core.Contact
	inRoster  bool
	loaded    bool
	loading   bool
	exhausted bool
	early     []history.Message // events that came before the history load

	// archive is the bar of older history read from the server
	// (chat_archive.go); archiveDone: the archive has nothing older.
	archive     statusBar
	archiveBusy bool
	archiveDone bool
	// gap is the bar of a catch-up that ended with an error
	// (chat_gap.go).
	gap statusBar
	// content is the tab's layout, laid out again when a bar shows.
	content *fyne.Container
	// room is what a group chat's tab has more (room.go); nil for a
	// one-to-one chat.
	room *roomPart

	// away: the transcript shows a stretch from the middle of the
	// conversation, not its newest messages (chat_jump.go); latestBtn
	// goes back to them.
	away      bool
	latestBtn *widget.Button
	// gen counts the reads that replace what the transcript shows (load,
	// goTo): a page read for what an older one showed is not shown.
	gen int

	// replyTo is the message the next one answers (chat_reply.go), nil
	// for none, shown in replyBar.
	replyTo   *history.Message
	replyBar  *fyne.Container
	replyNote *widget.Label
	// menuAt is where the last message menu showed.
	menuAt fyne.Position

	// lock says what holds of the chat's end-to-end encryption
	// (chat_encryption.go), enc as last read; lockFetched: the
	// contact's devices were read from the server.
	lock         *widget.Button
	enc          encryption
	lockFetched  bool
	lockFetching bool
}

func newChatConversation(w *chatWindow, s *core.Session, key ChatKey, room bool) *chatConversation {
	c := &chatConversation{win: w, session: s, key: key}
	a := w.app
	c.dot = canvas.NewCircle(color.Transparent)
	c.header = widget.NewRichText()
	c.header.Wrapping = fyne.TextWrapWord
	c.notice = widget.NewLabel("")
	c.notice.Importance = widget.DangerImportance
	c.notice.Wrapping = fyne.TextWrapWord
	c.notice.Hide()
	c.trans = transcript.New(a.do, c.senderName)
	c.trans.OnTop = c.loadOlder
	c.trans.OnBottom = c.loadNewer
	c.trans.ShowEdits = c.showEdits
	c.trans.Menu = c.messageMenu
	c.trans.OpenReplied = c.openReplied
	c.setUpReactions()
	c.fileActs = newFileActions(c)
	c.trans.Env = transcript.Env{OpenLink: c.openLink, LoadImage: c.loadImage, Images: a.images}
	if upload.Of(s) != nil {
		c.trans.Env.Files = c.fileActs
		c.trans.Env.AutoLoad = c.fileActs.autoLoad
		c.trans.AutoPicture = c.autoPicture
	}
	if room {
		// A room's history is its own (core/mam reads one-to-one
		// chats): nothing older to ask our archive for.
		c.room = newRoomPart(c)
		c.archiveDone = true
		c.trans.NameColor = c.room.nameColor
		c.trans.Mentions = c.room.mentioned
	}
	c.composer = newComposerEntry()
	c.composer.SetPlaceHolder(lang.L("Write a message…"))
	c.composer.onSend = c.sendNow
	c.composer.onShortcut = w.shortcut
	c.composer.onUp = c.editLast
	c.composer.onEscape = c.cancelEdit
	c.composer.onPasteEmpty = c.pastePicture
	c.composer.OnChanged = c.typed
	c.typing = widget.NewLabel("")
	c.typing.Importance = widget.LowImportance
	c.typing.TextStyle = fyne.TextStyle{Italic: true}
	c.typing.Hide()
	c.editingNote = widget.NewLabel(lang.L("Correcting your last message. Enter sends the correction, Escape cancels."))
	c.editingNote.Importance = widget.WarningImportance
	c.editingNote.Wrapping = fyne.TextWrapWord
	c.editingNote.Hide()
	c.send = widget.NewButtonWithIcon(lang.L("Send"), theme.MailSendIcon(), c.sendNow)
	c.send.Importance = widget.HighImportance
	c.attachBtn = widget.NewButtonWithIcon("", theme.MailAttachmentIcon(), c.attach)
	c.attachBtn.Importance = widget.LowImportance
	if upload.Of(s) == nil {
		c.attachBtn.Hide()
	}
	c.buildFileBar()
	c.buildLatestBar()
	c.buildReplyBar()

	c.mute = widget.NewCheck(lang.L("Mute"), func(on bool) { a.SetMuted(key, on) })
	c.mute.Checked = a.Muted(key)
	info := widget.NewButtonWithIcon("", theme.InfoIcon(), func() { a.ShowContactInfo(key.Account, key.JID) })
	info.Importance = widget.LowImportance
	find := widget.NewButtonWithIcon("", theme.SearchIcon(), func() { a.ShowSearch(key.Account, key.JID) })
	find.Importance = widget.LowImportance
	var right fyne.CanvasObject = container.NewHBox(find, c.mute, info)
	if c.room != nil {
		right = container.NewHBox(find, c.room.buttons())
	}
	top := container.NewBorder(nil, nil,
		container.NewCenter(container.NewGridWrap(fyne.NewSize(10, 10), c.dot)), right, c.header)
	c.preview = widget.NewRichText()
	c.preview.Wrapping = fyne.TextWrapWord
	c.preview.Hide()
	privateBar := fyne.CanvasObject(widget.NewLabel(""))
	privateBar.Hide()
	if c.room != nil {
		privateBar = c.room.privateBar
	}
	bottom := container.NewVBox(c.latestBtn, c.files.box, c.typing, c.notice, c.editingNote, privateBar, c.replyBar, c.preview, c.newFormatBar(),
		container.NewBorder(nil, nil, container.NewVBox(c.attachBtn), container.NewVBox(c.send), c.composer))
	c.buildStrangerBar()
	c.buildArchiveBar()
	c.buildGapBar()
	bars := container.NewVBox(top, c.buildLock(), c.stranger, widget.NewSeparator(), c.archive.box, c.gap.box)
	var side fyne.CanvasObject
	if c.room != nil {
		bars.Add(c.room.info)
		bars.Add(c.room.bar.box)
		side = c.room.side
	}
	content := container.NewBorder(bars, bottom, nil, side, c.trans.Object())
	c.content = content
	c.item = container.NewTabItem(key.JID, content)
	c.contactChanged()
	c.load()
	c.refreshLock()
	return c
}

// name is the contact's roster name, else the JID, as it is; a room's
// name.
func (c *chatConversation) name() string {
	if c.room != nil {
		return c.room.name()
	}
	if c.inRoster && c.contact.Name != "" {
		return c.contact.Name
	}
	return c.key.JID
}

// displayName is name isolated (safetext), so that it cannot reorder the
// text around it.
func (c *chatConversation) displayName() string { return safetext.Isolate(c.name()) }

func (c *chatConversation) senderName(m history.Message) string {
	if c.room != nil {
		return c.room.senderName(m)
	}
	if m.Direction == history.Out {
		return lang.L("Me")
	}
	return c.displayName()
}

// contactChanged refreshes the name and presence from the roster (an
// in-memory read).
func (c *chatConversation) contactChanged() {
	if c.room != nil {
		c.room.refreshHeader()
		return
	}
	old := c.displayName()
	c.contact, c.inRoster = c.session.Roster().Contact(c.key.JID)
	show := c.contact.Show()
	text := showLabel(show)
	if st, _ := c.session.State(); st != core.StateOnline {
		text = lang.L("You are offline: messages are sent when you are connected again")
		show = core.ShowOffline
	}
	segs := []widget.RichTextSegment{
		&widget.TextSegment{Text: c.displayName(), Style: transcript.Strong},
	}
	if c.name() != c.key.JID {
		segs = append(segs, &widget.TextSegment{Text: "  " + safetext.Isolate(c.key.JID), Style: transcript.Subtle})
	}
	segs = append(segs, &widget.TextSegment{Text: "  " + text, Style: widget.RichTextStyleInline})
	if r, ok := c.contact.Best(); ok && r.Status != "" {
		segs = append(segs, &widget.TextSegment{Text: " — " + safetext.Isolate(r.Status), Style: transcript.Subtle})
	}
	c.header.Segments = segs
	c.header.Refresh()
	c.dot.FillColor = chatShowColor(show)
	c.dot.Refresh()
	c.updateStrangerBar()
	if c.displayName() != old {
		c.trans.NamesChanged()
	}
	c.updateTitle()
}

func chatShowColor(s core.Show) color.Color {
	name := theme.ColorNameDisabled
	switch s {
	case core.ShowAvailable, core.ShowChat:
		name = theme.ColorNameSuccess
	case core.ShowAway, core.ShowXA:
		name = theme.ColorNameWarning
	case core.ShowDND:
		name = theme.ColorNameError
	}
	return theme.Color(name)
}

// updateTitle sets the tab's text: the name, and the unread count when
// the tab is not the one shown.
func (c *chatConversation) updateTitle() {
	title := c.displayName()
	if !c.win.isShowing(c.key) {
		if n := c.win.app.Unread(c.key); n > 0 {
			title = fmt.Sprintf("%s (%d)", title, n)
		}
	}
	if c.item.Text != title {
		c.item.Text = title
		c.win.tabs.Refresh()
	}
}

// shown: the tab became the one in view.
func (c *chatConversation) shown() {
	c.updateTitle()
}

// load reads the latest page of history off the UI goroutine.
func (c *chatConversation) load() {
	c.gen++
	gen := c.gen
	c.loading = true
	c.away = false
	c.latestBtn.Hide()
	// Messages that come while the history is read wait for it (early):
	// on a reload (a room's catch-up done), one shown meanwhile would
	// otherwise go when the older read replaces what is shown.
	c.loaded = false
	s, jid := c.session, c.key.JID
	var msgs []history.Message
	c.win.app.background(func() (err error) {
		msgs, err = s.History(jid, chatPageSize)
		return err
	}, func(err error) {
		if gen != c.gen {
			return // a newer read replaces it
		}
		c.loading = false
		c.loaded = true
		if err != nil {
			c.showNotice(lang.L("The history of this conversation could not be read."))
		}
		c.trans.Set(msgs)
		for _, m := range c.early {
			c.trans.Add(m)
		}
		c.early = nil
		c.loadReactions(msgs)
		if len(msgs) < chatPageSize && err == nil && c.room == nil {
			// Too short to scroll up: the archive may hold more.
			c.fromArchive(true)
		}
	})
}

// loadOlder reads the page before the oldest message shown: from this
// computer's history, then, past its start, from the server's archive.
func (c *chatConversation) loadOlder() {
	if !c.loaded || c.loading || c.exhausted {
		return
	}
	first, ok := c.trans.First()
	if !ok {
		c.loadFromArchive()
		return
	}
	c.loading = true
	gen := c.gen
	s, jid, before := c.session, c.key.JID, first
	var msgs []history.Message
	c.win.app.background(func() (err error) {
		msgs, err = s.HistoryBefore(jid, before, chatPageSize)
		return err
	}, func(err error) {
		if gen != c.gen {
			return // what it was read for is no longer shown
		}
		c.loading = false
		if err != nil {
			c.exhausted = true
			c.showNotice(lang.L("Older messages could not be read."))
			return
		}
		c.trans.Prepend(msgs)
		c.loadReactions(msgs)
		if len(msgs) < chatPageSize {
			// The start of what this computer holds.
			c.exhausted = c.archiveDone
			if !c.archiveDone {
				c.loadFromArchive()
			}
		}
	})
}

// received shows a new message of this conversation (incoming, or ours:
// core publishes what we send too, so it is shown once, from here).
func (c *chatConversation) received(m history.Message) {
	if m.Direction == history.In {
		c.setTyping("") // the message ends "is typing"
	}
	if c.away {
		// Away from the newest messages, it comes with the newer pages:
		// it is in the history. Kept only while a page is being read,
		// which may have missed it.
		if c.loading {
			c.early = append(c.early, m)
		}
		return
	}
	if !c.loaded {
		c.early = append(c.early, m)
		return
	}
	c.trans.Add(m)
}

// corrected shows a message's corrected text.
func (c *chatConversation) corrected(m history.Message) {
	if m.Direction == history.In {
		c.setTyping("")
	}
	if !c.loaded {
		for i := range c.early {
			if c.early[i].ID == m.ID {
				c.early[i] = m
			}
		}
		return
	}
	c.trans.Replace(m)
}

func (c *chatConversation) stateChanged(id int64, st history.State, reason string) {
	if !c.loaded {
		for i := range c.early {
			if c.early[i].ID == id {
				c.early[i].State, c.early[i].Error = st, reason
			}
		}
		return
	}
	c.trans.SetState(id, st, reason)
}

// openLink shows a link's target before opening it: the text of a link
// can say one address and lead to another (XEP-0071 §11.2).
func (c *chatConversation) openLink(target string) {
	u, err := url.Parse(target)
	if err != nil || safetext.HasInvisible(target) {
		return
	}
	d := dialog.NewCustomConfirm(lang.L("Open link?"), lang.L("Open"), lang.L("Cancel"), linkConfirmation(target, u), func(ok bool) {
		if ok {
			c.win.app.FyneApp.OpenURL(u)
		}
	}, c.win.win)
	d.Resize(fyne.NewSize(420, 0))
	d.Show()
}

// showEdits shows what a corrected message said before: its original
// text, then each version a correction replaced, and what it says now.
func (c *chatConversation) showEdits(m history.Message) {
	var edits []history.Edit
	c.win.app.background(func() error {
		var err error
		edits, err = c.win.app.Client.Edits(m.ID)
		return err
	}, func(err error) {
		if err != nil {
			c.showNotice(lang.L("The earlier versions of this message could not be read."))
			return
		}
		box := container.NewVBox()
		version := func(title string, body, rich string) {
			box.Add(widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
			doc := core.MessageDoc(history.Message{Body: body, Rich: rich})
			rt := widget.NewRichText(transcript.Segments(doc, widget.RichTextStyle{}, transcript.Env{OpenLink: c.openLink})...)
			rt.Wrapping = fyne.TextWrapWord
			box.Add(rt)
		}
		for i, e := range edits {
			title := lang.L("Replaced at {{.Time}}", map[string]any{"Time": e.Replaced.Local().Format("15:04")})
			if i == 0 {
				title = lang.L("Original, sent at {{.Time}}", map[string]any{"Time": m.Sent.Local().Format("15:04")})
			}
			version(title, e.Body, e.Rich)
		}
		version(lang.L("Now"), m.Body, m.Rich)
		d := dialog.NewCustom(lang.L("Earlier versions"), lang.L("Close"), container.NewVScroll(box), c.win.win)
		d.Resize(fyne.NewSize(420, 320))
		d.Show()
	})
}

// loadImage fetches a remote image the person asked to see: through the
// account's HTTPS client when it has one (its server's pinned
// certificate trusted, as for a file's download).
func (c *chatConversation) loadImage(src string) {
	if upload.Of(c.session) != nil && strings.HasPrefix(src, "https://") {
		c.fileActs.fetchPicture(src, picture.MaxRemoteBytes, true)
		return
	}
	images := c.win.app.images
	c.win.app.background(func() error {
		return images.Fetch(src)
	}, func(err error) {
		if err != nil {
			c.showNotice(lang.L("The image could not be loaded."))
			return
		}
		c.trans.RefreshAll()
	})
}

// typed tells the contact we are typing, or stopped (the box emptied).
func (c *chatConversation) typed(text string) {
	c.updatePreview(text)
	if c.clearing || c.room != nil {
		return
	}
	act := core.TypingTyped
	if text == "" {
		act = core.TypingCleared
	}
	c.session.Typing(c.key.JID, act)
}

// updatePreview shows formatted text as it will look; plain text needs
// no preview.
func (c *chatConversation) updatePreview(text string) {
	doc, formatted := parseComposer(text)
	if !formatted || doc.Empty() {
		if c.preview.Visible() {
			c.preview.Hide()
		}
		return
	}
	c.preview.Segments = transcript.Segments(doc, widget.RichTextStyle{}, transcript.Env{})
	c.preview.Refresh()
	c.preview.Show()
}

// focusChanged tells the contact whether we look at the conversation,
// and the archive catch-up which conversation to read first.
func (c *chatConversation) focusChanged(focused bool) {
	if c.room != nil {
		return
	}
	if focused {
		c.session.Typing(c.key.JID, core.TypingFocused)
	} else {
		c.session.Typing(c.key.JID, core.TypingFocusLost)
	}
	if arch := mam.Of(c.session); arch != nil {
		arch.SetOpenChat(c.key.JID, focused)
	}
}

// closed tells the contact we left the conversation.
func (c *chatConversation) closed() {
	c.dropFiles() // nothing goes on from a closed tab
	c.fileActs.stopDownloads()
	if c.room != nil {
		return
	}
	c.session.Typing(c.key.JID, core.TypingClosed)
	if arch := mam.Of(c.session); arch != nil {
		arch.SetOpenChat(c.key.JID, false)
	}
}

// chatState shows the contact's chat state.
func (c *chatConversation) chatState(st core.ChatState) {
	text := ""
	switch st {
	case core.ChatComposing:
		text = lang.L("{{.Name}} is typing…", map[string]any{"Name": c.displayName()})
	case core.ChatPaused:
		text = lang.L("{{.Name}} stopped typing.", map[string]any{"Name": c.displayName()})
	case core.ChatGone:
		text = lang.L("{{.Name}} closed the conversation.", map[string]any{"Name": c.displayName()})
	}
	c.setTyping(text)
}

func (c *chatConversation) setTyping(text string) {
	if c.typing.Text == text {
		return
	}
	c.typing.SetText(text)
	widgets.SetVisible(c.typing, text != "")
}

// editLast (Up in an empty box) puts our last message in the box to be
// corrected (XEP-0308).
func (c *chatConversation) editLast() {
	m, ok := c.trans.LastOutgoing()
	if !ok || c.room != nil {
		return
	}
	c.editing = m.ID
	c.composer.SetText(m.Body)
	c.composer.CursorRow = len(strings.Split(m.Body, "\n")) - 1
	c.composer.CursorColumn = len([]rune(m.Body[strings.LastIndexByte(m.Body, '\n')+1:]))
	c.composer.Refresh()
	c.editingNote.Show()
}

// cancelEdit (Escape) leaves the correction, emptying the box.
func (c *chatConversation) cancelEdit() {
	if c.editing == 0 {
		if c.cancelReply() {
			return // Escape answers nothing
		}
		if c.room != nil {
			c.room.endPrivate() // Escape writes to the room again
		}
		return
	}
	c.editing = 0
	c.editingNote.Hide()
	c.clearing = true
	c.composer.SetText("")
	c.clearing = false
}

// sendCorrection sends the box as the correction of message id.
func (c *chatConversation) sendCorrection(id int64, text string) {
	s := c.session
	c.win.app.background(func() error {
		ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
		defer cancel()
		_, err := s.CorrectMessage(ctx, id, text)
		return err
	}, func(err error) {
		if err == nil {
			return
		}
		if errors.Is(err, core.ErrNotCorrectable) {
			c.showNotice(lang.L("Only your last message can be corrected."))
		} else {
			c.showNotice(lang.L("The correction was not sent: {{.Reason}}", map[string]any{"Reason": Explain(err)}))
		}
		if c.composer.Text == "" {
			c.editing = id
			c.editingNote.Show()
			c.composer.SetText(text)
		}
	})
}

// sendNow sends what the composer holds (not blank), clears it and keeps
// the focus there.
func (c *chatConversation) sendNow() {
	text := strings.TrimRight(c.composer.Text, " \t\r\n")
	if strings.TrimSpace(text) == "" {
		return
	}
	c.clearing = true
	c.composer.SetText("")
	c.clearing = false
	if id := c.editing; id != 0 {
		c.editing = 0
		c.editingNote.Hide()
		if cv := c.win.win.Canvas(); cv != nil {
			cv.Focus(c.composer)
		}
		c.hideNotice()
		if doc, formatted := parseComposer(text); formatted {
			text = doc.PlainText() // corrections are plain text
		}
		c.sendCorrection(id, text)
		return
	}
	if cv := c.win.win.Canvas(); cv != nil {
		cv.Focus(c.composer)
	}
	c.hideNotice()
	if c.away {
		c.load() // what we send shows below the newest messages
	}
	s, jid := c.session, c.key.JID
	typed := text // what goes back in the box if it is not sent
	rooms, inRoom, private := muc.Of(s), c.room != nil, ""
	if inRoom {
		private = c.room.private
		if nick, body, ok := privateCommand(text, slices.Collect(maps.Keys(c.room.occupants))); ok {
			if nick == "" {
				c.showNotice(lang.L("The message was not sent: {{.Reason}}", map[string]any{"Reason": roomProblem(muc.ErrNoOccupant)}))
				c.composer.SetText(typed)
				return
			}
			private, text = nick, body
		}
	}
	doc, formatted := parseComposer(text)
	if inRoom && formatted {
		text, formatted = doc.PlainText(), false // rooms get plain text
	}
	answer := c.replyTo
	if private != "" {
		answer = nil // a private message answers nothing
	}
	c.cancelReply()
	c.win.app.background(func() error {
		var err error
		if answer != nil {
			// An answer goes as typed: its styling (XEP-0393) shows as
			// such, rich text is not sent with it.
			err = c.sendReply(typed, *answer)
		} else if inRoom {
			if private != "" {
				_, err = rooms.SayPrivately(jid, private, text)
			} else {
				_, err = rooms.Say(jid, text)
			}
		} else if formatted {
			_, err = s.SendRichMessage(jid, doc)
		} else {
			_, err = s.SendMessage(jid, core.TypeChat, "", text)
		}
		return err
	}, func(err error) {
		if err == nil {
			return
		}
		reason := Explain(err)
		if c.room != nil {
			reason = roomProblem(err)
		}
		c.showNotice(lang.L("The message was not sent: {{.Reason}}", map[string]any{"Reason": reason}))
		if c.composer.Text == "" {
			c.composer.SetText(typed)
			if answer != nil {
				c.startReply(*answer) // still an answer, to try again
			}
		}
	})
}

func (c *chatConversation) showNotice(s string) {
	c.notice.SetText(s)
	c.notice.Show()
}

func (c *chatConversation) hideNotice() {
	if c.notice.Visible() {
		c.notice.Hide()
	}
}

// buildStrangerBar makes the bar shown while the peer is not a contact.
func (c *chatConversation) buildStrangerBar() {
	c.strangerNote = widget.NewLabel("")
	c.strangerNote.Wrapping = fyne.TextWrapWord
	c.addBtn = widget.NewButtonWithIcon(lang.L("Add…"), theme.ContentAddIcon(), func() {
		a := c.win.app
		a.ShowMain()
		a.main.showAddContactFor(c.key.Account, c.key.JID)
	})
	c.block = widget.NewButtonWithIcon(lang.L("Block"), theme.CancelIcon(), c.confirmBlock)
	c.approve = widget.NewButton(lang.L("Approve"), func() { c.answerRequest(true) })
	c.approve.Importance = widget.HighImportance
	c.deny = widget.NewButton(lang.L("Deny"), func() { c.answerRequest(false) })
	c.stranger = container.NewBorder(nil, nil, nil,
		container.NewHBox(c.addBtn, c.block, c.approve, c.deny), c.strangerNote)
	c.stranger.Hide()
}

// updateStrangerBar shows the bar while the peer is not in the contact
// list, with the answer to their request when they asked for one.
func (c *chatConversation) updateStrangerBar() {
	if c.stranger == nil || c.room != nil {
		return
	}
	if c.contact.InRoster || c.key.JID == c.key.Account {
		c.stranger.Hide()
		return
	}
	if c.contact.PendingIn {
		c.strangerNote.SetText(lang.L("{{.Name}} is not in your contacts, and asks to see when you are online.", map[string]any{"Name": c.displayName()}))
	} else {
		c.strangerNote.SetText(lang.L("{{.Name}} is not in your contacts.", map[string]any{"Name": c.displayName()}))
	}
	widgets.SetVisible(c.approve, c.contact.PendingIn)
	widgets.SetVisible(c.deny, c.contact.PendingIn)
	c.stranger.Show()
}

// confirmBlock asks, then blocks the peer (XEP-0191): they can no longer
// write to us or see our presence.
func (c *chatConversation) confirmBlock() {
	dialog.ShowConfirm(lang.L("Block {{.Name}}?", map[string]any{"Name": c.displayName()}),
		lang.L("They will no longer be able to write to you or see when you are online. You can unblock them from the accounts window."),
		func(ok bool) {
			if ok {
				c.blockNow()
			}
		}, c.win.win)
}

func (c *chatConversation) blockNow() {
	s, jid := c.session, c.key.JID
	c.block.Disable()
	c.win.app.background(func() error {
		ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
		defer cancel()
		bl := blocking.Of(s)
		if bl == nil {
			return core.ErrNotConnected
		}
		return bl.Block(ctx, jid)
	}, func(err error) {
		if err != nil {
			c.block.Enable()
			c.showNotice(lang.L("Not blocked: {{.Reason}}", map[string]any{"Reason": Explain(err)}))
			return
		}
		c.block.SetText(lang.L("Blocked"))
	})
}

// answerRequest approves (adding them back) or denies the peer's request
// to see our presence.
func (c *chatConversation) answerRequest(approve bool) {
	s, jid := c.session, c.key.JID
	c.approve.Disable()
	c.deny.Disable()
	c.win.app.background(func() error {
		if !approve {
			return s.DenySubscription(jid)
		}
		ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
		defer cancel()
		return s.ApproveSubscription(ctx, jid, core.ApproveOptions{AddBack: true})
	}, func(err error) {
		c.approve.Enable()
		c.deny.Enable()
		if err != nil {
			c.showNotice(lang.L("Not answered: {{.Reason}}", map[string]any{"Reason": Explain(err)}))
		}
	})
}
