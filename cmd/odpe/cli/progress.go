package cli

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// progressBar draws one line per step on a terminal, once the step has
// taken more than a second; it draws nothing otherwise, and nothing at all
// when the output is not a terminal (see newProgress).
type progressBar struct {
	mu      sync.Mutex
	w       io.Writer
	now     func() time.Time
	step    string
	started time.Time
	drawn   bool
}

// newProgress returns the refresh's progress callback for w, or nil when w
// is not a terminal.
func newProgress(w io.Writer) func(step string, done, total int) {
	if !isTerminal(w) {
		return nil
	}
	return (&progressBar{w: w, now: time.Now}).update
}

func (p *progressBar) update(step string, done, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if step != p.step {
		p.finish()
		p.step, p.started = step, p.now()
	}
	if p.now().Sub(p.started) < time.Second {
		return
	}
	const width = 30
	filled := 0
	if total > 0 {
		filled = width * done / total
	}
	fmt.Fprintf(p.w, "\r%-28s [%s%s] %d/%d  %s", step, strings.Repeat("#", filled), strings.Repeat(".", width-filled),
		done, total, p.now().Sub(p.started).Round(100*time.Millisecond))
	p.drawn = true
}

// finish ends the current line, if one was drawn.
func (p *progressBar) finish() {
	if p.drawn {
		fmt.Fprintln(p.w)
		p.drawn = false
	}
}
