package ui

import (
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"fyne.io/fyne/v2/test"
	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/mam"
)

// TestCatchUpGapInGUI: when the account's archive catch-up ends with an
// error, the open chat says messages from while we were away may be
// missing, with the reason and Retry, and so does a chat opened after;
// Retry reads the archive again, and once it is read to the end the bar
// goes.
func TestCatchUpGapInGUI(t *testing.T) {
	srv := prosody(t)
	h := newHarness(t, srv)
	jid, pass := srv.NewUser(t)
	s := h.addAccount(jid, pass)
	var caughtUp atomic.Bool
	h.app.cancel = h.client.Subscribe(func(e core.Event) {
		if d, ok := e.(mam.CatchUpDone); ok && d.Err == nil {
			caughtUp.Store(true)
		}
		h.app.do(func() { h.app.dispatch(e) })
	})
	h.online(s)
	h.pump("the first catch-up", caughtUp.Load)
	ch := &chatHarness{harness: h, s: s, me: jid}
	b := newPeer(t, srv)
	conv := ch.open(b.jid)
	if conv.gap.box.Visible() {
		t.Fatal("the gap bar is shown after a catch-up that went well")
	}

	// The catch-up's page timed out (as core/mam publishes it).
	h.app.dispatch(mam.CatchUpDone{FeatureEvent: core.FeatureEvent{Account: jid}, Err: errors.New("the server did not answer in time")})
	ch.settle()
	if !conv.gap.box.Visible() || !conv.gap.retry.Visible() || !strings.Contains(conv.gap.label.Text, "may be missing") {
		t.Fatalf("after a failed catch-up: shown %v, %q", conv.gap.box.Visible(), conv.gap.label.Text)
	}
	other := newPeer(t, srv)
	later := ch.open(other.jid)
	if !later.gap.box.Visible() {
		t.Error("a chat opened after the failed catch-up does not show the gap")
	}

	test.Tap(conv.gap.retry)
	if conv.gap.retry.Visible() || !strings.Contains(conv.gap.label.Text, "Loading") {
		t.Errorf("while retrying: %q, Retry shown %v", conv.gap.label.Text, conv.gap.retry.Visible())
	}
	h.pump("the catch-up read to the end", func() bool { return !conv.gap.box.Visible() && !later.gap.box.Visible() })
}
