package scram

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

// client plays RFC 5802's client side.
func client(t *testing.T, s *Server, password string) error {
	t.Helper()
	cnonce := "rOprNGfwEbeRWgbNEkqO"
	first, err := s.First([]byte("n,,n=,r=" + cnonce))
	if err != nil {
		return err
	}
	var nonce, salt string
	var iter int
	for _, a := range strings.Split(string(first), ",") {
		switch a[:2] {
		case "r=":
			nonce = a[2:]
		case "s=":
			salt = a[2:]
		case "i=":
			for _, c := range a[2:] {
				iter = iter*10 + int(c-'0')
			}
		}
	}
	rawSalt, _ := base64.StdEncoding.DecodeString(salt)
	v, _ := derive(password, rawSalt, iter)
	withoutProof := "c=biws,r=" + nonce
	auth := "n=,r=" + cnonce + "," + string(first) + "," + withoutProof
	// ClientKey = HMAC(SaltedPassword, "Client Key"); recompute it here.
	salted := saltedPassword(password, rawSalt, iter)
	ck := mac(salted, "Client Key")
	sig := mac(v.StoredKey, auth)
	proof := make([]byte, sha256.Size)
	for i := range proof {
		proof[i] = ck[i] ^ sig[i]
	}
	final, err := s.Final([]byte(withoutProof + ",p=" + base64.StdEncoding.EncodeToString(proof)))
	if err != nil {
		return err
	}
	if string(final) != "v="+base64.StdEncoding.EncodeToString(mac(v.ServerKey, auth)) {
		t.Errorf("server signature %s", final)
	}
	return nil
}

func TestExchange(t *testing.T) {
	v, err := New("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := Parse(v.String())
	if err != nil {
		t.Fatal(err)
	}
	if err := client(t, NewServer(parsed), "correct horse"); err != nil {
		t.Errorf("right password: %v", err)
	}
	if err := client(t, NewServer(parsed), "wrong"); !errors.Is(err, ErrAuth) {
		t.Errorf("wrong password: %v", err)
	}
	if err := client(t, NewServer(Dummy()), "correct horse"); !errors.Is(err, ErrAuth) {
		t.Errorf("dummy verifier: %v", err)
	}
}

func TestParseRejects(t *testing.T) {
	for _, s := range []string{"", "hunter2", "SCRAM-SHA-256$4096:c2FsdA==$x:y", "md5abc"} {
		if _, err := Parse(s); err == nil {
			t.Errorf("Parse(%q) accepted", s)
		}
	}
}

func TestCheck(t *testing.T) {
	v, _ := New("s3cret-pass")
	if !v.Check("s3cret-pass") || v.Check("s3cret-pasS") || Dummy().Check("") {
		t.Error("Check")
	}
}
