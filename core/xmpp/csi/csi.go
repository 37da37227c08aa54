// Package csi implements XEP-0352: Client State Indication: telling our
// server whether the user is looking (active) or not (inactive), so that
// it can hold back what is not urgent (presence changes, chat states)
// while nobody looks, and save the bandwidth and wake-ups they cost.
//
// A stream begins active, and a resumed one too (§5.2): a client that
// stays inactive says so again after each.
package csi

import (
	"encoding/xml"

	"github.com/causerie/causerie/core/xmpp"
)

// NS is the protocol's namespace; a server that offers it lists
// <csi xmlns='urn:xmpp:csi:0'/> in its stream features after login.
const NS = "urn:xmpp:csi:0"

// Offered reports whether the server of c offers client state indication.
func Offered(c *xmpp.Conn) bool { return c.HasFeature(NS, "csi") }

// Indication is <active/> or <inactive/>: a nonza, not a stanza (no id,
// no answer, not counted by stream management).
type Indication struct {
	XMLName xml.Name
}

// State is the indication for active or inactive.
func State(active bool) Indication {
	local := "inactive"
	if active {
		local = "active"
	}
	return Indication{XMLName: xml.Name{Space: NS, Local: local}}
}

// Send tells our server over c whether the user is active.
func Send(c *xmpp.Conn, active bool) error { return c.SendNonza(State(active)) }
