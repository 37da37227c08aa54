package vcard

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"reflect"
	"strings"
	"testing"

	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/internal/testserver"
	"gosrc.io/xmpp/stanza"
)

func TestMain(m *testing.M) { testserver.Main(m) }

// XEP-0054 Example 2: the server returns a vCard.
const ex54Result = `<iq id='v1'
    to='stpeter@jabber.org/roundabout'
    type='result'>
  <vCard xmlns='vcard-temp'>
    <FN>Peter Saint-Andre</FN>
    <N>
      <FAMILY>Saint-Andre</FAMILY>
      <GIVEN>Peter</GIVEN>
      <MIDDLE/>
    </N>
    <NICKNAME>stpeter</NICKNAME>
    <URL>http://www.xmpp.org/xsf/people/stpeter.shtml</URL>
    <BDAY>1966-08-06</BDAY>
    <ORG>
      <ORGNAME>XMPP Standards Foundation</ORGNAME>
      <ORGUNIT/>
    </ORG>
    <TITLE>Executive Director</TITLE>
    <ROLE>Patron Saint</ROLE>
    <TEL><WORK/><VOICE/><NUMBER>303-308-3282</NUMBER></TEL>
    <TEL><WORK/><FAX/><NUMBER/></TEL>
    <TEL><WORK/><MSG/><NUMBER/></TEL>
    <ADR>
      <WORK/>
      <EXTADD>Suite 600</EXTADD>
      <STREET>1899 Wynkoop Street</STREET>
      <LOCALITY>Denver</LOCALITY>
      <REGION>CO</REGION>
      <PCODE>80202</PCODE>
      <CTRY>USA</CTRY>
    </ADR>
    <TEL><HOME/><VOICE/><NUMBER>303-555-1212</NUMBER></TEL>
    <TEL><HOME/><FAX/><NUMBER/></TEL>
    <TEL><HOME/><MSG/><NUMBER/></TEL>
    <ADR>
      <HOME/>
      <EXTADD/>
      <STREET/>
      <LOCALITY>Denver</LOCALITY>
      <REGION>CO</REGION>
      <PCODE>80209</PCODE>
      <CTRY>USA</CTRY>
    </ADR>
    <EMAIL><INTERNET/><PREF/><USERID>stpeter@jabber.org</USERID></EMAIL>
    <JABBERID>stpeter@jabber.org</JABBERID>
    <DESC>
      More information about me is located on my 
      personal website: http://www.saint-andre.com/
    </DESC>
  </vCard>
</iq>`

// XEP-0054 Examples 3 and 4: no vCard.
const (
	ex54NotFound = `<iq id='v1'
    to='stpeter@jabber.org/roundabout'
    type='error'>
  <vCard xmlns='vcard-temp'/>
  <error type='cancel'>
    <item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>
  </error>
</iq>`
	ex54Empty = `<iq id='v1'
    to='stpeter@jabber.org/roundabout'
    type='result'>
  <vCard xmlns='vcard-temp'/>
</iq>`
)

// XEP-0054 Example 9: another user's vCard (N children in another order).
const ex54Other = `<iq from='jer@jabber.org' 
    to='stpeter@jabber.org/roundabout' 
    type='result'
    id='v3'>
  <vCard xmlns='vcard-temp'>
    <FN>JeremieMiller</FN>
    <N>
      <GIVEN>Jeremie</GIVEN>
      <FAMILY>Miller</FAMILY>
      <MIDDLE/>
    </N>
    <NICKNAME>jer</NICKNAME>
    <EMAIL><INTERNET/><PREF/><USERID>jeremie@jabber.org</USERID></EMAIL>
    <JABBERID>jer@jabber.org</JABBERID>
  </vCard>
</iq>`

// XEP-0153 Example 1: a vCard with an e-mail address as plain text and a
// placeholder (invalid) BINVAL.
const ex153Publish = `<iq from='juliet@capulet.com' 
    type='set'
    id='vc1'>
  <vCard xmlns='vcard-temp'>
    <BDAY>1476-06-09</BDAY>
    <ADR>
      <CTRY>Italy</CTRY>
      <LOCALITY>Verona</LOCALITY>
      <HOME/>
    </ADR>
    <NICKNAME/>
    <N><GIVEN>Juliet</GIVEN><FAMILY>Capulet</FAMILY></N>
    <EMAIL>jcapulet@shakespeare.lit</EMAIL>
    <PHOTO>
      <TYPE>image/jpeg</TYPE>
      <BINVAL>
        Base64-encoded-avatar-file-here!
      </BINVAL>
    </PHOTO>
  </vCard>
</iq>`

