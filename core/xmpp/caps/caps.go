// Package caps implements XEP-0115: Entity Capabilities: the <c/>
// presence extension, the verification string of §5 (identities,
// features and XEP-0128 extension forms hashed with SHA-1 or another IANA
// hash), its checking, a cache of verified disco#info results keyed by
// verification string, and answering disco#info requests at our own
// node#ver.
//
// Importing this package registers [Caps] as the stanza package's presence
// extension for <c xmlns='http://jabber.org/protocol/caps'/>.
package caps

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"hash"
	"sort"
	"strings"

	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/dataform"
	"github.com/causerie/causerie/core/xmpp/disco"
	"gosrc.io/xmpp/stanza"
)

// NS is the entity capabilities namespace (also the disco feature).
const NS = "http://jabber.org/protocol/caps"

// HashSHA1 is the mandatory-to-implement hash (XEP-0115 §8.1), named as
// in the IANA hash function textual names registry.
const HashSHA1 = "sha-1"

func init() {
	stanza.TypeRegistry.MapExtension(stanza.PKTPresence, xml.Name{Space: NS, Local: "c"}, Caps{})
}

// Caps is <c xmlns='http://jabber.org/protocol/caps'/>. Hash is empty in
// the legacy format (XEP-0115 before 1.4), whose Ver cannot be verified;
// Ext is the legacy, deprecated list of feature bundles.
type Caps struct {
	XMLName xml.Name // set when decoded
	Hash    string
	Node    string
	Ver     string
	Ext     string
}

// UnmarshalXML reads the element's attributes; children are ignored.
func (c *Caps) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	*c = Caps{XMLName: start.Name}
	for _, a := range start.Attr {
		if a.Name.Space != "" {
			continue
		}
		switch a.Name.Local {
		case "hash":
			c.Hash = a.Value
		case "node":
			c.Node = a.Value
		case "ver":
			c.Ver = a.Value
		case "ext":
			c.Ext = a.Value
		}
	}
	return d.Skip()
}

// MarshalXML writes the element.
func (c *Caps) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	start := xml.StartElement{Name: xml.Name{Space: NS, Local: "c"}}
	for _, a := range []struct{ k, v string }{{"hash", c.Hash}, {"node", c.Node}, {"ver", c.Ver}, {"ext", c.Ext}} {
		if a.v != "" || a.k == "node" || a.k == "ver" {
			start.Attr = append(start.Attr, xml.Attr{Name: xml.Name{Local: a.k}, Value: a.v})
		}
	}
	return e.EncodeElement("", start)
}

// DiscoNode is the disco#info node at which the entity describes this
// verification string: node#ver (XEP-0115 §6.2).
func (c *Caps) DiscoNode() string { return c.Node + "#" + c.Ver }

// New builds the <c/> to add to our presence: node identifies the software
// (e.g. its web site), ver is Ver(info) with SHA-1.
func New(node string, info disco.Info) *Caps {
	return &Caps{Hash: HashSHA1, Node: node, Ver: Ver(info)}
}

// FromPresence returns the presence's <c/>, or nil.
func FromPresence(p *stanza.Presence) *Caps {
	if p == nil {
		return nil
	}
	for _, ext := range p.Extensions {
		if c, ok := ext.(*Caps); ok {
			return c
		}
	}
	return nil
}

// newHash returns the hash function for an IANA textual name, or nil.
func newHash(name string) func() hash.Hash {
	switch strings.ToLower(name) {
	case "sha-1":
		return sha1.New
	case "sha-224":
		return sha256.New224
	case "sha-256":
		return sha256.New
	case "sha-384":
		return sha512.New384
	case "sha-512":
		return sha512.New
	}
	return nil
}

// HashSupported reports whether Hash and Verify know this hash function.
func HashSupported(name string) bool { return newHash(name) != nil }

// ErrUnsupportedHash: the hash function is not one of sha-1, sha-224,
// sha-256, sha-384, sha-512.
var ErrUnsupportedHash = errors.New("caps: unsupported hash function")

// Ver is the SHA-1 verification string of info (XEP-0115 §5.1).
func Ver(info disco.Info) string {
	v, _ := Hash(info, HashSHA1)
	return v
}

// Hash computes the verification string of info with the named hash
// function (XEP-0115 §5.1): S is built from the identities
// ("category/type/lang/name<", sorted), the features (sorted, each followed
// by '<') and the XEP-0128 forms that have a hidden FORM_TYPE field (sorted
// by FORM_TYPE; FORM_TYPE, then each other field's var and sorted values,
// each followed by '<'); ver is the base64 of the hash of S. Sorting is by
// octets ("i;octet"). Forms without a hidden FORM_TYPE are ignored (§5.4).
func Hash(info disco.Info, name string) (string, error) {
	h := newHash(name)
	if h == nil {
		return "", ErrUnsupportedHash
	}
	d := h()
	d.Write([]byte(verString(&info)))
	return base64.StdEncoding.EncodeToString(d.Sum(nil)), nil
}

func identityString(id disco.Identity) string {
	return id.Category + "/" + id.Type + "/" + id.Lang + "/" + id.Name
}

