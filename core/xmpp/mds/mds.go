// Package mds implements XEP-0490: Message Displayed Synchronization:
// the account's devices share, through a private PEP node of the
// account, how far the user has read each chat (the stanza-id, given by
// our server, of the last message displayed), so that reading on one
// device clears the unread count on the others.
//
// A device publishes an item per chat ([Publish]), reads them all after
// signing in ([Fetch]), and hears of later changes through PEP
// notifications ([FromEvent]) once its caps list [NSNotify].
package mds

import (
	"context"
	"encoding/xml"
	"errors"

	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/pubsub"
	"gosrc.io/xmpp/stanza"
)

// Namespaces: NS is also the PEP node.
const (
	NS       = "urn:xmpp:mds:displayed:0"
	NSNotify = NS + "+notify"
)

// Displayed is how far a chat was read: the stanza-id (StanzaID, given by
// By: our server for one-to-one chats) of the last message displayed.
type Displayed struct {
	StanzaID, By string
}

// element is <displayed xmlns='urn:xmpp:mds:displayed:0'><stanza-id/>.
type element struct {
	XMLName  xml.Name `xml:"urn:xmpp:mds:displayed:0 displayed"`
	StanzaID struct {
		XMLName xml.Name `xml:"urn:xmpp:sid:0 stanza-id"`
		ID      string   `xml:"id,attr"`
		By      string   `xml:"by,attr"`
	}
}

// PublishOptions are the node's required configuration (§3.2): kept,
// every chat's item, sent to nobody else.
var PublishOptions = []pubsub.Option{
	{Var: "pubsub#persist_items", Value: "true"},
	{Var: "pubsub#max_items", Value: "max"},
	{Var: "pubsub#send_last_published_item", Value: "never"},
	{Var: "pubsub#access_model", Value: "whitelist"},
}

func payload(d Displayed) *element {
	e := &element{}
	e.StanzaID.ID, e.StanzaID.By = d.StanzaID, d.By
	return e
}

// PublishRequest is the IQ that records that chat (a bare JID) was read
// up to d.
func PublishRequest(chat string, d Displayed) *stanza.IQ {
	return pubsub.PublishRequest(NS, chat, payload(d), PublishOptions...)
}

// Publish records that chat (a bare JID) was read up to d.
func Publish(ctx context.Context, c *xmpp.Conn, chat string, d Displayed) error {
	if chat == "" || d.StanzaID == "" {
		return errors.New("mds: nothing to publish")
	}
	_, err := c.SendIQ(ctx, PublishRequest(chat, d))
	var se *xmpp.StanzaError
	if errors.As(err, &se) && (se.Condition == "resource-constraint" || se.Condition == "bad-request") {
		// ejabberd 23.01 knows only some publish-options (not
		// max_items, not send_last_published_item): publish with the
		// one that keeps the node private, then let the node keep
		// every chat's item (its PEP nodes keep one by default).
		if _, err = c.SendIQ(ctx, pubsub.PublishRequest(NS, chat, payload(d), PublishOptions[3])); err == nil {
			err = pubsub.Configure(ctx, c, NS, pubsub.Option{Var: "pubsub#max_items", Value: maxItems})
		}
	}
	return err
}

// maxItems is the number of chats a node that takes no "max" keeps.
const maxItems = "1000"

// Fetch reads every chat's item from our node (none yet: an empty map).
func Fetch(ctx context.Context, c *xmpp.Conn) (map[string]Displayed, error) {
	items, err := pubsub.Items(ctx, c, "", NS, "", 0)
	var se *xmpp.StanzaError
	if errors.Is(err, pubsub.ErrNoItems) || (errors.As(err, &se) && se.Condition == "item-not-found") {
		return map[string]Displayed{}, nil
	}
	if err != nil {
		return nil, err
	}
	return decode(items), nil
}

// FromEvent returns the chats a PEP notification m from our own account
// (a bare JID) says were read; ok is false for any other message.
func FromEvent(m *stanza.Message, account string) (map[string]Displayed, bool) {
	if m.From != "" && m.From != account {
		return nil, false // only our own account's node speaks for us
	}
	items := pubsub.EventItems(m, NS)
	if len(items) == 0 {
		return nil, false
	}
	return decode(items), true
}

// decode reads the items, by chat (the item id); malformed ones are
// skipped.
func decode(items []pubsub.Item) map[string]Displayed {
	out := map[string]Displayed{}
	for _, it := range items {
		var e element
		if it.ID == "" || it.Into(&e) != nil || e.StanzaID.ID == "" {
			continue
		}
		out[it.ID] = Displayed{StanzaID: e.StanzaID.ID, By: e.StanzaID.By}
	}
	return out
}
