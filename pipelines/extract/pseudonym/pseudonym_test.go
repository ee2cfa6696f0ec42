package pseudonym

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeKey(t *testing.T, content string, mode os.FileMode) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
	return path
}

var secretHex = strings.Repeat("ab", KeySize)

func TestLoadKey(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		path    func() string
		wantErr string // with %s for the path
	}{
		{"ok", func() string { return writeKey(t, secretHex+"\n", 0o600) }, ""},
		{"owner read only", func() string { return writeKey(t, secretHex, 0o400) }, ""},
		{"missing", func() string { return filepath.Join(dir, "nope") }, "pseudonymisation key %s does not exist (create one with Generate, then keep it outside the warehouse): stat %[1]s: no such file or directory"},
		{"group readable", func() string { return writeKey(t, secretHex, 0o640) }, "pseudonymisation key %s has mode 0640: it must be readable by its owner only (chmod 600 %[1]s)"},
		{"world writable", func() string { return writeKey(t, secretHex, 0o602) }, "pseudonymisation key %s has mode 0602: it must be readable by its owner only (chmod 600 %[1]s)"},
		{"short", func() string { return writeKey(t, strings.Repeat("ab", 31), 0o600) }, "pseudonymisation key %s holds 31 bytes: expected at least 32"},
		{"not hex", func() string { return writeKey(t, "secret-passphrase-that-is-long-enough-000000", 0o600) }, "pseudonymisation key %s is not hex-encoded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.path()
			k, err := LoadKey(path)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if got := k.Pseudonym("D100000"); len(got) != Length {
					t.Fatalf("pseudonym %q", got)
				}
				return
			}
			if want := fmt.Sprintf(tt.wantErr, path); err == nil || err.Error() != want {
				t.Fatalf("err = %v\nwant  %s", err, want)
			}
		})
	}
}

func TestPseudonym(t *testing.T) {
	k, err := LoadKey(writeKey(t, secretHex, 0o600))
	if err != nil {
		t.Fatal(err)
	}
	secret, _ := hex.DecodeString(secretHex)
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("D100000"))
	want := hex.EncodeToString(mac.Sum(nil))[:32]
	for _, id := range []string{"D100000", "  D100000\t"} {
		if got := k.Pseudonym(id); got != want {
			t.Errorf("Pseudonym(%q) = %s, want %s", id, got, want)
		}
	}
	if k.Pseudonym("D100001") == want {
		t.Error("two ids share a pseudonym")
	}
	other := newKey([]byte(strings.Repeat("x", KeySize)))
	if other.Pseudonym("D100000") == want {
		t.Error("two keys give the same pseudonym")
	}
}

func TestKeyNeverPrinted(t *testing.T) {
	k, err := LoadKey(writeKey(t, secretHex, 0o600))
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		if s := fmt.Sprintf(format, k); s != "pseudonym.Key(secret)" {
			t.Errorf("%s of a key prints %q", format, s)
		}
	}
}

func TestGenerate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "odpe.key")
	if err := Generate(path); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode = %04o, want 0600", st.Mode().Perm())
	}
	text, _ := os.ReadFile(path)
	if b, err := hex.DecodeString(strings.TrimSpace(string(text))); err != nil || len(b) != KeySize {
		t.Fatalf("key file holds %q", text)
	}
	if _, err := LoadKey(path); err != nil {
		t.Fatalf("generated key does not load: %v", err)
	}
	err = Generate(path)
	want := "generate pseudonymisation key: " + path + " already exists: refusing to overwrite it (pseudonyms made with it would no longer join)"
	if err == nil || err.Error() != want {
		t.Fatalf("second Generate: %v", err)
	}
	if again, _ := os.ReadFile(path); string(again) != string(text) {
		t.Fatal("Generate overwrote the key")
	}
}

func BenchmarkPseudonym(b *testing.B) {
	k := newKey([]byte(strings.Repeat("k", KeySize)))
	b.ReportAllocs()
	for b.Loop() {
		_ = k.Pseudonym("D100000")
	}
}
