package cli_test

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// peakWatch follows the peak resident memory of a started command, read
// from /proc while it runs: wait4's ru_maxrss counts the test process's
// memory too, whose address space the child shares until it execs
// (vfork), so it grows with whatever the test process holds.
type peakWatch struct {
	kib  int64 // the largest VmHWM read
	done chan struct{}
	over chan struct{}
}

// watchPeak starts following cmd, which must have been started.
func watchPeak(cmd *exec.Cmd) *peakWatch {
	w := &peakWatch{done: make(chan struct{}), over: make(chan struct{})}
	go func() {
		defer close(w.over)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			if kib, ok := peakRSS(cmd.Process.Pid); ok {
				w.kib = max(w.kib, kib)
			}
			select {
			case <-w.done:
				return
			case <-tick.C:
			}
		}
	}()
	return w
}

// MiB stops following (call it once the command has been waited for) and
// returns the peak in MiB, 0 if /proc could not be read.
func (w *peakWatch) MiB() int64 {
	close(w.done)
	<-w.over
	return w.kib >> 10
}

// peakRSS reads a running process's peak resident set size (VmHWM, KiB).
func peakRSS(pid int) (int64, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}
