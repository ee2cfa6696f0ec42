package sandbox

import (
	"context"
	"database/sql/driver"
	"fmt"
	"io"
	"math/big"
	"reflect"
	"strings"
	"time"
	"unsafe"

	bindings "github.com/duckdb/duckdb-go-bindings"
	duckdb "github.com/duckdb/duckdb-go/v2"
)

// duckdb-go runs a query to completion and keeps the whole result in
// memory before the first row is read (duckdb_pending_prepared, not its
// streaming twin), whatever memory_limit says: 10 million rows took 700 MB.
// So results are read here through DuckDB's streaming API: DuckDB produces
// a chunk (2048 rows) when the previous one has been read, and memory stays
// bounded whatever the result's size. Only the column types below are
// decoded here; a result with another type (LIST, STRUCT, INTERVAL…) goes
// through duckdb-go, materialised.

// native returns the C connection under a duckdb-go connection (a private
// field of duckdb-go v2.10506.0; false if its layout changed).
func native(dc *duckdb.Conn) (bindings.Connection, bool) {
	f := reflect.ValueOf(dc).Elem().FieldByName("conn")
	if !f.IsValid() || f.Type() != reflect.TypeOf(bindings.Connection{}) {
		return bindings.Connection{}, false
	}
	c := *(*bindings.Connection)(unsafe.Pointer(f.UnsafeAddr()))
	return c, c.Ptr != nil
}

// streamable reports whether every column can be decoded here.
func streamable(cols []Column) bool {
	for _, c := range cols {
		switch c.Type {
		case duckdb.TYPE_BOOLEAN, duckdb.TYPE_TINYINT, duckdb.TYPE_SMALLINT, duckdb.TYPE_INTEGER, duckdb.TYPE_BIGINT,
			duckdb.TYPE_UTINYINT, duckdb.TYPE_USMALLINT, duckdb.TYPE_UINTEGER, duckdb.TYPE_UBIGINT, duckdb.TYPE_HUGEINT,
			duckdb.TYPE_FLOAT, duckdb.TYPE_DOUBLE, duckdb.TYPE_DECIMAL, duckdb.TYPE_VARCHAR, duckdb.TYPE_BLOB,
			duckdb.TYPE_DATE, duckdb.TYPE_TIMESTAMP, duckdb.TYPE_TIMESTAMP_TZ, duckdb.TYPE_TIMESTAMP_S,
			duckdb.TYPE_TIMESTAMP_MS, duckdb.TYPE_TIMESTAMP_NS:
		default:
			return false
		}
	}
	return true
}

// streamRows is a streaming result read chunk by chunk.
type streamRows struct {
	conn    bindings.Connection
	ps      bindings.PreparedStatement
	res     bindings.Result
	cols    []Column
	inner   []duckdb.Type // DECIMAL's storage type
	chunk   bindings.DataChunk
	size    int
	row     int
	data    []unsafe.Pointer
	valid   []unsafe.Pointer
	stop    func() bool
	closed  bool
	hasRes  bool
	hasChnk bool
}

// queryStream prepares text on the C connection, binds args and starts a
// streaming execution; ctx interrupts it.
func queryStream(ctx context.Context, conn bindings.Connection, text string, args []driver.NamedValue, cols []Column) (*streamRows, error) {
	r := &streamRows{conn: conn, cols: cols}
	if bindings.Prepare(conn, text, &r.ps) == bindings.StateError {
		err := duckdbError(bindings.PrepareError(r.ps))
		bindings.DestroyPrepare(&r.ps)
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			r.Close()
		}
	}()
	for _, a := range args {
		if err := bind(r.ps, bindings.IdxT(a.Ordinal), a.Value); err != nil {
			return nil, fmt.Errorf("parameter $%d: %w", a.Ordinal, err)
		}
	}
	r.stop = context.AfterFunc(ctx, func() { bindings.Interrupt(conn) })
	var pending bindings.PendingResult
	if bindings.PendingPreparedStreaming(r.ps, &pending) == bindings.StateError {
		err := duckdbError(bindings.PendingError(pending))
		bindings.DestroyPending(&pending)
		return nil, err
	}
	state := bindings.ExecutePending(pending, &r.res)
	bindings.DestroyPending(&pending)
	r.hasRes = true
	if state == bindings.StateError {
		return nil, duckdbError(bindings.ResultError(&r.res))
	}
	r.inner = make([]duckdb.Type, len(cols))
	for i, c := range cols {
		if c.Type == duckdb.TYPE_DECIMAL {
			lt := bindings.ColumnLogicalType(&r.res, bindings.IdxT(i))
			r.inner[i] = bindings.DecimalInternalType(lt)
			bindings.DestroyLogicalType(&lt)
		}
	}
	r.data = make([]unsafe.Pointer, len(cols))
	r.valid = make([]unsafe.Pointer, len(cols))
	ok = true
	return r, nil
}

