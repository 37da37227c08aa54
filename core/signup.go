package core

import (
	"context"
	"errors"
	"strings"
	"sync"

	"github.com/causerie/causerie/core/picture"
	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/dataform"
	"github.com/causerie/causerie/core/xmpp/register"
)

// ErrSignupWebOnly: the server registers accounts on a web page only
// (SignupForm.OOB), there is nothing to submit in-band.
var ErrSignupWebOnly = errors.New("core: this server creates accounts on its web site")

// SignupField is a plain XEP-0077 registration field.
type SignupField struct {
	Name  string // "username", "password", "email", ...
	Label string // English label for a known name (translate in the UI), else the name
	Value string // the value the server put in (usually empty)
	// Secret: a password field.
	Secret bool
	// Hidden: a value to send back as is (the legacy "key"), not shown.
	Hidden bool
}

// SignupForm is what a server asks for to create an account.
type SignupForm struct {
	Domain       string
	Instructions string
	// Fields are the plain fields in the server's order. When Form is
	// also set, the data form is what to show and send (XEP-0077 §6).
	Fields []SignupField
	// Form is the XEP-0004 data form, if the server sent one.
	Form *DataForm
	// OOB is the web page where the server creates accounts (jabber:x:oob).
	OOB string
	// CAPTCHA of an XEP-0158 form: the image (XEP-0231 data matched by
	// cid, through the bounded picture path: a PNG, CaptchaType
	// "image/png") or, when only a link is given, its URL; CaptchaField
	// is the var of the field that carries it. CaptchaUnreadable: the
	// server's image was refused (too large, not a picture).
	Captcha           []byte
	CaptchaType       string
	CaptchaURL        string
	CaptchaField      string
	CaptchaUnreadable bool
}

// signupLabels names the plain fields of XEP-0077 §14.1.
var signupLabels = map[string]string{
	"username": "Username",
	"nick":     "Nickname",
	"password": "Password",
	"name":     "Full name",
	"first":    "First name",
	"last":     "Last name",
	"email":    "Email",
	"address":  "Street address",
	"city":     "City",
	"state":    "State or region",
	"zip":      "Postal code",
	"phone":    "Phone",
	"url":      "Web site",
	"date":     "Date",
	"misc":     "Other information",
	"text":     "Text",
	"key":      "Key",
}

// Signup is an unauthenticated stream to a server for creating an account
// (XEP-0077). Its methods do network round trips: call them off the UI
// goroutine. Close it when done.
type Signup struct {
	cfg xmpp.Config

	mu   sync.Mutex
	conn *xmpp.Conn
	form SignupForm
	// data is the data form as the server sent it (what Submit answers),
	// nil when it sent none.
	data *dataform.Form
}

