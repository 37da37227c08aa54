package xmpp

import (
	"bytes"
	"encoding/xml"
	"errors"
	"strconv"
	"strings"
	"sync"

	"gosrc.io/xmpp/stanza"
)

// The stanza package's own decoders walk into unknown extensions (so a
// <body/> or <priority/> nested in any extension overwrites the stanza's,
// and a <message/> forwarded inside one breaks decoding) and fail the
// whole stanza on one bad value (a non-numeric <priority/> would end the
// session). We decode the top level ourselves: only direct children in
// jabber:client are the stanza's own fields, each extension is decoded on
// its own, and a malformed extension is dropped, never fatal.

// rawChild is one direct child of a stanza: a jabber:client field's text,
// or an extension kept as raw XML to decode on its own.
type rawChild struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Inner   []byte     `xml:",innerxml"`
	Text    string     `xml:"-"`

	scope *prefixScope // the stanza's prefix declarations, nil if none
	n     int          // the child's number in its stanza, from 1
	read  int64        // the stanza's bytes read up to the child's end
	state scopeState   // whether the declarations it uses were copied

	forwarded bool // a child of a forwarded message (DecodeForwarded)
}

type scopeState uint8

const (
	scopeUnresolved scopeState = iota
	scopeCopied                // into Attrs, or none were needed
	scopeOverBudget            // the stanza's budget could not pay them
)

// bytes re-serialises the child as a standalone element.
func (r *rawChild) bytes() []byte {
	var b bytes.Buffer
	b.Grow(len(r.Inner) + 64)
	b.WriteByte('<')
	b.WriteString(r.XMLName.Local)
	if r.XMLName.Space != "" {
		b.WriteString(` xmlns="`)
		xml.EscapeText(&b, []byte(r.XMLName.Space))
		b.WriteByte('"')
	}
	for _, a := range r.Attrs {
		switch {
		case a.Name.Space == "xmlns":
			// A prefix declaration: the inner XML may use it.
			b.WriteString(" xmlns:")
		case a.Name.Space == nsXMLAttr:
			b.WriteString(" xml:")
		case a.Name.Space != "" || a.Name.Local == "xmlns":
			continue // the default namespace (written above), other qualified attributes
		default:
			b.WriteByte(' ')
		}
		b.WriteString(a.Name.Local)
		b.WriteString(`="`)
		xml.EscapeText(&b, []byte(a.Value))
		b.WriteByte('"')
	}
	b.WriteByte('>')
	b.Write(r.Inner)
	b.WriteString("</")
	b.WriteString(r.XMLName.Local)
	b.WriteByte('>')
	return b.Bytes()
}

const nsXMLAttr = "http://www.w3.org/XML/1998/namespace"

// unmarshalInto decodes the child into v; false when it does not fit,
// when it uses a prefix of the stanza's that the stanza's budget could not
// copy into it (see prefixScope), or when v's decoder panics (logged: a
// bug, but only this extension is lost).
func (r *rawChild) unmarshalInto(v any) (ok bool) {
	if !r.inScope() {
		return false
	}
	defer func() {
		if p := recover(); p != nil {
			logPanic(extensionName(r.XMLName), p)
			ok = false
		}
	}()
	d := xml.NewDecoder(bytes.NewReader(r.bytes()))
	if r.forwarded {
		inForwarded.Store(d, struct{}{})
		defer inForwarded.Delete(d)
	}
	return d.Decode(v) == nil
}

// textField lists the jabber:client children read as plain text.
var textField = map[string]bool{"body": true, "subject": true, "thread": true, "show": true, "status": true, "priority": true}

func isClientNS(space string) bool { return space == NSClient || space == "" }

func attrsOf(se xml.StartElement) stanza.Attrs {
	var a stanza.Attrs
	for _, at := range se.Attr {
		if at.Name.Space != "" && at.Name.Local != "lang" {
			continue
		}
		switch at.Name.Local {
		case "id":
			a.Id = at.Value
		case "type":
			a.Type = stanza.StanzaType(at.Value)
		case "to":
			a.To = at.Value
		case "from":
			a.From = at.Value
		case "lang":
			a.Lang = at.Value
		}
	}
	return a
}

