package xmpp

import (
	"bufio"
	"crypto/tls"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"sync"
	"time"
)

// Namespaces used on the stream.
const (
	NSClient  = "jabber:client"
	NSStream  = "http://etherx.jabber.org/streams"
	NSStreams = "urn:ietf:params:xml:ns:xmpp-streams"
	NSStanzas = "urn:ietf:params:xml:ns:xmpp-stanzas"
	NSTLS     = "urn:ietf:params:xml:ns:xmpp-tls"
	NSSASL    = "urn:ietf:params:xml:ns:xmpp-sasl"
	NSBind    = "urn:ietf:params:xml:ns:xmpp-bind"
	NSSession = "urn:ietf:params:xml:ns:xmpp-session"
	NSSM      = "urn:xmpp:sm:3"
	NSSASLCB  = "urn:xmpp:sasl-cb:0"
	NSIQAuth  = "jabber:iq:auth"
	NSPing    = "urn:xmpp:ping"
)

// limitReader fails once more than max bytes were read since the last
// reset: the reader resets it at every top-level element, so one stanza
// can never make the decoder buffer more than max bytes.
type limitReader struct {
	r      io.Reader
	n, max int64
	err    error // the last read error: tells a dropped link from bad XML
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.n >= l.max {
		l.err = ErrStanzaTooLarge
		return 0, ErrStanzaTooLarge
	}
	if rest := l.max - l.n; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := l.r.Read(p)
	l.n += int64(n)
	if err != nil {
		l.err = err
	}
	return n, err
}

// transport is one TCP (or TLS) connection carrying a stream. A stream
// restart (after STARTTLS or SASL) makes a new decoder on the same socket.
type transport struct {
	conn net.Conn
	lr   *limitReader
	br   *bufio.Reader
	dec  *xml.Decoder
	wmu  sync.Mutex
	tls  *tls.ConnectionState
}

func newTransport(c net.Conn, max int64) *transport {
	t := &transport{conn: c}
	t.reset(max)
	return t
}

// reset starts a fresh XML decoder (new stream).
func (t *transport) reset(max int64) {
	t.lr = &limitReader{r: t.conn, max: max}
	t.br = bufio.NewReaderSize(t.lr, 4096)
	t.dec = xml.NewDecoder(t.br)
}

// drained reports whether everything received so far has been read: the
// next read waits for the network.
func (t *transport) drained() bool { return t.br.Buffered() == 0 }

func (t *transport) write(b []byte, timeout time.Duration) error {
	t.wmu.Lock()
	defer t.wmu.Unlock()
	if timeout > 0 {
		t.conn.SetWriteDeadline(time.Now().Add(timeout))
		defer t.conn.SetWriteDeadline(time.Time{})
	}
	_, err := t.conn.Write(b)
	return err
}

func (t *transport) writeXML(v any, timeout time.Duration) error {
	b, err := xml.Marshal(v)
	if err != nil {
		return err
	}
	return t.write(b, timeout)
}

// streamHeader is the attributes of the peer's <stream:stream>.
type streamHeader struct {
	ID, From, Version, Lang string
}

