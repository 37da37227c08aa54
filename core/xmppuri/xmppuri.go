// Package xmppuri parses xmpp: URIs (RFC 5122) and their query actions
// (XEP-0147: XMPP URI Scheme Query Components), such as
// xmpp:romeo@montague.net?message;subject=Hi;body=Hello.
//
// Only what a client acts on is kept: the JID (a node@domain/resource
// address, percent-decoded and checked), the action (the first query
// component: message, subscribe, roster, join, remove, unsubscribe, ...;
// "" when there is none) and its key=value parameters. Authority
// components (xmpp://guest@example.com/...) name the account to act with
// and are reported, not trusted.
package xmppuri

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/causerie/causerie/core/xmpp"
)

// URI is a parsed xmpp: URI.
type URI struct {
	// Account is the authority's JID (xmpp://account/target), "" when
	// the URI has none.
	Account string
	// JID is the target address, percent-decoded.
	JID string
	// Action is the query type (XEP-0147), lower-cased; "" for none.
	Action string
	// Params are the action's key=value pairs (the first value of a key).
	Params map[string]string
}

// Errors of Parse.
var (
	ErrNotXMPP   = errors.New("xmppuri: not an xmpp: URI")
	ErrNoAddress = errors.New("xmppuri: no address")
	ErrAddress   = errors.New("xmppuri: not a valid address")
	ErrTooLong   = errors.New("xmppuri: too long")
)

// MaxLen bounds the URIs Parse accepts (they arrive from other programs).
const MaxLen = 8192

// Parse reads an xmpp: URI.
func Parse(s string) (URI, error) {
	s = strings.TrimSpace(s)
	if len(s) > MaxLen {
		return URI{}, ErrTooLong
	}
	scheme, rest, ok := strings.Cut(s, ":")
	if !ok || !strings.EqualFold(scheme, "xmpp") {
		return URI{}, ErrNotXMPP
	}
	if frag := strings.IndexByte(rest, '#'); frag >= 0 {
		rest = rest[:frag]
	}
	path, query, _ := strings.Cut(rest, "?")
	var u URI
	if auth, ok := strings.CutPrefix(path, "//"); ok {
		// xmpp://account@host/target: the authority is the account.
		account, target, _ := strings.Cut(auth, "/")
		a, err := decodeJID(account)
		if err != nil {
			return URI{}, fmt.Errorf("%w (account): %w", ErrAddress, err)
		}
		u.Account = a
		path = target
	}
	if path == "" {
		return URI{}, ErrNoAddress
	}
	jid, err := decodeJID(path)
	if err != nil {
		return URI{}, err
	}
	u.JID = jid
	u.Params = map[string]string{}
	if query != "" {
		parts := strings.Split(query, ";")
		if strings.Contains(parts[0], "=") {
			// No query type, parameters alone: OMEMO's fingerprints
			// (xmpp:jid?omemo-sid-<id>=<hex>, as Conversations writes
			// them).
			parts = append([]string{""}, parts...)
		} else {
			u.Action = strings.ToLower(parts[0])
			if !validAction(u.Action) {
				return URI{}, fmt.Errorf("xmppuri: bad query type %q", parts[0])
			}
		}
		for _, p := range parts[1:] {
			if p == "" {
				continue
			}
			k, v, _ := strings.Cut(p, "=")
			dk, err1 := url.PathUnescape(k)
			dv, err2 := url.PathUnescape(v)
			if err1 != nil || err2 != nil {
				return URI{}, fmt.Errorf("xmppuri: bad parameter %q", p)
			}
			if _, dup := u.Params[dk]; !dup {
				u.Params[dk] = dv
			}
		}
	}
	return u, nil
}

func validAction(a string) bool {
	if a == "" {
		return false
	}
	for _, r := range a {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// decodeJID percent-decodes, checks and normalises a JID (RFC 7622,
// through xmpp.ParseJID).
func decodeJID(s string) (string, error) {
	j, err := url.PathUnescape(s)
	if err != nil {
		return "", fmt.Errorf("%w: %q", ErrAddress, s)
	}
	p, err := xmpp.ParseJID(j)
	if err != nil {
		return "", fmt.Errorf("%w: %q", ErrAddress, j)
	}
	return p.String(), nil
}

// Bare is the JID without its resource.
func (u URI) Bare() string { return xmpp.BareJID(u.JID) }

// OMEMOFingerprints are the OMEMO devices the URI vouches for
// (omemo-sid-<device id>=<identity key in hexadecimal>, XEP-0384 as
// Conversations, Dino and Gajim show it in a QR code): device id →
// fingerprint, 64 lower-case hex digits (the key's 32 bytes). Parameters
// that are not well formed are left out.
func (u URI) OMEMOFingerprints() map[uint32]string {
	out := map[uint32]string{}
	for k, v := range u.Params {
		id, ok := strings.CutPrefix(k, "omemo-sid-")
		if !ok {
			continue
		}
		n, err := strconv.ParseUint(id, 10, 32)
		v = strings.ToLower(v)
		if err != nil || n == 0 || n >= 1<<31 || len(v) != 64 || strings.Trim(v, "0123456789abcdef") != "" {
			continue
		}
		out[uint32(n)] = v
	}
	return out
}
