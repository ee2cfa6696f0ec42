// Package feather writes an export Dataset as Arrow IPC files (Feather
// v2), one per indicator family, which R (arrow::read_feather) and Python
// (pyarrow.feather, pandas.read_feather) read without conversion; and
// reads their rows back.
//
// The files are not compressed, neither LZ4 nor zstd: the IPC format's
// buffer compression is optional in the Arrow specification and needs
// codecs that some readers lack — Arrow JS (apache-arrow on npm) reads
// neither without extra packages, and builds of the C++ library, hence of
// R's and Python's arrow, may be made without them — whereas every reader
// of the IPC format reads uncompressed buffers (TestUncompressed). A
// recipient who wants small files has the Parquet ones, compressed,
// beside them.
//
// The columns, those of package arrowrows (named as in the warehouse's
// view indicator_values, with the indicator's label, the territory's and
// the service's names and the evolution's unit beside the codes), keep
// the Dataset's values as they are: the département row has territory
// "Ensemble", a breakdown total is "Ensemble", a breakdown the indicator
// does not have is null, conf is "" (published) or "C" (hidden, whatever
// the reason) and a suppressed cell has null numerator, denominator,
// value, previous_value and evolution. The schema
// metadata describes the export (keys odpe:profile, odpe:title,
// odpe:audience, odpe:run_id, odpe:generated, odpe:threshold,
// odpe:structure_id) and carries, as JSON, the indicators' declarations
// (odpe:indicators) and the sources in words (odpe:sources: "extraction
// du logiciel de l'aide sociale à l'enfance (ASE) du 21/11/2025"); only
// an internal profile's files list the source files themselves, with
// their paths and hashes (odpe:files).
package feather

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"

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
	KeyIndicators  = "odpe:indicators" // JSON array of IndicatorMeta, their sources in words
	KeySources     = "odpe:sources"    // JSON array of the sources in words (export.Provenance)
	KeyFiles       = "odpe:files"      // JSON array of SourceMeta: the source files (internal profiles only)
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

// SourceMeta is one entry of the odpe:files metadata, which only an
// internal profile's files carry.
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

// metadata is the schema metadata of ds: its sources in words, and the
// files themselves only where the dataset names them (an internal
// profile).
func metadata(ds *export.Dataset) (arrow.Metadata, error) {
	inds := make([]IndicatorMeta, len(ds.Indicators))
	for i, ind := range export.WithSourcesInWords(ds.Indicators, ds.Sources) {
		inds[i] = IndicatorMeta(ind)
	}
	indJSON, err := json.Marshal(inds)
	if err != nil {
		return arrow.Metadata{}, fmt.Errorf("feather: encode indicators: %w", err)
	}
	words := export.Provenance(ds.Indicators, ds.Sources)
	if words == nil {
		words = []string{}
	}
	srcJSON, err := json.Marshal(words)
	if err != nil {
		return arrow.Metadata{}, fmt.Errorf("feather: encode sources: %w", err)
	}
	keys := []string{KeyProfile, KeyTitle, KeyAudience, KeyRunID, KeyGenerated, KeyThreshold, KeyStructureID, KeyIndicators, KeySources}
	values := []string{
		ds.Profile, ds.Title, ds.Audience,
		strconv.FormatInt(ds.RunID, 10),
		ds.Generated.Format(time.RFC3339),
		strconv.Itoa(ds.Threshold),
		ds.StructureID,
		string(indJSON), string(srcJSON),
	}
	if files := export.ServerFiles(ds.Sources); files != nil {
		meta := make([]SourceMeta, len(files))
		for i, s := range files {
			meta[i] = SourceMeta{Job: s.Job, Path: s.Path, Modified: s.Modified, SHA256: s.SHA256, Rows: s.Rows}
		}
		b, err := json.Marshal(meta)
		if err != nil {
			return arrow.Metadata{}, fmt.Errorf("feather: encode source files: %w", err)
		}
		keys, values = append(keys, KeyFiles), append(values, string(b))
	}
	return arrow.NewMetadata(keys, values), nil
}

