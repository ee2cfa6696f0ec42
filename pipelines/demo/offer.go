package demo

import (
	"cmp"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/odpe/odpe/pipelines/extract"
)

// The offer of care of one département (SOURCES.md §7): its establishments
// and services authorised for the ASE, drawn once per département from
// their own random stream, so that the ASE extract's places of accueil
// (§7c) name the same FINESS numbers as the establishments' lists.

// Indexes in extract.EstablishmentCategories.
const (
	catMECS = iota
	catFoyer
	catPouponniere
	catVillage
	catLVA
	catCentreMaternel
	catAccueilJour
	catAEMO
	catPlacementFamilial
)

var (
	// establishmentMix: weights of the categories among establishments.
	establishmentMix = newTable(34, 6, 4, 4, 22, 6, 8, 10, 6)
	// placesOf: the range of places authorised by category.
	placesOf = [][2]int{{20, 70}, {30, 80}, {15, 30}, {20, 40}, {5, 7}, {10, 25}, {0, 0}, {0, 0}, {20, 60}}
	// categoryOfMode: the categories that take a mode d'accueil's
	// children (nil: no establishment).
	categoryOfMode = map[int][]int{
		modeMECS: {catMECS, catFoyer, catPouponniere, catVillage}, modeLVA: {catLVA},
		modeCentreMaternel: {catCentreMaternel}, modeAccueilJour: {catAccueilJour},
	}
	establishmentNames = map[int][]string{
		catMECS: {"Maison d'enfants"}, catFoyer: {"Foyer départemental de l'enfance"},
		catPouponniere: {"Pouponnière"}, catVillage: {"Village d'enfants"}, catLVA: {"Lieu de vie"},
		catCentreMaternel: {"Centre maternel"}, catAccueilJour: {"Accueil de jour éducatif"},
		catAEMO: {"Service d'AEMO"}, catPlacementFamilial: {"Placement familial spécialisé"},
	}
	establishmentSaints = []string{"Les Tilleuls", "Saint-Exupéry", "La Passerelle", "Les Hirondelles", "Le Phare",
		"Les Oyats", "Jean-Jaurès", "La Source", "Les Peupliers", "Le Cèdre", "Les Mouettes", "La Rose des vents"}
)

// establishment is one entry of a département's list.
type establishment struct {
	finess         string
	name           string
	category       int
	territory      int // index in the département's territories
	commune        string
	places         int
	opened, closed day // closed < opened: open
}

// establishmentsOf draws the département's establishments: about one per
// 900 children followed over the period, at least one of each category
// that takes children.
func (g *generator) establishmentsOf(dep string) []establishment {
	r := newRand(g.seed, "establishments", dep)
	terrs := g.terr[dep]
	n := max(len(categoryOfMode)+3, g.childrenOf(dep)/900)
	first := dayOf(g.scale.FirstYear, 1, 1)
	out := make([]establishment, 0, n)
	for i := range n {
		cat := establishmentMix.pick(r)
		if i < 5 { // one of each category that takes children
			cat = []int{catMECS, catFoyer, catLVA, catCentreMaternel, catAccueilJour}[i]
		}
		t := r.IntN(len(terrs))
		e := establishment{
			finess:    dep + strconv.Itoa(1000000 + i*37)[len(dep)-2:],
			category:  cat,
			territory: t,
			commune:   terrs[t].Communes[r.IntN(len(terrs[t].Communes))].Code,
			places:    between(r, placesOf[cat][0], placesOf[cat][1]),
			opened:    first - day(between(r, 0, 40*365)),
			closed:    -1 << 30,
		}
		e.finess = e.finess[:9]
		if i >= 5 && chance(r, 0.08) { // a few closed during the period
			e.closed = first + day(r.IntN(int(g.scale.asOf()-first)))
		}
		names := establishmentNames[cat]
		e.name = names[0] + " " + establishmentSaints[r.IntN(len(establishmentSaints))]
		out = append(out, e)
	}
	return out
}