// decodeChildren reads a stanza's direct children and calls f with each
// in turn; f must not keep c, which is reused (a copy may be kept and
// decoded later). The stanza's prefix declarations are copied into a
// child only when it is decoded (unmarshalInto), within the stanza's
// budget: see prefixScope.
func decodeChildren(d *xml.Decoder, se xml.StartElement, f func(c *rawChild)) error {
	scope := stanzaPrefixes(se, d.InputOffset())
	var c rawChild
	n := 0
	return EachChild(d, func(t xml.StartElement) (bool, error) {
		c, n = rawChild{}, n+1
		if isClientNS(t.Name.Space) && textField[t.Name.Local] {
			c.XMLName = t.Name
			if err := d.DecodeElement(&c.Text, &t); err != nil {
				return true, err
			}
		} else if err := d.DecodeElement(&c, &t); err != nil {
			return true, err
		} else if scope != nil {
			c.scope, c.n, c.read = scope, n, scope.head+d.InputOffset()-scope.start
		}
		f(&c)
		return true, nil
	})
}

// Prefixes declared on the stanza stay in scope for an extension once it
// is decoded on its own, so their declarations are copied into it. Two
// bounds keep that linear in the stanza's size:
//
//   - Only into a child that is decoded on its own (unmarshalInto: a
//     registered extension, an error, an IQ's payload; unregistered
//     message and presence extensions are dropped unread), when it is,
//     and only the declarations of the prefixes its bytes use: one pass
//     over the child finds every "prefix:", and each is copied at most
//     once per child. Copying each into every child let 2,000
//     declarations and 50,000 empty children (250 KB) make 100 million
//     copies. That bounds the number of copies by the colons of the
//     stanza, but not their size: one 512 KiB declaration used by 11,000
//     receipt requests in a 1 MiB message meant about 6 GB to write and
//     parse again (84 s and 28 GB allocated, measured), on the reader
//     goroutine, long enough for the link to drop and the server to
//     redeliver the stanza, which was not yet counted.
//   - A budget: the declarations copied into a stanza's children total at
//     most max(prefixBudgetFloor, the bytes of the stanza read so far).
//     The stanza's own size lets every declaration be copied at least
//     once, however long (its bytes are in the start tag), and keeps the
//     extra work within a small multiple of what was read, which the
//     stream reader caps (Config.MaxStanzaSize); the floor lets any
//     ordinary stanza, whose declarations are short, give them to all
//     the children that use them. Each copy costs its length plus the
//     ten bytes of ` xmlns:=""`, so the number of copies is bounded too.
//     Past the budget a child that needs a declaration is dropped as
//     malformed (an error reads as undefined-condition, an IQ's payload
//     as a bare node), and the stanza goes on.
//
// The number of declarations is not capped, and overspending the budget
// does not end the stream: a cap would have to refuse the stanza with a
// policy-violation, and then any contact whose server relays declarations
// as sent could end our session with one message, again after each
// reconnection as the server redelivers it.
const prefixBudgetFloor = 64 << 10

// prefixScope is the prefixes declared on a stanza and what copying their
// declarations into its children has spent.
type prefixScope struct {
	decls map[string]*prefixDecl
	head  int64 // a lower bound of the stanza's start tag's length
	start int64 // the decoder's offset at the end of the start tag
	spent int64 // copied so far, in bytes (declaredSize)
}

// prefixDecl is one declaration on the stanza and the last child (by
// number, from 1) that was given it or declares the prefix itself.
type prefixDecl struct {
	attr  xml.Attr
	child int
}

// declaredSize is the bytes that a declaration of prefix with value adds
// to a child: ` xmlns:prefix="value"`, before escaping (which at most
// multiplies it by a constant).
func declaredSize(prefix, value string) int64 {
	return int64(len(` xmlns:=""`) + len(prefix) + len(value))
}

