package ui

import (
	"sort"
	"strconv"
	"strings"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
)

// accountView is what the roster model needs of one account: a snapshot
// the main window keeps up to date from core events.
type accountView struct {
	JID      string
	Name     string // display name, "" for the JID
	Contacts []core.Contact
	Requests []history.Request
	Unread   map[string]int // unread messages by contact JID
	// PresenceKnown is true while the account is online. Before that
	// (connecting from the cache, reconnecting, offline) nobody's presence
	// is known, so "hide offline contacts" would hide everyone: the whole
	// roster is shown instead, greyed.
	PresenceKnown bool
}

// label is the account's name in the roster.
func (v accountView) label() string {
	if v.Name != "" {
		return v.Name
	}
	return v.JID
}

// nodeKind tells what a roster tree node is.
type nodeKind int

const (
	nodeAccount  nodeKind = iota + 1 // one per account, only with several accounts
	nodeGroup                        // a roster group, or the ungrouped "Contacts"
	nodeContact                      // a contact in a group
	nodeRequests                     // the "Requests" section
	nodeRequest                      // one subscription request
)

// rosterNode is one row of the roster tree.
type rosterNode struct {
	kind    nodeKind
	account string
	group   string // the group's name; "" is the ungrouped "Contacts"
	label   string // account label for nodeAccount
	contact core.Contact
	request history.Request
	unread  int
	// online and total count a group's (or account's) contacts, whatever
	// the filter: the "(online/total)" of the branch label.
	online, total int
}

// rosterModel is the tree the main window shows: node IDs (Fyne
// TreeNodeIDs) to their children and to what they show.
type rosterModel struct {
	children map[string][]string
	nodes    map[string]*rosterNode
	// contacts counts the contacts in all accounts (0: the roster is empty,
	// not merely filtered).
	contacts int
	// first is the first contact row shown (Enter in the filter opens it).
	first string
}

// Node IDs: a kind prefix and fields joined by a separator that no JID or
// group name contains in practice (U+001F, a control character).
const uidSep = "\x1f"

const requestsUID = "requests"

func accountUID(acct string) string { return "a" + uidSep + acct }
func groupUID(acct, group string) string {
	return "g" + uidSep + acct + uidSep + group
}
func contactUID(acct, group, jid string) string {
	return "c" + uidSep + acct + uidSep + group + uidSep + jid
}
func requestUID(acct, jid string) string { return "r" + uidSep + acct + uidSep + jid }

// isBranch tells whether a node has children (even if none match now).
func (m *rosterModel) isBranch(uid string) bool {
	if uid == "" {
		return true
	}
	n := m.nodes[uid]
	return n != nil && (n.kind == nodeAccount || n.kind == nodeGroup || n.kind == nodeRequests)
}

// matches tells whether a contact matches a lower-case filter (name or
// JID, as a substring).
func matches(c *core.Contact, filter string) bool {
	if filter == "" {
		return true
	}
	return strings.Contains(strings.ToLower(c.Name), filter) || strings.Contains(strings.ToLower(c.JID), filter)
}

