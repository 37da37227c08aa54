package omemo

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/causerie/causerie/core/xmpp/pubsub"
	"github.com/causerie/causerie/internal/xmpptest"
	"gosrc.io/xmpp/stanza"
)

const examples = "testdata/xep-0384-0.3.xml"

// itemPayload is the payload of the first <item/> in s, decoded into v.
func itemPayload(t *testing.T, s string, v any) {
	t.Helper()
	i := strings.Index(s, "<item id=")
	j := strings.Index(s, "</item>")
	if i < 0 || j < 0 {
		t.Fatalf("no item in %.80q", s)
	}
	body := s[strings.Index(s[i:], ">")+i+1 : j]
	if err := xml.Unmarshal([]byte(body), v); err != nil {
		t.Fatal(err)
	}
}

// XEP-0384 Examples 1 and 2: a device list, received and published.
func TestGoldenDeviceList(t *testing.T) {
	var l DeviceList
	itemPayload(t, xmpptest.Example(t, examples, "1"), &l)
	if got := fmt.Sprint(l.IDs()); got != "[12345 4223]" {
		t.Fatalf("example 1: %s", got)
	}
	m := xmpptest.Message(t, xmpptest.Example(t, examples, "1"))
	items := pubsub.EventItems(m, NodeDevices)
	if len(items) != 1 || items[0].ID != "current" {
		t.Fatalf("example 1's event: %+v", items)
	}
	var fromEvent DeviceList
	if err := items[0].Into(&fromEvent); err != nil || fmt.Sprint(fromEvent.IDs()) != "[12345 4223]" {
		t.Fatalf("example 1 through pubsub: %v %v", fromEvent.IDs(), err)
	}
	itemPayload(t, xmpptest.Example(t, examples, "2"), &l)
	want := NewDeviceList([]uint32{12345, 4223, 31415})
	if fmt.Sprint(l.IDs()) != fmt.Sprint(want.IDs()) {
		t.Fatalf("example 2: %v", l.IDs())
	}
	out, err := xml.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	if got, exp := xmpptest.Canon(string(out)), xmpptest.Canon(`<list xmlns='eu.siacs.conversations.axolotl'><device id='12345'/><device id='4223'/><device id='31415'/></list>`); got != exp {
		t.Fatalf("our list:\n%s\nwant\n%s", got, exp)
	}
}

// XEP-0384 Example 3: a bundle's shape (its keys are placeholders), and
// Example 4's node name.
func TestGoldenBundle(t *testing.T) {
	var b Bundle
	itemPayload(t, xmpptest.Example(t, examples, "3"), &b)
	if b.SignedPreKey.ID != "1" || len(b.PreKeys) != 3 || b.PreKeys[2].ID != "3" ||
		!strings.Contains(b.IdentityKey, "BASE64ENCODED") || !strings.Contains(b.Signature, "BASE64ENCODED") {
		t.Fatalf("example 3: %+v", b)
	}
	if _, err := b.Keys(); err == nil {
		t.Fatal("placeholder keys decoded")
	}
	if !strings.Contains(xmpptest.Example(t, examples, "3"), "node='"+BundleNode(31415)+"'") ||
		!strings.Contains(xmpptest.Example(t, examples, "4"), "node='"+BundleNode(31415)+"'") {
		t.Fatalf("BundleNode(31415) = %s", BundleNode(31415))
	}
}

