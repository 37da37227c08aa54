package roster

import (
	"slices"
	"sort"
	"strings"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
)

// AccountView is what the roster model needs of one account: a snapshot
// the main window keeps up to date from core events.
type AccountView struct {
	JID      string
	Name     string // display name, "" for the JID
	Contacts []core.Contact
	Requests []history.Request
	Unread   map[string]int // unread messages by contact JID
	// Rooms are the account's group chats: those it is in or entering,
	// and the bookmarked ones.
	Rooms []RoomView
	// PresenceKnown is true while the account is online. Before that
	// (connecting from the cache, reconnecting, offline) nobody's presence
	// is known, so "hide offline contacts" would hide everyone: the whole
	// roster is shown instead, greyed.
	PresenceKnown bool
}

// RoomView is a group chat in the roster.
type RoomView struct {
	JID, Name string // Name: the bookmark's, or "" for the JID
	Subject   string
	Joined    bool // we are in it now
	Occupants int
	Unread    int
	Mentions  int // unread messages that name us
}

// Label is the room's name in the roster: its bookmark's name, else the
// local part of its address.
func (r RoomView) Label() string {
	if r.Name != "" {
		return r.Name
	}
	if local, _, ok := strings.Cut(r.JID, "@"); ok && local != "" {
		return local
	}
	return r.JID
}

// Label is the account's name in the roster.
func (v AccountView) Label() string {
	if v.Name != "" {
		return v.Name
	}
	return v.JID
}

// NodeKind tells what a roster tree node is.
type NodeKind int

// The kinds of node.
const (
	NodeAccount  NodeKind = iota + 1 // one per account, only with several accounts
	NodeGroup                        // a roster group, or the ungrouped "Contacts"
	NodeContact                      // a contact in a group
	NodeRequests                     // the "Requests" section
	NodeRequest                      // one subscription request
	NodeRooms                        // an account's "Group chats" section
	NodeRoom                         // a group chat
)

// Node is one row of the roster tree.
type Node struct {
	Kind    NodeKind
	Account string
	Group   string // the group's name; "" is the ungrouped "Contacts"
	Label   string // account label for NodeAccount
	Contact core.Contact
	Request history.Request
	Room    RoomView
	Unread  int
	// Online and Total count a group's (or account's) contacts, whatever
	// the filter: the "(online/total)" of the branch label.
	Online, Total int
}

// Model is the tree the main window shows: node IDs (Fyne
// TreeNodeIDs) to their children and to what they show.
type Model struct {
	Children map[string][]string
	Nodes    map[string]*Node
	// Contacts counts the contacts in all accounts (0: the roster is empty,
	// not merely filtered).
	Contacts int
	// First is the first contact row shown (Enter in the filter opens it).
	First string
}

// Node IDs: a kind prefix and fields joined by a separator that no JID or
// group name contains in practice (U+001F, a control character).
const uidSep = "\x1f"

// RequestsUID is the node ID of the "Requests" section.
const RequestsUID = "requests"

// AccountUID is the node ID of an account's branch.
func AccountUID(acct string) string { return "a" + uidSep + acct }

// GroupUID is the node ID of a group of an account.
func GroupUID(acct, group string) string {
	return "g" + uidSep + acct + uidSep + group
}

// ContactUID is the node ID of a contact in one of its groups.
func ContactUID(acct, group, jid string) string {
	return "c" + uidSep + acct + uidSep + group + uidSep + jid
}

// RoomsUID is the node ID of an account's "Group chats" section.
func RoomsUID(acct string) string { return "m" + uidSep + acct }

// RoomUID is the node ID of a group chat of an account.
func RoomUID(acct, jid string) string { return "o" + uidSep + acct + uidSep + jid }

// RequestUID is the node ID of a subscription request to an account.
func RequestUID(acct, jid string) string { return "r" + uidSep + acct + uidSep + jid }

// IsBranch tells whether a node has children (even if none match now).
func (m *Model) IsBranch(uid string) bool {
	if uid == "" {
		return true
	}
	n := m.Nodes[uid]
	return n != nil && (n.Kind == NodeAccount || n.Kind == NodeGroup || n.Kind == NodeRequests || n.Kind == NodeRooms)
}