func bind(ps bindings.PreparedStatement, i bindings.IdxT, v any) error {
	var st bindings.State
	switch x := v.(type) {
	case nil:
		st = bindings.BindNull(ps, i)
	case string:
		st = bindings.BindVarchar(ps, i, x)
	case int64:
		st = bindings.BindInt64(ps, i, x)
	case int:
		st = bindings.BindInt64(ps, i, int64(x))
	case float64:
		st = bindings.BindDouble(ps, i, x)
	case bool:
		st = bindings.BindBoolean(ps, i, x)
	case []byte:
		st = bindings.BindBlob(ps, i, x)
	case time.Time:
		st = bindings.BindVarchar(ps, i, x.UTC().Format("2006-01-02 15:04:05.999999"))
	default:
		st = bindings.BindVarchar(ps, i, fmt.Sprint(x))
	}
	if st == bindings.StateError {
		return duckdbError(bindings.PrepareError(ps))
	}
	return nil
}

// Next decodes the next row into dst.
func (r *streamRows) Next(dst []driver.Value) error {
	for r.row >= r.size {
		if r.hasChnk {
			bindings.DestroyDataChunk(&r.chunk)
			r.hasChnk = false
		}
		r.chunk = bindings.FetchChunk(r.res)
		if r.chunk.Ptr == nil {
			if msg := bindings.ResultError(&r.res); msg != "" {
				return duckdbError(msg)
			}
			return io.EOF
		}
		r.hasChnk = true
		r.size = int(bindings.DataChunkGetSize(r.chunk))
		r.row = 0
		for i := range r.cols {
			vec := bindings.DataChunkGetVector(r.chunk, bindings.IdxT(i))
			r.data[i] = bindings.VectorGetData(vec)
			r.valid[i] = bindings.VectorGetValidity(vec)
		}
	}
	row := r.row
	r.row++
	for i, c := range r.cols {
		if m := r.valid[i]; m != nil {
			word := *(*uint64)(unsafe.Add(m, (row/64)*8))
			if word&(1<<(row%64)) == 0 {
				dst[i] = nil
				continue
			}
		}
		dst[i] = decode(r.data[i], row, c, r.inner[i])
	}
	return nil
}

func at[T any](p unsafe.Pointer, row int) T {
	var zero T
	return *(*T)(unsafe.Add(p, uintptr(row)*unsafe.Sizeof(zero)))
}

