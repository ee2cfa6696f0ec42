package profile

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/odpe/odpe/configs"
	"github.com/odpe/odpe/pipelines/export"
	"github.com/odpe/odpe/pipelines/export/arrowrows"
	"github.com/odpe/odpe/pipelines/export/feather"
)

// familiesFile, in the state of each profile's publication (stateDir),
// says for each indicator family what its rows were made from, its files
// of one family (those of the PerFamily formats) and where its published
// rows are kept (rowsFile: the cache, an Arrow IPC file in the state). A
// family whose fingerprint is the one it was last published with is
// neither read from the warehouse nor protected again: its files of one
// family are linked from there, and the files that hold every family take
// its part from their last version (see target.reusable); only when one
// cannot are its rows read back from the cache. A refresh that only
// brings a new PMI file thus redoes the PMI family alone.
const familiesFile = ".families.json"

// rowsDir, in the state of a publication, is the cache of the rows it
// published: an Arrow IPC file per family, outside the folder sent.
const rowsDir = ".rows"

// stateRoot is the folder, beside the profiles' folders of a run, that
// keeps what only the next publication reads: fingerprints, indexes and
// rows (the sex × age × mode detail a workbook leaves out) of each
// profile. A profile's folder holds its published files and nothing
// else, so that sending the folder sends nothing more.
const stateRoot = ".state"

// stateDir is the state of the publication whose folder is dir:
// .runs/<run>/.state/<profile> for .runs/<run>/<profile>.
func stateDir(dir string) string {
	return filepath.Join(filepath.Dir(dir), stateRoot, filepath.Base(dir))
}

// familyPath is where rel, a file of one family, lies for the
// publication whose folder is dir: kept rows in its state, the others
// in the folder.
func familyPath(dir, rel string) string {
	if strings.HasPrefix(filepath.ToSlash(rel), rowsDir+"/") {
		return filepath.Join(stateDir(dir), rel)
	}
	return filepath.Join(dir, rel)
}

// PublishedRows returns, for the publication whose folder is dir (a
// profile's folder under exports_dir), the file that holds each family's
// published rows (an Arrow IPC file of the cache in its state),
// for readers of what a profile publishes (the annual report). It fails
// with an error matching fs.ErrNotExist when the folder was never
// published.
func PublishedRows(dir string) (map[string]string, error) {
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real // exports/<profile> is a link to .runs/<run>/<profile>, beside its state
	}
	b, err := os.ReadFile(filepath.Join(stateDir(dir), familiesFile))
	if err != nil {
		return nil, fmt.Errorf("profile: published rows of %s: %w", dir, err)
	}
	var fams map[string]family
	if err := json.Unmarshal(b, &fams); err != nil {
		return nil, fmt.Errorf("profile: %s: %w", filepath.Join(stateDir(dir), familiesFile), err)
	}
	out := make(map[string]string, len(fams))
	for fam, f := range fams {
		out[fam] = familyPath(dir, f.Rows)
	}
	return out, nil
}

// family is the entry of one family in familiesFile.
type family struct {
	Fingerprint string   `json:"fingerprint"`
	Rows        string   `json:"rows"`        // the cache (rowsFile)
	Files       []string `json:"files"`       // of the PerFamily formats (see familyPath)
	Count       int      `json:"count"`       // of rows
	Territorial bool     `json:"territorial"` // some rows are of a territory, not the département
}

// rowsFile is the cache of the rows of family fam (see familyPath).
func rowsFile(fam string) string { return path.Join(rowsDir, fam+".arrow") }

// familiesOf returns the families of the indicators p selects, in the
// order of inds.
func familiesOf(p configs.Export, inds []export.Indicator) []string {
	var fams []string
	for _, ind := range inds {
		if selected(p.Indicators, ind.ID) && !slices.Contains(fams, ind.Family) {
			fams = append(fams, ind.Family)
		}
	}
	return fams
}

// familyPlan is what a profile to write reuses of its last publication.
type familyPlan struct {
	fingerprints map[string]string // family → what its rows are made of now
	last         string            // directory of the last publication ("" if none)
	reusable     map[string]family // families whose rows are those published there
}