// stanzaPrefixes collects the prefix declarations of a stanza's start
// tag, se, which ended at offset start of the decoder's input; nil when
// there are none.
func stanzaPrefixes(se xml.StartElement, start int64) *prefixScope {
	var s *prefixScope
	head := int64(len(se.Name.Local) + 2) // <name>
	for _, a := range se.Attr {
		if a.Name.Space != "xmlns" {
			// ` name="value"`: a decoded value is never longer than
			// its wire form.
			head += int64(len(a.Name.Local) + len(a.Value) + 4)
			continue
		}
		head += declaredSize(a.Name.Local, a.Value)
		if s == nil {
			s = &prefixScope{decls: make(map[string]*prefixDecl), start: start}
		}
		s.decls[a.Name.Local] = &prefixDecl{attr: a}
	}
	if s != nil {
		s.head = head
	}
	return s
}

// inScope copies into r, once, the declarations of the stanza's prefixes
// that its content uses and that it does not declare itself, if the
// stanza's budget can pay for all of them; false if it cannot.
func (r *rawChild) inScope() bool {
	if r.state == scopeUnresolved {
		r.state = scopeCopied
		if s := r.scope; s != nil && !s.copyUsed(r) {
			r.state = scopeOverBudget
		}
	}
	return r.state != scopeOverBudget
}

// copyUsed adds to c the declarations it needs and charges them to s;
// false, adding nothing, if they would overspend the budget.
func (s *prefixScope) copyUsed(c *rawChild) bool {
	for _, a := range c.Attrs {
		if d := s.decls[a.Name.Local]; d != nil && a.Name.Space == "xmlns" {
			d.child = c.n // its own declaration wins
		}
	}
	var need []*prefixDecl
	var cost int64
	eachPrefix(c.Inner, func(p []byte) {
		if d := s.decls[string(p)]; d != nil && d.child != c.n {
			d.child = c.n
			need = append(need, d)
			cost += declaredSize(d.attr.Name.Local, d.attr.Value)
		}
	})
	if cost == 0 {
		return true
	}
	if s.spent+cost > max(prefixBudgetFloor, c.read) {
		return false
	}
	s.spent += cost
	for _, d := range need {
		c.Attrs = append(c.Attrs, d.attr)
	}
	return true
}

// eachPrefix calls f with every run of name characters that a colon ends
// in b: all the prefixes b uses in element and attribute names (and in
// qualified values), and some words that are not. One pass over b.
func eachPrefix(b []byte, f func([]byte)) {
	start := 0 // where the current run of name characters began
	for i, ch := range b {
		if ch == ':' && i > start {
			f(b[start:i])
		}
		if ch == ':' || !isNameByte(ch) {
			start = i + 1
		}
	}
}

// isNameByte reports whether ch can be part of an XML name without a
// colon (any byte of a multi-byte UTF-8 character counts).
func isNameByte(ch byte) bool {
	return 'a' <= ch && ch <= 'z' || 'A' <= ch && ch <= 'Z' || '0' <= ch && ch <= '9' ||
		ch == '-' || ch == '_' || ch == '.' || ch >= 0x80
}

func decodeError(c *rawChild) stanza.Err {
	var e stanza.Err
	if !c.unmarshalInto(&e) {
		return stanza.Err{Type: "cancel", Reason: "undefined-condition"}
	}
	return e
}