// XEP-0384 Examples 5 and 6: a message and a key transport element, as
// the stream decodes them.
func TestGoldenEncrypted(t *testing.T) {
	m := xmpptest.Message(t, xmpptest.Example(t, examples, "5"))
	var enc *Encrypted
	for _, e := range m.Extensions {
		if v, ok := e.(*Encrypted); ok {
			enc = v
		}
	}
	if enc == nil {
		t.Fatalf("example 5: no <encrypted/> among %T", m.Extensions)
	}
	h := enc.Header
	if h.SID != "27183" || len(h.Keys) != 2 || h.Keys[0].RID != "31415" || h.Keys[0].PreKey != "" ||
		h.Keys[1].RID != "12321" || h.Keys[1].PreKey != "true" || enc.Payload == nil {
		t.Fatalf("example 5: %+v", enc)
	}
	if _, ok, err := Of(*m); !ok || err == nil {
		t.Fatalf("example 5's placeholders: ok %v, err %v", ok, err)
	}
	var key Encrypted
	if err := xml.Unmarshal([]byte(xmpptest.Example(t, examples, "6")), &key); err != nil {
		t.Fatal(err)
	}
	if key.Payload != nil || len(key.Header.Keys) != 2 {
		t.Fatalf("example 6 (no payload): %+v", key)
	}
}

// vectors is testdata/vectors.json, written by vectors.py with
// Syndace's python-oldmemo.
type vectors struct {
	Bundle       string   `json:"bundle"`
	IdentityKey  string   `json:"identity_key_curve25519"`
	SignedPreKey uint32   `json:"signed_pre_key_id"`
	PreKeyIDs    []uint32 `json:"pre_key_ids"`
	Payload      struct {
		KeyAndTag string `json:"key_and_tag"`
		IV        string `json:"iv"`
		Payload   string `json:"payload"`
		Plaintext string `json:"plaintext"`
	} `json:"payload"`
}