// fingerprint identifies what the profile's files are made of: what each
// of its families is made of.
func (plan *familyPlan) fingerprint() string {
	h := sha256.New()
	for _, fam := range slices.Sorted(maps.Keys(plan.fingerprints)) {
		fmt.Fprintf(h, "%q %s\n", fam, plan.fingerprints[fam])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// planFamilies compares the fingerprints of p's families with those of
// its last publication.
func (w *Writer) planFamilies(p configs.Export, inds []export.Indicator, computed map[string]string) (*familyPlan, error) {
	plan := &familyPlan{fingerprints: map[string]string{}, reusable: map[string]family{}}
	peers := externalPeers(p, w.Config.Exports)
	for _, fam := range familiesOf(p, inds) {
		fp, err := fingerprint(p, peers, inds, computed, fam)
		if err != nil {
			return nil, err
		}
		plan.fingerprints[fam] = fp
	}
	last, err := filepath.EvalSymlinks(filepath.Join(w.Config.ExportsDir, p.Name))
	if err != nil {
		return plan, nil // never published
	}
	b, err := os.ReadFile(filepath.Join(stateDir(last), familiesFile))
	if err != nil {
		return plan, nil // published before families were kept
	}
	var before map[string]family
	if err := json.Unmarshal(b, &before); err != nil {
		return plan, nil // unreadable: written again
	}
	plan.last = last
	for fam, fp := range plan.fingerprints {
		e, ok := before[fam]
		if !ok || e.Fingerprint != fp || !filepath.IsLocal(e.Rows) || slices.ContainsFunc(e.Files, func(f string) bool { return !filepath.IsLocal(f) }) {
			continue
		}
		if e.Rows == rowsFile(fam) && allExist(last, append(slices.Clone(e.Files), e.Rows)) {
			plan.reusable[fam] = e
		}
	}
	return plan, nil
}

func allExist(dir string, files []string) bool {
	for _, f := range files {
		if _, err := os.Stat(familyPath(dir, f)); err != nil {
			return false
		}
	}
	return true
}

// complete adds to ds, whose rows are those of the families read from the
// warehouse, the rows of families published earlier (reused: family →
// entry in the directory last), keeping the rows ordered by indicator.
// Millions of rows at national scale: they are read straight into place
// when the families' indicators do not interleave (bundled ones are
// named after their family), and moved once otherwise.
func complete(ds *export.Dataset, last string, reused map[string]family) error {
	if len(reused) == 0 {
		return nil
	}
	total := len(ds.Rows)
	for _, e := range reused {
		total += e.Count
	}
	// The sources of the rows in the order of the indicators: "" for
	// those of ds.
	var runs []string
	families := familyOf(ds)
	for _, id := range slices.Sorted(maps.Keys(families)) {
		src := families[id]
		if _, ok := reused[src]; !ok {
			src = ""
		}
		if len(runs) == 0 || runs[len(runs)-1] != src {
			runs = append(runs, src)
		}
	}
	rd := arrowrows.NewReader()
	read := func(fam string, out []export.Row) ([]export.Row, error) {
		out, err := feather.ReadRows(familyPath(last, reused[fam].Rows), rd, out)
		if err != nil {
			return nil, fmt.Errorf("profile %s: rows of %s as last published: %w", ds.Profile, fam, err)
		}
		return out, nil
	}
	out := make([]export.Row, 0, total)
	var err error
	if len(slices.Compact(slices.Sorted(slices.Values(runs)))) == len(runs) {
		for _, src := range runs {
			if src == "" {
				out = append(out, ds.Rows...)
			} else if out, err = read(src, out); err != nil {
				return err
			}
		}
		ds.Rows = out
		return nil
	}
	blocks := map[string][]export.Row{} // indicator → its rows, in order
	add := func(rows []export.Row) {
		for i := 0; i < len(rows); {
			j := i + 1
			for j < len(rows) && rows[j].Indicator == rows[i].Indicator {
				j++
			}
			blocks[rows[i].Indicator] = rows[i:j]
			i = j
		}
	}
	add(ds.Rows)
	for fam, e := range reused {
		rows, err := read(fam, make([]export.Row, 0, e.Count))
		if err != nil {
			return err
		}
		add(rows)
	}
	for _, id := range slices.Sorted(maps.Keys(blocks)) {
		out = append(out, blocks[id]...)
	}
	ds.Rows = out
	return nil
}

// familyOf maps each indicator of ds to its family.
func familyOf(ds *export.Dataset) map[string]string {
	m := make(map[string]string, len(ds.Indicators))
	for _, ind := range ds.Indicators {
		m[ind.ID] = ind.Family
	}
	return m
}

// keepFamilies writes familiesFile: each family's fingerprint, and where
// its files are (writeFamilyFiles wrote or linked them there).
func keepFamilies(t *target, plan *familyPlan) error {
	entries := map[string]family{}
	_, rows := t.families()
	for fam, fp := range plan.fingerprints {
		if e, ok := t.reused[fam]; ok {
			e.Fingerprint = fp
			entries[fam] = e
			continue
		}
		e := family{Fingerprint: fp, Rows: rowsFile(fam), Files: t.written[fam], Count: len(rows[fam])}
		e.Territorial = slices.ContainsFunc(rows[fam], func(i int) bool { return t.ds.Rows[i].Territory != export.Total })
		entries[fam] = e
	}
	return writeJSON(filepath.Join(stateDir(t.dir), familiesFile), entries)
}

// linkFamilies links into dir the files of each reused family (its files
// of one family and its cache) from the directory last.
func linkFamilies(last, dir string, reused map[string]family) error {
	for _, e := range reused {
		for _, rel := range append(slices.Clone(e.Files), e.Rows) {
			src, dst := familyPath(last, rel), familyPath(dir, rel)
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return err
			}
			if err := linkOrCopy(src, dst); err != nil {
				return fmt.Errorf("reuse %s: %w", src, err)
			}
		}
	}
	return nil
}
