package pmi

import (
	"errors"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/odpe/odpe/pipelines/extract"
	"github.com/odpe/odpe/pipelines/extract/extracttest"
)

func newJob(t *testing.T) extract.Job {
	t.Helper()
	k, ok := extract.Lookup(Kind)
	if !ok {
		t.Fatalf("kind %q not registered", Kind)
	}
	job, err := k.New(extracttest.Options(""))
	if err != nil {
		t.Fatal(err)
	}
	return job
}

func env() *extract.Env {
	return &extract.Env{Departement: "62", Territories: extracttest.Territories()}
}

func TestKind(t *testing.T) {
	k, _ := extract.Lookup(Kind)
	if !reflect.DeepEqual(k.Tables, []string{"pmi_monthly"}) || k.Retention != extract.Accumulate || k.NeedsKey {
		t.Fatalf("kind = %+v", k)
	}
	if _, err := k.New(extracttest.Options("sheet: PMI")); err == nil {
		t.Fatal("unknown option accepted")
	}
}

// TestSample checks the published 2011 totals.
func TestSample(t *testing.T) {
	sink, n, err := extracttest.Load(t, newJob(t), extracttest.Sample(t, "pmi_activite_2011.csv"), env())
	if err != nil {
		t.Fatal(err)
	}
	rows := sink.Rows("pmi_monthly")
	if n != 108 || len(rows) != 108 {
		t.Fatalf("read %d, appended %d; want 108 (9 territories × 12 months)", n, len(rows))
	}
	got := map[string]int64{}
	for _, r := range rows {
		for _, col := range []string{"epp", "epp_followed", "epp_referred", "puer_contacts", "puer_maternity", "sf_contacts", "sf_maternity", "bilan_sessions", "bilan_children"} {
			got[col] += r[col].(int64)
		}
	}
	want := map[string]int64{
		"epp": 2204, "epp_followed": 1036, "epp_referred": 352,
		"puer_contacts": 15935, "puer_maternity": 5686,
		"sf_contacts": 529, "sf_maternity": 314,
		"bilan_sessions": 3494, "bilan_children": 17463,
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("totals = %v\nwant %v", got, want)
	}
	first := extracttest.Row{"dep": "62", "territory": "ARR", "year": int64(2011), "month": int64(1),
		"epp": int64(24), "epp_followed": int64(15), "epp_referred": int64(4), "puer_contacts": int64(110),
		"puer_maternity": int64(77), "sf_contacts": int64(7), "sf_maternity": int64(7),
		"bilan_sessions": int64(29), "bilan_children": int64(249)}
	if !reflect.DeepEqual(rows[0], first) {
		t.Fatalf("first row = %v\nwant %v", rows[0], first)
	}
}

// TestWorkbook reads the same layout from a workbook, with an empty cell
// (not reported: NULL) and a territory given by name.
func TestWorkbook(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pmi_2012.xlsx")
	wb := excelize.NewFile()
	sheet := wb.GetSheetName(0)
	header := append([]any{"Territoire", "Année", "Mois"}, toAny(counts)...)
	rows := [][]any{header, {"Hénin-Carvin", 2012, 3, 20, 10, 4, 100, 50, nil, nil, 30, "1 200"}}
	for i, row := range rows {
		if err := wb.SetSheetRow(sheet, "A"+string(rune('1'+i)), &row); err != nil {
			t.Fatal(err)
		}
	}
	if err := wb.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	sink, _, err := extracttest.Load(t, newJob(t), path, env())
	if err != nil {
		t.Fatal(err)
	}
	want := []extracttest.Row{{"dep": "62", "territory": "HEN", "year": int64(2012), "month": int64(3),
		"epp": int64(20), "epp_followed": int64(10), "epp_referred": int64(4), "puer_contacts": int64(100),
		"puer_maternity": int64(50), "sf_contacts": nil, "sf_maternity": nil,
		"bilan_sessions": int64(30), "bilan_children": int64(1200)}}
	if got := sink.Rows("pmi_monthly"); !reflect.DeepEqual(got, want) {
		t.Fatalf("rows = %v\nwant %v", got, want)
	}
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

func TestMalformed(t *testing.T) {
	tests := []struct {
		file string
		want string
	}{
		{"unknown_territory.csv", `unknown_territory.csv: line 2, column "Territoire": value "XYZ": expected an MDS territory code or name of the mapping (ARR, ART, AUD, BOU, CAL, LEN, HEN, MON, TER)`},
		{"bad_month.csv", `bad_month.csv: line 2, column "Mois": value "13": expected a month number (1 to 12)`},
		{"bad_year.csv", `bad_year.csv: line 2, column "Année": value "11": expected a year (1900 to 2100)`},
		{"negative_count.csv", `negative_count.csv: line 2, column "Patientes orientées vers un autre professionnel suite à EPP": value "-3": expected a count (whole number ≥ 0)`},
		{"fractional_count.csv", `fractional_count.csv: line 2, column "Enfants vus bilans 3-4 ans": value "2,5": expected a count (whole number ≥ 0)`},
		{"maternity_above_total.csv", `maternity_above_total.csv: line 2, column "dont en maternité (puéricultrices)": value "120": expected at most the "Contacts puéricultrices" of the row (110)`},
		{"maternity_sf_above_total.csv", `maternity_sf_above_total.csv: line 2, column "dont en maternité (sages-femmes)": value "8": expected at most the "Contacts sages-femmes" of the row (7)`},
		{"duplicate_month.csv", `duplicate_month.csv: line 4, column "Mois": value "1": expected one row per territory and month (ARR 2011-01 is already on line 2)`},
		{"missing_column.csv", `missing_column.csv: missing column "Patientes suivies par une SF de PMI suite à EPP"; headers found: "Territoire", "Année", "Mois", "EPP réalisés"`},
		{"short_row.csv", `short_row.csv: line 2: expected 12 fields separated by ';' as in the header line, found 9`},
	}
	job := newJob(t)
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			_, _, err := extracttest.Load(t, job, filepath.Join("testdata", tt.file), env())
			if err == nil || err.Error() != tt.want {
				t.Fatalf("err = %v\nwant  %s", err, tt.want)
			}
			if !errors.Is(err, extract.ErrRejected) {
				t.Errorf("%v does not match ErrRejected", err)
			}
		})
	}
}

func TestNoMapping(t *testing.T) {
	_, _, err := extracttest.Load(t, newJob(t), extracttest.Sample(t, "pmi_activite_2011.csv"), &extract.Env{Departement: "62"})
	if want := "pmi: pmi_activite_2011.csv: no territory mapping in the configuration"; err == nil || err.Error() != want {
		t.Fatalf("err = %v", err)
	}
}