// XEP-0153 Examples 3, 6 and 7: the presence extension's three states.
const (
	ex153Hash = `<presence from='juliet@capulet.com/balcony'>
  <x xmlns='vcard-temp:x:update'>
    <photo>sha1-hash-of-image</photo>
  </x>
</presence>`
	ex153NotReady = `<presence>
  <x xmlns='vcard-temp:x:update'/>
</presence>`
	ex153NoImage = `<presence>
  <x xmlns='vcard-temp:x:update'>
    <photo/>
  </x>
</presence>`
)

// A real-world-style card: two PHOTOs (the first broken), base64 wrapped
// at 76 columns with CRLF and indentation, an EXTVAL photo, unknown
// elements in and out of vcard-temp, TEL and EMAIL values as text.
func realWorld() string {
	png := tinyPNG()
	b64 := base64.StdEncoding.EncodeToString(png)
	var wrapped strings.Builder
	for i := 0; i < len(b64); i += 76 {
		wrapped.WriteString("\r\n        ")
		wrapped.WriteString(b64[i:min(i+76, len(b64))])
	}
	return `<iq type='result' id='r1'><vCard xmlns='vcard-temp' version='3.0'>
  <VERSION>3.0</VERSION>
  <FN>  Juliet  </FN>
  <PHOTO><TYPE>image/png</TYPE><BINVAL>!!!not base64!!!</BINVAL></PHOTO>
  <PHOTO><TYPE>image/png</TYPE><BINVAL>` + wrapped.String() + `
  </BINVAL></PHOTO>
  <PHOTO><EXTVAL>https://example.org/juliet.png</EXTVAL></PHOTO>
  <PHOTO/>
  <TEL>+39 045 000</TEL>
  <EMAIL><WORK/>jc@work.example</EMAIL>
  <NOTE>Balcony person</NOTE>
  <GEO><LAT>45.44</LAT><LON>10.99</LON></GEO>
  <X-CUSTOM xmlns='urn:example:custom' a='1'><v>x</v></X-CUSTOM>
  <ORG><ORGNAME>Capulet</ORGNAME><ORGUNIT>House</ORGUNIT><ORGUNIT>Garden</ORGUNIT></ORG>
</vCard></iq>`
}

func decode(t testing.TB, s string) *stanza.IQ {
	t.Helper()
	var iq stanza.IQ
	if err := xml.Unmarshal([]byte(s), &iq); err != nil {
		t.Fatal(err)
	}
	return &iq
}

func card(t testing.TB, s string) *VCard {
	t.Helper()
	iq := decode(t, s)
	v, ok := iq.Payload.(*VCard)
	if !ok {
		t.Fatalf("payload %T", iq.Payload)
	}
	return v
}

func presence(t testing.TB, s string) *stanza.Presence {
	t.Helper()
	var p stanza.Presence
	if err := xml.Unmarshal([]byte(s), &p); err != nil {
		t.Fatal(err)
	}
	return &p
}

