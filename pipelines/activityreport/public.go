package activityreport

import (
	"fmt"
	"strings"

	"github.com/odpe/odpe/pipelines/extract"
)

// The tables of sheet `Public`.
const (
	sheetPublic     = "Public"
	titleIndividual = "Jeunes accompagnés individuellement"
	titleCollective = "Participants aux actions collectives"
	labelActions    = "Nombre d'actions collectives"
)

// Publics, as raw.activity_public writes them.
const (
	PublicIndividual = "individuel"
	PublicCollective = "collectif"
)

// publicColumns are the columns of both tables, indexed by the col*
// constants.
var publicColumns = []Column{{Name: "Tranche d'âge"}, {Name: "Filles"}, {Name: "Garçons"}, {Name: "Total", Optional: true}}

const (
	colBand = iota
	colGirls
	colBoys
	colTotal
)

// sexes are the count columns and the sex they stand for.
var sexes = []struct {
	col int
	sex string
}{{colGirls, "F"}, {colBoys, "M"}}

// readPublic fills rep.Public from the two tables of sheet `Public`, and
// rep.CollectiveActions from the row `Nombre d'actions collectives` below
// the second table (nil when the sheet lacks the row).
func readPublic(s *Sheet, rep *Report) error {
	ind, err := s.ReadTable(titleIndividual, publicColumns, titleCollective, labelActions)
	if err != nil {
		return err
	}
	coll, err := s.ReadTable(titleCollective, publicColumns, titleIndividual, labelActions)
	if err != nil {
		return err
	}
	for _, pt := range []struct {
		public string
		t      *Table
	}{{PublicIndividual, ind}, {PublicCollective, coll}} {
		counts, err := readPublicTable(pt.t)
		if err != nil {
			return err
		}
		for _, band := range extract.PublicAgeBands {
			for i, sx := range sexes {
				rep.Public = append(rep.Public, PublicCount{Public: pt.public, AgeBand: band, Sex: sx.sex, Persons: counts[band][i]})
			}
		}
		rep.rows += int64(len(pt.t.Rows))
	}
	if at, ok := s.Find(labelActions, coll.End()); ok {
		n, _, err := s.Count(at.Right(1), s.Value(at)) // empty means 0
		if err != nil {
			return err
		}
		rep.CollectiveActions = &n
		rep.rows++
	}
	return nil
}

// bandCounts holds the girls and the boys of an age band.
type bandCounts [2]int64

// readPublicTable reads the counts of one table by age band. Empty cells
// mean 0. A `Total` column, or a `Total` row, must match what it sums.
func readPublicTable(t *Table) (map[string]bandCounts, error) {
	counts := make(map[string]bandCounts, len(extract.PublicAgeBands))
	seen := map[string]Cell{}
	var sums bandCounts
	for _, r := range t.Rows {
		var row bandCounts
		for i, sx := range sexes {
			n, _, err := t.Count(r, sx.col)
			if err != nil {
				return nil, err
			}
			row[i] = n
		}
		if err := checkRowTotal(t, r, row); err != nil {
			return nil, err
		}
		if t.Sheet.Is(t.Cell(r, colBand), labelTotal) {
			if err := checkColumnTotals(t, r, row, sums); err != nil {
				return nil, err
			}
			continue
		}
		band, err := ageBand(t, r, seen)
		if err != nil {
			return nil, err
		}
		counts[band] = row
		sums[0] += row[0]
		sums[1] += row[1]
	}
	return counts, nil
}

// ageBand returns the canonical age band of row r, which must be new.
func ageBand(t *Table, r int, seen map[string]Cell) (string, error) {
	band, ok := extract.Canonical(extract.PublicAgeBands, t.Label(r))
	if !ok {
		return "", t.Errorf(r, colBand, "one of the age bands "+strings.Join(extract.PublicAgeBands, ", ")+", or "+labelTotal)
	}
	if prev, dup := seen[band]; dup {
		return "", t.Errorf(r, colBand, fmt.Sprintf("each age band once (%q is already in %s)", band, prev))
	}
	seen[band] = t.Cell(r, colBand)
	return band, nil
}

// checkRowTotal checks the `Total` cell of row r, when there is one.
func checkRowTotal(t *Table, r int, row bandCounts) error {
	total, present, err := t.Count(r, colTotal)
	if err != nil || !present {
		return err
	}
	if want := row[0] + row[1]; total != want {
		return t.Errorf(r, colTotal, fmt.Sprintf("%s + %s = %d", t.Names[colGirls], t.Names[colBoys], want))
	}
	return nil
}

// checkColumnTotals checks a `Total` row against the sums of the rows above.
func checkColumnTotals(t *Table, r int, row, sums bandCounts) error {
	for i, sx := range sexes {
		if _, present, _ := t.Count(r, sx.col); present && row[i] != sums[i] {
			return t.Errorf(r, sx.col, fmt.Sprintf("the sum of the age bands, %d", sums[i]))
		}
	}
	return nil
}