// isOpen reports whether e is open on day d.
func (e *establishment) isOpen(d day) bool {
	return e.opened <= d && (e.closed < e.opened || e.closed > d)
}

// placer draws where each accueil of the ASE extract takes place: mostly
// in the child's territory, sometimes elsewhere in the département, a few
// in another département.
type placer struct {
	r      *rand.Rand
	dep    string
	terrs  []territory
	byMode map[int][]*establishment
	// elsewhere is a neighbouring département's code, for accueils
	// outside the département.
	elsewhere string
}

func (g *generator) newPlacer(dep string, est []establishment) *placer {
	p := &placer{r: newRand(g.seed, "placement", dep), dep: dep, terrs: g.terr[dep], byMode: map[int][]*establishment{}}
	for mode, cats := range categoryOfMode {
		for i := range est {
			if slices.Contains(cats, est[i].category) {
				p.byMode[mode] = append(p.byMode[mode], &est[i])
			}
		}
	}
	p.elsewhere = "59"
	if dep == "59" {
		p.elsewhere = "62"
	}
	return p
}

// appendPlace appends ";commune;finess" for an accueil of mode in territory
// t (empty fields for a measure at home).
func (p *placer) appendPlace(b []byte, mode, t int) []byte {
	if mode == noMode {
		return append(b, ";;"...)
	}
	r := p.r
	u := r.Float64()
	if ests := p.byMode[mode]; len(ests) > 0 {
		switch {
		case u < 0.08: // another département's establishment
			b = append(b, ';')
			b = append(b, p.elsewhere...)
			b = appendPadded(b, 100+r.IntN(800), 3)
			b = append(b, ';')
			b = append(b, p.elsewhere...)
			return appendPadded(b, 10000+r.IntN(90000), 7)
		default:
			e := ests[r.IntN(len(ests))]
			if u < 0.9 { // prefer one of the child's territory
				for range 4 {
					if e.territory == t {
						break
					}
					e = ests[r.IntN(len(ests))]
				}
			}
			if u < 0.5 { // the FINESS number alone
				b = append(b, ';', ';')
				return append(b, e.finess...)
			}
			b = append(b, ';')
			b = append(b, e.commune...)
			b = append(b, ';')
			return append(b, e.finess...)
		}
	}
	// A foster family or another mode: a commune, no FINESS number.
	b = append(b, ';')
	switch {
	case u < 0.03:
		b = append(b, p.elsewhere...)
		b = appendPadded(b, 100+r.IntN(800), 3)
	case u < 0.12:
		tt := p.terrs[r.IntN(len(p.terrs))]
		b = append(b, tt.Communes[r.IntN(len(tt.Communes))].Code...)
	case u < 0.97:
		tt := p.terrs[t]
		b = append(b, tt.Communes[r.IntN(len(tt.Communes))].Code...)
	}
	return append(b, ';')
}

// establishmentsHeader is the list's header (UTF-8 with a BOM, as the
// sample etablissements_2025.csv).
var establishmentsHeader = []string{"N° FINESS", "Raison sociale", "Catégorie", "Commune", "Territoire",
	"Places habilitées ASE", "Date d'ouverture", "Date de fermeture"}