func TestGolden54(t *testing.T) {
	v := card(t, ex54Result)
	if n := xmpp.PayloadName(decode(t, ex54Result)); n != (xml.Name{Space: NS, Local: "vCard"}) {
		t.Fatalf("PayloadName %v", n)
	}
	if v.FN != "Peter Saint-Andre" || v.N != (Name{Family: "Saint-Andre", Given: "Peter"}) || v.Nickname != "stpeter" ||
		v.URL != "http://www.xmpp.org/xsf/people/stpeter.shtml" || v.Birthday != "1966-08-06" ||
		v.Title != "Executive Director" || v.Role != "Patron Saint" || v.JabberID != "stpeter@jabber.org" {
		t.Fatalf("fields %+v", v)
	}
	if v.Org.Name != "XMPP Standards Foundation" || len(v.Org.Units) != 0 {
		t.Errorf("org %+v", v.Org)
	}
	// TELs without a number carry nothing and are dropped.
	if want := []Tel{{"303-308-3282", Work | Voice}, {"303-555-1212", Home | Voice}}; !reflect.DeepEqual(v.Tels, want) {
		t.Errorf("tels %+v", v.Tels)
	}
	want := []Address{
		{Flags: Work, ExtAdd: "Suite 600", Street: "1899 Wynkoop Street", Locality: "Denver", Region: "CO", PCode: "80202", Country: "USA"},
		{Flags: Home, Locality: "Denver", Region: "CO", PCode: "80209", Country: "USA"},
	}
	if !reflect.DeepEqual(v.Addresses, want) {
		t.Errorf("addresses %+v", v.Addresses)
	}
	if len(v.Emails) != 1 || v.Emails[0].UserID != "stpeter@jabber.org" || !v.Emails[0].Flags.Has(Internet|Pref) ||
		v.Emails[0].Flags.Has(Home) || v.Emails[0].Flags.String() != "INTERNET|PREF" {
		t.Errorf("emails %+v", v.Emails)
	}
	if !strings.HasPrefix(v.Desc, "More information") || !strings.HasSuffix(v.Desc, "www.saint-andre.com/") {
		t.Errorf("desc %q", v.Desc)
	}
	if len(v.Photos) != 0 || v.Photo() != nil || len(v.Extra) != 0 || v.Empty() {
		t.Errorf("photos %v extra %v", v.Photos, v.Extra)
	}

	if e := card(t, ex54Empty); !e.Empty() {
		t.Errorf("empty %+v", e)
	}
	nf := decode(t, ex54NotFound)
	if nf.Error == nil || nf.Error.Reason != "item-not-found" {
		t.Errorf("not found %+v", nf)
	}
	o := card(t, ex54Other)
	if o.N != (Name{Family: "Miller", Given: "Jeremie"}) || o.Emails[0].UserID != "jeremie@jabber.org" {
		t.Errorf("other %+v", o)
	}
}

func TestGolden153(t *testing.T) {
	v := card(t, ex153Publish)
	if v.Birthday != "1476-06-09" || v.N != (Name{Given: "Juliet", Family: "Capulet"}) || v.Nickname != "" {
		t.Errorf("fields %+v", v)
	}
	if len(v.Addresses) != 1 || v.Addresses[0] != (Address{Flags: Home, Locality: "Verona", Country: "Italy"}) {
		t.Errorf("addresses %+v", v.Addresses)
	}
	if len(v.Emails) != 1 || v.Emails[0] != (Email{UserID: "jcapulet@shakespeare.lit"}) {
		t.Errorf("emails %+v", v.Emails)
	}
	if len(v.Photos) != 0 {
		t.Errorf("an invalid BINVAL gave a photo: %+v", v.Photos)
	}
	if u := UpdateFor(v); !u.HasPhoto || u.Hash != "" {
		t.Errorf("UpdateFor without photo %+v", u)
	}

	u := UpdateFromPresence(presence(t, ex153Hash))
	if u == nil || !u.HasPhoto || u.Hash != "sha1-hash-of-image" {
		t.Errorf("hash %+v", u)
	}
	if u := UpdateFromPresence(presence(t, ex153NotReady)); u == nil || u.HasPhoto {
		t.Errorf("not ready %+v", u)
	}
	if u := UpdateFromPresence(presence(t, ex153NoImage)); u == nil || !u.HasPhoto || u.Hash != "" {
		t.Errorf("no image %+v", u)
	}
	if UpdateFromPresence(presence(t, `<presence/>`)) != nil || UpdateFromPresence(nil) != nil {
		t.Error("update from nothing")
	}
	// Written back as in the examples.
	for _, c := range []struct {
		u    Update
		want string
	}{
		{Update{}, `<x xmlns="vcard-temp:x:update"></x>`},
		{Update{HasPhoto: true}, `<x xmlns="vcard-temp:x:update"><photo></photo></x>`},
		{Update{HasPhoto: true, Hash: "abc"}, `<x xmlns="vcard-temp:x:update"><photo>abc</photo></x>`},
	} {
		b, _ := xml.Marshal(&c.u)
		if string(b) != c.want {
			t.Errorf("%+v: %s", c.u, b)
		}
	}
	p := stanza.Presence{XMLName: xml.Name{Local: "presence"}, Extensions: []stanza.PresExtension{UpdateFor(nil)}}
	b, _ := xml.Marshal(p)
	if u := UpdateFromPresence(presence(t, string(b))); u == nil || u.HasPhoto {
		t.Errorf("presence round trip %s", b)
	}
}

