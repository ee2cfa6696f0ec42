package export

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
)

// Format is one kind of file an export profile may ask for (its
// `formats:` in the configuration), as an extract job kind is one kind of
// source: each format package registers its Format (Register, in an init
// function), pipelines/export/all imports them all, and the configuration
// accepts the names registered (Names).
type Format interface {
	// Name is the format's name in the configuration: "parquet", "xlsx".
	Name() string
	// Layout says whether the format writes a file per indicator family
	// or files for the whole profile.
	Layout() Layout
	// Write writes out's files. A PerFamily format writes the family
	// out.Family: it opens its file through out.Records, and the profile's
	// writer hands it the family's record batches, built once for every
	// per-family format of the profile. A WholeProfile format writes
	// every row of out.Dataset through out.File.
	Write(ctx context.Context, out *Output) error
}

// Layout is how a format lays a profile out in files.
type Layout int

// Layouts.
const (
	// PerFamily: one file per indicator family (parquet/ase.parquet). A
	// family that did not change since the last publication is linked
	// from there, not written.
	PerFamily Layout = iota + 1
	// WholeProfile: files that hold every family (a workbook, an SDMX
	// file). On a refresh that changed some families only, the format is
	// handed every row, those of the unchanged families read back from the
	// cache of the last publication, unless it is a Reuser that can take
	// their part from its last file.
	WholeProfile
)

func (l Layout) String() string {
	switch l {
	case PerFamily:
		return "per family"
	case WholeProfile:
		return "whole profile"
	}
	return fmt.Sprintf("Layout(%d)", int(l))
}

// Reuser is a WholeProfile format that can copy the part of some
// families from its last file instead of writing it from rows. Reuse is
// a choice of the format, never a default: a WholeProfile format that is
// not a Reuser always gets every row, so that it cannot write an
// incomplete file.
type Reuser interface {
	Format
	// Reusable reports why out cannot take the part of the families
	// out.Last.Families from out.Last (nil: it can). It writes nothing;
	// Write then gets out with Last set and Dataset without those
	// families' rows. When any WholeProfile format of a profile cannot,
	// every one gets every row.
	Reusable(out *Output) error
}

// RecordWriter writes a file of one family from record batches of its
// rows (arrowrows.Batches builds them): a PerFamily format's writer.
type RecordWriter interface {
	Write(arrow.RecordBatch) error
	Close() error
}

// Output is what a format writes and where. The profile's writer fills
// it: formats never name a folder.
type Output struct {
	// Dataset is the profile's (protected) dataset, narrowed to what the
	// format holds (a workbook may carry fewer breakdowns: Omitted).
	Dataset *Dataset
	// Family is the family a PerFamily format writes, from Rows, the
	// indexes of its rows in Dataset.Rows.
	Family string
	Rows   []int
	// Profile's layout for workbooks ("observatoire", "drees") and every
	// format it is written in.
	WorkbookLayout string
	Formats        []string
	// Omitted lists the breakdowns of the profile that Dataset leaves
	// out (they are in the profile's other formats).
	Omitted []string

	// File writes the file name, relative to the profile's folder,
	// through write: under a temporary name until it is whole and synced.
	File func(name string, write func(io.Writer) error) error
	// Records opens the file name, relative to the profile's folder, of
	// a PerFamily format: open starts its writer on the file, which gets
	// the family's record batches after Write returns, then is closed.
	Records func(name string, open func(io.Writer) (RecordWriter, error)) error
	// Keep writes v as JSON into the publication's state (beside the
	// profile's folder, never sent) under name, for the next Write's
	// Last.Kept.
	Keep func(name string, v any) error

	// Last, for a Reuser, is the last publication whose part of some
	// families it takes (nil: every row is in Dataset).
	Last *Last
}

// Last is a profile's last publication, whose files a Reuser copies the
// part of some families from.
type Last struct {
	// Dir is the profile's folder of that publication.
	Dir string
	// Families are those whose rows Dataset does not hold.
	Families []string
	// Kept reads back into v what the format kept (Output.Keep) under
	// name.
	Kept func(name string, v any) error
}

var (
	formatsMu sync.Mutex
	formats   = map[string]Format{}
)

// Register makes a format available under its name. It panics on a
// duplicate name or an unknown layout: both are programming errors found
// at start-up.
func Register(f Format) {
	formatsMu.Lock()
	defer formatsMu.Unlock()
	name := f.Name()
	if name == "" || (f.Layout() != PerFamily && f.Layout() != WholeProfile) {
		panic(fmt.Sprintf("export: format %q of layout %v", name, f.Layout()))
	}
	if _, dup := formats[name]; dup {
		panic(fmt.Sprintf("export: format %q registered twice", name))
	}
	formats[name] = f
}

// Lookup returns the format registered under name.
func Lookup(name string) (Format, bool) {
	formatsMu.Lock()
	defer formatsMu.Unlock()
	f, ok := formats[name]
	return f, ok
}

// Formats returns every registered format, sorted by name.
func Formats() []Format {
	formatsMu.Lock()
	defer formatsMu.Unlock()
	out := make([]Format, 0, len(formats))
	for _, f := range formats {
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b Format) int {
		switch {
		case a.Name() < b.Name():
			return -1
		case a.Name() > b.Name():
			return 1
		}
		return 0
	})
	return out
}

// Names returns the names of every registered format, sorted: the
// formats a configuration may name.
func Names() []string {
	var out []string
	for _, f := range Formats() {
		out = append(out, f.Name())
	}
	return out
}
