package testserver

import (
	"crypto/tls"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"net"
	"strings"
	"time"
)

// XML namespaces used by the raw client.
const (
	nsStreams = "http://etherx.jabber.org/streams"
	nsTLS     = "urn:ietf:params:xml:ns:xmpp-tls"
	nsSASL    = "urn:ietf:params:xml:ns:xmpp-sasl"
	nsIQAuth  = "http://jabber.org/features/iq-auth"
	nsSASLCB  = "urn:xmpp:sasl-cb:0"
)

// element is one top-level stanza or nonza read from a stream.
type element struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Inner   string     `xml:",innerxml"`
}

func (e *element) attr(name string) string {
	for _, a := range e.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func (e *element) String() string {
	var b strings.Builder
	b.WriteString("<" + e.XMLName.Local)
	for _, a := range e.Attrs {
		fmt.Fprintf(&b, " %s='%s'", a.Name.Local, html.EscapeString(a.Value))
	}
	b.WriteString(">" + e.Inner + "</" + e.XMLName.Local + ">")
	return b.String()
}

// streamFeatures is the parsed <stream:features/> element.
type streamFeatures struct {
	StartTLS *struct {
		Required *struct{} `xml:"required"`
	} `xml:"urn:ietf:params:xml:ns:xmpp-tls starttls"`
	Mechanisms *struct {
		Mechanism []string `xml:"mechanism"`
	} `xml:"urn:ietf:params:xml:ns:xmpp-sasl mechanisms"`
	IQAuth         *struct{} `xml:"http://jabber.org/features/iq-auth auth"`
	ChannelBinding *struct {
		Types []struct {
			Type string `xml:"type,attr"`
		} `xml:"channel-binding"`
	} `xml:"urn:xmpp:sasl-cb:0 sasl-channel-binding"`
	Raw string `xml:",innerxml"`
}

func (f *streamFeatures) mechanisms() []string {
	if f == nil || f.Mechanisms == nil {
		return nil
	}
	return f.Mechanisms.Mechanism
}

func (f *streamFeatures) hasMechanism(m string) bool {
	for _, x := range f.mechanisms() {
		if x == m {
			return true
		}
	}
	return false
}

// rawConn is a minimal hand-driven XMPP client connection (standard library
// only), enough for readiness probes, in-band registration and simple logins.
type rawConn struct {
	conn     net.Conn
	dec      *xml.Decoder
	domain   string
	features *streamFeatures
}

// dialRaw connects to addr. With tlsCfg != nil it speaks direct TLS. The
// whole connection gets a deadline of timeout.
func dialRaw(addr, domain string, tlsCfg *tls.Config, timeout time.Duration) (*rawConn, error) {
	d := net.Dialer{Timeout: timeout}
	var c net.Conn
	var err error
	if tlsCfg != nil {
		c, err = tls.DialWithDialer(&d, "tcp", addr, tlsCfg)
	} else {
		c, err = d.Dial("tcp", addr)
	}
	if err != nil {
		return nil, err
	}
	c.SetDeadline(time.Now().Add(timeout))
	return &rawConn{conn: c, domain: domain}, nil
}

func (c *rawConn) Close() error {
	c.conn.Write([]byte("</stream:stream>"))
	return c.conn.Close()
}

func (c *rawConn) send(s string) error {
	_, err := c.conn.Write([]byte(s))
	return err
}

// openStream sends a stream header and reads the server's header and features.
func (c *rawConn) openStream() error {
	c.features = nil
	c.dec = xml.NewDecoder(c.conn)
	err := c.send("<?xml version='1.0'?><stream:stream to='" + c.domain +
		"' xmlns='jabber:client' xmlns:stream='" + nsStreams + "' version='1.0'>")
	if err != nil {
		return err
	}
	for {
		tok, err := c.dec.Token()
		if err != nil {
			return fmt.Errorf("reading stream header: %w", err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			if se.Name.Space != nsStreams || se.Name.Local != "stream" {
				return fmt.Errorf("unexpected <%s xmlns='%s'> instead of stream header", se.Name.Local, se.Name.Space)
			}
			break
		}
	}
	for {
		tok, err := c.dec.Token()
		if err != nil {
			return fmt.Errorf("reading stream features: %w", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if se.Name.Space == nsStreams && se.Name.Local == "features" {
			var f streamFeatures
			if err := c.dec.DecodeElement(&f, &se); err != nil {
				return fmt.Errorf("decoding stream features: %w", err)
			}
			c.features = &f
			return nil
		}
		var e element
		if err := c.dec.DecodeElement(&e, &se); err != nil {
			return err
		}
		if se.Name.Space == nsStreams && se.Name.Local == "error" {
			return fmt.Errorf("stream error: %s", e.Inner)
		}
		return fmt.Errorf("unexpected %s instead of stream features", e.String())
	}
}

// next reads the next top-level element; a stream error or end of stream is
// returned as an error.
func (c *rawConn) next() (*element, error) {
	for {
		tok, err := c.dec.Token()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			var e element
			if err := c.dec.DecodeElement(&e, &t); err != nil {
				return nil, err
			}
			if t.Name.Space == nsStreams && t.Name.Local == "error" {
				return nil, fmt.Errorf("stream error: %s", e.Inner)
			}
			return &e, nil
		case xml.EndElement:
			return nil, errors.New("server closed the stream")
		}
	}
}

// startTLS negotiates STARTTLS and restarts the stream.
func (c *rawConn) startTLS(cfg *tls.Config) error {
	if c.features == nil || c.features.StartTLS == nil {
		return errors.New("server does not offer STARTTLS")
	}
	if err := c.send("<starttls xmlns='" + nsTLS + "'/>"); err != nil {
		return err
	}
	e, err := c.next()
	if err != nil {
		return err
	}
	if e.XMLName.Local != "proceed" {
		return fmt.Errorf("STARTTLS refused: %s", e)
	}
	tc := tls.Client(c.conn, cfg)
	if err := tc.Handshake(); err != nil {
		return fmt.Errorf("TLS handshake: %w", err)
	}
	c.conn = tc
	return c.openStream()
}

// iq sends an IQ and waits for the response with the same id.
func (c *rawConn) iq(id, typ, payload string) (*element, error) {
	if err := c.send("<iq type='" + typ + "' id='" + id + "'>" + payload + "</iq>"); err != nil {
		return nil, err
	}
	for {
		e, err := c.next()
		if err != nil {
			return nil, err
		}
		if e.XMLName.Local == "iq" && e.attr("id") == id {
			return e, nil
		}
	}
}

// register performs XEP-0077 in-band registration.
func (c *rawConn) register(user, password string) error {
	e, err := c.iq("reg1", "set", "<query xmlns='jabber:iq:register'><username>"+
		html.EscapeString(user)+"</username><password>"+html.EscapeString(password)+"</password></query>")
	if err != nil {
		return err
	}
	if e.attr("type") != "result" {
		return fmt.Errorf("registration of %q failed: %s", user, e)
	}
	return nil
}

// authPlain tries SASL PLAIN. It returns ok=false (and no error) if the server
// answered <failure/>; the returned element is the server's answer.
func (c *rawConn) authPlain(user, password string) (ok bool, answer *element, err error) {
	cred := base64.StdEncoding.EncodeToString([]byte("\x00" + user + "\x00" + password))
	if err := c.send("<auth xmlns='" + nsSASL + "' mechanism='PLAIN'>" + cred + "</auth>"); err != nil {
		return false, nil, err
	}
	e, err := c.next()
	if err != nil {
		return false, nil, err
	}
	switch e.XMLName.Local {
	case "success":
		return true, e, nil
	case "failure":
		return false, e, nil
	}
	return false, e, fmt.Errorf("unexpected answer to SASL PLAIN: %s", e)
}

// legacyAuth performs XEP-0078 jabber:iq:auth with a plaintext password.
func (c *rawConn) legacyAuth(user, password, resource string) (*element, error) {
	return c.iq("auth1", "set", "<query xmlns='jabber:iq:auth'><username>"+html.EscapeString(user)+
		"</username><password>"+html.EscapeString(password)+"</password><resource>"+
		html.EscapeString(resource)+"</resource></query>")
}
