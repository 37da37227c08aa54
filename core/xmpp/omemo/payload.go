package omemo

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
)

// ErrPayload: a payload that its key and tag do not open (altered, or
// not meant for this key).
var ErrPayload = errors.New("omemo: the payload does not decrypt")

// Seal encrypts plaintext as OMEMO 0.3 does: AES-128-GCM with a fresh
// random key and 12-byte IV. It returns the key and the 16-byte tag
// concatenated (what each recipient device gets, encrypted by its
// Signal session), the IV, and the ciphertext without the tag (the
// payload).
func Seal(plaintext []byte) (keyAndTag, iv, payload []byte, err error) {
	key := make([]byte, KeySize)
	iv = make([]byte, 12)
	if _, err := rand.Read(key); err != nil {
		return nil, nil, nil, err
	}
	if _, err := rand.Read(iv); err != nil {
		return nil, nil, nil, err
	}
	gcm, err := newGCM(key, len(iv))
	if err != nil {
		return nil, nil, nil, err
	}
	sealed := gcm.Seal(nil, iv, plaintext, nil)
	n := len(sealed) - TagSize
	return append(key, sealed[n:]...), iv, sealed[:n], nil
}

// Open decrypts a payload with the key and tag a Signal session gave
// (KeySize bytes of key, then the tag: 16 bytes, or more when a sender
// appended more) and the header's IV (12 bytes, or 16 from older
// senders).
func Open(keyAndTag, iv, payload []byte) ([]byte, error) {
	if len(keyAndTag) < KeySize+TagSize || len(keyAndTag) > KeySize+32 || (len(iv) != 12 && len(iv) != 16) {
		return nil, ErrPayload
	}
	gcm, err := newGCM(keyAndTag[:KeySize], len(iv))
	if err != nil {
		return nil, ErrPayload
	}
	tag := keyAndTag[KeySize : KeySize+TagSize]
	sealed := make([]byte, 0, len(payload)+TagSize)
	sealed = append(append(sealed, payload...), tag...)
	plain, err := gcm.Open(nil, iv, sealed, nil)
	if err != nil {
		return nil, ErrPayload
	}
	return plain, nil
}

func newGCM(key []byte, ivSize int) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	if ivSize == 12 {
		return cipher.NewGCM(block)
	}
	return cipher.NewGCMWithNonceSize(block, ivSize)
}
