package core

import (
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/causerie/causerie/core/xmpp"
)

// Show is an availability: "" (available), chat, away, xa, dnd; and, for
// our own presence only, offline and invisible.
type Show string

const (
	ShowAvailable Show = ""
	ShowChat      Show = "chat"
	ShowAway      Show = "away"
	ShowXA        Show = "xa"
	ShowDND       Show = "dnd"
	ShowOffline   Show = "offline"
	ShowInvisible Show = "invisible"
)

// rank orders availabilities, most available first (RFC 6121 §4.7.2.1
// leaves the order to clients; this is what Gajim, Psi and Dino show).
func (s Show) rank() int {
	switch s {
	case ShowChat:
		return 0
	case ShowAvailable:
		return 1
	case ShowAway:
		return 2
	case ShowDND:
		return 3
	case ShowXA:
		return 4
	}
	return 5
}

// Presence is an availability with status text and priority.
type Presence struct {
	Show     Show
	Status   string
	Priority int
}

// Resource is one connected client of a contact.
type Resource struct {
	Name     string
	Show     Show
	Status   string
	Priority int
	// Since is when this presence was sent (XEP-0203 delay), or received.
	Since time.Time
	// caps is the XEP-0115 <c/> the presence carried (see Session.Features).
	caps capsRef
}

// Subscription states (RFC 6121 §2.1.2.5).
const (
	SubNone = "none"
	SubTo   = "to"
	SubFrom = "from"
	SubBoth = "both"
)

// Contact is a roster item with its presence.
type Contact struct {
	JID          string
	Name         string
	Groups       []string
	Subscription string // none, to, from, both
	PendingOut   bool   // our request to see their presence awaits them
	PendingIn    bool   // their request to see ours awaits us
	Approved     bool   // pre-approved (RFC 6121 §3.4)
	// Resources, best first; empty when offline.
	Resources []Resource
	// InRoster is false for a contact known only from presence (e.g. a
	// pending request from someone not in the roster).
	InRoster bool
}

// DisplayName is the name, or the JID when there is none (as it is: the
// GUI isolates it, core/safetext, where it shows it).
func (c Contact) DisplayName() string {
	if c.Name != "" {
		return c.Name
	}
	return c.JID
}

// Online reports whether any resource is available.
func (c Contact) Online() bool { return len(c.Resources) > 0 }

// Best is the resource messages go to and whose presence is shown:
// highest priority, then most available, then most recent (RFC 6121 §8.5.2
// for priority).
func (c Contact) Best() (Resource, bool) {
	if len(c.Resources) == 0 {
		return Resource{}, false
	}
	return c.Resources[0], true
}

// Show is the best resource's availability, or ShowOffline.
func (c Contact) Show() Show {
	if r, ok := c.Best(); ok {
		return r.Show
	}
	return ShowOffline
}

// SeesUs reports whether the contact receives our presence.
func (c Contact) SeesUs() bool { return c.Subscription == SubFrom || c.Subscription == SubBoth }

// WeSee reports whether we receive the contact's presence.
func (c Contact) WeSee() bool { return c.Subscription == SubTo || c.Subscription == SubBoth }

func sortResources(rs []Resource) {
	sort.SliceStable(rs, func(i, j int) bool {
		a, b := rs[i], rs[j]
		if a.Priority != b.Priority {
			return a.Priority > b.Priority
		}
		if a.Show.rank() != b.Show.rank() {
			return a.Show.rank() < b.Show.rank()
		}
		return a.Since.After(b.Since)
	})
}

// Roster is an account's contact list with presence. It is safe for
// concurrent use; readers get copies.
type Roster struct {
	mu       sync.RWMutex
	contacts map[string]*Contact
	ver      string
}

// NewRoster returns an empty roster.
func NewRoster() *Roster { return &Roster{contacts: map[string]*Contact{}} }

func clone(c *Contact) Contact {
	out := *c
	out.Groups = slices.Clone(c.Groups)
	out.Resources = slices.Clone(c.Resources)
	return out
}

// Contacts returns all contacts in the roster, sorted by availability then
// name (the order a roster window shows within a group).
func (r *Roster) Contacts() []Contact {
	r.mu.RLock()
	out := make([]Contact, 0, len(r.contacts))
	for _, c := range r.contacts {
		if c.InRoster {
			out = append(out, clone(c))
		}
	}
	r.mu.RUnlock()
	SortContacts(out)
	return out
}

// SortContacts sorts by availability (online first, chat before dnd), then
// by display name, case-insensitively, then by JID. Each contact's key is
// computed once, not at each comparison.
func SortContacts(cs []Contact) {
	type keyed struct {
		rank int
		name string
		jid  string
		i    int
	}
	keys := make([]keyed, len(cs))
	for i := range cs {
		keys[i] = keyed{cs[i].Show().rank(), strings.ToLower(cs[i].DisplayName()), cs[i].JID, i}
	}
	slices.SortFunc(keys, func(a, b keyed) int {
		if a.rank != b.rank {
			return a.rank - b.rank
		}
		if a.name != b.name {
			return strings.Compare(a.name, b.name)
		}
		return strings.Compare(a.jid, b.jid)
	})
	orig := slices.Clone(cs)
	for k, key := range keys {
		cs[k] = orig[key.i]
	}
}

