package extract

import (
	"context"
	"errors"
	"testing"
)

func TestNormalize(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Catégorie", "categorie"},
		{"  CATÉGORIE  ", "categorie"},
		{"Présence\u00a0 sociale", "presence sociale"},
		{"Tranche d’âge", "tranche d'age"},
		{"N° individu", "n° individu"},
		{"Hénin-Carvin", "henin-carvin"},
		{"EPP  réalisés", "epp realises"},
		{"plain ascii", "plain ascii"},
	} {
		if got := Normalize(c.in); got != c.want {
			t.Errorf("Normalize(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestTerritoriesResolve(t *testing.T) {
	tr := NewTerritories()
	tr.Add("62215", "HEN", "Hénin-Carvin")
	for _, s := range []string{"HEN", "hen", "Hénin-Carvin", "HENIN-CARVIN"} {
		if code, ok := tr.Resolve(s); !ok || code != "HEN" {
			t.Errorf("Resolve(%q) = %q, %v", s, code, ok)
		}
	}
	if _, ok := tr.Resolve("Lens"); ok {
		t.Error("Resolve(Lens) should fail")
	}
	if code, ok := tr.OfCommune("62215"); !ok || code != "HEN" {
		t.Errorf("OfCommune = %q, %v", code, ok)
	}
}

func TestCanonical(t *testing.T) {
	if got, ok := Canonical(MeasureNatures, "pupille de l’etat"); !ok || got != "Pupille de l'État" {
		t.Errorf("Canonical = %q, %v", got, ok)
	}
}

func BenchmarkNormalize(b *testing.B) {
	for i := 0; i < b.N; i++ {
		Normalize("Accueil provisoire jeune majeur")
		Normalize("Établissement (MECS)")
	}
}

type recordingSink struct{ rows [][]any }

func (r *recordingSink) Append(table string, values ...any) error {
	r.rows = append(r.rows, append([]any{table}, values...))
	return nil
}
func (r *recordingSink) Stage(string) string { return "" }
func (r *recordingSink) Exec(context.Context, string, ...any) (int64, error) {
	return 0, nil
}

func TestBufferReplaysInOrderAndCopies(t *testing.T) {
	var b Buffer
	row := []any{"62", int64(1)}
	b.Append("t", row...)
	row[1] = int64(2) // a job reusing its slice
	b.Append("u", row...)
	if _, err := b.Exec(context.Background(), "SELECT 1"); !errors.Is(err, ErrNoExec) {
		t.Errorf("Exec: %v", err)
	}
	var s recordingSink
	if err := b.Replay(&s); err != nil {
		t.Fatal(err)
	}
	if len(s.rows) != 2 || s.rows[0][0] != "t" || s.rows[0][2] != int64(1) || s.rows[1][0] != "u" || s.rows[1][2] != int64(2) {
		t.Errorf("replayed %v", s.rows)
	}
}
