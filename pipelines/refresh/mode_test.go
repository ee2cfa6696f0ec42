package refresh_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/text/encoding/charmap"

	"github.com/odpe/odpe/pipelines/extract/pseudonym"
	"github.com/odpe/odpe/pipelines/refresh"
	"github.com/odpe/odpe/pipelines/refresh/refreshtest"
)

// TestModeOfPlacedChild: the mode of a child is that of its main accueil
// (issue 22, point 4). A child in a foster family since 2020 who also
// attends an accueil de jour since June 2024 lives with the foster
// family; of two residential accueils started the same day, the earliest
// recorded (the lower measure number) is the child's, whatever the
// pseudonyms.
func TestModeOfPlacedChild(t *testing.T) {
	path := refreshtest.Samples(t)
	dir := filepath.Dir(path)
	extract := filepath.Join(dir, "ase_mesures_20261121.csv")
	lines := "D900001;Martin;Léa;12/05/2012;F;62041;ARR;M9000001;Placement judiciaire;Judiciaire;Assistant familial;02/03/2020;;\r\n" +
		"D900001;Martin;Léa;12/05/2012;F;62041;ARR;M9000002;Accueil provisoire;Administratif;Accueil de jour;03/06/2024;;\r\n" +
		""
	// Children with two accueils of the same day, the later-numbered first
	// in the file: eight of them, so that an order of pseudonyms cannot
	// give the right mode to all by chance (1 in 256).
	for i := range 8 {
		child := fmt.Sprintf("D90001%d", i)
		lines += child + ";Petit;Noé;01/09/2010;M;62041;ARR;M90001" + fmt.Sprint(i) + "9;Placement judiciaire;Judiciaire;Établissement (MECS);15/01/2023;;\r\n" +
			child + ";Petit;Noé;01/09/2010;M;62041;ARR;M90001" + fmt.Sprint(i) + "8;Placement judiciaire;Judiciaire;Assistant familial;15/01/2023;;\r\n"
	}
	enc, err := charmap.Windows1252.NewEncoder().String(lines)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(extract, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(enc)
	f.Close()
	cfg, rep := refreshAt(t, path, refresh.Options{})
	if rep.Status != refresh.Success {
		t.Fatalf("refresh %s: %+v", rep.Status, rep.Rejected)
	}
	key, err := pseudonym.LoadKey(cfg.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		child string
		year  int
		want  string
	}{
		{"D900001", 2023, "Assistant familial"},
		{"D900001", 2024, "Assistant familial"},
		{"D900001", 2025, "Assistant familial"},
	} {
		got := text(t, cfg, `SELECT mode_accueil FROM core.ase_situation WHERE child_id = ? AND year = ?`, key.Pseudonym(c.child), c.year)
		if got != c.want {
			t.Errorf("%s at 31/12/%d: %q, want %q", c.child, c.year, got, c.want)
		}
	}
	for i := range 8 {
		child := fmt.Sprintf("D90001%d", i)
		if got := text(t, cfg, `SELECT mode_accueil FROM core.ase_situation WHERE child_id = ? AND year = 2024`, key.Pseudonym(child)); got != "Assistant familial" {
			t.Errorf("%s, two accueils of the same day: %q, want the earliest recorded's (Assistant familial)", child, got)
		}
	}
}
