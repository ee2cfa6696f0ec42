package extract

import "testing"

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
