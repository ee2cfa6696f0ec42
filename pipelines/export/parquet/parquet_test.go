package parquet_test

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	_ "github.com/duckdb/duckdb-go/v2" // registers the "duckdb" driver, the second reader

	"github.com/odpe/odpe/indicators"
	"github.com/odpe/odpe/pipelines/export"
	"github.com/odpe/odpe/pipelines/export/exporttest"
	"github.com/odpe/odpe/pipelines/export/parquet"
	schema "github.com/odpe/odpe/sql"
)

const null = "∅"

func f(v float64) export.Figure { return export.Known(v) }

// fixture is a dataset of two families: ase, broken down by sex and age
// band, with a suppressed cell, a zero and a provisional rate; pmi, with
// no breakdown, a secondary suppression and a value without a previous one.
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
			{ID: "pmi_consultations", Label: "Consultations de PMI", Family: "pmi", Unit: "count",
				Convention: "consultations réalisées ; hors bilans de 4 ans", Sources: []string{"core.pmi_monthly"}},
			{ID: "ase_taux_placement", Label: "Taux de placement", Family: "ase", Unit: "‰",
				Numerator: "mineurs placés", Denominator: "population 0-17 ans", Sources: []string{"core.ase_situation", "core.population"}},
		},
		Sources: []export.Source{
			{Job: "iodas", Kind: "ase", Path: "/data/iodas_20241231.csv", Modified: time.Date(2025, 1, 6, 8, 0, 0, 0, time.UTC), SHA256: "ab12", Rows: 1234, NameKey: "20241231.0000"},
			{Job: "horus", Kind: "pmi", Path: "/data/horus 'pmi' 2024.csv", Modified: time.Date(2025, 2, 1, 17, 45, 12, 0, time.FixedZone("CET", 3600)), SHA256: "cd34", Rows: 56, NameKey: "20249999.0000"},
			{Job: "population", Kind: "insee_population", Path: "/data/insee/DS_ESTIMATION_POPULATION_DEP-62.csv", SHA256: "ef56", Rows: 462, FirstYear: 2006, LastYear: 2024},
		},
		Territories: map[export.Place]string{{Dep: "62", Code: "ARRAS"}: "Arrageois", {Dep: "62", Code: "LENS"}: "Lens-Liévin"},
		Rows: []export.Row{
			{Indicator: "ase_mineurs_confies", Dep: "62", Period: 2023, Territory: export.Total,
				Dims:  map[string]string{"sex": export.Total, "age_band": export.Total},
				Value: f(2143), Numerator: f(2143), Previous: f(2100), Evolution: f(2.0476), Unit: export.Count, Status: export.Final},
			{Indicator: "ase_mineurs_confies", Dep: "62", Period: 2023, Territory: "ARRAS",
				Dims: map[string]string{"sex": "F", "age_band": "0-5 ans"},
				Unit: export.Count, Status: export.Final, Conf: export.Primary},
			{Indicator: "ase_mineurs_confies", Dep: "62", Period: 2023, Territory: "ARRAS",
				Dims:  map[string]string{"sex": "M", "age_band": "0-5 ans"},
				Value: f(0), Numerator: f(0), Previous: f(3), Evolution: f(-100), Unit: export.Count, Status: export.Final},
			{Indicator: "ase_taux_placement", Dep: "62", Period: 2024, Territory: "LENS",
				Numerator: f(312), Denominator: f(27850), Value: f(11.2028), Unit: export.PerMille, Status: export.Provisional},
			{Indicator: "pmi_consultations", Dep: "62", Period: 2024, Territory: export.Total,
				Value: f(15321), Previous: f(14980), Evolution: f(2.2764), Unit: export.Count, Status: export.Final},
			{Indicator: "pmi_consultations", Dep: "62", Period: 2024, Territory: "BETHUNE",
				Unit: export.Count, Status: export.Incomplete, Conf: export.Secondary},
			{Indicator: "pmi_consultations", Dep: "62", Period: 2022, Territory: "LENS",
				Value: f(0.5), Unit: export.Count, Status: export.Final},
		},
	}
}

// columns are the names every file has, in order, for ds.
func columns(ds *export.Dataset) []string {
	cols := []string{"indicator", "label", "dep", "period", "territory", "territory_label"}
	cols = append(cols, ds.Dimensions...)
	return append(cols, "numerator", "denominator", "value", "unit", "status", "previous_value", "evolution", "evolution_unit", "conf")
}

