package cli_test

import (
	"archive/zip"
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

// pmiHeader is the header line of a PMI file.
const pmiHeader = "Territoire;Année;Mois;EPP réalisés;Patientes suivies par une SF de PMI suite à EPP;" +
	"Patientes orientées vers un autre professionnel suite à EPP;Contacts puéricultrices;" +
	"dont en maternité (puéricultrices);Contacts sages-femmes;dont en maternité (sages-femmes);" +
	"Séances bilans 3-4 ans;Enfants vus bilans 3-4 ans\n"

// secret stands for what must never leak through an error: a key, a
// password file.
const secret = "0b5e55ed5ec2e7f00d0b5e55ed5ec2e7f00d0b5e55ed5ec2e7f00d0b5e55ed5e"

// hostileCases are files a careless or hostile user drops among the
// sources. Each is created in dir (the source folder) by make, and
// returns the name it was given; want is a part of its rejection.
var hostileCases = []struct {
	name string
	make func(t *testing.T, dir string) string
	want string
}{
	{"count too big for its column", func(t *testing.T, dir string) string {
		return write(t, dir, "pmi_activite_big.csv", pmiHeader+"ARR;2012;1;2147483648;15;4;110;77;7;7;29;249\n")
	}, `column "EPP réalisés": value "2147483648": expected a count (whole number from 0 to 1 000 000)`},
	{"count beyond int64", func(t *testing.T, dir string) string {
		return write(t, dir, "pmi_activite_huge.csv", pmiHeader+"ARR;2012;1;99999999999999999999999;15;4;110;77;7;7;29;249\n")
	}, `column "EPP réalisés": value "99999999999999999999999": expected a count`},
	{"cell over the cell limit", func(t *testing.T, dir string) string {
		return write(t, dir, "pmi_activite_cell.csv", pmiHeader+"ARR;2012;1;"+strings.Repeat("9", 40000)+";15;4;110;77;7;7;29;249\n")
	}, `column "EPP réalisés": value "999999999999999999999999999999999999999999999999999999999999…": expected a value of at most 32767 characters`},
	{"cell of 3 MB", func(t *testing.T, dir string) string {
		return write(t, dir, "pmi_activite_3mb.csv", pmiHeader+"ARR;2012;1;"+strings.Repeat("9", 3<<20)+";15;4;110;77;7;7;29;249\n")
	}, `line 2: a line (or quoted field) longer than 1 MiB`},
	{"50 MB without a line break", func(t *testing.T, dir string) string {
		return write(t, dir, "pmi_activite_oneline.csv", strings.Repeat("x;", 25<<20))
	}, `line 1: a line (or quoted field) longer than 1 MiB`},
	{"binary bytes", func(t *testing.T, dir string) string {
		return write(t, dir, "pmi_activite_bin.csv", pmiHeader+"ARR;2012;1;\x00\x01\x02;15\n")
	}, `line 2: byte 0x00 is a control character: expected text`},
	{"terminal escape in a value", func(t *testing.T, dir string) string {
		return write(t, dir, "pmi_activite_esc.csv", pmiHeader+"ARR;2012;1;\x1b[2J;15;4;110;77;7;7;29;249\n")
	}, `byte 0x1B is a control character`},
	{"not this source: no header quoted", func(t *testing.T, dir string) string {
		return write(t, dir, "pmi_activite_secret.csv", "root:"+secret+":19000:0:99999:7:::\nbin:*:19000\n")
	}, `holds none of the expected columns`},
	{"sparse file of 20 GiB", func(t *testing.T, dir string) string {
		p := write(t, dir, "pmi_activite_sparse.csv", pmiHeader)
		if err := os.Truncate(filepath.Join(dir, p), 20<<30); err != nil {
			t.Skip("sparse file:", err)
		}
		return p
	}, `a file of 20 GiB: expected at most 16 GiB`},
	{"symbolic link in a loop", func(t *testing.T, dir string) string {
		link(t, "pmi_activite_loopb.csv", filepath.Join(dir, "pmi_activite_loopa.csv"))
		link(t, "pmi_activite_loopa.csv", filepath.Join(dir, "pmi_activite_loopb.csv"))
		return "pmi_activite_loopa.csv"
	}, `a symbolic link in a loop`},
	{"symbolic link to /dev/zero", func(t *testing.T, dir string) string {
		link(t, "/dev/zero", filepath.Join(dir, "pmi_activite_zero.csv"))
		return "pmi_activite_zero.csv"
	}, `a symbolic link to outside the source folder`},
	{"symbolic link out of the folder", func(t *testing.T, dir string) string {
		out := t.TempDir()
		write(t, out, "shadow", "root:"+secret+":19000\n")
		link(t, filepath.Join(out, "shadow"), filepath.Join(dir, "pmi_activite_shadow.csv"))
		return "pmi_activite_shadow.csv"
	}, `a symbolic link to outside the source folder`},
	{"symbolic link to the key, inside the folder", func(t *testing.T, dir string) string {
		link(t, "odpe.key", filepath.Join(dir, "pmi_activite_key.csv"))
		return "pmi_activite_key.csv"
	}, `holds none of the expected columns`},
	{"dangling symbolic link", func(t *testing.T, dir string) string {
		link(t, "nowhere.csv", filepath.Join(dir, "pmi_activite_dangling.csv"))
		return "pmi_activite_dangling.csv"
	}, `a symbolic link to nothing`},
	{"FIFO", func(t *testing.T, dir string) string {
		if err := syscall.Mkfifo(filepath.Join(dir, "pmi_activite_fifo.csv"), 0o644); err != nil {
			t.Skip("mkfifo:", err)
		}
		return "pmi_activite_fifo.csv"
	}, `a FIFO (named pipe), not a regular file`},
	{"folder named like a source", func(t *testing.T, dir string) string {
		if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
			t.Fatal(err)
		}
		link(t, "sub", filepath.Join(dir, "pmi_activite_dir.csv"))
		return "pmi_activite_dir.csv"
	}, `a folder, not a regular file`},
	{"unreadable file", func(t *testing.T, dir string) string {
		if os.Geteuid() == 0 {
			t.Skip("root reads any file")
		}
		p := write(t, dir, "pmi_activite_locked.csv", pmiHeader)
		os.Chmod(filepath.Join(dir, p), 0)
		return p
	}, `permission denied`},
	{"births line of 3 MB, read by DuckDB", func(t *testing.T, dir string) string {
		return write(t, dir, "naissances_2008.csv", "AGEMERE;AGEXACTM;ANAIS;DEPDOMM;DEPNAIS;GAGEXAPOM;GAGPOM;INDLNM;INDNATM;MNAIS;NBENF;REGDOMM;REGNAIS;SEXE\n"+
			"34;34;2008;62;62;;;1;1;07;1;32;32;1\n34;34;2008;62;62;;;1;1;07;1;32;32;"+strings.Repeat("1", 40)+secret+strings.Repeat("1", 3<<20)+"\n")
	}, `naissances_2008.csv: CSV Error on Line: 3; Original Line: 34;34;2008;62;62;;;1;1;07;1;32;32;11111111111111111111111111…; Maximum line size`},
	{"xlsx zip bomb", func(t *testing.T, dir string) string {
		return zipBomb(t, filepath.Join(dir, "rapport_activite_bomb.xlsx"))
	}, `the workbook's parts expand to more than 200 MiB`},
	{"not a workbook", func(t *testing.T, dir string) string {
		return write(t, dir, "rapport_activite_fake.xlsx", "root:"+secret+"\n")
	}, `not a zip archive`},
}

