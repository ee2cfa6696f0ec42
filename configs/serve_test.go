package configs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/odpe/odpe/pipelines/serve/scram"
)

func parseServe(t *testing.T, serve string) (*Config, error) {
	t.Helper()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "ase"), 0o755); err != nil {
		t.Fatal(err)
	}
	text := "departement: \"62\"\nwarehouse: data/odpe.duckdb\njobs:\n  ase:\n    kind: ase\n    source: ase\n" + serve
	return Parse(filepath.Join(dir, "odpe.yaml"), []byte(text), Validators{})
}

func TestServeSection(t *testing.T) {
	v, err := scram.New("password")
	if err != nil {
		t.Fatal(err)
	}
	c, err := parseServe(t, "serve:\n  listen: [\"127.0.0.1:5433\", \"[::1]:5433\", \"localhost:5434\"]\n  http_listen: \"[::1]:8433\"\n  users:\n    ann:\n      role: statistician\n      scram: "+v.String()+"\n")
	if err != nil {
		t.Fatal(err)
	}
	if c.Serve.MaxRows != 5_000_000 || c.Serve.StatementTimeout != 10*time.Minute || c.SQL.MemoryLimit != "2GB" || c.Serve.Users["ann"].Role != RoleStatistician {
		t.Errorf("defaults: %+v %+v", c.Serve, c.SQL)
	}
	for _, tc := range []struct{ serve, want string }{
		{"serve:\n  listen: [\"0.0.0.0:5433\"]\n", "is not a loopback address: set serve.tls_cert"},
		{"serve:\n  listen: [\"5433\"]\n", "expected host:port"},
		{"serve:\n  http_listen: \"0.0.0.0:8433\"\n", `serve.http_listen: "0.0.0.0:8433" is not a loopback address: set serve.tls_cert`},
		{"serve:\n  http_listen: \"8433\"\n", "serve.http_listen: \"8433\": expected host:port"},
		{"serve:\n  users:\n    bob:\n      role: admin\n      scram: " + v.String() + "\n", `serve.users.bob.role: "admin": expected statistician or partner`},
		{"serve:\n  users:\n    bob:\n      role: partner\n      scram: hunter2\n", "serve.users.bob.scram: not a SCRAM-SHA-256 verifier"},
		{"serve:\n  tls_cert: nowhere.pem\n", "nowhere.pem does not exist"},
		{"serve:\n  password: x\n", "password"},
	} {
		_, err := parseServe(t, tc.serve)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.serve, err, tc.want)
		}
	}
}
