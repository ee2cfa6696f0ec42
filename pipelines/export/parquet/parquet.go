// Package parquet writes an export Dataset as Parquet files, one per
// indicator family (ase.parquet, pmi.parquet…), with arrow-go's pqarrow:
// the columns of package arrowrows, every one OPTIONAL (numbers are
// DOUBLE, the year an INT32, the rest strings), the family's rows in the
// Dataset's order, zstd compression, and in the file's key-value metadata
// the profile, the run, the indicators' definitions and the family's
// sources in words (JSON; the source files themselves, with their paths
// and hashes, in internal profiles only). The tests read the files back
// with pqarrow and with DuckDB.
package parquet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/odpe/odpe/pipelines/export"
	"github.com/odpe/odpe/pipelines/export/arrowrows"
)

// Metadata keys of every file.
const (
	KeyProfile    = "odpe:profile"
	KeyRunID      = "odpe:run_id"
	KeyGenerated  = "odpe:generated"
	KeyThreshold  = "odpe:threshold"
	KeyIndicators = "odpe:indicators" // JSON array of the family's indicators, their sources in words
	KeySources    = "odpe:sources"    // JSON array of the family's sources in words (export.Provenance)
	KeyFiles      = "odpe:files"      // JSON array of the source files, path and hash (internal profiles only)
)

// BatchRows is the number of rows per record batch.
const BatchRows = 64 * 1024

// rowGroupRows is the number of rows per row group: record batches are
// buffered into row groups of eight. Each column of each row group starts
// buffers of its own (pages, compression): with a row group per batch,
// growing and clearing them took a tenth of the national export's
// writing.
var rowGroupRows = 8 * BatchRows

// WriteFamilies writes dir/<family>.parquet for each family of
// ds.Indicators, in their order, with the rows of the family's indicators
// in the order of ds.Rows (the rows of other indicators are left out).
// When families are named (only), the files of the others are not
// written.
func WriteFamilies(dir string, ds *export.Dataset, only ...string) error {
	err := arrowrows.WriteFamilies(dir, ".parquet", ds, BatchRows, func(w io.Writer, fam string) (arrowrows.FileWriter, error) {
		return NewWriter(w, ds, fam)
	}, only...)
	if err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	return nil
}

// writerOptions: zstd on every column, no dictionary encoding. zstd
// already packs the repeated strings: at national scale the dictionaries
// made the files 4 % smaller and cost a third of the writing time (and for
// the figures, whose many distinct values overflow the dictionary, made
// them 2.4 times as big). Row groups of rowGroupRows. Statistics
// (min and max per row group, which let a reader skip row groups) only on
// the columns the rows are sorted by: on the others every row group spans
// nearly every value, and computing them cost an eighth of the writing.
func writerOptions() []parquet.WriterProperty {
	return []parquet.WriterProperty{
		parquet.WithCompression(compress.Codecs.Zstd),
		parquet.WithMaxRowGroupLength(int64(rowGroupRows)),
		parquet.WithDictionaryDefault(false),
		parquet.WithStats(false),
		parquet.WithStatsFor("indicator", true),
		parquet.WithStatsFor("dep", true),
		parquet.WithStatsFor("period", true),
		parquet.WithStatsFor("territory", true),
	}
}

// Writer writes the Parquet file of one family of a dataset, from record
// batches of its rows (arrowrows.Batches), in row groups of rowGroupRows.
type Writer struct {
	fw     *pqarrow.FileWriter
	schema *arrow.Schema
}

