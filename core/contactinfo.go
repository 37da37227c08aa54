package core

import (
	"context"
	"encoding/xml"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/caps"
	"github.com/causerie/causerie/core/xmpp/chatstate"
	"github.com/causerie/causerie/core/xmpp/correct"
	"github.com/causerie/causerie/core/xmpp/disco"
	"github.com/causerie/causerie/core/xmpp/receipts"
	"github.com/causerie/causerie/core/xmpp/vcard"
	"github.com/causerie/causerie/core/xmpp/version"
	"gosrc.io/xmpp/stanza"
)

// What contacts' clients support: XEP-0115 capabilities from their
// presence, looked up in a cache of verified disco#info results (kept in
// the history database across runs), or disco#info asked directly.

// nsXHTMLIM is XEP-0071's namespace (also its disco feature).
const nsXHTMLIM = "http://jabber.org/protocol/xhtml-im"

// Features is what a contact's client advertises.
type Features struct {
	XHTMLIM     bool // rich text (XEP-0071)
	ChatStates  bool // typing notifications (XEP-0085)
	Receipts    bool // delivery receipts (XEP-0184)
	Corrections bool // last message correction (XEP-0308)
	Version     bool // answers the software version question (XEP-0092)
	Avatars     bool // follows XEP-0084 avatars
	// Identities, e.g. "Gajim (client/pc)", or "client/pc" without a name.
	Identities []string
	// All is every feature, sorted.
	All []string
}

func featuresOf(info *disco.Info) Features {
	f := Features{
		XHTMLIM:     info.Has(nsXHTMLIM),
		ChatStates:  info.Has(chatstate.NS),
		Receipts:    info.Has(receipts.NS),
		Corrections: info.Has(correct.NS),
		Version:     info.Has(version.NS),
		Avatars:     info.Has(vcard.NSAvatarNotify) || info.Has(vcard.NSAvatarMetadata),
		All:         slices.Clone(info.Features),
	}
	slices.Sort(f.All)
	f.All = slices.Compact(f.All)
	for _, id := range info.Identities {
		kind := id.Category + "/" + id.Type
		if id.Name != "" {
			kind = id.Name + " (" + kind + ")"
		}
		f.Identities = append(f.Identities, kind)
	}
	return f
}

// capsRef is the <c/> a resource's presence carried (zero: none usable).
type capsRef struct{ hash, node, ver string }

func (r capsRef) valid() bool { return r.node != "" && r.ver != "" }

func capsOf(p *stanza.Presence) capsRef {
	c := caps.FromPresence(p)
	if c == nil {
		return capsRef{}
	}
	return capsRef{hash: c.Hash, node: c.Node, ver: c.Ver}
}

// learnt is what a resource was found to support, and from which <c/>.
type learnt struct {
	ref  capsRef
	info *disco.Info
}

// capsState is a session's knowledge of contacts' resources on the
// current connection.
type capsState struct {
	mu    sync.Mutex
	infos map[string]learnt // by full JID
	// served counts the disco#info requests we answered, by requester
	// (diagnostics: tests check that capabilities come from the cache).
	served map[string]int
	// sem bounds the lookups started by presences.
	sem chan struct{}
}

func (c *capsState) answered(from string) {
	c.mu.Lock()
	if c.served == nil {
		c.served = map[string]int{}
	}
	c.served[from]++
	c.mu.Unlock()
}

func (c *capsState) servedTo(from string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.served[from]
}

func (c *capsState) reset() {
	c.mu.Lock()
	c.infos, c.served = nil, nil
	c.mu.Unlock()
}

func (c *capsState) get(full string) (learnt, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	l, ok := c.infos[full]
	return l, ok
}

func (c *capsState) set(full string, l learnt) {
	c.mu.Lock()
	if c.infos == nil {
		c.infos = map[string]learnt{}
	}
	c.infos[full] = l
	c.mu.Unlock()
}

func (c *capsState) forget(full string) {
	c.mu.Lock()
	delete(c.infos, full)
	c.mu.Unlock()
}

// presenceCaps follows a roster contact's resource (on the reader
// goroutine): capabilities are forgotten when it leaves, and looked up in
// the background when it advertises ones we have not learnt, so that
// supports can answer without the network.
func (s *Session) presenceCaps(c *xmpp.Conn, full string, ref capsRef, available bool) {
	if !available {
		s.caps.forget(full)
		s.client.caps.Forget(full)
		return
	}
	if l, ok := s.caps.get(full); ok && l.ref == ref {
		return
	}
	s.caps.forget(full)
	if !ref.valid() {
		return
	}
	s.caps.mu.Lock()
	if s.caps.sem == nil {
		s.caps.sem = make(chan struct{}, 4)
	}
	sem := s.caps.sem
	s.caps.mu.Unlock()
	go func() {
		sem <- struct{}{}
		defer func() { <-sem }()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := s.lookupCaps(ctx, c, full, ref); err != nil && !errors.Is(err, xmpp.ErrClosed) {
			s.client.logf("capabilities of %s: %v", full, err)
		}
	}()
}