func TestPhotoHash(t *testing.T) {
	// SHA-1 test vector (RFC 3174).
	if h := PhotoHash([]byte("abc")); h != "a9993e364706816aba3e25717850c26c9cd0d89d" {
		t.Fatal(h)
	}
	v := &VCard{}
	v.SetPhoto("image/png", tinyPNG())
	if u := UpdateFor(v); !u.HasPhoto || u.Hash != PhotoHash(tinyPNG()) {
		t.Fatalf("%+v", u)
	}
	v.SetPhoto("", nil)
	if len(v.Photos) != 0 {
		t.Fatal("SetPhoto(nil)")
	}
}

func TestRealWorld(t *testing.T) {
	v := card(t, realWorld())
	if v.FN != "Juliet" {
		t.Errorf("FN %q", v.FN)
	}
	if len(v.Photos) != 2 {
		t.Fatalf("photos %+v", v.Photos)
	}
	if p := v.Photo(); p == nil || p.Type != "image/png" || !bytes.Equal(p.Data, tinyPNG()) {
		t.Fatalf("photo %+v", p)
	}
	if !reflect.DeepEqual(v.Photos[1], Photo{URL: "https://example.org/juliet.png"}) {
		t.Errorf("extval %+v", v.Photos[1])
	}
	if len(v.Tels) != 1 || v.Tels[0].Number != "+39 045 000" {
		t.Errorf("tel %+v", v.Tels)
	}
	if len(v.Emails) != 1 || v.Emails[0] != (Email{UserID: "jc@work.example", Flags: Work}) {
		t.Errorf("email %+v", v.Emails)
	}
	if !reflect.DeepEqual(v.Org, Org{Name: "Capulet", Units: []string{"House", "Garden"}}) {
		t.Errorf("org %+v", v.Org)
	}
	var names []string
	for _, e := range v.Extra {
		names = append(names, e.XMLName.Local)
	}
	if strings.Join(names, " ") != "VERSION GEO X-CUSTOM" {
		t.Fatalf("extra %v", names)
	}
	// Without DESC, the NOTE is the description.
	if v.Desc != "Balcony person" {
		t.Errorf("desc %q", v.Desc)
	}
	if g := v.Extra[1]; len(g.Children) != 2 || g.Children[0].XMLName != (xml.Name{Space: NS, Local: "LAT"}) || g.Children[1].Text != "10.99" {
		t.Errorf("GEO %+v", g)
	}

	// Round trip: what Set would send reads back the same, unknown
	// elements included, in their namespaces.
	b, err := xml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`<DESC>Balcony person</DESC>`, `<GEO><LAT>45.44</LAT><LON>10.99</LON></GEO>`,
		`<X-CUSTOM xmlns="urn:example:custom" a="1"><v>x</v></X-CUSTOM>`, `<TEL><NUMBER>+39 045 000</NUMBER></TEL>`,
		`<EMAIL><WORK></WORK><USERID>jc@work.example</USERID></EMAIL>`, `<PHOTO><EXTVAL>https://example.org/juliet.png</EXTVAL></PHOTO>`} {
		if !strings.Contains(string(b), s) {
			t.Errorf("marshalled card lacks %s:\n%s", s, b)
		}
	}
	var back VCard
	if err := xml.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	back.XMLName = v.XMLName
	if !reflect.DeepEqual(&back, v) {
		t.Fatalf("round trip differs:\n%+v\n%+v", back, *v)
	}
}

func TestNoteAndDesc(t *testing.T) {
	v := card(t, `<iq type='result'><vCard xmlns='vcard-temp'><NOTE>n</NOTE><DESC> d </DESC><NOTE>m</NOTE></vCard></iq>`)
	if v.Desc != "d" || len(v.Extra) != 2 || v.Extra[0].Text != "n" {
		t.Fatalf("%+v", v)
	}
	v = card(t, `<iq type='result'><vCard xmlns='vcard-temp'><NOTE> </NOTE><NOTE>m</NOTE></vCard></iq>`)
	if v.Desc != "" || len(v.Extra) != 2 {
		t.Fatalf("%+v", v)
	}
}