// buildRosterModel makes the roster tree of some accounts.
//
// Layout: a "Requests" section first when subscription requests wait for
// an answer (whatever the filter: they need one). Then, with one account,
// its groups at the top level; with several accounts, one top-level branch
// per account holding that account's groups. Keeping accounts apart, as
// Gajim does by default, shows which account a contact (and so the chat
// that opens from it) belongs to, keeps two accounts' same-named groups
// (a "Family" at work and at home) from merging into one ambiguous list,
// and puts each account's own connection in context; with a single
// account the extra level would only cost a click.
//
// Groups are sorted by name (case-insensitively), the ungrouped "Contacts"
// last; a contact in several groups appears in each. Within a group the
// order is core.SortContacts (availability, then name). A contact is shown
// when it matches the filter (name or JID, case-insensitive substring)
// and, unless showOffline, when it is online, has unread messages, or the
// account's presence is not known yet; a non-empty filter shows matching
// offline contacts too (one searches for someone whatever their presence).
// Groups with no contact shown are left out.
func buildRosterModel(accounts []accountView, filter string, showOffline bool) *rosterModel {
	filter = strings.ToLower(strings.TrimSpace(filter))
	m := &rosterModel{children: map[string][]string{}, nodes: map[string]*rosterNode{}}
	var root []string

	nreq := 0
	for _, a := range accounts {
		for _, r := range a.Requests {
			uid := requestUID(a.JID, r.From)
			if m.nodes[uid] != nil {
				continue
			}
			m.nodes[uid] = &rosterNode{kind: nodeRequest, account: a.JID, request: r}
			m.children[requestsUID] = append(m.children[requestsUID], uid)
			nreq++
		}
	}
	if nreq > 0 {
		m.nodes[requestsUID] = &rosterNode{kind: nodeRequests, total: nreq}
		root = append(root, requestsUID)
	}

	multi := len(accounts) > 1
	for _, a := range accounts {
		parent := ""
		if multi {
			parent = accountUID(a.JID)
			m.nodes[parent] = &rosterNode{kind: nodeAccount, account: a.JID, label: a.label()}
			root = append(root, parent)
		}
		acctNode := m.nodes[parent]
		contacts := sortedContacts(a.Contacts)
		type groupAcc struct {
			node *rosterNode
			kids []string
		}
		groups := map[string]*groupAcc{}
		var names []string
		hasUngrouped := false
		group := func(g string) *groupAcc {
			ga := groups[g]
			if ga == nil {
				ga = &groupAcc{node: &rosterNode{kind: nodeGroup, account: a.JID, group: g}}
				groups[g] = ga
				if g == "" {
					hasUngrouped = true
				} else {
					names = append(names, g)
				}
			}
			return ga
		}
		for i := range contacts {
			c := &contacts[i]
			if !c.InRoster {
				continue
			}
			m.contacts++
			online := c.Online()
			unread := a.Unread[c.JID]
			show := matches(c, filter) && (showOffline || online || unread > 0 || !a.PresenceKnown || filter != "")
			if acctNode != nil {
				acctNode.total++
				if online {
					acctNode.online++
				}
			}
			gs := c.Groups
			if len(gs) == 0 {
				gs = []string{""}
			}
			for k, g := range gs {
				if slicesContains(gs[:k], g) {
					continue // a group listed twice
				}
				ga := group(g)
				ga.node.total++
				if online {
					ga.node.online++
				}
				if show {
					uid := contactUID(a.JID, g, c.JID)
					m.nodes[uid] = &rosterNode{kind: nodeContact, account: a.JID, group: g, contact: *c, unread: unread}
					ga.kids = append(ga.kids, uid)
				}
			}
		}
		sort.Slice(names, func(i, j int) bool {
			li, lj := strings.ToLower(names[i]), strings.ToLower(names[j])
			if li != lj {
				return li < lj
			}
			return names[i] < names[j]
		})
		if hasUngrouped {
			names = append(names, "")
		}
		for _, g := range names {
			ga := groups[g]
			if len(ga.kids) == 0 {
				continue
			}
			uid := groupUID(a.JID, g)
			m.nodes[uid] = ga.node
			m.children[uid] = ga.kids
			m.children[parent] = append(m.children[parent], uid)
			if m.first == "" {
				m.first = ga.kids[0]
			}
		}
	}
	if multi || nreq > 0 {
		// The account branches (or, with one account, its groups) follow
		// the requests section.
		if !multi {
			root = append(root, m.children[""]...)
		}
		m.children[""] = root
	}
	return m
}

// showRank is core.SortContacts' availability order, learnt from core
// once (by sorting one contact per availability) rather than copied.
var showRank = func() map[core.Show]int {
	shows := []core.Show{core.ShowOffline, core.ShowXA, core.ShowDND, core.ShowAway, core.ShowAvailable, core.ShowChat}
	cs := make([]core.Contact, len(shows))
	for i, sh := range shows {
		cs[i] = core.Contact{JID: strconv.Itoa(i), Name: "x"}
		if sh != core.ShowOffline {
			cs[i].Resources = []core.Resource{{Show: sh}}
		}
	}
	core.SortContacts(cs)
	rank := map[core.Show]int{}
	for i, c := range cs {
		rank[c.Show()] = i
	}
	return rank
}()

func rankOf(s core.Show) int {
	if r, ok := showRank[s]; ok {
		return r
	}
	return showRank[core.ShowOffline]
}

// sortedContacts returns a copy of cs in core.SortContacts order
// (availability, then display name case-insensitively, then JID),
// computing each contact's key once: core.SortContacts lowers both names
// on every comparison, which is most of a 1,000-contact rebuild.
func sortedContacts(cs []core.Contact) []core.Contact {
	type keyed struct {
		rank int
		name string
		i    int
	}
	keys := make([]keyed, len(cs))
	for i := range cs {
		keys[i] = keyed{rankOf(cs[i].Show()), strings.ToLower(cs[i].DisplayName()), i}
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := &keys[i], &keys[j]
		if a.rank != b.rank {
			return a.rank < b.rank
		}
		if a.name != b.name {
			return a.name < b.name
		}
		return cs[a.i].JID < cs[b.i].JID
	})
	out := make([]core.Contact, len(cs))
	for k, key := range keys {
		out[k] = cs[key.i]
	}
	return out
}

func slicesContains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
