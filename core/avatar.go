package core

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/picture"
	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/vcard"
	"gosrc.io/xmpp/stanza"
)

// Avatars: contacts advertise their photo's hash in presence (XEP-0153)
// or publish avatar metadata (XEP-0084); when it differs from the cached
// one, the image is fetched in the background, checked against the hash,
// stored in the history database and announced with AvatarChanged. Our
// own presence carries our photo's hash once our vCard is known.

// avatarEntry is a known avatar; hash "" means the JID has none.
type avatarEntry struct {
	hash string
	data []byte
}

// avatarCache is the client's avatars by bare JID: memory in front of the
// history database.
type avatarCache struct {
	mu  sync.Mutex
	mem map[string]avatarEntry
}

// avatar returns what is known of jid's avatar.
func (c *Client) avatar(jid string) (avatarEntry, bool) {
	jid = xmpp.BareJID(jid)
	c.avatars.mu.Lock()
	e, ok := c.avatars.mem[jid]
	c.avatars.mu.Unlock()
	if ok {
		return e, true
	}
	hash, data, ok, err := c.store.Avatar(jid)
	if err != nil {
		if !errors.Is(err, history.ErrClosed) {
			c.logf("avatar of %s: %v", jid, err)
		}
		return avatarEntry{}, false
	}
	if !ok {
		return avatarEntry{}, false
	}
	e = avatarEntry{hash: hash, data: data}
	c.avatars.mu.Lock()
	if c.avatars.mem == nil {
		c.avatars.mem = map[string]avatarEntry{}
	}
	if cur, set := c.avatars.mem[jid]; set {
		e = cur // recorded meanwhile: newer
	} else {
		c.avatars.mem[jid] = e
	}
	c.avatars.mu.Unlock()
	return e, true
}

// avatarSide is the longest side of a stored avatar: a picture is
// downscaled once, when stored, so the GUI never decodes a large one.
const avatarSide = MaxPhotoSide

// setAvatar records jid's avatar (hash "" and no data: none) and reports
// whether it differs from the one known before. The image, published by
// whoever, goes through the bounded path (core/picture) and is stored as
// a small PNG; one refused there (too large, not a picture) is recorded
// with its hash and no image, so it is neither shown nor fetched again.
func (c *Client) setAvatar(jid, hash string, data []byte) bool {
	jid = xmpp.BareJID(jid)
	old, _ := c.avatar(jid)
	if hash == "" {
		data = nil
	} else if len(data) > 0 {
		var err error
		if data, _, _, err = picture.Thumbnail(data, "", avatarSide); err != nil {
			c.logf("avatar of %s not kept: %v", jid, err)
			data = nil
		}
	}
	if err := c.store.SaveAvatar(jid, hash, data); err != nil && !errors.Is(err, history.ErrClosed) {
		c.logf("avatar of %s: %v", jid, err)
	}
	c.avatars.mu.Lock()
	if c.avatars.mem == nil {
		c.avatars.mem = map[string]avatarEntry{}
	}
	c.avatars.mem[jid] = avatarEntry{hash: hash, data: data}
	c.avatars.mu.Unlock()
	return old.hash != hash
}

// Avatars returns, by the JID as given, the images of those of jids whose
// avatar is known (PNGs made as for Avatar; copies): from the cache only,
// memory first, then the history database, read in one query for all the
// JIDs memory does not know (the main window reads a whole roster's at its
// start). A JID that is not an address is left out.
func (c *Client) Avatars(jids []string) map[string][]byte {
	out := map[string][]byte{}
	given := map[string][]string{} // bare JID → the JIDs given for it
	var missing []string
	c.avatars.mu.Lock()
	for _, j := range jids {
		k := xmpp.BareJID(j)
		if k == "" {
			continue
		}
		if e, ok := c.avatars.mem[k]; ok {
			if len(e.data) > 0 {
				out[j] = bytes.Clone(e.data)
			}
			continue
		}
		if given[k] == nil {
			missing = append(missing, k)
		}
		given[k] = append(given[k], j)
	}
	c.avatars.mu.Unlock()
	if len(missing) == 0 {
		return out
	}
	stored, err := c.store.AvatarsOf(missing)
	if err != nil {
		if !errors.Is(err, history.ErrClosed) {
			c.logf("avatars: %v", err)
		}
		return out
	}
	c.avatars.mu.Lock()
	defer c.avatars.mu.Unlock()
	if c.avatars.mem == nil {
		c.avatars.mem = map[string]avatarEntry{}
	}
	for k, a := range stored {
		e, set := c.avatars.mem[k]
		if !set { // else recorded meanwhile: newer
			e = avatarEntry{hash: a.Hash, data: a.Data}
			c.avatars.mem[k] = e
		}
		if len(e.data) > 0 {
			for _, j := range given[k] {
				out[j] = bytes.Clone(e.data)
			}
		}
	}
	return out
}

