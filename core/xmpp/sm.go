package xmpp

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"strconv"
	"time"

	"gosrc.io/xmpp/stanza"
)

// enableSM asks for XEP-0198 with resumption during the handshake.
func (c *Conn) enableSM(t *transport) error {
	if err := t.write([]byte("<enable xmlns='"+NSSM+"' resume='true'/>"), c.cfg.connectTimeout()); err != nil {
		return err
	}
	for {
		e, err := t.readElement()
		if err != nil {
			return err
		}
		if e.XMLName.Space != NSSM {
			continue // nothing is expected before <enabled/>; drop
		}
		switch e.XMLName.Local {
		case "enabled":
			c.sm = smState{enabled: true, id: e.attr("id")}
			r := e.attr("resume")
			c.sm.resumable = (r == "true" || r == "1") && c.sm.id != ""
			if m, err := strconv.Atoi(e.attr("max")); err == nil && m > 0 {
				c.sm.max = time.Duration(m) * time.Second
			}
			return nil
		case "failed":
			return nil // go on without stream management
		}
	}
}

// resumeOn sends <resume/> on a freshly authenticated transport.
func (c *Conn) resumeOn(t *transport, f *features, rr *resumeReq) error {
	if f.SM == nil {
		return ErrResumeFailed
	}
	if err := t.write([]byte("<resume xmlns='"+NSSM+"' previd='"+esc(rr.id)+"' h='"+strconv.FormatUint(uint64(rr.inbound), 10)+"'/>"), c.cfg.connectTimeout()); err != nil {
		return err
	}
	e, err := t.readElement()
	if err != nil {
		return err
	}
	if e.XMLName.Space == NSSM && e.XMLName.Local == "resumed" {
		h, err := strconv.ParseUint(e.attr("h"), 10, 32)
		if err != nil {
			return fmt.Errorf("%w: bad h %q", ErrResumeFailed, e.attr("h"))
		}
		rr.h = uint32(h)
		return nil
	}
	return ErrResumeFailed
}

// readSM handles <r/> and <a/> from the server.
func (c *Conn) readSM(t *transport, se xml.StartElement) error {
	var h string
	for _, a := range se.Attr {
		if a.Name.Local == "h" {
			h = a.Value
		}
	}
	if err := t.dec.Skip(); err != nil {
		return err
	}
	switch se.Name.Local {
	case "r":
		if err := c.flushHandled(); err != nil {
			return err
		}
		c.wmu.Lock()
		n := c.sm.durable
		c.sm.told = n
		c.wmu.Unlock()
		return c.writeNonza("<a xmlns='" + NSSM + "' h='" + strconv.FormatUint(uint64(n), 10) + "'/>")
	case "a":
		v, err := strconv.ParseUint(h, 10, 32)
		if err != nil {
			return nil
		}
		c.wmu.Lock()
		cbs := c.ackLocked(uint32(v))
		c.sm.ackPending = false
		again := len(c.sm.queue) > 0 && !c.interrupted
		if again {
			c.sm.ackPending = true
		}
		c.wmu.Unlock()
		c.runAcked(cbs)
		if again {
			// Stanzas sent after our last <r/>: ask again.
			return c.writeNonza("<r xmlns='" + NSSM + "'/>")
		}
	}
	return nil
}

// ackLocked drops acknowledged stanzas; c.wmu must be held. It returns the
// callbacks of the acknowledged ones, to be run without the lock.
func (c *Conn) ackLocked(h uint32) []func() {
	i := 0
	var cbs []func()
	for i < len(c.sm.queue) && int32(c.sm.queue[i].seq-h) <= 0 {
		if cb := c.sm.queue[i].acked; cb != nil {
			cbs = append(cbs, cb)
		}
		i++
	}
	c.sm.queue = append(c.sm.queue[:0:0], c.sm.queue[i:]...)
	return cbs
}

// runAcked runs the callbacks of acknowledged stanzas, which may defer
// work to Config.Flush like a handler: the next flush runs it.
func (c *Conn) runAcked(cbs []func()) {
	if len(cbs) == 0 {
		return
	}
	runAll(cbs)
	c.wmu.Lock()
	c.dirty = true
	c.wmu.Unlock()
}

// runAll runs ack callbacks on the reader goroutine; one that panics is
// logged and the others still run.
func runAll(fs []func()) {
	for _, f := range fs {
		safely("XEP-0198 ack callback", f)
	}
}

// resumeAttemptTimeout is how long the first attempt to resume a
// dropped link may take (TCP, TLS, SASL and <resume/>: a few round
// trips); each further attempt gets twice as long, up to the connect
// timeout, so that a slow link still gets through.
const resumeAttemptTimeout = 5 * time.Second

