package transmit

import (
	"archive/zip"
	"bytes"
	"path/filepath"
	"testing"
	"time"
)

// FuzzVerify: whatever bytes a file named like a package holds, reading
// its manifest and checking it return errors or problems, never panic.
func FuzzVerify(f *testing.F) {
	dir := f.TempDir()
	a := &Archive{Dir: filepath.Join(dir, DirName), Now: func() time.Time { return march }}
	src := filepath.Join(dir, "insee")
	for name, c := range sample {
		writeFile(f, filepath.Join(src, filepath.FromSlash(name)), c)
	}
	p, _, err := a.Pack(src, manifest())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(mustRead(f, p.Path))
	f.Add([]byte("PK\x05\x06" + string(make([]byte, 18))))
	f.Fuzz(func(t *testing.T, b []byte) {
		if zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b))); err == nil {
			manifestOf(zr)
		}
		path := filepath.Join(t.TempDir(), "p.zip")
		writeFile(t, path, string(b))
		Verify(path)
	})
}
