package profile_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/odpe/odpe/pipelines/export/profile"
)

// TestExternalFilesCarryNoServerDetail: nothing an external profile sends
// names where the server keeps its source files, nor their hashes, nor
// the data-quality counts (small counts that disclosure control does not
// protect); the internal profile keeps them.
func TestExternalFilesCarryNoServerDetail(t *testing.T) {
	wh := warehouse(t)
	ctx := context.Background()
	var secrets []string // source folders and file hashes
	rows, err := wh.db.QueryContext(ctx, `SELECT DISTINCT path, sha256 FROM meta.files WHERE status = 'loaded'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var path, sum string
		if err := rows.Scan(&path, &sum); err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, filepath.Dir(path), sum)
	}
	rows.Close()
	if len(secrets) == 0 {
		t.Fatal("no source file loaded")
	}
	secrets = append(secrets, "Qualité des données")

	cfg := *wh.cfg
	cfg.ExportsDir = t.TempDir()
	w := &profile.Writer{Config: &cfg}
	publish, err := w.Write(ctx, wh.db, wh.runID, "1", nil)
	if err == nil {
		err = publish()
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range cfg.Exports {
		dir, err := filepath.EvalSymlinks(filepath.Join(cfg.ExportsDir, p.Name))
		if err != nil {
			t.Fatal(err)
		}
		found := map[string]string{} // secret → file
		err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			for name, b := range contents(t, path) {
				for _, s := range secrets {
					if bytes.Contains(b, []byte(s)) {
						found[s] = name
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case p.Audience == "external" && len(found) > 0:
			for s, name := range found {
				t.Errorf("%s (external): %s holds %q", p.Name, name, s)
			}
		case p.Audience != "external" && !strings.Contains(strings.Join(p.Formats, ","), "xlsx"):
		case p.Audience != "external" && len(found) == 0:
			t.Errorf("%s (internal): its workbook lists neither the source files nor the data-quality counts", p.Name)
		}
	}
}

// contents returns a file's bytes, or each part's of a zip (a workbook).
func contents(t *testing.T, path string) map[string][]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{path: b}
	if !strings.HasSuffix(path, ".xlsx") {
		return out
	}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		part, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[path+":"+f.Name] = part
	}
	return out
}