// TestHostileFiles drops each hostile file among the sources with a
// valid PMI revision: the refresh rejects that file alone (exit 3) with a
// message naming it, loads nothing of it, loads the revision, quotes no
// more than a short excerpt of any file, and stays within bounds of time
// and memory.
func TestHostileFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a refresh process per case")
	}
	bin := binary(t)
	for _, tc := range hostileCases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := refreshtest.Samples(t)
			dir := filepath.Dir(cfg)
			os.WriteFile(filepath.Join(dir, "pmi_activite_2011_rectificatif.csv"), []byte(pmiRevision), 0o644)
			bad := tc.make(t, dir)

			var out, errb bytes.Buffer
			cmd := exec.Command(bin, "--config", cfg, "refresh")
			cmd.Stdout, cmd.Stderr = &out, &errb
			start := time.Now()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			peak := watchPeak(cmd)
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case <-done:
			case <-time.After(90 * time.Second):
				cmd.Process.Kill()
				<-done
				peak.MiB()
				t.Fatalf("the refresh still ran after 90 s\n%s", out.String())
			}
			took := time.Since(start)
			code := cmd.ProcessState.ExitCode()
			rss := peak.MiB()
			t.Logf("exit %d in %s, peak %d MiB", code, took.Round(time.Millisecond), rss)
			if code != cli.ExitPartial {
				t.Fatalf("exit %d, want %d (rejected files, the rest loaded)\n%s\n%s", code, cli.ExitPartial, out.String(), errb.String())
			}
			if rss > 600 {
				t.Errorf("peak memory %d MiB: the file was read whole?", rss)
			}
			if !strings.Contains(out.String(), bad) || !strings.Contains(out.String(), tc.want) {
				t.Errorf("the report does not name %s with %q:\n%s", bad, tc.want, out.String())
			}
			for _, text := range []string{out.String(), errb.String()} {
				if strings.Contains(text, secret[:20]) {
					t.Errorf("a file's content leaked into the output:\n%s", text)
				}
				for _, line := range strings.Split(text, "\n") {
					if len(line) > 2000 {
						t.Errorf("an output line of %d bytes: %.200s…", len(line), line)
					}
				}
			}
			// Nothing of the bad file loaded, the revision loaded.
			q := `SELECT count(*) FILTER (WHERE status = 'rejected' AND rows_loaded = 0 AND path LIKE '%` + bad + `'),
				count(*) FILTER (WHERE status = 'loaded' AND path LIKE '%` + bad + `'),
				max(length(error)), bool_or(contains(error, '` + secret[:20] + `'))
				FROM meta.files`
			if code, got, errOut := odpe(t, "--config", cfg, "sql", "--format", "csv", q); code != cli.ExitOK ||
				!strings.HasPrefix(strings.Split(got, "\n")[1], "1,0,") || strings.HasSuffix(strings.TrimSpace(got), "true") {
				t.Errorf("meta.files: %q %s (want the bad file registered once as rejected, no row loaded, no secret)", got, errOut)
			}
			if _, got, _ := odpe(t, "--config", cfg, "sql", "--format", "csv", eppQuery); got != "value\n2304\n" {
				t.Errorf("EPP 2011 = %q: the valid revision of the same run was not loaded (want 2304)", got)
			}
			// The next refresh has nothing new to do: a refused entry is
			// not refused again at every run.
			if code, got, _ := odpe(t, "--config", cfg, "refresh"); code != cli.ExitOK || !strings.Contains(got, "Nothing changed") {
				t.Errorf("second refresh: exit %d\n%s", code, got)
			}
		})
	}
}

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

func link(t *testing.T, target, name string) {
	t.Helper()
	if err := os.Symlink(target, name); err != nil {
		t.Fatal(err)
	}
}

// zipBomb writes a workbook of 3 MB whose one worksheet expands to 1 GB.
func zipBomb(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	w, err := zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		t.Fatal(err)
	}
	chunk := bytes.Repeat([]byte("<c/>"), 1<<18)
	for n := 0; n < 1<<30; n += len(chunk) {
		if _, err := w.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return filepath.Base(path)
}
