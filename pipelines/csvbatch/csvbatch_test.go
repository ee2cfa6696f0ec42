package csvbatch

import (
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var columns = []Column{
	{"file_id", "BIGINT"}, {"label", "VARCHAR"}, {"hours", "DOUBLE"},
	{"day", "DATE"}, {"loaded_at", "TIMESTAMP WITH TIME ZONE"}, {"ok", "BOOLEAN"},
}

func create(t *testing.T) *Writer {
	t.Helper()
	w, err := Create(filepath.Join(t.TempDir(), "t.csv"), columns)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

func contents(t *testing.T, w *Writer) string {
	t.Helper()
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(w.Path())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestWrite(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	day := time.Date(2021, 3, 4, 0, 0, 0, 0, time.UTC)
	at := time.Date(2026, 11, 23, 7, 5, 6, 250000000, paris)
	tests := []struct {
		name   string
		values []any
		want   string
	}{
		{"plain", []any{int64(1), "Présence sociale", 1545.0, day, at, true},
			`1,"Présence sociale",1545,2021-03-04,2026-11-23 07:05:06.25+01:00,true` + "\n"},
		{"nulls and the empty string", []any{2, "", nil, nil, nil, nil}, `2,"",,,,` + "\n"},
		{"quotes, separators, newlines", []any{3, "a \"b\", c\nd", 804.5, day, at, false},
			`3,"a ""b"", c` + "\nd\",804.5,2021-03-04,2026-11-23 07:05:06.25+01:00,false\n"},
		{"large and small reals", []any{4, "x", 1e21, day, at, true}, `4,"x",1e+21,2021-03-04,2026-11-23 07:05:06.25+01:00,true` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := create(t)
			if err := w.Write(tt.values...); err != nil {
				t.Fatal(err)
			}
			if got := contents(t, w); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestWriteRefusesWrongValues(t *testing.T) {
	tests := []struct {
		name   string
		values []any
		want   string
	}{
		{"too few", []any{1, "x"}, "2 values for 6 columns"},
		{"text in a number", []any{"1", "x", 1.0, nil, nil, nil}, "column file_id (BIGINT): cannot store a string"},
		{"number in a date", []any{1, "x", 1.0, 20210304, nil, nil}, "column day (DATE): cannot store a int"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := create(t)
			err := w.Write(tt.values...)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
			if w.Rows() != 0 || contents(t, w) != "" {
				t.Errorf("a refused row was written")
			}
		})
	}
}

func TestRewindTakesBackRows(t *testing.T) {
	w := create(t)
	if err := w.Write(1, "kept", nil, nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	m := w.Mark()
	for i := 0; i < 50000; i++ { // beyond the buffer: part is on disk
		if err := w.Write(2, "taken back", nil, nil, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Rewind(m); err != nil {
		t.Fatal(err)
	}
	if err := w.Write(3, "after", nil, nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	if got, want := contents(t, w), "1,\"kept\",,,,\n3,\"after\",,,,\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if w.Rows() != 2 || w.Size() != int64(len("1,\"kept\",,,,\n3,\"after\",,,,\n")) {
		t.Errorf("rows %d size %d", w.Rows(), w.Size())
	}
	if err := w.Reset(); err != nil {
		t.Fatal(err)
	}
	if w.Rows() != 0 || contents(t, w) != "" {
		t.Error("reset left rows")
	}
}

func TestUnsupportedColumnType(t *testing.T) {
	_, err := Create(filepath.Join(t.TempDir(), "t.csv"), []Column{{"v", "BLOB"}})
	if err == nil || !strings.Contains(err.Error(), "v: column type BLOB is not supported") {
		t.Fatalf("error %v", err)
	}
}

func TestReadCSV(t *testing.T) {
	w, err := Create(filepath.Join(t.TempDir(), "it's.csv"), []Column{{"file_id", "BIGINT"}, {"label", "VARCHAR"}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	got := w.ReadCSV()
	for _, part := range []string{"it''s.csv'", "allow_quoted_nulls = false", "columns = {'file_id': 'BIGINT', 'label': 'VARCHAR'}"} {
		if !strings.Contains(got, part) {
			t.Errorf("%s\nlacks %s", got, part)
		}
	}
}

// FuzzText checks that any string survives the trip through an RFC 4180
// reader unchanged, whatever quotes, separators and newlines it holds.
func FuzzText(f *testing.F) {
	for _, s := range []string{"", "a", `"`, "a,b", "x\ny", "\r\n", `""""`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if strings.ContainsRune(s, '\r') {
			t.Skip("encoding/csv drops carriage returns inside quoted fields; DuckDB keeps them")
		}
		line := appendQuoted(nil, s)
		rec, err := csv.NewReader(strings.NewReader(string(line) + ",1\n")).Read()
		if err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		if rec[0] != s {
			t.Fatalf("%q read back as %q", s, rec[0])
		}
	})
}

func BenchmarkWrite(b *testing.B) {
	w, err := Create(filepath.Join(b.TempDir(), "t.csv"), columns)
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	day := time.Date(2021, 3, 4, 0, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if err := w.Write(int64(i), "Actions collectives", 2548.0, day, day, true); err != nil {
			b.Fatal(err)
		}
	}
}

// TestWriteRefusesWhatTheTableCannotHold: a value beyond its column's
// integer type, or a row longer than MaxLine, is refused by Write (the
// file it comes from is rejected alone), not by DuckDB's load of the
// whole batch.
func TestWriteRefusesWhatTheTableCannotHold(t *testing.T) {
	w, err := Create(filepath.Join(t.TempDir(), "t.csv"), []Column{{"n", "INTEGER"}, {"s", "VARCHAR"}, {"b", "BIGINT"}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for _, tc := range []struct {
		values []any
		want   string
	}{
		{[]any{int64(2147483647), "x", int64(math.MaxInt64)}, ""},
		{[]any{int64(2147483648), "x", nil}, "column n (INTEGER): 2147483648 is out of its range (-2147483648 to 2147483647)"},
		{[]any{-2147483649, "x", nil}, "out of its range"},
		{[]any{nil, strings.Repeat("x", MaxLine), nil}, "bytes: at most 8388608"},
	} {
		err := w.Write(tc.values...)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("Write(%.40v) = %v, want %q", tc.values, err, tc.want)
		}
	}
	if w.Rows() != 1 {
		t.Errorf("%d rows written, want 1", w.Rows())
	}
}