// wantRows renders the fixture's rows of family fam the way readFile
// renders the file's, in the dataset's order.
func wantRows(ds *export.Dataset, fam string) [][]string {
	family, label := map[string]string{}, map[string]string{}
	for _, ind := range ds.Indicators {
		family[ind.ID], label[ind.ID] = ind.Family, ind.Label
	}
	num := func(v export.Figure) string {
		if !v.Valid() {
			return null
		}
		return strconv.FormatFloat(v.Float64(), 'g', -1, 64)
	}
	var out [][]string
	for _, r := range ds.Rows {
		if family[r.Indicator] != fam {
			continue
		}
		row := []string{r.Indicator, label[r.Indicator], r.Dep, strconv.Itoa(r.Period), r.Territory, cmp.Or(ds.TerritoryName(r.Dep, r.Territory), null)}
		for _, d := range ds.Dimensions {
			v, ok := r.Dims[d]
			if !ok {
				v = null
			}
			row = append(row, v)
		}
		for _, v := range []export.Figure{r.Numerator, r.Denominator, r.Value} {
			row = append(row, num(v))
		}
		row = append(row, r.Unit.String(), r.Status.String(), num(r.Previous), num(r.Evolution), r.Unit.EvolutionUnit())
		out = append(out, append(row, r.Conf.Mark()))
	}
	return out
}

// table is one Parquet file as pqarrow reads it.
type table struct {
	schema *arrow.Schema
	cells  [][]any // nil, string, int32, int64 or float64
	meta   map[string]string
	keys   []string // metadata keys in file order
	reader *file.Reader
}

// strings renders the cells, "∅" for null.
func (t *table) strings() [][]string {
	out := make([][]string, len(t.cells))
	for i, row := range t.cells {
		out[i] = make([]string, len(row))
		for j, v := range row {
			out[i][j] = render(v)
		}
	}
	return out
}

func render(v any) string {
	switch v := v.(type) {
	case nil:
		return null
	case string:
		return v
	case int32:
		return strconv.Itoa(int(v))
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	return fmt.Sprintf("?%T", v)
}

// readFile reads a Parquet file with arrow-go: its arrow schema, its
// rows, its key-value metadata. The file reader stays open until the end
// of the test.
func readFile(t testing.TB, path string) *table {
	t.Helper()
	rdr, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	t.Cleanup(func() { rdr.Close() })
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{BatchSize: 1 << 16}, memory.DefaultAllocator)
	if err != nil {
		t.Fatalf("pqarrow reader %s: %v", path, err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	defer tbl.Release()
	out := &table{schema: tbl.Schema(), meta: map[string]string{}, reader: rdr}
	tr := array.NewTableReader(tbl, 1<<16)
	defer tr.Release()
	for tr.Next() {
		rec := tr.RecordBatch()
		for i := range int(rec.NumRows()) {
			row := make([]any, rec.NumCols())
			for c, col := range rec.Columns() {
				row[c] = cell(t, col, i)
			}
			out.cells = append(out.cells, row)
		}
	}
	if err := tr.Err(); err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	kv := rdr.MetaData().KeyValueMetadata()
	for i, k := range kv.Keys() {
		out.keys = append(out.keys, k)
		out.meta[k] = kv.Values()[i]
	}
	return out
}

// cell is the value of col at row i: nil, string, int32, int64 or
// float64.
// Dictionary-encoded strings are decoded.
func cell(t testing.TB, col arrow.Array, i int) any {
	if col.IsNull(i) {
		return nil
	}
	switch c := col.(type) {
	case *array.String:
		return c.Value(i)
	case *array.LargeString:
		return c.Value(i)
	case *array.Int32:
		return c.Value(i)
	case *array.Int64:
		return c.Value(i)
	case *array.Float64:
		return c.Value(i)
	case *array.Dictionary:
		return cell(t, c.Dictionary(), c.GetValueIndex(i))
	}
	t.Fatalf("column of type %s is not expected", col.DataType())
	return nil
}

// kind normalises an arrow type: every flavour of string is "string".
func kind(dt arrow.DataType) string {
	switch dt := dt.(type) {
	case *arrow.DictionaryType:
		return kind(dt.ValueType)
	case *arrow.StringType, *arrow.LargeStringType, *arrow.StringViewType:
		return "string"
	}
	return dt.String()
}

func write(t testing.TB, ds *export.Dataset) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "parquet")
	if err := parquet.WriteFamilies(dir, ds); err != nil {
		t.Fatalf("WriteFamilies: %v", err)
	}
	return dir
}

