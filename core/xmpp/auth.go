package xmpp

import (
	"crypto/rand"
	"crypto/sha1"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"slices"
	"strings"

	"mellium.im/sasl"
)

// preference is our SASL order, strongest first.
var preference = []sasl.Mechanism{
	sasl.ScramSha256Plus, sasl.ScramSha1Plus,
	sasl.ScramSha256, sasl.ScramSha1,
	sasl.Plain,
}

// channelBindingOK says whether -PLUS can be used on this TLS connection:
// tls-unique on TLS 1.2 (Go computes it for full handshakes), tls-exporter
// on TLS 1.3 only when the server says it supports it (XEP-0440), since
// some servers offer -PLUS on TLS 1.3 and then reject tls-exporter.
func channelBindingOK(cs *tls.ConnectionState, serverTypes []string) bool {
	if cs == nil {
		return false
	}
	if cs.Version <= tls.VersionTLS12 {
		return cs.TLSUnique != nil
	}
	return slices.Contains(serverTypes, "tls-exporter")
}

// chooseMechanism picks the strongest mechanism the server offered and the
// caller allows. PLAIN needs TLS, which is always up by the time we get here.
func chooseMechanism(offered, allowed []string, cs *tls.ConnectionState, cbTypes []string) (sasl.Mechanism, bool) {
	cb := channelBindingOK(cs, cbTypes)
	for _, m := range preference {
		if !slices.Contains(offered, m.Name) {
			continue
		}
		if len(allowed) > 0 && !slices.Contains(allowed, m.Name) {
			continue
		}
		if strings.HasSuffix(m.Name, "-PLUS") && !cb {
			continue
		}
		return m, true
	}
	return sasl.Mechanism{}, false
}

// atLeast keeps the mechanisms at level min or above.
func atLeast(offered []string, min AuthLevel) []string {
	if min <= AuthAny {
		return offered
	}
	var out []string
	for _, m := range offered {
		if MechanismLevel(m) >= min {
			out = append(out, m)
		}
	}
	return out
}

type saslFailure struct {
	Condition string
	Text      string
}

// authSASL runs one SASL exchange (RFC 6120 §6.4).
func (t *transport) authSASL(cfg *Config, f *features, user string) (string, error) {
	if t.tls == nil {
		return "", ErrTLSNotOffered
	}
	offered := f.mechanisms()
	mech, ok := chooseMechanism(atLeast(offered, cfg.MinAuth), cfg.Mechanisms, t.tls, f.bindingTypes())
	if !ok {
		// Something weaker than the floor would have done: a downgrade.
		if _, weaker := chooseMechanism(offered, cfg.Mechanisms, t.tls, f.bindingTypes()); weaker && cfg.MinAuth > AuthAny {
			if f.IQAuth != nil {
				offered = append(offered, LegacyAuth)
			}
			return "", &DowngradeError{Min: cfg.MinAuth, Offered: offered}
		}
		return "", fmt.Errorf("%w (server offers %s)", ErrNoMechanism, strings.Join(offered, ", "))
	}
	neg := sasl.NewClient(mech,
		sasl.Credentials(func() ([]byte, []byte, []byte) { return []byte(user), []byte(cfg.Password), nil }),
		sasl.TLSState(*t.tls),
		sasl.RemoteMechanisms(offered...),
	)
	_, resp, err := neg.Step(nil)
	if err != nil {
		return mech.Name, fmt.Errorf("xmpp: sasl %s: %w", mech.Name, err)
	}
	timeout := cfg.connectTimeout()
	if err := t.write([]byte("<auth xmlns='"+NSSASL+"' mechanism='"+mech.Name+"'>"+b64(resp)+"</auth>"), timeout); err != nil {
		return mech.Name, err
	}
	scram := strings.HasPrefix(mech.Name, "SCRAM-")
	for {
		e, err := t.readElement()
		if err != nil {
			return mech.Name, err
		}
		if e.XMLName.Space != NSSASL {
			return mech.Name, fmt.Errorf("xmpp: unexpected <%s> during authentication", e.XMLName.Local)
		}
		switch e.XMLName.Local {
		case "challenge":
			data, err := unb64(e.Text)
			if err != nil {
				return mech.Name, err
			}
			_, resp, err := neg.Step(data)
			if err != nil {
				t.write([]byte("<abort xmlns='"+NSSASL+"'/>"), timeout)
				if scram && neg.State()&sasl.StepMask == sasl.ResponseSent {
					return mech.Name, ErrServerSignature
				}
				return mech.Name, fmt.Errorf("xmpp: sasl %s: %w", mech.Name, err)
			}
			if err := t.write([]byte("<response xmlns='"+NSSASL+"'>"+b64(resp)+"</response>"), timeout); err != nil {
				return mech.Name, err
			}
		case "success":
			if text := strings.TrimSpace(e.Text); text != "" && text != "=" {
				data, err := unb64(text)
				if err != nil {
					return mech.Name, err
				}
				if _, _, err := neg.Step(data); err != nil {
					return mech.Name, ErrServerSignature
				}
			}
			if scram && neg.State()&sasl.StepMask != sasl.ValidServerResponse {
				return mech.Name, ErrServerSignature
			}
			return mech.Name, nil
		case "failure":
			ae := &AuthError{Mechanism: mech.Name, Condition: "not-authorized"}
			for _, c := range e.Children {
				if c.XMLName.Local == "text" {
					ae.Text = strings.TrimSpace(c.Text)
				} else {
					ae.Condition = c.XMLName.Local
				}
			}
			return mech.Name, ae
		default:
			return mech.Name, fmt.Errorf("xmpp: unexpected SASL element <%s>", e.XMLName.Local)
		}
	}
}

