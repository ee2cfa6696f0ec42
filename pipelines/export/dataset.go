// Package export turns indicator values into the files people open: the
// marts of each export profile (Parquet, Excel, SDMX-CSV, Arrow IPC). The
// format writers below it read a Dataset and nothing else, so they never
// touch the warehouse and their tests build without DuckDB.
package export

import (
	"fmt"
	"iter"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Total is the value of a breakdown (or of the territory) on the row that
// sums over it: the département row has Territory == Total.
const Total = "Ensemble"

// Conf is the confidentiality of a cell; the zero Conf is Free.
//
// Primary and Secondary are the protection's own distinction (why a cell
// is hidden), which never leaves it: every file a recipient receives
// gives both the one mark HiddenMark (see Mark), since telling a small
// count from a complementary cell bounds it (a total of 8 with two hidden
// primary cells at threshold 5 makes each 4).
type Conf uint8

// Confidentialities, whose String is the protection's code but for Free.
const (
	Free      Conf = iota // published
	Primary               // "A": small count, or a rate whose numerator is one
	Secondary             // "D": hidden so that a primary cell cannot be recovered
)

// HiddenMark is the mark of a hidden cell in every published file: the
// code C ("confidential statistical information") of SDMX's
// CL_CONF_STATUS, whatever the reason it is hidden.
const HiddenMark = "C"

var confNames = []string{"", "A", "D"}

func (c Conf) String() string { return name(c, confNames...) }

// Mark is what a published file says of a cell: "" when published,
// HiddenMark when hidden, primary or secondary alike.
func (c Conf) Mark() string {
	if c == Free {
		return ""
	}
	return HiddenMark
}

// ParseConf returns the Conf whose String or Mark is s. HiddenMark, which
// does not say why a cell is hidden, reads as Secondary.
func ParseConf(s string) (Conf, error) {
	switch s {
	case "":
		return Free, nil
	case HiddenMark:
		return Secondary, nil
	}
	return parse[Conf](s, "confidentiality", confNames)
}

// Unit is the unit of a row's value; the zero Unit is none, which no
// format accepts.
type Unit uint8

// Units, whose String is their name in the indicators' declarations.
const (
	Count    Unit = iota + 1 // "count"
	Percent                  // "%"
	PerMille                 // "‰"
	Per100k                  // "per100k"
	Days                     // "days"
	Hours                    // "hours"
	Ratio                    // "ratio"
)

var unitNames = []string{"", "count", "%", "‰", "per100k", "days", "hours", "ratio"}

func (u Unit) String() string { return name(u, unitNames...) }

// ParseUnit returns the Unit named s in the indicators' declarations.
func ParseUnit(s string) (Unit, error) { return parse[Unit](s, "unit", unitNames) }

// Status is how final a row's value is; the zero Status is none, which
// no format accepts.
type Status uint8

// Statuses, whose String is their name in the warehouse.
const (
	Final       Status = iota + 1 // "final"
	Provisional                   // "provisional": the year is not closed
	Incomplete                    // "incomplete": months are missing
)

var statusNames = []string{"", "final", "provisional", "incomplete"}

func (s Status) String() string { return name(s, statusNames...) }

// ParseStatus returns the Status named s in the warehouse.
func ParseStatus(s string) (Status, error) { return parse[Status](s, "status", statusNames) }

// name is names[v], or v's number when it has no name.
func name[T ~uint8](v T, names ...string) string {
	if int(v) < len(names) {
		return names[v]
	}
	return "#" + strconv.Itoa(int(v))
}

// parse returns the value of T named s, not the zero value.
func parse[T ~uint8](s, what string, names []string) (T, error) {
	if i := slices.Index(names, s); i > 0 {
		return T(i), nil
	}
	return 0, fmt.Errorf("%s %q: want one of %s", what, s, strings.Join(names[1:], ", "))
}

// Indicator is the part of an indicator's declaration that travels with
// its values (Lisez-moi sheet, Parquet metadata, SDMX).
type Indicator struct {
	ID            string
	Label         string // French label
	Family        string // ase, pmi, prevention, adoption
	Definition    string
	Unit          string // count, %, ‰, per100k, days, hours, ratio
	Numerator     string
	Denominator   string
	ReferenceDate string // "31 décembre de N"
	Convention    string
	Sources       []string
	Breakdowns    []string // dimension names besides period and territory
	Key           bool     // key indicator: gets a chart in Excel
}

// Row is one value of one indicator.
type Row struct {
	Indicator   string
	Dep         string // COG code of the département
	Period      int    // year N
	Territory   string // territory code, or Total for the département
	Dims        map[string]string
	Numerator   Figure // absent when not applicable or suppressed
	Denominator Figure
	Value       Figure // absent when not computable or suppressed
	Previous    Figure // value of N−1, absent if unknown or suppressed
	Evolution   Figure // points for shares and rates, % change for counts
	Unit        Unit   // the three codes take a byte each, as rows are
	Status      Status // millions (see Figure)
	Conf        Conf
}

// Figure is a number of a row, which may be absent (NULL in the
// warehouse); the zero Figure is absent. It is held in the row in 8 bytes
// (the number's bits plus one, 0 when absent), neither behind a pointer
// nor beside a flag that would take 8 more: rows are millions at national
// scale, and the export's time grows with their size (copies, fresh
// memory, the garbage collector's scans).
type Figure struct{ bits uint64 }

// Known is the figure v; NaN, which is no number, is absent.
func Known(v float64) Figure {
	if math.IsNaN(v) {
		return Figure{}
	}
	return Figure{math.Float64bits(v) + 1} // no NaN: no overflow
}

// Valid reports whether f is a number, not absent.
func (f Figure) Valid() bool { return f.bits != 0 }

// Float64 is the number f, 0 when absent.
func (f Figure) Float64() float64 { return f.Or(0) }

// Or is the number f, or def when f is absent.
func (f Figure) Or(def float64) float64 {
	if f.bits == 0 {
		return def
	}
	return math.Float64frombits(f.bits - 1)
}

// Source is one source file that fed the warehouse. What a file says of
// its sources is in words (Provenance), from Kind and the dates; Job,
// Path and SHA256 are the server's detail, which only the internal
// profiles list (see WithoutServerDetail).
type Source struct {
	Job      string    `json:",omitempty"`
	Kind     string    `json:",omitempty"` // the job's kind: ase, pmi, insee_population… (see Provenance)
	Path     string    `json:",omitempty"`
	Modified time.Time `json:",omitzero"`
	SHA256   string    `json:",omitempty"`
	Rows     int64
	// NameKey is what the file's name says of the date it speaks for and
	// of its revision (extract.DateKey: "20251121.0000"), "" when nothing.
	NameKey string `json:",omitempty"`
	// FirstYear and LastYear are the years its rows speak for, where the
	// warehouse says (INSEE's files, whose names carry no date); 0 when
	// unknown.
	FirstYear, LastYear int `json:",omitempty"`
}

// WithoutServerDetail returns the sources without what only the server
// needs to know: no job name, no path, no hash, no modification time
// (which means nothing of the figures: files are copied and re-sent).
// What a recipient outside the observatory receives says where its
// figures come from, in words (Provenance), not where the server keeps
// its files.
func WithoutServerDetail(sources []Source) []Source {
	out := make([]Source, len(sources))
	for i, s := range sources {
		out[i] = Source{Kind: s.Kind, Rows: s.Rows, NameKey: s.NameKey, FirstYear: s.FirstYear, LastYear: s.LastYear}
	}
	return out
}

// QualityIssue counts rows left out of indicators by their scope or by a
// data problem (the warehouse's quality_issues), for the Lisez-moi sheet.
type QualityIssue struct {
	Source, Dep, File string
	Period            int // 0: the whole file
	Rule, Indicators  string
	Count             int64
	Unit, Example     string
}

// Dataset is everything one export profile publishes.
type Dataset struct {
	Profile     string // observatoire, insee, drees, odas…
	Title       string
	Audience    string // internal or external
	Generated   time.Time
	RunID       int64
	Threshold   int      // disclosure threshold (0 = none, internal profiles)
	StructureID string   // SDMX STRUCTURE_ID, e.g. ODPE62:DF_PROTECTION_ENFANCE(1.0)
	Dimensions  []string // every breakdown name used by Rows, in display order
	Indicators  []Indicator
	Rows        []Row
	Sources     []Source
	Quality     []QualityIssue // rows left out of the indicators, and why
	// Territories and Services name the codes of the rows' territories
	// and services (the warehouse's core.territories and
	// core.activity_services), by département; a code without a name is
	// absent.
	Territories map[Place]string
	Services    map[Place]string
}

// Place is a code of a département: a territory or a service.
type Place struct{ Dep, Code string }

// Names of the totals: the département (Territory == Total) and the
// total over services.
const (
	TotalTerritoryName = "Ensemble du département"
	TotalServiceName   = "Ensemble des services"
)

// TerritoryName is the name of territory code of département dep:
// TotalTerritoryName for Total, "" when the warehouse has none.
func (ds *Dataset) TerritoryName(dep, code string) string {
	if code == Total {
		return TotalTerritoryName
	}
	return ds.Territories[Place{dep, code}]
}

// ServiceName is the name of service code of département dep:
// TotalServiceName for Total, "" when the warehouse has none.
func (ds *Dataset) ServiceName(dep, code string) string {
	if code == Total {
		return TotalServiceName
	}
	return ds.Services[Place{dep, code}]
}

// EvolutionUnit is the unit of a row's evolution, as the warehouse's
// indicator_values says it: "points" for shares and rates, "%" (a
// relative change) for counts, durations and hours.
func (u Unit) EvolutionUnit() string {
	switch u {
	case Percent, PerMille, Per100k, Ratio:
		return "points"
	}
	return "%"
}

// Families returns the families of ds.Indicators, in order, and for each
// the indexes of its rows in ds.Rows (formats write a file per family).
func Families(ds *Dataset) ([]string, map[string][]int) {
	var fams []string
	family := make(map[string]int, len(ds.Indicators)) // indicator → index in fams
	for _, ind := range ds.Indicators {
		i := slices.Index(fams, ind.Family)
		if i < 0 {
			i = len(fams)
			fams = append(fams, ind.Family)
		}
		family[ind.ID] = i
	}
	// Rows come in runs of one indicator: the family is looked up once per
	// run.
	type run struct{ fam, start, end int }
	var runs []run
	counts := make([]int, len(fams))
	for start, end := range Runs(ds.Rows, SameIndicator) {
		if f, ok := family[ds.Rows[start].Indicator]; ok {
			runs = append(runs, run{f, start, end})
			counts[f] += end - start
		}
	}
	lists := make([][]int, len(fams))
	for f := range fams {
		lists[f] = make([]int, 0, counts[f])
	}
	for _, r := range runs {
		for i := r.start; i < r.end; i++ {
			lists[r.fam] = append(lists[r.fam], i)
		}
	}
	rows := make(map[string][]int, len(fams))
	for f, fam := range fams {
		rows[fam] = lists[f]
	}
	return fams, rows
}

// Runs yields the bounds [start, end) of each run of consecutive rows
// that same says go together (the rows of one indicator, of one table…).
func Runs(rows []Row, same func(a, b *Row) bool) iter.Seq2[int, int] {
	return func(yield func(int, int) bool) {
		for start := 0; start < len(rows); {
			end := start + 1
			for end < len(rows) && same(&rows[end], &rows[start]) {
				end++
			}
			if !yield(start, end) {
				return
			}
			start = end
		}
	}
}

// SameIndicator reports whether a and b are values of one indicator.
func SameIndicator(a, b *Row) bool { return a.Indicator == b.Indicator }

// Family returns ds restricted to the indicators of family fam, rows
// aside (shared with ds: the caller sets them).
func (ds *Dataset) Family(fam string) *Dataset {
	out := *ds
	out.Indicators = nil
	for _, ind := range ds.Indicators {
		if ind.Family == fam {
			out.Indicators = append(out.Indicators, ind)
		}
	}
	return &out
}

// Interner keeps one copy of each string and of each combination of
// breakdowns that the rows of a dataset repeat millions of times at
// national scale (rows share their Dims map, which nobody changes).
type Interner struct {
	strings map[string]string
	dims    map[string]map[string]string
	key     []byte
}

// NewInterner returns an empty Interner.
func NewInterner() *Interner {
	return &Interner{strings: map[string]string{}, dims: map[string]map[string]string{}}
}

// String returns the kept copy of s, copied the first time: s may point
// into a buffer its reader reuses.
func (in *Interner) String(s string) string {
	if v, ok := in.strings[s]; ok {
		return v
	}
	v := strings.Clone(s)
	in.strings[v] = v
	return v
}

// Dims returns the kept map of the breakdowns names[i] = values[i] for
// each i where present[i], nil when there is none.
func (in *Interner) Dims(names, values []string, present []bool) map[string]string {
	in.key = in.key[:0]
	for i, v := range values {
		if present[i] {
			in.key = append(in.key, names[i]...)
			in.key = append(in.key, '=')
			in.key = append(in.key, v...)
			in.key = append(in.key, 0)
		}
	}
	if len(in.key) == 0 {
		return nil
	}
	if m, ok := in.dims[string(in.key)]; ok {
		return m
	}
	m := map[string]string{}
	for i, v := range values {
		if present[i] {
			m[in.String(names[i])] = in.String(v)
		}
	}
	in.dims[string(in.key)] = m
	return m
}
