package feather

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"

	"github.com/odpe/odpe/pipelines/export"
	"github.com/odpe/odpe/pipelines/export/arrowrows"
	"github.com/odpe/odpe/pipelines/export/exporttest"
)

func f(v float64) export.Figure { return export.Known(v) }

func fixture() *export.Dataset {
	return &export.Dataset{
		Profile:     "observatoire",
		Title:       "Observatoire départemental de la protection de l'enfance",
		Audience:    "internal",
		Generated:   time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC),
		RunID:       42,
		Threshold:   5,
		StructureID: "ODPE62:DF_PROTECTION_ENFANCE(1.0)",
		Dimensions:  []string{"sex", "age_band"},
		Indicators: []export.Indicator{
			{ID: "ase_mineurs_confies", Label: "Mineurs confiés à l'ASE", Family: "ase", Definition: "Mineurs \"confiés\", au 31/12",
				Unit: "count", ReferenceDate: "31 décembre de N", Sources: []string{"core.ase_situation"}, Breakdowns: []string{"sex", "age_band"}, Key: true},
			{ID: "ase_taux_placement", Label: "Taux de placement", Family: "ase", Unit: "‰", Numerator: "mineurs placés", Denominator: "population 0-17 ans"},
		},
		Sources: []export.Source{
			{Job: "iodas", Kind: "ase", Path: "/data/iodas_20241231.csv", Modified: time.Date(2025, 1, 6, 8, 0, 0, 0, time.UTC), SHA256: "ab12", Rows: 1234, NameKey: "20241231.0000"},
		},
		Territories: map[export.Place]string{{Dep: "62", Code: "LENS"}: "Lens-Liévin"},
		Rows: []export.Row{
			{Indicator: "ase_mineurs_confies", Dep: "62", Period: 2023, Territory: export.Total,
				Dims:  map[string]string{"sex": export.Total, "age_band": export.Total},
				Value: f(2143), Numerator: f(2143), Previous: f(2100), Evolution: f(2.0476), Unit: export.Count, Status: export.Final},
			{Indicator: "ase_mineurs_confies", Dep: "62", Period: 2023, Territory: "ARRAS",
				Dims: map[string]string{"sex": "F", "age_band": "0-5 ans"},
				Unit: export.Count, Status: export.Final, Conf: export.Primary},
			{Indicator: "ase_taux_placement", Dep: "62", Period: 2024, Territory: "LENS",
				Numerator: f(312), Denominator: f(27850), Value: f(11.2028), Unit: export.PerMille, Status: export.Provisional},
		},
	}
}

// readAll reads every batch of an Arrow IPC file into rows of formatted
// values, one string per column, "∅" for null.
func readAll(t *testing.T, data []byte) (*arrow.Schema, [][]string) {
	t.Helper()
	r, err := ipc.NewFileReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("NewFileReader: %v", err)
	}
	defer r.Close()
	var rows [][]string
	for i := range r.NumRecords() {
		rec, err := r.RecordAt(i)
		if err != nil {
			t.Fatalf("RecordAt(%d): %v", i, err)
		}
		for j := range int(rec.NumRows()) {
			row := make([]string, rec.NumCols())
			for c, col := range rec.Columns() {
				row[c] = cellString(col, j)
			}
			rows = append(rows, row)
		}
		rec.Release()
	}
	return r.Schema(), rows
}

func cellString(col arrow.Array, i int) string {
	if col.IsNull(i) {
		return "∅"
	}
	switch c := col.(type) {
	case *array.String:
		return c.Value(i)
	case *array.Int32:
		return fmt.Sprint(c.Value(i))
	case *array.Float64:
		return fmt.Sprint(c.Value(i))
	}
	return "?" + col.DataType().String()
}

