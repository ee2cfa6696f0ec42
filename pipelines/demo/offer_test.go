package demo

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCRIPJoinsASE: the register's D numbers are children of the ASE
// extract, with the same birth date; C numbers are not; unborn children
// have neither birth date nor sex; an outcome comes with the end of the
// evaluation, and a report to the prosecutor with its date.
func TestCRIPJoinsASE(t *testing.T) {
	tree := small(t)
	births := map[string]string{}
	for _, r := range readCSV(t, tree.Files[JobASE][0], true) {
		births[r["N° individu"]] = r["Date de naissance"]
	}
	rows := readCSV(t, tree.Files[JobCRIP][0], true)
	if int64(len(rows)) != tree.Rows[JobCRIP] {
		t.Fatalf("%d rows, tree says %d", len(rows), tree.Rows[JobCRIP])
	}
	ase, unborn, running := 0, 0, 0
	seen := map[string]bool{}
	for i, r := range rows {
		id := r["N° individu"]
		key := r["N° IP"] + "/" + id
		if seen[key] {
			t.Errorf("row %d: IP and child %s twice", i+2, key)
		}
		seen[key] = true
		switch {
		case strings.HasPrefix(id, "D"):
			ase++
			if b, ok := births[id]; !ok || b != r["Date de naissance"] {
				t.Errorf("row %d: child %s born %q, ASE extract says %q (in it: %v)", i+2, id, r["Date de naissance"], b, ok)
			}
		case strings.HasPrefix(id, "C"):
			if _, ok := births[id]; ok {
				t.Errorf("row %d: C number %s in the ASE extract", i+2, id)
			}
		default:
			t.Errorf("row %d: N° individu %q", i+2, id)
		}
		if r["Prénom"] == "Enfant à naître" {
			unborn++
			if r["Date de naissance"] != "" || r["Sexe"] != "" {
				t.Errorf("row %d: unborn child with birth date %q, sex %q", i+2, r["Date de naissance"], r["Sexe"])
			}
		}
		if (r["Suite donnée"] == "") != (r["Date de fin d'évaluation"] == "") {
			t.Errorf("row %d: outcome %q, end of evaluation %q", i+2, r["Suite donnée"], r["Date de fin d'évaluation"])
		}
		if r["Suite donnée"] == "" {
			running++
		}
		if (r["Suite donnée"] == "Signalement au procureur") != (r["Date de transmission au parquet"] != "") {
			t.Errorf("row %d: outcome %q, prosecutor %q", i+2, r["Suite donnée"], r["Date de transmission au parquet"])
		}
	}
	if ase == 0 || ase == len(rows) {
		t.Errorf("%d rows about ASE children of %d", ase, len(rows))
	}
	t.Logf("%d rows, %d about ASE children, %d unborn, %d evaluations running", len(rows), ase, unborn, running)
}

// TestPlacesOfAccueil: accueils say where they take place, in the
// establishments' lists or in another département; measures at home do
// not; every yearly list is a different file.
func TestPlacesOfAccueil(t *testing.T) {
	tree := small(t)
	finess := map[string]bool{}
	var contents []string
	for _, f := range tree.Files[JobEstablishments] {
		for _, r := range readCSV(t, f, false) {
			finess[r["N° FINESS"]] = true
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range contents {
			if c == string(b) {
				t.Errorf("%s: the same content as an earlier list", filepath.Base(f))
			}
		}
		contents = append(contents, string(b))
	}
	inList, outside := 0, 0
	for i, r := range readCSV(t, tree.Files[JobASE][0], true) {
		c, f := r["Commune du lieu d'accueil"], r["N° FINESS du lieu d'accueil"]
		if r["Mode d'accueil"] == "" {
			if c != "" || f != "" {
				t.Errorf("line %d: a measure at home placed in %q %q", i+2, c, f)
			}
			continue
		}
		switch {
		case f != "" && !strings.HasPrefix(f, "62"):
			outside++
		case f != "":
			if !finess[f] {
				t.Errorf("line %d: FINESS %s in no list", i+2, f)
			}
			inList++
		}
	}
	if inList == 0 || outside == 0 {
		t.Errorf("%d accueils in a listed establishment, %d outside the département", inList, outside)
	}
}
