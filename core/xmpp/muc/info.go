package muc

import (
	"context"
	"fmt"
	"strconv"

	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/disco"
	"github.com/causerie/causerie/core/xmpp/retract"
)

// Room features a room's disco#info lists (§6.4, the Registrar's
// muc features).
const (
	FeaturePasswordProtected = "muc_passwordprotected"
	FeatureMembersOnly       = "muc_membersonly"
	FeatureModerated         = "muc_moderated"
	FeatureNonAnonymous      = "muc_nonanonymous"
	FeaturePersistent        = "muc_persistent"
	FeaturePublic            = "muc_public"
	FeatureHidden            = "muc_hidden"
	NSMAM                    = "urn:xmpp:mam:2"
)

// RoomInfo is what a room says of itself (§6.4), for a room browser and
// before joining.
type RoomInfo struct {
	JID          string
	Name         string // the room's natural-language name, "" when none
	Description  string
	Subject      string
	Lang         string
	Occupants    int // -1 when the room does not say
	Password     bool
	MembersOnly  bool
	Moderated    bool
	NonAnonymous bool // occupants' real JIDs are shown to all
	Persistent   bool
	Archived     bool // the room keeps an archive (XEP-0313)
	StableID     bool // the room reflects our message ids (muc#stable_id)
	OccupantIDs  bool // the room names its occupants for good (XEP-0421)
	// Moderation is the XEP-0425 namespace the room takes its
	// moderators' retractions in (retract.NSModerate1, else
	// retract.NSModerate0), "" when it takes none.
	Moderation string
}

// ParseRoomInfo reads a room's disco#info.
func ParseRoomInfo(jid string, info *disco.Info) RoomInfo {
	r := RoomInfo{JID: jid, Occupants: -1,
		Password:     info.Has(FeaturePasswordProtected),
		MembersOnly:  info.Has(FeatureMembersOnly),
		Moderated:    info.Has(FeatureModerated),
		NonAnonymous: info.Has(FeatureNonAnonymous),
		Persistent:   info.Has(FeaturePersistent),
		Archived:     info.Has(NSMAM),
		StableID:     info.Has(NSStableID),
		OccupantIDs:  info.Has(NSOccupantID),
	}
	switch {
	case info.Has(retract.NSModerate1):
		r.Moderation = retract.NSModerate1
	case info.Has(retract.NSModerate0):
		r.Moderation = retract.NSModerate0
	}
	for _, id := range info.Identities {
		if id.Category == "conference" && id.Name != "" {
			r.Name = id.Name
			break
		}
	}
	if f := info.Form(NSRoomInfo); f != nil {
		if v := f.Field("muc#roominfo_description"); v != nil {
			r.Description = v.Value()
		}
		if v := f.Field("muc#roominfo_subject"); v != nil {
			r.Subject = v.Value()
		}
		if v := f.Field("muc#roominfo_lang"); v != nil {
			r.Lang = v.Value()
		}
		if v := f.Field("muc#roominfo_occupants"); v != nil {
			if n, err := strconv.Atoi(v.Value()); err == nil && n >= 0 {
				r.Occupants = n
			}
		}
		if v := f.Field("muc#roomconfig_roomname"); v != nil && v.Value() != "" {
			r.Name = v.Value()
		}
	}
	return r
}

// GetRoomInfo asks a room about itself.
func GetRoomInfo(ctx context.Context, c *xmpp.Conn, room string) (RoomInfo, error) {
	info, err := disco.GetInfo(ctx, c, room, "")
	if err != nil {
		return RoomInfo{}, fmt.Errorf("muc: %w", err)
	}
	if !info.HasIdentity("conference", "text") {
		return RoomInfo{}, fmt.Errorf("muc: %s is not a group chat", room)
	}
	return ParseRoomInfo(room, info), nil
}

// IsService reports whether a disco#info is a MUC service's (§6.1): a
// conference/text identity and the MUC feature, without being a room.
func IsService(info *disco.Info) bool {
	return info.HasIdentity("conference", "text") && info.Has(NS) && !info.Has(FeaturePersistent) &&
		!info.Has("muc_temporary")
}

// FindService returns the first MUC service among our server's items
// (§6.1), "" when there is none.
func FindService(ctx context.Context, c *xmpp.Conn) (string, error) {
	items, err := disco.GetItems(ctx, c, "", "")
	if err != nil {
		return "", fmt.Errorf("muc: %w", err)
	}
	for _, it := range items {
		info, err := disco.GetInfo(ctx, c, it.JID, "")
		if err != nil {
			continue // an item that does not answer is not ours to use
		}
		if IsService(info) {
			return it.JID, nil
		}
	}
	return "", nil
}

// Rooms lists a service's public rooms (§6.3).
func Rooms(ctx context.Context, c *xmpp.Conn, service string) ([]disco.Item, error) {
	items, err := disco.GetItems(ctx, c, service, "")
	if err != nil {
		return nil, fmt.Errorf("muc: %w", err)
	}
	return items, nil
}
