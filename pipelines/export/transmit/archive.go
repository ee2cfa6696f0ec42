package transmit

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"
)

// DirName is the archive's folder in the exports folder: beside the
// profiles' links, never inside a folder that is sent, never pruned.
const DirName = "transmissions"

// Dir is the archive of the exports folder exportsDir.
func Dir(exportsDir string) string { return filepath.Join(exportsDir, DirName) }

// Archive is the folder of every profile's packages: <Dir>/<profile>/
// <profile>_<date>_run<N>.zip, each with its SHA-256 beside it
// (<name>.zip.sha256, as sha256sum writes it).
type Archive struct {
	Dir string
	Now func() time.Time // the date of a new package (time.Now when nil)
}

// Package is one package of the archive.
type Package struct {
	Path     string
	Size     int64  // of the zip
	SHA256   string // of the zip
	Manifest Manifest
}

// lastFile, in each profile's folder of the archive, says what its latest
// package holds, and the stamps of the files it was made from (so that
// an unchanged publication is recognised without reading its files).
const lastFile = ".dernier.json"

type last struct {
	Package  string           `json:"package"`
	Manifest Manifest         `json:"manifest"`
	Stamps   map[string]Stamp `json:"stamps"`
}

// Pack archives the files of dir, a profile's published folder, with m
// (Profile, Title, Audience, Run and Threshold set): a new package, unless
// the latest one of the profile holds the same files with the same
// settings, which is returned with made false. The zip is written under a
// temporary name, synced, then linked to its name: a package never
// replaces another.
func (a *Archive) Pack(dir string, m Manifest) (pkg Package, made bool, err error) {
	if m.Profile == "" || strings.ContainsAny(m.Profile, `/\`) || strings.HasPrefix(m.Profile, ".") {
		return Package{}, false, fmt.Errorf("profile %q: not a folder name", m.Profile)
	}
	profDir := filepath.Join(a.Dir, m.Profile)
	prev := a.latest(m.Profile)
	_, stamps, err := list(dir)
	if err != nil {
		return Package{}, false, err
	}
	m.Format = Format
	if m.Version == "" {
		m.Version = Version()
	}
	now := time.Now
	if a.Now != nil {
		now = a.Now
	}
	m.Published = now().In(Paris()).Truncate(time.Second)
	// The files of the latest package, not rewritten since (a profile
	// reused whole links them): nothing to read.
	if prev != nil && sameStamps(prev.Stamps, stamps) {
		m.Files = prev.Manifest.Files
		if prev.Manifest.sameContent(&m) {
			if p, err := open(filepath.Join(profDir, prev.Package)); err == nil {
				return p, false, nil
			}
		}
	}
	if err := os.MkdirAll(profDir, 0o755); err != nil {
		return Package{}, false, err
	}
	tmp, err := createTemp(profDir)
	if err != nil {
		return Package{}, false, err
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	cw := &counter{w: io.MultiWriter(tmp, h)}
	var reuse map[string]reused
	if prev != nil {
		if zr, err := zip.OpenReader(filepath.Join(profDir, prev.Package)); err == nil {
			defer zr.Close()
			reuse = reusable(&zr.Reader, prev, stamps)
		}
	}
	err = writeZip(cw, dir, &m, reuse)
	if err == nil && prev != nil && prev.Manifest.sameContent(&m) {
		// Files written again with the same bytes: the latest package
		// stands; remember their stamps.
		if p, err := open(filepath.Join(profDir, prev.Package)); err == nil {
			tmp.Close()
			prev.Stamps = stamps
			_ = writeAtomic(filepath.Join(profDir, lastFile), mustJSON(prev))
			return p, false, nil
		}
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return Package{}, false, fmt.Errorf("package of %s: %w", m.Profile, err)
	}
	name, err := linkFree(tmp.Name(), profDir, m.Base())
	if err != nil {
		return Package{}, false, err
	}
	pkg = Package{Path: filepath.Join(profDir, name), Size: cw.n, SHA256: hex.EncodeToString(h.Sum(nil)), Manifest: m}
	if err := writeAtomic(pkg.Path+".sha256", []byte(pkg.SHA256+"  "+name+"\n")); err != nil {
		return pkg, true, err
	}
	if err := writeAtomic(filepath.Join(profDir, lastFile), mustJSON(&last{Package: name, Manifest: m, Stamps: stamps})); err != nil {
		return pkg, true, err
	}
	return pkg, true, syncDir(profDir)
}

// reusable returns the entries of the latest package (zr, described by
// prev) whose files did not change since: the same stamps, and the
// entry's size that of the manifest (an entry that does not match is
// read again from the file). Copied as they are, compressed, their bytes
// are those a fresh package would hold.
func reusable(zr *zip.Reader, prev *last, stamps map[string]Stamp) map[string]reused {
	files := map[string]File{}
	for _, f := range prev.Manifest.Files {
		if s, ok := prev.Stamps[f.Name]; ok && s.same(stamps[f.Name]) {
			files[f.Name] = f
		}
	}
	if len(files) == 0 {
		return nil
	}
	out := map[string]reused{}
	for _, e := range zr.File {
		_, rel, ok := strings.Cut(e.Name, "/")
		if f, want := files[rel]; ok && want && e.UncompressedSize64 == uint64(f.Size) {
			out[rel] = reused{entry: e, file: f}
		}
	}
	return out
}

// sameStamps reports whether every file of a and b is the same, unchanged.
func sameStamps(a, b map[string]Stamp) bool {
	if len(a) != len(b) || len(a) == 0 {
		return false
	}
	for n, s := range a {
		if o, ok := b[n]; !ok || !s.same(o) {
			return false
		}
	}
	return true
}

// linkFree gives the file tmp the name base.zip in dir, or base_2.zip…
// when that name is taken (two packages of one run on one day): a package
// already archived is never replaced.
func linkFree(tmp, dir, base string) (string, error) {
	for i := 1; ; i++ {
		name := base + ".zip"
		if i > 1 {
			name = fmt.Sprintf("%s_%d.zip", base, i)
		}
		err := os.Link(tmp, filepath.Join(dir, name))
		if err == nil {
			return name, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return "", err
		}
	}
}

// latest is what the profile's latest package holds: from lastFile, or
// else from the newest package of the archive.
func (a *Archive) latest(profile string) *last {
	var l last
	b, err := os.ReadFile(filepath.Join(a.Dir, profile, lastFile))
	if err == nil && json.Unmarshal(b, &l) == nil && l.Package != "" {
		if _, err := os.Stat(filepath.Join(a.Dir, profile, l.Package)); err == nil {
			return &l
		}
	}
	pkgs, _ := a.List(profile)
	if len(pkgs) == 0 {
		return nil
	}
	p := pkgs[len(pkgs)-1]
	return &last{Package: filepath.Base(p.Path), Manifest: p.Manifest}
}

// List returns the packages of profile (every profile when empty), the
// oldest first. A zip that is not a package is an error, after the rest
// are listed.
func (a *Archive) List(profile string) ([]Package, error) {
	var dirs []string
	if profile != "" {
		dirs = []string{filepath.Join(a.Dir, profile)}
	} else {
		entries, err := os.ReadDir(a.Dir)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		for _, e := range entries {
			if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
				dirs = append(dirs, filepath.Join(a.Dir, e.Name()))
			}
		}
	}
	var out []Package
	var errs []error
	for _, d := range dirs {
		zips, _ := filepath.Glob(filepath.Join(d, "*.zip"))
		for _, z := range zips {
			p, err := open(z)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			out = append(out, p)
		}
	}
	slices.SortStableFunc(out, func(x, y Package) int {
		if c := x.Manifest.Published.Compare(y.Manifest.Published); c != 0 {
			return c
		}
		if c := strings.Compare(x.Manifest.Profile, y.Manifest.Profile); c != 0 {
			return c
		}
		return strings.Compare(x.Path, y.Path)
	})
	return out, errors.Join(errs...)
}

// open reads the package at p: its manifest, and its SHA-256 as recorded
// beside it when it was written (computed when that is missing).
func open(p string) (Package, error) {
	m, err := ReadManifest(p)
	if err != nil {
		return Package{}, err
	}
	st, err := os.Stat(p)
	if err != nil {
		return Package{}, err
	}
	pkg := Package{Path: p, Size: st.Size(), Manifest: m}
	if b, err := os.ReadFile(p + ".sha256"); err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 && f[1] == filepath.Base(p) && len(f[0]) == 64 {
			pkg.SHA256 = f[0]
		}
	}
	if pkg.SHA256 == "" {
		if pkg.SHA256, err = hashFile(p); err != nil {
			return Package{}, err
		}
	}
	return pkg, nil
}

// Verify checks a package, a zip or the folder it unzipped into, against
// its manifest: every file listed is there with its size and SHA-256,
// nothing else is (but the manifest's files, which must agree with it),
// and a zip's SHA-256 is the one recorded beside it, if it is. It returns
// the manifest and every problem found.
func Verify(p string) (Manifest, []string, error) {
	st, err := os.Stat(p)
	if err != nil {
		return Manifest{}, nil, err
	}
	if st.IsDir() {
		return verifyDir(p)
	}
	zr, err := zip.OpenReader(p)
	if err != nil {
		return Manifest{}, nil, fmt.Errorf("%s: %w", p, err)
	}
	defer zr.Close()
	m, err := manifestOf(&zr.Reader)
	if err != nil {
		return m, nil, fmt.Errorf("%s: %w", p, err)
	}
	base := m.Base()
	if i := slices.IndexFunc(zr.File, func(f *zip.File) bool { return path.Base(f.Name) == ManifestName }); i >= 0 {
		base = path.Dir(zr.File[i].Name)
	}
	var problems []string
	seen := map[string]bool{}
	want := expected(&m)
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, "/") {
			continue // a folder
		}
		rel, ok := strings.CutPrefix(f.Name, base+"/")
		if !ok {
			problems = append(problems, fmt.Sprintf("%s: outside the package's folder %s", f.Name, base))
			continue
		}
		if rel == ManifestName {
			continue
		}
		w, ok := want[rel]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s: not in the manifest", rel))
			continue
		}
		seen[rel] = true
		if f.UncompressedSize64 != uint64(w.Size) {
			problems = append(problems, fmt.Sprintf("%s: %d bytes, the manifest says %d", rel, f.UncompressedSize64, w.Size))
			continue
		}
		rc, err := f.Open()
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", rel, err))
			continue
		}
		problems = append(problems, check(rel, rc, w)...)
		rc.Close()
	}
	problems = append(problems, missing(want, seen)...)
	if b, err := os.ReadFile(p + ".sha256"); err == nil {
		if sum, err := hashFile(p); err != nil {
			return m, problems, err
		} else if f := strings.Fields(string(b)); len(f) < 1 || f[0] != sum {
			problems = append(problems, fmt.Sprintf("%s: SHA-256 %s, the archive recorded %s", filepath.Base(p), sum, strings.TrimSpace(string(b))))
		}
	}
	return m, problems, nil
}

// expected is every file a package of m holds, with its size and SHA-256.
func expected(m *Manifest) map[string]File {
	want := map[string]File{}
	for _, f := range m.Files {
		want[f.Name] = f
	}
	for n, b := range map[string][]byte{TextName: m.Text(), SumsName: m.Sums()} {
		s := sha256.Sum256(b)
		want[n] = File{Name: n, Size: int64(len(b)), SHA256: hex.EncodeToString(s[:])}
	}
	return want
}

// check reads r and compares it with w.
func check(rel string, r io.Reader, w File) []string {
	h := sha256.New()
	n, err := io.Copy(h, io.LimitReader(r, w.Size+1))
	if err != nil {
		return []string{fmt.Sprintf("%s: %v", rel, err)}
	}
	if sum := hex.EncodeToString(h.Sum(nil)); n != w.Size || sum != w.SHA256 {
		return []string{fmt.Sprintf("%s: SHA-256 %s (%d bytes), the manifest says %s (%d bytes)", rel, sum, n, w.SHA256, w.Size)}
	}
	return nil
}

func missing(want map[string]File, seen map[string]bool) []string {
	var out []string
	for _, n := range slices.Sorted(maps.Keys(want)) {
		if !seen[n] {
			out = append(out, fmt.Sprintf("%s: in the manifest, missing", n))
		}
	}
	return out
}

// verifyDir checks the folder a package unzipped into.
func verifyDir(dir string) (Manifest, []string, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if err != nil {
		return Manifest{}, nil, err
	}
	m, err := parseManifest(b)
	if err != nil {
		return m, nil, err
	}
	want := expected(&m)
	seen := map[string]bool{}
	var problems []string
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if rel == ManifestName {
			return nil
		}
		w, ok := want[rel]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s: not in the manifest", rel))
			return nil
		}
		seen[rel] = true
		f, err := os.Open(p)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", rel, err))
			return nil
		}
		defer f.Close()
		problems = append(problems, check(rel, f, w)...)
		return nil
	})
	if err != nil {
		return m, problems, err
	}
	return m, append(problems, missing(want, seen)...), nil
}

// counter counts the bytes written through it.
type counter struct {
	w io.Writer
	n int64
}

func (c *counter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}

func mustJSON(v any) []byte {
	b, _ := json.MarshalIndent(v, "", "  ")
	return b
}

// writeAtomic writes b to p through a temporary file, synced, renamed.
func writeAtomic(p string, b []byte) error {
	f, err := createTemp(filepath.Dir(p))
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(f.Name(), p)
}

// createTemp creates a new file in dir, mode 0644 less the umask (as
// the files published: os.CreateTemp's 0600 would hide a package from
// the readers' group).
func createTemp(dir string) (*os.File, error) {
	for {
		p := filepath.Join(dir, fmt.Sprintf(".tmp-%d-%d", os.Getpid(), tempSeq.Add(1)))
		f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
}

var tempSeq atomic.Int64

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