// Avatar returns the image of jid's avatar (a PNG of at most avatarSide
// pixels a side, made by the bounded path from the one published), a contact's or the account's own, from the cache only: memory,
// then the history database. ok is false when none is known.
func (s *Session) Avatar(jid string) ([]byte, bool) {
	e, ok := s.client.avatar(jid)
	if !ok || len(e.data) == 0 {
		return nil, false
	}
	return bytes.Clone(e.data), true
}

// avatarWant is an avatar a contact advertised: its hash, and whether to
// fetch it from PEP (XEP-0084) rather than the vCard (XEP-0153).
type avatarWant struct {
	hash string
	pep  bool
}

// avatarJob is an avatar to sync, and the connection to fetch it on.
type avatarJob struct {
	avatarWant
	conn *xmpp.Conn
}

// avatarState is a session's avatar work.
type avatarState struct {
	mu   sync.Mutex
	want map[string]avatarJob  // contact → newest advertised avatar, while syncing
	busy map[string]bool       // contact → a worker is syncing it
	bad  map[string]avatarWant // contact → an avatar that could not be fetched or verified
	// Our own: ownGen counts our vCard changes (a fetch started before one
	// is stale); sentConn and sent are the update our last presence carried.
	ownGen   int
	ownBusy  bool
	sentConn *xmpp.Conn
	sent     vcard.Update
}

// contactAvatar records an avatar a roster contact advertised (on the
// reader goroutine, so it only records) and syncs it in the background.
func (s *Session) contactAvatar(c *xmpp.Conn, jid string, w avatarWant) {
	s.av.mu.Lock()
	if s.av.want == nil {
		s.av.want, s.av.busy = map[string]avatarJob{}, map[string]bool{}
	}
	s.av.want[jid] = avatarJob{w, c}
	if s.av.busy[jid] {
		s.av.mu.Unlock()
		return
	}
	s.av.busy[jid] = true
	s.av.mu.Unlock()
	go s.avatarWorker(jid)
}

// avatarWorker syncs a contact's avatar until it matches the newest one
// advertised. There is one worker per contact at a time.
func (s *Session) avatarWorker(jid string) {
	for {
		s.av.mu.Lock()
		job := s.av.want[jid]
		bad := job.hash != "" && s.av.bad[jid] == job.avatarWant
		s.av.mu.Unlock()
		ok := bad || s.syncAvatar(job.conn, jid, job.avatarWant)
		s.av.mu.Lock()
		if !ok {
			if s.av.bad == nil {
				s.av.bad = map[string]avatarWant{}
			}
			s.av.bad[jid] = job.avatarWant
		}
		if s.av.want[jid] == job {
			delete(s.av.want, jid)
			delete(s.av.busy, jid)
			s.av.mu.Unlock()
			return
		}
		s.av.mu.Unlock()
	}
}

