package muc

import (
	"encoding/xml"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/causerie/causerie/core/xmpp/disco"
	"github.com/causerie/causerie/internal/xmpptest"
	"gosrc.io/xmpp/stanza"
)

// examples reads the stanzas of XEP-0045's example n (testdata holds the
// ones used here, numbered as in the XEP), in order.
func examples(t *testing.T, n string) []any {
	t.Helper()
	text := strings.ReplaceAll(exampleText(t, n), "[ ... ]", "")
	d := xml.NewDecoder(strings.NewReader(text))
	var out []any
	for {
		tok, err := d.Token()
		if err != nil {
			break
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		var v any
		switch se.Name.Local {
		case "presence":
			v = &stanza.Presence{}
		case "message":
			v = &stanza.Message{}
		case "iq":
			v = &stanza.IQ{}
		default:
			t.Fatalf("example %s: <%s>", n, se.Name.Local)
		}
		if err := d.DecodeElement(v, &se); err != nil {
			t.Fatalf("example %s: %v", n, err)
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		t.Fatalf("example %s: no stanza", n)
	}
	return out
}

func presence(t *testing.T, n string) Presence {
	t.Helper()
	p, ok := ParsePresence(examples(t, n)[0].(*stanza.Presence))
	if !ok {
		t.Fatalf("example %s: not an occupant's presence", n)
	}
	return p
}

// exampleText is the text of XEP-0045's example n (testdata holds the
// ones used here, numbered as in the XEP).
func exampleText(t *testing.T, n string) string {
	t.Helper()
	return xmpptest.Example(t, "testdata/xep-0045-examples.xml", n)
}

func marshal(t *testing.T, v any) string {
	t.Helper()
	b, err := xml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestGoldenJoinAndOccupants: XEP-0045 §7.2, examples 18 to 31.
func TestGoldenJoinAndOccupants(t *testing.T) {
	if got, want := xmpptest.Canon(marshal(t, Join("coven@chat.shakespeare.lit", "thirdwitch", "", false)), "from", "id"), xmpptest.Canon(exampleText(t, "18"), "from", "id"); got != want {
		t.Errorf("join:\n got %s\nwant %s", got, want)
	}
	j := marshal(t, Join("coven@chat.shakespeare.lit", "thirdwitch", "cauldronburn", true))
	if !strings.Contains(j, "<password>cauldronburn</password>") || !strings.Contains(j, `maxstanzas="0"`) {
		t.Errorf("join with password and no history: %s", j)
	}

	first := presence(t, "20")
	if first.Room != "coven@chat.shakespeare.lit" || first.Nick != "firstwitch" || first.Self ||
		first.Item.Affiliation != AffOwner || first.Item.Role != RoleModerator {
		t.Errorf("existing occupant: %+v", first)
	}
	self := presence(t, "22")
	if !self.Self || self.Nick != "thirdwitch" || !reflect.DeepEqual(self.Codes, []int{110, 210}) || self.Removed() != "" {
		t.Errorf("own presence, nick assigned: %+v", self)
	}
	nonAnon := presence(t, "24")
	if !nonAnon.Self || !slices.Contains(nonAnon.Codes, StatusNonAnonymous) {
		t.Errorf("non-anonymous room: %+v", nonAnon)
	}

	for n, want := range map[string]error{"25": ErrPasswordRequired, "27": ErrMembersOnly, "28": ErrBanned,
		"29": ErrNickInUse, "30": ErrRoomFull, "31": ErrRoomLocked} {
		p := examples(t, n)[0].(*stanza.Presence)
		if _, ok := ParsePresence(p); ok {
			t.Errorf("example %s: an error read as an occupant", n)
		}
		if err := JoinError(p); !errors.Is(err, want) {
			t.Errorf("example %s: %v, want %v", n, err, want)
		}
	}
	if JoinError(examples(t, "20")[0].(*stanza.Presence)) != nil {
		t.Error("JoinError of an occupant's presence")
	}
}

// TestGoldenMessagesAndNicks: examples 45, 50 and 88.
func TestGoldenMessagesAndNicks(t *testing.T) {
	m := examples(t, "45")[0].(*stanza.Message)
	if m.Type != stanza.MessageTypeGroupchat || m.Body != "Harpier cries: 'tis time, 'tis time." {
		t.Errorf("reflected message: %+v", m)
	}
	change := presence(t, "50")
	if !change.Unavailable || change.Item.Nick != "oldhag" || change.Removed() != "" || !slices.Contains(change.Codes, StatusNickChange) {
		t.Errorf("nick change: %+v", change)
	}
	if got, want := xmpptest.Canon(marshal(t, SetSubject("coven@chat.shakespeare.lit", "")), "from", "id"), xmpptest.Canon(exampleText(t, "88"), "from", "id"); got != want {
		t.Errorf("empty subject:\n got %s\nwant %s", got, want)
	}
}

// TestGoldenInvitations: §7.8.2, examples 56 to 59, and XEP-0249's.
func TestGoldenInvitations(t *testing.T) {
	out := InviteVia("coven@chat.shakespeare.lit", "hecate@shakespeare.lit", "Hey Hecate, this is the place for all good witches!")
	if got, want := xmpptest.Canon(marshal(t, out), "from", "id"), xmpptest.Canon(exampleText(t, "56"), "from", "id"); got != want {
		t.Errorf("mediated invitation:\n got %s\nwant %s", got, want)
	}
	inv, ok := ParseInvitation(examples(t, "57")[0].(*stanza.Message))
	if !ok || inv != (Invitation{Room: "coven@chat.shakespeare.lit", From: "crone1@shakespeare.lit/desktop",
		Reason: "Hey Hecate, this is the place for all good witches!", Password: "cauldronburn"}) {
		t.Errorf("received invitation: %+v %v", inv, ok)
	}
	decl := DeclineVia("coven@chat.shakespeare.lit", "crone1@shakespeare.lit", "Sorry, I'm too busy right now.")
	if got, want := xmpptest.Canon(marshal(t, decl), "from", "id"), xmpptest.Canon(exampleText(t, "58"), "from", "id"); got != want {
		t.Errorf("decline:\n got %s\nwant %s", got, want)
	}
	from, reason, ok := ParseDecline(examples(t, "59")[0].(*stanza.Message))
	if !ok || from != "hecate@shakespeare.lit" || reason != "Sorry, I'm too busy right now." {
		t.Errorf("declined: %q %q %v", from, reason, ok)
	}
	if _, ok := ParseInvitation(examples(t, "45")[0].(*stanza.Message)); ok {
		t.Error("a room message read as an invitation")
	}
	// An occupant's private message carrying a muc#user invitation is
	// not the room passing one on.
	forged := *examples(t, "57")[0].(*stanza.Message)
	forged.From = "coven@chat.shakespeare.lit/thirdwitch"
	if inv, ok := ParseInvitation(&forged); ok {
		t.Errorf("an occupant's message read as the room's invitation: %+v", inv)
	}

	// XEP-0249 example 1.
	const direct = `<message from='crone1@shakespeare.lit/desktop' to='hecate@shakespeare.lit'>
  <x xmlns='jabber:x:conference' jid='darkcave@macbeth.shakespeare.lit' password='cauldronburn' reason='Hey Hecate, this is the place for all good witches!'/>
</message>`
	if got, want := xmpptest.Canon(marshal(t, InviteDirect("hecate@shakespeare.lit", "darkcave@macbeth.shakespeare.lit", "cauldronburn",
		"Hey Hecate, this is the place for all good witches!")), "from", "id"), xmpptest.Canon(direct, "from", "id"); got != want {
		t.Errorf("direct invitation:\n got %s\nwant %s", got, want)
	}
	var dm stanza.Message
	if err := xml.Unmarshal([]byte(direct), &dm); err != nil {
		t.Fatal(err)
	}
	inv, ok = ParseInvitation(&dm)
	if !ok || !inv.Direct || inv.Room != "darkcave@macbeth.shakespeare.lit" || inv.Password != "cauldronburn" || inv.From != "crone1@shakespeare.lit/desktop" {
		t.Errorf("direct invitation read: %+v", inv)
	}
}

// TestGoldenModeration: kicks, bans and destruction, examples 89 to 117,
// 155, 201, 202 and 206.
func TestGoldenModeration(t *testing.T) {
	kick := iq(stanza.IQTypeSet, "harfleur@chat.shakespeare.lit", &AdminQuery{Items: []Item{{Nick: "pistol", Role: RoleNone, Reason: "Avaunt, you cullion!"}}})
	if got, want := xmpptest.Canon(marshal(t, kick), "from", "id"), xmpptest.Canon(exampleText(t, "89"), "from", "id"); got != want {
		t.Errorf("kick:\n got %s\nwant %s", got, want)
	}
	kicked := presence(t, "90")
	if !kicked.Self || kicked.Removed() != "kicked" || kicked.Item.Actor == nil || kicked.Item.Actor.Nick != "Fluellen" || kicked.Item.Reason != "Avaunt, you cullion!" {
		t.Errorf("kicked: %+v", kicked)
	}
	if other := presence(t, "92"); other.Self || other.Removed() != "kicked" {
		t.Errorf("another kicked: %+v", other)
	}
	ban := iq(stanza.IQTypeSet, "southampton@chat.shakespeare.lit", &AdminQuery{Items: []Item{{JID: "earlofcambridge@shakespeare.lit", Affiliation: AffOutcast}}})
	if got, want := xmpptest.Canon(marshal(t, ban), "from", "id"), xmpptest.Canon(exampleText(t, "110"), "from", "id"); got != want {
		t.Errorf("ban:\n got %s\nwant %s", got, want)
	}
	if banned := presence(t, "113"); banned.Removed() != "banned" || banned.Item.Actor.Nick != "The ♚" {
		t.Errorf("banned: %+v", banned)
	}
	list := examples(t, "117")[0].(*stanza.IQ).Payload.(*AdminQuery)
	if len(list.Items) != 1 || list.Items[0].JID != "earlofcambridge@shakespeare.lit" || list.Items[0].Affiliation != AffOutcast {
		t.Errorf("ban list: %+v", list.Items)
	}
	inst := iq(stanza.IQTypeSet, "coven@chat.shakespeare.lit", &OwnerQuery{Form: instantForm()})
	if got, want := xmpptest.Canon(marshal(t, inst), "from", "id"), xmpptest.Canon(exampleText(t, "155"), "from", "id"); got != want {
		t.Errorf("instant room:\n got %s\nwant %s", got, want)
	}
	destroy := iq(stanza.IQTypeSet, "heath@chat.shakespeare.lit", &OwnerQuery{Destroy: &Destroy{JID: "coven@chat.shakespeare.lit", Reason: "Macbeth doth come."}})
	if got, want := xmpptest.Canon(marshal(t, destroy), "from", "id"), xmpptest.Canon(exampleText(t, "201"), "from", "id"); got != want {
		t.Errorf("destroy:\n got %s\nwant %s", got, want)
	}
	if gone := presence(t, "202"); gone.Removed() != "destroyed" || gone.Destroy.JID != "coven@chat.shakespeare.lit" || strings.TrimSpace(gone.Destroy.Reason) != "Macbeth doth come." {
		t.Errorf("destroyed: %+v", gone)
	}
	if e := presence(t, "206"); e.Removed() != "error" {
		t.Errorf("removed by an error: %+v", e)
	}
}

// TestGoldenRoomInfo: §6.4, examples 9 and 10.
func TestGoldenRoomInfo(t *testing.T) {
	plain := ParseRoomInfo("darkcave@chat.shakespeare.lit", examples(t, "9")[0].(*stanza.IQ).Payload.(*disco.Info))
	if plain.Name != "A Dark Cave" || !plain.Password || plain.Persistent || !plain.NonAnonymous || !plain.StableID || plain.MembersOnly || plain.Occupants != -1 {
		t.Errorf("disco#info: %+v", plain)
	}
	ext := ParseRoomInfo("darkcave@chat.shakespeare.lit", examples(t, "10")[0].(*stanza.IQ).Payload.(*disco.Info))
	if ext.Description != "The place for all good witches!" || ext.Occupants != 3 || ext.Subject != "Spells" || ext.Lang != "en" {
		t.Errorf("extended disco#info: %+v", ext)
	}
}

// TestGoldenPrivateMessages: §7.5, examples 46 and 47.
func TestGoldenPrivateMessages(t *testing.T) {
	got := xmpptest.Canon(marshal(t, SayPrivately("coven@chat.shakespeare.lit", "firstwitch", "I'll give thee a wind.", "")), "from", "id")
	if want := xmpptest.Canon(exampleText(t, "46"), "from", "id"); got != want {
		t.Errorf("private message:\n got %s\nwant %s", got, want)
	}
	if m := marshal(t, SayPrivately("coven@chat.shakespeare.lit", "firstwitch", "x", "o1")); !strings.Contains(m, `<origin-id xmlns="urn:xmpp:sid:0" id="o1">`) || !strings.Contains(m, `id="o1"`) {
		t.Errorf("private message with origin-id: %s", m)
	}
	in := examples(t, "47")[0].(*stanza.Message)
	if in.Type != stanza.MessageTypeChat || in.From != "coven@chat.shakespeare.lit/secondwitch" || in.Body != "I'll give thee a wind." {
		t.Errorf("received private message: %+v", in)
	}
}

// TestGoldenOccupantID: XEP-0421's examples 2 and 6, and the ids a room
// must not pass on.
func TestGoldenOccupantID(t *testing.T) {
	ex := func(n string) any {
		t.Helper()
		d := xml.NewDecoder(strings.NewReader(xmpptest.Example(t, "testdata/xep-0421-examples.xml", n)))
		for {
			tok, err := d.Token()
			if err != nil {
				t.Fatalf("example %s: %v", n, err)
			}
			if se, ok := tok.(xml.StartElement); ok {
				var v any = &stanza.Message{}
				if se.Name.Local == "iq" {
					v = &stanza.IQ{}
				}
				if err := d.DecodeElement(v, &se); err != nil {
					t.Fatal(err)
				}
				return v
			}
		}
	}
	if info := ParseRoomInfo("coven@chat.shakespeare.lit", ex("2").(*stanza.IQ).Payload.(*disco.Info)); !info.OccupantIDs {
		t.Errorf("room info: %+v", info)
	}
	m := ex("6").(*stanza.Message)
	if got := OccupantID(m); got != "dd72603deec90a38ba552f7c68cbcc61bca202cd" {
		t.Errorf("occupant id %q", got)
	}
	two := *m
	two.Extensions = append(slices.Clone(m.Extensions), OccupantIDExt{ID: "forged"})
	long := *m
	long.Extensions = []stanza.MsgExtension{OccupantIDExt{ID: strings.Repeat("a", maxOccupantID+1)}}
	for name, m := range map[string]*stanza.Message{"two ids": &two, "too long": &long, "none": {}} {
		if got := OccupantID(m); got != "" {
			t.Errorf("%s: occupant id %q", name, got)
		}
	}
}
