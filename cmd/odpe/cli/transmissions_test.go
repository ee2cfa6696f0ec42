package cli_test

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/odpe/odpe/cmd/odpe/cli"
	"github.com/odpe/odpe/configs"
	"github.com/odpe/odpe/pipelines/export/transmit"
)

// TestTransmissionPackages: the demo's refresh archives a package of each
// profile holding exactly its published folder's files, with their
// SHA-256 in the manifest; `odpe transmissions` lists them and verify
// checks them; a publication of the same files makes no new package, a
// changed PMI file makes one for the profiles that publish the PMI and
// only them; a package that cannot be written leaves the publication
// done (exit 0) and `transmissions pack` writes it afterwards.
func TestTransmissionPackages(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	code, out, errOut := odpe(t, "demo", dir)
	if code != cli.ExitOK {
		t.Fatalf("demo: exit %d\n%s\n%s", code, out, errOut)
	}
	cfgPath := filepath.Join(dir, "odpe.yaml")
	cfg, err := configs.Load(cfgPath, cli.Validators())
	if err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(cfg.ExportsDir, "transmissions")
	zips := func(profile string) []string {
		z, _ := filepath.Glob(filepath.Join(archive, profile, "*.zip"))
		return z
	}
	run := publishedRun(t, cfgPath, "insee")
	for _, p := range cfg.Exports {
		z := zips(p.Name)
		if len(z) != 1 {
			t.Fatalf("%s: %d packages after the demo, want 1", p.Name, len(z))
		}
		if want := p.Name + "_"; !strings.HasPrefix(filepath.Base(z[0]), want) || !strings.HasSuffix(z[0], "_run"+run+".zip") {
			t.Errorf("%s: package named %s", p.Name, filepath.Base(z[0]))
		}
		if !strings.Contains(out, "transmission package of "+p.Name+": "+z[0]) {
			t.Errorf("the demo's refresh does not name %s's package:\n%s", p.Name, out)
		}
		checkPackage(t, z[0], filepath.Join(cfg.ExportsDir, p.Name), p)
		if st, err := os.Stat(z[0]); err != nil || st.Mode().Perm()&0o007 != 0 || st.Mode().Perm()&0o040 == 0 {
			t.Errorf("%s: mode %v: want the readers' group to read it, and nobody else", z[0], st.Mode())
		}
	}

	// The listing: one line per package, with its zip's SHA-256.
	code, out, errOut = odpe(t, "--config", cfgPath, "transmissions")
	if code != cli.ExitOK {
		t.Fatalf("transmissions: exit %d %s", code, errOut)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	cols := regexp.MustCompile(`\s{2,}`)
	if got := cols.Split(lines[0], -1); !slices.Equal(got, []string{"DATE", "PROFILE", "RUN", "THRESHOLD", "FILES", "SIZE", "SHA-256", "PATH"}) {
		t.Fatalf("header %q", got)
	}
	if len(lines) != 1+len(cfg.Exports) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), 1+len(cfg.Exports), out)
	}
	for _, l := range lines[1:] {
		f := cols.Split(l, -1)
		if len(f) != 8 {
			t.Fatalf("line %q: %d columns", l, len(f))
		}
		p, ok := cfg.Export(f[1])
		if !ok {
			t.Fatalf("line %q: no such profile", l)
		}
		threshold := "-"
		if p.Audience == "external" {
			threshold = itoa(p.Threshold)
		}
		b := mustRead(t, f[7])
		h := sha256.Sum256(b)
		if f[2] != run || f[3] != threshold || f[6] != hex.EncodeToString(h[:]) || strings.ReplaceAll(f[5], " ", "") != itoa(len(b)) ||
			!regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d$`).MatchString(f[0]) {
			t.Errorf("line %q: want run %s, threshold %s, size %d, SHA-256 %x", l, run, threshold, len(b), h)
		}
		m, err := transmit.ReadManifest(f[7])
		if err != nil || f[4] != itoa(len(m.Files)) {
			t.Errorf("line %q: files, manifest %d files, %v", l, len(m.Files), err)
		}
	}
	if code, out, _ := odpe(t, "--config", cfgPath, "transmissions", "drees"); code != cli.ExitOK || strings.Count(out, "\n") != 2 || !strings.Contains(out, "drees_") {
		t.Errorf("transmissions drees: exit %d\n%s", code, out)
	}
	if code, out, _ := odpe(t, "--config", cfgPath, "transmissions", "verify", zips("insee")[0]); code != cli.ExitOK || !strings.Contains(out, ": OK, the 6 file(s) of insee") {
		t.Errorf("verify: exit %d\n%s", code, out)
	}
	if code, out, _ := odpe(t, "--config", cfgPath, "help"); code != cli.ExitOK || !strings.Contains(out, "transmissions [PROFILE]") {
		t.Errorf("help does not list transmissions:\n%s", out)
	}

	// A refresh with nothing new publishes nothing: no new package.
	if code, out, errOut := odpe(t, "--config", cfgPath, "refresh"); code != cli.ExitOK || !strings.Contains(out, "Nothing changed") || strings.Contains(out, "transmission") {
		t.Fatalf("refresh with nothing new: exit %d\n%s%s", code, out, errOut)
	}
	// The same files published again (`odpe export` links unchanged
	// profiles): no new package.
	code, out, errOut = odpe(t, "--config", cfgPath, "export")
	if code != cli.ExitOK || !strings.Contains(out, "insee: files unchanged since the package insee_") {
		t.Fatalf("export: exit %d\n%s%s", code, out, errOut)
	}
	if publishedRun(t, cfgPath, "insee") != run || strings.Contains(filepath.ToSlash(mustLink(t, filepath.Join(cfg.ExportsDir, "insee"))), "/"+run+"/") {
		t.Fatalf("export did not publish a new folder")
	}
	for _, p := range cfg.Exports {
		if n := len(zips(p.Name)); n != 1 {
			t.Errorf("%s: %d packages after publishing the same files, want 1", p.Name, n)
		}
	}

	// A revision of PMI figures, while insee's package cannot be written
	// (its archive folder is a file): the refresh succeeds and publishes.
	os.WriteFile(filepath.Join(dir, "sources", "pmi", "pmi_activite_2025_rectificatif.csv"), []byte(strings.ReplaceAll(pmiRevision, "ARR;2011", "ARR;2025")), 0o644)
	inseeDir := filepath.Join(archive, "insee")
	if err := os.Rename(inseeDir, inseeDir+".aside"); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(inseeDir, []byte("in the way"), 0o644)
	code, out, errOut = odpe(t, "--config", cfgPath, "refresh")
	if code != cli.ExitOK || !strings.Contains(out, "transmission package of insee NOT written") {
		t.Fatalf("refresh: exit %d\n%s%s", code, out, errOut)
	}
	newRun := publishedRun(t, cfgPath, "insee")
	if newRun == run {
		t.Fatalf("insee not published by the refresh")
	}
	os.Remove(inseeDir)
	os.Rename(inseeDir+".aside", inseeDir)
	code, out, errOut = odpe(t, "--config", cfgPath, "transmissions", "pack", "insee")
	if code != cli.ExitOK || !strings.Contains(out, "transmission package of insee: ") {
		t.Fatalf("pack: exit %d\n%s%s", code, out, errOut)
	}
	for _, p := range cfg.Exports {
		want := 1
		if slices.ContainsFunc(p.Indicators, func(s string) bool { return s == "*" || strings.HasPrefix(s, "pmi_") }) {
			want = 2
		}
		z := zips(p.Name)
		if len(z) != want {
			t.Errorf("%s: %d packages after a PMI revision, want %d", p.Name, len(z), want)
			continue
		}
		if want == 2 {
			slices.Sort(z)
			if !strings.HasSuffix(z[1], "_run"+newRun+".zip") {
				t.Errorf("%s: new package %s, want run %s", p.Name, z[1], newRun)
			}
			checkPackage(t, z[1], filepath.Join(cfg.ExportsDir, p.Name), p)
		}
	}
}

// checkPackage checks that the package at zipPath holds exactly the files
// of the published folder dir, as its manifest says, and the manifest.
func checkPackage(t *testing.T, zipPath, dir string, p configs.Export) {
	t.Helper()
	published := map[string][]byte{}
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		t.Fatal(err)
	}
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(root, path)
			published[filepath.ToSlash(rel)] = mustRead(t, path)
		}
		return err
	})
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	base := strings.TrimSuffix(filepath.Base(zipPath), ".zip")
	var m transmit.Manifest
	inZip := map[string][]byte{}
	for _, f := range zr.File {
		rel, ok := strings.CutPrefix(f.Name, base+"/")
		if !ok {
			t.Errorf("%s: %s outside the folder %s", zipPath, f.Name, base)
			continue
		}
		if strings.Contains(rel, "/.") || strings.HasPrefix(rel, ".") {
			t.Errorf("%s: %s, a hidden file (state, cache)", zipPath, rel)
		}
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		switch rel {
		case transmit.ManifestName:
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
		case transmit.TextName, transmit.SumsName:
		default:
			inZip[rel] = b
		}
	}
	if m.Profile != p.Name || m.Title != p.Title || m.Audience != p.Audience || m.Format != transmit.Format || m.Version == "" || m.Published.IsZero() {
		t.Errorf("%s: manifest %+v", zipPath, m)
	}
	if p.Audience == "external" && m.Threshold != p.Threshold {
		t.Errorf("%s: threshold %d, want %d", zipPath, m.Threshold, p.Threshold)
	}
	if len(m.Files) != len(published) || len(inZip) != len(published) {
		t.Errorf("%s: manifest lists %d files, zip holds %d, the folder %d", zipPath, len(m.Files), len(inZip), len(published))
	}
	for _, f := range m.Files {
		b, ok := published[f.Name]
		h := sha256.Sum256(b)
		if !ok || f.Size != int64(len(b)) || f.SHA256 != hex.EncodeToString(h[:]) {
			t.Errorf("%s: %s in the manifest (%d bytes, %s) is not the published file", zipPath, f.Name, f.Size, f.SHA256)
		}
		if string(inZip[f.Name]) != string(b) {
			t.Errorf("%s: %s in the zip is not the published file", zipPath, f.Name)
		}
	}
}

func mustLink(t *testing.T, p string) string {
	t.Helper()
	s, err := os.Readlink(p)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
