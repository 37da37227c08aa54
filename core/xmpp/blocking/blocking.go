// Package blocking implements XEP-0191: Blocking Command: fetching the
// account's block list, blocking and unblocking addresses, and reading the
// block and unblock pushes the server sends to every session that fetched
// the list, so that a client keeps its copy in sync.
//
// A blocked address may be a full JID, a bare JID, a domain/resource or a
// domain (XEP-0191 §4 JID matching); the server applies the block.
//
// Importing this package registers [Command] as the stanza package's
// payload for <blocklist/>, <block/> and <unblock/> in urn:xmpp:blocking.
package blocking

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"strings"

	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/disco"
	"gosrc.io/xmpp/stanza"
)

// NS is the blocking command namespace (also the disco feature).
const NS = "urn:xmpp:blocking"

// NSErrors qualifies the <blocked/> application error a server adds to a
// not-acceptable error when we send to an address we blocked.
const NSErrors = "urn:xmpp:blocking:errors"

// The three payload element names.
const (
	KindList    = "blocklist"
	KindBlock   = "block"
	KindUnblock = "unblock"
)

func init() {
	for _, k := range []string{KindList, KindBlock, KindUnblock} {
		stanza.TypeRegistry.MapExtension(stanza.PKTIQ, xml.Name{Space: NS, Local: k}, Command{})
	}
}

// ErrNoJIDs: Block was called without any address (the server would
// answer bad-request).
var ErrNoJIDs = errors.New("blocking: nothing to block")

// Command is a <blocklist/>, <block/> or <unblock/> payload (Kind) with its
// items' addresses in document order.
type Command struct {
	XMLName xml.Name // set when decoded; XMLName.Local is the kind
	Kind    string   // KindList, KindBlock or KindUnblock
	JIDs    []string
}

func (*Command) Namespace() string         { return NS }
func (*Command) GetSet() *stanza.ResultSet { return nil }

// UnmarshalXML reads the command; items without a jid and unknown
// children are skipped.
func (c *Command) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	*c = Command{XMLName: start.Name, Kind: start.Name.Local}
	return xmpp.EachChild(d, func(t xml.StartElement) (bool, error) {
		if t.Name.Space != NS || t.Name.Local != "item" {
			return false, nil
		}
		for _, a := range t.Attr {
			if a.Name.Space == "" && a.Name.Local == "jid" {
				if j := strings.TrimSpace(a.Value); j != "" {
					c.JIDs = append(c.JIDs, j)
				}
			}
		}
		return false, nil
	})
}

