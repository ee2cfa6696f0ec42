package extract

import (
	"errors"
	"strings"
	"testing"
)

func TestRevisionKey(t *testing.T) {
	for _, c := range []struct{ name, want string }{
		{"pmi_activite_2023.csv", "20239999.0000"},
		{"pmi_activite_2023_rectificatif.csv", "20239999.0001"},
		{"pmi_activite_2023_rectificatif2.csv", "20239999.0002"},
		{"pmi_activite_2023-v3.xlsx", "20239999.0003"},
		{"pmi_activite_202403.csv", "20240399.0000"},
		{"pmi_activite_2025_01.csv", "20250199.0000"},
		{"pmi_activite_2025-06-30.csv", "20250630.0000"},
		{"pmi_activite_2023_valide.csv", "20239999.0000"},
		{"pmi_activite.csv", ""},
		{"pmi_export (1).csv", ""},
	} {
		if got := RevisionKey(c.name); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
	// A revision ranks after its year, a year after its months.
	if !(RevisionKey("pmi_activite_2023_rectificatif.csv") > RevisionKey("pmi_activite_2023.csv") &&
		RevisionKey("pmi_activite_2023.csv") > RevisionKey("pmi_activite_202312.csv") &&
		RevisionKey("pmi_activite_2024_01.csv") > RevisionKey("pmi_activite_2023_rectificatif.csv")) {
		t.Error("keys out of order")
	}
}

func TestDateTemplate(t *testing.T) {
	tmpl, err := ParseDateTemplate("ase_mesures_YYYYMMDD.csv")
	if err != nil {
		t.Fatal(err)
	}
	d, err := tmpl.Date("ase_mesures_20250630.csv")
	if err != nil || d.Format("2006-01-02") != "2025-06-30" {
		t.Errorf("date %v, %v", d, err)
	}
	for _, bad := range []string{"ase_mesures.csv", "ase_mesures_2025063.csv", "ase_mesures_20251332.csv", "copie ase_mesures_20250630.csv"} {
		_, err := tmpl.Date(bad)
		if err == nil || !errors.Is(err, ErrRejected) {
			t.Errorf("%s: %v, want a rejection", bad, err)
		}
	}
	star, _ := ParseDateTemplate("*_DDMMYYYY*.csv")
	if d, err := star.Date("export_iodas_30062025 (1).csv"); err != nil || d.Format("2006-01-02") != "2025-06-30" {
		t.Errorf("star template: %v, %v", d, err)
	}
	if _, err := ParseDateTemplate("ase_YYYYMM.csv"); err == nil {
		t.Error("a template without DD accepted")
	}
}

// FuzzNameKeys: any name gives a key of the documented shape, or none; a
// template's date, or a rejection.
func FuzzNameKeys(f *testing.F) {
	for _, s := range []string{"pmi_activite_2023_rectificatif.csv", "ase_mesures_20250630.csv", "2024-13-40", "v2", "ase_mesures_99999999.csv"} {
		f.Add(s)
	}
	tmpl, err := ParseDateTemplate("ase_mesures_YYYYMMDD.csv")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if k := RevisionKey(name); k != "" && (len(k) != 13 || k[8] != '.') {
			t.Errorf("%q: key %q", name, k)
		}
		if d, err := tmpl.Date(name); err == nil {
			if k := DateKey(d.Year(), int(d.Month()), d.Day(), 0); !strings.HasPrefix(name, "ase_mesures_"+k[:8]) {
				t.Errorf("%q: date %v", name, d)
			}
		} else if !errors.Is(err, ErrRejected) {
			t.Errorf("%q: %v", name, err)
		}
	})
}
