package xmpp

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/text/secure/precis"
)

// JID is an XMPP address, localpart@domainpart/resourcepart (RFC 7622),
// parsed and normalised once: the localpart case-mapped (PRECIS
// UsernameCaseMapped), the domainpart lower-cased as an IDNA U-label (an
// IP literal as is), the resourcepart kept as written (PRECIS
// OpaqueString: only its width and composition are normalised). Two JIDs
// name the same entity exactly when they are ==. The zero JID is empty.
type JID struct {
	local, domain, resource string
}

// MaxJIDPartLen is the longest a localpart, domainpart or resourcepart
// may be, in bytes once normalised (RFC 7622 §3.2–3.4).
const MaxJIDPartLen = 1023

// JID parts, for JIDError.Part.
const (
	PartLocal    = "localpart"
	PartDomain   = "domainpart"
	PartResource = "resourcepart"
)

// ErrInvalidJID is what every JIDError matches with errors.Is.
var ErrInvalidJID = errors.New("xmpp: invalid address")

// JIDError says why an address is not a valid JID: which part is wrong
// (PartLocal, PartDomain, PartResource, or "" for the whole) and why.
type JIDError struct {
	JID    string
	Part   string
	Reason string
}

func (e *JIDError) Error() string {
	if e.Part == "" {
		return fmt.Sprintf("xmpp: invalid address %q: %s", e.JID, e.Reason)
	}
	return fmt.Sprintf("xmpp: invalid address %q: %s %s", e.JID, e.Part, e.Reason)
}

// Is makes errors.Is(err, ErrInvalidJID) true.
func (e *JIDError) Is(target error) bool { return target == ErrInvalidJID }

// domainProfile maps a domainpart for comparison: IDNA2008 lookup mapping
// (lower case, width), without STD3's ban on "_", which XMPP services use.
var domainProfile = idna.New(idna.MapForLookup(), idna.StrictDomainName(false), idna.Transitional(false))

// ParseJID parses and normalises s (RFC 7622 §3.1: the resourcepart
// begins after the first "/", the localpart ends at the first "@" before
// it).
func ParseJID(s string) (JID, error) {
	bad := func(part, reason string) (JID, error) {
		return JID{}, &JIDError{JID: s, Part: part, Reason: reason}
	}
	if s == "" {
		return bad("", "is empty")
	}
	if !utf8.ValidString(s) {
		return bad("", "is not valid UTF-8")
	}
	rest, resource, hasResource := strings.Cut(s, "/")
	local, domain, hasLocal := strings.Cut(rest, "@")
	if !hasLocal {
		local, domain = "", rest
	}
	var j JID
	var err error
	if hasLocal {
		if j.local, err = normLocal(local); err != nil {
			return bad(PartLocal, err.Error())
		}
	}
	if j.domain, err = normDomain(domain); err != nil {
		return bad(PartDomain, err.Error())
	}
	if hasResource {
		if j.resource, err = normResource(resource); err != nil {
			return bad(PartResource, err.Error())
		}
	}
	return j, nil
}

// localForbidden are the characters RFC 7622 §3.3.1 forbids in a
// localpart besides what PRECIS forbids.
const localForbidden = "\"&'/:<>@"

func normLocal(s string) (string, error) {
	if s == "" {
		return "", errors.New("is empty")
	}
	if i := strings.IndexAny(s, localForbidden); i >= 0 {
		return "", fmt.Errorf("contains %q", s[i])
	}
	out, err := precis.UsernameCaseMapped.String(s)
	if err != nil {
		return "", errors.New("contains a character not allowed there")
	}
	if len(out) > MaxJIDPartLen {
		return "", fmt.Errorf("is longer than %d bytes", MaxJIDPartLen)
	}
	return out, nil
}

