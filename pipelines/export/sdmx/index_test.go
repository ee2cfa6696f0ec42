package sdmx

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/odpe/odpe/pipelines/export"
)

// sorted is the fixture with three more indicators (one sorting first, two
// last), its rows in runs of one indicator in increasing id order.
func sorted() *export.Dataset {
	ds := fixture()
	more := []export.Row{
		{Indicator: "adoption_agrements", Dep: "62", Period: 2024, Territory: export.Total,
			Value: f(87), Unit: export.Count, Status: export.Final, Conf: export.Free},
		{Indicator: "adoption_agrements", Dep: "62", Period: 2024, Territory: "ARRAS",
			Value: f(12), Unit: export.Count, Status: export.Final, Conf: export.Free},
		{Indicator: "pmi_bilans_4ans", Dep: "62", Period: 2024, Territory: export.Total,
			Dims:  map[string]string{"sex": export.Total},
			Value: f(71.5), Unit: export.Percent, Status: export.Provisional, Conf: export.Free},
		{Indicator: "prevention_ip", Dep: "62", Period: 2024, Territory: "LENS",
			Value: f(340), Unit: export.Count, Status: export.Final, Conf: export.Free},
		{Indicator: "prevention_ip", Dep: "62", Period: 2024, Territory: "BOULOGNE",
			Unit: export.Count, Status: export.Final, Conf: export.Primary},
	}
	ds.Rows = append(ds.Rows, more...)
	slices.SortStableFunc(ds.Rows, func(a, b export.Row) int { return strings.Compare(a.Indicator, b.Indicator) })
	return ds
}

// ids returns the indicators of ds.Rows in order of first row.
func ids(ds *export.Dataset) []string {
	var out []string
	for _, r := range ds.Rows {
		if !slices.Contains(out, r.Indicator) {
			out = append(out, r.Indicator)
		}
	}
	return out
}

// only returns ds with only the rows whose indicator keep accepts.
func only(ds *export.Dataset, keep func(id string) bool) *export.Dataset {
	out := *ds
	out.Rows = nil
	for _, r := range ds.Rows {
		if keep(r.Indicator) {
			out.Rows = append(out.Rows, r)
		}
	}
	return &out
}

// writeFile writes ds to a new file of dir and returns its path and index.
func writeFile(t *testing.T, dir, name string, ds *export.Dataset) (string, Index) {
	t.Helper()
	path := filepath.Join(dir, name)
	fh, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	idx, err := WriteIndexed(fh, ds, nil)
	if err != nil {
		t.Fatalf("WriteIndexed: %v", err)
	}
	if err := fh.Close(); err != nil {
		t.Fatal(err)
	}
	return path, idx
}

// checkSpans checks that the spans of idx cut from out hold exactly the
// lines of the rows of each indicator of ds, and nothing else.
func checkSpans(t *testing.T, out []byte, ds *export.Dataset, idx Index) {
	t.Helper()
	head := bytes.Index(out, []byte("\r\n")) + 2
	total := int64(head)
	for id, sp := range idx.Indicators {
		if sp.Offset < int64(head) || sp.Offset+sp.Length > int64(len(out)) {
			t.Errorf("span of %s = %+v, outside the %d bytes of the lines", id, sp, len(out))
			continue
		}
		total += sp.Length
		recs, err := csv.NewReader(bytes.NewReader(out[sp.Offset : sp.Offset+sp.Length])).ReadAll()
		if err != nil {
			t.Errorf("span of %s: %v", id, err)
			continue
		}
		want := 0
		for _, r := range ds.Rows {
			if r.Indicator == id {
				want++
			}
		}
		if len(recs) != want {
			t.Errorf("span of %s holds %d lines, want %d", id, len(recs), want)
		}
		for _, rec := range recs {
			if rec[4] != id {
				t.Errorf("span of %s holds a line of %s", id, rec[4])
			}
		}
	}
	if total != int64(len(out)) {
		t.Errorf("header and spans cover %d bytes of %d", total, len(out))
	}
}

