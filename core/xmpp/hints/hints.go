// Package hints implements the <store/> hint of XEP-0334: Message
// Processing Hints, which asks servers to archive a message that has no
// body (reactions, XEP-0444) or whose body is only a fallback
// (retractions, XEP-0424).
package hints

import "encoding/xml"

// NS is the XEP-0334 namespace.
const NS = "urn:xmpp:hints"

// Store is <store xmlns='urn:xmpp:hints'/>.
type Store struct {
	XMLName xml.Name `xml:"urn:xmpp:hints store"`
}