// matches tells whether a contact matches a lower-case filter (name or
// JID, as a substring).
func matches(c *core.Contact, filter string) bool {
	if filter == "" {
		return true
	}
	return strings.Contains(strings.ToLower(c.Name), filter) || strings.Contains(strings.ToLower(c.JID), filter)
}

// Build makes the roster tree of some accounts.
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
func Build(accounts []AccountView, filter string, showOffline bool) *Model {
	filter = strings.ToLower(strings.TrimSpace(filter))
	m := &Model{Children: map[string][]string{}, Nodes: map[string]*Node{}}
	var root []string

	nreq := 0
	for _, a := range accounts {
		for _, r := range a.Requests {
			uid := RequestUID(a.JID, r.From)
			if m.Nodes[uid] != nil {
				continue
			}
			m.Nodes[uid] = &Node{Kind: NodeRequest, Account: a.JID, Request: r}
			m.Children[RequestsUID] = append(m.Children[RequestsUID], uid)
			nreq++
		}
	}
	if nreq > 0 {
		m.Nodes[RequestsUID] = &Node{Kind: NodeRequests, Total: nreq}
		root = append(root, RequestsUID)
	}

	multi := len(accounts) > 1
	for _, a := range accounts {
		parent := ""
		if multi {
			parent = AccountUID(a.JID)
			m.Nodes[parent] = &Node{Kind: NodeAccount, Account: a.JID, Label: a.Label()}
			root = append(root, parent)
		}
		acctNode := m.Nodes[parent]
		if len(a.Rooms) > 0 {
			// The account's group chats, first: they are few, and
			// busy.
			sec := RoomsUID(a.JID)
			node := &Node{Kind: NodeRooms, Account: a.JID, Total: len(a.Rooms)}
			for _, r := range a.Rooms {
				if r.Joined {
					node.Online++
				}
				if filter != "" && !strings.Contains(strings.ToLower(r.Label()), filter) && !strings.Contains(r.JID, filter) {
					continue
				}
				uid := RoomUID(a.JID, r.JID)
				m.Nodes[uid] = &Node{Kind: NodeRoom, Account: a.JID, Room: r, Unread: r.Unread}
				m.Children[sec] = append(m.Children[sec], uid)
			}
			if len(m.Children[sec]) > 0 {
				m.Nodes[sec] = node
				m.Children[parent] = append(m.Children[parent], sec)
			}
		}
		contacts := slices.Clone(a.Contacts)
		core.SortContacts(contacts)
		type groupAcc struct {
			node *Node
			kids []string
		}
		groups := map[string]*groupAcc{}
		var names []string
		hasUngrouped := false
		group := func(g string) *groupAcc {
			ga := groups[g]
			if ga == nil {
				ga = &groupAcc{node: &Node{Kind: NodeGroup, Account: a.JID, Group: g}}
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
			m.Contacts++
			online := c.Online()
			unread := a.Unread[c.JID]
			show := matches(c, filter) && (showOffline || online || unread > 0 || !a.PresenceKnown || filter != "")
			if acctNode != nil {
				acctNode.Total++
				if online {
					acctNode.Online++
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
				ga.node.Total++
				if online {
					ga.node.Online++
				}
				if show {
					uid := ContactUID(a.JID, g, c.JID)
					m.Nodes[uid] = &Node{Kind: NodeContact, Account: a.JID, Group: g, Contact: *c, Unread: unread}
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
			uid := GroupUID(a.JID, g)
			m.Nodes[uid] = ga.node
			m.Children[uid] = ga.kids
			m.Children[parent] = append(m.Children[parent], uid)
			if m.First == "" {
				m.First = ga.kids[0]
			}
		}
	}
	if multi || nreq > 0 {
		// The account branches (or, with one account, its groups) follow
		// the requests section.
		if !multi {
			root = append(root, m.Children[""]...)
		}
		m.Children[""] = root
	}
	return m
}

func slicesContains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
