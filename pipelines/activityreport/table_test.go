package activityreport

import (
	"path/filepath"
	"reflect"
	"testing"

	"github.com/xuri/excelize/v2"
)

// sheetOf builds a one-sheet workbook from rows (nil: an empty cell) and
// reads it back as a Sheet.
func sheetOf(t *testing.T, rows [][]any) *Sheet {
	t.Helper()
	wb := excelize.NewFile()
	t.Cleanup(func() { wb.Close() })
	for r, row := range rows {
		for c, v := range row {
			if v == nil {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if err := wb.SetCellValue("Sheet1", cell, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	path := filepath.Join(t.TempDir(), "t.xlsx")
	if err := wb.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	back, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { back.Close() })
	s, err := ReadSheet(back, "t.xlsx", "sheet1") // sheet names match loosely
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestCellString(t *testing.T) {
	for c, want := range map[Cell]string{{0, 0}: "A1", {6, 1}: "B7", {9, 26}: "AA10"} {
		if got := c.String(); got != want {
			t.Errorf("%#v.String() = %q, want %q", c, got, want)
		}
	}
}

func TestReadTable(t *testing.T) {
	s := sheetOf(t, [][]any{
		{"Notes"},
		{nil, nil, "Stock", nil, "Flux"}, // two tables side by side
		{},
		{nil, nil, "Article", "Qté", "Article", "Qté", "Commentaire"},
		{nil, nil, "Pommes", 3, "Poires", "1 200"},
		{nil, nil, "Noix", 4, "Prunes", 7},
		{nil, nil, "Fin", 0, nil, nil},
		{nil, nil, "Dates", 9},
	})
	cols := []Column{{Name: "ARTICLE"}, {Name: "qte"}, {Name: "Prix", Optional: true}}

	stock, err := s.ReadTable("stock", cols, "Fin")
	if err != nil {
		t.Fatal(err)
	}
	if stock.Title != (Cell{1, 2}) || stock.Header != 3 || !reflect.DeepEqual(stock.Rows, []int{4, 5}) {
		t.Errorf("stock: title %v header %d rows %v; want C2, 3, [4 5]", stock.Title, stock.Header, stock.Rows)
	}
	if !reflect.DeepEqual(stock.Names, []string{"Article", "Qté", "Prix"}) || stock.Has(2) || !stock.Has(1) {
		t.Errorf("stock: names %q, has price %v", stock.Names, stock.Has(2))
	}
	if got := stock.Label(5); got != "Noix" {
		t.Errorf("stock label of row 5 = %q, want Noix", got)
	}
	if stock.End() != 6 {
		t.Errorf("stock end = %d, want 6", stock.End())
	}

	flux, err := s.ReadTable("Flux", cols)
	if err != nil {
		t.Fatal(err)
	}
	if flux.Cell(4, 1) != (Cell{4, 5}) || !reflect.DeepEqual(flux.Rows, []int{4, 5}) {
		t.Errorf("flux: quantity cell %v rows %v; want F5, [4 5]", flux.Cell(4, 1), flux.Rows)
	}
	if n, present, err := flux.Count(4, 1); n != 1200 || !present || err != nil {
		t.Errorf("flux count F5 = %d, %v, %v; want 1200", n, present, err)
	}
	if _, present, err := flux.Number(4, 2); present || err != nil {
		t.Errorf("absent column: present %v, err %v", present, err)
	}

	if _, err := s.ReadTable("Ventes", cols); err == nil ||
		err.Error() != `t.xlsx: sheet "Sheet1": expected a cell reading "Ventes", the title of a table` {
		t.Errorf("missing title: %v", err)
	}
	if c, ok := s.Find("Article", 4); ok {
		t.Errorf("Find from row 4 found %v", c)
	}
}