// StartSignup connects to domain over TLS without signing in (host and
// port override the SRV lookup when host is set) and fetches the server's
// registration form. pinned are certificate fingerprints to accept ("AB:CD:…",
// trust on first use); a certificate nobody trusts fails with an error
// CertificateOf reads as an UntrustedCertificate, for the UI to ask.
func (c *Client) StartSignup(ctx context.Context, domain, host string, port int, directTLS bool, pinned ...string) (*Signup, error) {
	cfg := xmpp.Config{
		JID:       strings.TrimSpace(domain),
		Host:      strings.TrimSpace(host),
		Port:      port,
		DirectTLS: directTLS,
		TLSConfig: c.opts.TLSConfig,
	}
	for _, p := range pinned {
		if fp, err := xmpp.ParseFingerprint(p); err == nil {
			cfg.Pinned = append(cfg.Pinned, fp)
		}
	}
	s := &Signup{cfg: cfg}
	if err := s.connect(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// connect dials and fetches the form (s.mu held or s not shared yet).
func (s *Signup) connect(ctx context.Context) error {
	conn, err := xmpp.DialUnauthenticated(ctx, s.cfg)
	if err != nil {
		return err
	}
	q, err := register.Fetch(ctx, conn)
	if err != nil {
		conn.Close()
		return signupError(err)
	}
	s.conn = conn
	s.form = signupForm(conn.Domain(), q)
	s.data = q.Form
	return nil
}

func signupForm(domain string, q *register.Query) SignupForm {
	f := SignupForm{Domain: domain, Instructions: q.Instructions, Form: DataFormOf(q.Form), OOB: q.OOB}
	for _, fl := range q.Fields {
		label := signupLabels[fl.Name]
		if label == "" {
			label = fl.Name
		}
		f.Fields = append(f.Fields, SignupField{
			Name: fl.Name, Label: label, Value: fl.Value,
			Secret: fl.Name == "password",
			Hidden: fl.Name == "key",
		})
	}
	if q.Form == nil {
		return f
	}
	if f.Instructions == "" {
		f.Instructions = strings.Join(q.Form.Instructions, "\n")
	}
	for _, fl := range q.Form.Fields {
		if fl.Media == nil {
			continue
		}
		for _, u := range fl.Media.URIs {
			v := strings.TrimSpace(u.Value)
			if cid, ok := strings.CutPrefix(v, "cid:"); ok {
				for _, d := range q.Data {
					if d.CID == cid && len(d.Bytes) > 0 && f.Captcha == nil && !f.CaptchaUnreadable {
						f.CaptchaField = fl.Var
						typ := d.Type
						if typ == "" {
							typ = u.Type
						}
						captchaImage(&f, d.Bytes, typ)
					}
				}
			} else if (strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://")) && f.CaptchaURL == "" {
				f.CaptchaURL = v
				if f.CaptchaField == "" {
					f.CaptchaField = fl.Var
				}
			}
		}
	}
	return f
}

// captchaSide is the longest side of a CAPTCHA image as shown.
const captchaSide = 800

// captchaImage sets the form's CAPTCHA image from the server's bytes,
// through the bounded path: the GUI gets a PNG it made, or is told that
// the image could not be shown (too large, not a picture).
func captchaImage(f *SignupForm, data []byte, typ string) {
	img, _, _, err := picture.Thumbnail(data, typ, captchaSide)
	if err != nil {
		f.CaptchaUnreadable = true
		return
	}
	f.Captcha, f.CaptchaType = img, "image/png"
}

// Domain is the server's domain.
func (s *Signup) Domain() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.form.Domain
}

// Form is what the server asks for.
func (s *Signup) Form() SignupForm {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.form
}

// Submit creates the account with values by field name (plain fields) or
// by var (data form; several values of a multi field separated by "\n";
// booleans "1"/"0"). Hidden values the server sent go back unchanged. A
// refusal is a *SignupError matching ErrSignupConflict,
// ErrSignupNotAcceptable, ErrSignupRateLimited or ErrSignupNotAllowed
// (errors.Is). When the stream was closed meanwhile, it connects again
// first.
func (s *Signup) Submit(ctx context.Context, values map[string]string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil || signupEnded(s.conn) {
		if s.conn != nil {
			s.conn.Close()
			s.conn = nil
		}
		if err := s.connect(ctx); err != nil {
			return err
		}
	}
	f := s.form
	if s.data != nil {
		vals := map[string][]string{}
		for _, fl := range s.data.Fields {
			v, ok := values[fl.Var]
			if !ok || fl.Var == "" {
				continue
			}
			switch fl.Kind() {
			case dataform.ListMulti, dataform.JIDMulti:
				vals[fl.Var] = splitLines(v)
			default:
				vals[fl.Var] = []string{v}
			}
		}
		return signupError(register.SubmitForm(ctx, s.conn, s.data.Submit(vals)))
	}
	if len(f.Fields) == 0 {
		if f.OOB != "" {
			return ErrSignupWebOnly
		}
		return signupError(register.ErrNotAllowed)
	}
	var fields []register.Field
	for _, fl := range f.Fields {
		v, ok := values[fl.Name]
		if !ok || fl.Hidden {
			v = fl.Value
		}
		fields = append(fields, register.Field{Name: fl.Name, Value: v})
	}
	return signupError(register.Submit(ctx, s.conn, fields))
}

func signupEnded(c *xmpp.Conn) bool {
	select {
	case <-c.Done():
		return true
	default:
		return false
	}
}

func splitLines(v string) []string {
	var out []string
	for _, l := range strings.Split(v, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// Close ends the stream.
func (s *Signup) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn != nil {
		s.conn.Close()
		s.conn = nil
	}
}
