package xmpp

import (
	"encoding/xml"
	"errors"
	"fmt"
	"log"
	"runtime/debug"

	"gosrc.io/xmpp/stanza"
)

// A bug in a handler, or in the decoder of one extension, must not end the
// app: the reader goroutine would take the whole process down with it,
// and the stanza would come back after every reconnection. So each
// stanza's decoding and handling run under recover, and so does each
// extension's decoder and each XEP-0198 ack callback. What is logged is
// what panicked, the panic's value and the stack; never a stanza's
// content, which may be a message's text.

// errDecodePanic means that reading a stanza from the stream panicked part
// way through it, so where the stream's decoder stands is unknown. The
// reader counts the stanza and leaves the link, as after a network error:
// with XEP-0198 the session resumes on a new link past that stanza;
// without, it ends with this error.
var errDecodePanic = errors.New("xmpp: reading a stanza panicked")

// guard runs decode, then the call it returns, which hands the stanza to
// the handler, under recover. After a panic in either, an IQ request is
// answered with an error and the reader goes on. It returns decode's
// error, or errDecodePanic when decode itself panicked.
func (c *Conn) guard(se xml.StartElement, decode func() (func(), error)) (err error) {
	decoded := false
	defer func() {
		if v := recover(); v != nil {
			logPanic("handling of <"+se.Name.Local+"/>", v)
			c.answerPanicked(se)
			if !decoded {
				err = errDecodePanic
			}
		}
	}()
	handle, err := decode()
	if err != nil {
		return err
	}
	decoded = true
	handle()
	return nil
}

// answerPanicked answers an IQ request whose handling panicked with an
// internal-server-error, so that the requester does not wait in vain. If
// the handler had answered before it panicked, this second answer is
// ignored by the requester, whose request is no longer pending.
func (c *Conn) answerPanicked(se xml.StartElement) {
	a := attrsOf(se)
	if se.Name.Local == "iq" && (a.Type == stanza.IQTypeGet || a.Type == stanza.IQTypeSet) {
		c.SendError(&stanza.IQ{Attrs: a}, "cancel", "internal-server-error")
	}
}

// safely runs f, logging a panic in it as one in what.
func safely(what string, f func()) {
	defer func() {
		if v := recover(); v != nil {
			logPanic(what, v)
		}
	}()
	f()
}

// logPanic logs a panic recovered on the reader goroutine.
func logPanic(what string, v any) {
	log.Printf("xmpp: recovered from a panic in the %s: %v\n%s", what, v, debug.Stack())
}

// extensionName names an extension for the log, quoted and cut short
// (the peer chose it).
func extensionName(n xml.Name) string {
	return fmt.Sprintf("decoder of the <%.64q xmlns=%.64q> extension", n.Local, n.Space)
}
