// Package omemo is end-to-end encryption of one-to-one chats with OMEMO
// 0.3 (XEP-0384 in the namespace eu.siacs.conversations.axolotl, which
// Gajim, Dino, Conversations, Monal and Profanity speak; wire format in
// core/xmpp/omemo, keys and sessions in core/omemo/keys), on the
// session's feature hook (issue 21).
//
// Once a session is present, the feature loads the account's keys
// (making them the first time), replaces a week-old signed prekey, adds
// our device to the account's device list in PEP without removing the
// others, and publishes our bundle, both open to anyone (the XEP's
// access model). It follows the device
// lists of contacts and of our other devices as PEP notifications
// (devicelist+notify in our disco), and puts our device back in our list
// when another device's publication left it out.
//
// Every one-to-one message that comes encrypted, live, as a carbon copy
// either way or from the archive, is decrypted as core reads it
// (core.Hook.Decrypt): its text is stored with history.OMEMO, and the
// session's change kept only once the message is in the history. One
// that cannot be read is stored with the reason (Reason constants),
// never dropped; a key transport (the heartbeat) stores nothing.
//
// What the user sends in a chat whose switch is on (core.Hook.Encrypt;
// on by default once the contact's device list is known to have
// devices) is encrypted for the contact's trusted devices and our other
// trusted ones, never sent in the clear: blind trust before
// verification (keys.Trust), the heartbeat after a prekey message, the
// fallback body and a store hint. The GUI's lock, encryption window and
// words are in ui/chat_encryption.go.
package omemo

import (
	"context"
	"crypto/rand"
	"encoding/xml"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/omemo/keys"
	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/hints"
	wire "github.com/causerie/causerie/core/xmpp/omemo"
	"github.com/causerie/causerie/core/xmpp/pubsub"
	"github.com/causerie/causerie/core/xmpp/sid"
	"gosrc.io/xmpp/stanza"
)

// Fallback is the body other clients show instead of an encrypted
// message.
const Fallback = "I sent you an OMEMO encrypted message, which your client cannot read."

// Errors.
var (
	// ErrNotReady: the account's keys are not loaded or published yet.
	ErrNotReady = errors.New("OMEMO is not set up for this account yet")
	// ErrNotForUs: the message was not encrypted for this device.
	ErrNotForUs = errors.New("the message was not encrypted for this device")
)

// DevicesChanged is published when a device list of jid's (a contact's,
// or ours) was read or came: its devices, their trust, and the chat's
// switch's default may have changed.
type DevicesChanged struct {
	core.FeatureEvent
	JID string
}

// TrustChanged is published when the user decided about a device.
type TrustChanged struct {
	core.FeatureEvent
	JID    string
	Device uint32
}

// Ready is published once the account's device is in its device list and
// its bundle published.
type Ready struct {
	core.FeatureEvent
	Device uint32
}

// New is the feature: keys in db, identity private keys in secrets (the
// OS keyring: keys.NewKeyring).
func New(db *keys.DB, secrets keys.Secrets) *core.Feature {
	return &core.Feature{
		Name:  "omemo",
		Disco: []string{wire.NodeDevices + "+notify"},
		Attach: func(h *core.Hook) any {
			st := &State{h: h, db: db, secrets: secrets, devices: map[string][]uint32{}}
			h.OnOnline(func(ctx context.Context, _ *xmpp.Conn) {
				// Before our presence: what offline storage holds for us
				// comes right after it, and is decrypted. A failure is
				// tried again at the next sign-in, not per message.
				_, err := st.load(ctx)
				st.mu.Lock()
				st.loadErr = err
				st.mu.Unlock()
				if err != nil {
					h.Logf("omemo: %s: %v", h.Account(), err)
				}
			})
			h.OnPresent(st.present)
			// What was decrypted and not stored is delivered again.
			drop := func() {
				if s := st.Store(); s != nil {
					s.DropPending()
				}
			}
			h.OnInterrupted(drop)
			h.OnOffline(drop)
			h.HandleMessage(st.handle)
			h.Decrypt(st.decryptIn)
			h.Encrypt(st.encryptionFor, st.seal)
			return st
		},
	}
}

// Of is the feature f's state for session s (nil without it).
func Of(s *core.Session, f *core.Feature) *State {
	st, _ := s.Feature(f).(*State)
	return st
}

