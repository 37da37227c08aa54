package core

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"reflect"
	"testing"

	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/vcard"
	"github.com/causerie/causerie/internal/testserver"
)

func gradient(w, h int) image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.NRGBA{uint8(x * 255 / w), uint8(y * 255 / h), 160, 255})
		}
	}
	return img
}

func encodePNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pngSize decodes a PNG and returns its size.
func pngSize(t testing.TB, data []byte) (int, int) {
	t.Helper()
	img, format, err := image.Decode(bytes.NewReader(data))
	if err != nil || format != "png" {
		t.Fatalf("not a PNG: %s %v", format, err)
	}
	return img.Bounds().Dx(), img.Bounds().Dy()
}

func TestScalePhoto(t *testing.T) {
	big := encodePNG(t, gradient(600, 400))
	out, w, h, err := scalePhoto(big)
	if err != nil || w != 192 || h != 128 {
		t.Fatalf("600×400: %d×%d %v", w, h, err)
	}
	if gw, gh := pngSize(t, out); gw != 192 || gh != 128 {
		t.Fatalf("encoded %d×%d", gw, gh)
	}
	// Portrait JPEG and GIF become PNG too.
	var jb bytes.Buffer
	jpeg.Encode(&jb, gradient(300, 900), nil)
	if out, w, h, err = scalePhoto(jb.Bytes()); err != nil || w != 64 || h != 192 {
		t.Fatalf("JPEG 300×900: %d×%d %v", w, h, err)
	}
	pngSize(t, out)
	var gb bytes.Buffer
	gif.Encode(&gb, gradient(200, 200), nil)
	if out, w, h, err = scalePhoto(gb.Bytes()); err != nil || w != 192 || h != 192 {
		t.Fatalf("GIF: %d×%d %v", w, h, err)
	}
	pngSize(t, out)
	// A small PNG is kept as it is; a small JPEG is converted.
	small := encodePNG(t, gradient(48, 32))
	if out, w, h, err = scalePhoto(small); err != nil || !bytes.Equal(out, small) || w != 48 || h != 32 {
		t.Fatalf("small PNG changed: %d×%d %v", w, h, err)
	}
	jb.Reset()
	jpeg.Encode(&jb, gradient(40, 40), nil)
	if out, w, h, err = scalePhoto(jb.Bytes()); err != nil || w != 40 || h != 40 {
		t.Fatalf("small JPEG: %d×%d %v", w, h, err)
	}
	pngSize(t, out)
	// Not an image; an image claiming a huge size.
	if _, _, _, err := scalePhoto([]byte("not an image")); !errors.Is(err, ErrBadPhoto) {
		t.Fatalf("garbage: %v", err)
	}
	huge := append([]byte(nil), small...)
	// IHDR width and height are at offsets 16 and 20.
	copy(huge[16:], []byte{0, 1, 0, 0, 0, 1, 0, 0})
	if _, _, _, err := scalePhoto(huge); !errors.Is(err, ErrBadPhoto) {
		t.Fatalf("65536×65536: %v", err)
	}
}

func TestMergeVCardKeepsWhatItDoesNotModel(t *testing.T) {
	card := &vcard.VCard{
		FN:     "Old",
		N:      vcard.Name{Family: "Haddock", Given: "Archibald"},
		Role:   "Capitaine",
		Org:    vcard.Org{Name: "Karaboudjan", Units: []string{"Pont"}},
		Emails: []vcard.Email{{UserID: "haddock@example.org", Flags: vcard.Home | vcard.Pref}, {UserID: "old@example.org", Flags: vcard.Work}},
		Tels:   []vcard.Tel{{Number: "+32 1", Flags: vcard.Cell}},
		Addresses: []vcard.Address{{Flags: vcard.Home, Street: "Château de Moulinsart", Locality: "Moulinsart",
			PCode: "1000", Country: "Belgique"}},
		Extra: []vcard.Element{{XMLName: xml.Name{Space: vcard.NS, Local: "TZ"}, Text: "+01:00"}},
	}
	v := vcardOf(card)
	if v.Addresses[0] != "Château de Moulinsart, 1000 Moulinsart, Belgique" || v.Org != "Karaboudjan" {
		t.Fatalf("display: %+v", v)
	}
	v.FullName = "Archibald Haddock"
	v.Emails = []string{"new@example.org", "haddock@example.org"}
	v.Phones = append(v.Phones, "+32 2")
	mergeVCard(card, v)
	if card.FN != "Archibald Haddock" || card.N.Family != "Haddock" || card.Role != "Capitaine" || len(card.Extra) != 1 {
		t.Fatalf("lost unmodelled fields: %+v", card)
	}
	if card.Org.Name != "Karaboudjan" || len(card.Org.Units) != 1 {
		t.Fatalf("org units dropped while the org stayed: %+v", card.Org)
	}
	wantEmails := []vcard.Email{{UserID: "new@example.org", Flags: vcard.Internet}, {UserID: "haddock@example.org", Flags: vcard.Home | vcard.Pref}}
	if !reflect.DeepEqual(card.Emails, wantEmails) {
		t.Fatalf("emails %+v", card.Emails)
	}
	if len(card.Tels) != 2 || card.Tels[0].Flags != vcard.Cell || card.Tels[1].Number != "+32 2" {
		t.Fatalf("phones %+v", card.Tels)
	}
	if len(card.Addresses) != 1 || card.Addresses[0].Locality != "Moulinsart" {
		t.Fatalf("address %+v", card.Addresses)
	}
	v.Org = "Aurore"
	mergeVCard(card, v)
	if card.Org.Name != "Aurore" || card.Org.Units != nil {
		t.Fatalf("new org %+v", card.Org)
	}
}