func TestWriteReadBack(t *testing.T) {
	ds := fixture()
	var buf bytes.Buffer
	if err := Write(&buf, ds); err != nil {
		t.Fatalf("Write: %v", err)
	}
	_, got := readAll(t, buf.Bytes())
	want := [][]string{
		{"ase_mineurs_confies", "Mineurs confiés à l'ASE", "62", "2023", "Ensemble", "Ensemble du département", "Ensemble", "Ensemble", "2143", "∅", "2143", "count", "final", "2100", "2.0476", "%", ""},
		{"ase_mineurs_confies", "Mineurs confiés à l'ASE", "62", "2023", "ARRAS", "∅", "F", "0-5 ans", "∅", "∅", "∅", "count", "final", "∅", "∅", "%", "C"},
		{"ase_taux_placement", "Taux de placement", "62", "2024", "LENS", "Lens-Liévin", "∅", "∅", "312", "27850", "11.2028", "‰", "provisional", "∅", "∅", "points", ""},
	}
	if len(got) != len(want) {
		t.Fatalf("read %d rows, want %d", len(got), len(want))
	}
	for i := range want {
		if strings.Join(got[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("row %d:\n got %q\nwant %q", i, got[i], want[i])
		}
	}
}

// TestUncompressed: the buffers are written as they are, so that a reader
// with no codec (Arrow JS) reads them: a column of one repeated value holds
// its bytes, repeated, in the file.
func TestUncompressed(t *testing.T) {
	ds := fixture()
	row := ds.Rows[0]
	ds.Rows = nil
	for range 1000 {
		ds.Rows = append(ds.Rows, row)
	}
	var buf bytes.Buffer
	if err := Write(&buf, ds); err != nil {
		t.Fatalf("Write: %v", err)
	}
	bits := make([]byte, 8)
	binary.LittleEndian.PutUint64(bits, math.Float64bits(row.Value.Float64()))
	if !bytes.Contains(buf.Bytes(), bytes.Repeat(bits, 1000)) {
		t.Errorf("the value column's 1000 values are not in the file as they are: the buffers are compressed")
	}
}

// TestWriteManyBatches checks that values survive batching, row for row.
func TestWriteManyBatches(t *testing.T) {
	ds := fixture()
	base := ds.Rows
	ds.Rows = nil
	for i := range BatchRows*2 + 7 {
		r := base[i%len(base)]
		r.Period = 2000 + i%25
		if r.Value.Valid() {
			r.Value = f(float64(i) / 7)
		}
		ds.Rows = append(ds.Rows, r)
	}
	var buf bytes.Buffer
	if err := Write(&buf, ds); err != nil {
		t.Fatalf("Write: %v", err)
	}
	rd, err := ipc.NewFileReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	if got := rd.NumRecords(); got != 3 {
		t.Errorf("NumRecords = %d, want 3", got)
	}
	_, rows := readAll(t, buf.Bytes())
	if len(rows) != len(ds.Rows) {
		t.Fatalf("read %d rows, want %d", len(rows), len(ds.Rows))
	}
	for i, r := range ds.Rows {
		wantValue := "∅"
		if r.Value.Valid() {
			wantValue = fmt.Sprint(r.Value.Float64())
		}
		if rows[i][3] != fmt.Sprint(r.Period) || rows[i][10] != wantValue || rows[i][0] != r.Indicator || rows[i][4] != r.Territory {
			t.Fatalf("row %d = %q, want period %d, value %s", i, rows[i], r.Period, wantValue)
		}
	}
}

func TestSchemaGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, fixture()); err != nil {
		t.Fatalf("Write: %v", err)
	}
	schema, _ := readAll(t, buf.Bytes())
	var dump strings.Builder
	for _, fld := range schema.Fields() {
		fmt.Fprintf(&dump, "%s: %s nullable=%v\n", fld.Name, fld.Type, fld.Nullable)
	}
	md := schema.Metadata()
	for i, k := range md.Keys() {
		fmt.Fprintf(&dump, "%s = %s\n", k, md.Values()[i])
	}
	exporttest.Golden(t, "schema.golden", []byte(dump.String()))
}

func TestMetadataDecodes(t *testing.T) {
	ds := fixture()
	schema, err := Schema(ds)
	if err != nil {
		t.Fatal(err)
	}
	v, ok := schema.Metadata().GetValue(KeyIndicators)
	if !ok {
		t.Fatalf("metadata has no %s", KeyIndicators)
	}
	var inds []IndicatorMeta
	if err := json.Unmarshal([]byte(v), &inds); err != nil {
		t.Fatalf("decode %s: %v", KeyIndicators, err)
	}
	if len(inds) != 2 || inds[0].Label != "Mineurs confiés à l'ASE" || inds[0].Definition != `Mineurs "confiés", au 31/12` || !inds[0].Key {
		t.Errorf("indicators = %+v", inds)
	}
	words := "extraction du logiciel de l'aide sociale à l'enfance (ASE) du 31/12/2024"
	if len(inds[0].Sources) != 1 || inds[0].Sources[0] != words {
		t.Errorf("the indicator's sources = %q, want %q", inds[0].Sources, words)
	}
	src, _ := schema.Metadata().GetValue(KeySources)
	var got []string
	if err := json.Unmarshal([]byte(src), &got); err != nil {
		t.Fatalf("decode %s: %v", KeySources, err)
	}
	if len(got) != 1 || got[0] != words {
		t.Errorf("sources = %q, want [%q]", got, words)
	}
	files, _ := schema.Metadata().GetValue(KeyFiles)
	var srcs []SourceMeta
	if err := json.Unmarshal([]byte(files), &srcs); err != nil {
		t.Fatalf("decode %s: %v", KeyFiles, err)
	}
	if len(srcs) != 1 || !srcs[0].Modified.Equal(ds.Sources[0].Modified) || srcs[0].Rows != 1234 || srcs[0].Path != ds.Sources[0].Path {
		t.Errorf("files = %+v", srcs)
	}

	// Without the server's detail (an external profile): the words, and
	// no file.
	ds.Sources = export.WithoutServerDetail(ds.Sources)
	schema, err = Schema(ds)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := schema.Metadata().GetValue(KeyFiles); ok {
		t.Errorf("external: %s present", KeyFiles)
	}
	for _, k := range schema.Metadata().Keys() {
		v, _ := schema.Metadata().GetValue(k)
		for _, bad := range []string{"/data", "ab12", "core.", "iodas"} {
			if strings.Contains(v, bad) {
				t.Errorf("external: metadata %s holds %q: %s", k, bad, v)
			}
		}
	}
}