func readVectors(t *testing.T) vectors {
	t.Helper()
	b, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v vectors
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func b64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// What python-oldmemo publishes and encrypts, read here.
func TestOldmemoVectors(t *testing.T) {
	v := readVectors(t)
	var b Bundle
	if err := xml.Unmarshal([]byte(v.Bundle), &b); err != nil {
		t.Fatal(err)
	}
	k, err := b.Keys()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(k.IdentityKey, b64(t, v.IdentityKey)) || k.SignedPreKeyID != v.SignedPreKey ||
		len(k.SignedPreKey) != PublicKeySize || len(k.Signature) != SignatureSize {
		t.Fatalf("bundle: %+v", k)
	}
	var ids []uint32
	for _, p := range k.PreKeys {
		ids = append(ids, p.ID)
	}
	slices.Sort(ids) // oldmemo writes them in a set's order
	if fmt.Sprint(ids) != fmt.Sprint(v.PreKeyIDs) {
		t.Fatalf("prekeys %v, want %v", ids, v.PreKeyIDs)
	}
	// Ours, written again, reads the same.
	out, err := xml.Marshal(NewBundle(k))
	if err != nil {
		t.Fatal(err)
	}
	var again Bundle
	if err := xml.Unmarshal(out, &again); err != nil {
		t.Fatal(err)
	}
	if k2, err := again.Keys(); err != nil || fmt.Sprint(k2) != fmt.Sprint(k) {
		t.Fatalf("our bundle read back: %+v, %v", k2, err)
	}

	p := v.Payload
	plain, err := Open(b64(t, p.KeyAndTag), b64(t, p.IV), b64(t, p.Payload))
	if err != nil || string(plain) != p.Plaintext {
		t.Fatalf("oldmemo's payload: %q, %v", plain, err)
	}
	altered := b64(t, p.Payload)
	altered[0] ^= 1
	if _, err := Open(b64(t, p.KeyAndTag), b64(t, p.IV), altered); err != ErrPayload {
		t.Fatalf("an altered payload: %v", err)
	}
}

func TestSealOpen(t *testing.T) {
	for _, text := range []string{"", "x", strings.Repeat("é", 5000)} {
		kt, iv, payload, err := Seal([]byte(text))
		if err != nil {
			t.Fatal(err)
		}
		if len(kt) != KeySize+TagSize || len(iv) != 12 || len(payload) != len(text) {
			t.Fatalf("sizes: key and tag %d, IV %d, payload %d for %d", len(kt), len(iv), len(payload), len(text))
		}
		plain, err := Open(kt, iv, payload)
		if err != nil || string(plain) != text {
			t.Fatalf("%q, %v", plain, err)
		}
		kt[KeySize] ^= 1 // the tag
		if _, err := Open(kt, iv, payload); err != ErrPayload {
			t.Fatalf("wrong tag: %v", err)
		}
	}
	for _, c := range []struct{ kt, iv int }{{16, 12}, {31, 12}, {64, 12}, {32, 0}, {32, 8}} {
		if _, err := Open(make([]byte, c.kt), make([]byte, c.iv), nil); err != ErrPayload {
			t.Errorf("key and tag %d, IV %d: %v", c.kt, c.iv, err)
		}
	}
}

// A message we write is read back the same through the stream's decoder.
func TestEncryptedRoundTrip(t *testing.T) {
	in := Message{SID: 27183, IV: bytes.Repeat([]byte{7}, 12), Payload: []byte("ciphertext"), Keys: []RecipientKey{
		{RID: 31415, Data: []byte("signal message")},
		{RID: 12321, PreKey: true, Data: []byte("prekey signal message")},
	}}
	m := stanza.NewMessage(stanza.Attrs{To: "juliet@capulet.lit", Type: stanza.MessageTypeChat})
	m.Extensions = append(m.Extensions, NewEncrypted(in))
	out, err := xml.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	got, ok, err := Of(*xmpptest.Message(t, string(out)))
	if !ok || err != nil || fmt.Sprint(got) != fmt.Sprint(in) {
		t.Fatalf("read back %+v (%v, %v) from %s", got, ok, err, out)
	}
	if k, ok := got.For(12321); !ok || !k.PreKey {
		t.Fatalf("For(12321): %+v %v", k, ok)
	}
	if _, ok := got.For(1); ok {
		t.Fatal("For(1) found a key")
	}
	// A key transport element has no payload.
	in.Payload = nil
	m.Extensions = []stanza.MsgExtension{NewEncrypted(in)}
	out, _ = xml.Marshal(m)
	if got, _, _ := Of(*xmpptest.Message(t, string(out))); got.Payload != nil {
		t.Fatalf("key transport read with a payload: %+v", got)
	}
}

// What a stranger can send is read within bounds.
func TestHostile(t *testing.T) {
	var b strings.Builder
	b.WriteString("<list xmlns='eu.siacs.conversations.axolotl'>")
	for i := range 10000 {
		fmt.Fprintf(&b, "<device id='%d'/><device id='%d'/>", i+1, i+1)
	}
	b.WriteString("<device id='0'/><device id='-1'/><device id='4294967295'/><device id='2147483648'/><device id='x'/></list>")
	var l DeviceList
	if err := xml.Unmarshal([]byte(b.String()), &l); err != nil {
		t.Fatal(err)
	}
	if ids := l.IDs(); len(ids) != MaxDevices || ids[0] != 1 || ids[1] != 2 {
		t.Fatalf("%d ids: %v…", len(ids), ids[:3])
	}
	var bad DeviceList
	xml.Unmarshal([]byte("<list xmlns='eu.siacs.conversations.axolotl'><device id='0'/><device id='2147483648'/><device id=' 5 '/></list>"), &bad)
	if fmt.Sprint(bad.IDs()) != "[5]" {
		t.Fatalf("out of range ids kept: %v", bad.IDs())
	}

	key := base64.StdEncoding.EncodeToString(append([]byte{5}, make([]byte, 32)...))
	long := strings.Repeat("A", 8000)
	e := Encrypted{Header: Header{SID: "1", IV: base64.StdEncoding.EncodeToString(make([]byte, 12))}}
	for i := range 3000 {
		e.Header.Keys = append(e.Header.Keys, KeyElt{RID: fmt.Sprint(i + 1), Data: key})
	}
	e.Header.Keys[0].Data = long // too long: left out
	e.Header.Keys[1].RID = "0"   // not an id: left out
	m, err := e.Decode()
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Keys) != MaxKeys-2 || m.Keys[0].RID != 3 {
		t.Fatalf("%d keys, first for %d", len(m.Keys), m.Keys[0].RID)
	}
	for _, iv := range []string{"", "AAAA", long, "!!!"} {
		e.Header.IV = iv
		if _, err := e.Decode(); err == nil {
			t.Errorf("IV %.10q accepted", iv)
		}
	}
	bundle := Bundle{IdentityKey: key, Signature: base64.StdEncoding.EncodeToString(make([]byte, 64)),
		SignedPreKey: signedKey{ID: "1", Key: key}}
	for i := range 1000 {
		bundle.PreKeys = append(bundle.PreKeys, publicKey{ID: fmt.Sprint(i%300 + 1), Key: key})
	}
	k, err := bundle.Keys()
	if err != nil || len(k.PreKeys) != MaxPreKeys {
		t.Fatalf("%d prekeys, %v", len(k.PreKeys), err)
	}
	// 32 bytes without the type byte are taken; other lengths are not.
	bundle.IdentityKey = base64.StdEncoding.EncodeToString(make([]byte, 32))
	if k, err := bundle.Keys(); err != nil || k.IdentityKey[0] != 5 || len(k.IdentityKey) != 33 {
		t.Fatalf("32-byte identity key: %v %v", k.IdentityKey, err)
	}
	for _, ik := range []string{"", base64.StdEncoding.EncodeToString(make([]byte, 33)), long} {
		bundle.IdentityKey = ik
		if _, err := bundle.Keys(); err == nil {
			t.Errorf("identity key %.10q accepted", ik)
		}
	}
}

