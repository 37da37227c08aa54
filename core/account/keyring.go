package account

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	dbus "github.com/godbus/dbus/v5"
	"github.com/zalando/go-keyring"
)

// Errors of Keyring. Every error a Keyring method returns matches (errors.Is)
// exactly one of them, except a caller's own context cancellation
// (context.Canceled) and an invalid JID (ErrInvalidAccount). The original
// error is wrapped as well, so its text and type stay available.
var (
	// ErrKeyringUnavailable: there is no keyring to talk to — no session
	// bus, no Secret Service on it (org.freedesktop.secrets not provided),
	// or a platform go-keyring does not support.
	ErrKeyringUnavailable = errors.New("no OS keyring is available")
	// ErrKeyringLocked: the keyring did not answer in time (usually it is
	// locked and waiting for the user to answer an unlock prompt) or it
	// refused (prompt dismissed, access denied).
	ErrKeyringLocked = errors.New("the OS keyring is locked or did not answer")
	// ErrPasswordNotFound: the keyring has no password for this account.
	ErrPasswordNotFound = errors.New("no password stored in the OS keyring")
)

// DefaultService is the keyring service name Causerie's items carry.
const DefaultService = "causerie"

// DefaultKeyringTimeout bounds each keyring call made by NewKeyring's Keyring.
const DefaultKeyringTimeout = 5 * time.Second

// probeUser is the user name Available looks up. It has no "@", so it can
// never be an account's normalised JID.
const probeUser = "causerie.availability-probe"

// Keyring stores one password per account in the OS keyring, with the
// normalised bare JID as the user name and Service as the service name.
// On Linux/BSD that is the Secret Service (attributes "service" and
// "username" in the default collection), on Windows the Credential Manager,
// on macOS the Keychain.
//
// Every call runs go-keyring in its own goroutine and waits at most Timeout
// (and no longer than ctx allows). A keyring that is locked can block until
// the user answers an unlock prompt, or forever; when the wait ends first the
// call returns ErrKeyringLocked and the goroutine is abandoned: it keeps
// running until go-keyring returns, possibly never. Calls are serialised
// process-wide (one go-keyring call at a time), so at most one goroutine is
// ever stuck, later calls wait behind it and time out with ErrKeyringLocked
// instead of piling up, and operations reach the keyring in call order. An
// abandoned Set or Delete may still take effect later, once the keyring
// answers (for instance after the user unlocked it).
//
// Keyring methods block for up to Timeout: never call them on the UI
// goroutine. Passwords never appear in errors or logs.
//
// The zero Keyring works too: an empty Service means "causerie", a
// non-positive Timeout means 5 s.
type Keyring struct {
	Service string
	Timeout time.Duration
}

// NewKeyring returns a Keyring with Service "causerie" and a 5 s timeout.
func NewKeyring() *Keyring {
	return &Keyring{Service: DefaultService, Timeout: DefaultKeyringTimeout}
}

// KeyringError is the type of the errors Keyring methods return. It
// matches its Kind (ErrKeyringUnavailable, ErrKeyringLocked or
// ErrPasswordNotFound) and the underlying error with errors.Is/As.
type KeyringError struct {
	Op   string // "get", "set", "delete", "check"
	JID  string // normalised JID; empty for Available
	Kind error  // one of the package's keyring sentinels, or nil
	Err  error  // what go-keyring, D-Bus or the context said; may be nil
}