// writeEstablishments writes the lists of the last three years.
func (g *generator) writeEstablishments(dep string, est []establishment) (output, error) {
	s := g.scale
	out := output{job: JobEstablishments}
	terrs := g.terr[dep]
	for y := max(s.FirstYear, s.LastYear-2); y <= s.LastYear; y++ {
		path := filepath.Join(g.depDir(JobEstablishments, dep), "etablissements_"+strconv.Itoa(y)+".csv")
		w, err := createCSV(path, "\n")
		if err != nil {
			return out, err
		}
		w.header(bom, establishmentsHeader...)
		endOfYear := dayOf(y, 12, 31)
		// Each year's habilitations revise some capacities.
		// At least one per year, so that no two lists are the same file
		// (which the warehouse would take for a duplicate).
		revise, revised := newRand(g.seed, "establishments", dep, strconv.Itoa(y)), false
		for _, e := range est {
			if e.opened > endOfYear || (e.closed >= e.opened && e.closed < dayOf(y-1, 1, 1)) {
				continue // not yet open, or closed before the list's previous year
			}
			b := append(w.buf, e.finess...)
			b = append(b, ';')
			b = append(b, e.name...)
			b = append(b, ';')
			b = append(b, extract.EstablishmentCategories[e.category]...)
			b = append(b, ';')
			b = append(b, e.commune...)
			b = append(b, ';')
			b = append(b, terrs[e.territory].Code...)
			b = append(b, ';')
			places := e.places
			if places > 5 && y < s.LastYear && (chance(revise, 0.4) || !revised) {
				places, revised = places-between(revise, 1, 5), true
			}
			b = strconv.AppendInt(b, int64(places), 10)
			b = append(b, ';')
			b = e.opened.appendFR(b)
			b = append(b, ';')
			if e.closed >= e.opened && e.closed <= endOfYear {
				b = e.closed.appendFR(b)
			}
			w.buf = b
			w.endRow()
		}
		if err := w.close(); err != nil {
			return out, err
		}
		if err := stamp(path, min(dayOf(y, 12, 20), s.asOf())); err != nil {
			return out, err
		}
		out.paths = append(out.paths, path)
		out.rows += w.rows
	}
	return out, nil
}

// Foster carers (SOURCES.md §7a).

var (
	carersHeader = cp1252All([]string{"Matricule", "Nom", "Prénom", "Date de naissance", "Commune de résidence",
		"Territoire", "Date d'agrément", "Places agréées", "Date d'embauche", "Date de fin de contrat", "Motif de fin"})
	carerReasons = cp1252All(extract.CarerEndReasons)
	// carerPlaces: weights of 1 to 5 places.
	carerPlaces = newTable(12, 33, 35, 15, 5)
	// otherDeparture: weights of Démission, Licenciement, Décès, Autre.
	otherDeparture = newTable(55, 15, 10, 20)
)

// writeFosterCarers writes the HR export dated AsOf: every carer hired over
// the period and the 15 years before it, about one per 22 children
// followed, with a retirement between 60 and 67 or an earlier departure.
func (g *generator) writeFosterCarers(dep string) (output, error) {
	s := g.scale
	r := newRand(g.seed, "foster_carers", dep)
	terrs := g.terr[dep]
	weights := make([]float64, len(terrs))
	for i, t := range terrs {
		weights[i] = t.Weight
	}
	pickTerr := newTable(weights...)
	asOf := s.asOf()
	y, mo, d := asOf.civil()
	path := filepath.Join(g.depDir(JobFosterCarers, dep), "assistants_familiaux_"+strconv.Itoa(y)+string(appendTwo(appendTwo(nil, mo), d))+".csv")
	w, err := createCSV(path, "\r\n")
	if err != nil {
		return output{}, err
	}
	w.header("", carersHeader...)
	first := dayOf(s.FirstYear-15, 1, 1)
	n := max(5, g.childrenOf(dep)/22)
	for i := range n {
		hire := first + day(r.IntN(int(asOf-first)))
		birth := hire - day(between(r, 25*365, 56*365))
		end, reason := birth.addYears(between(r, 60, 67)), 0
		if quit := hire + day(r.ExpFloat64()*25*365); quit < end {
			end, reason = quit, 1+otherDeparture.pick(r)
		}
		t := terrs[pickTerr.pick(r)]
		b := append(w.buf, "AF"...)
		b = appendPadded(b, 100000+i, 6)
		b = append(b, ';')
		b = append(b, surnames[r.IntN(len(surnames))]...)
		b = append(b, ';')
		if chance(r, 0.88) {
			b = append(b, girlsNames[r.IntN(len(girlsNames))]...)
		} else {
			b = append(b, boysNames[r.IntN(len(boysNames))]...)
		}
		b = append(b, ';')
		b = birth.appendFR(b)
		b = append(b, ';')
		b = append(b, t.Communes[r.IntN(len(t.Communes))].Code...)
		b = append(b, ';')
		b = append(b, t.Code...)
		b = append(b, ';')
		b = (hire - day(between(r, 30, 400))).appendFR(b)
		b = append(b, ';')
		b = strconv.AppendInt(b, int64(1+carerPlaces.pick(r)), 10)
		b = append(b, ';')
		b = hire.appendFR(b)
		b = append(b, ';')
		if end <= asOf {
			b = end.appendFR(b)
			b = append(b, ';')
			b = append(b, carerReasons[reason]...)
		} else {
			b = append(b, ';')
		}
		w.buf = b
		w.endRow()
	}
	if err := w.close(); err != nil {
		return output{}, err
	}
	if err := stamp(path, asOf); err != nil {
		return output{}, err
	}
	return output{job: JobFosterCarers, paths: []string{path}, rows: w.rows}, nil
}

