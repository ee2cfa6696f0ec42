package bench

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// sampler reads the process's resident memory every few milliseconds and
// keeps the highest value seen during each step.
type sampler struct {
	mu    sync.Mutex
	step  string
	peaks map[string]float64
	done  chan struct{}
	once  sync.Once
	wg    sync.WaitGroup
}

func newSampler() *sampler {
	s := &sampler{peaks: map[string]float64{}, done: make(chan struct{})}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-s.done:
				return
			case <-t.C:
				s.sample()
			}
		}
	}()
	return s
}

// enter says that step has begun (the refresh's progress callback).
func (s *sampler) enter(step string) {
	s.mu.Lock()
	s.step = step
	s.mu.Unlock()
	s.sample()
}

func (s *sampler) sample() {
	rss := residentMiB()
	s.mu.Lock()
	defer s.mu.Unlock()
	if rss > s.peaks[s.step] {
		s.peaks[s.step] = rss
	}
}

// stop ends sampling and returns the peak of each step, in MiB.
func (s *sampler) stop() map[string]float64 {
	s.once.Do(func() { close(s.done) })
	s.wg.Wait()
	return s.peaks
}

// residentMiB is the process's resident memory now.
func residentMiB() float64 {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(data))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseFloat(f[1], 64)
	return pages * float64(os.Getpagesize()) / (1 << 20)
}

// highWaterMiB is the process's peak resident memory so far (VmHWM).
func highWaterMiB() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}
