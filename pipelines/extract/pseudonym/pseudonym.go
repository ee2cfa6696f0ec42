// Package pseudonym turns direct identifiers (a child's file number, a
// measure number) into keyed pseudonyms: HMAC-SHA-256 under a secret key
// kept outside the warehouse. The same key gives the same pseudonym in every
// file, so extracts join; without the key nobody can recompute them.
//
// The key lives in a file readable by its owner only, like an ssh private
// key. Nothing in this package logs or prints it.
package pseudonym

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io/fs"
	"os"
	"strings"
	"sync"
)

// KeySize is the length of a generated key, and the minimum accepted.
const KeySize = 32

// Length is the number of hex characters of a pseudonym (128 bits).
const Length = 32

// Key is a pseudonymisation key. Its zero value is not usable. Printing a
// Key never shows the secret.
type Key struct {
	pool *sync.Pool // of HMAC states keyed with the secret
}

// String hides the secret from fmt and log/slog.
func (Key) String() string { return "pseudonym.Key(secret)" }

// GoString hides the secret from %#v.
func (k Key) GoString() string { return k.String() }

// LoadKey reads a key file written by Generate: hex-encoded, at least
// KeySize bytes. It refuses a file that group or others may read or write.
func LoadKey(path string) (Key, error) {
	st, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return Key{}, fmt.Errorf("pseudonymisation key %s does not exist (create one with Generate, then keep it outside the warehouse): %w", path, err)
		}
		return Key{}, fmt.Errorf("pseudonymisation key: %w", err)
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		return Key{}, fmt.Errorf("pseudonymisation key %s has mode %04o: it must be readable by its owner only (chmod 600 %s)", path, perm, path)
	}
	if !st.Mode().IsRegular() {
		return Key{}, fmt.Errorf("pseudonymisation key %s is not a regular file", path)
	}
	text, err := os.ReadFile(path)
	if err != nil {
		return Key{}, fmt.Errorf("pseudonymisation key: %w", err)
	}
	secret, err := hex.DecodeString(strings.TrimSpace(string(text)))
	if err != nil {
		// Do not wrap err: it would quote part of the secret.
		return Key{}, fmt.Errorf("pseudonymisation key %s is not hex-encoded", path)
	}
	if len(secret) < KeySize {
		return Key{}, fmt.Errorf("pseudonymisation key %s holds %d bytes: expected at least %d", path, len(secret), KeySize)
	}
	return newKey(secret), nil
}

// fingerprintInput is what Fingerprint hashes: no identifier starts with
// a NUL byte, so no pseudonym is ever a key's fingerprint.
const fingerprintInput = "\x00odpe pseudonymisation key fingerprint v1"

// Fingerprint identifies the key without revealing it: the first 32 hex
// characters of HMAC-SHA-256(key, a constant). A warehouse keeps the
// fingerprint of the key its pseudonyms were made with, so that a refresh
// with another key is refused instead of silently breaking every join.
func (k Key) Fingerprint() string {
	return k.Pseudonym(fingerprintInput)
}

func newKey(secret []byte) Key {
	return Key{pool: &sync.Pool{New: func() any { return hmac.New(sha256.New, secret) }}}
}

// Generate writes a new random key to path, hex-encoded, with mode 0600.
// It refuses to overwrite an existing file.
func Generate(path string) error {
	secret := make([]byte, KeySize)
	if _, err := rand.Read(secret); err != nil {
		return fmt.Errorf("generate pseudonymisation key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("generate pseudonymisation key: %s already exists: refusing to overwrite it (pseudonyms made with it would no longer join)", path)
		}
		return fmt.Errorf("generate pseudonymisation key: %w", err)
	}
	// The umask cannot widen 0600, but a pre-set ACL or odd umask could
	// narrow it oddly: set it explicitly.
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("generate pseudonymisation key: %w", err)
	}
	if _, err := f.WriteString(hex.EncodeToString(secret) + "\n"); err != nil {
		f.Close()
		return fmt.Errorf("generate pseudonymisation key: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("generate pseudonymisation key: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("generate pseudonymisation key: %w", err)
	}
	return nil
}

// Pseudonym returns the pseudonym of id (surrounding spaces ignored): the
// first 32 hex characters of HMAC-SHA-256(key, id). It is safe for
// concurrent use.
func (k Key) Pseudonym(id string) string {
	h := k.pool.Get().(hash.Hash)
	defer k.pool.Put(h)
	h.Reset()
	h.Write([]byte(strings.TrimSpace(id)))
	var sum [sha256.Size]byte
	var out [Length]byte
	hex.Encode(out[:], h.Sum(sum[:0])[:Length/2])
	return string(out[:])
}
