package core

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/causerie/causerie/core/picture"
	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/vcard"
)

// Profiles: vCards (XEP-0054) as plain values, and publishing our own
// with its photo as a vCard-based avatar (XEP-0153) and a User Avatar
// (XEP-0084).

// VCard is a person's profile. Emails, Phones and Addresses hold one
// value each, formatted for display (an address on one line).
type VCard struct {
	FullName, Nickname, Birthday, URL, Note, Org, Title, JabberID string
	Emails, Phones, Addresses                                     []string
	// Photo is the image (PhotoType: image/png, image/jpeg, ...) as
	// published, nil when there is none: never decoded but by the bounded
	// path. Preview is what to show of it: a PNG of at most MaxPhotoSide
	// pixels a side made by that path, nil when it could not be read or
	// was too large.
	Photo     []byte
	PhotoType string
	Preview   []byte
}

// Photo limits: what SetVCard accepts, and the size it publishes.
const (
	// MaxPhotoSide is the longest side, in pixels, of a published photo.
	MaxPhotoSide = 192
	// maxPhotoInput bounds the file a user picks.
	maxPhotoInput = 32 << 20
	// maxPhotoPixels bounds a picked image's decoded size.
	maxPhotoPixels = 50_000_000
	// maxPhotoBytes bounds the published PNG: base64 in a vCard must stay
	// well under the 1 MiB stanza limit.
	maxPhotoBytes = 256 << 10
)

// ErrBadPhoto: the photo is not a PNG, JPEG or GIF image that can be
// read, or is too large.
var ErrBadPhoto = errors.New("core: the photo cannot be used")

// getVCard fetches jid's vCard ("" our own); a server saying there is
// none (item-not-found, or service-unavailable for another user, XEP-0054
// §3.3) gives an empty one.
func getVCard(ctx context.Context, conn *xmpp.Conn, jid string) (*vcard.VCard, error) {
	v, err := vcard.Get(ctx, conn, jid)
	var se *xmpp.StanzaError
	if errors.As(err, &se) && (se.Condition == "item-not-found" || se.Condition == "service-unavailable") {
		return &vcard.VCard{}, nil
	}
	return v, err
}

// VCard fetches the vCard of jid (a bare JID; "" for our own). Someone
// without one has an empty VCard.
func (s *Session) VCard(ctx context.Context, jid string) (VCard, error) {
	conn, err := s.onlineConn()
	if err != nil {
		return VCard{}, err
	}
	if jid != "" {
		jid = xmpp.BareJID(jid)
	}
	v, err := getVCard(ctx, conn, jid)
	if err != nil {
		return VCard{}, err
	}
	return shownVCard(v), nil
}

// shownVCard is vcardOf with the photo's Preview, for showing.
func shownVCard(v *vcard.VCard) VCard {
	out := vcardOf(v)
	if out.PhotoType != "" {
		out.Preview, _, _, _ = picture.Thumbnail(out.Photo, out.PhotoType, MaxPhotoSide)
	}
	return out
}

func vcardOf(v *vcard.VCard) VCard {
	out := VCard{
		FullName: v.FN, Nickname: v.Nickname, Birthday: v.Birthday, URL: v.URL,
		Note: v.Desc, Org: v.Org.Name, Title: v.Title, JabberID: v.JabberID,
	}
	if out.FullName == "" {
		out.FullName = joinNonEmpty(" ", v.N.Prefix, v.N.Given, v.N.Middle, v.N.Family, v.N.Suffix)
	}
	for _, e := range v.Emails {
		out.Emails = append(out.Emails, e.UserID)
	}
	for _, t := range v.Tels {
		out.Phones = append(out.Phones, t.Number)
	}
	for _, a := range v.Addresses {
		out.Addresses = append(out.Addresses, formatAddress(a))
	}
	if p := v.Photo(); p != nil && len(p.Data) > 0 {
		out.Photo, out.PhotoType = p.Data, p.Type
		// XEP-0153 §5: trust the data over the TYPE it came with.
		if info, err := picture.Check(p.Data, p.Type, picture.Network); err == nil {
			out.PhotoType = info.MIME()
		}
	}
	return out
}

func joinNonEmpty(sep string, parts ...string) string {
	var keep []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, sep)
}

func formatAddress(a vcard.Address) string {
	return joinNonEmpty(", ", a.POBox, a.ExtAdd, a.Street, joinNonEmpty(" ", a.PCode, a.Locality), a.Region, a.Country)
}

// SetVCard publishes our vCard. The fields VCard does not model (the
// structured name, roles, organisation units, and any other element) are
// kept from the card on the server, and so are the types of emails,
// phones and addresses whose text did not change; new ones are stored as
// plain values. A new photo is scaled down to MaxPhotoSide and published
// as PNG: in the vCard, as the XEP-0153 hash in our presence and, when the
// server allows, as an XEP-0084 avatar. A nil Photo removes it.
func (s *Session) SetVCard(ctx context.Context, v VCard) error {
	conn, err := s.onlineConn()
	if err != nil {
		return err
	}
	card, err := getVCard(ctx, conn, "")
	if err != nil {
		return err
	}
	prev := vcardOf(card)
	photo, w, h, err := photoFor(v.Photo, prev.Photo)
	if err != nil {
		return err
	}
	mergeVCard(card, v)
	newPhoto := !bytes.Equal(photo, prev.Photo)
	if newPhoto {
		card.SetPhoto("image/png", photo)
	}
	s.av.mu.Lock()
	s.av.ownGen++
	s.av.mu.Unlock()
	if err := vcard.Set(ctx, conn, card); err != nil {
		return err
	}
	hash := ""
	if len(photo) > 0 {
		hash = vcard.PhotoHash(photo)
	}
	s.ownAvatarIs(conn, hash, photo)
	if newPhoto {
		s.publishAvatar(conn, photo, w, h)
	}
	return nil
}