func normDomain(s string) (string, error) {
	s = strings.TrimSuffix(s, ".") // RFC 7622 §3.2: a final dot is removed
	if s == "" {
		return "", errors.New("is empty")
	}
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		a, err := netip.ParseAddr(s[1 : len(s)-1])
		if err != nil || !a.Is6() {
			return "", errors.New("is not an IPv6 address")
		}
		return "[" + a.String() + "]", nil
	}
	if a, err := netip.ParseAddr(s); err == nil && a.Is4() {
		return a.String(), nil
	}
	out, err := domainProfile.ToUnicode(s)
	if err != nil || strings.ContainsAny(out, " @/[]") || slices.Contains(strings.Split(out, "."), "") {
		return "", errors.New("is not a valid domain name")
	}
	if len(out) > MaxJIDPartLen {
		return "", fmt.Errorf("is longer than %d bytes", MaxJIDPartLen)
	}
	return out, nil
}

func normResource(s string) (string, error) {
	if s == "" {
		return "", errors.New("is empty")
	}
	out, err := precis.OpaqueString.String(s)
	if err != nil {
		return "", errors.New("contains a character not allowed there")
	}
	if len(out) > MaxJIDPartLen {
		return "", fmt.Errorf("is longer than %d bytes", MaxJIDPartLen)
	}
	return out, nil
}

// Local is the localpart ("" for a server or service).
func (j JID) Local() string { return j.local }

// Domain is the domainpart.
func (j JID) Domain() string { return j.domain }

// Resource is the resourcepart ("" for a bare JID).
func (j JID) Resource() string { return j.resource }

// Bare is the JID without its resource.
func (j JID) Bare() JID { return JID{local: j.local, domain: j.domain} }

// IsBare reports whether the JID has no resource.
func (j JID) IsBare() bool { return j.resource == "" }

// IsZero reports whether the JID is empty (the zero value).
func (j JID) IsZero() bool { return j.domain == "" }

// DomainJID is the JID of the domain alone (the server).
func (j JID) DomainJID() JID { return JID{domain: j.domain} }

// WithResource is j with resource r (normalised; "" gives the bare JID).
func (j JID) WithResource(r string) (JID, error) {
	if r == "" {
		return j.Bare(), nil
	}
	res, err := normResource(r)
	if err != nil {
		return JID{}, &JIDError{JID: j.Bare().String() + "/" + r, Part: PartResource, Reason: err.Error()}
	}
	return JID{local: j.local, domain: j.domain, resource: res}, nil
}

// String is the JID as written on the wire ("" for the zero JID).
func (j JID) String() string {
	var b strings.Builder
	b.Grow(len(j.local) + len(j.domain) + len(j.resource) + 2)
	if j.local != "" {
		b.WriteString(j.local)
		b.WriteByte('@')
	}
	b.WriteString(j.domain)
	if j.resource != "" {
		b.WriteByte('/')
		b.WriteString(j.resource)
	}
	return b.String()
}

// BareJID is the normalised bare JID of s, or "" when s is not a valid
// JID: the key under which core files what comes from an address.
func BareJID(s string) string {
	j, err := ParseJID(s)
	if err != nil {
		return ""
	}
	return j.Bare().String()
}

// ResourceOf is the normalised resource of s ("" for a bare or invalid
// JID).
func ResourceOf(s string) string {
	j, err := ParseJID(s)
	if err != nil {
		return ""
	}
	return j.resource
}

// SameJID reports whether a and b are valid JIDs naming the same entity
// (the same full JID, or the same bare JID when both are bare).
func SameJID(a, b string) bool {
	ja, err := ParseJID(a)
	if err != nil {
		return false
	}
	jb, err := ParseJID(b)
	return err == nil && ja == jb
}

// SameBare reports whether a and b are valid JIDs with the same bare JID.
func SameBare(a, b string) bool {
	ja, err := ParseJID(a)
	if err != nil {
		return false
	}
	jb, err := ParseJID(b)
	return err == nil && ja.Bare() == jb.Bare()
}
