package vcard

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/disco"
	"github.com/causerie/causerie/internal/testserver"
	"github.com/causerie/causerie/internal/xmpptest"
	"gosrc.io/xmpp/stanza"
)

func servers(t *testing.T) map[string]*testserver.Server { return xmpptest.Servers(t) }

func dial(t *testing.T, s *testserver.Server, h xmpp.Handler) *xmpp.Conn {
	return xmpptest.Dial(t, s, h)
}

func bare(j string) string { return strings.SplitN(j, "/", 2)[0] }

func fullCard(jid string) *VCard {
	v := &VCard{
		FN:        "Juliet Capulet",
		N:         Name{Family: "Capulet", Given: "Juliet", Middle: "M"},
		Nickname:  "jc",
		Birthday:  "1476-06-09",
		Addresses: []Address{{Flags: Home, Street: "Via Cappello 23", Locality: "Verona", Region: "VR", PCode: "37121", Country: "Italy"}},
		Tels:      []Tel{{Number: "+39 045 8034303", Flags: Home | Voice}, {Number: "+39 333 000", Flags: Cell}},
		Emails:    []Email{{UserID: "juliet@capulet.example", Flags: Internet | Pref}, {UserID: "jc@work.example", Flags: Work | Internet}},
		JabberID:  jid,
		Title:     "Heiress",
		Role:      "Lover",
		Org:       Org{Name: "House Capulet", Units: []string{"Family"}},
		URL:       "https://capulet.example/juliet",
		Desc:      "Wherefore art thou?",
	}
	v.SetPhoto("image/png", tinyPNG())
	return v
}

// prosodyView is what Prosody 0.12's mod_vcard_legacy (vcard-temp stored
// as vCard 4 in PEP) gives back for v: TEL keeps only HOME/WORK, EMAIL
// only HOME/WORK/INTERNET, ORGUNITs are dropped (and DESC comes back as
// NOTE, which the parser reads as Desc).
func prosodyView(v *VCard) *VCard {
	out := *v
	out.Tels = nil
	for _, t := range v.Tels {
		t.Flags &= Home | Work
		out.Tels = append(out.Tels, t)
	}
	out.Emails = nil
	for _, e := range v.Emails {
		e.Flags &= Home | Work | Internet
		out.Emails = append(out.Emails, e)
	}
	out.Org.Units = nil
	return &out
}

// compare reports the fields of got that differ from want.
func compare(got, want *VCard) []string {
	var diffs []string
	check := func(name string, g, w any) {
		if !reflect.DeepEqual(g, w) {
			diffs = append(diffs, name)
		}
	}
	check("FN", got.FN, want.FN)
	check("N", got.N, want.N)
	check("NICKNAME", got.Nickname, want.Nickname)
	check("BDAY", got.Birthday, want.Birthday)
	check("ADR", got.Addresses, want.Addresses)
	check("TEL", got.Tels, want.Tels)
	check("EMAIL", got.Emails, want.Emails)
	check("JABBERID", got.JabberID, want.JabberID)
	check("TITLE", got.Title, want.Title)
	check("ROLE", got.Role, want.Role)
	check("ORG", got.Org, want.Org)
	check("URL", got.URL, want.URL)
	check("DESC", got.Desc, want.Desc)
	gp, wp := got.Photo(), want.Photo()
	if gp == nil || !bytes.Equal(gp.Data, wp.Data) {
		diffs = append(diffs, "PHOTO")
	} else if gp.Type != wp.Type {
		diffs = append(diffs, "PHOTO/TYPE")
	}
	return diffs
}