// NewWriter starts the Parquet file of family fam of ds on w.
func NewWriter(w io.Writer, ds *export.Dataset, fam string) (*Writer, error) {
	fields, err := arrowrows.Fields(ds)
	if err != nil {
		return nil, fmt.Errorf("parquet: %w", err)
	}
	for i := range fields { // OPTIONAL, as the columns have always been
		fields[i].Nullable = true
	}
	md, err := metadata(ds, fam)
	if err != nil {
		return nil, err
	}
	schema := arrow.NewSchema(fields, &md)
	fw, err := pqarrow.NewFileWriter(schema, w, parquet.NewWriterProperties(writerOptions()...), pqarrow.DefaultWriterProps())
	if err != nil {
		return nil, fmt.Errorf("parquet: %w", err)
	}
	return &Writer{fw: fw, schema: schema}, nil
}

// Write writes rec, whose columns are arrowrows.Fields of the dataset,
// into the row group being buffered (a new one when it is full).
func (w *Writer) Write(rec arrow.RecordBatch) error {
	rec = arrowrows.Rewrap(rec, w.schema)
	defer rec.Release()
	if err := w.fw.WriteBuffered(rec); err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	return nil
}

// Close ends the file (its footer), and closes the io.Writer if it is an
// io.Closer.
func (w *Writer) Close() error {
	if err := w.fw.Close(); err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	return nil
}

// ReadRows appends the rows of the Parquet file at path, as Writer wrote
// them, to out.
func ReadRows(path string, rd *arrowrows.Reader, out []export.Row) ([]export.Row, error) {
	f, err := file.OpenParquetFile(path, false)
	if err != nil {
		return out, fmt.Errorf("parquet: read %s: %w", path, err)
	}
	defer f.Close()
	fr, err := pqarrow.NewFileReader(f, pqarrow.ArrowReadProperties{BatchSize: BatchRows}, memory.DefaultAllocator)
	if err != nil {
		return out, fmt.Errorf("parquet: read %s: %w", path, err)
	}
	rr, err := fr.GetRecordReader(context.Background(), nil, nil)
	if err != nil {
		return out, fmt.Errorf("parquet: read %s: %w", path, err)
	}
	defer rr.Release()
	for rr.Next() {
		if out, err = rd.Rows(rr.RecordBatch(), out); err != nil {
			return out, fmt.Errorf("parquet: read %s: %w", path, err)
		}
	}
	if err := rr.Err(); err != nil && !errors.Is(err, io.EOF) {
		return out, fmt.Errorf("parquet: read %s: %w", path, err)
	}
	return out, nil
}

// metadata is the key-value metadata of one family's file: its sources
// in words, and the files themselves only where the dataset names them
// (an internal profile).
func metadata(ds *export.Dataset, fam string) (arrow.Metadata, error) {
	var inds []export.Indicator
	for _, ind := range ds.Indicators {
		if ind.Family == fam {
			inds = append(inds, ind)
		}
	}
	indJSON, err := json.Marshal(export.WithSourcesInWords(inds, ds.Sources))
	if err != nil {
		return arrow.Metadata{}, fmt.Errorf("parquet: encode indicators: %w", err)
	}
	srcJSON, err := json.Marshal(nonNil(export.Provenance(inds, ds.Sources)))
	if err != nil {
		return arrow.Metadata{}, fmt.Errorf("parquet: encode sources: %w", err)
	}
	keys := []string{KeyProfile, KeyRunID, KeyGenerated, KeyThreshold, KeyIndicators, KeySources}
	values := []string{
		ds.Profile,
		strconv.FormatInt(ds.RunID, 10),
		ds.Generated.Format(time.RFC3339),
		strconv.Itoa(ds.Threshold),
		string(indJSON), string(srcJSON),
	}
	if files := export.ServerFiles(ds.Sources); files != nil {
		b, err := json.Marshal(files)
		if err != nil {
			return arrow.Metadata{}, fmt.Errorf("parquet: encode source files: %w", err)
		}
		keys, values = append(keys, KeyFiles), append(values, string(b))
	}
	return arrow.NewMetadata(keys, values), nil
}

// nonNil is list, or an empty list for nil (JSON [] rather than null).
func nonNil(list []string) []string {
	if list == nil {
		return []string{}
	}
	return list
}
