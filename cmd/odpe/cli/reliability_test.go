package cli_test

import (
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/odpe/odpe/cmd/odpe/cli"
	"github.com/odpe/odpe/pipelines/failpoint"
	"github.com/odpe/odpe/pipelines/refresh"
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

// TestKeySwap: a refresh with another key is refused (exit 4) before it
// loads anything, saying how to re-pseudonymise on purpose; --rekey does
// it, all or nothing; a key readable by others is refused even when no
// file changed.
func TestKeySwap(t *testing.T) {
	cfg := refreshtest.Samples(t)
	dir := filepath.Dir(cfg)
	if code, out, errOut := odpe(t, "--config", cfg, "refresh"); code != cli.ExitOK {
		t.Fatalf("first refresh: %d\n%s%s", code, out, errOut)
	}
	const joinQ = "SELECT count(*) FILTER (WHERE child_id IN (SELECT child_id FROM raw.ase_measures)) || '/' || count(*) FROM raw.adoption_events"
	const pseudoQ = "SELECT min(child_id) FROM raw.ase_measures"
	join, pseudo := sqlValue(t, cfg, joinQ), sqlValue(t, cfg, pseudoQ)
	if strings.HasPrefix(join, "0/") {
		t.Fatalf("no adoption event joins an ASE measure before the swap: %s", join)
	}
	key := filepath.Join(dir, "odpe.key")
	os.Remove(key)
	if code, out, errOut := odpe(t, "keygen", key); code != cli.ExitOK {
		t.Fatal(out, errOut)
	}
	code, out, errOut := odpe(t, "--config", cfg, "refresh")
	if code != cli.ExitFailed || !strings.Contains(out, "not the key the warehouse's pseudonyms were made with") || !strings.Contains(out, "odpe refresh --rekey") {
		t.Fatalf("refresh with another key: exit %d\n%s%s", code, out, errOut)
	}
	if got := sqlValue(t, cfg, pseudoQ); got != pseudo {
		t.Fatalf("pseudonyms changed by a refused refresh")
	}
	// All or nothing: a rejected ASE extract fails the whole --rekey.
	os.WriteFile(filepath.Join(dir, "ase_mesures_20261122.csv"), []byte("not;an;extract\n1;2;3\n"), 0o644)
	code, out, errOut = odpe(t, "--config", cfg, "refresh", "--rekey")
	if code != cli.ExitFailed || !strings.Contains(out, "nothing was re-pseudonymised") {
		t.Fatalf("--rekey with a bad extract: exit %d\n%s%s", code, out, errOut)
	}
	if got := sqlValue(t, cfg, pseudoQ); got != pseudo {
		t.Fatalf("pseudonyms changed by a failed --rekey")
	}
	os.Remove(filepath.Join(dir, "ase_mesures_20261122.csv"))
	if code, out, errOut = odpe(t, "--config", cfg, "refresh", "--rekey"); code != cli.ExitOK {
		t.Fatalf("--rekey: exit %d\n%s%s", code, out, errOut)
	}
	if got := sqlValue(t, cfg, pseudoQ); got == pseudo {
		t.Errorf("--rekey left the pseudonyms of the former key")
	}
	if got := sqlValue(t, cfg, joinQ); got != join {
		t.Errorf("adoption events joining ASE measures: %s after --rekey, %s before", got, join)
	}
	if got := sqlValue(t, cfg, "SELECT count(*) FROM raw.ase_measures r JOIN meta.files f USING (file_id) WHERE f.status <> 'loaded'"); got != "0" {
		t.Errorf("%s rows of retired files kept", got)
	}
	if code, out, _ := odpe(t, "--config", cfg, "refresh"); code != cli.ExitOK || !strings.Contains(out, "Nothing changed") {
		t.Errorf("refresh after --rekey: exit %d\n%s", code, out)
	}
	os.Chmod(key, 0o644)
	if code, out, _ := odpe(t, "--config", cfg, "refresh"); code != cli.ExitFailed || !strings.Contains(out, "readable by its owner only") {
		t.Errorf("refresh with a key readable by others: exit %d\n%s", code, out)
	}
}

// TestRejectedCopiesArePurged: a rejected file's copy is kept in a folder
// only the service account reads, shown by `odpe status`, and removed once
// older than rejected_retention, by `odpe purge` or the next refresh.
func TestRejectedCopiesArePurged(t *testing.T) {
	cfg := refreshtest.Samples(t)
	dir := filepath.Dir(cfg)
	os.WriteFile(cfg, append(mustRead(t, cfg), "rejected_retention: 10d\n"...), 0o644)
	write(t, dir, "pmi_activite_big.csv", pmiHeader+"ARR;2012;1;2147483648;15;4;110;77;7;7;29;249\n")
	if code, out, errOut := odpe(t, "--config", cfg, "refresh"); code != cli.ExitPartial {
		t.Fatalf("refresh: %d\n%s%s", code, out, errOut)
	}
	rejected := filepath.Join(dir, "data", "rejected")
	copies, _ := filepath.Glob(filepath.Join(rejected, "*"))
	if len(copies) != 1 {
		t.Fatalf("copies: %v", copies)
	}
	if st, err := os.Stat(rejected); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("data/rejected: %v %v, want mode 0700", st.Mode(), err)
	}
	if st, _ := os.Stat(copies[0]); st.Mode().Perm() != 0o600 {
		t.Errorf("copy mode %v, want 0600", st.Mode())
	}
	_, status, _ := odpe(t, "--config", cfg, "status")
	if !strings.Contains(status, "Rejected copies: 1 file(s)") || !strings.Contains(status, "kept 10 days then purged") {
		t.Errorf("status:\n%s", status)
	}
	if _, out, _ := odpe(t, "--config", cfg, "purge"); !strings.Contains(out, "0 copy(ies)") {
		t.Errorf("purge of a fresh copy: %s", out)
	}
	old := time.Now().Add(-11 * 24 * time.Hour)
	os.Chtimes(copies[0], old, old)
	if code, out, _ := odpe(t, "--config", cfg, "purge"); code != cli.ExitOK || !strings.Contains(out, "1 copy(ies)") {
		t.Errorf("purge: %d %s", code, out)
	}
	// At each refresh too.
	os.WriteFile(filepath.Join(rejected, "1-old.csv"), []byte("x"), 0o600)
	os.Chtimes(filepath.Join(rejected, "1-old.csv"), old, old)
	odpe(t, "--config", cfg, "refresh")
	if copies, _ := filepath.Glob(filepath.Join(rejected, "*")); len(copies) != 0 {
		t.Errorf("copies left after a refresh: %v", copies)
	}
}