func FuzzOf(f *testing.F) {
	f.Add(`<message><encrypted xmlns='eu.siacs.conversations.axolotl'><header sid='1'><key rid='2' prekey='true'>AAAA</key><iv>AAAAAAAAAAAAAAAA</iv></header><payload>AAAA</payload></encrypted></message>`)
	f.Fuzz(func(t *testing.T, s string) {
		var m stanza.Message
		if xml.Unmarshal([]byte(s), &m) != nil {
			return
		}
		msg, ok, err := Of(m)
		if !ok || err != nil {
			return
		}
		if len(msg.Keys) > MaxKeys || (len(msg.IV) != 12 && len(msg.IV) != 16) || !ValidID(msg.SID) {
			t.Fatalf("%+v", msg)
		}
		for _, k := range msg.Keys {
			if !ValidID(k.RID) || len(k.Data) == 0 || len(k.Data) > maxKeyData {
				t.Fatalf("key %+v", k)
			}
		}
	})
}

func FuzzBundle(f *testing.F) {
	f.Add(`<bundle xmlns='eu.siacs.conversations.axolotl'><signedPreKeyPublic signedPreKeyId='1'>BQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA</signedPreKeyPublic><signedPreKeySignature>AAAA</signedPreKeySignature><identityKey>BQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA</identityKey><prekeys><preKeyPublic preKeyId='1'>BQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA</preKeyPublic></prekeys></bundle>`)
	f.Fuzz(func(t *testing.T, s string) {
		var b Bundle
		if xml.Unmarshal([]byte(s), &b) != nil {
			return
		}
		k, err := b.Keys()
		if err != nil {
			return
		}
		if len(k.IdentityKey) != PublicKeySize || len(k.SignedPreKey) != PublicKeySize || len(k.Signature) != SignatureSize ||
			len(k.PreKeys) == 0 || len(k.PreKeys) > MaxPreKeys {
			t.Fatalf("%+v", k)
		}
	})
}

func FuzzOpen(f *testing.F) {
	f.Add(make([]byte, 32), make([]byte, 12), []byte("x"))
	f.Fuzz(func(t *testing.T, kt, iv, payload []byte) {
		Open(kt, iv, payload)
	})
}