// listDir lists the names in dir, hidden files included.
func listDir(t testing.TB, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

// checkFamily checks that dir/<fam>.parquet holds the columns, with
// their types, and the rows of family fam of ds, in the dataset's order.
func checkFamily(t *testing.T, dir string, ds *export.Dataset, fam string) {
	t.Helper()
	tb := readFile(t, filepath.Join(dir, fam+".parquet"))

	var names []string
	for _, fld := range tb.schema.Fields() {
		names = append(names, fld.Name)
		want := "string"
		switch fld.Name {
		case "period":
			want = "int32"
		case "numerator", "denominator", "value", "previous_value", "evolution":
			want = "float64"
		}
		if got := kind(fld.Type); got != want {
			t.Errorf("%s: column %s is %s, want %s", fam, fld.Name, fld.Type, want)
		}
	}
	if want := columns(ds); !slices.Equal(names, want) {
		t.Errorf("%s: columns = %q, want %q", fam, names, want)
	}

	got, want := tb.strings(), wantRows(ds, fam)
	if len(got) != len(want) {
		t.Fatalf("%s: read %d rows, want %d:\n%q", fam, len(got), len(want), got)
	}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("%s: row %d:\n got %q\nwant %q", fam, i, got[i], want[i])
		}
	}
}

func TestWriteFamiliesReadBack(t *testing.T) {
	ds := fixture()
	dir := write(t, ds)
	if got, want := listDir(t, dir), []string{"ase.parquet", "pmi.parquet"}; !slices.Equal(got, want) {
		t.Errorf("files in %s = %q, want %q", dir, got, want)
	}
	for _, fam := range []string{"ase", "pmi"} {
		t.Run(fam, func(t *testing.T) { checkFamily(t, dir, ds, fam) })
	}
}

// TestHiveLikeDirectory writes into directories whose path has a
// name=value segment, as a run's directory might (exports/run=42/).
// Nothing of the path may get into the files, as it could when this
// package wrote through DuckDB's read_csv, whose hive partitioning would
// make such a segment a column of every row (run=42), replace a column's
// values and type (period=1999, value=x) or send every row to one family
// (family=pmi).
func TestHiveLikeDirectory(t *testing.T) {
	for _, seg := range []string{"run=42", "period=1999", "value=x", "family=pmi", "sex=F"} {
		// No "=" in the subtest's name, which is in t.TempDir's path.
		t.Run(strings.ReplaceAll(seg, "=", " is "), func(t *testing.T) {
			ds := fixture()
			dir := filepath.Join(t.TempDir(), seg, "parquet")
			if err := parquet.WriteFamilies(dir, ds); err != nil {
				t.Fatalf("WriteFamilies: %v", err)
			}
			for _, fam := range []string{"ase", "pmi"} {
				checkFamily(t, dir, ds, fam)
			}
		})
	}
}

