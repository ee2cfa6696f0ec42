package cli_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
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
	if !strings.Contains(out, "open http://127.0.0.1:8433/ in a browser") {
		t.Errorf("no report URL in:\n%s", out)
	}
	// Serve on free ports.
	addr, webAddr := freePort(t), freePort(t)
	cfg = strings.Replace(cfg, "127.0.0.1:5433", addr, 1)
	cfg = strings.Replace(cfg, "127.0.0.1:8433", webAddr, 1)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var serveOut lockedBuffer // the server logs while the test reads it
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

	// The annual report on serve.http_listen, for the same users.
	web := func(path, user, pass string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, "http://"+webAddr+path, nil)
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode == 401 && resp.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("GET %s: 401 without WWW-Authenticate", path)
		}
		if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "private") {
			t.Errorf("GET %s: Cache-Control %q", path, cc)
		}
		if resp.StatusCode == 200 && !strings.Contains(resp.Header.Get("Content-Security-Policy"), "default-src 'none'") {
			t.Errorf("GET %s: Content-Security-Policy %q", path, resp.Header.Get("Content-Security-Policy"))
		}
		return resp.StatusCode, string(b)
	}
	if code, body := web("/rapport/", "statisticien", passwords["statisticien"]); code != 200 || !strings.Contains(body, "Document interne") {
		t.Errorf("statisticien, internal report: %d\n%.500s", code, body)
	}
	if code, body := web("/rapport/pmi.html", "statisticien", passwords["statisticien"]); code != 200 || !strings.Contains(body, "Document interne") {
		t.Errorf("statisticien, internal PMI page: %d\n%.500s", code, body)
	}
	if code, body := web("/rapport/insee/", "partenaire", passwords["partenaire"]); code != 200 || strings.Contains(body, "Document interne") || !strings.Contains(body, "<html") {
		t.Errorf("partenaire, insee report: %d\n%.500s", code, body)
	}
	if code, body := web("/", "partenaire", passwords["partenaire"]); code != 200 || !strings.Contains(body, `href="rapport/insee/"`) || strings.Contains(body, `href="rapport/"`) {
		t.Errorf("partenaire, index: %d\n%s", code, body)
	}
	for _, path := range []string{"/rapport/", "/rapport/pmi.html", "/rapport/complet.html"} {
		if code, _ := web(path, "partenaire", passwords["partenaire"]); code != 403 {
			t.Errorf("partenaire, internal %s: %d, want 403", path, code)
		}
	}
	if code, _ := web("/rapport/", "", ""); code != 401 {
		t.Errorf("no credentials: %d, want 401", code)
	}
	if code, _ := web("/rapport/", "statisticien", "wrong"); code != 401 {
		t.Errorf("wrong password: %d, want 401", code)
	}
	if !strings.Contains(serveOut.String(), "failed login") {
		t.Errorf("the wrong password is not logged:\n%s", serveOut.String())
	}
}

// lockedBuffer is a bytes.Buffer for several goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// freePort returns a loopback address no one listens on (for a moment).
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
