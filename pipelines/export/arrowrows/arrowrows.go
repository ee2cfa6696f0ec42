// Package arrowrows is the Arrow form of an export Dataset's rows, which
// the Feather (Arrow IPC) and Parquet writers share: the columns, in
// order — indicator, dep, period (int32), territory, one nullable string
// column per breakdown of ds.Dimensions, numerator, denominator, value,
// previous, evolution (nullable float64), unit, status, conf — and the
// appending of rows to an array.RecordBuilder of a schema made of them.
//
// The values are kept as they are: a breakdown a row does not have is
// null, a suppressed figure is null, conf is "" when published.
//
// Errors carry no package prefix: the writers add theirs.
package arrowrows

import (
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

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

// Check fails on a row with a breakdown that is not in ds.Dimensions,
// which Append would leave out.
func Check(ds *export.Dataset) error {
	known := make(map[string]bool, len(ds.Dimensions))
	for _, d := range ds.Dimensions {
		known[d] = true
	}
	for i := range ds.Rows {
		for k := range ds.Rows[i].Dims {
			if !known[k] {
				return fmt.Errorf("row %d (%s): breakdown %q is not in the dataset's dimensions %v", i, ds.Rows[i].Indicator, k, ds.Dimensions)
			}
		}
	}
	return nil
}

// Append appends the rows ds.Rows[i], for each i of rows in that order,
// to b, whose schema has the columns of Fields(ds) (their nullability
// and the schema's metadata aside). It fails on a period that is not in
// [0, 2³¹−1], after appending the rows before it; a breakdown that is not
// in ds.Dimensions is left out (see Check).
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
		for j, d := range ds.Dimensions {
			if v, ok := r.Dims[d]; ok {
				dims[j].Append(v)
			} else {
				dims[j].AppendNull()
			}
		}
		for j, v := range [...]*float64{r.Numerator, r.Denominator, r.Value, r.Previous, r.Evolution} {
			if v == nil {
				figures[j].AppendNull()
			} else {
				figures[j].Append(*v)
			}
		}
		unit.Append(r.Unit)
		status.Append(r.Status)
		conf.Append(r.Conf)
	}
	return nil
}