// syncAvatar makes the cache hold w for jid; false when the image could
// not be fetched or did not match its hash (the connection closing is not
// a failure: the next one's presence asks again).
func (s *Session) syncAvatar(c *xmpp.Conn, jid string, w avatarWant) bool {
	if e, ok := s.client.avatar(jid); ok && e.hash == w.hash {
		return true
	}
	if w.hash == "" {
		if s.client.setAvatar(jid, "", nil) {
			s.client.bus.Publish(AvatarChanged{Account: s.jid(), JID: jid})
		}
		return true
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	data, err := fetchAvatar(ctx, c, jid, w)
	if errors.Is(err, xmpp.ErrClosed) {
		return true
	}
	if err != nil {
		s.client.logf("avatar of %s: %v", jid, err)
		return false
	}
	if s.client.setAvatar(jid, w.hash, data) {
		s.client.bus.Publish(AvatarChanged{Account: s.jid(), JID: jid})
	}
	return true
}

// fetchAvatar fetches the image w advertises and checks its hash.
func fetchAvatar(ctx context.Context, c *xmpp.Conn, jid string, w avatarWant) ([]byte, error) {
	if w.pep {
		return vcard.FetchAvatar(ctx, c, jid, w.hash) // checks the hash
	}
	v, err := vcard.Get(ctx, c, jid)
	if err != nil {
		return nil, err
	}
	p := v.Photo()
	if p == nil || len(p.Data) == 0 {
		return nil, errors.New("the vCard has no photo")
	}
	if h := vcard.PhotoHash(p.Data); h != w.hash {
		return nil, fmt.Errorf("the vCard photo hashes to %s, not %s as advertised", h, w.hash)
	}
	return p.Data, nil
}

// contactPresence follows what a roster contact's presence says besides
// availability: capabilities and photo hash (on the reader goroutine).
func (s *Session) contactPresence(c *xmpp.Conn, p *stanza.Presence, peer string, res Resource, available bool) {
	s.presenceCaps(c, p.From, res.caps, available)
	if !available {
		return
	}
	// <x/> without <photo/> means "not ready": nothing to learn.
	if u := vcard.UpdateFromPresence(p); u != nil && u.HasPhoto {
		s.contactAvatar(c, peer, avatarWant{hash: u.Hash})
	}
}

// avatarNotification handles an XEP-0084 metadata notification; it
// reports whether m was one.
func (s *Session) avatarNotification(c *xmpp.Conn, peer string, m *stanza.Message) bool {
	meta, ok := vcard.AvatarMetadataFromMessage(m)
	if !ok {
		return false
	}
	if xmpp.ResourceOf(m.From) != "" {
		return true // PEP notifications come from bare JIDs
	}
	if peer == s.jid() {
		s.ownAdvertised(c, avatarIDOf(meta))
		return true
	}
	if ct, ok := s.roster.Contact(peer); !ok || !ct.InRoster {
		return true
	}
	if meta.Disabled() {
		s.contactAvatar(c, peer, avatarWant{})
	} else if id := avatarIDOf(meta); id != "" {
		s.contactAvatar(c, peer, avatarWant{hash: id, pep: true})
	}
	return true
}

// ownResourcePresence: when another of our resources advertises a photo
// hash other than ours, our vCard changed elsewhere (XEP-0153 §4.3).
func (s *Session) ownResourcePresence(c *xmpp.Conn, p *stanza.Presence) {
	if p.From == c.JID() || p.Type != "" {
		return
	}
	if u := vcard.UpdateFromPresence(p); u != nil && u.HasPhoto {
		s.ownAdvertised(c, u.Hash)
	}
}

// ownAdvertised: our avatar is said to be hash elsewhere (another
// resource's presence, our PEP); our vCard is fetched again if that is not
// the one we know.
func (s *Session) ownAdvertised(c *xmpp.Conn, hash string) {
	go func() {
		if e, ok := s.client.avatar(s.jid()); !ok || e.hash != hash {
			s.refreshOwnAvatar(c)
		}
	}()
}

// avatarIDOf is the avatar metadata announces ("" for none).
func avatarIDOf(meta *vcard.AvatarMetadata) string {
	if in := meta.DataNodeInfo(); in != nil {
		return in.ID
	}
	return ""
}

// ownPhotoUpdate is the XEP-0153 update for our presence on conn: our
// photo's hash, <photo/> empty when we have none, or an empty update
// while our vCard is not known yet.
func (s *Session) ownPhotoUpdate(conn *xmpp.Conn) *vcard.Update {
	u := &vcard.Update{}
	if e, ok := s.client.avatar(s.jid()); ok {
		u.HasPhoto, u.Hash = true, e.hash
	}
	s.av.mu.Lock()
	s.av.sentConn, s.av.sent = conn, *u
	s.av.mu.Unlock()
	return u
}

// refreshOwnAvatar fetches our vCard (at login, or when another resource
// says it changed) and advertises its photo.
func (s *Session) refreshOwnAvatar(conn *xmpp.Conn) {
	s.av.mu.Lock()
	if s.av.ownBusy {
		s.av.mu.Unlock()
		return
	}
	s.av.ownBusy = true
	gen := s.av.ownGen
	s.av.mu.Unlock()
	defer func() {
		s.av.mu.Lock()
		s.av.ownBusy = false
		s.av.mu.Unlock()
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	v, err := getVCard(ctx, conn, "")
	if err != nil {
		if !errors.Is(err, xmpp.ErrClosed) {
			s.client.logf("own vCard: %v", err)
		}
		return
	}
	s.av.mu.Lock()
	stale := s.av.ownGen != gen
	s.av.mu.Unlock()
	if stale {
		return // SetVCard ran meanwhile and advertised its own photo
	}
	u := vcard.UpdateFor(v)
	var data []byte
	if p := v.Photo(); p != nil {
		data = p.Data
	}
	s.ownAvatarIs(conn, u.Hash, data)
}

// ownAvatarIs records our avatar and, when our presence on conn
// advertised another one, sends it again.
func (s *Session) ownAvatarIs(conn *xmpp.Conn, hash string, data []byte) {
	me := s.jid()
	if s.client.setAvatar(me, hash, data) {
		s.client.bus.Publish(AvatarChanged{Account: me, JID: me})
	}
	s.av.mu.Lock()
	resend := s.av.sentConn == conn && (!s.av.sent.HasPhoto || s.av.sent.Hash != hash)
	s.av.mu.Unlock()
	if !resend {
		return
	}
	s.mu.Lock()
	cur, invisible := s.conn, s.invisible
	s.mu.Unlock()
	if cur != conn || invisible {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.sendPresence(ctx, conn); err != nil && !errors.Is(err, xmpp.ErrClosed) {
		s.client.logf("presence with the new photo: %v", err)
	}
}
