package core

import (
	"context"
	"errors"
	"fmt"
	"log"
	"sync"
	"sync/atomic"
	"time"

	"github.com/causerie/causerie/core/account"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/caps"
)

// Client is the whole model: the accounts, one Session each, the history
// store and the event bus. The GUI holds one Client.
type Client struct {
	accounts *account.Store
	keyring  *account.Keyring
	store    *history.Store
	opts     Options
	bus      Bus
	// caps caches contacts' verified capabilities (XEP-0115), avatars
	// their avatars; hideOS: see SetHideOS; noMarkers: SetReadMarkers.
	caps      *caps.Cache
	avatars   avatarCache
	hideOS    atomic.Bool
	noMarkers atomic.Bool

	mu       sync.Mutex
	sessions map[string]*Session
	// acctMu serialises read-modify-write of the stored accounts (an
	// update from the UI, the strongest sign-in recorded by a session).
	acctMu sync.Mutex
	// Logf receives diagnostics (never passwords); default log.Printf.
	Logf func(format string, args ...any)
}

// NewClient builds a client over the account store, keyring (nil: no
// keyring, passwords typed each time) and history store. It loads every
// account's cached roster and pending requests so the UI can show them
// before any network answer.
func NewClient(accounts *account.Store, keyring *account.Keyring, store *history.Store, opts Options) *Client {
	c := &Client{accounts: accounts, keyring: keyring, store: store, opts: opts, sessions: map[string]*Session{}}
	c.caps = caps.NewCache(capsStore{store: store, logf: c.logf})
	for _, a := range accounts.List() {
		c.session(a)
	}
	return c
}

func (c *Client) logf(format string, args ...any) {
	if c.Logf != nil {
		c.Logf(format, args...)
		return
	}
	log.Printf(format, args...)
}

// Subscribe registers an event handler; see Bus.
func (c *Client) Subscribe(f func(Event)) (cancel func()) { return c.bus.Subscribe(f) }

// Store is the history store.
func (c *Client) Store() *history.Store { return c.store }

// Keyring is the keyring (nil when none).
func (c *Client) Keyring() *account.Keyring { return c.keyring }

func (c *Client) session(a account.Account) *Session {
	c.mu.Lock()
	s, ok := c.sessions[a.JID]
	if !ok {
		s = newSession(c, a)
		c.sessions[a.JID] = s
	}
	c.mu.Unlock()
	if !ok {
		if err := s.loadCachedRoster(); err != nil {
			c.logf("roster cache of %s: %v", a.JID, err)
		}
		s.loadOutbox()
	}
	return s
}

// Sessions returns a session per account, in the accounts' order.
func (c *Client) Sessions() []*Session {
	var out []*Session
	for _, a := range c.accounts.List() {
		out = append(out, c.session(a))
	}
	return out
}

// Session returns the session of an account.
func (c *Client) Session(jid string) (*Session, bool) {
	a, ok := c.accounts.Get(jid)
	if !ok {
		return nil, false
	}
	return c.session(a), true
}

// AddAccount saves an account (and its password in the keyring when
// a.RememberPassword) and returns its session, not yet connected. A
// keyring failure is returned wrapped: the account is saved anyway and
// the password kept for this run, so the UI can say "not remembered".
func (c *Client) AddAccount(ctx context.Context, a account.Account, password string) (*Session, error) {
	if err := c.putAccount(a); err != nil {
		return nil, err
	}
	a, _ = c.accounts.Get(a.JID)
	s := c.session(a)
	s.mu.Lock()
	s.acct = a
	s.mu.Unlock()
	c.bus.Publish(AccountsChanged{Account: a.JID})
	if password == "" {
		return s, nil
	}
	s.SetPassword(password)
	if a.RememberPassword {
		if c.keyring == nil {
			return s, fmt.Errorf("core: password not remembered: %w", account.ErrKeyringUnavailable)
		}
		if err := c.keyring.Set(ctx, a.JID, password); err != nil {
			return s, fmt.Errorf("core: password not remembered: %w", err)
		}
	}
	return s, nil
}