// MarshalXML writes the command.
func (c *Command) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	kind := c.Kind
	if kind == "" {
		kind = c.XMLName.Local
	}
	if kind == "" {
		kind = KindList
	}
	start := xml.StartElement{Name: xml.Name{Space: NS, Local: kind}}
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	for _, j := range c.JIDs {
		item := xml.StartElement{Name: xml.Name{Local: "item"}, Attr: []xml.Attr{{Name: xml.Name{Local: "jid"}, Value: j}}}
		if err := e.EncodeElement("", item); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

// Supported reports whether a server's disco#info advertises the blocking
// command.
func Supported(info *disco.Info) bool { return info.Has(NS) }

// Request builds the IQ for a command: a get for KindList, a set for
// KindBlock and KindUnblock. It has no 'to': our own server handles it.
func Request(kind string, jids ...string) *stanza.IQ {
	typ := stanza.IQTypeSet
	if kind == KindList {
		typ = stanza.IQTypeGet
	}
	return &stanza.IQ{XMLName: xml.Name{Local: "iq"}, Attrs: stanza.Attrs{Type: typ},
		Payload: &Command{Kind: kind, JIDs: jids}}
}

// List fetches the block list. Fetching it also subscribes this session
// to block and unblock pushes (XEP-0191 §3.3), so fetch it before relying
// on ParsePush.
func List(ctx context.Context, c *xmpp.Conn) ([]string, error) {
	reply, err := c.SendIQ(ctx, Request(KindList))
	if err != nil {
		return nil, fmt.Errorf("blocking: list: %w", err)
	}
	cmd, ok := reply.Payload.(*Command)
	if !ok || cmd.Kind != KindList {
		return nil, errors.New("blocking: list: the result carries no block list")
	}
	if cmd.JIDs == nil {
		return []string{}, nil
	}
	return cmd.JIDs, nil
}

// Block blocks communication with each address. At least one is needed.
func Block(ctx context.Context, c *xmpp.Conn, jids ...string) error {
	if len(jids) == 0 {
		return ErrNoJIDs
	}
	if _, err := c.SendIQ(ctx, Request(KindBlock, jids...)); err != nil {
		return fmt.Errorf("blocking: block: %w", err)
	}
	return nil
}

// Unblock unblocks each address; with none, it unblocks everyone
// (XEP-0191 §3.5).
func Unblock(ctx context.Context, c *xmpp.Conn, jids ...string) error {
	if _, err := c.SendIQ(ctx, Request(KindUnblock, jids...)); err != nil {
		return fmt.Errorf("blocking: unblock: %w", err)
	}
	return nil
}

// Push is a block or unblock push from our server.
type Push struct {
	Block bool     // true: JIDs were blocked; false: unblocked
	JIDs  []string // empty in an unblock push: everyone was unblocked
}

// All reports an "unblock all" push.
func (p Push) All() bool { return !p.Block && len(p.JIDs) == 0 }

// ParsePush checks and reads a block or unblock push: an IQ set from no
// one, our bare JID or our server's domain. Anything else is not a push
// (ok false) and must not change the list: another entity could otherwise
// unblock addresses for us. The caller answers an accepted push with
// c.SendResult(iq, nil), and a rejected one with an error.
func ParsePush(c *xmpp.Conn, iq *stanza.IQ) (p Push, ok bool) {
	return parsePush(c.JID(), iq)
}

func parsePush(self string, iq *stanza.IQ) (Push, bool) {
	if iq == nil || iq.Type != stanza.IQTypeSet || !fromSelf(self, iq.From) {
		return Push{}, false
	}
	cmd, ok := iq.Payload.(*Command)
	if !ok {
		return Push{}, false
	}
	switch cmd.Kind {
	case KindBlock:
		if len(cmd.JIDs) == 0 {
			return Push{}, false
		}
		return Push{Block: true, JIDs: cmd.JIDs}, true
	case KindUnblock:
		return Push{JIDs: cmd.JIDs}, true
	}
	return Push{}, false
}

func fromSelf(self, from string) bool {
	if from == "" {
		return true
	}
	me, err := xmpp.ParseJID(self)
	f, ferr := xmpp.ParseJID(from)
	return err == nil && ferr == nil && (f == me.Bare() || f == me.DomainJID())
}

// Apply returns the block list after a push: blocked addresses appended
// unless already listed, unblocked ones removed, or an empty list after
// "unblock all". list is not modified.
func Apply(list []string, p Push) []string {
	if p.All() {
		return []string{}
	}
	in := make(map[string]bool, len(p.JIDs))
	for _, j := range p.JIDs {
		in[j] = true
	}
	out := make([]string, 0, len(list)+len(p.JIDs))
	for _, j := range list {
		if p.Block || !in[j] {
			out = append(out, j)
		}
		if p.Block {
			delete(in, j) // already listed
		}
	}
	if p.Block {
		for _, j := range p.JIDs {
			if in[j] {
				out = append(out, j)
				delete(in, j)
			}
		}
	}
	return out
}

// Handler is a function for xmpp.Mux.HandleIQFunc(NS, KindBlock, ...) and
// (NS, KindUnblock, ...): it answers pushes and passes accepted ones to f
// with the connection they came on (on the reader goroutine: f must not
// block). Requests that are not pushes are refused with
// service-unavailable.
func Handler(f func(*xmpp.Conn, Push)) func(*xmpp.Conn, *stanza.IQ) {
	return func(c *xmpp.Conn, iq *stanza.IQ) {
		p, ok := ParsePush(c, iq)
		if !ok {
			c.SendError(iq, "cancel", "service-unavailable")
			return
		}
		c.SendResult(iq, nil)
		f(c, p)
	}
}

// Register routes block and unblock pushes on m to f (see Handler).
func Register(m *xmpp.Mux, f func(*xmpp.Conn, Push)) {
	h := Handler(f)
	m.HandleIQFunc(NS, KindBlock, h)
	m.HandleIQFunc(NS, KindUnblock, h)
}
