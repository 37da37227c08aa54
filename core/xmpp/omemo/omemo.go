// Package omemo implements the wire format of XEP-0384: OMEMO Encryption,
// version 0.3, in the namespace eu.siacs.conversations.axolotl that
// Gajim, Dino, Conversations, Monal and Profanity speak: a device list
// and per-device bundles published in PEP, and the <encrypted/> element
// of a message, whose payload is AES-128-GCM encrypted with a fresh key
// that each recipient device receives encrypted by its Signal session
// (the key and the 16-byte tag, concatenated). The Signal protocol itself
// (sessions, keys) is go.mau.fi/libsignal's, used by core/omemo.
//
// Everything here comes from the network: decoding is bounded (ids,
// counts, lengths) and returns an error for what is malformed, never a
// panic.
//
// Importing this package registers [Encrypted]
// ({eu.siacs.conversations.axolotl}encrypted) as a message extension of
// the stanza package.
package omemo

import (
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"gosrc.io/xmpp/stanza"
)

// NS is the namespace of OMEMO 0.3 ("legacy OMEMO").
const NS = "eu.siacs.conversations.axolotl"

// PEP nodes: the account's device list (with "+notify", the disco
// feature that subscribes to contacts' lists), and each device's bundle.
const (
	NodeDevices = NS + ".devicelist"
	nodeBundles = NS + ".bundles:"
)

// BundleNode is the PEP node of device id's bundle.
func BundleNode(id uint32) string { return nodeBundles + strconv.FormatUint(uint64(id), 10) }

func init() {
	stanza.TypeRegistry.MapExtension(stanza.PKTMessage, xml.Name{Space: NS, Local: "encrypted"}, Encrypted{})
}

// Bounds on what a peer can make us decode.
const (
	// MaxDevices is the most device ids a list is read for: more are
	// ignored (a list is one account's devices).
	MaxDevices = 200
	// MaxPreKeys is the most one-time prekeys a bundle is read for (the
	// XEP asks for 100, at least 20).
	MaxPreKeys = 200
	// MaxKeys is the most recipient keys a message is read for.
	MaxKeys = 1000
	// maxKeyData bounds one recipient's encrypted key: a
	// PreKeySignalMessage carrying the key and tag is ~200 bytes.
	maxKeyData = 4096
	// maxLabel bounds a device's label.
	maxLabel = 128
)

// Key lengths: a Curve25519 public key as Signal serialises it (a 0x05
// type byte, then 32 bytes), an XEdDSA signature, the AES key and its GCM
// tag.
const (
	PublicKeySize = 33
	SignatureSize = 64
	KeySize       = 16
	TagSize       = 16
)

// ValidID reports whether id is a device id the XEP allows: 1..2^31-1.
func ValidID(id uint32) bool { return id >= 1 && id <= 1<<31-1 }

// parseID reads a device, prekey or signed prekey id attribute.
func parseID(s string) (uint32, error) {
	n, err := strconv.ParseUint(strings.TrimSpace(s), 10, 32)
	if err != nil || !ValidID(uint32(n)) {
		return 0, fmt.Errorf("omemo: bad id %.20q", s)
	}
	return uint32(n), nil
}

func formatID(id uint32) string { return strconv.FormatUint(uint64(id), 10) }

// decode reads base64 of at most max bytes once decoded; spaces and line
// breaks around and within it are ignored.
func decode(s string, max int) ([]byte, error) {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\n' || r == '\r' || r == '\t' {
			return -1
		}
		return r
	}, s)
	if base64.StdEncoding.DecodedLen(len(s)) > max+2 {
		return nil, errors.New("omemo: too long")
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		// Some clients leave the padding out.
		if b, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "=")); err != nil {
			return nil, errors.New("omemo: bad base64")
		}
	}
	if len(b) > max {
		return nil, errors.New("omemo: too long")
	}
	return b, nil
}