func TestWriteIndexedSameAsWrite(t *testing.T) {
	for name, ds := range map[string]*export.Dataset{"fixture": fixture(), "sorted": sorted()} {
		t.Run(name, func(t *testing.T) {
			var want, got bytes.Buffer
			if err := Write(&want, ds); err != nil {
				t.Fatalf("Write: %v", err)
			}
			idx, err := WriteIndexed(&got, ds, nil)
			if err != nil {
				t.Fatalf("WriteIndexed: %v", err)
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Errorf("WriteIndexed wrote\n%s\nWrite wrote\n%s", got.Bytes(), want.Bytes())
			}
			if len(idx.Context) != 64 {
				t.Errorf("context = %q, want a hex SHA-256", idx.Context)
			}
			if got, want := slices.Sorted(func(yield func(string) bool) {
				for id := range idx.Indicators {
					if !yield(id) {
						return
					}
				}
			}), slices.Sorted(slices.Values(ids(ds))); !slices.Equal(got, want) {
				t.Errorf("index holds %v, want %v", got, want)
			}
			checkSpans(t, got.Bytes(), ds, idx)
		})
	}
}

func TestWriteIndexedEmpty(t *testing.T) {
	ds := fixture()
	ds.Rows = nil
	var buf bytes.Buffer
	idx, err := WriteIndexed(&buf, ds, nil)
	if err != nil {
		t.Fatalf("WriteIndexed: %v", err)
	}
	if len(idx.Indicators) != 0 {
		t.Errorf("index of no rows = %v, want none", idx.Indicators)
	}
	if n := strings.Count(buf.String(), "\r\n"); n != 1 {
		t.Errorf("wrote %d lines, want the header alone", n)
	}
}

// TestWriteIndexedRepeatedRuns checks that an indicator whose rows come in
// two runs has no span, and the others have theirs.
func TestWriteIndexedRepeatedRuns(t *testing.T) {
	ds := fixture()
	ds.Rows = append(ds.Rows, ds.Rows[0]) // ase_mineurs_confies again, last
	var want, got bytes.Buffer
	if err := Write(&want, ds); err != nil {
		t.Fatal(err)
	}
	idx, err := WriteIndexed(&got, ds, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Errorf("WriteIndexed and Write differ")
	}
	if sp, ok := idx.Indicators["ase_mineurs_confies"]; ok {
		t.Errorf("indicator in two runs has span %+v, want none", sp)
	}
	if len(idx.Indicators) != 2 {
		t.Errorf("index = %v, want the spans of the two other indicators", idx.Indicators)
	}
	// The spans left are right; those of the repeated one would cover
	// the header and the other lines too.
	out := got.Bytes()
	for id, sp := range idx.Indicators {
		recs, err := csv.NewReader(bytes.NewReader(out[sp.Offset : sp.Offset+sp.Length])).ReadAll()
		if err != nil || len(recs) != 2 {
			t.Errorf("span of %s: %d lines, %v; want 2", id, len(recs), err)
		}
		for _, rec := range recs {
			if rec[4] != id {
				t.Errorf("span of %s holds a line of %s", id, rec[4])
			}
		}
	}
}