func TestMetadata(t *testing.T) {
	ds := fixture()
	dir := write(t, ds)
	tests := []struct {
		family  string
		ids     []string
		sources []string
	}{
		{"ase", []string{"ase_mineurs_confies", "ase_taux_placement"}, []string{
			"extraction du logiciel de l'aide sociale à l'enfance (ASE) du 31/12/2024",
			"INSEE, estimations de population au 1er janvier 2024",
		}},
		{"pmi", []string{"pmi_consultations"}, []string{"comptages mensuels d'activité de la PMI, 2024"}},
	}
	for _, tt := range tests {
		t.Run(tt.family, func(t *testing.T) {
			tb := readFile(t, filepath.Join(dir, tt.family+".parquet"))
			for _, kv := range [][2]string{
				{parquet.KeyProfile, "observatoire"},
				{parquet.KeyRunID, "42"},
				{parquet.KeyThreshold, "5"},
				{parquet.KeyGenerated, "2025-03-14T09:30:00Z"},
			} {
				if got, ok := tb.meta[kv[0]]; !ok || got != kv[1] {
					t.Errorf("metadata %s = %q (present %v), want %q", kv[0], got, ok, kv[1])
				}
			}
			gen, err := time.Parse(time.RFC3339, tb.meta[parquet.KeyGenerated])
			if err != nil || !gen.Equal(ds.Generated) {
				t.Errorf("%s = %q parses to %v (%v), want %v", parquet.KeyGenerated, tb.meta[parquet.KeyGenerated], gen, err, ds.Generated)
			}

			var inds []export.Indicator
			if err := json.Unmarshal([]byte(tb.meta[parquet.KeyIndicators]), &inds); err != nil {
				t.Fatalf("decode %s %q: %v", parquet.KeyIndicators, tb.meta[parquet.KeyIndicators], err)
			}
			var want []export.Indicator
			for _, ind := range ds.Indicators {
				if slices.Contains(tt.ids, ind.ID) {
					want = append(want, ind)
				}
			}
			// The declarations, their sources in words.
			if !jsonEqual(t, inds, export.WithSourcesInWords(want, ds.Sources)) {
				t.Errorf("%s = %+v\nwant %+v", parquet.KeyIndicators, inds, want)
			}

			var words []string
			if err := json.Unmarshal([]byte(tb.meta[parquet.KeySources]), &words); err != nil {
				t.Fatalf("decode %s %q: %v", parquet.KeySources, tb.meta[parquet.KeySources], err)
			}
			if w := tt.sources; !slices.Equal(words, w) {
				t.Errorf("%s = %q, want %q", parquet.KeySources, words, w)
			}

			var srcs []export.Source
			if err := json.Unmarshal([]byte(tb.meta[parquet.KeyFiles]), &srcs); err != nil {
				t.Fatalf("decode %s %q: %v", parquet.KeyFiles, tb.meta[parquet.KeyFiles], err)
			}
			if len(srcs) != len(ds.Sources) {
				t.Fatalf("%s = %+v, want %+v", parquet.KeyFiles, srcs, ds.Sources)
			}
			for i, s := range srcs {
				w := ds.Sources[i]
				if s.Job != w.Job || s.Path != w.Path || !s.Modified.Equal(w.Modified) || s.SHA256 != w.SHA256 || s.Rows != w.Rows {
					t.Errorf("source %d = %+v, want %+v", i, s, w)
				}
			}
		})
	}
}

// TestExternalMetadataInWords: the files of a dataset without server
// detail (an external profile's) say their sources in words and list no
// file: no path, no hash, no table in any metadata value.
func TestExternalMetadataInWords(t *testing.T) {
	ds := fixture()
	ds.Audience = "external"
	ds.Sources = export.WithoutServerDetail(ds.Sources)
	dir := write(t, ds)
	for _, fam := range []string{"ase", "pmi"} {
		tb := readFile(t, filepath.Join(dir, fam+".parquet"))
		if _, ok := tb.meta[parquet.KeyFiles]; ok {
			t.Errorf("%s: %s present", fam, parquet.KeyFiles)
		}
		for k, v := range tb.meta {
			for _, bad := range []string{"/data", "ab12", "core.", "iodas", "horus"} {
				if strings.Contains(v, bad) {
					t.Errorf("%s: metadata %s holds %q: %s", fam, k, bad, v)
				}
			}
		}
		if !strings.Contains(tb.meta[parquet.KeySources], "extraction du logiciel") && !strings.Contains(tb.meta[parquet.KeySources], "PMI") {
			t.Errorf("%s: %s = %s, want words", fam, parquet.KeySources, tb.meta[parquet.KeySources])
		}
	}
}

// jsonEqual compares two values by their JSON encodings.
func jsonEqual(t testing.TB, a, b any) bool {
	t.Helper()
	ja, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	jb, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return string(ja) == string(jb)
}

func TestCompressionZstd(t *testing.T) {
	dir := write(t, fixture())
	for _, fam := range []string{"ase", "pmi"} {
		tb := readFile(t, filepath.Join(dir, fam+".parquet"))
		md := tb.reader.MetaData()
		if md.NumRowGroups() == 0 {
			t.Errorf("%s: no row group", fam)
		}
		for i := range md.NumRowGroups() {
			rg := md.RowGroup(i)
			for j := range rg.NumColumns() {
				cc, err := rg.ColumnChunk(j)
				if err != nil {
					t.Fatalf("%s: row group %d column %d: %v", fam, i, j, err)
				}
				if got := cc.Compression(); got != compress.Codecs.Zstd {
					t.Errorf("%s: row group %d column %s is compressed with %s, want zstd", fam, i, cc.PathInSchema(), got)
				}
			}
		}
	}
}