func encode(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// DeviceList is <list xmlns='eu.siacs.conversations.axolotl'>, the item
// of NodeDevices: the account's devices that speak OMEMO.
type DeviceList struct {
	XMLName xml.Name `xml:"eu.siacs.conversations.axolotl list"`
	Devices []Device `xml:"device"`
}

// Device is one <device id='...'/>; the label is optional (a name the
// device gave itself).
type Device struct {
	ID    string `xml:"id,attr"`
	Label string `xml:"label,attr,omitempty"`
}

// NewDeviceList is the list of ids, in order.
func NewDeviceList(ids []uint32) DeviceList {
	l := DeviceList{XMLName: xml.Name{Space: NS, Local: "list"}}
	for _, id := range ids {
		l.Devices = append(l.Devices, Device{ID: formatID(id)})
	}
	return l
}

// IDs returns the list's valid device ids, each once, in order, at most
// MaxDevices; the others are left out.
func (l DeviceList) IDs() []uint32 {
	var ids []uint32
	seen := map[uint32]bool{}
	for _, d := range l.Devices {
		id, err := parseID(d.ID)
		if err != nil || seen[id] {
			continue
		}
		seen[id] = true
		ids = append(ids, id)
		if len(ids) == MaxDevices {
			break
		}
	}
	return ids
}

// Bundle is <bundle xmlns='eu.siacs.conversations.axolotl'>, the item of
// a device's BundleNode: what another device needs to start a Signal
// session with it (X3DH). Keys are base64, as on the wire; Keys decodes
// them.
type Bundle struct {
	XMLName      xml.Name    `xml:"eu.siacs.conversations.axolotl bundle"`
	SignedPreKey signedKey   `xml:"signedPreKeyPublic"`
	Signature    string      `xml:"signedPreKeySignature"`
	IdentityKey  string      `xml:"identityKey"`
	PreKeys      []publicKey `xml:"prekeys>preKeyPublic"`
}

type signedKey struct {
	ID  string `xml:"signedPreKeyId,attr"`
	Key string `xml:",chardata"`
}

type publicKey struct {
	ID  string `xml:"preKeyId,attr"`
	Key string `xml:",chardata"`
}

// PreKey is a one-time prekey: its id and public key.
type PreKey struct {
	ID  uint32
	Key []byte // PublicKeySize bytes
}

// Keys is a bundle decoded.
type Keys struct {
	IdentityKey    []byte // PublicKeySize bytes
	SignedPreKeyID uint32
	SignedPreKey   []byte // PublicKeySize bytes
	Signature      []byte // SignatureSize bytes: the identity key's signature of SignedPreKey
	PreKeys        []PreKey
}

// publicKeyOf decodes a public key: 33 bytes starting with the type
// byte 0x05, or 32 bytes without it (some clients publish that).
func publicKeyOf(s string) ([]byte, error) {
	b, err := decode(s, PublicKeySize)
	if err != nil {
		return nil, err
	}
	switch {
	case len(b) == PublicKeySize && b[0] == 0x05:
		return b, nil
	case len(b) == PublicKeySize-1:
		return append([]byte{0x05}, b...), nil
	}
	return nil, errors.New("omemo: not a Curve25519 public key")
}

// Keys decodes the bundle: the identity key, the signed prekey with its
// id and signature, and the valid one-time prekeys (at most MaxPreKeys,
// each id once). A bundle without a valid identity key, signed prekey,
// signature or any one-time prekey is an error.
func (b Bundle) Keys() (Keys, error) {
	var k Keys
	var err error
	if k.IdentityKey, err = publicKeyOf(b.IdentityKey); err != nil {
		return Keys{}, fmt.Errorf("omemo: bundle's identity key: %w", err)
	}
	if k.SignedPreKeyID, err = parseID(b.SignedPreKey.ID); err != nil {
		return Keys{}, fmt.Errorf("omemo: bundle's signed prekey: %w", err)
	}
	if k.SignedPreKey, err = publicKeyOf(b.SignedPreKey.Key); err != nil {
		return Keys{}, fmt.Errorf("omemo: bundle's signed prekey: %w", err)
	}
	if k.Signature, err = decode(b.Signature, SignatureSize); err != nil || len(k.Signature) != SignatureSize {
		return Keys{}, errors.New("omemo: bundle's signature: not 64 bytes")
	}
	seen := map[uint32]bool{}
	for _, p := range b.PreKeys {
		id, err := parseID(p.ID)
		if err != nil || seen[id] {
			continue
		}
		key, err := publicKeyOf(p.Key)
		if err != nil {
			continue
		}
		seen[id] = true
		k.PreKeys = append(k.PreKeys, PreKey{ID: id, Key: key})
		if len(k.PreKeys) == MaxPreKeys {
			break
		}
	}
	if len(k.PreKeys) == 0 {
		return Keys{}, errors.New("omemo: bundle has no prekey")
	}
	return k, nil
}

// NewBundle is the bundle that publishes k.
func NewBundle(k Keys) Bundle {
	b := Bundle{
		XMLName:      xml.Name{Space: NS, Local: "bundle"},
		SignedPreKey: signedKey{ID: formatID(k.SignedPreKeyID), Key: encode(k.SignedPreKey)},
		Signature:    encode(k.Signature),
		IdentityKey:  encode(k.IdentityKey),
	}
	for _, p := range k.PreKeys {
		b.PreKeys = append(b.PreKeys, publicKey{ID: formatID(p.ID), Key: encode(p.Key)})
	}
	return b
}

// Encrypted is <encrypted xmlns='eu.siacs.conversations.axolotl'>: an
// OMEMO message (with a payload) or a key transport element (without:
// the heartbeat that answers a prekey message, or key material for
// another use).
type Encrypted struct {
	XMLName xml.Name `xml:"eu.siacs.conversations.axolotl encrypted"`
	Header  Header   `xml:"header"`
	Payload *string  `xml:"payload"`
}

// Header is the <header sid='...'/>: the sending device, one key per
// recipient device, and the payload's IV.
type Header struct {
	SID  string   `xml:"sid,attr"`
	Keys []KeyElt `xml:"key"`
	IV   string   `xml:"iv"`
}

// KeyElt is one <key rid='...'>: the payload's key and tag, encrypted
// for device rid by its Signal session; prekey='true' when that is a
// PreKeySignalMessage (the session starts with it).
type KeyElt struct {
	RID    string `xml:"rid,attr"`
	PreKey string `xml:"prekey,attr,omitempty"`
	Data   string `xml:",chardata"`
}

// Message is an Encrypted element decoded.
type Message struct {
	SID     uint32         // the sending device
	Keys    []RecipientKey // in order; only valid ones
	IV      []byte         // 12 bytes (16 from older senders)
	Payload []byte         // nil for a key transport element
}

// RecipientKey is the key and tag encrypted for one device.
type RecipientKey struct {
	RID    uint32
	PreKey bool   // Data is a PreKeySignalMessage, else a SignalMessage
	Data   []byte // serialised Signal message
}

// For returns the key encrypted for device id, if the message has one.
func (m Message) For(id uint32) (RecipientKey, bool) {
	for _, k := range m.Keys {
		if k.RID == id {
			return k, true
		}
	}
	return RecipientKey{}, false
}

// Of returns the OMEMO element of message m, decoded: ok says whether m
// has one; err whether it is malformed (then it cannot be decrypted, and
// the message is to be shown as such). Keys with a bad device id or data
// are left out; at most MaxKeys are read.
func Of(m stanza.Message) (msg Message, ok bool, err error) {
	for _, e := range m.Extensions {
		var enc *Encrypted
		switch v := e.(type) {
		case *Encrypted:
			enc = v
		case Encrypted:
			enc = &v
		}
		if enc == nil {
			continue
		}
		msg, err := enc.Decode()
		return msg, true, err
	}
	return Message{}, false, nil
}

// Decode decodes the element (see Of).
func (e Encrypted) Decode() (Message, error) {
	var m Message
	var err error
	if m.SID, err = parseID(e.Header.SID); err != nil {
		return Message{}, fmt.Errorf("omemo: sender: %w", err)
	}
	if m.IV, err = decode(e.Header.IV, 16); err != nil || (len(m.IV) != 12 && len(m.IV) != 16) {
		return Message{}, errors.New("omemo: bad IV")
	}
	for i, k := range e.Header.Keys {
		if i == MaxKeys {
			break
		}
		rid, err := parseID(k.RID)
		if err != nil {
			continue
		}
		data, err := decode(k.Data, maxKeyData)
		if err != nil || len(data) == 0 {
			continue
		}
		m.Keys = append(m.Keys, RecipientKey{RID: rid, PreKey: k.PreKey == "true" || k.PreKey == "1", Data: data})
	}
	if e.Payload != nil {
		if m.Payload, err = decode(*e.Payload, maxPayload); err != nil {
			return Message{}, fmt.Errorf("omemo: payload: %w", err)
		}
		if m.Payload == nil {
			m.Payload = []byte{}
		}
	}
	return m, nil
}

// maxPayload bounds a payload: a stanza is at most a few hundred KB (the
// stream's limit), so is its text.
const maxPayload = 1 << 20

// NewEncrypted is the element for m.
func NewEncrypted(m Message) *Encrypted {
	e := &Encrypted{XMLName: xml.Name{Space: NS, Local: "encrypted"}, Header: Header{SID: formatID(m.SID), IV: encode(m.IV)}}
	for _, k := range m.Keys {
		ke := KeyElt{RID: formatID(k.RID), Data: encode(k.Data)}
		if k.PreKey {
			ke.PreKey = "true"
		}
		e.Header.Keys = append(e.Header.Keys, ke)
	}
	if m.Payload != nil {
		p := encode(m.Payload)
		e.Payload = &p
	}
	return e
}
