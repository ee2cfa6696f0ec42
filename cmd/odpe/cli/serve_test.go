package cli_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/odpe/odpe/cmd/odpe/cli"
)

// The demo sets up odpe serve: two users whose passwords are in a mode-600
// file and only their verifiers in the configuration, and the psql line;
// `odpe serve` then answers both, each with its role.
func TestDemoServe(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	code, out, errOut := odpe(t, "demo", dir)
	if code != cli.ExitOK {
		t.Fatalf("demo: exit %d\n%s\n%s", code, out, errOut)
	}
	line := regexp.MustCompile(`psql "postgresql://statisticien:([A-Z2-7]+)@127\.0\.0\.1:5433/odpe"`).FindStringSubmatch(out)
	if line == nil {
		t.Fatalf("no psql line in:\n%s", out)
	}
	pwFile := filepath.Join(dir, "serve-passwords.txt")
	st, err := os.Stat(pwFile)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("passwords file: %v %v", st, err)
	}
	passwords := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(mustRead(t, pwFile))), "\n") {
		f := strings.Fields(l)
		passwords[f[0]] = f[len(f)-1]
	}
	cfgPath := filepath.Join(dir, "odpe.yaml")
	cfg := string(mustRead(t, cfgPath))
	if strings.Contains(cfg, passwords["statisticien"]) || strings.Contains(cfg, passwords["partenaire"]) || passwords["statisticien"] != line[1] {
		t.Fatalf("passwords: %v; configuration:\n%s", passwords, cfg)
	}
	// Serve on a free port.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	if err := os.WriteFile(cfgPath, []byte(strings.Replace(cfg, "127.0.0.1:5433", addr, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var serveOut bytes.Buffer
	go func() {
		done <- cli.Run(ctx, []string{"--config", cfgPath, "serve"}, strings.NewReader(""), &serveOut, &serveOut)
	}()
	defer func() {
		cancel()
		if code := <-done; code != cli.ExitOK {
			t.Errorf("serve exit %d\n%s", code, serveOut.String())
		}
	}()
	connect := func(user string) *pgx.Conn {
		url := fmt.Sprintf("postgresql://%s:%s@%s/odpe?sslmode=disable", user, passwords[user], addr)
		for i := 0; ; i++ {
			c, err := pgx.Connect(context.Background(), url)
			if err == nil {
				return c
			}
			if i == 50 {
				t.Fatalf("%s: %v\n%s", user, err, serveOut.String())
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	stat := connect("statisticien")
	defer stat.Close(context.Background())
	var n int
	if err := stat.QueryRow(context.Background(), "SELECT count(*) FROM indicator_values WHERE indicator = 'pmi_epp_rate'").Scan(&n); err != nil || n == 0 {
		t.Errorf("statisticien: %d rows, %v", n, err)
	}
	partner := connect("partenaire")
	defer partner.Close(context.Background())
	var hidden, leaked int
	if err := partner.QueryRow(context.Background(), "SELECT count(*) FILTER (WHERE conf <> ''), count(*) FILTER (WHERE conf <> '' AND value IS NOT NULL) FROM insee.ase").Scan(&hidden, &leaked); err != nil || hidden == 0 || leaked != 0 {
		t.Errorf("partenaire: %d hidden cells, %d of them with a value, %v", hidden, leaked, err)
	}
	if _, err := partner.Exec(context.Background(), "SELECT * FROM indicator_values"); err == nil {
		t.Error("the partner read indicator_values")
	}
}
