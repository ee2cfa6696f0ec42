// Package extract defines what an extract job is: a reader of one source
// family that turns the files the département receives into rows of the
// warehouse's raw schema. Jobs register themselves by kind; the refresh
// finds them by the kind named in the configuration.
//
// A job never touches the database directly: it appends rows to a Sink, or
// hands DuckDB a statement to run (for files DuckDB reads faster itself).
// The refresh stages a file's rows and keeps them only if Load returns nil,
// so a file with any error loads nothing.
package extract

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"sync"
	"time"
)

// Retention says what happens to the rows of a job's earlier files when a
// new file arrives.
type Retention int

const (
	// Accumulate keeps every file's rows (activity reports, PMI counts:
	// revisions are resolved in the conformed tables).
	Accumulate Retention = iota
	// Supersede keeps only the newest file of the job per département (the
	// ASE nightly full extract).
	Supersede
)

func (r Retention) String() string {
	if r == Supersede {
		return "supersede"
	}
	return "accumulate"
}

// File is one source file offered to a job.
type File struct {
	Path    string    // path as found on disk
	Name    string    // base name, used in error messages
	Size    int64     // bytes
	ModTime time.Time // modification time: tells the registry the file may have changed, nothing more
	SHA256  string    // hex digest of the content
	// RelPath is the path relative to the job's source folder, with "/":
	// with the content's hash, what identifies the file in the registry
	// (moving the whole source tree changes nothing).
	RelPath string
	// NameKey orders the file among the job's files (see Namer); "" when
	// its name says nothing.
	NameKey string
}

// Open opens the file for reading, if it is a regular file (OpenRegular).
func (f File) Open() (io.ReadCloser, error) { return OpenRegular(f.Path) }

// Env is what a job may know besides its file.
type Env struct {
	// Departement is the COG code of the département the file belongs to
	// ("62", "2A", "974"), set per job in the configuration.
	Departement string
	// Territories resolves MDS territory codes and names, and communes.
	Territories *Territories
	// Pseudonym returns the keyed pseudonym of an identifier. Nil when the
	// configuration has no key; jobs that need one must fail then.
	Pseudonym func(id string) string
	// Logger receives progress messages.
	Logger *slog.Logger
}

// Sink receives the rows of one file. Rows are staged and kept only when
// the job returns without error.
type Sink interface {
	// Append adds one row to raw table `table`, values in the order of the
	// table's columns after file_id, starting with dep (see
	// sql/migrations/0002_raw.sql). Use env.Departement for dep.
	Append(table string, values ...any) error
	// Stage names the staging table that stands for raw table `table`, for
	// jobs that load with a DuckDB statement (INSERT INTO <Stage(t)> SELECT
	// … FROM read_csv(…)). It has the raw table's columns minus file_id.
	Stage(table string) string
	// Exec runs a statement in the staging area and returns the rows it
	// affected.
	Exec(ctx context.Context, query string, args ...any) (int64, error)
}

// Job reads the files of one source family.
type Job interface {
	// Load reads one file and sends its rows to sink. It returns the number
	// of data rows read from the file. Any error rejects the whole file.
	Load(ctx context.Context, f File, env *Env, sink Sink) (rowsRead int64, err error)
}

// Kind describes a source family and makes its jobs.
type Kind struct {
	Name        string    // identifier used in the configuration: "pmi"
	Description string    // one line for `odpe status` and the docs
	Pattern     string    // default file pattern in the source folder: "*.csv"
	Tables      []string  // raw tables the job fills (schema raw)
	Retention   Retention // what a new file does to earlier files' rows
	NeedsKey    bool      // the job pseudonymises identifiers
	// Concurrent says that Load only appends rows (no Exec), may run on
	// several files at once, and that one file's rows fit in memory: the
	// refresh then reads a job's files in parallel and stages their rows
	// in order.
	Concurrent bool
	// New makes a job from its options (the `options:` block of the job's
	// configuration; decode strictly so that unknown keys are errors).
	New func(opts Options) (Job, error)
}

// Options is a job's own configuration block.
type Options interface {
	// Decode fills v (a pointer to a struct with yaml tags) and rejects
	// unknown keys.
	Decode(v any) error
}

var (
	registryMu sync.Mutex
	registry   = map[string]Kind{}
)

// Register makes a kind available. It panics on a duplicate or incomplete
// kind: both are programming errors found at start-up.
func Register(k Kind) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if k.Name == "" || k.New == nil || len(k.Tables) == 0 {
		panic(fmt.Sprintf("extract: incomplete kind %q", k.Name))
	}
	if _, dup := registry[k.Name]; dup {
		panic(fmt.Sprintf("extract: kind %q registered twice", k.Name))
	}
	registry[k.Name] = k
}

// Lookup returns the kind registered under name.
func Lookup(name string) (Kind, bool) {
	registryMu.Lock()
	defer registryMu.Unlock()
	k, ok := registry[name]
	return k, ok
}

// Kinds returns every registered kind, sorted by name.
func Kinds() []Kind {
	registryMu.Lock()
	defer registryMu.Unlock()
	out := make([]Kind, 0, len(registry))
	for _, k := range registry {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// NoOptions is the New of a kind that takes no options: it returns job,
// and any key under the job's `options:` is an error.
func NoOptions(kind string, job Job) func(Options) (Job, error) {
	return func(opts Options) (Job, error) {
		if opts == nil {
			return job, nil
		}
		var none struct{}
		if err := opts.Decode(&none); err != nil {
			return nil, fmt.Errorf("%s options: %w", kind, err)
		}
		return job, nil
	}
}
