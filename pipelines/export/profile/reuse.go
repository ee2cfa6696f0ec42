package profile

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/odpe/odpe/configs"
	"github.com/odpe/odpe/pipelines/export"
)

// fingerprintFile, in the state of each profile's publication (stateDir), says what its files were
// made from. A profile whose fingerprint is the one it was last published
// with is not written again: its files are linked from there. A refresh
// that only brings a new PMI file thus leaves the ASE-only profiles as
// they are.
const fingerprintFile = ".fingerprint"

// fingerprint identifies what profile p's rows of one family are made
// of: its configuration and that of the peers protected with it (see
// protectTogether), the program writing them, every indicator's
// declaration (one may change the columns of all), and which run computed
// how many values of each of the family's indicators (a refresh recomputes
// an indicator only when one of its sources changed; see
// indicators/compute). The list of source files in the files' metadata is
// not part of it: a reused profile lists the files of the run that wrote
// it.
func fingerprint(p configs.Export, peers []configs.Export, inds []export.Indicator, computed map[string]string, family string) (string, error) {
	h := sha256.New()
	enc := json.NewEncoder(h)
	p.Line = 0
	if err := enc.Encode(p); err != nil {
		return "", err
	}
	patterns := p.Indicators
	for _, q := range peers { // what shapes the protection
		if err := enc.Encode([]any{q.Name, q.Threshold, q.Indicators, q.Breakdowns}); err != nil {
			return "", err
		}
		patterns = append(patterns, q.Indicators...)
	}
	fmt.Fprintln(h, program())
	fmt.Fprintln(h, family)
	for _, ind := range inds {
		if !selected(patterns, ind.ID) {
			continue
		}
		if err := enc.Encode(ind); err != nil {
			return "", err
		}
		if ind.Family == family {
			fmt.Fprintln(h, computed[ind.ID])
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// program identifies the running program by its content (a new build may
// write other files from the same values; `go run` builds land in
// changing places).
var program = sync.OnceValue(func() string {
	exe, err := os.Executable()
	if err != nil {
		return "unknown program"
	}
	f, err := os.Open(exe)
	if err != nil {
		return "unknown program"
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "unknown program"
	}
	return hex.EncodeToString(h.Sum(nil))
})

// computedBy returns, for each indicator, how many values it has and the
// latest run that computed them.
func computedBy(ctx context.Context, db *sql.DB) (map[string]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT indicator, count(*), max(run_id) FROM ind.values GROUP BY indicator`)
	if err != nil {
		return nil, fmt.Errorf("read which run computed the values: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id string
		var n, run int64
		if err := rows.Scan(&id, &n, &run); err != nil {
			return nil, err
		}
		out[id] = fmt.Sprintf("%d values by run %d", n, run)
	}
	return out, rows.Err()
}

// reuse links into dir the files of profile p as last published, if they
// were made from fp. It reports whether it did.
func (w *Writer) reuse(p configs.Export, fp, dir string) (bool, error) {
	prev, err := filepath.EvalSymlinks(filepath.Join(w.Config.ExportsDir, p.Name))
	if err != nil {
		return false, nil // never published
	}
	old, err := os.ReadFile(filepath.Join(stateDir(prev), fingerprintFile))
	if err != nil || string(old) != fp {
		return false, nil
	}
	err = linkTree(prev, dir)
	if err == nil {
		err = linkTree(stateDir(prev), stateDir(dir))
	}
	if err != nil {
		os.RemoveAll(dir)
		os.RemoveAll(stateDir(dir))
		return false, fmt.Errorf("profile %s: reuse %s: %w", p.Name, prev, err)
	}
	return true, nil
}

// linkTree recreates the tree src at dst with hard links (copies where the
// file system refuses links). Published files are never modified in place,
// so sharing them is safe.
func linkTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		return linkOrCopy(path, target)
	})
}

// linkOrCopy links dst to src, or copies src where the file system
// refuses links.
func linkOrCopy(src, dst string) error {
	if os.Link(src, dst) == nil {
		return nil
	}
	return copyFile(src, dst)
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
