package serve

import (
	"database/sql/driver"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/odpe/odpe/pipelines/sandbox"
)

// PostgreSQL type OIDs the server speaks.
const (
	oidBool        = pgtype.BoolOID
	oidBytea       = pgtype.ByteaOID
	oidInt8        = pgtype.Int8OID
	oidInt2        = pgtype.Int2OID
	oidInt4        = pgtype.Int4OID
	oidText        = pgtype.TextOID
	oidFloat4      = pgtype.Float4OID
	oidFloat8      = pgtype.Float8OID
	oidDate        = pgtype.DateOID
	oidTime        = pgtype.TimeOID
	oidTimestamp   = pgtype.TimestampOID
	oidTimestamptz = pgtype.TimestamptzOID
	oidInterval    = pgtype.IntervalOID
	oidNumeric     = pgtype.NumericOID
	oidUUID        = pgtype.UUIDOID
)

// pgType returns the PostgreSQL type a DuckDB column is sent as, and its
// size (-1: variable). Types without a PostgreSQL twin go as text.
func pgType(t duckdb.Type) (uint32, int16) {
	switch t {
	case duckdb.TYPE_BOOLEAN:
		return oidBool, 1
	case duckdb.TYPE_TINYINT, duckdb.TYPE_SMALLINT, duckdb.TYPE_UTINYINT:
		return oidInt2, 2
	case duckdb.TYPE_INTEGER, duckdb.TYPE_USMALLINT:
		return oidInt4, 4
	case duckdb.TYPE_BIGINT, duckdb.TYPE_UINTEGER:
		return oidInt8, 8
	case duckdb.TYPE_UBIGINT, duckdb.TYPE_HUGEINT, duckdb.TYPE_UHUGEINT, duckdb.TYPE_DECIMAL:
		return oidNumeric, -1
	case duckdb.TYPE_FLOAT:
		return oidFloat4, 4
	case duckdb.TYPE_DOUBLE:
		return oidFloat8, 8
	case duckdb.TYPE_DATE:
		return oidDate, 4
	case duckdb.TYPE_TIME:
		return oidTime, 8
	case duckdb.TYPE_TIMESTAMP, duckdb.TYPE_TIMESTAMP_S, duckdb.TYPE_TIMESTAMP_MS, duckdb.TYPE_TIMESTAMP_NS:
		return oidTimestamp, 8
	case duckdb.TYPE_TIMESTAMP_TZ:
		return oidTimestamptz, 8
	case duckdb.TYPE_BLOB:
		return oidBytea, -1
	case duckdb.TYPE_UUID:
		return oidUUID, 16
	}
	return oidText, -1
}

// paramType is the type announced for a parameter DuckDB typed t (text
// when it cannot tell: DuckDB casts the text to what it needs).
func paramType(t duckdb.Type) uint32 {
	switch t {
	case duckdb.TYPE_INVALID, duckdb.TYPE_ANY, duckdb.TYPE_SQLNULL:
		return oidText
	}
	oid, _ := pgType(t)
	switch oid {
	case oidInt2, oidInt4, oidInt8, oidFloat4, oidFloat8, oidBool, oidText, oidDate, oidTimestamp, oidTimestamptz, oidNumeric:
		return oid
	}
	return oidText
}

// encoder writes one column's values in one format.
type encoder struct {
	m      *pgtype.Map
	oid    uint32
	format int16
}

func newEncoders(m *pgtype.Map, cols []sandbox.Column, formats []int16) []encoder {
	enc := make([]encoder, len(cols))
	for i, c := range cols {
		oid, _ := pgType(c.Type)
		enc[i] = encoder{m: m, oid: oid, format: formatOf(formats, i)}
	}
	return enc
}

// formatOf reads a Bind's result format codes: none (all text), one (for
// every column) or one a column.
func formatOf(formats []int16, i int) int16 {
	switch {
	case len(formats) == 0:
		return 0
	case len(formats) == 1:
		return formats[0]
	case i < len(formats):
		return formats[i]
	}
	return 0
}

// encode appends v to buf; ok is false for NULL.
func (e encoder) encode(v driver.Value, buf []byte) (out []byte, ok bool, err error) {
	if v == nil {
		return buf, false, nil
	}
	if e.format == 0 {
		if out, ok := appendText(buf, v); ok {
			return out, true, nil
		}
	}
	val := goValue(e.oid, v)
	if e.oid == oidText {
		if s, isStr := val.(string); isStr {
			return append(buf, s...), true, nil
		}
		val = fmt.Sprint(val)
		return append(buf, val.(string)...), true, nil
	}
	out, err = e.m.Encode(e.oid, e.format, val, buf)
	if err != nil {
		return buf, false, fmt.Errorf("encode %T as type %d: %w", v, e.oid, err)
	}
	return out, true, nil
}