// State is the feature's state for one account.
type State struct {
	h       *core.Hook
	db      *keys.DB
	secrets keys.Secrets

	mu      sync.Mutex
	store   *keys.Store
	devices map[string][]uint32 // bare JID → device ids, as last published
	setup   sync.Mutex          // one set-up at a time
	loading sync.Mutex          // one load of the keys at a time
	loadErr error               // why this sign-in's load failed
	owed    map[keysAddr]bool   // heartbeats to send
}

// Store is the account's keys, once loaded (nil before).
func (st *State) Store() *keys.Store {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.store
}

// load loads the account's keys once (making them the first time).
func (st *State) load(ctx context.Context) (*keys.Store, error) {
	st.loading.Lock()
	defer st.loading.Unlock()
	if s := st.Store(); s != nil {
		return s, nil
	}
	s, err := st.db.Load(ctx, st.h.Account(), st.secrets)
	if err != nil {
		return nil, err
	}
	st.mu.Lock()
	st.store = s
	st.mu.Unlock()
	return s, nil
}

// present sets the device up on each new connection.
func (st *State) present(c *xmpp.Conn) {
	go func() {
		if err := st.Setup(context.Background(), c); err != nil {
			st.h.Logf("omemo: %s: %v", st.h.Account(), err)
		}
	}()
}

// Setup loads the account's keys (making them the first time), puts our
// device in the account's device list and publishes our bundle.
func (st *State) Setup(ctx context.Context, c *xmpp.Conn) error {
	st.setup.Lock()
	defer st.setup.Unlock()
	s, err := st.load(ctx)
	if err != nil {
		return err
	}
	// A prekey used a day ago or more: the catch-ups since have read
	// what needed it.
	if err := s.ForgetUsedPreKeys(ctx, time.Now().Add(-24*time.Hour)); err != nil {
		return err
	}
	// A week-old signed prekey replaced (the bundle is published below,
	// at each sign-in).
	if _, err := s.RotateSignedPreKey(ctx, time.Now()); err != nil {
		return err
	}
	own, err := st.fetchDevices(ctx, c, "")
	if err != nil {
		return fmt.Errorf("our device list: %w", err)
	}
	if !slices.Contains(own, s.DeviceID()) {
		if err := publishOpen(ctx, c, wire.NodeDevices, wire.NewDeviceList(append(own, s.DeviceID()))); err != nil {
			return fmt.Errorf("publishing our device list: %w", err)
		}
	}
	if err := st.publishBundle(ctx, c); err != nil {
		return err
	}
	st.h.Publish(Ready{FeatureEvent: core.FeatureEvent{Account: st.h.Account()}, Device: s.DeviceID()})
	return nil
}

// publishBundle publishes our bundle, topped up with fresh one-time
// prekeys.
func (st *State) publishBundle(ctx context.Context, c *xmpp.Conn) error {
	s := st.Store()
	if _, err := s.Replenish(ctx); err != nil {
		return err
	}
	k, err := s.Bundle(ctx)
	if err != nil {
		return err
	}
	if err := publishOpen(ctx, c, wire.BundleNode(s.DeviceID()), wire.NewBundle(k)); err != nil {
		return fmt.Errorf("publishing our bundle: %w", err)
	}
	return nil
}

// openAccess is the access model the XEP asks of both nodes.
var openAccess = pubsub.Option{Var: "pubsub#access_model", Value: "open"}

// publishOpen publishes payload as the item "current" of our node, open
// to anyone; a node that exists with another access model is
// reconfigured first.
func publishOpen(ctx context.Context, c *xmpp.Conn, node string, payload any) error {
	err := pubsub.Publish(ctx, c, node, "current", payload, openAccess)
	var se *xmpp.StanzaError
	if errors.As(err, &se) && (se.Condition == "conflict" || se.Condition == "precondition-not-met" ||
		se.Condition == "resource-constraint" || se.Condition == "bad-request") {
		// Configured open, or (refused, or the node not there yet) as
		// the server makes nodes: published either way.
		pubsub.Configure(ctx, c, node, openAccess)
		err = pubsub.Publish(ctx, c, node, "current", payload)
	}
	return err
}

