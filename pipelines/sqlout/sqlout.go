// Package sqlout writes query results as they stream, one row at a time,
// for `odpe sql`: an aligned table, CSV (and French CSV: `;`, decimal
// comma, UTF-8 with BOM, for Excel in French), JSON (an array of objects
// keeping the column order, big integers as strings), xlsx and Parquet.
// No writer holds the whole result (the table aligns on its first rows).
package sqlout

import (
	"fmt"
	"io"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"
)

// Kind is how a column's values are written.
type Kind int

const (
	Text Kind = iota
	Bool
	Int     // fits in a float64 exactly (≤ 32 bits)
	BigInt  // 64-bit and wider integers: strings in JSON
	Float   // float, double
	Decimal // exact decimals
	Date
	Timestamp
)

// Column is a result column.
type Column struct {
	Name string
	Kind Kind
}

// Writer receives one result.
type Writer interface {
	Begin(cols []Column) error
	Row(vals []any) error
	// End closes the result; n is the number of rows.
	End(n int64) error
}

// Options of the text formats.
type Options struct {
	French bool // CSV: ';', decimal comma, UTF-8 BOM
}

// New returns a writer of format (table, csv, json, xlsx, parquet) to w.
func New(format string, w io.Writer, opt Options) (Writer, error) {
	switch format {
	case "table":
		return &table{w: w}, nil
	case "csv":
		return newCSV(w, opt.French), nil
	case "json":
		return &jsonWriter{w: w}, nil
	case "xlsx":
		return &xlsxWriter{w: w}, nil
	case "parquet":
		return &parquetWriter{w: w}, nil
	}
	return nil, fmt.Errorf("unknown format %q: expected table, csv, json, xlsx or parquet", format)
}

// FormatOf guesses a format from a file name's extension ("" if none).
func FormatOf(path string) string {
	switch {
	case strings.HasSuffix(path, ".csv"):
		return "csv"
	case strings.HasSuffix(path, ".json"):
		return "json"
	case strings.HasSuffix(path, ".xlsx"):
		return "xlsx"
	case strings.HasSuffix(path, ".parquet"):
		return "parquet"
	}
	return ""
}

// Dec is an exact decimal: Unscaled × 10^-Scale (DuckDB's DECIMAL, which
// the caller converts, so that this package does not link DuckDB).
type Dec struct {
	Unscaled *big.Int
	Scale    int
}

// String writes the decimal with all its scale's digits ("12.30").
func (d Dec) String() string {
	s := new(big.Int).Abs(d.Unscaled).String()
	if d.Scale > 0 {
		if len(s) <= d.Scale {
			s = strings.Repeat("0", d.Scale-len(s)+1) + s
		}
		s = s[:len(s)-d.Scale] + "." + s[len(s)-d.Scale:]
	}
	if d.Unscaled.Sign() < 0 {
		s = "-" + s
	}
	return s
}

// Float64 is the decimal's nearest double.
func (d Dec) Float64() float64 {
	f, _ := strconv.ParseFloat(d.String(), 64)
	return f
}

// Cell is a value as text ("" for NULL); decimal is ',' or '.'.
func Cell(v any, decimal byte) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return string(x)
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case int16:
		return strconv.FormatInt(int64(x), 10)
	case int8:
		return strconv.FormatInt(int64(x), 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case uint32:
		return strconv.FormatUint(uint64(x), 10)
	case float64:
		return comma(strconv.FormatFloat(x, 'f', -1, 64), decimal)
	case float32:
		return comma(strconv.FormatFloat(float64(x), 'f', -1, 32), decimal)
	case time.Time:
		if x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 && x.Nanosecond() == 0 {
			return x.Format("2006-01-02")
		}
		if x.Nanosecond() != 0 {
			return x.Format("2006-01-02 15:04:05.999999")
		}
		return x.Format("2006-01-02 15:04:05")
	case *big.Int:
		return x.String()
	case Dec:
		return comma(x.String(), decimal)
	case interface{ Float64() float64 }:
		return comma(fmt.Sprint(x), decimal)
	}
	return fmt.Sprint(v)
}

func comma(s string, decimal byte) string {
	if decimal == ',' {
		return strings.Replace(s, ".", ",", 1)
	}
	return s
}

// number returns v as a float64 when it is a number.
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int8:
		return float64(x), true
	case int16:
		return float64(x), true
	case int32:
		return float64(x), true
	case int64:
		return float64(x), true
	case uint8:
		return float64(x), true
	case uint16:
		return float64(x), true
	case uint32:
		return float64(x), true
	case uint64:
		return float64(x), true
	case interface{ Float64() float64 }:
		return x.Float64(), true
	case *big.Int:
		f, _ := new(big.Float).SetInt(x).Float64()
		return f, !math.IsInf(f, 0)
	}
	return 0, false
}