// TrustCertificate makes fp ("AB:CD:…", as xmpp.FormatFingerprint writes
// it) the one certificate pinned for account jid and saves the account: a
// changed certificate replaces the pin it changed from, it is never added
// beside it (the old key may be the one that leaked). It applies from the
// session's next connection. It writes the accounts file: call it off the
// UI goroutine.
func (c *Client) TrustCertificate(jid, fp string) error {
	raw, err := xmpp.ParseFingerprint(fp)
	if err != nil {
		return err
	}
	s, ok := c.Session(jid)
	if !ok {
		return ErrNotConnected
	}
	a := s.Account()
	a.Pinned = []string{xmpp.FormatFingerprint(raw)}
	return c.UpdateAccount(a)
}

// Edits returns what message id said before its corrections (XEP-0308),
// the original first.
func (c *Client) Edits(id int64) ([]history.Edit, error) { return c.store.Edits(id) }

// UpdateAccount saves changed settings; they apply on the next connection.
// The strongest sign-in recorded for the account is kept even when a
// carries a weaker one (a copy taken before the sign-in): the floor only
// rises, and only RemoveAccount forgets it.
func (c *Client) UpdateAccount(a account.Account) error {
	if err := c.putAccount(a); err != nil {
		return err
	}
	a, _ = c.accounts.Get(a.JID)
	s := c.session(a)
	s.mu.Lock()
	prio := s.acct.Priority != a.Priority
	s.acct = a
	if prio {
		s.want.Priority = a.Priority
	}
	conn, online := s.conn, s.state == StateOnline && !s.invisible
	s.mu.Unlock()
	c.bus.Publish(AccountsChanged{Account: a.JID})
	if prio && online && conn != nil {
		// The new priority applies now, not at the next sign-in.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.sendPresence(ctx, conn); err == nil {
			c.bus.Publish(OwnPresenceChanged{Account: a.JID, Presence: s.Presence()})
		}
	}
	return nil
}

// putAccount stores a, keeping the stored StrongestAuth when it is
// stronger than a's.
func (c *Client) putAccount(a account.Account) error {
	c.acctMu.Lock()
	defer c.acctMu.Unlock()
	if old, ok := c.accounts.Get(a.JID); ok && xmpp.Stronger(old.StrongestAuth, a.StrongestAuth) {
		a.StrongestAuth = old.StrongestAuth
	}
	return c.accounts.Put(a)
}

// storedPassword reads the password of account jid from the keyring. An
// account whose key changed with the RFC 7622 normalisation has its item
// under its former key (account.Store.FormerJID): the password is read
// there and moved to the current key.
func (c *Client) storedPassword(ctx context.Context, jid string) (string, error) {
	pw, err := c.keyring.Get(ctx, jid)
	if !errors.Is(err, account.ErrPasswordNotFound) {
		return pw, err
	}
	former, ok := c.accounts.FormerJID(jid)
	if !ok {
		return "", err
	}
	if pw, ferr := c.keyring.MoveFrom(ctx, former, jid); ferr == nil {
		return pw, nil
	}
	return "", err
}

// RemoveAccount disconnects and forgets an account on this computer: its
// settings, its keyring entry and, when deleteHistory, its local history.
func (c *Client) RemoveAccount(ctx context.Context, jid string, deleteHistory bool) error {
	if s, ok := c.Session(jid); ok {
		s.Disconnect()
	}
	a, ok := c.accounts.Get(jid)
	if !ok {
		return nil
	}
	var errs []error
	if c.keyring != nil {
		if err := c.keyring.Delete(ctx, a.JID); err != nil && !errors.Is(err, account.ErrPasswordNotFound) {
			errs = append(errs, err)
		}
		if former, ok := c.accounts.FormerJID(a.JID); ok {
			errs = append(errs, c.keyring.DeleteFormer(ctx, former))
		}
	}
	if deleteHistory {
		errs = append(errs, c.store.DeleteAccount(a.JID))
	}
	errs = append(errs, c.accounts.Remove(a.JID))
	c.mu.Lock()
	delete(c.sessions, a.JID)
	c.mu.Unlock()
	c.bus.Publish(AccountsChanged{Account: a.JID, Removed: true})
	return errors.Join(errs...)
}

// ConnectAll starts every enabled account marked auto-connect.
func (c *Client) ConnectAll() {
	for _, s := range c.Sessions() {
		if a := s.Account(); a.AutoConnect && !a.Disabled {
			s.Connect()
		}
	}
}

// Close disconnects every session.
func (c *Client) Close() {
	var wg sync.WaitGroup
	for _, s := range c.Sessions() {
		wg.Add(1)
		go func() { defer wg.Done(); s.Disconnect() }()
	}
	wg.Wait()
}
