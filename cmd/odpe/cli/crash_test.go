package cli_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/odpe/odpe/cmd/odpe/cli"
	"github.com/odpe/odpe/pipelines/failpoint"
	"github.com/odpe/odpe/pipelines/refresh/refreshtest"
)

// eppNow reads the département's EPP of 2011 through a separate process.
func eppNow(t *testing.T, bin, cfg string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd := exec.Command(bin, "--config", cfg, "sql", "--format", "csv", eppQuery)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", &exec.ExitError{ProcessState: cmd.ProcessState, Stderr: errb.Bytes()}
	}
	return strings.TrimPrefix(strings.TrimSpace(out.String()), "value\n"), nil
}

// TestKilledRefreshKeepsPreviousWarehouse kills a refresh with SIGKILL at
// several points; each time the previous warehouse stays openable with the
// previous figures, and the next refresh succeeds without manual cleanup.
func TestKilledRefreshKeepsPreviousWarehouse(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills processes")
	}
	bin := binary(t)
	cfg := refreshtest.Samples(t)
	if code, out, errOut := odpe(t, "--config", cfg, "refresh"); code != cli.ExitOK {
		t.Fatalf("first refresh: %d\n%s%s", code, out, errOut)
	}
	os.WriteFile(filepath.Join(filepath.Dir(cfg), "pmi_activite_2011_rectificatif.csv"), []byte(pmiRevision), 0o644)
	for _, point := range []string{failpoint.DuringLoad, failpoint.DuringIndicators, failpoint.BeforeSwap} {
		t.Run(point, func(t *testing.T) {
			ready := filepath.Join(t.TempDir(), "ready")
			cmd := exec.Command(bin, "--config", cfg, "refresh")
			cmd.Env = append(os.Environ(), "ODPE_FAILPOINT="+point, "ODPE_FAILPOINT_READY="+ready)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(2 * time.Minute)
			for {
				if _, err := os.Stat(ready); err == nil {
					break
				}
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					t.Fatalf("refresh never reached %s", point)
				}
				time.Sleep(20 * time.Millisecond)
			}
			cmd.Process.Signal(syscall.SIGKILL)
			cmd.Wait()
			got, err := eppNow(t, bin, cfg)
			if err != nil || got != "2204" {
				t.Fatalf("after a kill %s: %q, %v (want the previous 2204)", point, got, err)
			}
		})
	}
	code, out, errOut := odpe(t, "--config", cfg, "refresh")
	if code != cli.ExitOK {
		t.Fatalf("refresh after the kills: %d\n%s%s", code, out, errOut)
	}
	if got, err := eppNow(t, bin, cfg); err != nil || got != "2304" {
		t.Fatalf("after recovery: %q, %v (want 2304)", got, err)
	}
	versions, _ := filepath.Glob(filepath.Join(filepath.Dir(cfg), "data", "odpe.duckdb.versions", "v*.duckdb"))
	if len(versions) > 2 {
		t.Errorf("orphan versions left behind: %v", versions)
	}
}

// TestReadersDuringRefresh runs queries in other processes, in a loop, while
// a refresh runs: every query succeeds and sees the old or the new state.
func TestReadersDuringRefresh(t *testing.T) {
	if testing.Short() {
		t.Skip("runs processes")
	}
	bin := binary(t)
	cfg := refreshtest.Samples(t)
	if code, _, errOut := odpe(t, "--config", cfg, "refresh"); code != cli.ExitOK {
		t.Fatal(errOut)
	}
	os.WriteFile(filepath.Join(filepath.Dir(cfg), "pmi_activite_2011_rectificatif.csv"), []byte(pmiRevision), 0o644)
	done := make(chan struct{})
	var mu sync.Mutex
	seen := map[string]int{}
	var failures []string
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		after := 0
		for {
			got, err := eppNow(t, bin, cfg)
			mu.Lock()
			if err != nil {
				failures = append(failures, err.Error()+": "+string(err.(*exec.ExitError).Stderr))
			} else {
				seen[got]++
			}
			mu.Unlock()
			select {
			case <-done:
				if after++; after >= 3 {
					return
				}
			default:
			}
		}
	}()
	code, out, errOut := odpe(t, "--config", cfg, "refresh")
	close(done)
	wg.Wait()
	if code != cli.ExitOK {
		t.Fatalf("refresh: %d\n%s%s", code, out, errOut)
	}
	if len(failures) > 0 {
		t.Fatalf("%d reader(s) failed, first: %s", len(failures), failures[0])
	}
	for v := range seen {
		if v != "2204" && v != "2304" {
			t.Errorf("a reader saw %q, neither the old state (2204) nor the new (2304)", v)
		}
	}
	if seen["2304"] == 0 {
		t.Errorf("no reader saw the new state: %v", seen)
	}
	t.Logf("reader results: %v", seen)
}
