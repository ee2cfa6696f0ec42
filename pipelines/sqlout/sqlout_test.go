package sqlout

import (
	"bytes"
	"math/big"
	"strings"
	"testing"
	"time"
)

func TestDec(t *testing.T) {
	for _, tc := range []struct {
		v     int64
		scale int
		want  string
	}{{1230, 2, "12.30"}, {-5, 2, "-0.05"}, {7, 0, "7"}, {-12345, 3, "-12.345"}, {0, 1, "0.0"}} {
		if got := (Dec{Unscaled: big.NewInt(tc.v), Scale: tc.scale}).String(); got != tc.want {
			t.Errorf("Dec(%d, %d) = %q, want %q", tc.v, tc.scale, got, tc.want)
		}
	}
}

// write streams rows through a writer of format and returns its output.
func write(t *testing.T, format string, opt Options, cols []Column, rows ...[]any) string {
	t.Helper()
	var b bytes.Buffer
	w, err := New(format, &b, opt)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Begin(cols); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := w.Row(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.End(int64(len(rows))); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestTextFormats(t *testing.T) {
	cols := []Column{{"zone", Text}, {"n", BigInt}, {"taux", Float}, {"d", Decimal}, {"jour", Date}, {"ok", Bool}}
	day := time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC)
	rows := [][]any{
		{"Arras", int64(9007199254740993), 12.5, Dec{big.NewInt(1230), 2}, day, true},
		{"a;b \"c\"", nil, nil, nil, nil, nil},
	}
	if got, want := write(t, "csv", Options{}, cols, rows...), "zone,n,taux,d,jour,ok\nArras,9007199254740993,12.5,12.30,2024-12-31,true\n\"a;b \"\"c\"\"\",,,,,\n"; got != want {
		t.Errorf("csv:\n%q\nwant\n%q", got, want)
	}
	if got, want := write(t, "csv", Options{French: true}, cols, rows...), "\uFEFFzone;n;taux;d;jour;ok\r\nArras;9007199254740993;12,5;12,30;2024-12-31;true\r\n\"a;b \"\"c\"\"\";;;;;\r\n"; got != want {
		t.Errorf("csv-fr:\n%q\nwant\n%q", got, want)
	}
	want := "[\n  {\"zone\": \"Arras\", \"n\": \"9007199254740993\", \"taux\": 12.5, \"d\": 12.30, \"jour\": \"2024-12-31\", \"ok\": true},\n" +
		"  {\"zone\": \"a;b \\\"c\\\"\", \"n\": null, \"taux\": null, \"d\": null, \"jour\": null, \"ok\": null}\n]\n"
	if got := write(t, "json", Options{}, cols, rows...); got != want {
		t.Errorf("json:\n%s\nwant\n%s", got, want)
	}
	if got := write(t, "json", Options{}, cols); got != "[]\n" {
		t.Errorf("empty json: %q", got)
	}
	table := write(t, "table", Options{}, cols[:3], []any{"Arras", int64(1), 2.5}, []any{"Lens", int64(100), nil})
	if !strings.Contains(table, "zone     n  taux\n") || !strings.Contains(table, "Lens   100  NULL\n") || !strings.HasSuffix(table, "(2 rows)\n\n") {
		t.Errorf("table:\n%s", table)
	}
}