// fetchDevices reads jid's device list ("" for ours) and keeps it.
func (st *State) fetchDevices(ctx context.Context, c *xmpp.Conn, jid string) ([]uint32, error) {
	items, err := pubsub.Items(ctx, c, jid, wire.NodeDevices, "", 1)
	var se *xmpp.StanzaError
	if errors.Is(err, pubsub.ErrNoItems) || errors.As(err, &se) && se.Condition == "item-not-found" {
		items, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	var ids []uint32
	decoded := len(items) == 0 // none yet: an empty list
	for _, it := range items {
		var l wire.DeviceList
		if it.Into(&l) == nil {
			ids, decoded = l.IDs(), true
		}
	}
	if !decoded {
		return nil, errors.New("the device list does not decode")
	}
	if jid == "" {
		jid = st.h.Account()
	}
	st.keep(ctx, xmpp.BareJID(jid), ids)
	return ids, nil
}

// keep records jid's device list as published: for this session, and
// in the database (the chats' switches and the devices' trust read it).
func (st *State) keep(ctx context.Context, jid string, ids []uint32) {
	st.mu.Lock()
	st.devices[jid] = ids
	st.mu.Unlock()
	if err := st.db.SetDevices(ctx, st.h.Account(), jid, ids); err != nil {
		st.h.Logf("omemo: %s: keeping %s's devices: %v", st.h.Account(), jid, err)
	}
	st.h.Publish(DevicesChanged{FeatureEvent: core.FeatureEvent{Account: st.h.Account()}, JID: jid})
}

// handle takes the device lists PEP notifies; a list of ours that leaves
// our device out has it put back.
func (st *State) handle(c *xmpp.Conn, m *stanza.Message) bool {
	items := pubsub.EventItems(m, wire.NodeDevices)
	if len(items) == 0 {
		return false
	}
	from := xmpp.BareJID(m.From)
	if from == "" {
		from = st.h.Account()
	}
	var ids []uint32
	decoded := false
	for _, it := range items {
		var l wire.DeviceList
		if it.Into(&l) == nil {
			ids, decoded = l.IDs(), true
		}
	}
	if !decoded {
		return true // what cannot be read changes nothing (and is not answered)
	}
	st.keep(context.Background(), from, ids)
	s := st.Store()
	if from == st.h.Account() && s != nil && !slices.Contains(ids, s.DeviceID()) {
		go func() {
			if err := publishOpen(context.Background(), c, wire.NodeDevices, wire.NewDeviceList(append(ids, s.DeviceID()))); err != nil {
				st.h.Logf("omemo: %s: putting our device back in our list: %v", st.h.Account(), err)
			}
		}()
	}
	return true
}

// Devices are jid's devices as last known (fetched when not known yet).
func (st *State) Devices(ctx context.Context, c *xmpp.Conn, jid string) ([]uint32, error) {
	jid = xmpp.BareJID(jid)
	st.mu.Lock()
	ids, ok := st.devices[jid]
	st.mu.Unlock()
	if ok {
		return ids, nil
	}
	return st.fetchDevices(ctx, c, jid)
}

// session makes sure we have a session with jid/device, from its bundle.
func (st *State) session(ctx context.Context, c *xmpp.Conn, jid string, device uint32) error {
	s := st.Store()
	if ok, err := s.HasSession(ctx, jid, device); err != nil || ok {
		return err
	}
	items, err := pubsub.Items(ctx, c, jid, wire.BundleNode(device), "", 1)
	if err != nil {
		return fmt.Errorf("the bundle of %s's device %d: %w", jid, device, err)
	}
	for _, it := range items {
		var b wire.Bundle
		if it.Into(&b) != nil {
			continue
		}
		k, err := b.Keys()
		if err != nil {
			return fmt.Errorf("the bundle of %s's device %d: %w", jid, device, err)
		}
		return s.StartSession(ctx, jid, device, k)
	}
	return fmt.Errorf("the bundle of %s's device %d: %w", jid, device, pubsub.ErrNoItems)
}

// Encrypt makes a chat message to (a bare JID) carrying body encrypted
// as seal does it.
func (st *State) Encrypt(ctx context.Context, c *xmpp.Conn, to, body string) (*stanza.Message, error) {
	m := stanza.NewMessage(stanza.Attrs{To: xmpp.BareJID(to), Type: stanza.MessageTypeChat, Id: sid.New()})
	m.Body = body
	if err := st.seal(ctx, c, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// Reasons a message could not be encrypted (core.SealError's, the
// message's history.Message.Error).
const (
	// ReasonNoDevices: the contact has no OMEMO device we could start a
	// session with.
	ReasonNoDevices = "omemo-no-devices"
	// ReasonUntrusted: the contact has devices, none of them trusted.
	ReasonUntrusted = "omemo-untrusted"
	// ReasonNotSetUp: our own keys are not there (the keyring).
	ReasonNotSetUp = "omemo-not-set-up"
)

// seal is the session's encryption (core.Hook.Encrypt): m.Body
// encrypted for each trusted device of the contact's and each trusted
// other device of ours, starting a session from a device's bundle the
// first time; the fallback body in its place, and a store hint. A device
// whose session cannot be started (no bundle, a bad signature) is left
// out; none of the contact's at all is a core.SealError.
func (st *State) seal(ctx context.Context, c *xmpp.Conn, m *stanza.Message) error {
	s, err := st.load(ctx) // (loaded at sign-in: here, tried again)
	if errors.Is(err, keys.ErrIdentityLost) {
		return &core.SealError{Reason: ReasonNotSetUp}
	}
	if err != nil {
		return err // the keyring slow or locked: tried again
	}
	to := xmpp.BareJID(m.To)
	theirs, err := st.Devices(ctx, c, to)
	if err != nil {
		return err
	}
	ours, err := st.Devices(ctx, c, st.h.Account())
	if err != nil {
		return err
	}
	keyAndTag, iv, payload, err := wire.Seal([]byte(m.Body))
	if err != nil {
		return err
	}
	msg := wire.Message{SID: s.DeviceID(), IV: iv, Payload: payload}
	untrusted, passing := 0, 0
	var targets []keys.Target
	add := func(jid string, devices []uint32) (n int, err error) {
		for _, d := range devices {
			if jid == st.h.Account() && d == s.DeviceID() {
				continue
			}
			if t, err := s.Trust(ctx, jid, d); err != nil {
				return n, err
			} else if t == keys.Distrusted {
				untrusted++
				continue
			}
			if err := st.session(ctx, c, jid, d); err != nil {
				select {
				case <-c.Done():
					return n, err // the link, not the device
				default:
				}
				if !lasting(err) && jid == to {
					passing++
				}
				st.h.Logf("omemo: %s: no session with %s/%d: %v", st.h.Account(), jid, d, err)
				continue
			}
			// Its trust once its identity is known (blind trust is
			// decided when it is first seen).
			if t, err := s.Trust(ctx, jid, d); err != nil {
				return n, err
			} else if !t.Trusted() {
				untrusted++
				continue
			}
			targets = append(targets, keys.Target{JID: jid, Device: d})
			n++
		}
		return n, nil
	}
	n, err := add(to, theirs)
	if err != nil {
		return err
	}
	if n == 0 {
		// None of the contact's: nothing is encrypted (our other
		// devices' sessions do not move for a message never sent).
		switch {
		case passing > 0:
			// A bundle that could not be fetched now (a timeout, the
			// contact's server away): tried again, not failed.
			return errors.New("omemo: no device's keys could be fetched now")
		case untrusted > 0:
			return &core.SealError{Reason: ReasonUntrusted}
		}
		return &core.SealError{Reason: ReasonNoDevices}
	}
	if to != st.h.Account() { // (a note to self: ours are theirs)
		if _, err := add(st.h.Account(), ours); err != nil {
			return err
		}
	}
	// What was just received from these devices stored first (a second
	// at most), then one write of the sessions for all of them.
	s.WaitSettled(ctx, targets, time.Second)
	out, err := s.EncryptAll(ctx, targets, keyAndTag)
	if err != nil {
		return err
	}
	n = 0
	gone := false // a session that was only a change not kept (the link dropped meanwhile)
	for i, t := range targets {
		if out[i].Err != nil {
			st.h.Logf("omemo: %s: encrypting for %s/%d: %v", st.h.Account(), t.JID, t.Device, out[i].Err)
			gone = gone || errors.Is(out[i].Err, keys.ErrNoSession)
			continue
		}
		msg.Keys = append(msg.Keys, wire.RecipientKey{RID: t.Device, PreKey: out[i].PreKey, Data: out[i].Data})
		if t.JID == to {
			n++
		}
	}
	if n == 0 {
		select {
		case <-c.Done():
			gone = true
		default:
		}
		if gone {
			return errors.New("omemo: the sessions were dropped with the link: tried again")
		}
		return &core.SealError{Reason: ReasonNoDevices} // (none encrypted)
	}
	m.Body = Fallback
	m.Extensions = append(m.Extensions, wire.NewEncrypted(msg), &hints.Store{}, &eme{Namespace: wire.NS, Name: "OMEMO"})
	return nil
}

// lasting reports whether a session could not be started for a reason
// that holds (the device has no bundle, or a bad one), not one that may
// pass (a timeout, a server away).
func lasting(err error) bool {
	var se *xmpp.StanzaError
	if errors.As(err, &se) {
		switch se.Condition {
		case "item-not-found", "forbidden", "not-authorized", "not-allowed", "feature-not-implemented", "service-unavailable", "bad-request":
			return true
		}
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) || errors.Is(err, xmpp.ErrClosed) || errors.Is(err, xmpp.ErrTimeout) {
		return false
	}
	return true // no item, a bundle that does not decode or verify
}

// eme is XEP-0380's element: which encryption the message is in.
type eme struct {
	XMLName   xml.Name `xml:"urn:xmpp:eme:0 encryption"`
	Namespace string   `xml:"namespace,attr"`
	Name      string   `xml:"name,attr,omitempty"`
}

// encryptionFor is the chat with peer's switch (core.Hook.Encrypt): as
// the user left it, or on when peer has OMEMO devices.
func (st *State) encryptionFor(peer string) history.Encryption {
	if st.Enabled(context.Background(), peer) {
		return history.OMEMO
	}
	return history.NotEncrypted
}

// Enabled reports whether what is sent to jid is encrypted: the chat's
// switch as the user left it, or on when jid has OMEMO devices.
//
// It reads the database alone: before the keys are loaded (offline, the
// keyring slow or locked), a chat whose switch is on stays on, and what
// is typed waits to be encrypted.
func (st *State) Enabled(ctx context.Context, jid string) bool {
	jid = xmpp.BareJID(jid)
	account := st.h.Account()
	if on, set, err := st.db.ChatSetting(ctx, account, jid); err == nil && set {
		return on
	}
	st.mu.Lock()
	ids, ok := st.devices[jid]
	st.mu.Unlock()
	if ok {
		return len(ids) > 0
	}
	has, err := st.db.HasDevices(ctx, account, jid)
	return err == nil && has
}

// SetEnabled sets the switch of the chat with jid.
func (st *State) SetEnabled(ctx context.Context, jid string, on bool) error {
	return st.db.SetChat(ctx, st.h.Account(), xmpp.BareJID(jid), on)
}

// KnownDevices lists jid's devices as known (its device list as last
// read, and those we have an identity for), with their trust; for our
// own account, this device is left out.
func (st *State) KnownDevices(ctx context.Context, jid string) ([]keys.Device, error) {
	s := st.Store()
	if s == nil {
		return nil, ErrNotReady
	}
	jid = xmpp.BareJID(jid)
	ds, err := s.Devices(ctx, jid)
	if jid == st.h.Account() {
		ds = slices.DeleteFunc(ds, func(d keys.Device) bool { return d.ID == s.DeviceID() })
	}
	return ds, err
}

// SetTrust records the user's decision about jid's device.
func (st *State) SetTrust(ctx context.Context, jid string, device uint32, t keys.Trust) error {
	s := st.Store()
	if s == nil {
		return ErrNotReady
	}
	jid = xmpp.BareJID(jid)
	if err := s.SetTrust(ctx, jid, device, t); err != nil {
		return err
	}
	st.h.Publish(TrustChanged{FeatureEvent: core.FeatureEvent{Account: st.h.Account()}, JID: jid, Device: device})
	return nil
}

// Fetch reads jid's device list again (the chat's switch's default, and
// the lock, follow it).
func (st *State) Fetch(ctx context.Context, jid string) error {
	c, err := st.h.Conn()
	if err != nil {
		return err
	}
	_, err = st.fetchDevices(ctx, c, xmpp.BareJID(jid))
	return err
}

// FetchKeys is Fetch, and a session started with each device not known
// yet and not distrusted (their identities, and so their fingerprints,
// are then known): what the encryption window shows.
func (st *State) FetchKeys(ctx context.Context, jid string) error {
	c, err := st.h.Conn()
	if err != nil {
		return err
	}
	s := st.Store()
	if s == nil {
		return ErrNotReady
	}
	jid = xmpp.BareJID(jid)
	ids, err := st.fetchDevices(ctx, c, jid)
	if err != nil {
		return err
	}
	for _, d := range ids {
		if jid == st.h.Account() && d == s.DeviceID() {
			continue
		}
		if t, err := s.Trust(ctx, jid, d); err != nil || t == keys.Distrusted {
			continue
		}
		if err := st.session(ctx, c, jid, d); err != nil {
			st.h.Logf("omemo: %s: no session with %s/%d: %v", st.h.Account(), jid, d, err)
		}
	}
	st.h.Publish(DevicesChanged{FeatureEvent: core.FeatureEvent{Account: st.h.Account()}, JID: jid})
	return nil
}

// Own is our device's id and fingerprint (0 and "" before the keys
// load).
func (st *State) Own() (uint32, []byte) {
	s := st.Store()
	if s == nil {
		return 0, nil
	}
	return s.DeviceID(), s.IdentityKey()
}

// Reasons a message that came encrypted could not be read
// (history.Message's Undecrypted).
const (
	ReasonNotForDevice = "not-for-device" // not encrypted for this device
	ReasonNoSession    = "no-session"     // no session with the sender's device
	ReasonNoKeys       = "no-keys"        // our keys could not be loaded (the keyring)
	ReasonFailed       = "failed"         // it does not decrypt (altered, or a broken session)
	// ReasonIdentityChanged: it came from a device we know with
	// another identity key (someone speaking for that device).
	ReasonIdentityChanged = "identity-changed"
)

// decryptIn is the session's decryption (core.Hook.Decrypt): an OMEMO
// message's text, or why it cannot be read.
func (st *State) decryptIn(c *xmpp.Conn, from string, m *stanza.Message) (core.Decrypted, bool) {
	wm, ok, werr := wire.Of(*m) // decoded once, here
	if !ok {
		return core.Decrypted{}, false
	}
	d := core.Decrypted{Encryption: history.OMEMO}
	ctx := context.Background()
	st.mu.Lock()
	loaded, loadErr := st.store != nil, st.loadErr
	st.mu.Unlock()
	if !loaded {
		if loadErr == nil {
			_, loadErr = st.load(ctx)
		}
		if loadErr != nil {
			d.Err = ReasonNoKeys
			return d, true
		}
	}
	body, p, err := st.decrypt(ctx, from, wm, werr)
	if err != nil && werr == nil && wm.Payload == nil {
		// A key transport (a heartbeat) for another device, or one
		// that does not decrypt: nothing to show.
		if !errors.Is(err, ErrNotForUs) {
			st.h.Logf("omemo: %s: a key transport from %s does not decrypt: %v", st.h.Account(), from, err)
		}
		return d, true
	}
	// Read once: a correction passed on to an older archive page is not
	// decrypted again (its session has moved on).
	if err == nil {
		kept := m.Extensions[:0]
		for _, e := range m.Extensions {
			if _, enc := e.(*wire.Encrypted); !enc {
				kept = append(kept, e)
			}
		}
		m.Extensions = kept
	}
	switch {
	case errors.Is(err, ErrNotForUs):
		d.Err = ReasonNotForDevice
	case errors.Is(err, keys.ErrNoSession):
		d.Err = ReasonNoSession
	case errors.Is(err, keys.ErrIdentityChanged):
		st.h.Logf("omemo: %s: %s's device came with another identity key: refused", st.h.Account(), from)
		d.Err = ReasonIdentityChanged
	case err != nil:
		// The error names no content: only what failed.
		st.h.Logf("omemo: %s: a message from %s does not decrypt: %v", st.h.Account(), from, err)
		d.Err = ReasonFailed
	default:
		d.Body = body
		if t, err := st.Store().Trust(ctx, xmpp.BareJID(from), wm.SID); err != nil || !t.Trusted() {
			d.Encryption = history.OMEMOUntrusted // its sender's device is not trusted
		}
		k, _ := wm.For(st.Store().DeviceID())
		d.Commit = func() {
			if err := p.Commit(context.Background()); err != nil {
				st.h.Logf("omemo: %s: keeping a session's change: %v", st.h.Account(), err)
				return
			}
			if k.PreKey {
				// The session it started is answered, so that its
				// sender stops sending prekey messages.
				st.heartbeat(xmpp.BareJID(from), wm.SID)
			}
		}
		d.Discard = p.Rollback
	}
	return d, true
}

// heartbeatDelay gathers the heartbeats owed: a burst of prekey messages
// from one device (a catch-up) is answered once.
const heartbeatDelay = 2 * time.Second

// heartbeat answers jid/device's prekey message with an empty message
// (a key transport, XEP-0384 §4.7's heartbeat), soon.
func (st *State) heartbeat(jid string, device uint32) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.owed == nil {
		st.owed = map[keysAddr]bool{}
	}
	if len(st.owed) == 0 {
		time.AfterFunc(heartbeatDelay, st.sendHeartbeats)
	}
	st.owed[keysAddr{jid, device}] = true
}

type keysAddr struct {
	jid    string
	device uint32
}

// sendHeartbeats sends the heartbeats owed.
func (st *State) sendHeartbeats() {
	st.mu.Lock()
	owed := st.owed
	st.owed = nil
	s := st.store
	st.mu.Unlock()
	c, err := st.h.Conn()
	if err != nil || s == nil {
		return // the next prekey message asks again
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for a := range owed {
		// What else came from that device stored first, as for a
		// message (keys.Store.WaitSettled).
		s.WaitSettled(ctx, []keys.Target{{JID: a.jid, Device: a.device}}, time.Second)
		key := make([]byte, 32)
		iv := make([]byte, 12)
		rand.Read(key)
		rand.Read(iv)
		data, pre, err := s.Encrypt(ctx, a.jid, a.device, key)
		if err != nil {
			st.h.Logf("omemo: %s: a heartbeat for %s/%d: %v", st.h.Account(), a.jid, a.device, err)
			continue
		}
		msg := wire.Message{SID: s.DeviceID(), IV: iv, Keys: []wire.RecipientKey{{RID: a.device, PreKey: pre, Data: data}}}
		m := stanza.NewMessage(stanza.Attrs{To: a.jid, Type: stanza.MessageTypeChat, Id: sid.New()})
		m.Extensions = append(m.Extensions, wire.NewEncrypted(msg), &hints.Store{})
		if err := c.Send(m); err != nil {
			return
		}
	}
}

// Decrypt reads the encrypted message m from from (a bare JID): its
// text, and the change to the session, which the caller commits once
// the message is stored. A key transport element (no payload) gives an
// empty text.
func (st *State) Decrypt(ctx context.Context, from string, m *stanza.Message) (string, *keys.Pending, error) {
	s := st.Store()
	if s == nil {
		return "", nil, ErrNotReady
	}
	msg, ok, err := wire.Of(*m)
	if !ok {
		return "", nil, errors.New("not an OMEMO message")
	}
	return st.decrypt(ctx, from, msg, err)
}

// decrypt is Decrypt of msg, decoded already (with its decoding's
// error).
func (st *State) decrypt(ctx context.Context, from string, msg wire.Message, decodeErr error) (string, *keys.Pending, error) {
	s := st.Store()
	if s == nil {
		return "", nil, ErrNotReady
	}
	if decodeErr != nil {
		return "", nil, decodeErr
	}
	k, ok := msg.For(s.DeviceID())
	if !ok {
		return "", nil, ErrNotForUs
	}
	keyAndTag, p, err := s.Decrypt(ctx, xmpp.BareJID(from), msg.SID, k)
	if err != nil {
		return "", nil, err
	}
	if msg.Payload == nil {
		return "", p, nil
	}
	plain, err := wire.Open(keyAndTag, msg.IV, msg.Payload)
	if err != nil {
		p.Rollback()
		return "", nil, err
	}
	return string(plain), p, nil
}
