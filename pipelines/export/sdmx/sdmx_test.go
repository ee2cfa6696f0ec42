package sdmx

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/odpe/odpe/pipelines/export"
	"github.com/odpe/odpe/pipelines/export/exporttest"
)

func f(v float64) export.Figure { return export.Known(v) }

// fixture is a small dataset with a suppressed cell, a provisional value, an
// incomplete value, a value that is not computable and a breakdown value
// holding a comma and a quote.
func fixture() *export.Dataset {
	return &export.Dataset{
		Profile:     "insee",
		Title:       "Protection de l'enfance",
		Generated:   time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC),
		RunID:       42,
		Threshold:   5,
		StructureID: "ODPE62:DF_PROTECTION_ENFANCE(1.0)",
		Dimensions:  []string{"sex", "age_band", "category"},
		Indicators: []export.Indicator{
			{ID: "ase_mineurs_confies", Label: "Mineurs confiés", Unit: "count", Breakdowns: []string{"sex", "age_band"}},
			{ID: "ase_taux_placement", Label: "Taux de placement, pour 1 000", Unit: "‰"},
			{ID: "ase_part_familial", Label: "Part de l'accueil familial", Unit: "%", Breakdowns: []string{"category"}},
		},
		Rows: []export.Row{
			{Indicator: "ase_mineurs_confies", Dep: "62", Period: 2023, Territory: export.Total,
				Dims:  map[string]string{"sex": export.Total, "age_band": export.Total},
				Value: f(2143), Numerator: f(2143), Unit: export.Count, Status: export.Final, Conf: export.Free},
			{Indicator: "ase_mineurs_confies", Dep: "62", Period: 2023, Territory: "ARRAS",
				Dims: map[string]string{"sex": "F", "age_band": "0-5 ans"},
				Unit: export.Count, Status: export.Final, Conf: export.Primary},
			{Indicator: "ase_mineurs_confies", Dep: "62", Period: 2023, Territory: "ARRAS",
				Dims: map[string]string{"sex": "M", "age_band": "0-5 ans"},
				Unit: export.Count, Status: export.Final, Conf: export.Secondary},
			{Indicator: "ase_taux_placement", Dep: "62", Period: 2024, Territory: export.Total,
				Value: f(11.2345678), Unit: export.PerMille, Status: export.Provisional, Conf: export.Free},
			{Indicator: "ase_taux_placement", Dep: "62", Period: 2024, Territory: "LENS",
				Value: f(-0.0000001), Unit: export.PerMille, Status: export.Incomplete, Conf: export.Free},
			{Indicator: "ase_part_familial", Dep: "62", Period: 2024, Territory: "BOULOGNE",
				Dims:  map[string]string{"category": `Accueil "familial", hors département`},
				Value: f(19.8), Unit: export.Percent, Status: export.Final, Conf: export.Free},
			{Indicator: "ase_part_familial", Dep: "62", Period: 2024, Territory: "LENS",
				Dims: map[string]string{"category": export.Total},
				Unit: export.Percent, Status: export.Final, Conf: export.Free},
		},
	}
}

func TestWriteGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, fixture()); err != nil {
		t.Fatalf("Write: %v", err)
	}
	exporttest.Golden(t, "dataset.csv", buf.Bytes())
}

func TestWriteFormat(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, fixture()); err != nil {
		t.Fatalf("Write: %v", err)
	}
	out := buf.String()
	if strings.HasPrefix(out, "\ufeff") {
		t.Error("output starts with a byte order mark")
	}
	lines := strings.SplitAfter(out, "\n")
	if last := lines[len(lines)-1]; last != "" {
		t.Errorf("output does not end with a line break: %q", last)
	}
	for i, l := range lines[:len(lines)-1] {
		if !strings.HasSuffix(l, "\r\n") {
			t.Errorf("line %d does not end with CRLF: %q", i+1, l)
		}
	}
	wantHeader := "STRUCTURE,STRUCTURE_ID,ACTION,FREQ,INDICATOR,REF_AREA,SEX,AGE_BAND,CATEGORY,TIME_PERIOD,OBS_VALUE,UNIT_MEASURE,OBS_STATUS,CONF_STATUS\r\n"
	if lines[0] != wantHeader {
		t.Errorf("header = %q, want %q", lines[0], wantHeader)
	}
}