// photoFor is the photo to publish for picked: unchanged (prev) bytes as
// they are, else scaled and encoded as PNG; with its size when new.
func photoFor(picked, prev []byte) (data []byte, w, h int, err error) {
	if len(picked) == 0 {
		return nil, 0, 0, nil
	}
	if bytes.Equal(picked, prev) {
		return prev, 0, 0, nil
	}
	return scalePhoto(picked)
}

// publishAvatar publishes our photo as an XEP-0084 avatar, or that we
// have none. Best effort: a server without PEP keeps the vCard avatar.
func (s *Session) publishAvatar(conn *xmpp.Conn, photo []byte, w, h int) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var err error
	if len(photo) == 0 {
		err = vcard.DisableAvatar(ctx, conn)
	} else {
		info := vcard.AvatarInfo{Width: w, Height: h}
		_, err = vcard.PublishAvatar(ctx, conn, photo, info, "open")
		var se *xmpp.StanzaError
		if errors.As(err, &se) && se.Condition == "conflict" {
			// precondition-not-met (XEP-0060 §7.1.5): the nodes exist with
			// another access model (ejabberd's mod_avatar creates them
			// from the vCard); publish under theirs.
			_, err = vcard.PublishAvatar(ctx, conn, photo, info, "")
		}
	}
	if err != nil {
		s.client.logf("XEP-0084 avatar not published: %v", err)
	}
}

// mergeVCard writes v's fields into card, keeping what v does not model.
func mergeVCard(card *vcard.VCard, v VCard) {
	prev := vcardOf(card)
	if v.FullName != prev.FullName {
		card.FN = strings.TrimSpace(v.FullName)
	}
	card.Nickname = strings.TrimSpace(v.Nickname)
	card.Birthday = strings.TrimSpace(v.Birthday)
	card.URL = strings.TrimSpace(v.URL)
	card.Desc = strings.TrimSpace(v.Note)
	card.Title = strings.TrimSpace(v.Title)
	card.JabberID = strings.TrimSpace(v.JabberID)
	if org := strings.TrimSpace(v.Org); org != card.Org.Name {
		card.Org = vcard.Org{Name: org} // the units belonged to the old one
	}
	card.Emails = mergeValues(card.Emails, v.Emails, func(e vcard.Email) string { return e.UserID },
		func(s string) vcard.Email { return vcard.Email{UserID: s, Flags: vcard.Internet} })
	card.Tels = mergeValues(card.Tels, v.Phones, func(t vcard.Tel) string { return t.Number },
		func(s string) vcard.Tel { return vcard.Tel{Number: s, Flags: vcard.Voice} })
	card.Addresses = mergeValues(card.Addresses, v.Addresses, formatAddress,
		func(s string) vcard.Address { return vcard.Address{Street: s} })
}

// mergeValues builds the list for values, in their order: an old element
// shown as the same text is kept whole, other text becomes a new element.
func mergeValues[T any](old []T, values []string, show func(T) string, build func(string) T) []T {
	var out []T
	used := make([]bool, len(old))
	for _, v := range values {
		if v = strings.TrimSpace(v); v == "" {
			continue
		}
		found := false
		for i, o := range old {
			if !used[i] && show(o) == v {
				out, used[i], found = append(out, o), true, true
				break
			}
		}
		if !found {
			out = append(out, build(v))
		}
	}
	return out
}

// PhotoPreview is what to show of a photo the user picked before it is
// saved: a PNG of at most MaxPhotoSide pixels a side, made by the bounded
// path; ErrBadPhoto when it cannot be used.
func PhotoPreview(data []byte) ([]byte, error) {
	out, _, _, err := picture.ThumbnailWithin(data, "", MaxPhotoSide, photoLimits)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadPhoto, err)
	}
	return out, nil
}

// photoLimits bound a photo the user picks from a file: larger than what
// the network may send, still bounded before decoding.
var photoLimits = picture.Limits{MaxBytes: maxPhotoInput, MaxSide: 1 << 14, MaxPixels: maxPhotoPixels, MaxMemory: 4 * maxPhotoPixels}

// scalePhoto checks and decodes a PNG, JPEG, GIF or WebP image through the
// bounded path, scales it so its longest side is at most MaxPhotoSide,
// and encodes it as PNG. A PNG already small enough is kept as it is.
func scalePhoto(data []byte) ([]byte, int, int, error) {
	info, err := picture.Check(data, "", photoLimits)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("%w: %v", ErrBadPhoto, err)
	}
	if info.Format == "png" && max(info.Width, info.Height) <= MaxPhotoSide && len(data) <= maxPhotoBytes {
		return data, info.Width, info.Height, nil
	}
	out, w, h, err := picture.ThumbnailWithin(data, "", MaxPhotoSide, photoLimits)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("%w: %v", ErrBadPhoto, err)
	}
	if len(out) > maxPhotoBytes {
		return nil, 0, 0, fmt.Errorf("%w: %d bytes once encoded", ErrBadPhoto, len(out))
	}
	return out, w, h, nil
}
