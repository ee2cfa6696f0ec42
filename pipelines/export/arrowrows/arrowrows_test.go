package arrowrows_test

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/odpe/odpe/pipelines/export"
	"github.com/odpe/odpe/pipelines/export/arrowrows"
)

func f(v float64) export.Figure { return export.Known(v) }

func dataset() *export.Dataset {
	return &export.Dataset{
		Indicators:  []export.Indicator{{ID: "a", Label: "Enfants suivis"}, {ID: "b", Label: "Taux"}},
		Dimensions:  []string{"service", "sex", "age_band"},
		Territories: map[export.Place]string{{Dep: "62", Code: "LENS"}: "Lens-Liévin", {Dep: "59", Code: "LENS"}: "Ailleurs"},
		Services:    map[export.Place]string{{Dep: "62", Code: "SPS-1"}: "Service un"},
		Rows: []export.Row{
			{Indicator: "a", Dep: "62", Period: 2023, Territory: export.Total,
				Dims:  map[string]string{"sex": "F", "age_band": "", "service": "SPS-1"},
				Value: f(1.5), Numerator: f(3), Unit: export.Count, Status: export.Final},
			{Indicator: "b", Dep: "62", Period: 2024, Territory: "LENS",
				Unit: export.PerMille, Status: export.Provisional, Conf: export.Primary},
			{Indicator: "c", Dep: "59", Period: 0, Territory: "LILLE",
				Dims:     map[string]string{"age_band": "0-5 ans", "service": export.Total},
				Previous: f(-2), Evolution: f(0), Denominator: f(7), Unit: export.Count, Status: export.Final, Conf: export.Secondary},
		},
	}
}

func TestFields(t *testing.T) {
	fields, err := arrowrows.Fields(dataset())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, fld := range fields {
		got = append(got, fmt.Sprintf("%s:%s:%v", fld.Name, fld.Type, fld.Nullable))
	}
	want := []string{
		"indicator:utf8:false", "label:utf8:false", "dep:utf8:false", "period:int32:false",
		"territory:utf8:false", "territory_label:utf8:true",
		"service:utf8:true", "service_label:utf8:true", "sex:utf8:true", "age_band:utf8:true",
		"numerator:float64:true", "denominator:float64:true", "value:float64:true",
		"unit:utf8:false", "status:utf8:false",
		"previous_value:float64:true", "evolution:float64:true", "evolution_unit:utf8:false",
		"conf:utf8:false",
	}
	if !slices.Equal(got, want) {
		t.Errorf("fields\n got %q\nwant %q", got, want)
	}
	// A fresh slice: changing it changes nothing of the next one.
	fields[0].Nullable = true
	again, _ := arrowrows.Fields(dataset())
	if again[0].Nullable {
		t.Error("Fields returns a shared slice")
	}
}

func TestFieldsClash(t *testing.T) {
	for _, dims := range [][]string{{"value"}, {"period"}, {""}, {"sex", "sex"}, {"conf"}, {"label"}, {"service_label"}, {"previous_value"}} {
		ds := dataset()
		ds.Dimensions = dims
		if _, err := arrowrows.Fields(ds); err == nil || !strings.Contains(err.Error(), "clashes with another column") {
			t.Errorf("dimensions %q: error %v", dims, err)
		}
	}
}

func TestAppendUnknownBreakdown(t *testing.T) {
	ds := dataset()
	ds.Rows[2].Dims["mode"] = "x"
	err := arrowrows.Append(builder(t, ds), ds, []int{0, 1, 2})
	if want := `row 2 (c): breakdown "mode" is not in the dataset's dimensions [service sex age_band]`; err == nil || err.Error() != want {
		t.Errorf("Append error = %v, want %q", err, want)
	}
}

