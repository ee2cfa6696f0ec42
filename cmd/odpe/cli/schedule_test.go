package cli_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/odpe/odpe/cmd/odpe/cli"
	"github.com/odpe/odpe/pipelines/refresh/refreshtest"
)

// scheduled rewrites the samples' configuration so that the PMI job fires
// every second and files are read as soon as they are one second old.
func scheduled(t *testing.T, cfg, onFailure string) {
	t.Helper()
	text := string(mustRead(t, cfg))
	text = strings.Replace(text, "    source: pmi_activite_*.csv\n", "    source: pmi_activite_*.csv\n    schedule: \"* * * * * *\"\n", 1)
	text += "scheduler:\n  quiet_period: 1s\n  grace_period: 5s\n  retry: {attempts: 2, initial: 1s, max: 2s}\n"
	if onFailure != "" {
		text += "  on_failure: " + onFailure + "\n"
	}
	if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// waitFor polls cond every 200 ms until it holds or the time is up.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

func TestScheduleLoadsADroppedFileAndStopsCleanly(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the scheduler for several seconds")
	}
	bin := binary(t)
	cfg := refreshtest.Samples(t)
	if code, _, errOut := odpe(t, "--config", cfg, "refresh"); code != cli.ExitOK {
		t.Fatal(errOut)
	}
	scheduled(t, cfg, "")
	var logs bytes.Buffer
	cmd := exec.Command(bin, "--config", cfg, "schedule")
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	os.WriteFile(filepath.Join(filepath.Dir(cfg), "pmi_activite_2011_rectificatif.csv"), []byte(pmiRevision), 0o644)
	waitFor(t, 60*time.Second, "the dropped PMI file to be loaded and the indicators recomputed", func() bool {
		got, err := eppNow(t, bin, cfg)
		return err == nil && got == "2304"
	})
	cmd.Process.Signal(syscall.SIGTERM)
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("schedule exited with %v\n%s", err, logs.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("schedule did not stop on SIGTERM\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "scheduler stopped") {
		t.Errorf("no clean stop in the logs:\n%s", logs.String())
	}
	// The run history says what happened, with the trigger.
	code, out, _ := odpe(t, "--config", cfg, "sql", "--format", "csv",
		"SELECT trigger, status, files_loaded FROM meta.runs WHERE trigger <> 'manual' AND files_loaded > 0")
	if code != cli.ExitOK || !strings.Contains(out, "schedule,success,1") && !strings.Contains(out, "catch-up,success,1") {
		t.Errorf("run history:\n%s", out)
	}
	// The lock was released: a manual refresh runs.
	if code, out, errOut := odpe(t, "--config", cfg, "refresh", "--force"); code != cli.ExitOK {
		t.Errorf("refresh after the scheduler: %d\n%s%s", code, out, errOut)
	}
}

func TestScheduledFailureRunsTheFailureCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the scheduler for several seconds")
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
	// A broken check: the next refresh fails and keeps the previous warehouse.
	addIndicatorFolder(t, cfg, strings.Replace(extraYAML, "  - non_negative: true\n", "  - between: [0, 1]\n", 1), extraSQL)
	os.WriteFile(filepath.Join(dir, "pmi_activite_2011_rectificatif.csv"), []byte(pmiRevision), 0o644)
	cmd := exec.Command(bin, "--config", cfg, "schedule")
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	waitFor(t, 60*time.Second, "the failure command", func() bool {
		b, err := os.ReadFile(summary)
		return err == nil && len(b) > 0
	})
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()
	got := string(mustRead(t, summary))
	for _, w := range []string{"ODPE refresh failed", "job pmi", "between 0 and 1", "previous warehouse is kept"} {
		if !strings.Contains(got, w) {
			t.Errorf("summary lacks %q:\n%s", w, got)
		}
	}
	if got, err := eppNow(t, bin, cfg); err != nil || got != "2204" {
		t.Errorf("previous figures not kept: %q %v", got, err)
	}
	_, status, _ := odpe(t, "--config", cfg, "status")
	if !strings.Contains(status, "last successful refresh: 20") || !strings.Contains(status, "failed") {
		t.Errorf("status:\n%s", status)
	}
}
