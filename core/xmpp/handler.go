package xmpp

import (
	"encoding/xml"
	"reflect"
	"sync"

	"gosrc.io/xmpp/stanza"
)

// Handler receives inbound stanzas in wire order on the reader goroutine.
// Implementations must return quickly.
type Handler interface {
	HandleMessage(c *Conn, m *stanza.Message)
	HandlePresence(c *Conn, p *stanza.Presence)
	// HandleIQ gets IQ requests (get/set). Returning false makes the
	// connection answer service-unavailable (RFC 6120 §8.4).
	HandleIQ(c *Conn, iq *stanza.IQ) bool
}

// Mux is a Handler that routes IQ requests by payload name and passes
// messages and presences to every registered function, in registration
// order. It is safe to register while the connection runs.
type Mux struct {
	mu       sync.RWMutex
	messages []func(*Conn, *stanza.Message)
	presence []func(*Conn, *stanza.Presence)
	iqs      map[xml.Name]func(*Conn, *stanza.IQ)
}

// HandleMessageFunc adds a message handler.
func (m *Mux) HandleMessageFunc(f func(*Conn, *stanza.Message)) {
	m.mu.Lock()
	m.messages = append(m.messages, f)
	m.mu.Unlock()
}

// HandlePresenceFunc adds a presence handler.
func (m *Mux) HandlePresenceFunc(f func(*Conn, *stanza.Presence)) {
	m.mu.Lock()
	m.presence = append(m.presence, f)
	m.mu.Unlock()
}

// HandleIQFunc routes IQ get/set requests whose payload is space+local.
// The function must answer (Conn.SendResult / Conn.SendError).
func (m *Mux) HandleIQFunc(space, local string, f func(*Conn, *stanza.IQ)) {
	m.mu.Lock()
	if m.iqs == nil {
		m.iqs = make(map[xml.Name]func(*Conn, *stanza.IQ))
	}
	m.iqs[xml.Name{Space: space, Local: local}] = f
	m.mu.Unlock()
}

func (m *Mux) HandleMessage(c *Conn, msg *stanza.Message) {
	m.mu.RLock()
	hs := m.messages
	m.mu.RUnlock()
	for _, h := range hs {
		h(c, msg)
	}
}

func (m *Mux) HandlePresence(c *Conn, p *stanza.Presence) {
	m.mu.RLock()
	hs := m.presence
	m.mu.RUnlock()
	for _, h := range hs {
		h(c, p)
	}
}

func (m *Mux) HandleIQ(c *Conn, iq *stanza.IQ) bool {
	m.mu.RLock()
	h := m.iqs[PayloadName(iq)]
	m.mu.RUnlock()
	if h == nil {
		return false
	}
	h(c, iq)
	return true
}

// PayloadName is the qualified name of an IQ's child element, whether the
// stanza package decoded it into a registered type or a generic node.
func PayloadName(iq *stanza.IQ) xml.Name {
	if iq.Any != nil {
		return iq.Any.XMLName
	}
	if iq.Payload == nil {
		return xml.Name{}
	}
	v := reflect.ValueOf(iq.Payload)
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return xml.Name{}
		}
		v = v.Elem()
	}
	if v.Kind() == reflect.Struct {
		if f := v.FieldByName("XMLName"); f.IsValid() {
			if n, ok := f.Interface().(xml.Name); ok {
				if n.Space == "" {
					n.Space = iq.Payload.Namespace()
				}
				return n
			}
		}
	}
	return xml.Name{Space: iq.Payload.Namespace()}
}