func (e *KeyringError) Error() string {
	var b strings.Builder
	b.WriteString("account: keyring ")
	b.WriteString(e.Op)
	if e.JID != "" {
		b.WriteString(" for ")
		b.WriteString(e.JID)
	}
	if e.Kind != nil {
		b.WriteString(": ")
		b.WriteString(e.Kind.Error())
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns Kind and Err.
func (e *KeyringError) Unwrap() []error {
	var out []error
	if e.Kind != nil {
		out = append(out, e.Kind)
	}
	if e.Err != nil {
		out = append(out, e.Err)
	}
	return out
}

func (k *Keyring) service() string {
	if k == nil || k.Service == "" {
		return DefaultService
	}
	return k.Service
}

func (k *Keyring) timeout() time.Duration {
	if k == nil || k.Timeout <= 0 {
		return DefaultKeyringTimeout
	}
	return k.Timeout
}

// Get returns the password stored for jid, or an error matching
// ErrPasswordNotFound, ErrKeyringUnavailable or ErrKeyringLocked.
func (k *Keyring) Get(ctx context.Context, jid string) (string, error) {
	user, err := keyringUser(jid)
	if err != nil {
		return "", err
	}
	service := k.service()
	return k.call(ctx, "get", user, "", func() (string, error) {
		return keyring.Get(service, user)
	})
}

// Set stores password for jid, replacing any previous one.
func (k *Keyring) Set(ctx context.Context, jid, password string) error {
	user, err := keyringUser(jid)
	if err != nil {
		return err
	}
	service := k.service()
	_, err = k.call(ctx, "set", user, password, func() (string, error) {
		return "", keyring.Set(service, user, password)
	})
	return err
}

// Delete removes the password stored for jid. Deleting a password that is
// not there is not an error.
func (k *Keyring) Delete(ctx context.Context, jid string) error {
	user, err := keyringUser(jid)
	if err != nil {
		return err
	}
	service := k.service()
	_, err = k.call(ctx, "delete", user, "", func() (string, error) {
		return "", keyring.Delete(service, user)
	})
	if errors.Is(err, ErrPasswordNotFound) {
		return nil
	}
	return err
}

// MoveFrom moves the password stored under former, a key of an older
// Causerie taken as is (Store.FormerJID), to jid's key, and returns it.
// The error matches ErrPasswordNotFound when there is nothing under
// former. If storing under the new key fails, the old item is kept and the
// password is still returned.
func (k *Keyring) MoveFrom(ctx context.Context, former, jid string) (string, error) {
	if former == "" || !utf8.ValidString(former) {
		return "", &KeyringError{Op: "get", JID: former, Kind: ErrPasswordNotFound}
	}
	service := k.service()
	pw, err := k.call(ctx, "get", former, "", func() (string, error) {
		return keyring.Get(service, former)
	})
	if err != nil {
		return "", err
	}
	if k.Set(ctx, jid, pw) == nil {
		_ = k.DeleteFormer(ctx, former)
	}
	return pw, nil
}

// DeleteFormer removes the password stored under former, a key of an older
// Causerie taken as is (Store.FormerJID). Nothing there is not an error.
func (k *Keyring) DeleteFormer(ctx context.Context, former string) error {
	if former == "" || !utf8.ValidString(former) {
		return nil
	}
	service := k.service()
	_, err := k.call(ctx, "delete", former, "", func() (string, error) {
		return "", keyring.Delete(service, former)
	})
	if errors.Is(err, ErrPasswordNotFound) {
		return nil
	}
	return err
}

// Available reports whether the keyring can be used: nil, or an error
// matching ErrKeyringUnavailable or ErrKeyringLocked. It looks up an item
// that never exists; on a locked Secret Service that asks to unlock the
// default collection, which may show the unlock prompt.
func (k *Keyring) Available(ctx context.Context) error {
	service := k.service()
	_, err := k.call(ctx, "check", "", "", func() (string, error) {
		return keyring.Get(service, probeUser)
	})
	if errors.Is(err, ErrPasswordNotFound) {
		return nil
	}
	return err
}

// keyringUser validates and normalises the JID used as the keyring user.
func keyringUser(jid string) (string, error) {
	user := NormalizeJID(jid)
	if err := ValidateJID(user); err != nil {
		return "", err
	}
	return user, nil
}

// sem serialises go-keyring calls process-wide; see Keyring.
var sem = make(chan struct{}, 1)

type result struct {
	s   string
	err error
}

// call runs fn in its own goroutine and waits for it at most k.timeout()
// and as long as ctx allows. secret, if not empty, is scrubbed from error
// text.
func (k *Keyring) call(ctx context.Context, op, user, secret string, fn func() (string, error)) (string, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	fail := func(kind, err error) error {
		return &KeyringError{Op: op, JID: user, Kind: kind, Err: scrub(err, secret)}
	}
	if err := sessionBusMissing(); err != nil {
		return "", fail(ErrKeyringUnavailable, err)
	}
	if err := ctx.Err(); err != nil {
		return "", fail(ctxKind(err), err)
	}
	ctx, cancel := context.WithTimeout(ctx, k.timeout())
	defer cancel()

	select {
	case sem <- struct{}{}:
	case <-ctx.Done():
		return "", fail(ctxKind(ctx.Err()), fmt.Errorf("waiting for an earlier keyring call that has not returned: %w", ctx.Err()))
	}
	done := make(chan result, 1) // buffered: an abandoned goroutine never blocks on it
	go func() {
		defer func() { <-sem }()
		s, err := fn()
		done <- result{s, err}
	}()

	select {
	case r := <-done:
		if r.err != nil {
			return "", fail(classify(r.err), r.err)
		}
		return r.s, nil
	case <-ctx.Done():
		return "", fail(ctxKind(ctx.Err()), fmt.Errorf("no answer within %v: %w", k.timeout(), ctx.Err()))
	}
}

// ctxKind: a deadline means the keyring did not answer in time; a
// cancellation by the caller is reported as such (Kind nil).
func ctxKind(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return ErrKeyringLocked
	}
	return nil
}

// sessionBusMissing returns an error when go-keyring would use the Secret
// Service but there is no session bus address: godbus would then look for
// $XDG_RUNTIME_DIR-like sockets and finally run dbus-launch to autolaunch a
// private bus (and leave a stray dbus-daemon behind), which is never what a
// desktop client wants.
func sessionBusMissing() error {
	switch runtime.GOOS {
	case "windows", "darwin", "ios":
		return nil
	}
	switch addr := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); addr {
	case "":
		return errors.New("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)")
	case "autolaunch:":
		return errors.New("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS asks for autolaunch)")
	}
	return nil
}

