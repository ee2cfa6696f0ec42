// Package feather writes an export Dataset as an Arrow IPC file (Feather
// v2), zstd-compressed, which R (arrow::read_feather) and Python
// (pyarrow.feather, pandas.read_feather) read without conversion.
//
// The columns, those of package arrowrows, keep the Dataset's values as
// they are: the département row has territory "Ensemble", a breakdown
// total is "Ensemble", a breakdown the indicator does not have is null,
// conf is "" (published), "A" or "D" and a suppressed cell has null
// numerator, denominator, value, previous and evolution. The schema
// metadata describes the export (keys odpe:profile, odpe:title,
// odpe:audience, odpe:run_id, odpe:generated, odpe:threshold,
// odpe:structure_id) and carries, as JSON, the indicators' declarations
// (odpe:indicators) and the source files (odpe:sources).
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
	"github.com/odpe/odpe/pipelines/export/arrowrows"
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
	fields, err := arrowrows.Fields(ds)
	if err != nil {
		return nil, fmt.Errorf("feather: %w", err)
	}
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
	if err := arrowrows.Check(ds); err != nil {
		return fmt.Errorf("feather: %w", err)
	}
	mem := memory.NewGoAllocator()
	fw, err := ipc.NewFileWriter(w, ipc.WithSchema(schema), ipc.WithAllocator(mem), ipc.WithZstd())
	if err != nil {
		return fmt.Errorf("feather: open writer: %w", err)
	}
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()

	rows := make([]int, 0, BatchRows)
	for start := 0; start < len(ds.Rows); start += BatchRows {
		end := min(start+BatchRows, len(ds.Rows))
		rows = rows[:0]
		for i := start; i < end; i++ {
			rows = append(rows, i)
		}
		if err := writeBatch(fw, b, ds, rows); err != nil {
			_ = fw.Close()
			return err
		}
	}
	if err := fw.Close(); err != nil {
		return fmt.Errorf("feather: close writer: %w", err)
	}
	return nil
}

// writeBatch appends ds.Rows[i] for i in rows to b and writes them as one
// batch.
func writeBatch(fw *ipc.FileWriter, b *array.RecordBuilder, ds *export.Dataset, rows []int) error {
	if err := arrowrows.Append(b, ds, rows); err != nil {
		return fmt.Errorf("feather: %w", err)
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	if err := fw.Write(rec); err != nil {
		return fmt.Errorf("feather: write rows %d-%d: %w", rows[0], rows[len(rows)-1], err)
	}
	return nil
}
