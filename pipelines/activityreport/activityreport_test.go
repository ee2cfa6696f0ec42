package activityreport

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/odpe/odpe/pipelines/extract"
	"github.com/odpe/odpe/pipelines/extract/extracttest"
)

// samplePath locates the sample workbook under testdata/samples.
func samplePath(t *testing.T) string {
	t.Helper()
	return extracttest.Sample(t, "rapport_activite_SPS-62-07_2021.xlsx")
}

// territories62 is the territory mapping of the samples, reduced.
func territories62() *extract.Territories {
	t := extract.NewTerritories()
	t.Add("62041", "ARR", "Arrageois")
	t.Add("62215", "HEN", "Hénin-Carvin")
	t.Add("62637", "HEN", "Hénin-Carvin")
	return t
}

// appended is one Sink.Append call.
type appended struct {
	Table  string
	Values []any
}

// fakeSink records the rows a job appends.
type fakeSink struct{ rows []appended }

func (s *fakeSink) Append(table string, values ...any) error {
	s.rows = append(s.rows, appended{table, values})
	return nil
}

func (s *fakeSink) Stage(table string) string { return "stage." + table }

func (s *fakeSink) Exec(context.Context, string, ...any) (int64, error) {
	return 0, errors.New("fakeSink: Exec not supported")
}

func load(t *testing.T, path string) (*fakeSink, int64, error) {
	t.Helper()
	k, ok := extract.Lookup("activity_report")
	if !ok {
		t.Fatal("kind activity_report is not registered")
	}
	j, err := k.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	sink := &fakeSink{}
	f := extract.File{Path: path, Name: filepath.Base(path)}
	env := &extract.Env{Departement: "62", Territories: territories62()}
	n, err := j.Load(context.Background(), f, env, sink)
	return sink, n, err
}

