package sdmx

import (
	"bytes"
	"strings"
	"testing"

	"github.com/odpe/odpe/pipelines/export"
	"github.com/odpe/odpe/pipelines/export/exporttest"
)

// checkStructure fails t when Validate finds a problem.
func checkStructure(t *testing.T, structure, data []byte) {
	t.Helper()
	if err := Validate(bytes.NewReader(structure), bytes.NewReader(data)); err != nil {
		t.Error(err)
	}
}

func TestStructureGolden(t *testing.T) {
	var data, structure bytes.Buffer
	idx, err := WriteIndexed(&data, fixture(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteStructure(&structure, fixture(), idx); err != nil {
		t.Fatal(err)
	}
	exporttest.Golden(t, "structure.xml", structure.Bytes())
	checkStructure(t, structure.Bytes(), data.Bytes())
}

// TestStructureOfCopiedLines: lines copied from the last file keep their
// codes in the structure.
func TestStructureOfCopiedLines(t *testing.T) {
	full := sorted()
	path, lastIdx := writeFile(t, t.TempDir(), "last.sdmx.csv", full)
	copied := []string{"ase_mineurs_confies", "prevention_ip"}
	changed := only(full, func(id string) bool { return id != copied[0] && id != copied[1] })
	var data, structure bytes.Buffer
	idx, err := WriteIndexed(&data, changed, &Previous{Path: path, Index: lastIdx, Indicators: copied})
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteStructure(&structure, changed, idx); err != nil {
		t.Fatal(err)
	}
	checkStructure(t, structure.Bytes(), data.Bytes())
	for _, want := range []string{`id="Y0T5"`, `id="62_BOULOGNE"`, `id="62_ARRAS"`} {
		if !strings.Contains(structure.String(), want) {
			t.Errorf("the structure lacks %s, a code of the copied lines", want)
		}
	}
}

func TestValueCode(t *testing.T) {
	for _, tt := range []struct{ value, want string }{
		{export.Total, "_T"},
		{"11-15 ans", "Y11T15"},
		{"0-5 ans", "Y0T5"},
		{"Moins de 11 ans", "Y_LT11"},
		{"22 ans et plus", "Y_GE22"},
		{"Établissement (MECS)", "ETABLISSEMENT_MECS"},
		{"Lieu de vie et d'accueil", "LIEU_DE_VIE_ET_D_ACCUEIL"},
		{"SPS-62-07", "SPS_62_07"},
		{"F", "F"},
		{"—", "_X"},
	} {
		if got := ValueCode(tt.value); got != tt.want {
			t.Errorf("ValueCode(%q) = %s, want %s", tt.value, got, tt.want)
		}
	}
	if got := AreaCode("62", export.Total); got != "62" {
		t.Errorf("AreaCode(62, Ensemble) = %s", got)
	}
	if got := AreaCode("2A", "Ajaccio-Est"); got != "2A_AJACCIO_EST" {
		t.Errorf("AreaCode(2A, Ajaccio-Est) = %s", got)
	}
}

func TestStructureErrors(t *testing.T) {
	ds := fixture()
	ds.Rows[1].Dims = map[string]string{"sex": "F", "age_band": "Accueil-familial"}
	ds.Rows[2].Dims = map[string]string{"sex": "M", "age_band": "Accueil familial"}
	var data bytes.Buffer
	idx, err := WriteIndexed(&data, ds, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := StructureOf(ds, idx); err == nil || !strings.Contains(err.Error(), `values "Accueil familial" and "Accueil-familial" have the same code ACCUEIL_FAMILIAL`) {
		t.Errorf("two values with one code: err = %v", err)
	}
	ds = fixture()
	ds.StructureID = "DF_PROTECTION_ENFANCE"
	if _, err := StructureOf(ds, idx); err == nil || !strings.Contains(err.Error(), "AGENCY:ID(VERSION)") {
		t.Errorf("bad structure id: err = %v", err)
	}
}

// TestStructureNamesPlaces: the code lists name each territory and
// service as the warehouse does; a territory without a name keeps its
// code's description.
func TestStructureNamesPlaces(t *testing.T) {
	ds := fixture()
	ds.Territories = map[export.Place]string{{Dep: "62", Code: "ARRAS"}: "Arrageois"}
	ds.Services = map[export.Place]string{{Dep: "62", Code: "SPS-62-07"}: "Service de prévention spécialisée de Boulogne"}
	ds.Dimensions = append(ds.Dimensions, "service")
	ds.Rows[1].Dims = map[string]string{"sex": "F", "age_band": "0-5 ans", "service": "SPS-62-07"}
	var data, structure bytes.Buffer
	idx, err := WriteIndexed(&data, ds, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteStructure(&structure, ds, idx); err != nil {
		t.Fatal(err)
	}
	checkStructure(t, structure.Bytes(), data.Bytes())
	for _, want := range []string{
		"Arrageois (territoire ARRAS, département 62)",
		"Territoire LENS (département 62)",
		"Service de prévention spécialisée de Boulogne",
		"Tranche d&#39;âge", // indicators.DimensionNames
	} {
		if !strings.Contains(structure.String(), want) {
			t.Errorf("the structure lacks %q", want)
		}
	}
}