// formType returns a form's FORM_TYPE value when the form takes part in
// the verification string: it has a FORM_TYPE field of type hidden.
func formType(f *dataform.Form) (string, bool) {
	fl := f.Field("FORM_TYPE")
	if fl == nil || fl.Type != dataform.Hidden || len(fl.Values) == 0 {
		return "", false
	}
	return fl.Values[0], true
}

func verString(info *disco.Info) string {
	var b strings.Builder
	ids := make([]string, len(info.Identities))
	for i, id := range info.Identities {
		ids[i] = identityString(id)
	}
	sort.Strings(ids)
	for _, s := range ids {
		b.WriteString(s)
		b.WriteByte('<')
	}
	feats := append([]string(nil), info.Features...)
	sort.Strings(feats)
	for _, f := range feats {
		b.WriteString(f)
		b.WriteByte('<')
	}
	type form struct {
		typ string
		f   *dataform.Form
	}
	var forms []form
	for i := range info.Forms {
		if t, ok := formType(&info.Forms[i]); ok {
			forms = append(forms, form{t, &info.Forms[i]})
		}
	}
	sort.SliceStable(forms, func(i, j int) bool { return forms[i].typ < forms[j].typ })
	for _, f := range forms {
		b.WriteString(f.typ)
		b.WriteByte('<')
		fields := make([]dataform.Field, 0, len(f.f.Fields))
		for _, fl := range f.f.Fields {
			if fl.Var != "FORM_TYPE" {
				fields = append(fields, fl)
			}
		}
		sort.SliceStable(fields, func(i, j int) bool { return fields[i].Var < fields[j].Var })
		for _, fl := range fields {
			b.WriteString(fl.Var)
			b.WriteByte('<')
			vals := append([]string(nil), fl.Values...)
			sort.Strings(vals)
			for _, v := range vals {
				b.WriteString(v)
				b.WriteByte('<')
			}
		}
	}
	return b.String()
}

// WellFormed checks the rules XEP-0115 §5.4 sets for a disco#info result
// before its hash may be trusted: no two identities with the same
// category/type/lang/name, no repeated feature, no two forms with the same
// FORM_TYPE, and no FORM_TYPE field with different values.
func WellFormed(info disco.Info) error {
	seen := map[string]bool{}
	for _, id := range info.Identities {
		k := identityString(id)
		if seen[k] {
			return errors.New("caps: duplicate identity " + k)
		}
		seen[k] = true
	}
	seen = map[string]bool{}
	for _, f := range info.Features {
		if seen[f] {
			return errors.New("caps: duplicate feature " + f)
		}
		seen[f] = true
	}
	seen = map[string]bool{}
	for i := range info.Forms {
		fl := info.Forms[i].Field("FORM_TYPE")
		if fl == nil {
			continue
		}
		for _, v := range fl.Values {
			if v != fl.Values[0] {
				return errors.New("caps: FORM_TYPE with different values")
			}
		}
		if len(fl.Values) == 0 {
			continue
		}
		if seen[fl.Values[0]] {
			return errors.New("caps: duplicate form " + fl.Values[0])
		}
		seen[fl.Values[0]] = true
	}
	return nil
}

// Verify reports whether info is well formed and hashes to ver with the
// named hash function (XEP-0115 §5.4). An unsupported or missing hash
// (the legacy format) never verifies.
func Verify(info disco.Info, ver, hashName string) bool {
	if WellFormed(info) != nil {
		return false
	}
	got, err := Hash(info, hashName)
	return err == nil && got == ver
}

// Answer answers iq if it is a disco#info get for our own entity: with no
// node, or at node#ver (the caps node of [New](node, info)). It answers
// with info, echoing the requested node; a get at any other node is
// answered with item-not-found. It reports whether iq was a disco#info
// request; other IQs are left to the caller.
func Answer(c *xmpp.Conn, iq *stanza.IQ, node string, info disco.Info) bool {
	return answer(c, iq, node+"#"+Ver(info), info)
}

func answer(c *xmpp.Conn, iq *stanza.IQ, capsNode string, info disco.Info) bool {
	q, ok := iq.Payload.(*disco.Info)
	if !ok {
		return false
	}
	switch {
	case iq.Type != stanza.IQTypeGet:
		c.SendError(iq, "cancel", "bad-request")
	case q.Node == "" || q.Node == capsNode:
		out := info
		out.XMLName = xml.Name{}
		out.Node = q.Node
		c.SendResult(iq, &out)
	default:
		c.SendError(iq, "cancel", "item-not-found")
	}
	return true
}

// Handler is a function for xmpp.Mux.HandleIQFunc(disco.NSInfo, "query",
// ...) answering disco#info requests with info (see Answer). Register it
// again with the new info whenever our features change, and send a new
// presence with New(node, info).
func Handler(node string, info disco.Info) func(*xmpp.Conn, *stanza.IQ) {
	capsNode := node + "#" + Ver(info)
	return func(c *xmpp.Conn, iq *stanza.IQ) {
		if !answer(c, iq, capsNode, info) {
			c.SendError(iq, "modify", "bad-request")
		}
	}
}