// goValue turns a DuckDB value into one pgtype encodes as oid.
func goValue(oid uint32, v driver.Value) any {
	switch x := v.(type) {
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case uint8:
		return int64(x)
	case uint16:
		return int64(x)
	case uint32:
		return int64(x)
	case uint64:
		if oid == oidNumeric {
			return pgtype.Numeric{Int: new(big.Int).SetUint64(x), Valid: true}
		}
		return x
	case *big.Int:
		if oid == oidNumeric {
			return pgtype.Numeric{Int: x, Valid: true}
		}
		return x.String()
	case duckdb.Decimal:
		return pgtype.Numeric{Int: x.Value, Exp: -int32(x.Scale), Valid: true}
	case duckdb.UUID:
		return [16]byte(x)
	case time.Time:
		if oid == oidTimestamp {
			// DuckDB gives a TIMESTAMP as UTC: keep its wall clock.
			return x.UTC()
		}
		if oid == oidTime {
			return pgtype.Time{Microseconds: int64(x.Hour())*3600e6 + int64(x.Minute())*60e6 + int64(x.Second())*1e6 + int64(x.Nanosecond())/1e3, Valid: true}
		}
		return x
	case duckdb.Interval:
		return fmt.Sprintf("%d months %d days %d microseconds", x.Months, x.Days, x.Micros)
	}
	return v
}

// decodeParam turns a Bind parameter into a value DuckDB binds: text as
// it came (DuckDB casts it to the parameter's type), binary decoded by the
// type announced for it.
func decodeParam(m *pgtype.Map, oid uint32, format int16, src []byte) (any, error) {
	if src == nil {
		return nil, nil
	}
	if format == 0 {
		return string(src), nil
	}
	switch oid {
	case oidInt2, oidInt4, oidInt8:
		var v int64
		err := m.Scan(oid, 1, src, &v)
		return v, err
	case oidFloat4, oidFloat8:
		var v float64
		err := m.Scan(oid, 1, src, &v)
		return v, err
	case oidBool:
		var v bool
		err := m.Scan(oid, 1, src, &v)
		return v, err
	case oidDate, oidTimestamp, oidTimestamptz:
		var v time.Time
		err := m.Scan(oid, 1, src, &v)
		return v, err
	case oidNumeric:
		var v pgtype.Numeric
		if err := m.Scan(oid, 1, src, &v); err != nil {
			return nil, err
		}
		s, err := v.Value()
		return s, err
	case oidBytea:
		return append([]byte(nil), src...), nil
	}
	return string(src), nil
}

// appendText writes the common values in PostgreSQL's text format without
// going through pgtype (most clients read text: psql, psycopg, RPostgres);
// false for the others.
func appendText(buf []byte, v driver.Value) ([]byte, bool) {
	switch x := v.(type) {
	case string:
		return append(buf, x...), true
	case int64:
		return strconv.AppendInt(buf, x, 10), true
	case int32:
		return strconv.AppendInt(buf, int64(x), 10), true
	case int16:
		return strconv.AppendInt(buf, int64(x), 10), true
	case int8:
		return strconv.AppendInt(buf, int64(x), 10), true
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return buf, false
		}
		if a := math.Abs(x); a == 0 || (a >= 1e-4 && a < 1e15) {
			return strconv.AppendFloat(buf, x, 'f', -1, 64), true
		}
		return strconv.AppendFloat(buf, x, 'g', -1, 64), true
	case bool:
		if x {
			return append(buf, 't'), true
		}
		return append(buf, 'f'), true
	case duckdb.Decimal:
		return appendDecimal(buf, x), true
	}
	return buf, false
}

// appendDecimal writes a DECIMAL with all its scale's digits.
func appendDecimal(buf []byte, d duckdb.Decimal) []byte {
	if d.Value.Sign() < 0 {
		buf = append(buf, '-')
	}
	digits := new(big.Int).Abs(d.Value).String()
	scale := int(d.Scale)
	if scale == 0 {
		return append(buf, digits...)
	}
	if len(digits) <= scale {
		buf = append(buf, '0', '.')
		for i := len(digits); i < scale; i++ {
			buf = append(buf, '0')
		}
		return append(buf, digits...)
	}
	buf = append(buf, digits[:len(digits)-scale]...)
	buf = append(buf, '.')
	return append(buf, digits[len(digits)-scale:]...)
}