// Groups returns the roster's groups, sorted; contacts without a group are
// not counted (the UI shows them under its own "Contacts" heading).
func (r *Roster) Groups() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	set := map[string]bool{}
	for _, c := range r.contacts {
		if c.InRoster {
			for _, g := range c.Groups {
				set[g] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for g := range set {
		out = append(out, g)
	}
	sort.Strings(out)
	return out
}

// Contact returns one contact (also one known only from presence).
func (r *Roster) Contact(jid string) (Contact, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	c, ok := r.contacts[jid]
	if !ok {
		return Contact{}, false
	}
	return clone(c), true
}

// Version is the XEP-0237 roster version of the content.
func (r *Roster) Version() string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.ver
}

func (r *Roster) get(jid string) *Contact {
	c := r.contacts[jid]
	if c == nil {
		c = &Contact{JID: jid, Subscription: SubNone}
		r.contacts[jid] = c
	}
	return c
}

// setItem applies a roster item (from a result or a push); it keeps the
// contact's presence.
func (r *Roster) setItem(jid, name string, groups []string, sub string, ask, approved bool) Contact {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.get(jid)
	c.Name, c.Groups, c.Subscription, c.PendingOut, c.Approved = name, slices.Clone(groups), sub, ask, approved
	if c.Subscription == "" {
		c.Subscription = SubNone
	}
	c.InRoster = true
	return clone(c)
}

// remove drops a contact from the roster (keeping a pending request).
func (r *Roster) remove(jid string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if c := r.contacts[jid]; c != nil {
		if c.PendingIn {
			c.InRoster, c.Name, c.Groups, c.Subscription, c.PendingOut = false, "", nil, SubNone, false
			c.Resources = nil
		} else {
			delete(r.contacts, jid)
		}
	}
}

// replace sets the whole roster (a full roster result or the cache),
// keeping presence and pending requests; it returns the JIDs that
// disappeared. Items are keyed by their normalised bare JID, whatever form
// the server (or an older cache) wrote them in; an item whose JID is not an
// address is dropped.
func (r *Roster) replace(items []Contact, ver string) (removed []string) {
	valid := make([]Contact, 0, len(items))
	for _, it := range items {
		if it.JID = xmpp.BareJID(it.JID); it.JID != "" {
			valid = append(valid, it)
		}
	}
	items = valid
	r.mu.Lock()
	keep := map[string]bool{}
	for _, it := range items {
		keep[it.JID] = true
	}
	var gone []string
	for jid, c := range r.contacts {
		if c.InRoster && !keep[jid] {
			gone = append(gone, jid)
		}
	}
	r.ver = ver
	r.mu.Unlock()
	for _, jid := range gone {
		r.remove(jid)
	}
	for _, it := range items {
		r.setItem(it.JID, it.Name, it.Groups, it.Subscription, it.PendingOut, it.Approved)
	}
	return gone
}

func (r *Roster) setVersion(v string) {
	r.mu.Lock()
	r.ver = v
	r.mu.Unlock()
}

// setPresence records a resource's presence (or its absence when
// unavailable) and returns the updated contact; presence from someone not
// in the roster is not tracked (ok false).
func (r *Roster) setPresence(jid string, res Resource, available bool) (Contact, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.contacts[jid]
	if c == nil || !c.InRoster {
		return Contact{}, false
	}
	c.Resources = slices.DeleteFunc(c.Resources, func(x Resource) bool { return x.Name == res.Name })
	if available {
		c.Resources = append(c.Resources, res)
		sortResources(c.Resources)
	}
	return clone(c), true
}

// clearPresence marks everyone offline (on disconnect).
func (r *Roster) clearPresence() []Contact {
	r.mu.Lock()
	defer r.mu.Unlock()
	var changed []Contact
	for _, c := range r.contacts {
		if len(c.Resources) > 0 {
			c.Resources = nil
			changed = append(changed, clone(c))
		}
	}
	return changed
}

func (r *Roster) setPendingIn(jid string, pending bool) Contact {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.get(jid)
	c.PendingIn = pending
	out := clone(c)
	if !pending && !c.InRoster {
		delete(r.contacts, jid)
	}
	return out
}

// cachedItem is the roster cache format.
type cachedItem struct {
	JID      string   `json:"jid"`
	Name     string   `json:"name,omitempty"`
	Groups   []string `json:"groups,omitempty"`
	Sub      string   `json:"sub,omitempty"`
	Ask      bool     `json:"ask,omitempty"`
	Approved bool     `json:"approved,omitempty"`
}

// marshalCache serialises the roster items (not presence) for the cache.
func (r *Roster) marshalCache() ([]byte, string) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	items := make([]cachedItem, 0, len(r.contacts))
	for _, c := range r.contacts {
		if c.InRoster {
			items = append(items, cachedItem{c.JID, c.Name, c.Groups, c.Subscription, c.PendingOut, c.Approved})
		}
	}
	sort.Slice(items, func(i, j int) bool { return items[i].JID < items[j].JID })
	b, _ := json.Marshal(items)
	return b, r.ver
}

func unmarshalCache(b []byte) ([]Contact, error) {
	var items []cachedItem
	if err := json.Unmarshal(b, &items); err != nil {
		return nil, err
	}
	out := make([]Contact, len(items))
	for i, it := range items {
		out[i] = Contact{JID: it.JID, Name: it.Name, Groups: it.Groups, Subscription: it.Sub, PendingOut: it.Ask, Approved: it.Approved, InRoster: true}
	}
	return out, nil
}
