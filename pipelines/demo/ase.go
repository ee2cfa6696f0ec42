package demo

import (
	"math"
	"math/rand/v2"

	"github.com/odpe/odpe/pipelines/extract"
)

// Indexes in extract.MeasureNatures.
const (
	natAED = iota
	natAEMO
	natAP
	natPJ
	natAPJM
	natTutelle
	natPupille
	natUrgence
	natMNA
)

// Indexes in extract.AccueilModes.
const (
	modeAF = iota
	modeMECS
	modeLVA
	modeFJT
	modeLogement
	modeTDC
	modeCentreMaternel
	modeAccueilJour
	noMode = -1
)

// Motifs de fin.
const (
	endDefault = iota
	endMajority
	endMainlevee
	endHome
	endRelay
	endMoved
	endAdoption
	endYoungAdult
)

var (
	aseHeader = cp1252All([]string{"N° individu", "Nom", "Prénom", "Date de naissance", "Sexe",
		"Commune de résidence", "Territoire", "N° mesure", "Nature de la mesure", "Cadre",
		"Mode d'accueil", "Date de début", "Date de fin", "Motif de fin",
		"Commune du lieu d'accueil", "N° FINESS du lieu d'accueil"})
	// natureCadre is "<nature>;<cadre>;" for each nature, in Windows-1252.
	natureCadre = func() []string {
		judicial := map[int]bool{natAEMO: true, natPJ: true, natTutelle: true}
		out := make([]string, len(extract.MeasureNatures))
		for i, n := range extract.MeasureNatures {
			cadre := extract.MeasureFrames[0]
			if judicial[i] {
				cadre = extract.MeasureFrames[1]
			}
			out[i] = cp1252(n + ";" + cadre + ";")
		}
		return out
	}()
	modes  = cp1252All(extract.AccueilModes)
	motifs = cp1252All([]string{"Fin de mesure", "Majorité", "Mainlevée", "Retour en famille",
		"Relais par une autre mesure", "Déménagement", "Adoption", "Fin de prise en charge jeune majeur"})
	surnames = cp1252All([]string{"Caron", "Dupont", "Delattre", "Bécourt", "Carpentier", "Wallet", "Vasseur",
		"Lefèvre", "Duhamel", "Lemaire", "Leroy", "Dubois", "Martin", "Bernard", "Petit", "Durand", "Moreau",
		"Lefebvre", "Fontaine", "Lambert", "Roussel", "Boulanger", "Dufour", "Leclercq", "Deschamps",
		"Delcroix", "Dupuis", "Marchand", "Mercier", "Fournier", "Gaillard", "Rousseau", "Lecomte", "Noël",
		"Hennebelle", "Delannoy", "Pruvost", "Desmet", "Lheureux", "Cœugniet"})
	girlsNames = cp1252All([]string{"Emma", "Jade", "Léa", "Chloé", "Manon", "Inès", "Anaïs", "Louise",
		"Camille", "Zoé", "Lina", "Mila", "Alice", "Lola", "Maëlys", "Clémence", "Océane", "Sarah"})
	boysNames = cp1252All([]string{"Lucas", "Enzo", "Nathan", "Hugo", "Noah", "Louis", "Mathéo", "Théo",
		"Gabriel", "Raphaël", "Jules", "Adam", "Tom", "Léo", "Maël", "Kylian", "Mohamed", "Dylan"})
)

// Mode d'accueil by situation, weights in the order of extract.AccueilModes:
// about 45 % assistants familiaux and 35 % MECS overall.
var (
	modesChild      = newTable(51, 33, 5, 0, 0, 6, 2, 3)
	modesTeen       = newTable(32, 42, 6, 8, 6, 4, 1, 1)
	modesYoungAdult = newTable(22, 14, 4, 28, 28, 2, 2, 0)
	modesMNA        = newTable(18, 55, 5, 12, 10, 0, 0, 0)
	modesUrgent     = newTable(45, 55)
	modesPupille    = newTable(85, 15)
	modesTutelle    = newTable(30, 10, 0, 0, 0, 60)
)

// Pathways of children through child welfare.
const (
	pathAED = iota
	pathAEMO
	pathEscalation // AED, then AEMO, then placement
	pathAP
	pathPJ
	pathUrgent
	pathMNA
	pathTutelle
	pathPupille
)

