// Package secret derives the platform's keys from one secret string and
// uses them: an HMAC key for signed tokens, an AES-256-GCM key for personal
// data at rest and an HMAC key for the blind index that finds personal data
// by exact value. All come from TONGXIN_SECRET_KEY through HKDF, so
// rotating the secret rotates them. Each sealed value names the key that
// sealed it, and the secrets it replaced (TONGXIN_SECRET_KEY_PREVIOUS) still
// open what they sealed until `tongxin rekey` has sealed everything anew.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// MinLength is the shortest secret accepted.
const MinLength = 32

// Keys holds the derived keys.
type Keys struct {
	sign  []byte
	index []byte
	id    string                 // names the current data key in what it seals
	aeads map[string]cipher.AEAD // key id → data key, current and previous

	masked masked // what sealed values show masked (OpenMasked)
}

// Derive turns a secret string into Keys. previous are secrets used
// before: values they sealed still open.
func Derive(secret string, previous ...string) (*Keys, error) {
	if utf8.RuneCountInString(secret) < MinLength {
		return nil, fmt.Errorf("secret key must be at least %d characters", MinLength)
	}
	sign, err := hkdf.Key(sha256.New, []byte(secret), nil, "tongxin signing v1", 32)
	if err != nil {
		return nil, err
	}
	index, err := hkdf.Key(sha256.New, []byte(secret), nil, "tongxin blind index v1", 32)
	if err != nil {
		return nil, err
	}
	k := &Keys{sign: sign, index: index, aeads: map[string]cipher.AEAD{}}
	for i, s := range append([]string{secret}, previous...) {
		id, aead, err := dataKey(s)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			k.id = id
		}
		if _, dup := k.aeads[id]; !dup {
			k.aeads[id] = aead
		}
	}
	return k, nil
}

// dataKey derives the AES-GCM key of a secret and its public id (a
// fingerprint that reveals nothing of the key).
func dataKey(secret string) (string, cipher.AEAD, error) {
	enc, err := hkdf.Key(sha256.New, []byte(secret), nil, "tongxin personal data v1", 32)
	if err != nil {
		return "", nil, err
	}
	fp, err := hkdf.Key(sha256.New, []byte(secret), nil, "tongxin personal data key id v1", 6)
	if err != nil {
		return "", nil, err
	}
	block, err := aes.NewCipher(enc)
	if err != nil {
		return "", nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return "", nil, err
	}
	return base64.RawURLEncoding.EncodeToString(fp), aead, nil
}

// KeyID names the key Seal uses now.
func (k *Keys) KeyID() string { return k.id }

// Index returns the blind index of a normalised value: a keyed hash that
// finds a row by exact value without storing or revealing the value.
// purpose separates indexes (a phone number and an ID number never share
// a hash).
func (k *Keys) Index(purpose, value string) string {
	m := hmac.New(sha256.New, k.index)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

// Sign returns a MAC of msg (base64url, unpadded).
func (k *Keys) Sign(msg string) string {
	m := hmac.New(sha256.New, k.sign)
	m.Write([]byte(msg))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Verify reports whether mac is Sign(msg), in constant time.
func (k *Keys) Verify(msg, mac string) bool {
	return hmac.Equal([]byte(k.Sign(msg)), []byte(mac))
}

// Seal encrypts plaintext with the current key; the result is
// "<key id>.<base64url of nonce‖ciphertext>". The empty string stays empty
// so optional fields stay optional.
func (k *Keys) Seal(plaintext string) string {
	if plaintext == "" {
		return ""
	}
	aead := k.aeads[k.id]
	nonce := make([]byte, aead.NonceSize())
	rand.Read(nonce)
	return k.id + "." + base64.RawURLEncoding.EncodeToString(aead.Seal(nonce, nonce, []byte(plaintext), nil))
}

// Sealed reports which key sealed a value ("" for none or malformed), so a
// rekey finds what the current key did not seal.
func Sealed(sealed string) string {
	id, _, _ := strings.Cut(sealed, ".")
	return id
}

// Open decrypts what Seal returned, with whichever known key sealed it.
func (k *Keys) Open(sealed string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	id, body, ok := strings.Cut(sealed, ".")
	aead := k.aeads[id]
	if !ok || aead == nil {
		return "", fmt.Errorf("secret: sealed with key %q, which is not configured", id)
	}
	b, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil || len(b) < aead.NonceSize() {
		return "", errors.New("secret: malformed ciphertext")
	}
	n := aead.NonceSize()
	p, err := aead.Open(nil, b[:n], b[n:], nil)
	if err != nil {
		return "", errors.New("secret: ciphertext does not open with this key")
	}
	return string(p), nil
}

// Resolve returns the configured secret, or for SQLite without one the
// secret kept beside the database file (<db>.key, mode 0600), generating it
// on first use. With PostgreSQL a missing secret is an error: replicas must
// share it, so it cannot be generated by one of them.
func Resolve(configured string, sqlitePath string) (secret string, generated bool, err error) {
	if configured != "" {
		if utf8.RuneCountInString(configured) < MinLength {
			return "", false, fmt.Errorf("TONGXIN_SECRET_KEY must be at least %d characters", MinLength)
		}
		return configured, false, nil
	}
	if sqlitePath == "" {
		return "", false, errors.New("TONGXIN_SECRET_KEY (or TONGXIN_SECRET_KEY_FILE) is required with PostgreSQL: every replica must use the same secret of at least 32 characters")
	}
	path := sqlitePath + ".key"
	if b, err := os.ReadFile(path); err == nil {
		s := strings.TrimSpace(string(b))
		if utf8.RuneCountInString(s) < MinLength {
			return "", false, fmt.Errorf("%s holds a secret shorter than %d characters", path, MinLength)
		}
		return s, false, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", false, err
	}
	raw := make([]byte, 32)
	rand.Read(raw)
	s := base64.RawURLEncoding.EncodeToString(raw)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", false, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) { // another process won the race
			return Resolve("", sqlitePath)
		}
		return "", false, err
	}
	if _, err := f.WriteString(s + "\n"); err != nil {
		f.Close()
		return "", false, err
	}
	if err := f.Close(); err != nil {
		return "", false, err
	}
	return s, true, nil
}
