package keys

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/causerie/causerie/core/account"
)

// KeyringService is the OS keyring service under which the identity
// private keys are kept, apart from the passwords: each device's under
// KeyringService-<device id>, for the account's bare JID.
const KeyringService = "causerie-omemo"

// Keyring keeps the identity private keys in the OS keyring (base64),
// under K's service followed by the device id.
type Keyring struct{ K *account.Keyring }

// device is K for one device.
func (k Keyring) device(id uint32) *account.Keyring {
	if id == 0 {
		return k.K
	}
	d := *k.K
	d.Service = fmt.Sprintf("%s-%d", k.K.Service, id)
	return &d
}

// NewKeyring is Keyring over the OS keyring, under KeyringService.
func NewKeyring() Keyring {
	return Keyring{K: &account.Keyring{Service: KeyringService, Timeout: account.DefaultKeyringTimeout}}
}

// Get returns the key of acct's device, or an error matching
// ErrNoSecret.
func (k Keyring) Get(ctx context.Context, acct string, device uint32) ([]byte, error) {
	s, err := k.device(device).Get(ctx, acct)
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

// Set stores the key of acct's device.
func (k Keyring) Set(ctx context.Context, acct string, device uint32, key []byte) error {
	return k.device(device).Set(ctx, acct, base64.StdEncoding.EncodeToString(key))
}

// Delete removes the key of acct's device.
func (k Keyring) Delete(ctx context.Context, acct string, device uint32) error {
	return k.device(device).Delete(ctx, acct)
}
