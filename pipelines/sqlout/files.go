package sqlout

import (
	"fmt"
	"io"
	"math/big"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/xuri/excelize/v2"
)

// xlsxMaxRows is a sheet's limit, header included.
const xlsxMaxRows = 1_048_576

// xlsxWriter streams rows into one sheet (excelize's stream writer keeps
// rows in a temporary file; the zip is built when the result ends).
type xlsxWriter struct {
	w    io.Writer
	f    *excelize.File
	sw   *excelize.StreamWriter
	cols []Column
	row  int
	vals []any
	date int
}

const sheet = "Résultat"

func (x *xlsxWriter) Begin(cols []Column) error {
	x.f = excelize.NewFile()
	if err := x.f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	sw, err := x.f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	x.sw, x.cols, x.row = sw, cols, 1
	x.date, _ = x.f.NewStyle(&excelize.Style{NumFmt: 14})
	head := make([]any, len(cols))
	for i, c := range cols {
		head[i] = c.Name
	}
	x.vals = make([]any, len(cols))
	return sw.SetRow("A1", head)
}

func (x *xlsxWriter) Row(vals []any) error {
	if x.row >= xlsxMaxRows {
		return fmt.Errorf("xlsx: more than %d rows, the limit of a sheet: write CSV or Parquet", xlsxMaxRows-1)
	}
	x.row++
	for i, v := range vals {
		switch c := x.cols[i].Kind; {
		case v == nil:
			x.vals[i] = nil
		case c == Int || c == Float || c == Decimal:
			f, _ := number(v)
			x.vals[i] = f
		case c == Date:
			x.vals[i] = excelize.Cell{Value: v, StyleID: x.date}
		case c == Bool:
			x.vals[i] = v
		case c == Timestamp:
			x.vals[i] = v
		default:
			x.vals[i] = Cell(v, '.')
		}
	}
	cell, _ := excelize.CoordinatesToCellName(1, x.row)
	return x.sw.SetRow(cell, x.vals)
}

func (x *xlsxWriter) End(int64) error {
	if err := x.sw.Flush(); err != nil {
		return err
	}
	defer x.f.Close()
	return x.f.Write(x.w)
}

// parquetWriter writes batches of rows with arrow-go.
type parquetWriter struct {
	w    io.Writer
	cols []Column
	b    *array.RecordBuilder
	fw   *pqarrow.FileWriter
	n    int
}

const parquetBatch = 64 * 1024

func arrowType(k Kind) arrow.DataType {
	switch k {
	case Bool:
		return arrow.FixedWidthTypes.Boolean
	case Int, BigInt:
		return arrow.PrimitiveTypes.Int64
	case Float, Decimal:
		return arrow.PrimitiveTypes.Float64
	case Date:
		return arrow.FixedWidthTypes.Date32
	case Timestamp:
		return &arrow.TimestampType{Unit: arrow.Microsecond}
	}
	return arrow.BinaryTypes.String
}

func (p *parquetWriter) Begin(cols []Column) error {
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = arrow.Field{Name: c.Name, Type: arrowType(c.Kind), Nullable: true}
	}
	schema := arrow.NewSchema(fields, nil)
	// pqarrow closes a writer that is an io.Closer: the caller closes its file.
	fw, err := pqarrow.NewFileWriter(schema, struct{ io.Writer }{p.w},
		parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Zstd), parquet.WithMaxRowGroupLength(8*parquetBatch)),
		pqarrow.DefaultWriterProps())
	if err != nil {
		return err
	}
	p.cols, p.fw = cols, fw
	p.b = array.NewRecordBuilder(memory.DefaultAllocator, schema)
	return nil
}

func (p *parquetWriter) Row(vals []any) error {
	for i, v := range vals {
		fb := p.b.Field(i)
		if v == nil {
			fb.AppendNull()
			continue
		}
		switch b := fb.(type) {
		case *array.BooleanBuilder:
			b.Append(v.(bool))
		case *array.Int64Builder:
			n, err := toInt64(v)
			if err != nil {
				return fmt.Errorf("parquet: column %s: %w", p.cols[i].Name, err)
			}
			b.Append(n)
		case *array.Float64Builder:
			f, _ := number(v)
			b.Append(f)
		case *array.Date32Builder:
			t := v.(time.Time)
			b.Append(arrow.Date32FromTime(t))
		case *array.TimestampBuilder:
			b.Append(arrow.Timestamp(v.(time.Time).UnixMicro()))
		case *array.StringBuilder:
			b.Append(Cell(v, '.'))
		}
	}
	p.n++
	if p.n == parquetBatch {
		return p.flush()
	}
	return nil
}

func toInt64(v any) (int64, error) {
	switch x := v.(type) {
	case int8:
		return int64(x), nil
	case int16:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case int64:
		return x, nil
	case uint8:
		return int64(x), nil
	case uint16:
		return int64(x), nil
	case uint32:
		return int64(x), nil
	case uint64:
		if x <= 1<<63-1 {
			return int64(x), nil
		}
	case *big.Int:
		if x.IsInt64() {
			return x.Int64(), nil
		}
	}
	return 0, fmt.Errorf("%v does not fit a 64-bit integer", v)
}

func (p *parquetWriter) flush() error {
	if p.n == 0 {
		return nil
	}
	rec := p.b.NewRecordBatch()
	defer rec.Release()
	p.n = 0
	return p.fw.WriteBuffered(rec)
}

func (p *parquetWriter) End(int64) error {
	if err := p.flush(); err != nil {
		return err
	}
	p.b.Release()
	return p.fw.Close()
}
