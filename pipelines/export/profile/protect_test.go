package profile

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/odpe/odpe/pipelines/export"
)

// TestReorder puts rows added at the end of a dataset (hidden empty
// combinations) into their tables, in place: tables before the first one
// with added rows stay, later ones move right, and each table with added
// rows is sorted as the warehouse sorts it.
func TestReorder(t *testing.T) {
	row := func(period int, territory, sex string) export.Row {
		return export.Row{Indicator: "i", Dep: "62", Period: period, Territory: territory, Dims: map[string]string{"sex": sex}}
	}
	rows := []export.Row{
		row(2021, export.Total, "F"), row(2021, "ARRAS", "F"), // untouched
		row(2022, export.Total, "F"), row(2022, "LENS", "M"), // gets ARRAS M and LENS F
		row(2023, export.Total, "M"),                          // untouched, moves right
		row(2024, export.Total, "F"), row(2024, "ARRAS", "F"), // gets Ensemble M
	}
	n := len(rows)
	rows = append(rows, row(2022, "LENS", "F"), row(2024, export.Total, "M"), row(2022, "ARRAS", "M"))
	groups, order, err := groupRows(rows[:n])
	if err != nil {
		t.Fatal(err)
	}
	for k, added := range map[string][]int{"i|62|2022": {n, n + 2}, "i|62|2024": {n + 1}} {
		groups[k] = append(groups[k], added...)
	}
	reorder(rows, n, order, groups)

	var got []string
	for _, r := range rows {
		got = append(got, fmt.Sprint(r.Period, " ", r.Territory, " ", r.Dims["sex"]))
	}
	want := []string{
		"2021 Ensemble F", "2021 ARRAS F",
		"2022 Ensemble F", "2022 ARRAS M", "2022 LENS F", "2022 LENS M",
		"2023 Ensemble M",
		"2024 Ensemble F", "2024 Ensemble M", "2024 ARRAS F",
	}
	if !slices.Equal(got, want) {
		t.Errorf("rows:\n got %s\nwant %s", strings.Join(got, ", "), strings.Join(want, ", "))
	}
}

// TestGroupRowsNotConsecutive: the rows of a table must follow each other
// (reorder moves tables as blocks); a dataset where they do not is an
// error, not a wrong placement.
func TestGroupRowsNotConsecutive(t *testing.T) {
	rows := []export.Row{
		{Indicator: "i", Dep: "62", Period: 2023},
		{Indicator: "i", Dep: "62", Period: 2024},
		{Indicator: "i", Dep: "62", Period: 2023},
	}
	_, _, err := groupRows(rows)
	if err == nil || !strings.Contains(err.Error(), "i|62|2023") || !strings.Contains(err.Error(), "row 2") {
		t.Errorf("err = %v, want the table and the row named", err)
	}
}
