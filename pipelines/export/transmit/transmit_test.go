package transmit

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// published writes a profile's folder as a publication leaves it.
func published(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

var sample = map[string]string{
	"insee.sdmx.csv":           "STRUCTURE,STRUCTURE_ID\ndataflow,X\n",
	"insee.sdmx-structure.xml": "<structure/>\n",
	"parquet/ase.parquet":      "PAR1 ase PAR1",
	"parquet/pmi.parquet":      "PAR1 pmi PAR1",
}

func sum(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

var march = time.Date(2026, 3, 14, 2, 15, 0, 0, time.UTC)

func manifest() Manifest {
	return Manifest{Profile: "insee", Title: "Transmission INSEE", Audience: "external", Run: 20260314021502113, Threshold: 5}
}

// TestZipIsDeterministic: the same files and manifest give the same bytes,
// whatever the files' modification times; entries are sorted, under one
// folder, and the manifest lists every file with its size and SHA-256.
func TestZipIsDeterministic(t *testing.T) {
	dir := published(t, sample)
	m := manifest()
	m.Format, m.Published, m.Version = Format, march, "v1.2.3"
	var a, b bytes.Buffer
	if err := WriteZip(&a, dir, &m); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Hour)
	for name := range sample {
		os.Chtimes(filepath.Join(dir, name), later, later)
	}
	if err := WriteZip(&b, dir, &m); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("two zips of the same files and manifest differ")
	}
	zr, err := zip.NewReader(bytes.NewReader(a.Bytes()), int64(a.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		if !f.Modified.Equal(entryTime) {
			t.Errorf("%s: modified %v, want %v", f.Name, f.Modified, entryTime)
		}
		if f.Mode().Perm() != 0o644 {
			t.Errorf("%s: mode %v", f.Name, f.Mode())
		}
		if strings.HasSuffix(f.Name, ".parquet") && f.Method != zip.Store {
			t.Errorf("%s: compressed again", f.Name)
		}
	}
	base := "insee_2026-03-14_run20260314021502113/"
	want := []string{base + "insee.sdmx-structure.xml", base + "insee.sdmx.csv", base + "parquet/ase.parquet", base + "parquet/pmi.parquet",
		base + "MANIFEST.json", base + "SHA256SUMS", base + "manifeste.txt"}
	if !slices.Equal(names, want) {
		t.Fatalf("entries:\n%s\nwant:\n%s", strings.Join(names, "\n"), strings.Join(want, "\n"))
	}
	got, err := manifestOf(zr)
	if err != nil {
		t.Fatal(err)
	}
	if got.Profile != "insee" || got.Run != m.Run || got.Threshold != 5 || got.Version != "v1.2.3" || !got.Published.Equal(march) {
		t.Errorf("manifest: %+v", got)
	}
	if len(got.Files) != len(sample) {
		t.Fatalf("manifest lists %d files, want %d", len(got.Files), len(sample))
	}
	for _, f := range got.Files {
		if c, ok := sample[f.Name]; !ok || f.Size != int64(len(c)) || f.SHA256 != sum(c) {
			t.Errorf("manifest: %+v, want %d bytes, %s", f, len(c), sum(c))
		}
	}
	text := string(read(t, zr, base+"manifeste.txt"))
	for _, w := range []string{"Transmission « insee » — Transmission INSEE", "Publiée le 14/03/2026 à 03:15:00 (heure de Paris)",
		"exécution n° 20260314021502113", "seuil de 5", "odpe v1.2.3", "4 fichier(s)", "parquet/ase.parquet", sum(sample["parquet/ase.parquet"]),
		"sha256sum -c SHA256SUMS"} {
		if !strings.Contains(text, w) {
			t.Errorf("manifeste.txt lacks %q:\n%s", w, text)
		}
	}
	sums := string(read(t, zr, base+"SHA256SUMS"))
	if !strings.Contains(sums, sum(sample["insee.sdmx.csv"])+"  insee.sdmx.csv\n") {
		t.Errorf("SHA256SUMS:\n%s", sums)
	}
}

func read(t *testing.T, zr *zip.Reader, name string) []byte {
	t.Helper()
	f, err := zr.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestPackOnlyWhatChanged: a publication whose files are those of the
// latest package makes none; a changed file, or a new threshold, makes
// one; two packages of one run on one day get distinct names; a package
// holds exactly the folder's files.
func TestPackOnlyWhatChanged(t *testing.T) {
	dir := published(t, sample)
	now := march
	a := &Archive{Dir: filepath.Join(t.TempDir(), DirName), Now: func() time.Time { return now }}
	first, made, err := a.Pack(dir, manifest())
	if err != nil || !made {
		t.Fatalf("first: made %v, %v", made, err)
	}
	if filepath.Base(first.Path) != "insee_2026-03-14_run20260314021502113.zip" {
		t.Errorf("name %s", first.Path)
	}
	if m, problems, err := Verify(first.Path); err != nil || len(problems) > 0 || m.Profile != "insee" {
		t.Fatalf("verify: %v %v", problems, err)
	}
	if b, _ := os.ReadFile(first.Path); sum(string(b)) != first.SHA256 || int64(len(b)) != first.Size {
		t.Error("the package's SHA-256 or size is not the zip's")
	}
	if st, _ := os.Stat(first.Path); st.Mode().Perm()&0o040 == 0 {
		t.Errorf("mode %v: the readers' group cannot read it", st.Mode())
	}

	// The next run publishes the same files (hard links, as a reused
	// profile's are): no new package, the first one is returned.
	now = now.Add(24 * time.Hour)
	again := published(t, nil)
	for name := range sample {
		os.MkdirAll(filepath.Dir(filepath.Join(again, name)), 0o755)
		if err := os.Link(filepath.Join(dir, filepath.FromSlash(name)), filepath.Join(again, filepath.FromSlash(name))); err != nil {
			t.Fatal(err)
		}
	}
	m := manifest()
	m.Run++
	p, made, err := a.Pack(again, m)
	if err != nil || made || p.Path != first.Path {
		t.Fatalf("unchanged: made %v, %s, %v", made, p.Path, err)
	}
	// The same content, rewritten (other inodes): still none.
	m.Run++
	if p, made, err := a.Pack(published(t, sample), m); err != nil || made || p.Path != first.Path {
		t.Fatalf("rewritten: made %v, %v", made, err)
	}
	// Without the archive's record of the latest package, read from the zips.
	os.Remove(filepath.Join(a.Dir, "insee", lastFile))
	if _, made, err := a.Pack(again, m); err != nil || made {
		t.Fatalf("without %s: made %v, %v", lastFile, made, err)
	}

	// A changed file: a new package.
	changed := map[string]string{}
	for k, v := range sample {
		changed[k] = v
	}
	changed["parquet/pmi.parquet"] = "PAR1 pmi revised PAR1"
	m.Run++
	changedDir := published(t, changed)
	for name := range sample { // the unchanged files linked, as a publication does
		if name != "parquet/pmi.parquet" {
			os.Remove(filepath.Join(changedDir, name))
			os.Link(filepath.Join(dir, name), filepath.Join(changedDir, name))
		}
	}
	second, made, err := a.Pack(changedDir, m)
	if err != nil || !made || second.Path == first.Path {
		t.Fatalf("changed: made %v, %v", made, err)
	}
	// Its unchanged files' entries were copied from the first package:
	// the same bytes as a package written afresh, and they verify.
	var fresh bytes.Buffer
	m2 := second.Manifest
	if err := WriteZip(&fresh, changedDir, &m2); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(fresh.Bytes(), mustRead(t, second.Path)) {
		t.Error("a package copying entries of the last one differs from one written afresh")
	}
	if _, problems, err := Verify(second.Path); err != nil || len(problems) > 0 {
		t.Errorf("verify: %v %v", problems, err)
	}
	// A new threshold with the same files: a new package.
	m.Threshold = 11
	third, made, err := a.Pack(published(t, changed), m)
	if err != nil || !made {
		t.Fatalf("threshold: made %v, %v", made, err)
	}
	if filepath.Base(third.Path) != strings.TrimSuffix(filepath.Base(second.Path), ".zip")+"_2.zip" {
		t.Errorf("same run, same day: %s after %s", third.Path, second.Path)
	}
	list, err := a.List("")
	if err != nil || len(list) != 3 {
		t.Fatalf("list: %d packages, %v", len(list), err)
	}
	if list[0].Path != first.Path || list[2].Manifest.Threshold != 11 {
		t.Errorf("list order: %s … %d", list[0].Path, list[2].Manifest.Threshold)
	}
	// The archive holds packages, their SHA-256 and its record only.
	entries, _ := os.ReadDir(filepath.Join(a.Dir, "insee"))
	for _, e := range entries {
		if n := e.Name(); !strings.HasSuffix(n, ".zip") && !strings.HasSuffix(n, ".zip.sha256") && n != lastFile {
			t.Errorf("left in the archive: %s", n)
		}
	}
}

// TestPackHoldsTheFolderOnly: every entry of a package is a file of the
// published folder or the manifest's; a link in the folder is refused.
func TestPackHoldsTheFolderOnly(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "insee")
	os.MkdirAll(filepath.Join(root, ".state", "insee"), 0o755)
	os.WriteFile(filepath.Join(root, ".state", "insee", ".fingerprint"), []byte("x"), 0o644)
	for name, c := range sample {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(c), 0o644)
	}
	a := &Archive{Dir: filepath.Join(root, DirName)}
	p, _, err := a.Pack(dir, manifest())
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.OpenReader(p.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		rel := f.Name[strings.Index(f.Name, "/")+1:]
		if _, ok := sample[rel]; !ok && rel != ManifestName && rel != TextName && rel != SumsName {
			t.Errorf("%s: not a file of the folder sent", f.Name)
		}
	}
	os.Symlink("insee.sdmx.csv", filepath.Join(dir, "link.csv"))
	if _, _, err := a.Pack(dir, manifest()); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("a link in the folder: %v", err)
	}
}