func decodeMessage(d *xml.Decoder, se xml.StartElement, forwarded bool) (*stanza.Message, error) {
	m := &stanza.Message{XMLName: se.Name, Attrs: attrsOf(se)}
	err := decodeChildren(d, se, func(c *rawChild) {
		if !isClientNS(c.XMLName.Space) {
			c.forwarded = forwarded
			if ext := stanza.TypeRegistry.GetMsgExtension(c.XMLName); ext != nil && c.unmarshalInto(ext) {
				m.Extensions = append(m.Extensions, ext)
			}
			return
		}
		switch c.XMLName.Local {
		case "body":
			if m.Body == "" { // the first, default-language body
				m.Body = c.Text
			}
		case "subject":
			if m.Subject == "" {
				m.Subject = c.Text
			}
		case "thread":
			m.Thread = c.Text
		case "error":
			m.Error = decodeError(c)
		}
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

func decodePresence(d *xml.Decoder, se xml.StartElement) (*stanza.Presence, error) {
	p := &stanza.Presence{XMLName: se.Name, Attrs: attrsOf(se)}
	err := decodeChildren(d, se, func(c *rawChild) {
		if !isClientNS(c.XMLName.Space) {
			if ext := stanza.TypeRegistry.GetPresExtension(c.XMLName); ext != nil && c.unmarshalInto(ext) {
				p.Extensions = append(p.Extensions, ext)
			}
			return
		}
		switch c.XMLName.Local {
		case "show":
			p.Show = stanza.PresenceShow(strings.TrimSpace(c.Text))
		case "status":
			if p.Status == "" {
				p.Status = c.Text
			}
		case "priority":
			if n, err := strconv.Atoi(strings.TrimSpace(c.Text)); err == nil && n >= -128 && n <= 127 {
				p.Priority = int8(n)
			}
		case "error":
			p.Error = decodeError(c)
		}
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

func decodeIQ(d *xml.Decoder, se xml.StartElement) (*stanza.IQ, error) {
	iq := &stanza.IQ{XMLName: se.Name, Attrs: attrsOf(se)}
	err := decodeChildren(d, se, func(c *rawChild) {
		switch {
		case isClientNS(c.XMLName.Space) && c.XMLName.Local == "error":
			e := decodeError(c)
			iq.Error = &e
		case iq.Payload == nil && iq.Any == nil: // one payload only (RFC 6120 §8.2.3)
			setIQPayload(iq, c)
		}
	})
	if err != nil {
		return nil, err
	}
	return iq, nil
}

// setIQPayload decodes c as iq's payload: a registered type, or else a
// generic node (just its name when even that fails).
func setIQPayload(iq *stanza.IQ, c *rawChild) {
	if p := stanza.TypeRegistry.GetIQExtension(c.XMLName); p != nil && c.unmarshalInto(p) {
		iq.Payload = p
		return
	}
	var n stanza.Node
	if c.unmarshalInto(&n) {
		iq.Any = &n
	} else {
		iq.Any = &stanza.Node{XMLName: c.XMLName}
	}
}

// DecodeMessage decodes a message whose start element d has just read,
// the way the stream decodes its own (tests and tools read stanzas with
// it; a forwarded message is read with DecodeForwarded).
func DecodeMessage(d *xml.Decoder, start xml.StartElement) (*stanza.Message, error) {
	return decodeMessage(d, start, false)
}

// DecodeForwarded decodes a message forwarded inside an extension
// (XEP-0297, as archive results and carbons carry them), whose start
// element d has just read: with the stream's bounds and its tolerance of
// malformed extensions, and one level deep. Called from the decoder of an
// extension of a forwarded message (a forward in a forward), it fails
// with ErrNestedForward, and that extension is dropped. Decoding each
// level copies and reads again what it holds, so forwards nested to any
// depth would cost a stanza's size times its depth: 600 KB of nested
// archive results took 67 s and 16 GB of allocations on the reader
// goroutine before this bound.
func DecodeForwarded(d *xml.Decoder, start xml.StartElement) (*stanza.Message, error) {
	if _, nested := inForwarded.Load(d); nested {
		return nil, ErrNestedForward
	}
	return decodeMessage(d, start, true)
}

// ErrNestedForward: a forwarded message inside a forwarded message is not
// decoded (DecodeForwarded).
var ErrNestedForward = errors.New("xmpp: a message forwarded inside a forwarded message")

// inForwarded holds the decoders of the extensions of forwarded messages
// while they are decoded: DecodeForwarded refuses to decode from them.
var inForwarded sync.Map // *xml.Decoder → struct{}
