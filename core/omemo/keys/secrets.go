package keys

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/causerie/causerie/core/account"
)

// KeyringService is the OS keyring service under which the identity
// private keys are kept, one per account (user: the bare JID), apart
// from the passwords.
const KeyringService = "causerie-omemo"

// Keyring keeps the identity private keys in the OS keyring (base64).
type Keyring struct{ K *account.Keyring }

// NewKeyring is Keyring over the OS keyring, under KeyringService.
func NewKeyring() Keyring {
	return Keyring{K: &account.Keyring{Service: KeyringService, Timeout: account.DefaultKeyringTimeout}}
}

// Get returns account's key, or an error matching ErrNoSecret.
func (k Keyring) Get(ctx context.Context, acct string) ([]byte, error) {
	s, err := k.K.Get(ctx, acct)
	if errors.Is(err, account.ErrPasswordNotFound) {
		return nil, ErrNoSecret
	}
	if err != nil {
		return nil, err
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("keys: the keyring's OMEMO identity key is damaged")
	}
	return b, nil
}

// Set stores account's key.
func (k Keyring) Set(ctx context.Context, acct string, key []byte) error {
	return k.K.Set(ctx, acct, base64.StdEncoding.EncodeToString(key))
}