// resume is called by the reader when the link fails. It returns the new
// transport, or an error when the session is over.
func (c *Conn) resume(old *transport, cause error) (*transport, error) {
	// What was handled is kept before the server is told how far we got;
	// if it cannot be, inbound falls back to what was kept.
	c.flushHandled()
	c.wmu.Lock()
	resumable := c.sm.resumable
	if resumable {
		c.interrupted = true
	}
	id, window := c.sm.id, c.sm.max
	c.wmu.Unlock()
	old.conn.Close()
	if !resumable {
		return nil, cause
	}
	if window <= 0 || window > 10*time.Minute {
		window = 60 * time.Second
	}
	// Past the server's window, attempts go on until one reaches the
	// server (which then says whether it still has the session), for up
	// to 10 more minutes: the server's clock for the window started when
	// it noticed the drop, maybe after we did, and signing in afresh while
	// it still holds the session makes it hand that session's queue over
	// late (ejabberd) or to offline storage after our first presence
	// (Prosody), out of order. ResumeTimeout, when set, is a hard limit.
	limit := window + 10*time.Minute
	if c.cfg.ResumeTimeout > 0 {
		window, limit = c.cfg.ResumeTimeout, c.cfg.ResumeTimeout
	}
	if c.cfg.OnStatus != nil {
		c.cfg.OnStatus(StatusInterrupted)
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	go func() { // Close cancels the attempts
		select {
		case <-c.closeCh:
			cancel()
		case <-ctx.Done():
		}
	}()
	backoff := 100 * time.Millisecond
	lastErr := cause
	interrupted := time.Now()
	attemptLimit := resumeAttemptTimeout
	for ctx.Err() == nil && !c.closing.Load() {
		c.wmu.Lock()
		rr := &resumeReq{id: id, inbound: c.sm.durable}
		c.sm.told = c.sm.durable
		c.wmu.Unlock()
		// A connection that goes silent mid-handshake (a packet black
		// hole) is given up after attemptLimit, not the whole connect
		// timeout: the server queues what comes for us meanwhile, and
		// one whose queue overflows (Prosody: 500) cannot resume.
		actx, acancel := context.WithTimeout(ctx, attemptLimit)
		t, err := c.establish(actx, true, rr)
		acancel()
		attemptLimit = min(2*attemptLimit, c.cfg.connectTimeout())
		if err == nil {
			c.wmu.Lock()
			cbs := c.ackLocked(rr.h)
			var werr error
			for _, q := range c.sm.queue {
				if werr = t.write(q.data, c.cfg.iqTimeout()); werr != nil {
					break
				}
			}
			c.sm.ackPending = false
			if werr == nil && len(c.sm.queue) > 0 {
				c.sm.ackPending = true
				werr = t.write([]byte("<r xmlns='"+NSSM+"'/>"), c.cfg.iqTimeout())
			}
			c.t = t
			c.interrupted = werr != nil
			c.wmu.Unlock()
			if werr != nil {
				t.conn.Close()
				lastErr = werr
				continue
			}
			c.lastRecv.Store(time.Now().UnixNano())
			c.runAcked(cbs)
			if c.cfg.OnStatus != nil {
				c.cfg.OnStatus(StatusResumed)
			}
			return t, nil
		}
		lastErr = err
		var ae *AuthError
		var ce *CertificateError
		if errors.Is(err, ErrResumeFailed) || errors.As(err, &ae) || errors.As(err, &ce) {
			break
		}
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
		}
		// At most 1 s apart within the server's window: it queues what
		// comes for us meanwhile, and a server whose queue overflows
		// (Prosody: 500 stanzas) refuses to resume and drops the excess.
		ceiling := time.Second
		if time.Since(interrupted) > window {
			ceiling = 30 * time.Second
		}
		backoff = min(2*backoff, ceiling)
	}
	if errors.Is(lastErr, ErrResumeFailed) {
		return nil, lastErr
	}
	return nil, fmt.Errorf("%w: %v", ErrResumeFailed, lastErr)
}

// keepAliveLoop pings the server (XEP-0199) after ka of silence and drops
// the link when the ping is not answered, so that resumption starts. It
// wakes only when a ping may be due (ka after the last thing received),
// never on a fixed tick: an idle app stays asleep.
func (c *Conn) keepAliveLoop(ka time.Duration) {
	timer := time.NewTimer(ka)
	defer timer.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-timer.C:
		}
		if quiet := time.Since(time.Unix(0, c.lastRecv.Load())); quiet < ka {
			timer.Reset(ka - quiet)
			continue
		}
		timer.Reset(ka)
		c.wmu.Lock()
		down, t := c.interrupted, c.t
		c.wmu.Unlock()
		if down {
			continue
		}
		if err := c.Ping(context.Background(), ""); err != nil && errors.Is(err, ErrTimeout) {
			t.conn.Close() // the reader sees it and resumes or ends
		}
	}
}

// Ping sends an XEP-0199 ping to a JID ("" for our server) and waits for
// the answer.
func (c *Conn) Ping(ctx context.Context, to string) error {
	iq := &stanza.IQ{XMLName: xml.Name{Local: "iq"}, Attrs: stanza.Attrs{Type: stanza.IQTypeGet, To: to},
		Any: &stanza.Node{XMLName: xml.Name{Space: NSPing, Local: "ping"}}}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, min(c.cfg.iqTimeout(), 30*time.Second))
		defer cancel()
	}
	_, err := c.SendIQ(ctx, iq)
	return err
}