// decode reads one value of a vector as duckdb-go would give it.
func decode(p unsafe.Pointer, row int, c Column, inner duckdb.Type) driver.Value {
	switch c.Type {
	case duckdb.TYPE_BOOLEAN:
		return at[bool](p, row)
	case duckdb.TYPE_TINYINT:
		return at[int8](p, row)
	case duckdb.TYPE_SMALLINT:
		return at[int16](p, row)
	case duckdb.TYPE_INTEGER:
		return at[int32](p, row)
	case duckdb.TYPE_BIGINT:
		return at[int64](p, row)
	case duckdb.TYPE_UTINYINT:
		return at[uint8](p, row)
	case duckdb.TYPE_USMALLINT:
		return at[uint16](p, row)
	case duckdb.TYPE_UINTEGER:
		return at[uint32](p, row)
	case duckdb.TYPE_UBIGINT:
		return at[uint64](p, row)
	case duckdb.TYPE_HUGEINT:
		return hugeint(at[[2]uint64](p, row))
	case duckdb.TYPE_FLOAT:
		return at[float32](p, row)
	case duckdb.TYPE_DOUBLE:
		return at[float64](p, row)
	case duckdb.TYPE_DECIMAL:
		var v *big.Int
		switch inner {
		case duckdb.TYPE_SMALLINT:
			v = big.NewInt(int64(at[int16](p, row)))
		case duckdb.TYPE_INTEGER:
			v = big.NewInt(int64(at[int32](p, row)))
		case duckdb.TYPE_BIGINT:
			v = big.NewInt(at[int64](p, row))
		default:
			v = hugeint(at[[2]uint64](p, row))
		}
		return duckdb.Decimal{Width: c.Width, Scale: c.Scale, Value: v}
	case duckdb.TYPE_VARCHAR:
		return stringT(p, row)
	case duckdb.TYPE_BLOB:
		return []byte(stringT(p, row))
	case duckdb.TYPE_DATE:
		return time.Unix(int64(at[int32](p, row))*86400, 0).UTC()
	case duckdb.TYPE_TIMESTAMP, duckdb.TYPE_TIMESTAMP_TZ:
		return time.UnixMicro(at[int64](p, row)).UTC()
	case duckdb.TYPE_TIMESTAMP_S:
		return time.Unix(at[int64](p, row), 0).UTC()
	case duckdb.TYPE_TIMESTAMP_MS:
		return time.UnixMilli(at[int64](p, row)).UTC()
	case duckdb.TYPE_TIMESTAMP_NS:
		return time.Unix(0, at[int64](p, row)).UTC()
	}
	return nil
}

// stringT reads a duckdb_string_t: a length, then the bytes inline (up to
// 12) or a 4-byte prefix and a pointer.
func stringT(p unsafe.Pointer, row int) string {
	s := unsafe.Add(p, row*16)
	n := *(*uint32)(s)
	if n <= 12 {
		return string(unsafe.Slice((*byte)(unsafe.Add(s, 4)), n))
	}
	ptr := *(*unsafe.Pointer)(unsafe.Add(s, 8))
	return string(unsafe.Slice((*byte)(ptr), n))
}

// hugeint reads a 128-bit integer (lower 64 bits first, upper signed).
func hugeint(h [2]uint64) *big.Int {
	v := new(big.Int).SetInt64(int64(h[1]))
	v.Lsh(v, 64)
	return v.Add(v, new(big.Int).SetUint64(h[0]))
}

func (r *streamRows) Columns() []string {
	names := make([]string, len(r.cols))
	for i, c := range r.cols {
		names[i] = c.Name
	}
	return names
}

// Close frees the result and the statement.
func (r *streamRows) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	if r.stop != nil {
		r.stop()
	}
	if r.hasChnk {
		bindings.DestroyDataChunk(&r.chunk)
	}
	if r.hasRes {
		bindings.DestroyResult(&r.res)
	}
	bindings.DestroyPrepare(&r.ps)
	return nil
}

// duckdbError turns a DuckDB message into duckdb-go's error type, its kind
// read from the message's prefix ("Conversion Error: …").
func duckdbError(msg string) error {
	if msg == "" {
		msg = "DuckDB error"
	}
	kinds := map[string]duckdb.ErrorType{
		"Conversion": duckdb.ErrorTypeConversion, "Invalid Input": duckdb.ErrorTypeInvalidInput,
		"Out of Memory": duckdb.ErrorTypeOutOfMemory, "INTERRUPT": duckdb.ErrorTypeInterrupt,
		"Interrupt": duckdb.ErrorTypeInterrupt, "Catalog": duckdb.ErrorTypeCatalog, "Binder": duckdb.ErrorTypeBinder,
		"Parser": duckdb.ErrorTypeParser, "Permission": duckdb.ErrorTypePermission, "Out of Range": duckdb.ErrorTypeOutOfRange,
		"Divide by Zero": duckdb.ErrorTypeDivideByZero, "IO": duckdb.ErrorTypeIO,
	}
	t := duckdb.ErrorTypeInvalid
	if head, _, ok := strings.Cut(msg, " Error:"); ok {
		if k, ok := kinds[head]; ok {
			t = k
		}
	}
	return &duckdb.Error{Type: t, Msg: msg}
}
