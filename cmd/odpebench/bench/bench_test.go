package bench

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestRunSmall runs the benchmark at the smallest scale: every figure it
// reports is measured, and the table prints them.
func TestRunSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("runs several refreshes")
	}
	res, err := Run(context.Background(), "small", 62, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	steps := map[string]Step{}
	for _, s := range res.Steps {
		steps[strings.TrimSpace(s.Name)] = s
	}
	for _, name := range []string{"extract ase", "indicators", "exports read", "exports written", "export observatoire"} {
		if s, ok := steps[name]; !ok || s.Seconds <= 0 {
			t.Errorf("step %q: %+v, want a time", name, s)
		}
	}
	if steps["indicators"].Rows == 0 {
		t.Error("indicators step counts no value")
	}
	if len(res.Baselines) != 3 {
		t.Errorf("%d baselines, want ASE, CRIP and births", len(res.Baselines))
	}
	for _, b := range res.Baselines {
		if b.DuckDB <= 0 || b.Ours <= 0 || b.Rows == 0 {
			t.Errorf("baseline %+v: want both times and the rows", b)
		}
	}
	e := res.Exports
	if e.Read <= 0 || e.Written <= 0 || e.Disclosure <= 0 || e.Indicators != steps["indicators"].Seconds {
		t.Errorf("exports alone %+v: want their times, disclosure control's and the indicators step's", e)
	}
	// The strong audit runs and passes.
	if a := res.Audit; a == nil || a.Hidden == 0 || a.Primary == 0 || len(a.Loss) == 0 {
		t.Errorf("strong audit %+v: want hidden and primary cells and each profile's loss", a)
	} else if a.Recovered+a.Narrowed > 0 {
		t.Errorf("strong audit: %d cells recovered, %d primary narrowed: %v", a.Recovered, a.Narrowed, a.Exposed)
	}
	if res.Refresh <= 0 || res.NoChange <= 0 || res.OnePMIFile <= 0 || res.PeakMiB <= 0 {
		t.Errorf("refreshes %.2f, %.2f, %.2f s, peak %.0f MiB: want each measured", res.Refresh, res.NoChange, res.OnePMIFile, res.PeakMiB)
	}
	var out bytes.Buffer
	res.Print(&out)
	for _, want := range []string{"full refresh", "every export profile, alone", "strong audit", "one new PMI file refresh"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("printed table lacks %q:\n%s", want, out.String())
		}
	}
}