// openStream sends our stream header and reads the server's.
func (t *transport) openStream(domain, from, lang string, timeout time.Duration) (streamHeader, error) {
	var h streamHeader
	var b strings.Builder
	b.WriteString("<?xml version='1.0'?><stream:stream to='")
	xml.EscapeText(&b, []byte(domain))
	if from != "" {
		b.WriteString("' from='")
		xml.EscapeText(&b, []byte(from))
	}
	b.WriteString("' version='1.0' xml:lang='")
	xml.EscapeText(&b, []byte(lang))
	b.WriteString("' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>")
	if err := t.write([]byte(b.String()), timeout); err != nil {
		return h, err
	}
	for {
		tok, err := t.dec.Token()
		if err != nil {
			return h, t.readErr(err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if se.Name.Space != NSStream || se.Name.Local != "stream" {
			return h, fmt.Errorf("xmpp: expected stream header, got <%s>", se.Name.Local)
		}
		for _, a := range se.Attr {
			switch a.Name.Local {
			case "id":
				h.ID = a.Value
			case "from":
				h.From = a.Value
			case "version":
				h.Version = a.Value
			case "lang":
				h.Lang = a.Value
			}
		}
		return h, nil
	}
}

// errStreamEnd is returned by next when the peer closes its stream.
var errStreamEnd = errors.New("xmpp: stream closed by server")

// next returns the start of the next top-level element. It returns
// errStreamEnd at </stream:stream> and a *StreamError for <stream:error/>.
func (t *transport) next() (xml.StartElement, error) {
	t.lr.n = 0
	for {
		tok, err := t.dec.Token()
		if err != nil {
			return xml.StartElement{}, t.readErr(err)
		}
		switch tt := tok.(type) {
		case xml.StartElement:
			if tt.Name.Space == NSStream && tt.Name.Local == "error" {
				return tt, t.streamError(tt)
			}
			return tt, nil
		case xml.EndElement:
			return xml.StartElement{}, errStreamEnd
		case xml.CharData:
			t.lr.n = 0 // whitespace keep-alives between stanzas
		}
	}
}

// readErr maps a decoder error: when the socket failed underneath, the
// decoder reports "unexpected EOF" as a syntax error; return the socket's
// error instead so that a dropped link is not taken for malformed XML.
func (t *transport) readErr(err error) error {
	if t.lr.err != nil {
		err = t.lr.err
	}
	if errors.Is(err, ErrStanzaTooLarge) {
		return ErrStanzaTooLarge
	}
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// element is a generic XML element for the few places we inspect children.
type element struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Text     string     `xml:",chardata"`
	Children []element  `xml:",any"`
}

func (t *transport) streamError(se xml.StartElement) error {
	var e element
	if err := t.dec.DecodeElement(&e, &se); err != nil {
		return t.readErr(err)
	}
	return parseStreamError(&e)
}

func parseStreamError(e *element) *StreamError {
	serr := &StreamError{Condition: "undefined-condition"}
	for _, c := range e.Children {
		if c.XMLName.Space != NSStreams {
			continue
		}
		if c.XMLName.Local == "text" {
			serr.Text = strings.TrimSpace(c.Text)
			continue
		}
		serr.Condition = c.XMLName.Local
		if c.XMLName.Local == "see-other-host" {
			serr.Other = strings.TrimSpace(c.Text)
		}
	}
	return serr
}

// features is <stream:features/> as far as a client cares. It decodes
// itself (UnmarshalXML) within fixed bounds: a server lists a few features
// and a few mechanisms, so a list longer than a client ever needs ends the
// connection with ErrStanzaTooLarge instead of growing with what a hostile
// server sends (the stanza size limit still bounds the bytes).
type features struct {
	StartTLS *struct {
		Required *struct{} `xml:"required"`
	}
	Mechanisms     *saslMechanisms
	ChannelBinding *bindingTypes
	Bind           *struct{}
	Session        *struct {
		Optional *struct{} `xml:"optional"`
	}
	SM       *struct{}
	IQAuth   *struct{}
	Register *struct{}
	// Rest names every other feature (rosterver, pre-approval, csi, ...).
	Rest []xml.Name
}

// Bounds on stream features. RFC 4422 §3.1 limits a mechanism name to 20
// characters; servers offer at most a handful of mechanisms, channel-binding
// types and features.
const (
	maxFeatures     = 128
	maxMechanisms   = 32
	maxMechanismLen = 64
	maxBindingTypes = 16
)

func featuresTooLarge(format string, args ...any) error {
	return fmt.Errorf("%w: stream features with "+format, append([]any{ErrStanzaTooLarge}, args...)...)
}

// UnmarshalXML reads the features one child at a time, keeping only the
// ones a client uses and the names of the others.
func (f *features) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	n := 0
	for {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch tt := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			if n++; n > maxFeatures {
				return featuresTooLarge("more than %d features", maxFeatures)
			}
			if err := f.decodeFeature(d, &tt); err != nil {
				return err
			}
		}
	}
}

func (f *features) decodeFeature(d *xml.Decoder, se *xml.StartElement) error {
	switch se.Name {
	case xml.Name{Space: NSTLS, Local: "starttls"}:
		return d.DecodeElement(&f.StartTLS, se)
	case xml.Name{Space: NSSASL, Local: "mechanisms"}:
		return d.DecodeElement(&f.Mechanisms, se)
	case xml.Name{Space: NSSASLCB, Local: "sasl-channel-binding"}:
		return d.DecodeElement(&f.ChannelBinding, se)
	case xml.Name{Space: NSBind, Local: "bind"}:
		return d.DecodeElement(&f.Bind, se)
	case xml.Name{Space: NSSession, Local: "session"}:
		return d.DecodeElement(&f.Session, se)
	case xml.Name{Space: NSSM, Local: "sm"}:
		return d.DecodeElement(&f.SM, se)
	case xml.Name{Space: "http://jabber.org/features/iq-auth", Local: "auth"}:
		return d.DecodeElement(&f.IQAuth, se)
	case xml.Name{Space: "http://jabber.org/features/iq-register", Local: "register"}:
		return d.DecodeElement(&f.Register, se)
	}
	f.Rest = append(f.Rest, se.Name)
	return d.Skip()
}

