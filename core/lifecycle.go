package core

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/causerie/causerie/core/account"
	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/register"
)

// Errors of the account life cycle (password change, deletion).
var (
	// ErrWrongOldPassword: the current password typed is not the
	// account's (checked locally when the password is known, else by the
	// server when it asks for it).
	ErrWrongOldPassword = errors.New("core: the current password is wrong")
	// ErrPasswordNotRemembered: the server changed the password, but the
	// keyring could not store the new one (wrapped with the keyring's
	// error). The change itself succeeded.
	ErrPasswordNotRemembered = errors.New("core: new password not remembered")
	// ErrPasswordChangeRefused: the server does not let this account
	// change its password in-band.
	ErrPasswordChangeRefused = errors.New("core: the server refused to change the password")
	// ErrWeakPassword: the server did not accept the new password.
	ErrWeakPassword = errors.New("core: the server did not accept the new password")
	// ErrDeleteRefused: the server does not let this account be deleted
	// in-band.
	ErrDeleteRefused = errors.New("core: the server refused to delete the account")
)

// ChangePassword changes the account's password on the server over the
// signed-in stream (XEP-0077 §3.3). old is checked against the password
// this session knows (typed or remembered) before anything is sent; when
// the server answers with a data form (asking for the old password, say)
// the form is filled and sent. The keyring is updated only after the
// server confirmed; a keyring failure then is ErrPasswordNotRemembered,
// and the session uses the new password anyway. The session stays online.
func (s *Session) ChangePassword(ctx context.Context, old, new string) error {
	if new == "" {
		return ErrWeakPassword
	}
	rc, err := s.connected()
	if err != nil {
		return err
	}
	a := s.Account()
	if known, err := s.passwordFor(ctx, a); err == nil && known != old {
		return ErrWrongOldPassword
	}
	err = register.ChangePassword(ctx, rc.Conn, new)
	var re *register.Error
	if errors.As(err, &re) && re.Form != nil {
		user := ""
		if j, err := xmpp.ParseJID(a.JID); err == nil {
			user = j.Local()
		}
		err = register.SubmitForm(ctx, rc.Conn, re.Form.Submit(map[string][]string{
			"username":     {user},
			"old_password": {old},
			"password":     {new},
		}))
	}
	switch {
	case err == nil:
	case errors.Is(err, register.ErrNotAuthorized) && re != nil && re.Form != nil:
		return ErrWrongOldPassword
	case errors.Is(err, register.ErrNotAcceptable):
		return fmt.Errorf("%w: %w", ErrWeakPassword, err)
	case errors.Is(err, register.ErrNotAllowed), errors.Is(err, register.ErrNotAuthorized):
		return fmt.Errorf("%w: %w", ErrPasswordChangeRefused, err)
	default:
		return err
	}
	s.mu.Lock()
	s.password = new
	s.mu.Unlock()
	if a.RememberPassword && s.client.keyring != nil {
		if err := s.client.keyring.Set(ctx, a.JID, new); err != nil {
			return fmt.Errorf("%w: %w", ErrPasswordNotRemembered, err)
		}
	}
	return nil
}

// RememberPassword stores the password this session knows in the keyring
// (on) or deletes it from there (off), and saves the setting.
func (s *Session) RememberPassword(ctx context.Context, on bool) error {
	a := s.Account()
	k := s.client.keyring
	if on {
		s.mu.Lock()
		pw := s.password
		s.mu.Unlock()
		if pw == "" && !a.RememberPassword {
			return ErrPasswordNeeded
		}
		if pw != "" {
			if k == nil {
				return account.ErrKeyringUnavailable
			}
			if err := k.Set(ctx, a.JID, pw); err != nil {
				return err
			}
		}
	} else if a.RememberPassword && k != nil {
		// Keep it for this run, so the session can still reconnect.
		if pw, err := s.client.storedPassword(ctx, a.JID); err == nil {
			s.SetPassword(pw)
		}
		if err := k.Delete(ctx, a.JID); err != nil && !errors.Is(err, account.ErrPasswordNotFound) {
			return err
		}
	}
	a.RememberPassword = on
	return s.client.UpdateAccount(a)
}

// DeleteFromServer deletes the account on the server (XEP-0077 §3.2) and
// then removes it from this computer like RemoveAccount. The session must
// be online. The stream error a server sends after removing an account is
// the expected end: the session goes offline without an error and does
// not reconnect.
func (c *Client) DeleteFromServer(ctx context.Context, jid string, deleteHistory bool) error {
	s, ok := c.Session(jid)
	if !ok {
		return ErrNotConnected
	}
	rc, err := s.connected()
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.deleting = true
	s.mu.Unlock()
	err = register.Remove(ctx, rc.Conn)
	var answered *register.Error
	if err != nil && !errors.As(err, &answered) && s.deletedAnyway(ctx, rc) {
		err = nil // no answer, but the account is gone
	}
	if err != nil {
		s.mu.Lock()
		s.deleting = false
		s.mu.Unlock()
		if errors.Is(err, register.ErrNotAllowed) || errors.Is(err, register.ErrNotAuthorized) {
			return fmt.Errorf("%w: %w", ErrDeleteRefused, err)
		}
		return err
	}
	return c.RemoveAccount(ctx, jid, deleteHistory)
}

// deletedAnyway tells, after a removal request that got no answer (the
// server may drop the stream before the answer reaches us, and stream
// management then fails to resume a session whose account is gone),
// whether the account is gone: a new sign-in is refused.
func (s *Session) deletedAnyway(ctx context.Context, rc *rosterConn) bool {
	select {
	case <-rc.Conn.Done():
	case <-time.After(2 * time.Second):
		return false // the stream is still up: it was not the deletion's end
	}
	c, err := s.dial(ctx)
	if err == nil {
		c.Close()
		return false
	}
	return Classify(err) == ProblemWrongPassword
}