func TestWriteIndexedCopy(t *testing.T) {
	all := ids(sorted())
	tests := []struct {
		name   string
		copied []string
	}{
		{"first", []string{"adoption_agrements"}},
		{"last", []string{"prevention_ip"}},
		{"middle", []string{"ase_part_familial"}},
		{"adjacent", []string{"ase_part_familial", "ase_taux_placement"}},
		{"first, middle and last", []string{"prevention_ip", "adoption_agrements", "ase_part_familial"}},
		{"all but one", []string{"adoption_agrements", "ase_mineurs_confies", "ase_part_familial", "ase_taux_placement", "prevention_ip"}},
		{"all", all},
		{"none", nil},
		{"repeated", []string{"ase_part_familial", "ase_part_familial"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			copied := func(id string) bool { return slices.Contains(tt.copied, id) }
			ds := sorted()
			// The last run had other values and rows for the indicators
			// that changed: only the lines of the others are to be
			// copied.
			last := sorted()
			last.Rows = nil
			for i, r := range sorted().Rows {
				if !copied(r.Indicator) {
					r.Value = f(1000 + float64(i))
					if i == 0 || r.Indicator != last.Rows[len(last.Rows)-1].Indicator {
						last.Rows = append(last.Rows, r) // a row more
					}
				}
				last.Rows = append(last.Rows, r)
			}
			dir := t.TempDir()
			path, lastIdx := writeFile(t, dir, "last.sdmx.csv", last)

			var want bytes.Buffer
			wantIdx, err := WriteIndexed(&want, ds, nil)
			if err != nil {
				t.Fatal(err)
			}
			changed := only(ds, func(id string) bool { return !copied(id) })
			if !Reusable(changed, lastIdx, tt.copied) {
				t.Fatalf("Reusable = false, want true")
			}
			prev := &Previous{Path: path, Index: lastIdx, Indicators: tt.copied}
			var got bytes.Buffer
			gotIdx, err := WriteIndexed(&got, changed, prev)
			if err != nil {
				t.Fatalf("WriteIndexed: %v", err)
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Errorf("copying %v wrote\n%s\nwant\n%s", tt.copied, got.Bytes(), want.Bytes())
			}
			if !reflect.DeepEqual(gotIdx, wantIdx) {
				t.Errorf("index = %+v, want %+v", gotIdx, wantIdx)
			}

			// Same into a file, through a buffer, as the exports write.
			fh, err := os.Create(filepath.Join(dir, "new.sdmx.csv"))
			if err != nil {
				t.Fatal(err)
			}
			defer fh.Close()
			bw := bufio.NewWriterSize(fh, 1<<20)
			if _, err := WriteIndexed(bw, changed, prev); err != nil {
				t.Fatal(err)
			}
			if err := bw.Flush(); err != nil {
				t.Fatal(err)
			}
			if b, err := os.ReadFile(fh.Name()); err != nil || !bytes.Equal(b, want.Bytes()) {
				t.Errorf("file written by copying differs from a full write (%v)", err)
			}
			// And straight into a file, where the kernel may copy.
			path2 := filepath.Join(dir, "direct.sdmx.csv")
			fh2, err := os.Create(path2)
			if err != nil {
				t.Fatal(err)
			}
			defer fh2.Close()
			if _, err := WriteIndexed(fh2, changed, prev); err != nil {
				t.Fatal(err)
			}
			if b, err := os.ReadFile(path2); err != nil || !bytes.Equal(b, want.Bytes()) {
				t.Errorf("file written straight by copying differs from a full write (%v)", err)
			}
		})
	}
}

func TestReusable(t *testing.T) {
	base := sorted()
	var buf bytes.Buffer
	idx, err := WriteIndexed(&buf, base, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		modify     func(*export.Dataset)
		indicators []string
		want       bool
	}{
		{"same", func(*export.Dataset) {}, []string{"pmi_bilans_4ans", "adoption_agrements"}, true},
		{"nothing to copy", func(*export.Dataset) {}, nil, true},
		{"other rows", func(ds *export.Dataset) { ds.Rows = ds.Rows[:1] }, []string{"prevention_ip"}, true},
		{"other title and run", func(ds *export.Dataset) { ds.Title, ds.RunID = "x", 43 }, []string{"prevention_ip"}, true},
		{"other structure id", func(ds *export.Dataset) { ds.StructureID = "ODPE62:DF_PROTECTION_ENFANCE(1.1)" }, []string{"prevention_ip"}, false},
		{"one dimension more", func(ds *export.Dataset) { ds.Dimensions = append(ds.Dimensions, "public") }, []string{"prevention_ip"}, false},
		{"dimensions reordered", func(ds *export.Dataset) { ds.Dimensions = []string{"age_band", "sex", "category"} }, []string{"prevention_ip"}, false},
		{"dimension renamed, same column", func(ds *export.Dataset) { ds.Dimensions = []string{"sex", "ageBand", "category"} }, []string{"prevention_ip"}, false},
		{"unusable dimensions", func(ds *export.Dataset) { ds.Dimensions = append(ds.Dimensions, "--") }, []string{"prevention_ip"}, false},
		{"missing indicator", func(*export.Dataset) {}, []string{"prevention_ip", "pmi_vaccins"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := sorted()
			tt.modify(ds)
			if got := Reusable(ds, idx, tt.indicators); got != tt.want {
				t.Errorf("Reusable = %v, want %v", got, tt.want)
			}
		})
	}
	if Reusable(base, Index{Context: idx.Context}, []string{"prevention_ip"}) {
		t.Error("Reusable with an index without indicators = true")
	}
}