func b64(b []byte) string {
	if len(b) == 0 {
		return "="
	}
	return base64.StdEncoding.EncodeToString(b)
}

func unb64(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "=" || s == "" {
		return nil, nil
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("xmpp: bad base64 from server: %w", err)
	}
	return b, nil
}

// legacyAuth is XEP-0078 jabber:iq:auth, the seed's "Identification",
// used only when the server offers no SASL and only inside TLS. It sends
// the digest (XEP-0078 §3.2) whenever the server accepts one, the password
// only when it accepts nothing else; an account that has used SCRAM
// (cfg.MinAuth) refuses legacy auth before sending anything. It returns
// the resource it authenticated with.
func (t *transport) legacyAuth(cfg *Config, user, domain, streamID string) (string, error) {
	if t.tls == nil {
		return "", ErrTLSNotOffered
	}
	if cfg.MinAuth > MechanismLevel(LegacyAuth) {
		return "", &DowngradeError{Min: cfg.MinAuth, Offered: []string{LegacyAuth}}
	}
	timeout := cfg.connectTimeout()
	q := "<iq type='get' id='auth_1' to='" + esc(domain) + "'><query xmlns='jabber:iq:auth'><username>" + esc(user) + "</username></query></iq>"
	if err := t.write([]byte(q), timeout); err != nil {
		return "", err
	}
	e, err := t.readIQ("auth_1")
	if err != nil {
		return "", err
	}
	if e.attr("type") != "result" {
		return "", legacyAuthError(e)
	}
	query := e.child(NSIQAuth, "query")
	if query == nil {
		return "", errors.New("xmpp: legacy auth: empty field list")
	}
	resource := cfg.Resource
	if resource == "" {
		resource = "causerie-" + randomID(4)
	}
	var cred string
	switch {
	case query.child("", "digest") != nil && streamID != "":
		sum := sha1.Sum([]byte(streamID + cfg.Password))
		cred = "<digest>" + hex.EncodeToString(sum[:]) + "</digest>"
	case query.child("", "password") != nil:
		cred = "<password>" + esc(cfg.Password) + "</password>"
	default:
		return "", fmt.Errorf("%w (legacy auth without password or digest)", ErrNoMechanism)
	}
	q = "<iq type='set' id='auth_2' to='" + esc(domain) + "'><query xmlns='jabber:iq:auth'><username>" + esc(user) + "</username>" + cred + "<resource>" + esc(resource) + "</resource></query></iq>"
	if err := t.write([]byte(q), timeout); err != nil {
		return "", err
	}
	e, err = t.readIQ("auth_2")
	if err != nil {
		return "", err
	}
	if e.attr("type") != "result" {
		return "", legacyAuthError(e)
	}
	return resource, nil
}

func legacyAuthError(e *element) error {
	se := elementStanzaError(e)
	return &AuthError{Mechanism: LegacyAuth, Condition: se.Condition, Text: se.Text}
}

// elementStanzaError reads the <error/> child of a generic stanza element.
func elementStanzaError(e *element) *StanzaError {
	er := e.child("", "error")
	if er == nil {
		return &StanzaError{Type: "cancel", Condition: "undefined-condition"}
	}
	se := &StanzaError{Type: er.attr("type")}
	fmt.Sscan(er.attr("code"), &se.Code)
	for _, c := range er.Children {
		if c.XMLName.Space != NSStanzas {
			continue
		}
		if c.XMLName.Local == "text" {
			se.Text = strings.TrimSpace(c.Text)
		} else {
			se.Condition = c.XMLName.Local
		}
	}
	if se.Condition == "" {
		se.Condition = legacyCondition(se.Code)
	}
	return se
}

// readIQ reads elements until the IQ with this id (handshake phase only:
// nothing else is expected there, other stanzas are dropped).
func (t *transport) readIQ(id string) (*element, error) {
	for {
		e, err := t.readElement()
		if err != nil {
			return nil, err
		}
		if e.XMLName.Local == "iq" && e.attr("id") == id {
			return e, nil
		}
	}
}

func esc(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// randomID returns 2n hex characters from crypto/rand.
func randomID(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
