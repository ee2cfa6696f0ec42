package refresh_test

import (
	"context"
	"database/sql"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"

	"github.com/odpe/odpe/configs"
	"github.com/odpe/odpe/pipelines/demo"
	"github.com/odpe/odpe/pipelines/refresh"
	"github.com/odpe/odpe/pipelines/refresh/refreshtest"
)

// sampleRecords reads a sample CSV with the standard library alone (not
// the extract jobs' reader): the figures it gives are computed
// independently of the code under test.
func sampleRecords(t *testing.T, name string, cp1252 bool) []map[string]string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(refreshtest.Root(), "testdata", "samples", name))
	if err != nil {
		t.Fatal(err)
	}
	if cp1252 {
		if raw, err = charmap.Windows1252.NewDecoder().Bytes(raw); err != nil {
			t.Fatal(err)
		}
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(raw), "\ufeff")))
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]string
	for _, rec := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = rec[i]
		}
		out = append(out, m)
	}
	return out
}

func frDate(t *testing.T, s string) (time.Time, bool) {
	t.Helper()
	if s == "" {
		return time.Time{}, false
	}
	d, err := time.Parse("02/01/2006", s)
	if err != nil {
		t.Fatal(err)
	}
	return d, true
}

// value returns an indicator's value for the whole département (every
// breakdown at its total), or fails.
func value(t *testing.T, db *sql.DB, indicator string, period int, where string) (numerator, value float64, status string) {
	t.Helper()
	q := `SELECT coalesce(numerator, 'NaN'), coalesce(value, 'NaN'), status FROM indicator_values
		WHERE indicator = ? AND period = ? AND territory = 'Ensemble'
		  AND coalesce(sex, 'Ensemble') = 'Ensemble' AND coalesce(age_band, 'Ensemble') = 'Ensemble'
		  AND coalesce(mode, 'Ensemble') = 'Ensemble' AND coalesce(event, 'Ensemble') = 'Ensemble'`
	if where != "" {
		q += " AND " + where
	} else {
		q += " AND coalesce(category, 'Ensemble') = 'Ensemble'"
	}
	if err := db.QueryRow(q, indicator, period).Scan(&numerator, &value, &status); err != nil {
		t.Fatalf("%s %d: %v", indicator, period, err)
	}
	return numerator, value, status
}