func TestWriteIndexedCopyErrors(t *testing.T) {
	dir := t.TempDir()
	path, idx := writeFile(t, dir, "last.sdmx.csv", sorted())
	size := func() int64 {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}()
	changed := func() *export.Dataset {
		return only(sorted(), func(id string) bool { return id != "ase_part_familial" })
	}
	copied := []string{"ase_part_familial"}
	other := func(name string, content []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, content, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	whole, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		ds   func() *export.Dataset
		prev func() *Previous
		want string
	}{
		{"unsorted rows", fixture, func() *Previous {
			return &Previous{Path: path, Index: idx}
		}, "row 5: indicator ase_part_familial comes after ase_taux_placement"},
		{"unsorted rows, repeated run", func() *export.Dataset {
			ds := changed()
			ds.Rows = append(ds.Rows, ds.Rows[0])
			return ds
		}, func() *Previous {
			return &Previous{Path: path, Index: idx, Indicators: copied}
		}, "indicator adoption_agrements comes after prevention_ip"},
		{"indicator in rows too", sorted, func() *Previous {
			return &Previous{Path: path, Index: idx, Indicators: copied}
		}, "indicator ase_part_familial has rows and is to be copied"},
		{"indicator not in index", changed, func() *Previous {
			return &Previous{Path: path, Index: idx, Indicators: []string{"ase_part_familial", "pmi_vaccins"}}
		}, "indicator pmi_vaccins to copy is not in the index of " + path},
		{"other context", func() *export.Dataset {
			ds := changed()
			ds.StructureID = "ODPE62:DF_PROTECTION_ENFANCE(2.0)"
			return ds
		}, func() *Previous {
			return &Previous{Path: path, Index: idx, Indicators: copied}
		}, "previous file " + path + " was written for other lines"},
		{"no file", changed, func() *Previous {
			return &Previous{Path: filepath.Join(dir, "none.csv"), Index: idx, Indicators: copied}
		}, "previous file: open"},
		{"truncated file", changed, func() *Previous {
			sp := idx.Indicators["ase_part_familial"]
			p := other("truncated.csv", whole[:sp.Offset+sp.Length-1])
			return &Previous{Path: p, Index: idx, Indicators: copied}
		}, fmt.Sprintf("is %d bytes, shorter than the span", idx.Indicators["ase_part_familial"].Offset+idx.Indicators["ase_part_familial"].Length-1)},
		{"file truncated at the header", changed, func() *Previous {
			p := other("header.csv", whole[:10])
			return &Previous{Path: p, Index: idx, Indicators: copied}
		}, "does not start with the header"},
		{"other file", changed, func() *Previous {
			p := other("other.csv", bytes.ToLower(whole))
			return &Previous{Path: p, Index: idx, Indicators: copied}
		}, "does not start with the header"},
		{"span beyond the file", changed, func() *Previous {
			bad := Index{Context: idx.Context, Indicators: map[string]Span{"ase_part_familial": {Offset: size - 10, Length: 11}}}
			return &Previous{Path: path, Index: bad, Indicators: copied}
		}, fmt.Sprintf("is %d bytes, shorter than the span %d+11 of indicator ase_part_familial", size, size-10)},
		{"span over the header", changed, func() *Previous {
			bad := Index{Context: idx.Context, Indicators: map[string]Span{"ase_part_familial": {Offset: 0, Length: 11}}}
			return &Previous{Path: path, Index: bad, Indicators: copied}
		}, "outside the lines of the file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			_, err := WriteIndexed(&buf, tt.ds(), tt.prev())
			if err == nil || !strings.HasPrefix(err.Error(), "sdmx: ") || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("WriteIndexed error = %v, want it to start with sdmx: and contain %q", err, tt.want)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes before failing, want none", buf.Len())
			}
		})
	}
}

