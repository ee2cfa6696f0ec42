package profile_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/odpe/odpe/pipelines/export/profile"
)

// TestExternalFilesCarryNoServerDetail: nothing an external profile sends
// names where the server keeps its source files, nor their hashes, nor
// the data-quality counts (small counts that disclosure control does not
// protect); the internal profile keeps them. Every byte of every file
// (each part of a workbook) is read for the source folders and hashes of
// the warehouse's files and, whatever they are, for any warehouse table
// (core., raw., staging., meta.), any path rooted at / and any SHA-256.
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
				for _, s := range serverDetail(name, b) {
					found[s] = name
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

var (
	// tableRe finds a warehouse table's name.
	tableRe = regexp.MustCompile(`\b(?:core|raw|staging|meta)\.[a-z_]+`)
	// rootedRe finds a path rooted at / (two names at least), after a
	// space, a quote, an equals sign, a bracket or a separator.
	rootedRe = regexp.MustCompile(`(?:^|[\s"'=(>,;\[])(/[A-Za-z0-9._~-]{2,}(?:/[A-Za-z0-9._~ -]+)+)`)
	// hashRe finds a SHA-256 in hexadecimal.
	hashRe = regexp.MustCompile(`\b[0-9a-fA-F]{64}\b`)
	// ooxml are a workbook's own names, which its parts name.
	ooxml = regexp.MustCompile(`^/(?:xl|docProps|_rels|customXml)/|^(?:core|meta)\.xml$`)
)

// serverDetail returns what b, the bytes of a file or of a workbook's
// part, says of the server: table names, rooted paths, hashes. A
// workbook's own part names (/xl/…, docProps/core.xml) are not.
func serverDetail(name string, b []byte) []string {
	var out []string
	part := strings.Contains(name, ".xlsx:")
	keep := func(s string) {
		if !part || !ooxml.MatchString(s) {
			out = append(out, s)
		}
	}
	for _, m := range tableRe.FindAll(b, -1) {
		s := string(m)
		if part && (s == "core.xml" || s == "meta.xml") {
			continue
		}
		keep(s)
	}
	for _, m := range rootedRe.FindAllSubmatch(b, -1) {
		keep(string(m[1]))
	}
	for _, m := range hashRe.FindAll(b, -1) {
		keep(string(m))
	}
	return out
}

// contents returns a file's bytes, or each part's of a zip (a workbook).
func contents(t *testing.T, path string) map[string][]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(path, ".xlsx") {
		return map[string][]byte{path: b}
	}
	// A workbook: the bytes of each part, and the parts' names (those of
	// the zip's directory).
	out := map[string][]byte{}
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
		out[path+":"] = append(out[path+":"], "/"+f.Name+"\n"...)
	}
	return out
}