// D-Bus error names that mean "nobody provides a Secret Service here".
var unavailableDBusErrors = map[string]bool{
	"org.freedesktop.DBus.Error.ServiceUnknown":   true, // The name org.freedesktop.secrets was not provided by any .service files
	"org.freedesktop.DBus.Error.NameHasNoOwner":   true,
	"org.freedesktop.DBus.Error.NoServer":         true,
	"org.freedesktop.DBus.Error.NoNetwork":        true,
	"org.freedesktop.DBus.Error.Disconnected":     true,
	"org.freedesktop.DBus.Error.UnknownMethod":    true,
	"org.freedesktop.DBus.Error.UnknownObject":    true,
	"org.freedesktop.DBus.Error.UnknownInterface": true,
	"org.freedesktop.DBus.Error.NotSupported":     true,
	"org.freedesktop.Secret.Error.NoSuchObject":   true, // e.g. no default collection
}

// D-Bus error names that mean "there is a keyring but it did not answer in
// time or refused".
var lockedDBusErrors = map[string]bool{
	"org.freedesktop.DBus.Error.NoReply":      true, // the bus gave up waiting (25 s by default)
	"org.freedesktop.DBus.Error.Timeout":      true,
	"org.freedesktop.DBus.Error.TimedOut":     true,
	"org.freedesktop.DBus.Error.AccessDenied": true,
	"org.freedesktop.Secret.Error.IsLocked":   true,
}

// classify maps an error from go-keyring to one of the package's sentinels.
//
// What go-keyring v0.2.8 returns (secret_service, keyring_unix.go):
//   - keyring.ErrNotFound when no item matches service+username;
//   - keyring.ErrUnsupportedPlatform on platforms without a provider;
//   - keyring.ErrSetDataTooBig (macOS, Windows) for an oversized Set;
//   - errors from dbus.SessionBus(): net.OpError dial errors (ENOENT,
//     ECONNREFUSED), "dbus: authentication failed", "dbus: authentication
//     protocol error", io.EOF, "dbus: invalid bus address ...";
//   - dbus.Error replies, e.g. org.freedesktop.DBus.Error.ServiceUnknown
//     ("The name org.freedesktop.secrets was not provided by any .service
//     files") when no Secret Service runs;
//   - fmt.Errorf("failed to unlock correct collection '%v'") when the unlock
//     prompt was dismissed or unlocked something else.
//
// Anything not recognised is reported as ErrKeyringUnavailable: the keyring
// cannot be used, and the wrapped error keeps the detail.
func classify(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, keyring.ErrNotFound) {
		return ErrPasswordNotFound
	}
	if errors.Is(err, keyring.ErrUnsupportedPlatform) {
		return ErrKeyringUnavailable
	}
	if errors.Is(err, keyring.ErrSetDataTooBig) {
		return ErrKeyringLocked // the keyring refused it
	}
	var name string
	var de dbus.Error
	var dep *dbus.Error
	switch {
	case errors.As(err, &de):
		name = de.Name
	case errors.As(err, &dep) && dep != nil:
		name = dep.Name
	}
	if name != "" {
		if lockedDBusErrors[name] {
			return ErrKeyringLocked
		}
		// unavailableDBusErrors, org.freedesktop.DBus.Error.Spawn.* (the
		// bus could not start a Secret Service) and any other D-Bus error.
		return ErrKeyringUnavailable
	}
	if strings.HasPrefix(err.Error(), "failed to unlock correct collection") {
		return ErrKeyringLocked
	}
	if errors.Is(err, syscall.ETIMEDOUT) || isTimeout(err) {
		return ErrKeyringLocked
	}
	return ErrKeyringUnavailable
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// redactedError replaces an error whose text contained the secret.
type redactedError struct{ msg string }

func (e redactedError) Error() string { return e.msg }

// scrub makes sure the secret never reaches an error string. go-keyring's
// errors do not contain it; this is a belt-and-braces check.
func scrub(err error, secret string) error {
	if err == nil || secret == "" || !strings.Contains(err.Error(), secret) {
		return err
	}
	return redactedError{strings.ReplaceAll(err.Error(), secret, "[redacted]")}
}