// TestStatistics: row groups carry min and max on the columns the rows
// are sorted by, where a reader can skip row groups with them, and only
// there.
func TestStatistics(t *testing.T) {
	sorted := map[string]bool{"indicator": true, "dep": true, "period": true, "territory": true}
	dir := write(t, fixture())
	md := readFile(t, filepath.Join(dir, "ase.parquet")).reader.MetaData()
	rg := md.RowGroup(0)
	for j := range rg.NumColumns() {
		cc, err := rg.ColumnChunk(j)
		if err != nil {
			t.Fatal(err)
		}
		set, err := cc.StatsSet()
		if err != nil {
			t.Fatal(err)
		}
		if name := cc.PathInSchema().String(); set != sorted[name] {
			t.Errorf("column %s: statistics %v, want %v", name, set, sorted[name])
		}
	}
}

// TestDuckDBAgrees reads the files back with DuckDB's own Parquet reader.
func TestDuckDBAgrees(t *testing.T) {
	dir := write(t, fixture())
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, fam := range []string{"ase", "pmi"} {
		path := filepath.Join(dir, fam+".parquet")
		tb := readFile(t, path)
		col := slices.IndexFunc(tb.schema.Fields(), func(f arrow.Field) bool { return f.Name == "value" })
		var sum float64
		for _, row := range tb.cells {
			if v, ok := row[col].(float64); ok {
				sum += v
			}
		}
		var n int64
		var dsum sql.NullFloat64
		q := fmt.Sprintf("SELECT count(*), sum(value) FROM read_parquet('%s')", strings.ReplaceAll(path, "'", "''"))
		if err := db.QueryRow(q).Scan(&n, &dsum); err != nil {
			t.Fatalf("%s: %v", fam, err)
		}
		if int(n) != len(tb.cells) || !dsum.Valid || math.Abs(dsum.Float64-sum) > 1e-9*math.Max(1, math.Abs(sum)) {
			t.Errorf("%s: DuckDB reads %d rows summing to %v, pqarrow %d rows summing to %v", fam, n, dsum, len(tb.cells), sum)
		}
	}
}