// lookupCaps finds what ref stands for (cache, store, or disco#info at
// node#ver) and remembers it for full while full still advertises ref.
func (s *Session) lookupCaps(ctx context.Context, conn *xmpp.Conn, full string, ref capsRef) (*disco.Info, error) {
	info, err := s.client.caps.Lookup(ctx, conn, full, &caps.Caps{Hash: ref.hash, Node: ref.node, Ver: ref.ver})
	if err != nil {
		return nil, err
	}
	if cur, ok := s.resourceCaps(full); ok && cur == ref {
		s.caps.set(full, learnt{ref, info})
	}
	return info, nil
}

// resourceCaps is the <c/> a contact's resource advertised, if it is
// online.
func (s *Session) resourceCaps(full string) (capsRef, bool) {
	ct, ok := s.roster.Contact(xmpp.BareJID(full))
	if !ok {
		return capsRef{}, false
	}
	name := xmpp.ResourceOf(full)
	for _, r := range ct.Resources {
		if r.Name == name {
			return r.caps, true
		}
	}
	return capsRef{}, false
}

// fullOf resolves a bare JID to the contact's best resource; a full JID is
// returned as is.
func (s *Session) fullOf(jid string) (string, bool) {
	if xmpp.ResourceOf(jid) != "" {
		return jid, true
	}
	ct, ok := s.roster.Contact(xmpp.BareJID(jid))
	if !ok {
		return "", false
	}
	r, ok := ct.Best()
	if !ok {
		return "", false
	}
	return ct.JID + "/" + r.Name, true
}

// Features tells what a contact's client supports. fullJID names one of
// its resources (a bare JID means its best resource). The answer comes
// from the capabilities its presence advertised (XEP-0115), cached across
// runs once verified; a client that advertised none, or does not answer
// at its caps node, is asked directly (disco#info).
func (s *Session) Features(ctx context.Context, fullJID string) (Features, error) {
	conn, err := s.onlineConn()
	if err != nil {
		return Features{}, err
	}
	full, ok := s.fullOf(fullJID)
	if !ok {
		return Features{}, errors.New("core: " + fullJID + " is not online")
	}
	ref, online := s.resourceCaps(full)
	var info *disco.Info
	var se *xmpp.StanzaError
	if online && ref.valid() {
		info, err = s.lookupCaps(ctx, conn, full, ref)
	}
	if !online || !ref.valid() || errors.As(err, &se) {
		// No caps, or none at node#ver (some clients answer only
		// without a node): ask directly.
		if info, err = disco.GetInfo(ctx, conn, full, ""); err == nil && online {
			s.caps.set(full, learnt{ref, info})
		}
	}
	if err != nil {
		return Features{}, err
	}
	return featuresOf(info), nil
}

// supports reports whether jid (a full JID, or a bare one for the
// contact's best resource) is known to support feature, from what was
// learnt and cached only: it never asks the network. Unknown is false.
func (s *Session) supports(jid, feature string) bool {
	full, ok := s.fullOf(jid)
	if !ok {
		return false
	}
	ref, online := s.resourceCaps(full)
	if !online {
		return false
	}
	if l, ok := s.caps.get(full); ok && l.ref == ref {
		return l.info.Has(feature)
	}
	if !ref.valid() || !caps.HashSupported(ref.hash) {
		return false
	}
	info, ok := s.client.caps.Info(ref.hash, ref.ver)
	return ok && info.Has(feature)
}

// capsStore keeps verified capabilities in the history database.
type capsStore struct {
	store *history.Store
	logf  func(string, ...any)
}

func (c capsStore) Load(hash, ver string) (*disco.Info, bool) {
	b, ok, err := c.store.LoadCaps(hash, ver)
	if err != nil || !ok {
		return nil, false
	}
	var info disco.Info
	if err := xml.Unmarshal(b, &info); err != nil {
		return nil, false
	}
	info.XMLName, info.Node = xml.Name{}, ""
	return &info, true
}

func (c capsStore) Save(hash, ver string, info *disco.Info) {
	out := *info
	out.XMLName, out.Node = xml.Name{}, ""
	b, err := xml.Marshal(&out)
	if err == nil {
		err = c.store.SaveCaps(hash, ver, b)
	}
	if err != nil {
		c.logf("capabilities cache: %v", err)
	}
}
