// Package extracttest helps test extract jobs: a Sink that keeps rows in
// memory and checks them against the raw schema of sql/migrations, Options
// decoded strictly from YAML, and the paths of the shared sample files.
//
// It is imported by tests only.
package extracttest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/odpe/odpe/pipelines/extract"
	"github.com/odpe/odpe/pipelines/extract/pseudonym"
)

// Row is one appended row, by column name.
type Row map[string]any

// Sink is an in-memory extract.Sink. Append checks the table name, the
// number of values and their Go types against the raw schema.
type Sink struct {
	schema map[string][]string // table -> columns after file_id
	mu     sync.Mutex
	rows   map[string][]Row
}

var _ extract.Sink = (*Sink)(nil)

// NewSink returns an empty Sink that knows the raw tables of the
// repository's migrations.
func NewSink(t testing.TB) *Sink {
	t.Helper()
	schema, err := rawSchema(filepath.Join(RepoRoot(t), "sql", "migrations"))
	if err != nil {
		t.Fatal(err)
	}
	return &Sink{schema: schema, rows: map[string][]Row{}}
}

// Append implements extract.Sink.
func (s *Sink) Append(table string, values ...any) error {
	cols, ok := s.schema[table]
	if !ok {
		return fmt.Errorf("extracttest: no raw table %q", table)
	}
	if len(values) != len(cols) {
		return fmt.Errorf("extracttest: %s has %d columns after file_id, got %d values", table, len(cols), len(values))
	}
	row := make(Row, len(cols))
	for i, v := range values {
		switch v.(type) {
		case nil, string, int, int32, int64, float64, bool, time.Time:
		default:
			return fmt.Errorf("extracttest: %s.%s: unexpected value type %T", table, cols[i], v)
		}
		row[cols[i]] = v
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rows[table] = append(s.rows[table], row)
	return nil
}

// Stage implements extract.Sink.
func (s *Sink) Stage(table string) string { return "stage_" + table }

// Exec implements extract.Sink; the in-memory sink runs no SQL.
func (s *Sink) Exec(context.Context, string, ...any) (int64, error) {
	return 0, errors.New("extracttest: Exec is not supported by the in-memory sink")
}

// Rows returns the rows appended to table.
func (s *Sink) Rows(table string) []Row {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rows[table]
}

// Tables returns the number of rows appended per table.
func (s *Sink) Tables() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int{}
	for t, r := range s.rows {
		out[t] = len(r)
	}
	return out
}

var (
	createRe  = regexp.MustCompile(`(?is)CREATE TABLE raw\.(\w+)\s*\((.*?)\);`)
	alterRe   = regexp.MustCompile(`(?i)ALTER TABLE raw\.(\w+) ADD COLUMN (\w+)`)
	commentRe = regexp.MustCompile(`--[^\n]*`)
)

// rawSchema reads the raw tables' columns (after file_id) from the
// migrations in dir, in the order the migrations create and add them.
func rawSchema(dir string) (map[string][]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.sql"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("extracttest: no migrations in %s", dir)
	}
	schema := map[string][]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("extracttest: %w", err)
		}
		for _, m := range createRe.FindAllStringSubmatch(commentRe.ReplaceAllString(string(b), ""), -1) {
			var cols []string
			for _, def := range strings.Split(m[2], ",") {
				if f := strings.Fields(def); len(f) > 0 && f[0] != "file_id" {
					cols = append(cols, f[0])
				}
			}
			schema[m[1]] = cols
		}
		// Columns added later come last, in the order they were added.
		for _, m := range alterRe.FindAllStringSubmatch(commentRe.ReplaceAllString(string(b), ""), -1) {
			schema[m[1]] = append(schema[m[1]], m[2])
		}
	}
	return schema, nil
}

// Options is a job's options block written in YAML, decoded strictly as the
// configuration does: unknown keys are errors.
type Options string

// Decode implements extract.Options.
func (o Options) Decode(v any) error {
	dec := yaml.NewDecoder(strings.NewReader(string(o)))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil && err != io.EOF {
		return fmt.Errorf("options: %w", err)
	}
	return nil
}

// RepoRoot returns the directory of the module's go.mod.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("extracttest: go.mod not found above the working directory")
		}
		dir = parent
	}
}

// Sample returns the path of a sample file under testdata/samples of the
// repository: the tests read nothing outside it.
func Sample(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join(RepoRoot(t), "testdata", "samples", name)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("extracttest: sample %s: %v", name, err)
	}
	return p
}

// File describes the file at path for a job's Load.
func File(t testing.TB, path string) extract.File {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return extract.File{Path: path, Name: filepath.Base(path), Size: st.Size(), ModTime: st.ModTime()}
}

// Load runs job on the file at path with env and a fresh Sink.
func Load(t testing.TB, job extract.Job, path string, env *extract.Env) (*Sink, int64, error) {
	t.Helper()
	sink := NewSink(t)
	n, err := job.Load(context.Background(), File(t, path), env, sink)
	return sink, n, err
}

// Territories returns the mapping of the sample territoires_62.csv, built
// by hand so that this package needs no job.
func Territories() *extract.Territories {
	t := extract.NewTerritories()
	for _, r := range [][3]string{
		{"62041", "ARR", "Arrageois"}, {"62080", "ARR", "Arrageois"},
		{"62119", "ART", "Artois"}, {"62178", "ART", "Artois"},
		{"62765", "AUD", "Audomarois"}, {"62014", "AUD", "Audomarois"},
		{"62160", "BOU", "Boulonnais"}, {"62643", "BOU", "Boulonnais"},
		{"62193", "CAL", "Calaisis"},
		{"62498", "LEN", "Lens-Liévin"}, {"62510", "LEN", "Lens-Liévin"},
		{"62427", "HEN", "Hénin-Carvin"}, {"62215", "HEN", "Hénin-Carvin"},
		{"62637", "HEN", "Hénin-Carvin"}, {"62250", "HEN", "Hénin-Carvin"},
		{"62588", "MON", "Montreuillois"}, {"62108", "MON", "Montreuillois"},
		{"62318", "MON", "Montreuillois"},
		{"62767", "TER", "Ternois"}, {"62361", "TER", "Ternois"},
	} {
		t.Add(r[0], r[1], r[2])
	}
	return t
}

// testKey is the pseudonymisation key of tests, and of tests only.
var testKey = strings.Repeat("0123456789abcdef", 4)

// Pseudonym returns the pseudonym function of a fixed test key, as the
// refresh puts in Env.Pseudonym.
func Pseudonym(t testing.TB) func(id string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "odpe.key")
	if err := os.WriteFile(path, []byte(testKey), 0o600); err != nil {
		t.Fatal(err)
	}
	key, err := pseudonym.LoadKey(path)
	if err != nil {
		t.Fatal(err)
	}
	return key.Pseudonym
}
