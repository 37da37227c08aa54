package core

import (
	"context"
	"runtime"
	"slices"

	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/caps"
	"github.com/causerie/causerie/core/xmpp/chatstate"
	"github.com/causerie/causerie/core/xmpp/correct"
	"github.com/causerie/causerie/core/xmpp/disco"
	"github.com/causerie/causerie/core/xmpp/receipts"
	"github.com/causerie/causerie/core/xmpp/styling"
	"github.com/causerie/causerie/core/xmpp/vcard"
	"github.com/causerie/causerie/core/xmpp/version"
	"gosrc.io/xmpp/stanza"
)

// Who we are to other entities: the software version we answer
// (XEP-0092), our identity and features in disco#info (XEP-0030) and the
// XEP-0115 capabilities our presence carries.

// capsNode identifies Causerie in XEP-0115 <c node='...'/>.
const capsNode = "https://causerie.org"

// clientFeatures is what Causerie advertises in disco#info and hashes into
// its presence's capabilities: one line per protocol we really support.
// Keep it true: contacts' clients decide what to send from it.
var clientFeatures = []string{
	disco.NSInfo,
	caps.NS,
	xmpp.NSPing,          // answered by the connection
	version.NS,           // XEP-0092
	chatstate.NS,         // XEP-0085
	chatstate.NSEvent,    // XEP-0022 composing events
	receipts.NS,          // XEP-0184
	correct.NS,           // XEP-0308
	vcard.NSAvatarNotify, // XEP-0084 metadata notifications
	nsXHTMLIM,            // XEP-0071: shown, and sent to clients that list it
	styling.NS,           // XEP-0393: plain text is shown styled
}

func (o Options) clientName() string {
	if o.ClientName == "" {
		return "Causerie"
	}
	return o.ClientName
}

func (o Options) clientVersion() string {
	if o.ClientVersion == "" {
		return "dev"
	}
	return o.ClientVersion
}

// osName is the operating system's name as users know it.
func osName() string {
	switch runtime.GOOS {
	case "linux":
		return "Linux"
	case "windows":
		return "Windows"
	case "darwin":
		return "macOS"
	case "freebsd":
		return "FreeBSD"
	case "openbsd":
		return "OpenBSD"
	case "netbsd":
		return "NetBSD"
	}
	return runtime.GOOS
}

// SetHideOS stops (or resumes) telling the operating system to those who
// ask which software we run (XEP-0092 §5). It applies at once, to every
// account.
func (c *Client) SetHideOS(hide bool) { c.hideOS.Store(hide) }

// SetReadMarkers turns telling contacts that their messages were read
// (XEP-0333 displayed markers, when they ask) on or off; it is on until
// turned off. Markers go only to contacts who may see our presence, as
// receipts do.
func (c *Client) SetReadMarkers(on bool) { c.noMarkers.Store(!on) }

// ReadMarkers reports whether contacts are told their messages were read.
func (c *Client) ReadMarkers() bool { return !c.noMarkers.Load() }

// versionInfo is our answer to jabber:iq:version requests.
func (c *Client) versionInfo() version.Query {
	q := version.Query{Name: c.opts.clientName(), Version: c.opts.clientVersion()}
	if !c.hideOS.Load() {
		q.OS = osName()
	}
	return q
}

// discoInfo is our own disco#info: one client/pc identity,
// clientFeatures and what the client's features add (Feature.Disco).
func (c *Client) discoInfo() disco.Info {
	fs := append([]string(nil), clientFeatures...)
	for _, f := range c.opts.Features {
		for _, v := range f.Disco {
			if !slices.Contains(fs, v) {
				fs = append(fs, v)
			}
		}
	}
	return disco.Info{
		Identities: []disco.Identity{{Category: "client", Type: "pc", Name: c.opts.clientName()}},
		Features:   fs,
	}
}

// presenceExtensions are the extensions of our available presence on
// conn: our capabilities, and the XEP-0153 photo hash once our vCard is
// known (an empty update until then, XEP-0153 §4.1).
func (s *Session) presenceExtensions(conn *xmpp.Conn) []stanza.PresExtension {
	return []stanza.PresExtension{caps.New(capsNode, s.client.discoInfo()), s.ownPhotoUpdate(conn)}
}

// SoftwareVersion is what a client says it runs (XEP-0092); OS is "" when
// it does not say.
type SoftwareVersion struct {
	Name, Version, OS string
}

// SoftwareVersion asks a contact's client (its full JID) which software it
// runs. A client that does not support the question answers with an error
// wrapping an *xmpp.StanzaError (service-unavailable).
func (s *Session) SoftwareVersion(ctx context.Context, fullJID string) (SoftwareVersion, error) {
	conn, err := s.onlineConn()
	if err != nil {
		return SoftwareVersion{}, err
	}
	q, err := version.Get(ctx, conn, fullJID)
	if err != nil {
		return SoftwareVersion{}, err
	}
	return SoftwareVersion{Name: q.Name, Version: q.Version, OS: q.OS}, nil
}