// TestCopyShortRead checks the length check of a copy, for a file that
// shrinks between the checks and the copy.
func TestCopyShortRead(t *testing.T) {
	dir := t.TempDir()
	path, idx := writeFile(t, dir, "last.sdmx.csv", sorted())
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	sp := idx.Indicators["prevention_ip"]
	src := &source{path: path, f: fh, ids: []string{"prevention_ip"}, spans: []Span{{Offset: sp.Offset, Length: sp.Length + 5}}}
	_, err = src.copyTo(&countingWriter{w: &bytes.Buffer{}}, 0)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("copy indicator prevention_ip from %s: got %d bytes of %d", path, sp.Length, sp.Length+5)) {
		t.Errorf("copyTo error = %v", err)
	}
}

func TestIndexJSON(t *testing.T) {
	var buf bytes.Buffer
	idx, err := WriteIndexed(&buf, sorted(), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(idx)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(`"context":"`+idx.Context+`"`)) || !bytes.Contains(b, []byte(`"indicators":{"adoption_agrements":{"offset":`)) {
		t.Errorf("JSON = %s", b)
	}
	var back Index
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, idx) {
		t.Errorf("JSON round trip = %+v, %v; want %+v", back, err, idx)
	}
}

// BenchmarkWriteIndexed writes 200 indicators of 5,000 rows each into a
// file, in full and by copying all but 10 of them from the last file.
func BenchmarkWriteIndexed(b *testing.B) {
	base := fixture()
	ds := *base
	const indicators, rows = 200, 5_000
	ds.Rows = make([]export.Row, 0, indicators*rows)
	var names []string
	for k := range indicators {
		id := fmt.Sprintf("ind_%03d", k)
		names = append(names, id)
		for i := range rows {
			r := base.Rows[i%len(base.Rows)]
			r.Indicator = id
			ds.Rows = append(ds.Rows, r)
		}
	}
	dir := b.TempDir()
	write := func(path string, ds *export.Dataset, prev *Previous) Index {
		fh, err := os.Create(path)
		if err != nil {
			b.Fatal(err)
		}
		defer fh.Close()
		bw := bufio.NewWriterSize(fh, 1<<20)
		idx, err := WriteIndexed(bw, ds, prev)
		if err != nil {
			b.Fatal(err)
		}
		if err := bw.Flush(); err != nil {
			b.Fatal(err)
		}
		return idx
	}
	last := filepath.Join(dir, "last.sdmx.csv")
	idx := write(last, &ds, nil)
	b.Run("full", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			write(filepath.Join(dir, "full.sdmx.csv"), &ds, nil)
		}
	})
	b.Run("copy 190 of 200", func(b *testing.B) {
		fresh := func(id string) bool { return id >= "ind_100" && id < "ind_110" }
		changed := only(&ds, fresh)
		var copied []string
		for _, id := range names {
			if !fresh(id) {
				copied = append(copied, id)
			}
		}
		prev := &Previous{Path: last, Index: idx, Indicators: copied}
		b.ReportAllocs()
		for b.Loop() {
			write(filepath.Join(dir, "copy.sdmx.csv"), changed, prev)
		}
	})
}