// Write writes ds to w as an Arrow IPC file, in batches of BatchRows rows.
func Write(w io.Writer, ds *export.Dataset) error {
	rows := make([]int, len(ds.Rows))
	for i := range rows {
		rows[i] = i
	}
	return writeRows(w, ds, rows)
}

// WriteFamilies writes dir/<family>.arrow for each family of
// ds.Indicators, with the rows of the family's indicators in the order of
// ds.Rows, and the family's indicators in its metadata. When families are
// named (only), the files of the others are not written. A file is
// written under a temporary name and renamed: a reader of dir never sees
// half of one.
func WriteFamilies(dir string, ds *export.Dataset, only ...string) error {
	err := arrowrows.WriteFamilies(dir, ".arrow", ds, BatchRows, func(w io.Writer, fam string) (arrowrows.FileWriter, error) {
		return NewWriter(w, ds.Family(fam))
	}, only...)
	if err != nil {
		return fmt.Errorf("feather: %w", err)
	}
	return nil
}

// ReadRows appends the rows of the Arrow IPC file at path, as Write wrote
// them, to out.
func ReadRows(path string, rd *arrowrows.Reader, out []export.Row) ([]export.Row, error) {
	f, err := os.Open(path)
	if err != nil {
		return out, err
	}
	defer f.Close()
	fr, err := ipc.NewFileReader(f)
	if err != nil {
		return out, fmt.Errorf("feather: read %s: %w", path, err)
	}
	defer fr.Close()
	for i := range fr.NumRecords() {
		rec, err := fr.RecordBatchAt(i)
		if err != nil {
			return out, fmt.Errorf("feather: read %s, batch %d: %w", path, i, err)
		}
		out, err = rd.Rows(rec, out)
		rec.Release()
		if err != nil {
			return out, fmt.Errorf("feather: read %s, batch %d: %w", path, i, err)
		}
	}
	return out, nil
}

// writeRows writes ds.Rows[i] for i in rows to w as an Arrow IPC file, in
// batches of BatchRows rows.
func writeRows(w io.Writer, ds *export.Dataset, rows []int) error {
	fw, err := NewWriter(w, ds)
	if err != nil {
		return err
	}
	if err := arrowrows.Batches(ds, rows, BatchRows, fw.Write); err != nil {
		_ = fw.Close()
		return fmt.Errorf("feather: %w", err)
	}
	return fw.Close()
}

// Writer writes an Arrow IPC file of a dataset's rows, from record
// batches of them (arrowrows.Batches).
type Writer struct {
	fw     *ipc.FileWriter
	schema *arrow.Schema
}

// NewWriter starts the Arrow IPC file of ds on w (ds's indicators go to
// the schema's metadata: one family's, for a file of one family).
func NewWriter(w io.Writer, ds *export.Dataset) (*Writer, error) {
	schema, err := Schema(ds)
	if err != nil {
		return nil, err
	}
	fw, err := ipc.NewFileWriter(w, ipc.WithSchema(schema))
	if err != nil {
		return nil, fmt.Errorf("feather: open writer: %w", err)
	}
	return &Writer{fw: fw, schema: schema}, nil
}

// Write writes rec, whose columns are arrowrows.Fields of the dataset, as
// one batch.
func (w *Writer) Write(rec arrow.RecordBatch) error {
	rec = arrowrows.Rewrap(rec, w.schema)
	defer rec.Release()
	if err := w.fw.Write(rec); err != nil {
		return fmt.Errorf("feather: write a batch of %d rows: %w", rec.NumRows(), err)
	}
	return nil
}

// Close ends the file; it does not close the io.Writer.
func (w *Writer) Close() error {
	if err := w.fw.Close(); err != nil {
		return fmt.Errorf("feather: close writer: %w", err)
	}
	return nil
}