func TestWriteErrors(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*export.Dataset)
		want   string
	}{
		{"dimension clashes", func(ds *export.Dataset) { ds.Dimensions = append(ds.Dimensions, "value") }, `dimension "value" clashes`},
		{"undeclared breakdown", func(ds *export.Dataset) { ds.Rows[2].Dims = map[string]string{"mode": "x"} }, `row 2 (ase_taux_placement): breakdown "mode"`},
		{"period out of range", func(ds *export.Dataset) { ds.Rows[1].Period = -1 }, `row 1 (ase_mineurs_confies): period -1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := fixture()
			tt.modify(ds)
			err := Write(io.Discard, ds)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Write error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestWriteEmpty(t *testing.T) {
	ds := fixture()
	ds.Rows = nil
	var buf bytes.Buffer
	if err := Write(&buf, ds); err != nil {
		t.Fatalf("Write: %v", err)
	}
	schema, rows := readAll(t, buf.Bytes())
	if len(rows) != 0 || schema.NumFields() != 17 {
		t.Errorf("got %d rows and %d fields, want 0 and 17", len(rows), schema.NumFields())
	}
}

func BenchmarkWrite(b *testing.B) {
	ds := fixture()
	base := ds.Rows
	ds.Rows = make([]export.Row, 100_000)
	for i := range ds.Rows {
		ds.Rows[i] = base[i%len(base)]
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := Write(io.Discard, ds); err != nil {
			b.Fatal(err)
		}
	}
}

// TestWriteFamiliesReadRows writes a file per family and reads each back
// into the very rows it came from.
func TestWriteFamiliesReadRows(t *testing.T) {
	ds := fixture()
	ds.Indicators = append(ds.Indicators, export.Indicator{ID: "pmi_bilans", Family: "pmi", Unit: "count"})
	ds.Rows = append(ds.Rows, export.Row{Indicator: "pmi_bilans", Dep: "62", Period: 2011, Territory: export.Total,
		Numerator: f(12), Value: f(12), Unit: export.Count, Status: export.Incomplete})
	dir := t.TempDir()
	if err := WriteFamilies(dir, ds, "pmi"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "ase.arrow")); !os.IsNotExist(err) {
		t.Errorf("ase.arrow written though only pmi was asked for (%v)", err)
	}
	if err := WriteFamilies(dir, ds); err != nil {
		t.Fatal(err)
	}
	rd := arrowrows.NewReader()
	for fam, want := range map[string][]export.Row{"ase": slices.Clone(ds.Rows[:3]), "pmi": ds.Rows[3:]} {
		for i := range want {
			if want[i].Conf != export.Free {
				want[i].Conf = export.Secondary // hidden: the file does not say why
			}
		}
		got, err := ReadRows(filepath.Join(dir, fam+".arrow"), rd, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: read\n%+v\nwant\n%+v", fam, got, want)
		}
		r, err := os.Open(filepath.Join(dir, fam+".arrow"))
		if err != nil {
			t.Fatal(err)
		}
		fr, err := ipc.NewFileReader(r)
		if err != nil {
			t.Fatal(err)
		}
		md := fr.Schema().Metadata()
		var inds []IndicatorMeta
		if err := json.Unmarshal([]byte(md.Values()[md.FindKey(KeyIndicators)]), &inds); err != nil {
			t.Fatal(err)
		}
		for _, ind := range inds {
			if ind.Family != fam {
				t.Errorf("%s.arrow describes %s, of family %s", fam, ind.ID, ind.Family)
			}
		}
		fr.Close()
		r.Close()
	}
	if _, err := ReadRows(filepath.Join(dir, "none.arrow"), rd, nil); err == nil {
		t.Error("no error reading a missing file")
	}
}