// Informations préoccupantes (SOURCES.md §6).

// kid is what the CRIP's register needs of a child of the ASE extract.
type kid struct {
	id         int // N° individu D<id>
	birth      day
	firstStart day // start of the first measure
	territory  int // index in the département's territories
	commune    string
	girl       bool
}

var (
	cripHeader = cp1252All([]string{"N° IP", "N° individu", "Nom", "Prénom", "Date de naissance", "Sexe",
		"Commune de résidence", "Territoire", "Date de réception", "Origine", "Danger principal",
		"Date de fin d'évaluation", "Suite donnée", "Date de transmission au parquet"})
	ipOrigins  = cp1252All(extract.IPOrigins)
	ipDangers  = cp1252All(extract.IPDangers)
	ipOutcomes = cp1252All(extract.IPOutcomes)
	unborn     = cp1252("Enfant à naître")
	// Weights in the order of the code lists.
	originMix       = newTable(28, 12, 16, 9, 4, 9, 4, 9, 2, 2, 3, 2)
	dangerMix       = newTable(16, 15, 6, 20, 22, 12, 8, 1)
	outcomeMix      = newTable(32, 12, 22, 21, 5, 1)
	outcomeMixASE   = newTable(8, 4, 40, 38, 9, 1)
	siblingsMix     = newTable(70, 20, 10)
	evaluationDelay = newTable(60, 30, 10) // up to 2 months, 2 to 5, 5 to 10
)

// ipEvent is one information préoccupante.
type ipEvent struct {
	received day
	children []ipChild
	ase      bool // about a child the ASE then follows
}

type ipChild struct {
	id        string
	birth     day // < 0 when unborn
	girl      bool
	territory int
	commune   string
}

