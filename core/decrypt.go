package core

import (
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/xmpp"
	"gosrc.io/xmpp/stanza"
)

// Decrypted is what a feature's decryption (Hook.Decrypt) made of a
// message that came encrypted end to end.
type Decrypted struct {
	// Encryption is how it was encrypted.
	Encryption history.Encryption
	// Body is the text it carried; "" with Err "" for one that carries
	// no text (OMEMO's key transport: nothing is stored).
	Body string
	// Err says, in words, why it could not be read: the message is then
	// stored without its text, with the reason (history.Message's
	// Undecrypted), never dropped.
	Err string
	// Commit, when set, runs once the message is in the history (or
	// known to be there already): what decrypting it changed (the
	// session's state) is kept from then on. A crash before leaves the
	// change unkept, and the server's redelivery decrypts again.
	Commit func()
	// Discard, when set, runs instead when the message could not be
	// stored: the change is forgotten.
	Discard func()
}

// Decrypt registers f as the session's decryption (one feature:
// core/omemo): for each one-to-one message before anything reads its
// text (live, carbon copies both ways, archive pages), f says whether it
// is encrypted and what it carries; from is its sender's bare JID (ours
// for what our other devices sent).
func (h *Hook) Decrypt(f func(c *xmpp.Conn, from string, m *stanza.Message) (Decrypted, bool)) {
	h.register().decrypt = f
}

// decrypted is the registered decryption's answer for m from from; ok is
// false for a message not encrypted (or with no decryption registered).
// The text it carried replaces m's body (the fallback other clients
// show).
func (s *Session) decrypted(c *xmpp.Conn, from string, m *stanza.Message) (d Decrypted, ok bool) {
	if s.hooks.decrypt == nil {
		return Decrypted{}, false
	}
	if d, ok = s.hooks.decrypt(c, from, m); ok {
		m.Body = d.Body
	}
	return d, ok
}

// apply marks hm as d says it came, and returns what to run once it is
// stored. Of an encrypted message only its encrypted text counts: what
// came beside it in the clear (XHTML-IM, a file's URL, a subject, a
// quotation's place in a fallback body) could be anyone's, and is not
// shown under the lock.
func (d Decrypted) apply(hm *history.Message) func() {
	if d.Encryption == history.NotEncrypted {
		return func() {} // it came in the clear: nothing to do
	}
	hm.Encryption, hm.Undecrypted = d.Encryption, d.Err
	hm.Rich, hm.OOB, hm.Subject = "", "", ""
	if hm.ReplyQuote != "" {
		hm.Body, hm.ReplyQuote = d.Body, ""
	}
	if d.Commit == nil {
		return func() {}
	}
	return d.Commit
}

// discard runs d's Discard, if any.
func (d Decrypted) discard() {
	if d.Discard != nil {
		d.Discard()
	}
}

// keyOnly reports whether d is a message that carries no text (a key
// transport): its change is kept at once, and nothing is stored.
func (d Decrypted) keyOnly() bool {
	if d.Body == "" && d.Err == "" {
		if d.Commit != nil {
			d.Commit()
		}
		return true
	}
	return false
}
