package cli_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/odpe/odpe/cmd/odpe/cli"
	"github.com/odpe/odpe/pipelines/failpoint"
	"github.com/odpe/odpe/pipelines/refresh/refreshtest"
)

// publishedRun returns the run folder a profile's link points at.
func publishedRun(t *testing.T, cfg, profile string) string {
	t.Helper()
	target, err := os.Readlink(filepath.Join(filepath.Dir(cfg), "exports", profile))
	if err != nil {
		t.Fatal(err)
	}
	return strings.SplitN(strings.Split(filepath.ToSlash(target), "/")[1], "-", 2)[0]
}

// sqlValue runs a one-value query in process.
func sqlValue(t *testing.T, cfg, q string) string {
	t.Helper()
	code, out, errOut := odpe(t, "--config", cfg, "sql", "--format", "csv", q)
	if code != cli.ExitOK {
		t.Fatalf("%s: exit %d %s", q, code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return lines[len(lines)-1]
}

// TestKilledBeforePublishHeals kills a refresh with SIGKILL after its
// version became current and before its exports were published: the next
// refresh, with nothing new to load, publishes them again from the
// current version (no --force), and the one after has nothing to do.
func TestKilledBeforePublishHeals(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills processes")
	}
	bin := binary(t)
	cfg := refreshtest.Samples(t)
	if code, out, errOut := odpe(t, "--config", cfg, "refresh"); code != cli.ExitOK {
		t.Fatalf("first refresh: %d\n%s%s", code, out, errOut)
	}
	before := publishedRun(t, cfg, "observatoire")
	os.WriteFile(filepath.Join(filepath.Dir(cfg), "pmi_activite_2011_rectificatif.csv"), []byte(pmiRevision), 0o644)
	ready := filepath.Join(t.TempDir(), "ready")
	cmd := exec.Command(bin, "--config", cfg, "refresh")
	cmd.Env = append(os.Environ(), "ODPE_FAILPOINT="+failpoint.BeforePublish, "ODPE_FAILPOINT_READY="+ready)
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
			t.Fatal("refresh never reached the publication")
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if got, _ := eppNow(t, bin, cfg); got != "2304" {
		t.Fatalf("after the kill the warehouse holds %q, want the new 2304", got)
	}
	current := sqlValue(t, cfg, "SELECT value FROM meta.state WHERE key = 'exports_run'")
	if got := publishedRun(t, cfg, "observatoire"); got != before || got == current {
		t.Fatalf("published run %s after the kill (before %s, current %s): the kill came too late", got, before, current)
	}
	code, out, errOut := odpe(t, "--config", cfg, "refresh")
	if code != cli.ExitOK || !strings.Contains(out, "Nothing changed") || !strings.Contains(out, "exports published again") {
		t.Fatalf("refresh after the kill: exit %d\n%s%s", code, out, errOut)
	}
	for _, p := range []string{"observatoire", "insee"} {
		if got := publishedRun(t, cfg, p); got != current {
			t.Errorf("%s published from run %s, want the current %s", p, got, current)
		}
	}
	if code, out, _ := odpe(t, "--config", cfg, "refresh"); code != cli.ExitOK || strings.Contains(out, "published again") {
		t.Errorf("third refresh: exit %d\n%s", code, out)
	}
}

// TestDiskFullFailsWithExit4: running out of space while copying the
// warehouse fails the refresh (exit 4) and keeps the previous warehouse.
func TestDiskFullFailsWithExit4(t *testing.T) {
	cfg := refreshtest.Samples(t)
	if code, out, errOut := odpe(t, "--config", cfg, "refresh"); code != cli.ExitOK {
		t.Fatalf("first refresh: %d\n%s%s", code, out, errOut)
	}
	os.WriteFile(filepath.Join(filepath.Dir(cfg), "pmi_activite_2011_rectificatif.csv"), []byte(pmiRevision), 0o644)
	t.Setenv("ODPE_FAILPOINT", failpoint.DiskFull)
	code, out, errOut := odpe(t, "--config", cfg, "refresh")
	if code != cli.ExitFailed || !strings.Contains(out, "no space left on device") {
		t.Fatalf("exit %d, want %d with the disk full\n%s%s", code, cli.ExitFailed, out, errOut)
	}
	t.Setenv("ODPE_FAILPOINT", "")
	if got := sqlValue(t, cfg, eppQuery); got != "2204" {
		t.Errorf("EPP %s after the failure, want the previous 2204", got)
	}
	versions, _ := filepath.Glob(filepath.Join(filepath.Dir(cfg), "data", "odpe.duckdb.versions", "v*.duckdb"))
	if len(versions) != 1 {
		t.Errorf("versions left: %v", versions)
	}
}

// TestScheduleShutdownIsNotAFailure stops the scheduler with SIGTERM while
// a refresh reads a file that never ends: the refresh is abandoned within
// the grace period, the previous warehouse is kept, the scheduler exits 0
// and the failure command is not run.
func TestScheduleShutdownIsNotAFailure(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the scheduler")
	}
	bin := binary(t)
	cfg := refreshtest.Samples(t)
	if code, _, errOut := odpe(t, "--config", cfg, "refresh"); code != cli.ExitOK {
		t.Fatal(errOut)
	}
	dir := filepath.Dir(cfg)
	summary := filepath.Join(dir, "summary.txt")
	script := filepath.Join(dir, "notify.sh")
	os.WriteFile(script, []byte("#!/bin/sh\ncat > "+summary+"\n"), 0o755)
	scheduled(t, cfg, script)
	os.WriteFile(cfg, []byte(strings.Replace(string(mustRead(t, cfg)), "grace_period: 5s", "grace_period: 1s", 1)), 0o644)
	os.WriteFile(filepath.Join(dir, "pmi_activite_2011_rectificatif.csv"), []byte(pmiRevision), 0o644)
	ready := filepath.Join(t.TempDir(), "ready")
	cmd := exec.Command(bin, "--config", cfg, "schedule")
	cmd.Env = append(os.Environ(), "ODPE_FAILPOINT="+failpoint.SlowLoad, "ODPE_FAILPOINT_READY="+ready)
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	waitFor(t, 60*time.Second, "a refresh reading the file", func() bool { _, err := os.Stat(ready); return err == nil })
	cmd.Process.Signal(syscall.SIGTERM)
	start := time.Now()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("schedule exited with %v\n%s", err, logs.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("schedule still ran 20 s after SIGTERM (grace period 1 s)\n%s", logs.String())
	}
	t.Logf("stopped %s after SIGTERM", time.Since(start).Round(time.Millisecond))
	if _, err := os.Stat(summary); err == nil {
		t.Errorf("the failure command ran on a planned shutdown:\n%s", mustRead(t, summary))
	}
	if !strings.Contains(logs.String(), "abandoned at shutdown") {
		t.Errorf("logs:\n%s", logs.String())
	}
	if got, err := eppNow(t, bin, cfg); err != nil || got != "2204" {
		t.Errorf("previous figures not kept: %q %v", got, err)
	}
}