// writeCRIP writes the register's snapshot dated AsOf: IPs from FirstYear
// on, about a third of the ASE's children some weeks before their first
// measure, other children (C numbers, siblings sharing an IP) about as
// many again, and some children reported again within the year.
func (g *generator) writeCRIP(dep string, kids []kid) (output, error) {
	s := g.scale
	r := newRand(g.seed, "crip", dep)
	terrs := g.terr[dep]
	weights := make([]float64, len(terrs))
	for i, t := range terrs {
		weights[i] = t.Weight
	}
	pickTerr := newTable(weights...)
	first, asOf := dayOf(s.FirstYear, 1, 1), s.asOf()
	var events []ipEvent
	for _, k := range kids {
		received := k.firstStart - day(between(r, 10, 200))
		if received < first || received > asOf || !chance(r, 0.35) {
			continue
		}
		events = append(events, ipEvent{received: received, ase: true, children: []ipChild{
			{id: "D" + strconv.Itoa(k.id), birth: k.birth, girl: k.girl, territory: k.territory, commune: k.commune}}})
	}
	others := len(kids) * 12 / 100
	next := 100000
	for range others {
		received := first + day(r.IntN(int(asOf-first)+1))
		t := pickTerr.pick(r)
		commune := terrs[t].Communes[r.IntN(len(terrs[t].Communes))].Code
		ev := ipEvent{received: received}
		for range 1 + siblingsMix.pick(r) {
			next += 1 + r.IntN(5)
			c := ipChild{id: "C" + strconv.Itoa(next), girl: chance(r, 0.47), territory: t, commune: commune,
				birth: received - day(between(r, 0, 17*365+300))}
			if chance(r, 0.015) {
				c.birth = -1
			}
			ev.children = append(ev.children, c)
		}
		events = append(events, ev)
	}
	for i := range events { // reported again within the year
		if chance(r, 0.12) {
			again := events[i]
			again.received += day(between(r, 20, 330))
			if again.received <= asOf {
				again.children = slices.Clone(again.children)
				events = append(events, again)
			}
		}
	}
	slices.SortStableFunc(events, func(a, b ipEvent) int { return cmp.Compare(a.received, b.received) })

	y, mo, d := asOf.civil()
	path := filepath.Join(g.depDir(JobCRIP, dep), "crip_ip_"+strconv.Itoa(y)+string(appendTwo(appendTwo(nil, mo), d))+".csv")
	w, err := createCSV(path, "\r\n")
	if err != nil {
		return output{}, err
	}
	w.header("", cripHeader...)
	seq, seqYear := 0, 0
	for _, ev := range events {
		year := ev.received.year()
		if year != seqYear {
			seq, seqYear = 0, year
		}
		seq++
		origin, danger := originMix.pick(r), dangerMix.pick(r)
		delay := []int{between(r, 5, 60), between(r, 61, 150), between(r, 151, 300)}[evaluationDelay.pick(r)]
		evaluated := ev.received + day(delay)
		outcome := outcomeMix.pick(r)
		if ev.ase {
			outcome = outcomeMixASE.pick(r)
		}
		for _, c := range ev.children {
			b := append(w.buf, "IP-"...)
			b = strconv.AppendInt(b, int64(year), 10)
			b = append(b, '-')
			b = appendPadded(b, seq, 6)
			b = append(b, ';')
			b = append(b, c.id...)
			b = append(b, ';')
			b = append(b, surnames[r.IntN(len(surnames))]...)
			b = append(b, ';')
			switch {
			case c.birth < 0:
				b = append(b, unborn...)
				b = append(b, ";;;"...)
			default:
				names := boysNames
				if c.girl {
					names = girlsNames
				}
				b = append(b, names[r.IntN(len(names))]...)
				b = append(b, ';')
				b = c.birth.appendFR(b)
				b = append(b, ';')
				if c.girl {
					b = append(b, "F;"...)
				} else {
					b = append(b, "M;"...)
				}
			}
			b = append(b, c.commune...)
			b = append(b, ';')
			b = append(b, terrs[c.territory].Code...)
			b = append(b, ';')
			b = ev.received.appendFR(b)
			b = append(b, ';')
			b = append(b, ipOrigins[origin]...)
			b = append(b, ';')
			b = append(b, ipDangers[danger]...)
			b = append(b, ';')
			if evaluated <= asOf {
				b = evaluated.appendFR(b)
				b = append(b, ';')
				b = append(b, ipOutcomes[outcome]...)
				b = append(b, ';')
				if extract.IPOutcomes[outcome] == "Signalement au procureur" {
					b = (ev.received + day(r.IntN(delay+1))).appendFR(b)
				}
			} else {
				b = append(b, ";;"...)
			}
			w.buf = b
			w.endRow()
		}
	}
	if err := w.close(); err != nil {
		return output{}, err
	}
	if err := stamp(path, asOf); err != nil {
		return output{}, err
	}
	return output{job: JobCRIP, paths: []string{path}, rows: w.rows}, nil
}