// TestBatches: the rows asked for, in their order, cut in batches of the
// size asked for, with the columns of Fields.
func TestBatches(t *testing.T) {
	ds := dataset()
	var sizes []int64
	var got []string
	err := arrowrows.Batches(ds, []int{2, 0, 1}, 2, func(rec arrow.RecordBatch) error {
		sizes = append(sizes, rec.NumRows())
		if rec.NumCols() != 19 {
			t.Errorf("%d columns, want 19", rec.NumCols())
		}
		for _, r := range render(rec) {
			got = append(got, r[:strings.Index(r, "|")])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sizes, []int64{2, 1}) || !slices.Equal(got, []string{"c", "a", "b"}) {
		t.Errorf("batches of %v rows %q, want [2 1] and [c a b]", sizes, got)
	}
	stop := fmt.Errorf("stop")
	if err := arrowrows.Batches(ds, []int{0, 1, 2}, 1, func(arrow.RecordBatch) error { return stop }); err != stop {
		t.Errorf("error of write = %v, want it returned", err)
	}
}

func builder(t *testing.T, ds *export.Dataset) *array.RecordBuilder {
	t.Helper()
	fields, err := arrowrows.Fields(ds)
	if err != nil {
		t.Fatal(err)
	}
	b := array.NewRecordBuilder(memory.NewGoAllocator(), arrow.NewSchema(fields, nil))
	t.Cleanup(b.Release)
	return b
}

// render renders a record's rows, "∅" for null.
func render(rec arrow.RecordBatch) []string {
	var out []string
	for i := range int(rec.NumRows()) {
		var cells []string
		for _, col := range rec.Columns() {
			switch {
			case col.IsNull(i):
				cells = append(cells, "∅")
			default:
				cells = append(cells, col.ValueStr(i))
			}
		}
		out = append(out, strings.Join(cells, "|"))
	}
	return out
}

func TestAppend(t *testing.T) {
	ds := dataset()
	b := builder(t, ds)
	if err := arrowrows.Append(b, ds, []int{2, 0}); err != nil {
		t.Fatal(err)
	}
	if err := arrowrows.Append(b, ds, []int{1}); err != nil {
		t.Fatal(err)
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	// The labels: of the indicator ("" for one the dataset does not
	// declare), of the territory and of the service (null when unknown).
	want := []string{
		"c||59|0|LILLE|∅|Ensemble|Ensemble des services|∅|0-5 ans|∅|7|∅|count|final|-2|0|%|C",
		"a|Enfants suivis|62|2023|Ensemble|Ensemble du département|SPS-1|Service un|F||3|∅|1.5|count|final|∅|∅|%|",
		"b|Taux|62|2024|LENS|Lens-Liévin|∅|∅|∅|∅|∅|∅|∅|‰|provisional|∅|∅|points|C",
	}
	if got := render(rec); !slices.Equal(got, want) {
		t.Errorf("rows\n got %q\nwant %q", got, want)
	}
}

func TestAppendErrors(t *testing.T) {
	for _, p := range []int{-1, 1 << 31} {
		ds := dataset()
		ds.Rows[1].Period = p
		err := arrowrows.Append(builder(t, ds), ds, []int{0, 1, 2})
		if want := fmt.Sprintf("row 1 (b): period %d does not fit in int32", p); err == nil || err.Error() != want {
			t.Errorf("period %d: error %v, want %q", p, err, want)
		}
	}
	ds := dataset()
	b := builder(t, ds)
	ds.Dimensions = ds.Dimensions[:1]
	if err := arrowrows.Append(b, ds, []int{0}); err == nil || !strings.Contains(err.Error(), "19 columns, want 17") {
		t.Errorf("builder of another schema: error %v", err)
	}
}

// TestReaderRoundTrip reads back what Append wrote, row for row, nullable
// or not (Parquet's columns are all nullable), in two batches sharing
// their strings and breakdown maps.
func TestReaderRoundTrip(t *testing.T) {
	for _, nullable := range []bool{false, true} {
		ds := dataset()
		fields, err := arrowrows.Fields(ds)
		if err != nil {
			t.Fatal(err)
		}
		for i := range fields {
			fields[i].Nullable = fields[i].Nullable || nullable
		}
		b := array.NewRecordBuilder(memory.NewGoAllocator(), arrow.NewSchema(fields, nil))
		defer b.Release()
		rd := arrowrows.NewReader()
		var got []export.Row
		for _, rows := range [][]int{{0, 1}, {2, 0}} {
			if err := arrowrows.Append(b, ds, rows); err != nil {
				t.Fatal(err)
			}
			rec := b.NewRecordBatch()
			got, err = rd.Rows(rec, got)
			rec.Release()
			if err != nil {
				t.Fatal(err)
			}
		}
		want := []export.Row{ds.Rows[0], ds.Rows[1], ds.Rows[2], ds.Rows[0]}
		want[1].Conf = export.Secondary // hidden: the file does not say why
		if !reflect.DeepEqual(got, want) {
			t.Errorf("nullable %v: read\n%+v\nwant\n%+v", nullable, got, want)
		}
		if got[0].Indicator != got[3].Indicator || reflect.ValueOf(got[0].Dims).Pointer() != reflect.ValueOf(got[3].Dims).Pointer() {
			t.Errorf("nullable %v: equal rows of two batches share nothing", nullable)
		}
	}
}

func TestReaderRefusesOtherColumns(t *testing.T) {
	ds := dataset()
	fields, err := arrowrows.Fields(ds)
	if err != nil {
		t.Fatal(err)
	}
	fields[3].Type = arrow.PrimitiveTypes.Int64 // period
	b := array.NewRecordBuilder(memory.NewGoAllocator(), arrow.NewSchema(fields, nil))
	defer b.Release()
	rec := b.NewRecordBatch()
	defer rec.Release()
	_, err = arrowrows.NewReader().Rows(rec, nil)
	if want := "column 3 is period int64, want period int32"; err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
}

// TestReaderReadsEarlierFiles: a file of an earlier release (no labels,
// previous for previous_value) reads back into the same rows, its
// breakdowns found by name.
func TestReaderReadsEarlierFiles(t *testing.T) {
	str, f64 := arrow.BinaryTypes.String, arrow.PrimitiveTypes.Float64
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "indicator", Type: str}, {Name: "dep", Type: str}, {Name: "period", Type: arrow.PrimitiveTypes.Int32},
		{Name: "territory", Type: str}, {Name: "sex", Type: str, Nullable: true},
		{Name: "numerator", Type: f64, Nullable: true}, {Name: "denominator", Type: f64, Nullable: true},
		{Name: "value", Type: f64, Nullable: true}, {Name: "previous", Type: f64, Nullable: true},
		{Name: "evolution", Type: f64, Nullable: true},
		{Name: "unit", Type: str}, {Name: "status", Type: str}, {Name: "conf", Type: str},
	}, nil)
	b := array.NewRecordBuilder(memory.NewGoAllocator(), schema)
	defer b.Release()
	for i, v := range []string{"a", "62", "", "Ensemble", "F"} {
		switch i {
		case 2:
			b.Field(i).(*array.Int32Builder).Append(2024)
		default:
			b.Field(i).(*array.StringBuilder).Append(v)
		}
	}
	for i, v := range []float64{3, -1, 1.5, 2, -25} {
		if v < 0 {
			b.Field(5 + i).(*array.Float64Builder).AppendNull()
		} else {
			b.Field(5 + i).(*array.Float64Builder).Append(v)
		}
	}
	for i, v := range []string{"count", "final", ""} {
		b.Field(10 + i).(*array.StringBuilder).Append(v)
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	got, err := arrowrows.NewReader().Rows(rec, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []export.Row{{Indicator: "a", Dep: "62", Period: 2024, Territory: export.Total,
		Dims: map[string]string{"sex": "F"}, Numerator: f(3), Value: f(1.5), Previous: f(2),
		Unit: export.Count, Status: export.Final}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("read\n%+v\nwant\n%+v", got, want)
	}
}