// TestVCardAndAvatars: A publishes a card with a photo; B reads it, gets
// the photo as A's avatar (XEP-0153), keeps it across a restart, and
// loses it when A removes it.
func TestVCardAndAvatars(t *testing.T) { bothServers(t, testVCardAndAvatars) }

func testVCardAndAvatars(t *testing.T, srv *testserver.Server) {
	ctx := context.Background()
	a, b := newUser(t, srv), newUser(t, srv)
	a.connect()
	b.connect()
	mutual(t, a, b)
	b.rec.Wait(t, "b sees a online", contactIs(b, a.jid, Contact.Online))

	// Fields the VCard type does not model, set by another client.
	raw := &vcard.VCard{N: vcard.Name{Family: "Reporter", Given: "Tintin"}, Role: "Grand reporter"}
	if err := vcard.Set(ctx, connOf(a), raw); err != nil {
		t.Fatal(err)
	}
	want := VCard{
		FullName: "Tintin", Nickname: "tintin", Birthday: "1929-01-10", URL: "https://example.org/tintin",
		Note: "Reporter au Petit Vingtième", Org: "Le Petit Vingtième", Title: "Reporter", JabberID: a.jid,
		Emails:    []string{"tintin@example.org", "reporter@example.org"},
		Phones:    []string{"+32 2 555 01 02"},
		Addresses: []string{"26 rue du Labrador, 1000 Bruxelles, Belgique"},
		Photo:     encodePNG(t, gradient(600, 400)), PhotoType: "image/png",
	}
	mark := b.rec.Mark()
	if err := a.s.SetVCard(ctx, want); err != nil {
		t.Fatal(err)
	}
	got, err := b.s.VCard(ctx, a.jid)
	if err != nil {
		t.Fatal(err)
	}
	if w, h := pngSize(t, got.Photo); w != 192 || h != 128 || got.PhotoType != "image/png" {
		t.Fatalf("photo %d×%d %s", w, h, got.PhotoType)
	}
	if w, h := pngSize(t, got.Preview); w != 192 || h != 128 {
		t.Fatalf("preview %d×%d", w, h)
	}
	fields := func(v VCard) VCard { v.Photo, v.PhotoType, v.Preview = nil, "", nil; return v }
	if !reflect.DeepEqual(fields(got), fields(want)) {
		t.Fatalf("B reads\n%+v\nA set\n%+v", fields(got), fields(want))
	}
	own, err := a.s.VCard(ctx, "")
	if err != nil || !bytes.Equal(own.Photo, got.Photo) {
		t.Fatalf("own card: %v", err)
	}
	stored, err := vcard.Get(ctx, connOf(a), "")
	if err != nil || stored.Role != "Grand reporter" || stored.N.Family != "Reporter" {
		t.Fatalf("unmodelled fields lost: %+v %v", stored, err)
	}

	// B learns the avatar from A's presence.
	b.rec.WaitFrom(t, mark, "b: a's avatar changed", func(e Event) bool {
		ac, ok := e.(AvatarChanged)
		return ok && ac.JID == a.jid
	})
	if img, ok := b.s.Avatar(a.jid); !ok || !bytes.Equal(img, own.Photo) {
		t.Fatalf("b's copy of a's avatar: %v", ok)
	}
	if img, ok := a.s.Avatar(a.jid); !ok || !bytes.Equal(img, own.Photo) {
		t.Fatalf("a's own avatar: %v", ok)
	}
	// Saving again with the same photo changes nothing.
	want.Photo, want.Note = own.Photo, "Toujours reporter"
	if err := a.s.SetVCard(ctx, want); err != nil {
		t.Fatal(err)
	}
	if again, _ := a.s.VCard(ctx, ""); !bytes.Equal(again.Photo, own.Photo) || again.Note != want.Note {
		t.Fatalf("second save: %+v", fields(again))
	}

	// A restart: the avatar comes from the history database, offline.
	b.client.Close()
	b.client.Store().Close()
	b2 := newEnv(t, srv, b.jid, b.pass, b.dir)
	if img, ok := b2.s.Avatar(a.jid); !ok || !bytes.Equal(img, own.Photo) {
		t.Fatalf("after restart: %v", ok)
	}
	b2.connect()
	b2.rec.Wait(t, "b2 sees a online", contactIs(b2, a.jid, Contact.Online))

	// Removing the photo removes the avatar.
	mark = b2.rec.Mark()
	want.Photo = nil
	if err := a.s.SetVCard(ctx, want); err != nil {
		t.Fatal(err)
	}
	b2.rec.WaitFrom(t, mark, "b2: a's avatar removed", func(e Event) bool {
		ac, ok := e.(AvatarChanged)
		return ok && ac.JID == a.jid
	})
	if _, ok := b2.s.Avatar(a.jid); ok {
		t.Fatal("avatar still there after removal")
	}
	if _, ok := a.s.Avatar(a.jid); ok {
		t.Fatal("own avatar still there after removal")
	}
	if got, _ := b2.s.VCard(ctx, a.jid); got.Photo != nil || got.FullName != "Tintin" {
		t.Fatalf("card without photo: %+v", fields(got))
	}
}

func connOf(e *env) *xmpp.Conn {
	e.s.mu.Lock()
	defer e.s.mu.Unlock()
	if e.s.conn == nil {
		e.t.Fatalf("%s is not connected", e.jid)
	}
	return e.s.conn
}
