// Package upload implements XEP-0363: HTTP File Upload, the client's
// side: finding the account's upload service and its size limit
// (XEP-0030, XEP-0128), and asking it for a slot, a PUT URL to send a
// file to (with the headers to send with it) and the GET URL others
// fetch it from (sent in a message with core/xmpp/oob).
//
// The HTTP transfer itself is the caller's (core/upload). Importing this
// package registers [Request] and [Slot] as IQ payloads of the stanza
// package.
package upload

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/disco"
	"gosrc.io/xmpp/stanza"
)

// NS is XEP-0363's namespace.
const NS = "urn:xmpp:http:upload:0"

func init() {
	stanza.TypeRegistry.MapExtension(stanza.PKTIQ, xml.Name{Space: NS, Local: "request"}, Request{})
	stanza.TypeRegistry.MapExtension(stanza.PKTIQ, xml.Name{Space: NS, Local: "slot"}, Slot{})
}

// Service is an upload service: its address, and the largest file it
// takes in bytes (0 when it says none).
type Service struct {
	JID     string
	MaxSize int64
}

// ServiceOf reads an entity's disco#info: ok when it offers uploads,
// with the max-file-size of its upload form (XEP-0128).
func ServiceOf(jid string, info *disco.Info) (Service, bool) {
	if info == nil || !info.Has(NS) {
		return Service{}, false
	}
	s := Service{JID: jid}
	if f := info.Form(NS); f != nil {
		if fl := f.Field("max-file-size"); fl != nil && len(fl.Values) > 0 {
			if n, err := strconv.ParseInt(strings.TrimSpace(fl.Values[0]), 10, 64); err == nil && n > 0 {
				s.MaxSize = n
			}
		}
	}
	return s, true
}

// ErrNoService: the account's server lists no upload service.
var ErrNoService = errors.New("upload: the server offers no file upload")

// maxItems bounds the server's items asked about.
const maxItems = 50

// Find looks for the upload service of the account's server (domain):
// the server itself, else among its disco#items.
func Find(ctx context.Context, c *xmpp.Conn, domain string) (Service, error) {
	if info, err := disco.GetInfo(ctx, c, domain, ""); err == nil {
		if s, ok := ServiceOf(domain, info); ok {
			return s, nil
		}
	}
	items, err := disco.GetItems(ctx, c, domain, "")
	if err != nil {
		return Service{}, fmt.Errorf("upload: %w", err)
	}
	for i, it := range items {
		if i == maxItems {
			break
		}
		// An item that does not answer is not the one, and does not
		// keep us from asking the next.
		ictx, cancel := context.WithTimeout(ctx, itemTimeout)
		info, err := disco.GetInfo(ictx, c, it.JID, "")
		cancel()
		if ctx.Err() != nil {
			return Service{}, fmt.Errorf("upload: %w", ctx.Err())
		}
		if err != nil {
			continue
		}
		if s, ok := ServiceOf(it.JID, info); ok {
			return s, nil
		}
	}
	return Service{}, ErrNoService
}

// itemTimeout bounds the question to each of the server's items.
const itemTimeout = 5 * time.Second

// Request is a slot request (§4): for a file's name, size and type.
type Request struct {
	XMLName     xml.Name `xml:"urn:xmpp:http:upload:0 request"`
	Filename    string   `xml:"filename,attr"`
	Size        int64    `xml:"size,attr"`
	ContentType string   `xml:"content-type,attr,omitempty"`
}

func (*Request) Namespace() string         { return NS }
func (*Request) GetSet() *stanza.ResultSet { return nil }

// Slot is the service's answer (§4): where to PUT the file, with what
// headers, and where others GET it.
type Slot struct {
	XMLName xml.Name `xml:"urn:xmpp:http:upload:0 slot"`
	Put     struct {
		URL     string   `xml:"url,attr"`
		Headers []Header `xml:"header"`
	} `xml:"put"`
	Get struct {
		URL string `xml:"url,attr"`
	} `xml:"get"`
}

func (*Slot) Namespace() string         { return NS }
func (*Slot) GetSet() *stanza.ResultSet { return nil }

// Header is one of a slot's <header/>.
type Header struct {
	Name  string `xml:"name,attr"`
	Value string `xml:",chardata"`
}

// allowed are the only headers a slot may have us send (§4), by their
// canonical names.
var allowed = map[string]string{"authorization": "Authorization", "cookie": "Cookie", "expires": "Expires"}

// PutHeaders are the slot's headers to send with the PUT: only
// Authorization, Cookie and Expires (named case-insensitively), others
// dropped, newlines taken out of names and values, in their order (§4,
// §11.2).
func (s *Slot) PutHeaders() []Header {
	var out []Header
	strip := strings.NewReplacer("\r", "", "\n", "")
	for _, h := range s.Put.Headers {
		name, ok := allowed[strings.ToLower(strings.TrimSpace(strip.Replace(h.Name)))]
		if !ok {
			continue
		}
		out = append(out, Header{Name: name, Value: strings.TrimSpace(strip.Replace(h.Value))})
	}
	return out
}

// maxURL bounds a slot's URLs.
const maxURL = 4096

// Why a service gives no slot.
var (
	// ErrTooLarge: the file is larger than the service takes.
	ErrTooLarge = errors.New("upload: the file is too large for the server")
	// ErrQuota: the account has used what it may for now.
	ErrQuota = errors.New("upload: the upload quota is used up for now")
	// ErrForbidden: the account may not upload.
	ErrForbidden = errors.New("upload: the server does not let this account upload files")
	// ErrBadSlot: the service's answer is not a usable slot (URLs
	// missing, not HTTPS, or too long).
	ErrBadSlot = errors.New("upload: the server gave no usable upload address")
)

// RequestSlot asks service for a slot for a file (§4). A refusal is
// ErrTooLarge, ErrQuota or ErrForbidden (errors.Is) where the service
// says which, with its error.
func RequestSlot(ctx context.Context, c *xmpp.Conn, service, filename string, size int64, contentType string) (Slot, error) {
	iq := &stanza.IQ{XMLName: xml.Name{Local: "iq"}, Attrs: stanza.Attrs{Type: stanza.IQTypeGet, To: service},
		Payload: &Request{Filename: filename, Size: size, ContentType: contentType}}
	res, err := c.SendIQ(ctx, iq)
	if err != nil {
		return Slot{}, refusal(err)
	}
	s, _ := res.Payload.(*Slot)
	if s == nil || !httpsURL(s.Put.URL) || !httpsURL(s.Get.URL) {
		return Slot{}, ErrBadSlot
	}
	return *s, nil
}

// refusal says why the service gave no slot (§5): ErrTooLarge, ErrQuota
// or ErrForbidden where its error says which, wrapping it.
func refusal(err error) error {
	var se *xmpp.StanzaError
	if errors.As(err, &se) {
		switch se.Condition {
		case "not-acceptable", "policy-violation":
			return fmt.Errorf("%w: %w", ErrTooLarge, err)
		case "resource-constraint":
			return fmt.Errorf("%w: %w", ErrQuota, err)
		case "forbidden", "not-allowed", "not-authorized":
			return fmt.Errorf("%w: %w", ErrForbidden, err)
		}
	}
	return fmt.Errorf("upload: slot: %w", err)
}

// httpsURL reports whether u is an absolute https URL with a host, of
// bounded length.
func httpsURL(u string) bool {
	if u == "" || len(u) > maxURL {
		return false
	}
	p, err := url.Parse(u)
	return err == nil && p.Scheme == "https" && p.Host != "" && p.User == nil
}