func TestPhotoLimits(t *testing.T) {
	big := make([]byte, MaxPhotoSize+1)
	ok := make([]byte, MaxPhotoSize)
	for _, c := range []struct {
		name string
		bin  string
		want []byte
	}{
		{"too big", base64.StdEncoding.EncodeToString(big), nil},
		{"at the limit", base64.StdEncoding.EncodeToString(ok), ok},
		{"unpadded", base64.RawStdEncoding.EncodeToString([]byte("ab")), []byte("ab")},
		{"padded", "YWI=", []byte("ab")},
		{"spaces and tabs", " Y W\tI =\n", []byte("ab")},
		{"url alphabet", "-_-_", nil},
		{"empty", "", nil},
		{"only white space", " \n ", nil},
	} {
		v := card(t, `<iq type='result'><vCard xmlns='vcard-temp'><FN>x</FN><PHOTO><TYPE>image/png</TYPE><BINVAL>`+c.bin+`</BINVAL></PHOTO></vCard></iq>`)
		var got []byte
		if p := v.Photo(); p != nil {
			got = p.Data
		}
		if !bytes.Equal(got, c.want) || v.FN != "x" {
			t.Errorf("%s: got %d bytes, FN %q", c.name, len(got), v.FN)
		}
	}
}

func TestMarshal(t *testing.T) {
	b, _ := xml.Marshal(&VCard{})
	if string(b) != `<vCard xmlns="vcard-temp"></vCard>` {
		t.Fatalf("request: %s", b)
	}
	v := &VCard{
		FN:        "A & B",
		N:         Name{Given: "A"},
		Tels:      []Tel{{Number: "1", Flags: Pref | Home | Cell}},
		Emails:    []Email{{UserID: "a@b", Flags: X400 | Pref | Internet}},
		Addresses: []Address{{Flags: Pref | Dom | Work, Locality: "L"}},
		Org:       Org{Units: []string{"U"}},
	}
	v.SetPhoto("image/png", []byte{1, 2, 3})
	b, _ = xml.Marshal(v)
	want := `<vCard xmlns="vcard-temp"><FN>A &amp; B</FN><N><GIVEN>A</GIVEN></N>` +
		`<PHOTO><TYPE>image/png</TYPE><BINVAL>AQID</BINVAL></PHOTO>` +
		`<ADR><WORK></WORK><DOM></DOM><PREF></PREF><LOCALITY>L</LOCALITY></ADR>` +
		`<TEL><HOME></HOME><CELL></CELL><PREF></PREF><NUMBER>1</NUMBER></TEL>` +
		`<EMAIL><INTERNET></INTERNET><PREF></PREF><X400></X400><USERID>a@b</USERID></EMAIL>` +
		`<ORG><ORGNAME></ORGNAME><ORGUNIT>U</ORGUNIT></ORG></vCard>`
	if string(b) != want {
		t.Fatalf("\n got %s\nwant %s", b, want)
	}
	// A kept element without a namespace inside the vCard stays so.
	in := `<vCard xmlns='vcard-temp'><X xmlns=''><Y/></X></vCard>`
	var c VCard
	if err := xml.Unmarshal([]byte(in), &c); err != nil {
		t.Fatal(err)
	}
	b, _ = xml.Marshal(&c)
	var back VCard
	if err := xml.Unmarshal(b, &back); err != nil || len(back.Extra) != 1 || back.Extra[0].XMLName.Space != "" ||
		back.Extra[0].Children[0].XMLName.Space != "" {
		t.Fatalf("%s → %+v, %v", b, back.Extra, err)
	}
}

// FuzzParse feeds arbitrary IQs to the vCard parser: it must not fail on
// a well-formed card, and what it writes must read back the same.
func FuzzParse(f *testing.F) {
	for _, s := range []string{ex54Result, ex54Empty, ex54Other, ex153Publish, realWorld(),
		`<iq><vCard xmlns='vcard-temp'><X xmlns=''><Y/></X><PHOTO><BINVAL>YWI</BINVAL></PHOTO></vCard></iq>`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var iq stanza.IQ
		if xml.Unmarshal(data, &iq) != nil {
			return
		}
		v, ok := iq.Payload.(*VCard)
		if !ok {
			return
		}
		v.Photo()
		UpdateFor(v)
		b, err := xml.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var back VCard
		if err := xml.Unmarshal(b, &back); err != nil {
			t.Fatalf("re-reading %s: %v", b, err)
		}
		back.XMLName = v.XMLName
		if !reflect.DeepEqual(&back, v) {
			t.Fatalf("round trip differs:\n%s\n%#v\n%#v", b, back, *v)
		}
	})
}