var (
	pathways = newTable(21, 20, 16, 10, 18, 6, 6, 3) // pupilles are drawn apart
	// age at entry, by bands 0-2, 3-5, 6-10, 11-14, 15-17
	entryAge      = newTable(15, 13, 27, 28, 17)
	entryAgeBands = [][2]int{{0, 2}, {3, 5}, {6, 10}, {11, 14}, {15, 17}}
)

// measure is one row of the extract.
type measure struct {
	nature     int
	mode       int
	start, end day // end < start: ongoing
	motif      int
}

// event is one adoption procedure event.
type event struct {
	date  day
	kind  int // index in extract.AdoptionEvents
	court bool
}

// childCase is one child and what happened to them.
type childCase struct {
	birth    day
	measures []measure
	events   []event
	ofAge    bool // the last measure ended at majority
}

// caseBuilder draws one child's measures in sequence.
type caseBuilder struct {
	r      *rand.Rand
	asOf   day
	c      *childCase
	cursor day // earliest start of the next measure
	closed bool
}

// ongoing marks an end date after the extract date.
const ongoing day = math.MinInt32

// add appends a measure starting at the cursor and lasting lo to hi days.
// It returns false when the measure cannot start: after the extract date,
// at majority (except APJM), or outside 18-20 for an APJM.
func (b *caseBuilder) add(nature, lo, hi int) bool {
	return b.addAt(nature, b.cursor, b.cursor+day(between(b.r, lo, hi)))
}

// addAt appends a measure from start to end, cut at majority (or at 21
// for an APJM) and left open when it runs past the extract date.
func (b *caseBuilder) addAt(nature int, start, end day) bool {
	c := b.c
	adult, limit := c.birth.addYears(18), c.birth.addYears(21)
	if b.closed || start > b.asOf {
		b.closed = true
		return false
	}
	if nature == natAPJM {
		if start < adult || start >= limit {
			return false
		}
	} else if start >= adult {
		return false
	}
	motif := b.defaultMotif(nature)
	c.ofAge = false
	switch {
	case nature == natAPJM && end >= limit:
		end, motif = limit-1, endYoungAdult
	case nature == natAPJM:
		motif = endYoungAdult
	case end >= adult:
		end, motif, c.ofAge = adult-1, endMajority, true
	}
	if n := len(c.measures); n > 0 && c.measures[n-1].end != ongoing && start-c.measures[n-1].end <= 31 && chance(b.r, 0.5) &&
		c.measures[n-1].motif == endDefault {
		c.measures[n-1].motif = endRelay
	}
	m := measure{nature: nature, mode: b.mode(nature, start), start: start, end: end, motif: motif}
	if end > b.asOf {
		m.end, b.closed = ongoing, true
	}
	c.measures = append(c.measures, m)
	b.cursor = end + 1
	return true
}

// gap moves the cursor lo to hi days further.
func (b *caseBuilder) gap(lo, hi int) { b.cursor += day(between(b.r, lo, hi)) }

// youngAdult adds an APJM after a placement that ended at majority, with
// probability p.
func (b *caseBuilder) youngAdult(p float64) {
	if b.c.ofAge && chance(b.r, p) {
		b.cursor = b.c.birth.addYears(18) + day(b.r.IntN(60))
		b.add(natAPJM, 180, 1000)
	}
}

func (b *caseBuilder) defaultMotif(nature int) int {
	u := b.r.IntN(100)
	switch {
	case u < 8:
		return endMoved
	case nature == natAEMO || nature == natPJ || nature == natTutelle:
		if u < 38 {
			return endMainlevee
		}
	case nature == natAP || nature == natUrgence:
		if u < 40 {
			return endHome
		}
	}
	return endDefault
}

func (b *caseBuilder) mode(nature int, start day) int {
	var t *table
	switch nature {
	case natAED, natAEMO:
		return noMode
	case natAPJM:
		t = modesYoungAdult
	case natMNA:
		t = modesMNA
	case natUrgence:
		t = modesUrgent
	case natPupille:
		t = modesPupille
	case natTutelle:
		t = modesTutelle
	default:
		t = modesChild
		if start >= b.c.birth.addYears(16) {
			t = modesTeen
		}
	}
	return t.pick(b.r)
}

// model draws children's cases for one département.
type model struct {
	r            *rand.Rand
	first, asOf  day // entries between first and asOf
	pupilleShare float64
	law2016      day // art. 350 replaced by art. 381-1
}

// entry draws an entry date, entries growing by half over the period.
func (m *model) entry() day {
	const g = 0.5
	span := float64(m.asOf - m.first)
	c := m.r.Float64() * span * (1 + g/2)
	t := (-1 + math.Sqrt(1+2*g*c/span)) / (g / span)
	return m.first + day(t)
}

