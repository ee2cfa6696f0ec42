package xlsx

import (
	"bytes"
	"math"
	"regexp"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/odpe/odpe/pipelines/export"
)

// TestRowWriterMatchesExcelize: a workbook whose family rows a rowWriter
// writes is, part for part, the one excelize's stream writer writes, and
// so is one with strings the rowWriter leaves to excelize.
func TestRowWriterMatchesExcelize(t *testing.T) {
	for _, tt := range []struct {
		name      string
		territory string
		spliced   bool
	}{
		{"fixture", "", true},
		{"escaped strings", `Val-d'Oise & <Nord> "Côte" a	b` + "\nc ‰ \uFFFE \x01", true},
		{"edge spaces", " Nord ", false},
		{"escaped character", "Nord_x0041_", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ds := fixture()
			if tt.territory != "" {
				for i := range ds.Rows {
					if ds.Rows[i].Territory != export.Total {
						ds.Rows[i].Territory = tt.territory
					}
				}
			}
			if got := plainRows(ds, allRows(ds), true); got != tt.spliced {
				t.Fatalf("plainRows = %v, want %v", got, tt.spliced)
			}
			write := func(splice bool) []byte {
				defer func(s bool) { spliceRows = s }(spliceRows)
				spliceRows = splice
				var buf bytes.Buffer
				if _, err := WriteWith(&buf, ds, Observatoire, Options{}); err != nil {
					t.Fatal(err)
				}
				return buf.Bytes()
			}
			want, have := parts(t, write(false)), parts(t, write(true))
			for name, w := range want {
				if h := have[name]; h != w {
					t.Errorf("part %s differs:\n%.800s\nwant\n%.800s", name, tail(h, w), tail(w, h))
				}
			}
			if len(have) != len(want) {
				t.Errorf("%d parts, want %d", len(have), len(want))
			}
		})
	}
}

func allRows(ds *export.Dataset) []int {
	rows := make([]int, len(ds.Rows))
	for i := range rows {
		rows[i] = i
	}
	return rows
}

// tail is a from the first byte where it differs from b.
func tail(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return a[max(0, i-100):]
}

var secondRow = regexp.MustCompile(`(?s)<row r="2">.*?</row>`)

// FuzzRowWriter: for any string a rowWriter takes and any number, it
// writes the row excelize's stream writer writes.
func FuzzRowWriter(f *testing.F) {
	f.Add("Val-d'Oise", 19.8, 2024)
	f.Add("Ensemble du département", 0.1+0.2, -1)
	f.Add("a < b & c", 1e21, 0)
	f.Add("x\ty\nz", 123456789.123456789, 7)
	f.Add("é\xff", -0.000001234, 1<<40)
	f.Fuzz(func(t *testing.T, s string, v float64, n int) {
		if !plainText(s) || math.IsNaN(v) || math.IsInf(v, 0) {
			t.Skip()
		}
		values := []any{s, nil, n, excelize.Cell{StyleID: 3, Value: v}, excelize.Cell{StyleID: 2, Value: s}, v}
		var got bytes.Buffer
		rw := newRowWriter(&got, len(values))
		if err := rw.row(2, values); err != nil {
			t.Fatal(err)
		}
		if err := rw.flush(); err != nil {
			t.Fatal(err)
		}

		x := excelize.NewFile()
		defer x.Close()
		sw, err := x.NewStreamWriter("Sheet1")
		if err != nil {
			t.Fatal(err)
		}
		if err := sw.SetRow("A2", values); err != nil {
			t.Fatal(err)
		}
		if err := sw.Flush(); err != nil {
			t.Fatal(err)
		}
		var book bytes.Buffer
		if err := x.Write(&book); err != nil {
			t.Fatal(err)
		}
		sheet := parts(t, book.Bytes())["xl/worksheets/sheet1.xml"]
		want := secondRow.FindString(sheet)
		if got.String() != want {
			t.Errorf("row\n%s\nwant\n%s", got.String(), want)
		}
	})
}
