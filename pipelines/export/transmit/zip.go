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
	SHA256  string `json:"sha256"`
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

// Scan lists the files of dir, a profile's published folder, sorted by
// name, with their sizes and SHA-256. A file whose stamp is in known is
// not read again. It returns the stamps of every file. Anything but
// regular files and folders (a link, a socket) is an error: the folder
// sent must hold files only.
func Scan(dir string, known map[string]Stamp) ([]File, map[string]Stamp, error) {
	var files []File
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
		st := stampOf(fi)
		if k, ok := known[rel]; ok && k.same(st) {
			st.SHA256 = k.SHA256
		} else if st.SHA256, err = hashFile(p); err != nil {
			return err
		}
		stamps[rel] = st
		files = append(files, File{Name: rel, Size: st.Size, SHA256: st.SHA256})
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	slices.SortFunc(files, func(a, b File) int { return strings.Compare(a.Name, b.Name) })
	return files, stamps, nil
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

// WriteZip writes the package of m to w: under one folder (m.Base()),
// the manifest (MANIFEST.json, manifeste.txt, SHA256SUMS) and the files
// of m.Files read from dir, every entry sorted by name, with the same
// modification time and mode. Each file is hashed as it is copied: one
// that no longer matches m is an error.
func WriteZip(w io.Writer, dir string, m *Manifest) error {
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestSpeed)
	})
	extra := map[string][]byte{ManifestName: m.JSON(), TextName: m.Text(), SumsName: m.Sums()}
	names := make([]string, 0, len(m.Files)+len(extra))
	byName := map[string]File{}
	for _, f := range m.Files {
		if _, dup := extra[f.Name]; dup {
			return fmt.Errorf("%s: a published file has the name of the manifest", f.Name)
		}
		names = append(names, f.Name)
		byName[f.Name] = f
	}
	for n := range extra {
		names = append(names, n)
	}
	slices.Sort(names)
	base := m.Base()
	for _, n := range names {
		fh := &zip.FileHeader{Name: path.Join(base, n), Method: zip.Deflate, Modified: entryTime}
		if slices.Contains(stored, path.Ext(n)) {
			fh.Method = zip.Store
		}
		fh.SetMode(0o644)
		ew, err := zw.CreateHeader(fh)
		if err != nil {
			return err
		}
		if b, ok := extra[n]; ok {
			if _, err := ew.Write(b); err != nil {
				return err
			}
			continue
		}
		if err := copyChecked(ew, filepath.Join(dir, filepath.FromSlash(n)), byName[n]); err != nil {
			return err
		}
	}
	return zw.Close()
}

// copyChecked copies the file at p to w and checks it is still f.
func copyChecked(w io.Writer, p string, f File) error {
	in, err := os.Open(p)
	if err != nil {
		return err
	}
	defer in.Close()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(w, h), in)
	if err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	if sum := hex.EncodeToString(h.Sum(nil)); n != f.Size || sum != f.SHA256 {
		return fmt.Errorf("%s changed while it was packed (%d bytes, SHA-256 %s; listed %d, %s)", p, n, sum, f.Size, f.SHA256)
	}
	return nil
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
