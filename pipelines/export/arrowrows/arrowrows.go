// Package arrowrows is the Arrow form of an export Dataset's rows, which
// the Feather (Arrow IPC) and Parquet writers share: the columns, in
// order and named as in the warehouse's view indicator_values —
// indicator, label, dep, period (int32), territory, territory_label, one
// nullable string column per breakdown of ds.Dimensions (service followed
// by service_label), numerator, denominator, value (nullable float64),
// unit, status, previous_value, evolution (nullable float64),
// evolution_unit, conf — the building of record batches from rows
// (Batches: built once, written by every format; WriteFamilies: a file
// per family through a format's writer), and the reading of such records
// back into rows (Reader).
//
// The labels stand beside the codes so that a file read alone says what
// it holds: the indicator's French label, the territory's and the
// service's names (null when the warehouse has none; "Ensemble du
// département" and "Ensemble des services" for the totals) and the unit
// of the evolution ("points" for shares and rates, "%" for counts).
//
// The values are kept as they are: a breakdown a row does not have is
// null, a suppressed figure is null, conf is "" when published and
// export.HiddenMark ("C") when hidden, whatever the reason.
//
// Errors carry no package prefix: the writers add theirs.
package arrowrows

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/odpe/odpe/pipelines/export"
)

// The columns. Their names are those of the warehouse's view
// indicator_values (label, previous_value, evolution_unit…), and they
// come in its order; territory_label and service_label, which the view
// does not have, name the codes beside them; conf is the files' own.
const (
	ColLabel          = "label"           // the indicator's French label
	ColTerritoryLabel = "territory_label" // the territory's name (export.Dataset.TerritoryName)
	ColServiceLabel   = "service_label"   // the service's name, beside the service breakdown
	ColEvolutionUnit  = "evolution_unit"  // "points" or "%" (export.Unit.EvolutionUnit)
)

// Fixed columns; the breakdown columns (and service_label after service)
// sit between territory_label and numerator.
var (
	headFields = []arrow.Field{
		{Name: "indicator", Type: arrow.BinaryTypes.String},
		{Name: ColLabel, Type: arrow.BinaryTypes.String},
		{Name: "dep", Type: arrow.BinaryTypes.String},
		{Name: "period", Type: arrow.PrimitiveTypes.Int32},
		{Name: "territory", Type: arrow.BinaryTypes.String},
		{Name: ColTerritoryLabel, Type: arrow.BinaryTypes.String, Nullable: true},
	}
	tailFields = []arrow.Field{
		{Name: "numerator", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "denominator", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "value", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "unit", Type: arrow.BinaryTypes.String},
		{Name: "status", Type: arrow.BinaryTypes.String},
		{Name: "previous_value", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "evolution", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: ColEvolutionUnit, Type: arrow.BinaryTypes.String},
		{Name: "conf", Type: arrow.BinaryTypes.String},
	}
	serviceLabelField = arrow.Field{Name: ColServiceLabel, Type: arrow.BinaryTypes.String, Nullable: true}
)

// Fields returns the columns of ds's rows, in order, without metadata
// (a fresh slice the caller may change, e.g. the nullability). It fails
// when a breakdown of ds.Dimensions is empty, repeated or named like a
// fixed column.
func Fields(ds *export.Dataset) ([]arrow.Field, error) {
	fields := make([]arrow.Field, 0, len(headFields)+len(ds.Dimensions)+1+len(tailFields))
	fields = append(fields, headFields...)
	used := map[string]bool{ColServiceLabel: true}
	for _, f := range headFields {
		used[f.Name] = true
	}
	for _, f := range tailFields {
		used[f.Name] = true
	}
	for _, d := range ds.Dimensions {
		if d == "" || used[d] {
			return nil, fmt.Errorf("dimension %q clashes with another column", d)
		}
		used[d] = true
		fields = append(fields, arrow.Field{Name: d, Type: arrow.BinaryTypes.String, Nullable: true})
		if d == "service" {
			fields = append(fields, serviceLabelField)
		}
	}
	return append(fields, tailFields...), nil
}

// Batches builds the rows ds.Rows[i], for each i of rows in that order,
// into record batches of at most size rows with the columns of
// Fields(ds) (no metadata), and hands each to write, which must not keep
// it: its buffers are released when write returns. One build serves every
// format that writes the same rows (see Rewrap).
func Batches(ds *export.Dataset, rows []int, size int, write func(arrow.RecordBatch) error) error {
	fields, err := Fields(ds)
	if err != nil {
		return err
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, arrow.NewSchema(fields, nil))
	defer b.Release()
	for start := 0; start < len(rows); start += size {
		if err := Append(b, ds, rows[start:min(start+size, len(rows))]); err != nil {
			return err
		}
		rec := b.NewRecordBatch()
		err := write(rec)
		rec.Release()
		if err != nil {
			return err
		}
	}
	return nil
}

// FileWriter writes a file from record batches of a dataset's rows (see
// Batches): a format's writer of one family's file.
type FileWriter interface {
	Write(arrow.RecordBatch) error
	Close() error
}