func TestLoadSample(t *testing.T) {
	sink, n, err := load(t, samplePath(t))
	if err != nil {
		t.Fatal(err)
	}
	// 7 identification rows, 7 hours rows (Total included), 2×6 age bands,
	// the row of collective actions.
	if n != 27 {
		t.Errorf("rows read = %d, want 27", n)
	}
	report := func(v ...any) appended { return appended{tableReports, v} }
	hours := func(cat string, h float64) appended {
		return appended{tableHours, []any{"62", "SPS-62-07", 2021, cat, h, "rapport", nil, nil, nil}}
	}
	public := func(p, band, sex string, n int64) appended {
		return appended{tablePublic, []any{"62", "SPS-62-07", 2021, p, band, sex, n}}
	}
	want := []appended{
		report("62", "SPS-62-07", 2021, "Service de prévention spécialisée de Carvin", "Association La Vie Active",
			"HEN", "Carvin, Courrières, Libercourt, Oignies", 6.5, int64(37)),
		hours("Présence sociale", 1545),
		hours("Actions collectives", 2548),
		hours("Actions individuelles", 804.5),
		hours("Actions partenariales", 1082.5),
		hours("Ressources humaines", 1762.3),
		hours("Formation", 65.5),
	}
	for _, p := range []struct {
		public      string
		girls, boys []int64
	}{
		{"individuel", []int64{2, 9, 12, 11, 10, 4}, []int64{3, 14, 15, 16, 13, 6}},
		{"collectif", []int64{30, 55, 38, 20, 9, 2}, []int64{41, 62, 47, 26, 12, 3}},
	} {
		for i, band := range extract.PublicAgeBands {
			want = append(want, public(p.public, band, "F", p.girls[i]), public(p.public, band, "M", p.boys[i]))
		}
	}
	if len(sink.rows) != len(want) {
		t.Fatalf("appended %d rows, want %d", len(sink.rows), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(sink.rows[i], want[i]) {
			t.Errorf("row %d:\n got %v\nwant %v", i, sink.rows[i], want[i])
		}
	}
}

// The template as the sample fills it, cell by cell.
var template = map[string][][]any{
	"Identification": {
		{"Service", "Service de prévention spécialisée de Carvin"},
		{"Code service", "SPS-62-07"},
		{"Association gestionnaire", "Association La Vie Active"},
		{"Année", 2021},
		{"Territoire", "Hénin-Carvin"},
		{"Communes d'intervention", "Carvin, Courrières, Libercourt, Oignies"},
		{"ETP éducatifs", "6,5"},
	},
	"Heures": {
		{"Rapport d'activité 2021"},
		{},
		{"Répartition de l'activité"},
		{"Catégorie", "Heures", "Part (%)"},
		{"Présence sociale", "1\u00a0545"},
		{"Actions collectives", 2548},
		{"Actions individuelles", 804.5},
		{"Actions partenariales", "1 082,5"},
		{"Ressources humaines", 1762.3},
		{"Formation", 65.5},
		{"Total", 7807.8},
	},
	"Public": {
		{"Jeunes accompagnés individuellement"},
		{"Tranche d'âge", "Filles", "Garçons", "Total"},
		{"Moins de 11 ans", 2, 3, 5},
		{"11-13 ans", 9, 14, 23},
		{"14-15 ans", 12, 15, 27},
		{"16-17 ans", 11, 16, 27},
		{"18-21 ans", 10, 13, 23},
		{"22-25 ans", 4, 6, 10},
		{},
		{"Participants aux actions collectives"},
		{"Tranche d'âge", "Filles", "Garçons", "Total"},
		{"Moins de 11 ans", 30, 41, 71},
		{"11-13 ans", 55, 62, 117},
		{"14-15 ans", 38, 47, 85},
		{"16-17 ans", 20, 26, 46},
		{"18-21 ans", 9, 12, 21},
		{"22-25 ans", 2, 3, 5},
		{},
		{"Nombre d'actions collectives", 37},
	},
}

// edit changes a workbook built from template.
type edit func(wb *excelize.File) error

// set writes value into cell of sheet.
func set(sheet, cell string, value any) edit {
	return func(wb *excelize.File) error { return wb.SetCellValue(sheet, cell, value) }
}

// removeRow deletes a row of sheet (1-based), moving the rows below up.
func removeRow(sheet string, row int) edit {
	return func(wb *excelize.File) error { return wb.RemoveRow(sheet, row) }
}

// insertRow inserts an empty row before row (1-based).
func insertRow(sheet string, row int) edit {
	return func(wb *excelize.File) error { return wb.InsertRows(sheet, row, 1) }
}

// writeWorkbook saves template, changed by edits, as rapport.xlsx in a
// temporary directory.
func writeWorkbook(t *testing.T, edits ...edit) string {
	t.Helper()
	wb := excelize.NewFile()
	defer wb.Close()
	for _, name := range []string{"Identification", "Heures", "Public"} {
		if _, err := wb.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		for r, row := range template[name] {
			cell, _ := excelize.CoordinatesToCellName(1, r+1)
			if err := wb.SetSheetRow(name, cell, &row); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := wb.DeleteSheet("Sheet1"); err != nil {
		t.Fatal(err)
	}
	for _, e := range edits {
		if err := e(wb); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "rapport.xlsx")
	if err := wb.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRejected(t *testing.T) {
	const categories = "Présence sociale, Actions collectives, Actions individuelles, Actions partenariales, Ressources humaines, Formation"
	const bands = "Moins de 11 ans, 11-13 ans, 14-15 ans, 16-17 ans, 18-21 ans, 22-25 ans"
	tests := []struct {
		name  string
		edits []edit
		want  string
	}{
		{
			name:  "unknown category",
			edits: []edit{set("Heures", "A7", "Actions éducatives")},
			want:  `rapport.xlsx: sheet "Heures", cell A7, column "Catégorie": value "Actions éducatives": expected one of the activity categories ` + categories + `, or Total`,
		},
		{
			name:  "duplicate category",
			edits: []edit{set("Heures", "A7", "PRESENCE SOCIALE")},
			want:  `rapport.xlsx: sheet "Heures", cell A7, column "Catégorie": value "PRESENCE SOCIALE": expected each category once ("Présence sociale" is already in A5)`,
		},
		{
			name:  "total mismatch",
			edits: []edit{set("Heures", "B11", "7 900")},
			want:  `rapport.xlsx: sheet "Heures", cell B11, column "Heures": value "7 900": expected the sum of the categories, 7807.8 h (within 0.1 h)`,
		},
		{
			name:  "hours not a number",
			edits: []edit{set("Heures", "B6", "2548 h")},
			want:  `rapport.xlsx: sheet "Heures", cell B6, column "Heures": value "2548 h": expected ` + expectNumber,
		},
		{
			name: "formula without its result",
			edits: []edit{set("Heures", "B6", nil), func(wb *excelize.File) error {
				return wb.SetCellFormula("Heures", "B6", "2000+548")
			}},
			want: `rapport.xlsx: sheet "Heures", cell B6, column "Heures": value "": expected the result of the formula =2000+548, which the file does not hold (open and save the workbook in a spreadsheet application)`,
		},
		{
			name:  "negative hours",
			edits: []edit{set("Heures", "B10", -65.5)},
			want:  `rapport.xlsx: sheet "Heures", cell B10, column "Heures": value "-65.5": expected ` + expectNumber,
		},
		{
			name:  "missing table title",
			edits: []edit{set("Heures", "A3", "Activité")},
			want:  `rapport.xlsx: sheet "Heures": expected a cell reading "Répartition de l'activité", the title of a table`,
		},
		{
			name:  "missing column",
			edits: []edit{set("Heures", "B4", "Durée")},
			want:  `rapport.xlsx: sheet "Heures", cell A4:C4, column "Heures": value "": expected a column "Heures" in the header row of the table "Répartition de l'activité" (headers found: "Catégorie", "Durée", "Part (%)")`,
		},
		{
			name:  "no header row",
			edits: []edit{set("Heures", "A4", "Catégories")},
			want:  `rapport.xlsx: sheet "Heures", cell A3: value "Répartition de l'activité": expected a header row with the column "Catégorie" in the 5 rows below this title`,
		},
		{
			name:  "table without rows",
			edits: []edit{insertRow("Heures", 5)},
			want:  `rapport.xlsx: sheet "Heures", cell A5, column "Catégorie": value "": expected the first row of the table "Répartition de l'activité" right below its header row`,
		},
		{
			name:  "missing code service",
			edits: []edit{removeRow("Identification", 2)},
			want:  `rapport.xlsx: sheet "Identification", column "Code service": expected a row labelled "Code service" in column A, with its value in column B`,
		},
		{
			name:  "empty year",
			edits: []edit{set("Identification", "B4", "")},
			want:  `rapport.xlsx: sheet "Identification", cell B4, column "Année": value "": expected a value (required)`,
		},
		{
			name:  "year of two digits",
			edits: []edit{set("Identification", "B4", "21")},
			want:  `rapport.xlsx: sheet "Identification", cell B4, column "Année": value "21": expected a year of four digits, e.g. 2021`,
		},
		{
			name:  "duplicate label",
			edits: []edit{set("Identification", "A8", "ANNEE"), set("Identification", "B8", 2022)},
			want:  `rapport.xlsx: sheet "Identification", cell A8, column "Année": value "ANNEE": expected the label "Année" once (already in A4)`,
		},
		{
			name:  "unknown territory",
			edits: []edit{set("Identification", "B5", "Carvin")},
			want:  `rapport.xlsx: sheet "Identification", cell B5, column "Territoire": value "Carvin": expected an MDS territory code or name of the configuration: ARR (Arrageois), HEN (Hénin-Carvin)`,
		},
		{
			name:  "fte not a number",
			edits: []edit{set("Identification", "B7", "6 ETP")},
			want:  `rapport.xlsx: sheet "Identification", cell B7, column "ETP éducatifs": value "6 ETP": expected ` + expectNumber,
		},
		{
			name:  "missing sheet",
			edits: []edit{func(wb *excelize.File) error { return wb.SetSheetName("Public", "Publics") }},
			want:  `rapport.xlsx: sheet "Public": expected a sheet named "Public" (sheets found: "Identification", "Heures", "Publics")`,
		},
		{
			name:  "unknown age band",
			edits: []edit{set("Public", "A13", "11-14 ans")},
			want:  `rapport.xlsx: sheet "Public", cell A13, column "Tranche d'âge": value "11-14 ans": expected one of the age bands ` + bands + `, or Total`,
		},
		{
			name:  "count with a fraction",
			edits: []edit{set("Public", "C4", "14,5")},
			want:  `rapport.xlsx: sheet "Public", cell C4, column "Garçons": value "14,5": expected a count (whole number ≥ 0)`,
		},
		{
			name:  "row total mismatch",
			edits: []edit{set("Public", "D3", 6)},
			want:  `rapport.xlsx: sheet "Public", cell D3, column "Total": value "6": expected Filles + Garçons = 5`,
		},
		{
			name:  "total row mismatch",
			edits: []edit{insertRow("Public", 9), set("Public", "A9", "Total"), set("Public", "B9", 47), set("Public", "C9", 67)},
			want:  `rapport.xlsx: sheet "Public", cell B9, column "Filles": value "47": expected the sum of the age bands, 48`,
		},
		{
			name:  "missing second table",
			edits: []edit{set("Public", "A10", "Participants")},
			want:  `rapport.xlsx: sheet "Public": expected a cell reading "Participants aux actions collectives", the title of a table`,
		},
		{
			name:  "collective actions not a count",
			edits: []edit{set("Public", "B19", "une trentaine")},
			want:  `rapport.xlsx: sheet "Public", cell B19, column "Nombre d'actions collectives": value "une trentaine": expected a count (whole number ≥ 0)`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink, _, err := load(t, writeWorkbook(t, tt.edits...))
			if err == nil {
				t.Fatalf("no error; want %s", tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error:\n got %s\nwant %s", got, tt.want)
			}
			var de *extract.DataError
			if !errors.As(err, &de) {
				t.Errorf("error %T is not a *extract.DataError", err)
			}
			if !errors.Is(err, extract.ErrRejected) {
				t.Error("error does not match extract.ErrRejected")
			}
			if len(sink.rows) != 0 {
				t.Errorf("%d rows appended despite the error", len(sink.rows))
			}
		})
	}
}

// TestVariants checks what hand-filled workbooks do that the template does
// not: rows inserted, labels respelled, numbers typed as text, rows or
// columns left out.
func TestVariants(t *testing.T) {
	sampleHours := []float64{1545, 2548, 804.5, 1082.5, 1762.3, 65.5}
	tests := []struct {
		name    string
		edits   []edit
		hours   []float64
		actions *int64
		check   func(t *testing.T, rep *Report)
	}{
		{name: "template", hours: sampleHours, actions: ptr(int64(37))},
		{
			name: "rows inserted, blank rows before the header, labels respelled",
			edits: []edit{
				insertRow("Heures", 1), insertRow("Heures", 5), insertRow("Heures", 5),
				set("Heures", "A4", "REPARTITION  DE L\u2019ACTIVITE"),
				set("Heures", "A6", "Tableau saisi par le chef de service"),
				insertRow("Identification", 1), set("Identification", "A1", "Rapport 2021"),
				set("Identification", "A6", "territoire"), set("Identification", "B6", "hen"),
			},
			hours: sampleHours, actions: ptr(int64(37)),
		},
		{
			name: "text numbers with narrow no-break spaces, no total, no share column",
			edits: []edit{
				set("Heures", "B6", "2\u202f548"), set("Heures", "B9", "1762,3"),
				set("Heures", "C4", ""), removeRow("Heures", 11),
			},
			hours: sampleHours, actions: ptr(int64(37)),
		},
		{
			name:  "a category left out counts 0",
			edits: []edit{removeRow("Heures", 10), set("Heures", "B10", 7742.3)},
			hours: []float64{1545, 2548, 804.5, 1082.5, 1762.3, 0}, actions: ptr(int64(37)),
		},
		{
			name:  "total within 0.1 h",
			edits: []edit{set("Heures", "B11", "7 807,9")},
			hours: sampleHours, actions: ptr(int64(37)),
		},
		{
			name: "empty cells mean 0, Total column optional, no actions row",
			edits: []edit{
				set("Public", "B8", ""), set("Public", "C8", ""), set("Public", "D8", ""),
				set("Public", "D11", ""), removeRow("Public", 19),
			},
			hours: sampleHours,
			check: func(t *testing.T, rep *Report) {
				if p := rep.Public[10]; p.AgeBand != "22-25 ans" || p.Sex != "F" || p.Persons != 0 {
					t.Errorf("Public[10] = %+v, want 22-25 ans F 0", p)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := ReadFile(writeWorkbook(t, tt.edits...), "rapport.xlsx", territories62())
			if err != nil {
				t.Fatal(err)
			}
			if rep.ServiceCode != "SPS-62-07" || rep.Year != 2021 || rep.Territory != "HEN" {
				t.Errorf("identification = %q %d %q, want SPS-62-07 2021 HEN", rep.ServiceCode, rep.Year, rep.Territory)
			}
			for i, h := range rep.Hours {
				if h.Category != extract.ActivityCategories[i] || h.Hours != tt.hours[i] {
					t.Errorf("Hours[%d] = %+v, want %s %v", i, h, extract.ActivityCategories[i], tt.hours[i])
				}
			}
			if !reflect.DeepEqual(rep.CollectiveActions, tt.actions) {
				t.Errorf("CollectiveActions = %v, want %v", deref(rep.CollectiveActions), deref(tt.actions))
			}
			if len(rep.Public) != 24 {
				t.Errorf("%d public counts, want 24", len(rep.Public))
			}
			if tt.check != nil {
				tt.check(t, rep)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func deref[T any](p *T) string {
	if p == nil {
		return "nil"
	}
	return fmt.Sprint(*p)
}

func TestNotAWorkbook(t *testing.T) {
	_, _, err := load(t, extracttest.Sample(t, "territoires_62.csv"))
	if !errors.Is(err, extract.ErrRejected) {
		t.Fatalf("error %v does not match extract.ErrRejected", err)
	}
}

func TestKindRegistered(t *testing.T) {
	k, ok := extract.Lookup("activity_report")
	if !ok {
		t.Fatal("not registered")
	}
	if k.Pattern != "*.xlsx" || k.Retention != extract.Accumulate ||
		!reflect.DeepEqual(k.Tables, []string{"activity_reports", "activity_hours", "activity_public"}) {
		t.Errorf("kind = %+v", k)
	}
}
