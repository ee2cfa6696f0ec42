// Package intruder attacks the published files of the external profiles
// as the strongest intruder we can think of would: one who holds every
// file of every profile at once, the indicators' definitions and the
// public populations, and knows that counts are whole numbers. It is the
// audit of the disclosure control (pipelines/export/disclosure and
// pipelines/export/profile), and shares no code with it: it reads only
// the published rows and the declarations (indicators.Catalogue). It reads
// them as a recipient does: Parquet or Arrow files (ReadProfile), and the
// observatoire-layout workbook itself (ReadWorkbook, the odas profile's
// only file), with a reader of its own, written from the sheets, not from
// the writer's code.
//
// What the intruder knows, as one system of linear constraints over the
// cells (indicator, département, year, territory, breakdowns):
//
//   - every published cell of every profile: a cell one profile hides and
//     another prints is known, and so is a count's N−1 printed beside it;
//   - every table's margins: along each breakdown, and the territory, the
//     total is the sum of the others (for every unit but hours), in the
//     cube each profile publishes; a combination a profile's cube leaves
//     out is a zero;
//   - the links the definitions declare (indicators.Disclosure): a
//     published share or rate gives the sum of the cells its numerator
//     and denominator are made of; a rate whose denominator is a public
//     population gives its numerator, published as such; subsets (a cell
//     is at most the cell of the indicator it is within); identities
//     between indicators (stock and flows across years…);
//   - what a mark implies: a hidden cell is ≥ 0 (the one mark every file
//     gives a hidden cell says nothing more);
//   - whole numbers: the bounds of each interval are rounded inwards.
//
// For each hidden cell, two linear programs (gonum's simplex) over the
// connected part of the system that holds it give its smallest and
// largest value. Judge then compares them with the true values, which the
// data owner knows: a hidden cell is recovered when its interval, in whole
// numbers, is one value; a primary cell (a small count of a profile that
// hides it) is narrowed when its interval is narrower than max(1, value).
package intruder

import (
	"fmt"
	"math"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/odpe/odpe/indicators"
	"github.com/odpe/odpe/pipelines/export"
	"github.com/odpe/odpe/pipelines/export/arrowrows"
	"github.com/odpe/odpe/pipelines/export/feather"
	"github.com/odpe/odpe/pipelines/export/parquet"
)

// Cell names one cell: an indicator's count at a place, a year and the
// values of its breakdowns that are not totals (Dims, "dim=value" joined
// by ";" in the order of indicators.Dimensions).
type Cell struct {
	Indicator, Dep string
	Period         int
	Territory      string
	Dims           string
}

func (c Cell) String() string {
	s := c.Indicator + " " + c.Dep + " " + strconv.Itoa(c.Period) + " " + c.Territory
	if c.Dims != "" {
		s += " " + c.Dims
	}
	return s
}

// CellOf is the cell of a row.
func CellOf(r *export.Row) Cell {
	return Cell{Indicator: r.Indicator, Dep: r.Dep, Period: r.Period, Territory: r.Territory, Dims: dimsKey(r.Dims)}
}

func dimsKey(dims map[string]string) string {
	var b strings.Builder
	for _, d := range indicators.Dimensions {
		if v, ok := dims[d]; ok && v != export.Total {
			if b.Len() > 0 {
				b.WriteByte(';')
			}
			b.WriteString(d)
			b.WriteByte('=')
			b.WriteString(v)
		}
	}
	return b.String()
}