// saslMechanisms is <mechanisms/>: at most maxMechanisms names of at
// most maxMechanismLen bytes.
type saslMechanisms struct {
	Names []string
}

func (m *saslMechanisms) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	return EachChild(d, func(t xml.StartElement) (bool, error) {
		if t.Name.Local != "mechanism" {
			return false, nil
		}
		if len(m.Names) == maxMechanisms {
			return true, featuresTooLarge("more than %d SASL mechanisms", maxMechanisms)
		}
		name, err := boundedText(d, maxMechanismLen)
		m.Names = append(m.Names, name)
		return true, err
	})
}

// boundedText reads an element's text (its children skipped) up to its
// end, failing beyond max bytes.
func boundedText(d *xml.Decoder, max int) (string, error) {
	var b []byte
	for {
		tok, err := d.Token()
		if err != nil {
			return "", err
		}
		switch tt := tok.(type) {
		case xml.CharData:
			if len(b)+len(tt) > max {
				return "", featuresTooLarge("a mechanism name longer than %d bytes", max)
			}
			b = append(b, tt...)
		case xml.StartElement:
			if err := d.Skip(); err != nil {
				return "", err
			}
		case xml.EndElement:
			return strings.TrimSpace(string(b)), nil
		}
	}
}

// bindingTypes is XEP-0440 <sasl-channel-binding/>: at most
// maxBindingTypes types.
type bindingTypes struct {
	Types []string
}

func (b *bindingTypes) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	return EachChild(d, func(t xml.StartElement) (bool, error) {
		if t.Name.Local != "channel-binding" {
			return false, nil
		}
		if len(b.Types) == maxBindingTypes {
			return true, featuresTooLarge("more than %d channel-binding types", maxBindingTypes)
		}
		for _, a := range t.Attr {
			if a.Name.Local == "type" && a.Name.Space == "" {
				b.Types = append(b.Types, a.Value)
			}
		}
		return false, nil // skipped
	})
}

// names lists the qualified names of all advertised features.
func (f *features) names() []xml.Name {
	var out []xml.Name
	add := func(present bool, space, local string) {
		if present {
			out = append(out, xml.Name{Space: space, Local: local})
		}
	}
	add(f.StartTLS != nil, NSTLS, "starttls")
	add(f.Mechanisms != nil, NSSASL, "mechanisms")
	add(f.ChannelBinding != nil, NSSASLCB, "sasl-channel-binding")
	add(f.Bind != nil, NSBind, "bind")
	add(f.Session != nil, NSSession, "session")
	add(f.SM != nil, NSSM, "sm")
	add(f.IQAuth != nil, "http://jabber.org/features/iq-auth", "auth")
	add(f.Register != nil, "http://jabber.org/features/iq-register", "register")
	return append(out, f.Rest...)
}

func (f *features) mechanisms() []string {
	if f.Mechanisms == nil {
		return nil
	}
	return slices.Clone(f.Mechanisms.Names)
}

func (f *features) bindingTypes() []string {
	if f.ChannelBinding == nil {
		return nil
	}
	return slices.Clone(f.ChannelBinding.Types)
}

// readFeatures reads the next element, which must be <stream:features/>.
func (t *transport) readFeatures() (*features, error) {
	se, err := t.next()
	if err != nil {
		return nil, err
	}
	if se.Name.Space != NSStream || se.Name.Local != "features" {
		return nil, fmt.Errorf("xmpp: expected stream features, got <%s xmlns='%s'>", se.Name.Local, se.Name.Space)
	}
	var f features
	if err := t.dec.DecodeElement(&f, &se); err != nil {
		return nil, t.readErr(err)
	}
	return &f, nil
}

// expect reads the next element and decodes it into v when its name is one
// of names; it returns the name found.
func (t *transport) readElement() (*element, error) {
	se, err := t.next()
	if err != nil {
		return nil, err
	}
	var e element
	if err := t.dec.DecodeElement(&e, &se); err != nil {
		return nil, t.readErr(err)
	}
	return &e, nil
}

func (e *element) attr(name string) string {
	for _, a := range e.Attrs {
		if a.Name.Local == name && a.Name.Space == "" {
			return a.Value
		}
	}
	return ""
}

func (e *element) child(space, local string) *element {
	for i := range e.Children {
		c := &e.Children[i]
		if c.XMLName.Local == local && (space == "" || c.XMLName.Space == space) {
			return c
		}
	}
	return nil
}
