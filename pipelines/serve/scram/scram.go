// Package scram is SCRAM-SHA-256 (RFC 5802, RFC 7677) as PostgreSQL uses
// it: the verifier stored instead of a password, in PostgreSQL's own
// format (SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>), and
// the server's side of the exchange, without channel binding.
package scram

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Mechanism is the SASL mechanism name.
const Mechanism = "SCRAM-SHA-256"

// Iterations is the PBKDF2 count of new verifiers (PostgreSQL's default).
const Iterations = 4096

// Verifier is what the server stores for a user.
type Verifier struct {
	Iterations int
	Salt       []byte
	StoredKey  []byte
	ServerKey  []byte
}

// New makes a verifier for a password with a random salt.
func New(password string) (Verifier, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return Verifier{}, err
	}
	return derive(password, salt, Iterations)
}

func derive(password string, salt []byte, iter int) (Verifier, error) {
	salted, err := pbkdf2.Key(sha256.New, password, salt, iter, sha256.Size)
	if err != nil {
		return Verifier{}, err
	}
	clientKey := mac(salted, "Client Key")
	stored := sha256.Sum256(clientKey)
	return Verifier{Iterations: iter, Salt: salt, StoredKey: stored[:], ServerKey: mac(salted, "Server Key")}, nil
}

// String is PostgreSQL's format of the verifier.
func (v Verifier) String() string {
	b := base64.StdEncoding.EncodeToString
	return fmt.Sprintf("%s$%d:%s$%s:%s", Mechanism, v.Iterations, b(v.Salt), b(v.StoredKey), b(v.ServerKey))
}

// Parse reads a verifier in PostgreSQL's format.
func Parse(s string) (Verifier, error) {
	bad := func(why string) (Verifier, error) {
		return Verifier{}, fmt.Errorf("not a SCRAM-SHA-256 verifier (%s): expected SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>, as `odpe passwd USER` writes", why)
	}
	rest, ok := strings.CutPrefix(s, Mechanism+"$")
	if !ok {
		return bad("no SCRAM-SHA-256$ prefix")
	}
	head, keys, ok := strings.Cut(rest, "$")
	if !ok {
		return bad("no $ before the keys")
	}
	it, salt, ok1 := strings.Cut(head, ":")
	stored, server, ok2 := strings.Cut(keys, ":")
	if !ok1 || !ok2 {
		return bad("missing ':'")
	}
	var v Verifier
	var err error
	if v.Iterations, err = strconv.Atoi(it); err != nil || v.Iterations < 1 {
		return bad("iterations")
	}
	d := base64.StdEncoding.DecodeString
	if v.Salt, err = d(salt); err != nil || len(v.Salt) == 0 {
		return bad("salt")
	}
	if v.StoredKey, err = d(stored); err != nil || len(v.StoredKey) != sha256.Size {
		return bad("StoredKey")
	}
	if v.ServerKey, err = d(server); err != nil || len(v.ServerKey) != sha256.Size {
		return bad("ServerKey")
	}
	return v, nil
}

func mac(key []byte, msg string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(msg))
	return h.Sum(nil)
}

// ErrAuth is a failed proof: wrong password (or unknown user).
var ErrAuth = errors.New("password authentication failed")

// Server is one exchange on the server's side.
type Server struct {
	v           Verifier
	clientFirst string // client-first-message-bare
	serverFirst string
	nonce       string
}

// NewServer starts an exchange against a verifier. For an unknown user,
// pass a Dummy verifier: the exchange runs the same and fails at the end.
func NewServer(v Verifier) *Server { return &Server{v: v} }

// Dummy is a verifier no password matches, for unknown users.
func Dummy() Verifier {
	salt := make([]byte, 16)
	rand.Read(salt)
	k := make([]byte, sha256.Size)
	rand.Read(k)
	return Verifier{Iterations: Iterations, Salt: salt, StoredKey: k, ServerKey: k}
}

// First takes the client-first-message and returns the server-first-message.
func (s *Server) First(clientFirst []byte) ([]byte, error) {
	msg := string(clientFirst)
	// gs2 header: "n,," or "y,," (no channel binding); "p=…" is refused.
	var bare string
	switch {
	case strings.HasPrefix(msg, "n,") || strings.HasPrefix(msg, "y,"):
		i := strings.Index(msg[2:], ",")
		if i < 0 {
			return nil, errors.New("SCRAM: malformed client-first-message")
		}
		bare = msg[2+i+1:]
	default:
		return nil, errors.New("SCRAM: channel binding is not supported")
	}
	var cnonce string
	for _, attr := range strings.Split(bare, ",") {
		if v, ok := strings.CutPrefix(attr, "r="); ok {
			cnonce = v
		}
	}
	if cnonce == "" {
		return nil, errors.New("SCRAM: client nonce missing")
	}
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	s.clientFirst = bare
	s.nonce = cnonce + base64.RawStdEncoding.EncodeToString(b)
	s.serverFirst = fmt.Sprintf("r=%s,s=%s,i=%d", s.nonce, base64.StdEncoding.EncodeToString(s.v.Salt), s.v.Iterations)
	return []byte(s.serverFirst), nil
}

// Final takes the client-final-message, checks its proof and returns the
// server-final-message; ErrAuth if the proof is wrong.
func (s *Server) Final(clientFinal []byte) ([]byte, error) {
	msg := string(clientFinal)
	i := strings.LastIndex(msg, ",p=")
	if i < 0 {
		return nil, errors.New("SCRAM: proof missing")
	}
	withoutProof := msg[:i]
	proof, err := base64.StdEncoding.DecodeString(msg[i+3:])
	if err != nil || len(proof) != sha256.Size {
		return nil, ErrAuth
	}
	var nonce string
	for _, attr := range strings.Split(withoutProof, ",") {
		if v, ok := strings.CutPrefix(attr, "r="); ok {
			nonce = v
		}
	}
	if nonce != s.nonce {
		return nil, ErrAuth
	}
	authMessage := s.clientFirst + "," + s.serverFirst + "," + withoutProof
	sig := mac(s.v.StoredKey, authMessage)
	clientKey := make([]byte, len(proof))
	for j := range proof {
		clientKey[j] = proof[j] ^ sig[j]
	}
	stored := sha256.Sum256(clientKey)
	if subtle.ConstantTimeCompare(stored[:], s.v.StoredKey) != 1 {
		return nil, ErrAuth
	}
	return []byte("v=" + base64.StdEncoding.EncodeToString(mac(s.v.ServerKey, authMessage))), nil
}

func saltedPassword(password string, salt []byte, iter int) []byte {
	k, _ := pbkdf2.Key(sha256.New, password, salt, iter, sha256.Size)
	return k
}

// Check reports whether password matches the verifier: for logins that
// carry the password itself (HTTP Basic over TLS, for the HTTP listener
// reserved by serve.http_listen), against the same stored verifiers.
func (v Verifier) Check(password string) bool {
	d, err := derive(password, v.Salt, v.Iterations)
	return err == nil && subtle.ConstantTimeCompare(d.StoredKey, v.StoredKey) == 1
}