// TestDatasetOrder checks that each file holds its family's rows in the
// dataset's order, unsorted, across record batches and row groups (of
// three quarters of a batch here, so that batches span two), as pqarrow
// and DuckDB read them.
func TestDatasetOrder(t *testing.T) {
	groupRows := parquet.BatchRows * 3 / 4
	parquet.SetRowGroupRows(t, groupRows)
	ds := bigDataset(2*parquet.BatchRows + parquet.BatchRows/2 + 7)
	rnd := rand.New(rand.NewPCG(1, 2))
	rnd.Shuffle(len(ds.Rows), func(i, j int) { ds.Rows[i], ds.Rows[j] = ds.Rows[j], ds.Rows[i] })
	dir := write(t, ds)
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, fam := range []string{"ase", "pmi"} {
		t.Run(fam, func(t *testing.T) {
			path := filepath.Join(dir, fam+".parquet")
			tb := readFile(t, path)
			got, want := tb.strings(), wantRows(ds, fam)
			if len(got) != len(want) {
				t.Fatalf("read %d rows, want %d", len(got), len(want))
			}
			for i := range want {
				if !slices.Equal(got[i], want[i]) {
					t.Fatalf("row %d:\n got %q\nwant %q", i, got[i], want[i])
				}
			}
			if n, want := tb.reader.NumRowGroups(), (len(want)+groupRows-1)/groupRows; n != want || n < 2 {
				t.Errorf("%d row groups, want %d (at least 2)", n, want)
			}

			// DuckDB reads them in the same order.
			rows, err := db.Query(`SELECT period, territory, sex, value FROM read_parquet(?)`, path)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			cols := columns(ds)
			period, territory, sex, value := slices.Index(cols, "period"), slices.Index(cols, "territory"), slices.Index(cols, "sex"), slices.Index(cols, "value")
			i := 0
			for ; rows.Next(); i++ {
				var p int32
				var terr string
				var sx sql.NullString
				var val sql.NullFloat64
				if err := rows.Scan(&p, &terr, &sx, &val); err != nil {
					t.Fatal(err)
				}
				if i >= len(want) {
					continue
				}
				got := []string{strconv.Itoa(int(p)), terr, null, null}
				if sx.Valid {
					got[2] = sx.String
				}
				if val.Valid {
					got[3] = render(val.Float64)
				}
				if w := want[i]; !slices.Equal(got, []string{w[period], w[territory], w[sex], w[value]}) {
					t.Fatalf("DuckDB row %d = %q, want %q", i, got, w)
				}
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			if i != len(want) {
				t.Errorf("DuckDB reads %d rows, want %d", i, len(want))
			}
		})
	}
}

// render writes a text rendering of a file: schema, rows, metadata.
func (t *table) render() string {
	var b strings.Builder
	b.WriteString("# schema\n")
	for _, fld := range t.schema.Fields() {
		fmt.Fprintf(&b, "%s: %s nullable=%v\n", fld.Name, fld.Type, fld.Nullable)
	}
	b.WriteString("# rows\n")
	for _, row := range t.strings() {
		b.WriteString(strings.Join(row, "\t"))
		b.WriteByte('\n')
	}
	b.WriteString("# metadata\n")
	for _, k := range t.keys {
		fmt.Fprintf(&b, "%s = %s\n", k, t.meta[k])
	}
	return b.String()
}

func TestGolden(t *testing.T) {
	dir := write(t, fixture())
	for _, fam := range []string{"ase", "pmi"} {
		t.Run(fam, func(t *testing.T) {
			got := readFile(t, filepath.Join(dir, fam+".parquet")).render()
			exporttest.Golden(t, fam+".golden", []byte(got))
		})
	}
}

func TestEmptyDataset(t *testing.T) {
	t.Run("no rows", func(t *testing.T) {
		ds := fixture()
		ds.Rows = nil
		dir := write(t, ds)
		if got, want := listDir(t, dir), []string{"ase.parquet", "pmi.parquet"}; !slices.Equal(got, want) {
			t.Errorf("files = %q, want %q", got, want)
		}
		for _, fam := range []string{"ase", "pmi"} {
			tb := readFile(t, filepath.Join(dir, fam+".parquet"))
			if len(tb.cells) != 0 || tb.schema.NumFields() != len(columns(ds)) {
				t.Errorf("%s: %d rows and %d columns, want 0 and %d", fam, len(tb.cells), tb.schema.NumFields(), len(columns(ds)))
			}
			if _, ok := tb.meta[parquet.KeyIndicators]; !ok {
				t.Errorf("%s: no %s in an empty file", fam, parquet.KeyIndicators)
			}
		}
	})
	t.Run("no indicators", func(t *testing.T) {
		ds := fixture()
		ds.Rows, ds.Indicators = nil, nil
		dir := write(t, ds)
		if got := listDir(t, dir); len(got) != 0 {
			t.Errorf("files = %q, want none", got)
		}
	})
	t.Run("family without rows", func(t *testing.T) {
		ds := fixture()
		ds.Rows = slices.DeleteFunc(ds.Rows, func(r export.Row) bool { return strings.HasPrefix(r.Indicator, "pmi") })
		dir := write(t, ds)
		if tb := readFile(t, filepath.Join(dir, "pmi.parquet")); len(tb.cells) != 0 {
			t.Errorf("pmi: %d rows, want 0", len(tb.cells))
		}
		if tb := readFile(t, filepath.Join(dir, "ase.parquet")); len(tb.cells) != 4 {
			t.Errorf("ase: %d rows, want 4", len(tb.cells))
		}
	})
}

// TestRoundTrip checks that awkward strings and numbers come back
// exactly, and that a dimension a row lacks is NULL, not "".
func TestRoundTrip(t *testing.T) {
	nasty := "Côte-d'Or; \"Nord\"\nx"
	tests := []struct {
		name string
		row  export.Row
	}{
		{"territory with quotes, semicolon, newline, accents", export.Row{Territory: nasty,
			Dims: map[string]string{"sex": "F", "age_band": "0-5 ans"}, Value: f(1)}},
		{"dimension with quotes, semicolon, newline, accents", export.Row{Territory: "ARRAS",
			Dims: map[string]string{"sex": nasty, "age_band": "a,b"}, Value: f(2)}},
		{"comma, tab, backslash", export.Row{Territory: "a,b\tc\nd\\e",
			Dims: map[string]string{"sex": `""`, "age_band": "'"}, Value: f(3)}},
		{"leading and trailing spaces", export.Row{Territory: "  Lens  ",
			Dims: map[string]string{"sex": " ", "age_band": "x "}, Value: f(4)}},
		{"NULL-looking strings", export.Row{Territory: "NULL",
			Dims: map[string]string{"sex": "null", "age_band": "∅"}, Value: f(5)}},
		{"empty string dimension is not NULL", export.Row{Territory: "LENS",
			Dims: map[string]string{"sex": "", "age_band": export.Total}, Value: f(6)}},
		{"absent dimensions are NULL", export.Row{Territory: "LENS", Value: f(7)}},
		{"one dimension absent", export.Row{Territory: "LENS",
			Dims: map[string]string{"age_band": "6-10 ans"}, Value: f(8)}},
		{"awkward numbers", export.Row{Territory: "LENS", Numerator: f(1.0 / 3), Denominator: f(0.1 + 0.2),
			Value: f(123456789.123456789), Previous: f(-1e-300), Evolution: f(math.MaxFloat64)}},
		{"integers beyond 2^53", export.Row{Territory: "LENS", Numerator: f(1<<53 + 2), Value: f(-1e21)}},
		{"unicode", export.Row{Territory: "Zürich – 東京 🚸", Unit: export.PerMille, Value: f(10)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := fixture()
			r := tt.row
			r.Indicator, r.Dep, r.Period, r.Status = "pmi_consultations", "62", 2024, export.Final
			if r.Unit == 0 {
				r.Unit = export.Count
			}
			ds.Rows = []export.Row{r}
			dir := write(t, ds)
			tb := readFile(t, filepath.Join(dir, "pmi.parquet"))
			got, want := tb.strings(), wantRows(ds, "pmi")
			if len(got) != 1 || !slices.Equal(got[0], want[0]) {
				t.Errorf("read\n%q\nwant\n%q", got, want)
			}
		})
	}
}

// TestCarriageReturn checks that a carriage return in a text value
// round-trips, wherever the row is (a CSV reader left to detect the line
// separator from the first line would pick \r or \r\n on a CR in the
// first row).
func TestCarriageReturn(t *testing.T) {
	for _, s := range []string{"a\rb", "a\r\nb", "a\r"} {
		for _, first := range []bool{false, true} {
			// No "=" in the name: it is in t.TempDir's path (see
			// TestHiveLikeDirectory).
			where := "later row"
			if first {
				where = "first row"
			}
			t.Run(fmt.Sprintf("%q in %s", s, where), func(t *testing.T) {
				ds := fixture()
				i := slices.IndexFunc(ds.Rows, func(r export.Row) bool { return r.Territory == "BETHUNE" })
				ds.Rows[i].Territory = s
				if first {
					ds.Rows[0], ds.Rows[i] = ds.Rows[i], ds.Rows[0]
				}
				dir := write(t, ds)
				got, want := readFile(t, filepath.Join(dir, "pmi.parquet")).strings(), wantRows(ds, "pmi")
				if !slices.EqualFunc(got, want, slices.Equal) {
					t.Errorf("read\n%q\nwant\n%q", got, want)
				}
			})
		}
	}
}

func TestWriteFamiliesErrors(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T) (dir string, ds *export.Dataset)
		want  string
		files []string // left in dir, if it is a directory
	}{
		{"directory under a regular file", func(t *testing.T) (string, *export.Dataset) {
			file := filepath.Join(t.TempDir(), "file")
			if err := os.WriteFile(file, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			return filepath.Join(file, "parquet"), fixture()
		}, "not a directory", nil},
		{"directory is a regular file", func(t *testing.T) (string, *export.Dataset) {
			file := filepath.Join(t.TempDir(), "parquet")
			if err := os.WriteFile(file, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			return file, fixture()
		}, "not a directory", nil},
		{"period beyond INTEGER", func(t *testing.T) (string, *export.Dataset) {
			ds := fixture()
			ds.Rows[4].Period = 1 << 40
			return filepath.Join(t.TempDir(), "parquet"), ds
		}, "parquet: write", []string{"ase.parquet"}}, // no half-written pmi.parquet
		{"breakdown not declared", func(t *testing.T) (string, *export.Dataset) {
			ds := fixture()
			ds.Rows[4].Dims = map[string]string{"sex": "F", "mode": "placement"}
			return filepath.Join(t.TempDir(), "parquet"), ds
		}, `breakdown "mode" is not in the dataset's dimensions`, []string{"ase.parquet"}},
		{"dimension clashes with a column", func(t *testing.T) (string, *export.Dataset) {
			ds := fixture()
			ds.Dimensions = append(ds.Dimensions, "value")
			return filepath.Join(t.TempDir(), "parquet"), ds
		}, `parquet: dimension "value" clashes`, nil},
		{"empty dimension name", func(t *testing.T) (string, *export.Dataset) {
			ds := fixture()
			ds.Dimensions = append(ds.Dimensions, "")
			return filepath.Join(t.TempDir(), "parquet"), ds
		}, `parquet: dimension "" clashes`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, ds := tt.setup(t)
			err := parquet.WriteFamilies(dir, ds)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("WriteFamilies error = %v, want it to contain %q", err, tt.want)
			}
			if st, serr := os.Stat(dir); serr == nil && st.IsDir() {
				if names := listDir(t, dir); !slices.Equal(names, tt.files) {
					t.Errorf("files left in %s = %q, want %q", dir, names, tt.files)
				}
			}
		})
	}
}