// parseDims is the inverse of dimsKey.
func parseDims(s string) map[string]string {
	m := map[string]string{}
	if s == "" {
		return m
	}
	for _, kv := range strings.Split(s, ";") {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return m
}

// ReadProfile reads the rows a profile's folder publishes in its Parquet
// files (or, without them, its Arrow files), every family's.
func ReadProfile(dir string) ([]export.Row, error) {
	files, err := filepath.Glob(filepath.Join(dir, "parquet", "*.parquet"))
	if err != nil {
		return nil, err
	}
	read := parquet.ReadRows
	if len(files) == 0 {
		files, _ = filepath.Glob(filepath.Join(dir, "arrow", "*.arrow"))
		read = feather.ReadRows
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("intruder: %s has no Parquet nor Arrow file to read", dir)
	}
	var rows []export.Row
	rd := arrowrows.NewReader()
	for _, f := range files {
		if rows, err = read(f, rd, rows); err != nil {
			return nil, fmt.Errorf("intruder: %s: %w", f, err)
		}
	}
	return rows, nil
}

// Attack gathers what the intruder holds.
type Attack struct {
	cat      *indicators.Catalogue
	links    map[string]indicators.Links
	profiles []publication
}

type publication struct {
	name      string
	threshold int
	rows      []export.Row
}

// New starts an attack with the indicators' definitions.
func New(cat *indicators.Catalogue) (*Attack, error) {
	a := &Attack{cat: cat, links: map[string]indicators.Links{}}
	for _, d := range cat.List {
		l, err := indicators.ParseLinks(d.Disclosure)
		if err != nil {
			return nil, fmt.Errorf("intruder: %s: %w", d.ID, err)
		}
		a.links[d.ID] = l
	}
	return a, nil
}

// Add adds the rows a profile published, and its threshold (which says
// which hidden cells were small counts of it, for Judge).
func (a *Attack) Add(profile string, threshold int, rows []export.Row) {
	a.profiles = append(a.profiles, publication{profile, threshold, rows})
}

// knowledge is what the intruder knows of one cell.
type knowledge struct {
	known     bool
	value     float64
	hidden    bool // in some profile
	threshold int  // the highest threshold of the profiles that hide it
}

// model is the system of constraints.
type model struct {
	cells map[Cell]*knowledge
	eqs   []constraint
	// statistics
	contradictions int
}

// constraint is Σ coef·cell (= or ≤) rhs.
type constraint struct {
	terms []term
	rhs   float64
	le    bool // ≤ rather than =
	what  string
}

type term struct {
	cell Cell
	coef float64
}

func (a *Attack) unit(id string) string {
	if d, ok := a.cat.Get(id); ok {
		return d.Unit
	}
	return ""
}

func (a *Attack) breakdowns(id string) []string {
	if d, ok := a.cat.Get(id); ok {
		return d.Breakdowns
	}
	return nil
}

// build gathers the cells and the constraints.
func (a *Attack) build() *model {
	m := &model{cells: map[Cell]*knowledge{}}
	get := func(c Cell) *knowledge {
		k := m.cells[c]
		if k == nil {
			k = &knowledge{}
			m.cells[c] = k
		}
		return k
	}
	// Cells: published or hidden, in any profile.
	for _, p := range a.profiles {
		for i := range p.rows {
			r := &p.rows[i]
			if a.unit(r.Indicator) == "hours" || a.links[r.Indicator].Numerator != nil {
				continue // a share's or rate's cells are those of its numerator (see linked)
			}
			c := CellOf(r)
			k := get(c)
			if r.Conf == export.Free {
				if r.Numerator.Valid() {
					k.known, k.value = true, r.Numerator.Float64()
				}
				// A count's N−1, printed beside it, is the cell of N−1.
				if a.unit(r.Indicator) == "count" && r.Previous.Valid() {
					c.Period--
					p := get(c)
					p.known, p.value = true, r.Previous.Float64()
				}
			} else {
				k.hidden = true
				k.threshold = max(k.threshold, p.threshold)
			}
		}
	}
	// Margins, and zeros left out, in each profile's cubes.
	for _, p := range a.profiles {
		a.cubes(m, p, get)
	}
	// Links.
	for _, p := range a.profiles {
		for i := range p.rows {
			a.linked(m, &p.rows[i])
		}
	}
	a.identities(m)
	return m
}

// cubes adds the margins of each table of profile p (indicator,
// département, year), over the breakdowns and territory it carries, and
// the zeros of the combinations it leaves out.
func (a *Attack) cubes(m *model, p publication, get func(Cell) *knowledge) {
	type table struct {
		ind, dep string
		period   int
	}
	rowsOf := map[table][]int{}
	var order []table
	for i := range p.rows {
		r := &p.rows[i]
		if a.unit(r.Indicator) == "hours" || a.links[r.Indicator].Numerator != nil {
			continue
		}
		t := table{r.Indicator, r.Dep, r.Period}
		if _, ok := rowsOf[t]; !ok {
			order = append(order, t)
		}
		rowsOf[t] = append(rowsOf[t], i)
	}
	for _, t := range order {
		idx := rowsOf[t]
		dims := append([]string{"territory"}, a.breakdowns(t.ind)...)
		values := make([][]string, len(dims))
		for d := range dims {
			values[d] = []string{export.Total}
		}
		for _, i := range idx {
			r := &p.rows[i]
			for d, name := range dims {
				v := r.Territory
				if d > 0 {
					v = r.Dims[name]
					if v == "" {
						v = export.Total
					}
				}
				if !slices.Contains(values[d], v) {
					values[d] = append(values[d], v)
				}
			}
		}
		var carried []int
		for d := range dims {
			if len(values[d]) > 1 {
				carried = append(carried, d)
			}
		}
		if len(carried) == 0 {
			continue
		}
		cellAt := func(pos []int) Cell {
			c := Cell{Indicator: t.ind, Dep: t.dep, Period: t.period, Territory: export.Total}
			dm := map[string]string{}
			for d, q := range pos {
				v := values[d][q]
				if d == 0 {
					c.Territory = v
				} else if v != export.Total {
					dm[dims[d]] = v
				}
			}
			c.Dims = dimsKey(dm)
			return c
		}
		// Every combination of the carried dimensions' values.
		pos := make([]int, len(dims))
		var walk func(j int)
		walk = func(j int) {
			if j == len(carried) {
				c := cellAt(pos)
				if k := get(c); !k.known && !k.hidden {
					k.known, k.value = true, 0 // left out: a zero
				}
				// The lines through c from its total, along each carried
				// dimension where c is the total.
				for _, d := range carried {
					if pos[d] != 0 {
						continue
					}
					eq := constraint{what: "margin " + dims[d]}
					eq.terms = append(eq.terms, term{c, 1})
					for q := 1; q < len(values[d]); q++ {
						pos[d] = q
						eq.terms = append(eq.terms, term{cellAt(pos), -1})
					}
					pos[d] = 0
					m.eqs = append(m.eqs, eq)
				}
				return
			}
			for q := range values[carried[j]] {
				pos[carried[j]] = q
				walk(j + 1)
			}
			pos[carried[j]] = 0
		}
		walk(0)
	}
}

// resolve returns the cells a reference names relative to row r (a sum
// when a fixed breakdown lists several values), or false when the row's
// breakdowns cannot name them (a breakdown the referred indicator lacks
// is not a total).
func (a *Attack) resolve(ref indicators.Ref, r Cell, rowDims map[string]string) ([]Cell, bool) {
	target := a.breakdowns(ref.ID)
	for d, v := range rowDims {
		if v == export.Total {
			continue
		}
		if _, fixed := ref.Fixed[d]; !fixed && !slices.Contains(target, d) {
			return nil, false
		}
	}
	combos := []map[string]string{{}}
	for _, b := range target {
		vals := ref.Fixed[b]
		if vals == nil {
			v, ok := rowDims[b]
			if !ok {
				v = export.Total
			}
			vals = []string{v}
		}
		var next []map[string]string
		for _, c := range combos {
			for _, v := range vals {
				n := make(map[string]string, len(c)+1)
				for k, x := range c {
					n[k] = x
				}
				n[b] = v
				next = append(next, n)
			}
		}
		combos = next
	}
	out := make([]Cell, 0, len(combos))
	for _, dm := range combos {
		out = append(out, Cell{Indicator: ref.ID, Dep: r.Dep, Period: r.Period + ref.Offset, Territory: r.Territory, Dims: dimsKey(dm)})
	}
	return out, true
}

// linked adds the equations a row's declared numerator and denominator
// give, and its subsets.
func (a *Attack) linked(m *model, r *export.Row) {
	l := a.links[r.Indicator]
	c := CellOf(r)
	rowDims := parseDims(c.Dims)
	if l.Numerator != nil && r.Conf == export.Free && r.Numerator.Valid() {
		// A published share or rate gives the sum of the cells of its
		// numerator (a rate over a public population gives it as well);
		// hidden, it gives nothing.
		if cells, ok := a.resolve(*l.Numerator, c, rowDims); ok {
			eq := constraint{what: "numerator of " + r.Indicator, rhs: r.Numerator.Float64()}
			for _, x := range cells {
				eq.terms = append(eq.terms, term{x, 1})
			}
			m.eqs = append(m.eqs, eq)
		}
	}
	if l.Denominator != nil && r.Conf == export.Free && r.Denominator.Valid() {
		if cells, ok := a.resolve(*l.Denominator, c, rowDims); ok {
			eq := constraint{what: "denominator of " + r.Indicator, rhs: r.Denominator.Float64()}
			for _, x := range cells {
				eq.terms = append(eq.terms, term{x, 1})
			}
			m.eqs = append(m.eqs, eq)
		}
	}
	for _, w := range l.Within {
		cells, ok := a.resolve(indicators.Ref{ID: w}, c, rowDims)
		if ok && len(cells) == 1 {
			m.eqs = append(m.eqs, constraint{what: r.Indicator + " within " + w, le: true, terms: []term{{c, 1}, {cells[0], -1}}})
		}
	}
}

// identities instantiates the declared identities at every cell of their
// indicators.
func (a *Attack) identities(m *model) {
	var cells []Cell
	for c := range m.cells {
		if len(a.links[c.Indicator].Identities) > 0 {
			cells = append(cells, c)
		}
	}
	slices.SortFunc(cells, func(x, y Cell) int { return strings.Compare(x.String(), y.String()) })
	for _, c := range cells {
		rowDims := parseDims(c.Dims)
		for _, id := range a.links[c.Indicator].Identities {
			eq := constraint{what: id.Text}
			ok := true
			for _, t := range id.Terms {
				xs, fits := a.resolve(t.Ref, c, rowDims)
				if !fits {
					ok = false
					break
				}
				for _, x := range xs {
					if _, seen := m.cells[x]; !seen {
						ok = false // a cell no file speaks of: no equation
					}
					eq.terms = append(eq.terms, term{x, t.Sign})
				}
			}
			if ok {
				m.eqs = append(m.eqs, eq)
			}
		}
	}
}

// Interval is the values a hidden cell can take (when the truth was
// given to Run, a part of them wide enough to protect the cell).
type Interval struct{ Lower, Upper float64 }

// Width is Upper − Lower.
func (iv Interval) Width() float64 { return iv.Upper - iv.Lower }

// Integer is the interval of whole numbers within iv.
func (iv Interval) Integer() Interval {
	return Interval{math.Ceil(iv.Lower - 1e-6), math.Floor(iv.Upper + 1e-6)}
}

// Result is what the intruder learnt.
type Result struct {
	Intervals   map[Cell]Interval // every hidden cell that no file prints
	Thresholds  map[Cell]int      // the highest threshold of the profiles hiding it
	Constraints int               // equations and inequalities with a hidden cell
	Components  int               // independent parts of the system
	Largest     int               // hidden cells of the largest part
	// Dropped are the constraints the true values break (a definition
	// that does not hold in the data: an intruder would find the system
	// infeasible); set by Run when given the truth.
	Dropped []string
}

// Run solves the intruder's system. truth, when not nil (the data owner
// runs the audit), is used only to leave out the constraints the data
// break: a wrong definition must not make the audit fail or pass.
func (a *Attack) Run(truth map[Cell]float64) (*Result, error) {
	m := a.build()
	res := &Result{Intervals: map[Cell]Interval{}, Thresholds: map[Cell]int{}}
	vars := map[Cell]int{}
	var names []Cell
	for c, k := range m.cells {
		if k.hidden && !k.known {
			vars[c] = len(names)
			names = append(names, c)
			res.Thresholds[c] = k.threshold
		}
	}
	slices.SortFunc(names, func(x, y Cell) int { return strings.Compare(x.String(), y.String()) })
	for i, c := range names {
		vars[c] = i
	}
	// Substitute what is known; cells no file speaks of (referred to by
	// a link only) are unknowns too.
	var rows []lin
	for _, eq := range m.eqs {
		l := lin{rhs: eq.rhs, le: eq.le, what: eq.what, coef: map[int]float64{}}
		trueLHS, haveTruth := 0.0, truth != nil
		for _, t := range eq.terms {
			k := m.cells[t.cell]
			if truth != nil {
				v, ok := truth[t.cell]
				if !ok && k != nil && k.known {
					v = k.value
				} // else left out of the warehouse: a zero
				trueLHS += t.coef * v
			}
			switch {
			case k != nil && k.known:
				l.rhs -= t.coef * k.value
			case k != nil && k.hidden:
				l.coef[vars[t.cell]] += t.coef
			default:
				if _, ok := vars[t.cell]; !ok {
					vars[t.cell] = len(names)
					names = append(names, t.cell)
				}
				l.coef[vars[t.cell]] += t.coef
			}
		}
		for j, v := range l.coef {
			if v == 0 {
				delete(l.coef, j)
			}
		}
		if haveTruth {
			if (eq.le && trueLHS > eq.rhs+1e-6) || (!eq.le && math.Abs(trueLHS-eq.rhs) > 1e-6) {
				res.Dropped = append(res.Dropped, eq.what)
				continue
			}
		}
		if len(l.coef) == 0 {
			if (eq.le && l.rhs < -1e-6) || (!eq.le && math.Abs(l.rhs) > 1e-6) {
				m.contradictions++
			}
			continue
		}
		rows = append(rows, l)
	}
	if m.contradictions > 0 && truth == nil {
		return nil, fmt.Errorf("intruder: %d constraints contradict the published cells", m.contradictions)
	}
	res.Constraints = len(rows)
	comps := components(len(names), rows)
	res.Components = len(comps)
	// The parts are independent: solved on every core, the largest first.
	slices.SortFunc(comps, func(x, y component) int { return len(y.vars) - len(x.vars) })
	results := make([][]Interval, len(comps))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for ci, comp := range comps {
		nHidden := 0
		for _, v := range comp.vars {
			if _, ok := res.Thresholds[names[v]]; ok {
				nHidden++
			}
		}
		res.Largest = max(res.Largest, nHidden)
		var need func(int) (float64, float64, bool)
		if truth != nil {
			need = func(j int) (float64, float64, bool) {
				c := names[comp.vars[j]]
				t, hidden := res.Thresholds[c]
				if !hidden {
					return 0, 0, false
				}
				v := truth[c]
				w := 1.0 // whole numbers: an interval 1 wide holds two
				if v > 0 && v < float64(t) {
					w = math.Max(1, v)
				}
				return v, w, true
			}
		}
		g.Go(func() error {
			ivs, err := solve(comp, rows, need)
			if err != nil {
				return fmt.Errorf("intruder: the part holding %s (%d cells, %d constraints): %w",
					names[comp.vars[0]], len(comp.vars), len(comp.rows), err)
			}
			results[ci] = ivs
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for ci, comp := range comps {
		for j, v := range comp.vars {
			if _, ok := res.Thresholds[names[v]]; ok {
				res.Intervals[names[v]] = results[ci][j]
			}
		}
	}
	// Hidden cells in no constraint: anything ≥ 0.
	for c := range res.Thresholds {
		if _, ok := res.Intervals[c]; !ok {
			res.Intervals[c] = Interval{0, math.Inf(1)}
		}
	}
	return res, nil
}

// Verdict is a hidden cell the intruder recovers or narrows too much.
type Verdict struct {
	Cell     Cell
	Value    float64
	Interval Interval // in whole numbers
	Primary  bool     // a small count of a profile that hides it
	Reason   string   // "recovered" or "narrowed"
}

func (v Verdict) String() string {
	kind := "secondary"
	if v.Primary {
		kind = "primary"
	}
	return fmt.Sprintf("%s (%s, value %g): %s, interval [%g, %g]", v.Cell, kind, v.Value, v.Reason, v.Interval.Lower, v.Interval.Upper)
}

// Judge compares the intruder's intervals with the true values: a hidden
// cell is recovered when its interval in whole numbers is one value, a
// primary cell (0 < value < the threshold of a profile hiding it) narrowed
// when that interval is narrower than max(1, value). It also checks that
// every true value lies in its interval (else the system is wrong).
func Judge(res *Result, truth map[Cell]float64) (out []Verdict, err error) {
	cells := make([]Cell, 0, len(res.Intervals))
	for c := range res.Intervals {
		cells = append(cells, c)
	}
	slices.SortFunc(cells, func(x, y Cell) int { return strings.Compare(x.String(), y.String()) })
	for _, c := range cells {
		v, ok := truth[c]
		if !ok {
			v = 0 // left out of the warehouse: a zero
		}
		iv := res.Intervals[c]
		if v < iv.Lower-1e-6 || v > iv.Upper+1e-6 {
			return nil, fmt.Errorf("intruder: %s: true value %g outside its interval [%g, %g]", c, v, iv.Lower, iv.Upper)
		}
		in := iv.Integer()
		primary := v > 0 && v < float64(res.Thresholds[c])
		switch {
		case in.Width() < 0.5:
			out = append(out, Verdict{c, v, in, primary, "recovered"})
		case primary && in.Width() < math.Max(1, v)-1e-9:
			out = append(out, Verdict{c, v, in, primary, "narrowed"})
		}
	}
	return out, nil
}