// child draws one child's case.
func (m *model) child(c *childCase) {
	r := m.r
	c.measures, c.events, c.ofAge = c.measures[:0], c.events[:0], false
	entry := m.entry()
	path := pathways.pick(r)
	if chance(r, m.pupilleShare) {
		path = pathPupille
	}
	if path == pathMNA && entry.year() < 2013 {
		path = pathPJ
	}
	switch path {
	case pathMNA:
		c.birth = entry - day(between(r, 15*365+5, 17*365+300))
	case pathPupille:
		c.birth = entry - day(r.IntN(3*365))
	default:
		band := entryAgeBands[entryAge.pick(r)]
		c.birth = entry - day(between(r, band[0], band[1])*365+r.IntN(365))
	}
	b := &caseBuilder{r: r, asOf: m.asOf, c: c, cursor: entry}
	switch path {
	case pathAED:
		b.add(natAED, 180, 730)
		if chance(r, 0.55) {
			b.gap(60, 400)
			b.add(natAED+r.IntN(2), 180, 730)
		}
	case pathAEMO:
		if b.add(natAEMO, 365, 730) {
			for range 1 + r.IntN(3) {
				b.gap(0, 10)
				b.add(natAEMO, 365, 730)
			}
		}
	case pathEscalation:
		b.add(natAED, 180, 400)
		b.gap(0, 60)
		b.add(natAEMO, 365, 730)
		b.gap(0, 90)
		m.placement(b, natPJ, 365, 2555)
	case pathAP:
		b.add(natAP, 90, 730)
		if chance(r, 0.5) {
			b.gap(0, 60)
			b.add(natAED, 180, 540)
		}
	case pathPJ:
		m.placement(b, natPJ, 365, 3650)
	case pathUrgent:
		b.add(natUrgence, 0, 3)
		if chance(r, 0.6) {
			b.gap(0, 2)
			m.placement(b, natPJ, 180, 1460)
		}
	case pathMNA:
		b.add(natMNA, 15, 120)
		if chance(r, 0.75) {
			b.gap(0, 5)
			b.add(natPJ, 365, 1460)
			b.youngAdult(0.65)
		}
	case pathTutelle:
		b.add(natTutelle, 730, 3650)
		b.youngAdult(0.3)
	case pathPupille:
		m.pupille(b, entry)
	}
}

// placement adds a placement, sometimes a change of placement, then maybe
// an APJM at majority.
func (m *model) placement(b *caseBuilder, nature, lo, hi int) {
	b.add(nature, lo, hi)
	if chance(m.r, 0.4) {
		b.gap(0, 15)
		b.add(nature, lo, hi)
	}
	b.youngAdult(0.45)
}

// pupille draws a child who becomes pupille de l'État: either given up at
// birth (PV de remise), or placed young and declared abandoned by a court.
func (m *model) pupille(b *caseBuilder, entry day) {
	r, c := m.r, b.c
	ev := func(d day, kind int, court bool) {
		if d <= m.asOf {
			c.events = append(c.events, event{d, kind, court})
		}
	}
	var admission day
	if chance(r, 0.3) { // PV de remise at birth: pupille from the start
		c.birth = entry - day(r.IntN(4))
		ev(entry, 3, false)
		admission = entry + 61
		b.cursor = entry
	} else {
		placed := entry
		request := placed + day(between(r, 300, 900))
		kind := 1 // art. 381-1
		switch {
		case request < m.law2016:
			kind = 0 // art. 350
		case chance(r, 0.15):
			kind = 2 // art. 378-1
		}
		admission = request + day(between(r, 120, 270))
		nature := natPJ
		if chance(r, 0.3) {
			nature = natAP
		}
		if !b.addAt(nature, placed, admission-1) {
			return
		}
		ev(request, kind, true)
		b.c.measures[len(b.c.measures)-1].motif = endRelay
	}
	ev(admission, 4, true)
	adopted := chance(r, 0.7)
	placement := admission + day(between(r, 30, 365))
	judgment := placement + day(between(r, 180, 420))
	end := judgment
	if !adopted {
		end = c.birth.addYears(18)
	}
	if !b.addAt(natPupille, b.cursor, end) {
		return
	}
	if adopted {
		ev(placement, 5, true)
		ev(judgment, 6, true)
		if last := &c.measures[len(c.measures)-1]; last.end == judgment {
			last.motif = endAdoption
		}
	} else {
		b.youngAdult(0.5)
	}
}