// bigDataset is n rows over both families of the fixture, varied in
// period, territory, breakdown and value.
func bigDataset(n int) *export.Dataset {
	ds := fixture()
	base := ds.Rows
	terr := []string{export.Total, "ARRAS", "LENS", "BETHUNE", "BOULOGNE", "CALAIS", "SAINT-OMER", "MONTREUIL"}
	ds.Rows = make([]export.Row, n)
	for i := range ds.Rows {
		r := base[i%len(base)]
		r.Period = 2000 + i%25
		r.Territory = terr[(i/len(base))%len(terr)]
		if r.Dims != nil {
			r.Dims = map[string]string{"sex": []string{"F", "M", export.Total}[i%3], "age_band": strconv.Itoa(i%18) + " ans"}
		}
		if r.Value.Valid() {
			r.Value = f(float64(i) / 7)
		}
		ds.Rows[i] = r
	}
	return ds
}

func BenchmarkWriteFamilies(b *testing.B) {
	ds := bigDataset(200_000)
	dir := filepath.Join(b.TempDir(), "parquet")
	b.ReportAllocs()
	for b.Loop() {
		if err := parquet.WriteFamilies(dir, ds); err != nil {
			b.Fatal(err)
		}
	}
}

// TestColumnsAreThoseOfIndicatorValues: a column of the files that the
// warehouse's view indicator_values also has bears its name and its type
// (as DuckDB reads the file), in its order; every column of the view is
// in the files but run_id (the file's run is in its metadata) and the
// breakdowns the dataset does not have; the files' own columns are the
// territory's and the service's names and the mark of hidden cells.
func TestColumnsAreThoseOfIndicatorValues(t *testing.T) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, m := range schema.Migrations() {
		if _, err := db.Exec(m.Text); err != nil {
			t.Fatalf("migration %s: %v", m.Name, err)
		}
	}
	describe := func(q string) (names []string, types map[string]string) {
		t.Helper()
		rows, err := db.Query("DESCRIBE " + q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		types = map[string]string{}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			name, typ := fmt.Sprint(vals[0]), fmt.Sprint(vals[1])
			names = append(names, name)
			types[name] = typ
		}
		return names, types
	}
	viewCols, viewTypes := describe("SELECT * FROM indicator_values")
	ds := fixture()
	ds.Dimensions = []string{"service", "sex", "age_band"}
	dir := write(t, ds)
	own := map[string]bool{"territory_label": true, "service_label": true, "conf": true}
	for _, fam := range []string{"ase", "pmi"} {
		path := filepath.Join(dir, fam+".parquet")
		fileCols, fileTypes := describe(fmt.Sprintf("SELECT * FROM read_parquet('%s')", strings.ReplaceAll(path, "'", "''")))
		var inView []string
		for _, c := range fileCols {
			switch {
			case own[c]:
				if fileTypes[c] != "VARCHAR" {
					t.Errorf("%s: column %s is %s, want VARCHAR", fam, c, fileTypes[c])
				}
			case viewTypes[c] == "":
				t.Errorf("%s: column %s is not a column of indicator_values %q", fam, c, viewCols)
			case viewTypes[c] != fileTypes[c]:
				t.Errorf("%s: column %s is %s, %s in indicator_values", fam, c, fileTypes[c], viewTypes[c])
			default:
				inView = append(inView, c)
			}
		}
		var want []string
		for _, c := range viewCols {
			if c == "run_id" || (slices.Contains(indicators.Dimensions, c) && !slices.Contains(ds.Dimensions, c)) {
				continue
			}
			want = append(want, c)
		}
		if !slices.Equal(inView, want) {
			t.Errorf("%s: the columns of indicator_values in the file are\n%q, want\n%q", fam, inView, want)
		}
	}
}