// TestWarehouseNotReadableByOthers: the warehouse's folder, its versions
// and everything under data/ are closed to others, and open to the
// readers' group when one is configured.
func TestWarehouseNotReadableByOthers(t *testing.T) {
	cfg := refreshtest.Samples(t)
	dir := filepath.Dir(cfg)
	group, gid := "", -1
	if g, err := user.LookupGroup("daemon"); err == nil && os.Geteuid() == 0 {
		group = g.Name
		gid, _ = strconv.Atoi(g.Gid)
		os.WriteFile(cfg, append(mustRead(t, cfg), "readers_group: "+group+"\n"...), 0o644)
	}
	write(t, dir, "pmi_activite_big.csv", pmiHeader+"ARR;2012;1;2147483648;15;4;110;77;7;7;29;249\n")
	if code, out, errOut := odpe(t, "--config", cfg, "refresh"); code != cli.ExitPartial {
		t.Fatalf("refresh: %d\n%s%s", code, out, errOut)
	}
	data := filepath.Join(dir, "data")
	version, err := filepath.EvalSymlinks(filepath.Join(data, "odpe.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	filepath.WalkDir(data, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		st, err := os.Lstat(p)
		if err != nil || st.Mode()&os.ModeSymlink != 0 {
			return nil
		}
		checked++
		if st.Mode().Perm()&0o007 != 0 {
			t.Errorf("%s: mode %v, readable by others", p, st.Mode())
		}
		return nil
	})
	for _, p := range []string{data, filepath.Dir(version), version} {
		st, _ := os.Stat(p)
		if gid >= 0 && int(st.Sys().(*syscall.Stat_t).Gid) != gid {
			t.Errorf("%s: group %d, want %s (%d)", p, st.Sys().(*syscall.Stat_t).Gid, group, gid)
		}
		if gid >= 0 && st.Mode().Perm()&0o040 == 0 {
			t.Errorf("%s: mode %v, the readers' group cannot read it", p, st.Mode())
		}
	}
	t.Logf("%d entries under data/ checked; readers' group %q", checked, group)
}

// TestSlowFileIsRejectedAlone: a file still being read after
// refresh.FileTimeout is rejected alone; the other files load.
func TestSlowFileIsRejectedAlone(t *testing.T) {
	cfg := refreshtest.Samples(t)
	os.WriteFile(filepath.Join(filepath.Dir(cfg), "pmi_activite_2011_rectificatif.csv"), []byte(pmiRevision), 0o644)
	defer func(d time.Duration) { refresh.FileTimeout = d }(refresh.FileTimeout)
	refresh.FileTimeout = 2 * time.Second
	t.Setenv("ODPE_FAILPOINT", failpoint.SlowLoad)
	t.Setenv("ODPE_FAILPOINT_MATCH", "traject")
	code, out, errOut := odpe(t, "--config", cfg, "refresh")
	if code != cli.ExitPartial || !strings.Contains(out, "reading it took more than 2s") || !strings.Contains(out, "1 rejected") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if got := sqlValue(t, cfg, eppQuery); got != "2304" {
		t.Errorf("EPP %s, want 2304", got)
	}
}