// WriteFamilies writes dir/<family><ext> for each family of ds.Indicators
// (only those named, when some are), from the family's rows in the order
// of ds.Rows in batches of batchRows, through the writer open starts on
// the file. A file is written under a temporary name and renamed: a
// reader of dir never sees half of one.
func WriteFamilies(dir, ext string, ds *export.Dataset, batchRows int, open func(w io.Writer, fam string) (FileWriter, error), only ...string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	fams, rows := export.Families(ds)
	for _, fam := range fams {
		if len(only) > 0 && !slices.Contains(only, fam) {
			continue
		}
		path := filepath.Join(dir, fam+ext)
		if err := writeFamily(path, ds, rows[fam], batchRows, func(w io.Writer) (FileWriter, error) { return open(w, fam) }); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	return nil
}

func writeFamily(path string, ds *export.Dataset, rows []int, batchRows int, open func(io.Writer) (FileWriter, error)) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	fw, err := open(bw)
	if err == nil {
		err = Batches(ds, rows, batchRows, fw.Write)
		if cerr := fw.Close(); err == nil {
			err = cerr
		}
	}
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// Rewrap returns rec under schema, which must have rec's columns (it may
// differ in nullability and metadata): the columns are shared, not
// copied. The caller releases the result.
func Rewrap(rec arrow.RecordBatch, schema *arrow.Schema) arrow.RecordBatch {
	return array.NewRecordBatch(schema, rec.Columns(), rec.NumRows())
}

// Append appends the rows ds.Rows[i], for each i of rows in that order,
// to b, whose schema has the columns of Fields(ds) (their nullability
// and the schema's metadata aside). It fails on a period that is not in
// [0, 2³¹−1] or with a breakdown that is not in ds.Dimensions, after
// appending the rows before it.
func Append(b *array.RecordBuilder, ds *export.Dataset, rows []int) error {
	fields, err := Fields(ds)
	if err != nil {
		return err
	}
	if got, want := len(b.Fields()), len(fields); got != want {
		return fmt.Errorf("record builder has %d columns, want %d", got, want)
	}
	b.Reserve(len(rows))
	nd := len(ds.Dimensions)
	str := func(i int) *array.StringBuilder { return b.Field(i).(*array.StringBuilder) }
	var (
		indicator      = str(0)
		label          = str(1)
		dep            = str(2)
		period         = b.Field(3).(*array.Int32Builder)
		territory      = str(4)
		territoryLabel = str(5)
		dims           = make([]*array.StringBuilder, nd)
		serviceLabel   *array.StringBuilder
		service        = -1 // index of service in ds.Dimensions
		tail           = len(headFields) + nd
		figures        [5]*array.Float64Builder // numerator, denominator, value, previous, evolution
	)
	col := len(headFields)
	for j, d := range ds.Dimensions {
		dims[j] = str(col)
		col++
		if d == "service" {
			service, serviceLabel = j, str(col)
			col++
			tail++
		}
	}
	var (
		unit          = str(tail + 3)
		status        = str(tail + 4)
		evolutionUnit = str(tail + 7)
		conf          = str(tail + 8)
	)
	for j, c := range [...]int{0, 1, 2, 5, 6} {
		figures[j] = b.Field(tail + c).(*array.Float64Builder)
	}
	labels := make(map[string]string, len(ds.Indicators))
	for _, ind := range ds.Indicators {
		labels[ind.ID] = ind.Label
	}
	// Rows come in runs of one indicator and of one territory: each name
	// is looked up once per run.
	var lastInd, lastLabel string
	var lastPlace export.Place
	lastTerritory := ""
	appendName := func(sb *array.StringBuilder, name string) {
		if name == "" {
			sb.AppendNull()
		} else {
			sb.Append(name)
		}
	}
	for _, i := range rows {
		r := &ds.Rows[i]
		if r.Period < 0 || r.Period > math.MaxInt32 {
			return fmt.Errorf("row %d (%s): period %d does not fit in int32", i, r.Indicator, r.Period)
		}
		indicator.Append(r.Indicator)
		if r.Indicator != lastInd || lastLabel == "" {
			lastInd, lastLabel = r.Indicator, labels[r.Indicator]
		}
		label.Append(lastLabel)
		dep.Append(r.Dep)
		period.Append(int32(r.Period))
		territory.Append(r.Territory)
		if p := (export.Place{Dep: r.Dep, Code: r.Territory}); p != lastPlace {
			lastPlace, lastTerritory = p, ds.TerritoryName(r.Dep, r.Territory)
		}
		appendName(territoryLabel, lastTerritory)
		found := 0
		for j, d := range ds.Dimensions {
			v, ok := r.Dims[d]
			if ok {
				dims[j].Append(v)
				found++
			} else {
				dims[j].AppendNull()
			}
			if j == service {
				if ok {
					appendName(serviceLabel, ds.ServiceName(r.Dep, v))
				} else {
					serviceLabel.AppendNull()
				}
			}
		}
		if found < len(r.Dims) {
			for k := range r.Dims {
				if !slices.Contains(ds.Dimensions, k) {
					return fmt.Errorf("row %d (%s): breakdown %q is not in the dataset's dimensions %v", i, r.Indicator, k, ds.Dimensions)
				}
			}
		}
		for j, v := range [...]export.Figure{r.Numerator, r.Denominator, r.Value, r.Previous, r.Evolution} {
			if v.Valid() {
				figures[j].Append(v.Float64())
			} else {
				figures[j].AppendNull()
			}
		}
		unit.Append(r.Unit.String())
		status.Append(r.Status.String())
		evolutionUnit.Append(r.Unit.EvolutionUnit())
		conf.Append(r.Conf.Mark())
	}
	return nil
}

// optional are the columns Reader does without: the names beside the
// codes, which rows do not hold.
var optional = map[string]bool{ColLabel: true, ColTerritoryLabel: true, ColServiceLabel: true, ColEvolutionUnit: true}

// fixedField is the fixed column named name, and whether there is one.
func fixedField(name string) (arrow.Field, bool) {
	if name == ColServiceLabel {
		return serviceLabelField, true
	}
	for _, f := range slices.Concat(headFields, tailFields) {
		if f.Name == name {
			return f, true
		}
	}
	return arrow.Field{}, false
}

// Reader turns record batches with the columns of Fields back into rows
// (the profiles read their last published rows back this way), sharing
// strings and breakdown maps as the datasets the warehouse gives do.
type Reader struct{ in *export.Interner }

// NewReader returns a Reader; the rows of every batch it reads may share
// their strings and maps.
func NewReader() *Reader { return &Reader{in: export.NewInterner()} }

// Rows appends the rows of rec to out. rec's columns are found by name:
// the fixed columns of Fields, with their types (label, territory_label,
// service_label and evolution_unit may be absent, and previous_value may
// be named previous, as in the files of earlier releases: their values
// are read back from the dataset, not from the file), the breakdowns
// being the other columns, nullable strings.
func (rd *Reader) Rows(rec arrow.RecordBatch, out []export.Row) ([]export.Row, error) {
	schema := rec.Schema()
	col := map[string]int{}
	var (
		dimNames []string
		dims     []*array.String
	)
	for i, f := range schema.Fields() {
		name := f.Name
		if name == "previous" {
			name = "previous_value"
		}
		w, fixed := fixedField(name)
		switch {
		case fixed && !arrow.TypeEqual(f.Type, w.Type):
			return out, fmt.Errorf("column %d is %s %s, want %s %s", i, f.Name, f.Type, w.Name, w.Type)
		case fixed:
			col[name] = i
		case !arrow.TypeEqual(f.Type, arrow.BinaryTypes.String):
			return out, fmt.Errorf("column %d is %s %s, want a breakdown (string)", i, f.Name, f.Type)
		default:
			dimNames = append(dimNames, f.Name)
			dims = append(dims, rec.Column(i).(*array.String))
		}
	}
	for _, f := range slices.Concat(headFields, tailFields) {
		if _, ok := col[f.Name]; !ok && !optional[f.Name] {
			return out, fmt.Errorf("no column %s", f.Name)
		}
	}
	str := func(name string) *array.String { return rec.Column(col[name]).(*array.String) }
	var (
		indicator = str("indicator")
		dep       = str("dep")
		period    = rec.Column(col["period"]).(*array.Int32)
		territory = str("territory")
		figures   [5]*array.Float64
		unit      = str("unit")
		status    = str("status")
		conf      = str("conf")
		dimVals   = make([]string, len(dims))
		dimOK     = make([]bool, len(dims))
	)
	for j, name := range [...]string{"numerator", "denominator", "value", "previous_value", "evolution"} {
		figures[j] = rec.Column(col[name]).(*array.Float64)
	}
	in := rd.in
	out = slices.Grow(out, int(rec.NumRows()))
	for i := range int(rec.NumRows()) {
		r := export.Row{
			Indicator: in.String(indicator.Value(i)), Dep: in.String(dep.Value(i)),
			Period: int(period.Value(i)), Territory: in.String(territory.Value(i)),
		}
		var err error
		if r.Unit, err = export.ParseUnit(unit.Value(i)); err != nil {
			return out, fmt.Errorf("row %d: %w", i, err)
		}
		if r.Status, err = export.ParseStatus(status.Value(i)); err != nil {
			return out, fmt.Errorf("row %d: %w", i, err)
		}
		if r.Conf, err = export.ParseConf(conf.Value(i)); err != nil {
			return out, fmt.Errorf("row %d: %w", i, err)
		}
		for j, d := range dims {
			dimVals[j], dimOK[j] = d.Value(i), d.IsValid(i)
		}
		r.Dims = in.Dims(dimNames, dimVals, dimOK)
		for j, p := range [...]*export.Figure{&r.Numerator, &r.Denominator, &r.Value, &r.Previous, &r.Evolution} {
			if figures[j].IsValid(i) {
				*p = export.Known(figures[j].Value(i))
			}
		}
		out = append(out, r)
	}
	return out, nil
}
