package cli

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestProgressDrawsOnlySlowSteps(t *testing.T) {
	var buf bytes.Buffer
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := &progressBar{w: &buf, now: func() time.Time { return clock }}
	p.update("extract pmi", 0, 4)
	clock = clock.Add(300 * time.Millisecond)
	p.update("extract pmi", 4, 4) // fast step: nothing drawn
	p.update("extract ase", 0, 2)
	clock = clock.Add(1500 * time.Millisecond)
	p.update("extract ase", 1, 2)
	p.update("indicators", 0, 1)
	out := buf.String()
	if strings.Contains(out, "pmi") {
		t.Errorf("a step under a second was drawn: %q", out)
	}
	if !strings.Contains(out, "extract ase") || !strings.Contains(out, "1/2") || !strings.HasSuffix(out, "\n") {
		t.Errorf("slow step not drawn, or its line not ended: %q", out)
	}
}

func TestNoProgressWhenNotATerminal(t *testing.T) {
	if newProgress(&bytes.Buffer{}) != nil {
		t.Error("progress on a buffer")
	}
}
