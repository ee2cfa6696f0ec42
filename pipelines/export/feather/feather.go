// Package feather writes an export Dataset as an Arrow IPC file (Feather
// v2), zstd-compressed, which R (arrow::read_feather) and Python
// (pyarrow.feather, pandas.read_feather) read without conversion.
//
// The columns keep the Dataset's values as they are: the département row
// has territory "Ensemble", a breakdown total is "Ensemble", a breakdown
// the indicator does not have is null, conf is "" (published), "A" or "D"
// and a suppressed cell has null numerator, denominator, value, previous
// and evolution. The schema metadata describes the export (keys
// odpe:profile, odpe:title, odpe:audience, odpe:run_id, odpe:generated,
// odpe:threshold, odpe:structure_id) and carries, as JSON, the indicators'
// declarations (odpe:indicators) and the source files (odpe:sources).
package feather

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/odpe/odpe/pipelines/export"
)

// BatchRows is the number of rows per record batch.
const BatchRows = 64 * 1024

// Schema metadata keys.
const (
	KeyProfile     = "odpe:profile"
	KeyTitle       = "odpe:title"
	KeyAudience    = "odpe:audience"
	KeyRunID       = "odpe:run_id"
	KeyGenerated   = "odpe:generated" // RFC 3339
	KeyThreshold   = "odpe:threshold"
	KeyStructureID = "odpe:structure_id"
	KeyIndicators  = "odpe:indicators" // JSON array of IndicatorMeta
	KeySources     = "odpe:sources"    // JSON array of SourceMeta
)

// Fixed column names; the breakdown columns sit between territory and
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

// IndicatorMeta is one entry of the odpe:indicators metadata.
type IndicatorMeta struct {
	ID            string   `json:"id"`
	Label         string   `json:"label"`
	Family        string   `json:"family"`
	Definition    string   `json:"definition"`
	Unit          string   `json:"unit"`
	Numerator     string   `json:"numerator,omitempty"`
	Denominator   string   `json:"denominator,omitempty"`
	ReferenceDate string   `json:"reference_date,omitempty"`
	Convention    string   `json:"convention,omitempty"`
	Sources       []string `json:"sources,omitempty"`
	Breakdowns    []string `json:"breakdowns,omitempty"`
	Key           bool     `json:"key"`
}

// SourceMeta is one entry of the odpe:sources metadata.
type SourceMeta struct {
	Job      string    `json:"job"`
	Path     string    `json:"path"`
	Modified time.Time `json:"modified"`
	SHA256   string    `json:"sha256"`
	Rows     int64     `json:"rows"`
}

// Schema returns the Arrow schema of ds, metadata included.
func Schema(ds *export.Dataset) (*arrow.Schema, error) {
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
			return nil, fmt.Errorf("feather: dimension %q clashes with another column", d)
		}
		used[d] = true
		fields = append(fields, arrow.Field{Name: d, Type: arrow.BinaryTypes.String, Nullable: true})
	}
	fields = append(fields, tailFields...)
	md, err := metadata(ds)
	if err != nil {
		return nil, err
	}
	return arrow.NewSchema(fields, &md), nil
}

func metadata(ds *export.Dataset) (arrow.Metadata, error) {
	inds := make([]IndicatorMeta, len(ds.Indicators))
	for i, ind := range ds.Indicators {
		inds[i] = IndicatorMeta(ind)
	}
	srcs := make([]SourceMeta, len(ds.Sources))
	for i, s := range ds.Sources {
		srcs[i] = SourceMeta(s)
	}
	indJSON, err := json.Marshal(inds)
	if err != nil {
		return arrow.Metadata{}, fmt.Errorf("feather: encode indicators: %w", err)
	}
	srcJSON, err := json.Marshal(srcs)
	if err != nil {
		return arrow.Metadata{}, fmt.Errorf("feather: encode sources: %w", err)
	}
	return arrow.NewMetadata(
		[]string{KeyProfile, KeyTitle, KeyAudience, KeyRunID, KeyGenerated, KeyThreshold, KeyStructureID, KeyIndicators, KeySources},
		[]string{
			ds.Profile, ds.Title, ds.Audience,
			strconv.FormatInt(ds.RunID, 10),
			ds.Generated.Format(time.RFC3339),
			strconv.Itoa(ds.Threshold),
			ds.StructureID,
			string(indJSON), string(srcJSON),
		},
	), nil
}

// Write writes ds to w as an Arrow IPC file, in batches of BatchRows rows.
func Write(w io.Writer, ds *export.Dataset) error {
	schema, err := Schema(ds)
	if err != nil {
		return err
	}
	if err := checkDims(ds); err != nil {
		return err
	}
	mem := memory.NewGoAllocator()
	fw, err := ipc.NewFileWriter(w, ipc.WithSchema(schema), ipc.WithAllocator(mem), ipc.WithZstd())
	if err != nil {
		return fmt.Errorf("feather: open writer: %w", err)
	}
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()

	for start := 0; start < len(ds.Rows); start += BatchRows {
		end := min(start+BatchRows, len(ds.Rows))
		if err := writeBatch(fw, b, ds, start, end); err != nil {
			_ = fw.Close()
			return err
		}
	}
	if err := fw.Close(); err != nil {
		return fmt.Errorf("feather: close writer: %w", err)
	}
	return nil
}

// writeBatch appends rows [start, end) to b and writes them as one batch.
func writeBatch(fw *ipc.FileWriter, b *array.RecordBuilder, ds *export.Dataset, start, end int) error {
	b.Reserve(end - start)
	nd := len(ds.Dimensions)
	for i := start; i < end; i++ {
		r := &ds.Rows[i]
		if r.Period < 0 || r.Period > 1<<31-1 {
			return fmt.Errorf("feather: row %d (%s): period %d does not fit in int32", i, r.Indicator, r.Period)
		}
		b.Field(0).(*array.StringBuilder).Append(r.Indicator)
		b.Field(1).(*array.StringBuilder).Append(r.Dep)
		b.Field(2).(*array.Int32Builder).Append(int32(r.Period))
		b.Field(3).(*array.StringBuilder).Append(r.Territory)
		for j, d := range ds.Dimensions {
			sb := b.Field(4 + j).(*array.StringBuilder)
			if v, ok := r.Dims[d]; ok {
				sb.Append(v)
			} else {
				sb.AppendNull()
			}
		}
		for j, v := range []*float64{r.Numerator, r.Denominator, r.Value, r.Previous, r.Evolution} {
			fb := b.Field(4 + nd + j).(*array.Float64Builder)
			if v == nil {
				fb.AppendNull()
			} else {
				fb.Append(*v)
			}
		}
		b.Field(9 + nd).(*array.StringBuilder).Append(r.Unit)
		b.Field(10 + nd).(*array.StringBuilder).Append(r.Status)
		b.Field(11 + nd).(*array.StringBuilder).Append(r.Conf)
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	if err := fw.Write(rec); err != nil {
		return fmt.Errorf("feather: write rows %d-%d: %w", start, end-1, err)
	}
	return nil
}

// checkDims fails on a row with a breakdown that has no column.
func checkDims(ds *export.Dataset) error {
	known := make(map[string]bool, len(ds.Dimensions))
	for _, d := range ds.Dimensions {
		known[d] = true
	}
	for i := range ds.Rows {
		for k := range ds.Rows[i].Dims {
			if !known[k] {
				return fmt.Errorf("feather: row %d (%s): breakdown %q is not in the dataset's dimensions %v", i, ds.Rows[i].Indicator, k, ds.Dimensions)
			}
		}
	}
	return nil
}