// TestCRIPAndOfferFigures holds the figures of the CRIP, foster-carer and
// establishment samples, computed from the files themselves, against the
// warehouse's indicators.
func TestCRIPAndOfferFigures(t *testing.T) {
	_, db := loadSamples(t)

	t.Run("IPs received and children concerned", func(t *testing.T) {
		ips, children := map[int]map[string]bool{}, map[int]map[string]bool{}
		for _, r := range sampleRecords(t, "crip_ip_20251231.csv", true) {
			d, _ := frDate(t, r["Date de réception"])
			if ips[d.Year()] == nil {
				ips[d.Year()], children[d.Year()] = map[string]bool{}, map[string]bool{}
			}
			ips[d.Year()][r["N° IP"]] = true
			children[d.Year()][r["N° individu"]] = true
		}
		want := map[int][2]int{2023: {72, 105}, 2024: {93, 118}, 2025: {65, 95}} // the figures
		for year, w := range want {
			if got := [2]int{len(ips[year]), len(children[year])}; got != w {
				t.Fatalf("%d from the file: %d IPs about %d children, want %v", year, got[0], got[1], w)
			}
			if n, _, _ := value(t, db, "crip_ips", year, ""); n != float64(w[0]) {
				t.Errorf("crip_ips %d = %g, want %d", year, n, w[0])
			}
			if n, _, _ := value(t, db, "crip_children", year, ""); n != float64(w[1]) {
				t.Errorf("crip_children %d = %g, want %d", year, n, w[1])
			}
		}
		if _, _, status := value(t, db, "crip_ips", 2025, ""); status != "final" {
			t.Errorf("2025 from a snapshot of 31/12/2025: %s, want final", status)
		}
		// The breakdowns add up to the IPs received.
		for _, ind := range []string{"crip_ips_by_origin", "crip_ips_by_danger"} {
			got := queryFloat(t, db, `SELECT sum(numerator) FROM indicator_values WHERE indicator = ? AND period = 2025
				AND territory = 'Ensemble' AND category <> 'Ensemble'`, ind)
			if got != 65 {
				t.Errorf("%s 2025 sums to %g, want 65", ind, got)
			}
		}
	})

	t.Run("evaluations and outcomes", func(t *testing.T) {
		// Per IP of 2024: the evaluation's end (the latest of its
		// children's) and the outcome.
		type ip struct {
			received, evaluated time.Time
			running             bool
			judicial            bool
		}
		ips := map[string]*ip{}
		for _, r := range sampleRecords(t, "crip_ip_20251231.csv", true) {
			rec, _ := frDate(t, r["Date de réception"])
			if rec.Year() != 2024 {
				continue
			}
			p := ips[r["N° IP"]]
			if p == nil {
				p = &ip{received: rec}
				ips[r["N° IP"]] = p
			}
			ev, ok := frDate(t, r["Date de fin d'évaluation"])
			p.running = p.running || !ok
			if ev.After(p.evaluated) {
				p.evaluated = ev
			}
			p.judicial = p.judicial || r["Suite donnée"] == "Signalement au procureur" || r["Suite donnée"] == "Information au juge des enfants déjà saisi"
		}
		within, evaluated, judicial := 0, 0, 0
		snapshot := time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)
		due := 0
		for _, p := range ips {
			deadline := p.received.AddDate(0, 3, 0)
			if !p.running {
				evaluated++
				if p.judicial {
					judicial++
				}
				if !p.evaluated.After(deadline) {
					within++
				}
			}
			if !p.running || !deadline.After(snapshot) {
				due++
			}
		}
		if n, v, _ := value(t, db, "crip_evaluated_within_3_months", 2024, ""); n != float64(within) || v != 100*float64(within)/float64(due) {
			t.Errorf("within 3 months 2024: %g (%g %%), want %d of %d", n, v, within, due)
		}
		if n, v, _ := value(t, db, "crip_judiciarisation_rate", 2024, ""); n != float64(judicial) || v != 100*float64(judicial)/float64(evaluated) {
			t.Errorf("judiciarisation 2024: %g (%g %%), want %d of %d", n, v, judicial, evaluated)
		}
		got := queryFloat(t, db, `SELECT sum(value) FROM indicator_values WHERE indicator = 'crip_outcome_share'
			AND period = 2024 AND territory = 'Ensemble' AND event <> 'Ensemble'`)
		if got < 99.999 || got > 100.001 {
			t.Errorf("outcome shares 2024 sum to %g %%", got)
		}
	})

	t.Run("foster carers at 31/12/2025", func(t *testing.T) {
		ref := time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)
		carers, places, old := 0, 0, 0
		for _, r := range sampleRecords(t, "assistants_familiaux_20251231.csv", true) {
			hired, _ := frDate(t, r["Date d'embauche"])
			end, ended := frDate(t, r["Date de fin de contrat"])
			if hired.After(ref) || (ended && end.Before(ref)) {
				continue
			}
			birth, _ := frDate(t, r["Date de naissance"])
			n, _ := strconv.Atoi(r["Places agréées"])
			carers, places = carers+1, places+n
			if 2025-birth.Year() >= 55 {
				old++
			}
		}
		if carers != 76 || places != 199 || old != 27 { // the figures
			t.Fatalf("from the file: %d carers, %d places, %d aged 55+; want 76, 199, 27", carers, places, old)
		}
		if n, _, _ := value(t, db, "offre_carers", 2025, ""); n != 76 {
			t.Errorf("offre_carers 2025 = %g, want 76", n)
		}
		if n, _, _ := value(t, db, "offre_carer_places", 2025, ""); n != 199 {
			t.Errorf("offre_carer_places 2025 = %g, want 199", n)
		}
		if n, v, _ := value(t, db, "offre_carers_55_plus_share", 2025, ""); n != 27 || v != 100*27.0/76 {
			t.Errorf("offre_carers_55_plus_share 2025 = %g (%g %%), want 27 of 76", n, v)
		}
		older := queryFloat(t, db, `SELECT sum(numerator) FROM indicator_values WHERE indicator = 'offre_carers'
			AND period = 2025 AND territory = 'Ensemble' AND age_band IN ('55-59 ans', '60 ans et plus')`)
		if older != 27 {
			t.Errorf("offre_carers 2025 aged 55+ by band: %g, want 27", older)
		}
	})

	t.Run("establishments open at 31/12/2025", func(t *testing.T) {
		ref := time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)
		open, places := 0, 0
		for _, r := range sampleRecords(t, "etablissements_2025.csv", false) {
			opened, _ := frDate(t, r["Date d'ouverture"])
			closed, isClosed := frDate(t, r["Date de fermeture"])
			if opened.After(ref) || (isClosed && !closed.After(ref)) {
				continue
			}
			n, _ := strconv.Atoi(r["Places habilitées ASE"])
			open, places = open+1, places+n
		}
		if open != 14 || places != 365 { // the figures
			t.Fatalf("from the file: %d open, %d places; want 14 and 365", open, places)
		}
		if n, _, _ := value(t, db, "offre_establishments", 2025, ""); n != 14 {
			t.Errorf("offre_establishments 2025 = %g, want 14", n)
		}
		if n, _, _ := value(t, db, "offre_places", 2025, ""); n != 365 {
			t.Errorf("offre_places 2025 = %g, want 365", n)
		}
		if n, _, _ := value(t, db, "offre_places", 2025, "category = 'MECS'"); n != 42+42+68+25 {
			t.Errorf("offre_places 2025 MECS = %g, want 177", n)
		}
	})

	t.Run("placements outside the territory need the optional columns", func(t *testing.T) {
		// The ASE sample is an older extract, without them.
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM indicator_values WHERE indicator IN
			('ase_placed_outside_territory', 'ase_placed_outside_departement')
			AND (status <> 'incomplete' OR numerator IS NOT NULL)`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%d values of an extract without placement columns are not incomplete", n)
		}
		if got := queryFloat(t, db, `SELECT count(*) FROM indicator_values WHERE indicator = 'ase_placed_outside_territory'`); got == 0 {
			t.Error("no value at all: want incomplete ones")
		}
	})
}

// TestDemoCRIPAndPlacements refreshes the small demo, whose ASE extract
// has the placement columns: the placements outside the territory are
// counted (not incomplete), and the IPs of each year are those of the
// generated register, counted from the file.
func TestDemoCRIPAndPlacements(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path, err := demo.Write(ctx, dir, demo.Scales["small"], 11)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := configs.Load(path, validators())
	if err != nil {
		t.Fatal(err)
	}
	rep, err := refresh.Run(ctx, cfg, refresh.Options{})
	if err != nil || rep.Status != refresh.Success {
		t.Fatalf("refresh: %v, %+v", err, rep)
	}
	db, err := refresh.Store(cfg).OpenReadOnly(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	for _, ind := range []string{"ase_placed_outside_territory", "ase_placed_outside_departement"} {
		var known, incomplete int
		if err := db.QueryRow(`SELECT count(*) FILTER (WHERE numerator IS NOT NULL AND status <> 'incomplete'),
			count(*) FILTER (WHERE status = 'incomplete') FROM indicator_values WHERE indicator = ?`, ind).Scan(&known, &incomplete); err != nil {
			t.Fatal(err)
		}
		if known == 0 || incomplete != 0 {
			t.Errorf("%s: %d values counted, %d incomplete; want all counted", ind, known, incomplete)
		}
	}
	if v := queryFloat(t, db, `SELECT max(value) FROM indicator_values WHERE indicator = 'ase_placed_outside_departement'
		AND territory = 'Ensemble'`); v <= 0 || v >= 50 {
		t.Errorf("placed outside the département: up to %g %%", v)
	}

	var file string
	for _, j := range cfg.Jobs {
		if j.Kind == "crip" {
			matches, _ := filepath.Glob(filepath.Join(j.Source, "crip_ip_*.csv"))
			if len(matches) != 1 {
				t.Fatalf("CRIP files: %v", matches)
			}
			file = matches[0]
		}
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	text, _ := charmap.Windows1252.NewDecoder().Bytes(raw)
	ips := map[int]map[string]bool{}
	for i, line := range strings.Split(strings.TrimSpace(string(text)), "\r\n") {
		f := strings.Split(line, ";")
		if i == 0 || len(f) < 9 {
			continue
		}
		d, _ := frDate(t, f[8]) // Date de réception
		if ips[d.Year()] == nil {
			ips[d.Year()] = map[string]bool{}
		}
		ips[d.Year()][f[0]] = true
	}
	if len(ips) < 5 {
		t.Fatalf("IPs of %d years in %s", len(ips), file)
	}
	for year, set := range ips {
		if n, _, _ := value(t, db, "crip_ips", year, ""); n != float64(len(set)) {
			t.Errorf("crip_ips %d = %g, the register has %d", year, n, len(set))
		}
	}
}
