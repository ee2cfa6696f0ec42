package transmit

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

// entryTime is every entry's modification time: packages of the same
// files and manifest are the same bytes, whenever they are written.
var entryTime = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// stored are the formats compressed already: stored as they are (deflate
// would spend time for nothing).
var stored = []string{".parquet", ".xlsx", ".zip", ".gz", ".zst"}

// Stamp is what says a file did not change since it was hashed: a
// published file is never modified in place (a new run writes a new file,
// an unchanged one is a hard link to the same inode).
type Stamp struct {
	Size    int64  `json:"size"`
	ModTime int64  `json:"mtime_ns"`
	Dev     uint64 `json:"dev"`
	Ino     uint64 `json:"ino"`
}

func stampOf(fi fs.FileInfo) Stamp {
	s := Stamp{Size: fi.Size(), ModTime: fi.ModTime().UnixNano()}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		s.Dev, s.Ino = uint64(st.Dev), st.Ino
	}
	return s
}

func (s Stamp) same(o Stamp) bool {
	return s.Size == o.Size && s.ModTime == o.ModTime && s.Dev == o.Dev && s.Ino == o.Ino && s.Ino != 0
}

// list returns the files of dir, a profile's published folder, sorted by
// name (relative, with slashes), and their stamps. Anything but regular
// files and folders (a link, a socket) is an error: the folder sent must
// hold files only.
func list(dir string) ([]string, map[string]Stamp, error) {
	var names []string
	stamps := map[string]Stamp{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("%s: not a regular file", p)
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		fi, err := d.Info()
		if err != nil {
			return err
		}
		names = append(names, rel)
		stamps[rel] = stampOf(fi)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	slices.Sort(names)
	return names, stamps, nil
}

func hashFile(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("%s: %w", p, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// WriteZip writes the package of the files of dir to w, in one pass: under
// one folder (m.Base()), each file, sorted by name, hashed as it is
// copied, then the manifest m with those files (MANIFEST.json,
// SHA256SUMS, manifeste.txt), every entry with the same modification
// time and mode. It sets m.Files.
func WriteZip(w io.Writer, dir string, m *Manifest) error {
	return writeZip(w, dir, m, nil)
}

// reused is an entry of an earlier package to copy as it is (compressed,
// hashed), for a file that did not change since.
type reused struct {
	entry *zip.File
	file  File
}

// writeZip is WriteZip, copying the entries of reuse rather than reading,
// hashing and compressing their files again.
func writeZip(w io.Writer, dir string, m *Manifest, reuse map[string]reused) error {
	names, _, err := list(dir)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestSpeed)
	})
	base := m.Base()
	create := func(name string) (io.Writer, error) {
		fh := &zip.FileHeader{Name: path.Join(base, name), Method: zip.Deflate, Modified: entryTime}
		if slices.Contains(stored, path.Ext(name)) {
			fh.Method = zip.Store
		}
		fh.SetMode(0o644)
		return zw.CreateHeader(fh)
	}
	m.Files = nil
	for _, n := range names {
		if n == ManifestName || n == TextName || n == SumsName {
			return fmt.Errorf("%s: a published file has the name of the manifest", n)
		}
		if r, ok := reuse[n]; ok {
			fh := r.entry.FileHeader
			fh.Name = path.Join(base, n)
			raw, err := r.entry.OpenRaw()
			if err != nil {
				return err
			}
			ew, err := zw.CreateRaw(&fh)
			if err != nil {
				return err
			}
			if _, err := io.Copy(ew, raw); err != nil {
				return fmt.Errorf("%s from an earlier package: %w", n, err)
			}
			m.Files = append(m.Files, r.file)
			continue
		}
		ew, err := create(n)
		if err != nil {
			return err
		}
		f, err := copyHashed(ew, filepath.Join(dir, filepath.FromSlash(n)))
		if err != nil {
			return err
		}
		f.Name = n
		m.Files = append(m.Files, f)
	}
	for _, e := range []struct {
		name string
		b    []byte
	}{{ManifestName, m.JSON()}, {SumsName, m.Sums()}, {TextName, m.Text()}} {
		ew, err := create(e.name)
		if err != nil {
			return err
		}
		if _, err := ew.Write(e.b); err != nil {
			return err
		}
	}
	return zw.Close()
}

// copyHashed copies the file at p to w and returns its size and SHA-256.
func copyHashed(w io.Writer, p string) (File, error) {
	in, err := os.Open(p)
	if err != nil {
		return File{}, err
	}
	defer in.Close()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(w, h), in)
	if err != nil {
		return File{}, fmt.Errorf("%s: %w", p, err)
	}
	return File{Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// ReadManifest reads the manifest of the package at zipPath.
func ReadManifest(zipPath string) (Manifest, error) {
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		return Manifest{}, err
	}
	defer zr.Close()
	m, err := manifestOf(&zr.Reader)
	if err != nil {
		return m, fmt.Errorf("%s: %w", zipPath, err)
	}
	return m, nil
}

// manifestOf finds and reads the manifest of a package.
func manifestOf(zr *zip.Reader) (Manifest, error) {
	for _, f := range zr.File {
		if path.Base(f.Name) != ManifestName || strings.Count(f.Name, "/") != 1 {
			continue
		}
		if f.UncompressedSize64 > 64<<20 {
			return Manifest{}, fmt.Errorf("%s: %d bytes, too large", f.Name, f.UncompressedSize64)
		}
		rc, err := f.Open()
		if err != nil {
			return Manifest{}, err
		}
		var b bytes.Buffer
		_, err = io.Copy(&b, io.LimitReader(rc, 64<<20))
		rc.Close()
		if err != nil {
			return Manifest{}, fmt.Errorf("%s: %w", f.Name, err)
		}
		return parseManifest(b.Bytes())
	}
	return Manifest{}, fmt.Errorf("no %s in its folder: not a transmission package", ManifestName)
}
