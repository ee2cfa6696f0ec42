// Package arrowrows is the Arrow form of an export Dataset's rows, which
// the Feather (Arrow IPC) and Parquet writers share: the columns, in
// order — indicator, dep, period (int32), territory, one nullable string
// column per breakdown of ds.Dimensions, numerator, denominator, value,
// previous, evolution (nullable float64), unit, status, conf — the
// building of record batches from rows (Batches: built once, written by
// every format; WriteFamilies: a file per family through a format's
// writer), and the reading of such records back into rows (Reader).
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

// Fixed columns; the breakdown columns sit between territory and
// numerator.
var (
	headFields = []arrow.Field{
		{Name: "indicator", Type: arrow.BinaryTypes.String},
		{Name: "dep", Type: arrow.BinaryTypes.String},
		{Name: "period", Type: arrow.PrimitiveTypes.Int32},
		{Name: "territory", Type: arrow.BinaryTypes.String},
	}
	tailFields = []arrow.Field{
		{Name: "numerator", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "denominator", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "value", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "previous", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "evolution", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "unit", Type: arrow.BinaryTypes.String},
		{Name: "status", Type: arrow.BinaryTypes.String},
		{Name: "conf", Type: arrow.BinaryTypes.String},
	}
)

// Fields returns the columns of ds's rows, in order, without metadata
// (a fresh slice the caller may change, e.g. the nullability). It fails
// when a breakdown of ds.Dimensions is empty, repeated or named like a
// fixed column.
func Fields(ds *export.Dataset) ([]arrow.Field, error) {
	fields := make([]arrow.Field, 0, len(headFields)+len(ds.Dimensions)+len(tailFields))
	fields = append(fields, headFields...)
	used := make(map[string]bool)
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
	nd := len(ds.Dimensions)
	if got, want := len(b.Fields()), len(headFields)+nd+len(tailFields); got != want {
		return fmt.Errorf("record builder has %d columns, want %d", got, want)
	}
	b.Reserve(len(rows))
	var (
		indicator = b.Field(0).(*array.StringBuilder)
		dep       = b.Field(1).(*array.StringBuilder)
		period    = b.Field(2).(*array.Int32Builder)
		territory = b.Field(3).(*array.StringBuilder)
		dims      = make([]*array.StringBuilder, nd)
		figures   [5]*array.Float64Builder
		unit      = b.Field(9 + nd).(*array.StringBuilder)
		status    = b.Field(10 + nd).(*array.StringBuilder)
		conf      = b.Field(11 + nd).(*array.StringBuilder)
	)
	for j := range dims {
		dims[j] = b.Field(4 + j).(*array.StringBuilder)
	}
	for j := range figures {
		figures[j] = b.Field(4 + nd + j).(*array.Float64Builder)
	}
	for _, i := range rows {
		r := &ds.Rows[i]
		if r.Period < 0 || r.Period > math.MaxInt32 {
			return fmt.Errorf("row %d (%s): period %d does not fit in int32", i, r.Indicator, r.Period)
		}
		indicator.Append(r.Indicator)
		dep.Append(r.Dep)
		period.Append(int32(r.Period))
		territory.Append(r.Territory)
		found := 0
		for j, d := range ds.Dimensions {
			if v, ok := r.Dims[d]; ok {
				dims[j].Append(v)
				found++
			} else {
				dims[j].AppendNull()
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
		conf.Append(r.Conf.Mark())
	}
	return nil
}

// Reader turns record batches with the columns of Fields back into rows
// (the profiles read their last published rows back this way), sharing
// strings and breakdown maps as the datasets the warehouse gives do.
type Reader struct{ in *export.Interner }

// NewReader returns a Reader; the rows of every batch it reads may share
// their strings and maps.
func NewReader() *Reader { return &Reader{in: export.NewInterner()} }

// Rows appends the rows of rec to out. rec's schema must be Fields of a
// dataset: the fixed columns by name and type, the breakdowns being the
// nullable string columns between territory and numerator.
func (rd *Reader) Rows(rec arrow.RecordBatch, out []export.Row) ([]export.Row, error) {
	nd := int(rec.NumCols()) - len(headFields) - len(tailFields)
	if nd < 0 {
		return out, fmt.Errorf("%d columns, want at least %d", rec.NumCols(), len(headFields)+len(tailFields))
	}
	schema := rec.Schema()
	want := slices.Concat(headFields, make([]arrow.Field, nd), tailFields)
	dimNames := make([]string, nd)
	for i, f := range schema.Fields() {
		w := want[i]
		if i >= len(headFields) && i < len(headFields)+nd {
			w = arrow.Field{Name: f.Name, Type: arrow.BinaryTypes.String}
			dimNames[i-len(headFields)] = f.Name
		}
		if f.Name != w.Name || !arrow.TypeEqual(f.Type, w.Type) {
			return out, fmt.Errorf("column %d is %s %s, want %s %s", i, f.Name, f.Type, w.Name, w.Type)
		}
	}
	var (
		indicator = rec.Column(0).(*array.String)
		dep       = rec.Column(1).(*array.String)
		period    = rec.Column(2).(*array.Int32)
		territory = rec.Column(3).(*array.String)
		dims      = make([]*array.String, nd)
		figures   [5]*array.Float64
		unit      = rec.Column(9 + nd).(*array.String)
		status    = rec.Column(10 + nd).(*array.String)
		conf      = rec.Column(11 + nd).(*array.String)
		dimVals   = make([]string, nd)
		dimOK     = make([]bool, nd)
	)
	for j := range dims {
		dims[j] = rec.Column(4 + j).(*array.String)
	}
	for j := range figures {
		figures[j] = rec.Column(4 + nd + j).(*array.Float64)
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
