// Package coretest is the harness for the tests of core's feature
// packages (core/blocking, and next core/muc, core/mam, ...): a user of a
// real test server with a client of its own (config dir, history,
// account), the features under test plugged in, and a recorder of its
// events.
package coretest

import (
	"context"
	"crypto/tls"
	"path/filepath"
	"testing"
	"time"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/account"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/internal/recorder"
	"github.com/causerie/causerie/internal/testserver"
)

// User is one client signed in (or about to sign in) as an account.
type User struct {
	JID, Password string
	Server        *testserver.Server
	Client        *core.Client
	Session       *core.Session
	Events        *recorder.Recorder[core.Event]
}

// probe is a feature every test client has: it gives the test the
// session's hook, as a feature sees it.
var probe = &core.Feature{Name: "test probe", Attach: func(h *core.Hook) any { return h }}

// Conn is the session's connection; the test fails when it is not
// online.
func (u *User) Conn(t testing.TB) *xmpp.Conn {
	t.Helper()
	c, err := u.Session.Feature(probe).(*core.Hook).Conn()
	if err != nil {
		t.Fatalf("%s: %v", u.JID, err)
	}
	return c
}

// NewUser registers a new account on srv and makes a client for it with
// features.
func NewUser(t testing.TB, srv *testserver.Server, features ...*core.Feature) *User {
	t.Helper()
	jid, pass := srv.NewUser(t)
	return Login(t, srv, jid, pass, features...)
}

// Login makes a client of its own (another device) for an existing
// account, with features.
func Login(t testing.TB, srv *testserver.Server, jid, pass string, features ...*core.Feature) *User {
	t.Helper()
	dir := t.TempDir()
	accts, err := account.OpenStore(filepath.Join(dir, "config"))
	if err != nil {
		t.Fatal(err)
	}
	store, err := history.Open(filepath.Join(dir, "data", "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	c := core.NewClient(accts, nil, store, core.Options{
		TLSConfig:  &tls.Config{RootCAs: srv.CertPool},
		MinBackoff: 50 * time.Millisecond, MaxBackoff: 500 * time.Millisecond,
		ResumeTimeout: time.Second,
		Features:      append(features, probe),
	})
	t.Cleanup(c.Close)
	u := &User{JID: jid, Password: pass, Server: srv, Client: c, Events: recorder.New(c.Subscribe)}
	if u.Session, err = c.AddAccount(context.Background(), account.Account{JID: jid, Host: srv.Host, Port: srv.Port}, ""); err != nil {
		t.Fatal(err)
	}
	u.Session.SetPassword(pass)
	return u
}

// ViaProxy makes the user's client reach its server through a proxy of
// its own, which the test can cut, freeze and refuse; before Connect.
func (u *User) ViaProxy(t testing.TB) *testserver.Proxy {
	t.Helper()
	px := testserver.NewProxy(t, u.Server.Addr())
	a := u.Session.Account()
	a.Port = px.Port()
	if err := u.Client.UpdateAccount(a); err != nil {
		t.Fatal(err)
	}
	return px
}

// Connect signs the user in and waits until the session is online.
func (u *User) Connect(t testing.TB) {
	t.Helper()
	u.Session.Connect()
	u.Events.Wait(t, u.JID+" online", func(ev core.Event) bool {
		st, ok := ev.(core.ConnectionStateChanged)
		if ok && st.State == core.StateOffline && st.Err != nil {
			t.Fatalf("%s went offline: %v", u.JID, st.Err)
		}
		return ok && st.State == core.StateOnline
	})
}

// Disconnect signs the user out and waits until the session is offline.
func (u *User) Disconnect(t testing.TB) {
	t.Helper()
	mark := u.Events.Mark()
	u.Session.Disconnect()
	u.Events.WaitFrom(t, mark, u.JID+" offline", func(ev core.Event) bool {
		st, ok := ev.(core.ConnectionStateChanged)
		return ok && st.State == core.StateOffline
	})
}

// BothServers runs f against the shared Prosody and ejabberd.
func BothServers(t *testing.T, f func(t *testing.T, srv *testserver.Server)) {
	for _, k := range []testserver.Kind{testserver.Prosody, testserver.Ejabberd} {
		t.Run(string(k), func(t *testing.T) { f(t, testserver.Shared(t, k, testserver.Options{})) })
	}
}

// Mutual makes u and v contacts of each other (each sees the other's
// presence), both online, and waits until u sees v online.
func Mutual(t testing.TB, u, v *User) {
	t.Helper()
	ctx := t.Context()
	if err := u.Session.AddContact(ctx, core.AddContactRequest{JID: v.JID, Subscribe: true}); err != nil {
		t.Fatal(err)
	}
	v.Events.Wait(t, v.JID+" asked", func(e core.Event) bool {
		r, ok := e.(core.SubscriptionRequested)
		return ok && r.Request.From == u.JID
	})
	if err := v.Session.ApproveSubscription(ctx, u.JID, core.ApproveOptions{AddBack: true}); err != nil {
		t.Fatal(err)
	}
	u.Events.Wait(t, u.JID+" asked back", func(e core.Event) bool {
		r, ok := e.(core.SubscriptionRequested)
		return ok && r.Request.From == v.JID
	})
	if err := u.Session.ApproveSubscription(ctx, v.JID, core.ApproveOptions{}); err != nil {
		t.Fatal(err)
	}
	u.Events.Wait(t, v.JID+" online at "+u.JID+"'s", func(e core.Event) bool {
		p, ok := e.(core.PresenceChanged)
		return ok && p.Contact.JID == v.JID && p.Contact.Online()
	})
}

// Received waits, from mark, for a one-to-one message of direction dir
// that says body to be published on u's side, and returns it.
func (u *User) Received(t testing.TB, mark int, dir history.Direction, body string) history.Message {
	t.Helper()
	return u.Events.WaitFrom(t, mark, u.JID+" gets "+body, func(e core.Event) bool {
		r, ok := e.(core.MessageReceived)
		return ok && r.Message.Direction == dir && r.Message.Body == body
	}).(core.MessageReceived).Message
}

// BothArchived runs f, in parallel, against the shared Prosody and
// ejabberd with their message archives (ejabberd's is otherwise off).
func BothArchived(t *testing.T, f func(t *testing.T, srv *testserver.Server)) {
	for _, k := range []testserver.Kind{testserver.Prosody, testserver.Ejabberd} {
		t.Run(string(k), func(t *testing.T) {
			t.Parallel()
			f(t, testserver.Shared(t, k, testserver.Options{Archive: true}))
		})
	}
}

// Pair is two new users of srv with features, signed in and contacts of
// each other.
func Pair(t testing.TB, srv *testserver.Server, features ...*core.Feature) (a, b *User) {
	t.Helper()
	a, b = NewUser(t, srv, features...), NewUser(t, srv, features...)
	a.Connect(t)
	b.Connect(t)
	Mutual(t, a, b)
	return a, b
}