// TestVerifyFindsChanges: a changed, missing or added file, in a zip or in
// the folder it unzipped into, is reported.
func TestVerifyFindsChanges(t *testing.T) {
	dir := published(t, sample)
	a := &Archive{Dir: filepath.Join(t.TempDir(), DirName), Now: func() time.Time { return march }}
	p, _, err := a.Pack(dir, manifest())
	if err != nil {
		t.Fatal(err)
	}
	// Unzip it, then alter it.
	out := t.TempDir()
	zr, _ := zip.OpenReader(p.Path)
	for _, f := range zr.File {
		dst := filepath.Join(out, filepath.FromSlash(f.Name))
		os.MkdirAll(filepath.Dir(dst), 0o755)
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		os.WriteFile(dst, b, 0o644)
	}
	zr.Close()
	folder := filepath.Join(out, "insee_2026-03-14_run20260314021502113")
	if _, problems, err := Verify(folder); err != nil || len(problems) > 0 {
		t.Fatalf("unzipped folder: %v %v", problems, err)
	}
	os.WriteFile(filepath.Join(folder, "parquet", "ase.parquet"), []byte("PAR1 other PAR1"), 0o644)
	os.Remove(filepath.Join(folder, "insee.sdmx.csv"))
	os.WriteFile(filepath.Join(folder, "extra.txt"), []byte("?"), 0o644)
	_, problems, err := Verify(folder)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(problems, "\n")
	for _, w := range []string{"parquet/ase.parquet: SHA-256", "insee.sdmx.csv: in the manifest, missing", "extra.txt: not in the manifest"} {
		if !strings.Contains(got, w) {
			t.Errorf("problems lack %q:\n%s", w, got)
		}
	}
	// A zip whose manifest was edited: the file no longer matches it.
	edited := filepath.Join(t.TempDir(), "edited.zip")
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	zr, err = zip.OpenReader(p.Path)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		if strings.HasSuffix(f.Name, "/"+ManifestName) {
			var m Manifest
			json.Unmarshal(b, &m)
			m.Files[0].SHA256 = strings.Repeat("0", 64)
			b, _ = json.Marshal(m)
		}
		w, _ := zw.Create(f.Name)
		w.Write(b)
	}
	zr.Close()
	zw.Close()
	os.WriteFile(edited, buf.Bytes(), 0o644)
	if _, problems, err := Verify(edited); err != nil || !strings.Contains(strings.Join(problems, "\n"), "insee.sdmx-structure.xml: SHA-256") {
		t.Errorf("edited manifest: %v %v", problems, err)
	}
	// A zip changed after it was archived: its SHA-256 is no longer the
	// one recorded beside it.
	os.WriteFile(p.Path, append(mustRead(t, p.Path), 0), 0o644)
	if _, problems, err := Verify(p.Path); err != nil || len(problems) != 1 || !strings.Contains(problems[0], "the archive recorded") {
		t.Errorf("altered zip: %v %v", problems, err)
	}
}

func writeFile(t testing.TB, p, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func mustRead(t testing.TB, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