func TestWriteRows(t *testing.T) {
	tests := []struct {
		name string
		row  int
		want string
	}{
		{"département total", 0, "dataflow,ODPE62:DF_PROTECTION_ENFANCE(1.0),I,A,ase_mineurs_confies,62,_T,_T,_Z,2023,2143,PERS,A,F"},
		{"primary suppression: one mark, age band code", 1, "dataflow,ODPE62:DF_PROTECTION_ENFANCE(1.0),I,A,ase_mineurs_confies,62_ARRAS,F,Y0T5,_Z,2023,,PERS,Q,C"},
		{"secondary suppression: the same mark", 2, "dataflow,ODPE62:DF_PROTECTION_ENFANCE(1.0),I,A,ase_mineurs_confies,62_ARRAS,M,Y0T5,_Z,2023,,PERS,Q,C"},
		{"provisional, rounded, not applicable", 3, "dataflow,ODPE62:DF_PROTECTION_ENFANCE(1.0),I,A,ase_taux_placement,62,_Z,_Z,_Z,2024,11.234568,PER_1000,P,F"},
		{"incomplete, negative zero", 4, "dataflow,ODPE62:DF_PROTECTION_ENFANCE(1.0),I,A,ase_taux_placement,62_LENS,_Z,_Z,_Z,2024,0,PER_1000,U,F"},
		{"label coded", 5, "dataflow,ODPE62:DF_PROTECTION_ENFANCE(1.0),I,A,ase_part_familial,62_BOULOGNE,_Z,_Z,ACCUEIL_FAMILIAL_HORS_DEPARTEMENT,2024,19.8,PT,A,F"},
		{"not computable", 6, "dataflow,ODPE62:DF_PROTECTION_ENFANCE(1.0),I,A,ase_part_familial,62_LENS,_Z,_Z,_T,2024,,PT,M,F"},
	}
	var buf bytes.Buffer
	if err := Write(&buf, fixture()); err != nil {
		t.Fatalf("Write: %v", err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\r\n"), "\r\n")
	if got, want := len(lines), len(fixture().Rows)+1; got != want {
		t.Fatalf("got %d lines, want %d", got, want)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := lines[tt.row+1]; got != tt.want {
				t.Errorf("row %d:\n got %s\nwant %s", tt.row, got, tt.want)
			}
		})
	}
}

func TestWriteErrors(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*export.Dataset)
		want   string
	}{
		{"unknown unit", func(ds *export.Dataset) { ds.Rows[0].Unit = 0 }, `row 0 (ase_mineurs_confies, 62, 2023, Ensemble): unit ""`},
		{"unknown status", func(ds *export.Dataset) { ds.Rows[3].Status = 0 }, `row 3 (ase_taux_placement, 62, 2024, Ensemble): status ""`},
		{"unknown conf", func(ds *export.Dataset) { ds.Rows[1].Conf = 3 }, `confidentiality "#3"`},
		{"undeclared breakdown", func(ds *export.Dataset) { ds.Rows[6].Dims["public"] = "x" }, `breakdown "public" is not in the dataset's dimensions`},
		{"duplicate column", func(ds *export.Dataset) { ds.Dimensions = append(ds.Dimensions, "ageBand") }, `dimension "ageBand" maps to column AGE_BAND, already used by "age_band"`},
		{"reserved column", func(ds *export.Dataset) { ds.Dimensions = append(ds.Dimensions, "obs value") }, `maps to column OBS_VALUE`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := fixture()
			tt.modify(ds)
			err := Write(&bytes.Buffer{}, ds)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Write error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestColumnName(t *testing.T) {
	tests := map[string]string{
		"sex":           "SEX",
		"age_band":      "AGE_BAND",
		"ageBand":       "AGE_BAND",
		"tranche d'âge": "TRANCHE_D_AGE",
		"Événement":     "EVENEMENT",
		"  mode  ":      "MODE",
		"level2Code":    "LEVEL2_CODE",
		"--":            "",
	}
	for in, want := range tests {
		if got := ColumnName(in); got != want {
			t.Errorf("ColumnName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFormatValue(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0"},
		{2143, "2143"},
		{1234567, "1234567"},
		{19.8, "19.8"},
		{0.1 + 0.2, "0.3"},
		{1.0000004, "1"},
		{1.0000005, "1.000001"},
		{-3.25, "-3.25"},
		{-0.0000001, "0"},
		{1e-7, "0"},
		{123456789012.5, "123456789012.5"},
	}
	for _, tt := range tests {
		got, err := FormatValue(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("FormatValue(%v) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func BenchmarkWrite(b *testing.B) {
	base := fixture()
	ds := *base
	ds.Rows = make([]export.Row, 100_000)
	for i := range ds.Rows {
		ds.Rows[i] = base.Rows[i%len(base.Rows)]
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := Write(io.Discard, &ds); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzColumnName checks that any breakdown name gives an SDMX id: upper
// case ASCII letters, digits and single inner underscores.
func FuzzColumnName(f *testing.F) {
	for _, s := range []string{"age_band", "ageBand", "tranche d'âge", "__x__", "É"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		got := ColumnName(name)
		if strings.HasPrefix(got, "_") || strings.HasSuffix(got, "_") || strings.Contains(got, "__") {
			t.Errorf("ColumnName(%q) = %q: stray underscore", name, got)
		}
		for _, r := range got {
			if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
				t.Fatalf("ColumnName(%q) = %q: invalid rune %q", name, got, r)
			}
		}
	})
}