func TestSetAndGet(t *testing.T) {
	ctx := context.Background()
	for name, s := range servers(t) {
		t.Run(name, func(t *testing.T) {
			presences := make(chan *stanza.Presence, 4)
			bmux := &xmpp.Mux{}
			bmux.HandlePresenceFunc(func(_ *xmpp.Conn, p *stanza.Presence) { presences <- p })
			a := dial(t, s, nil)
			b := dial(t, s, bmux)

			info, err := disco.GetInfo(ctx, a, "", "")
			if err != nil {
				t.Fatal(err)
			}
			if !info.Has(NS) {
				t.Errorf("%s does not advertise %s", name, NS)
			}

			// Nothing published yet.
			empty, err := Get(ctx, b, bare(a.JID()))
			t.Logf("%s: vCard of an account without one: %+v, %v", name, empty, err)
			var se *xmpp.StanzaError
			if err != nil && !errors.As(err, &se) {
				t.Fatal(err)
			}
			if err == nil && !empty.Empty() {
				t.Fatalf("not empty: %+v", empty)
			}

			want := fullCard(bare(a.JID()))
			if err := Set(ctx, a, want); err != nil {
				t.Fatal(err)
			}
			expect := want
			if name == "prosody" {
				expect = prosodyView(want)
				if d := compare(expect, want); len(d) > 0 {
					t.Logf("prosody: vcard-temp through mod_vcard_legacy loses %v", d)
				}
			}
			got, err := Get(ctx, b, bare(a.JID()))
			if err != nil {
				t.Fatal(err)
			}
			if d := compare(got, expect); len(d) > 0 {
				b, _ := xml.Marshal(got)
				t.Errorf("%s: B's copy differs in %v:\n%s", name, d, b)
			}
			own, err := Get(ctx, a, "")
			if err != nil {
				t.Fatal(err)
			}
			if d := compare(own, expect); len(d) > 0 {
				t.Errorf("%s: own copy differs in %v", name, d)
			}

			if name == "prosody" {
				// mod_vcard_legacy also publishes the photo as an XEP-0084
				// avatar.
				meta, err := FetchAvatarMetadata(ctx, b, bare(a.JID()))
				if err != nil {
					t.Fatal(err)
				}
				in := meta.DataNodeInfo()
				if in == nil || in.ID != PhotoHash(tinyPNG()) {
					t.Fatalf("avatar metadata %+v", meta)
				}
				if img, err := FetchAvatar(ctx, b, bare(a.JID()), in.ID); err != nil || !bytes.Equal(img, tinyPNG()) {
					t.Fatalf("avatar from the vCard photo: %v", err)
				}
			}

			// XEP-0153: A advertises the hash; B sees it and can check the
			// photo it fetched against it.
			pres := stanza.Presence{XMLName: xml.Name{Local: "presence"}, Attrs: stanza.Attrs{To: b.JID()},
				Extensions: []stanza.PresExtension{UpdateFor(own)}}
			if err := a.Send(pres); err != nil {
				t.Fatal(err)
			}
			select {
			case p := <-presences:
				u := UpdateFromPresence(p)
				if u == nil || !u.HasPhoto || u.Hash != PhotoHash(tinyPNG()) || u.Hash != PhotoHash(got.Photo().Data) {
					t.Fatalf("update %+v", u)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("no presence")
			}

			// Removing the photo.
			want.SetPhoto("", nil)
			if err := Set(ctx, a, want); err != nil {
				t.Fatal(err)
			}
			if got, err = Get(ctx, b, bare(a.JID())); err != nil || got.Photo() != nil || got.FN != want.FN {
				t.Fatalf("without photo: %+v, %v", got, err)
			}
			if u := UpdateFor(got); !u.HasPhoto || u.Hash != "" {
				t.Fatalf("update without photo %+v", u)
			}
		})
	}
}

func TestUserAvatar(t *testing.T) {
	ctx := context.Background()
	for name, s := range servers(t) {
		t.Run(name, func(t *testing.T) {
			a := dial(t, s, nil)
			b := dial(t, s, nil)
			id, err := PublishAvatar(ctx, a, tinyPNG(), AvatarInfo{Width: 16, Height: 16}, "open")
			if err != nil {
				t.Fatal(err)
			}
			if id != PhotoHash(tinyPNG()) {
				t.Fatalf("id %s", id)
			}
			meta, err := FetchAvatarMetadata(ctx, b, bare(a.JID()))
			if err != nil {
				t.Fatal(err)
			}
			in := meta.DataNodeInfo()
			if in == nil || in.ID != id || in.Bytes != len(tinyPNG()) || in.Type != "image/png" || in.Width != 16 {
				t.Fatalf("metadata %+v", meta)
			}
			img, err := FetchAvatar(ctx, b, bare(a.JID()), in.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(img, tinyPNG()) {
				t.Fatal("avatar bytes differ")
			}
			if _, err := FetchAvatar(ctx, b, bare(a.JID()), strings.Repeat("0", 40)); err == nil {
				t.Fatal("fetched an avatar that does not exist")
			}
			if err := DisableAvatar(ctx, a); err != nil {
				t.Fatal(err)
			}
			if meta, err = FetchAvatarMetadata(ctx, b, bare(a.JID())); err != nil || !meta.Disabled() {
				t.Fatalf("after disable: %+v, %v", meta, err)
			}
		})
	}
}
