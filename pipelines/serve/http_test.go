package serve_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/odpe/odpe/pipelines/serve"
	"github.com/odpe/odpe/pipelines/serve/scram"
)

// syncBuffer is a log destination shared by the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// page answers with its report's name and the path it was given, as the
// report handlers (mounted under a prefix) see it.
func page(name string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "private, no-cache")
		io.WriteString(w, name+" "+r.URL.Path)
	})
}

// startHTTP serves stub reports on a loopback port; it returns the base
// URL, the server's log and what stops it (cleanup does otherwise).
func startHTTP(t *testing.T, tlsConfig *tls.Config) (string, *syncBuffer, func()) {
	t.Helper()
	users := map[string]serve.User{}
	for name, u := range map[string][2]string{"alice": {serve.RoleStatistician, statPass}, "bob": {serve.RolePartner, partnerPass}} {
		v, err := scram.New(u[1])
		if err != nil {
			t.Fatal(err)
		}
		users[name] = serve.User{Role: u[0], Verifier: v}
	}
	logs := &syncBuffer{}
	dir := t.TempDir()
	srv, err := serve.New(serve.Config{
		Warehouse: filepath.Join(dir, "odpe.duckdb"), ExportsDir: filepath.Join(dir, "exports"),
		MemoryLimit: "100MB", Threads: 1, AuthDelay: 50 * time.Millisecond, Users: users, TLS: tlsConfig,
		Log: slog.New(slog.NewTextHandler(logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	reps := serve.Reports{Internal: page("internal"), External: map[string]http.Handler{"insee": page("insee"),
		"slow": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(300 * time.Millisecond)
			io.WriteString(w, "slow")
		})}}
	go func() { done <- srv.ServeReports(ctx, ln, false, reps) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Error(err)
			}
			srv.Close()
		})
	}
	t.Cleanup(stop)
	scheme := "http"
	if tlsConfig != nil {
		scheme = "https"
	}
	return scheme + "://" + ln.Addr().String(), logs, stop
}

func get(t *testing.T, c *http.Client, url, user, pass string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// Who reads which report: statisticians the internal one and the external
// profiles', partners the external profiles' only; no or wrong credentials
// are asked again, and a wrong password is logged.
func TestReportsHTTP(t *testing.T) {
	base, logs, _ := startHTTP(t, nil)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, c := range []struct {
		path, user, pass string
		code             int
		body             string // a part of it
	}{
		{"/rapport/", "", "", 401, ""},
		{"/", "", "", 401, ""},
		{"/rapport/", "alice", "wrong", 401, ""},
		{"/rapport/insee/", "nobody", partnerPass, 401, ""},
		{"/rapport/", "alice", statPass, 200, "internal /"},
		{"/rapport/pmi.html", "alice", statPass, 200, "internal /pmi.html"},
		{"/rapport", "alice", statPass, 200, "internal "}, // the handler redirects
		{"/rapport/insee/ase.html", "alice", statPass, 200, "insee /ase.html"},
		{"/", "alice", statPass, 200, `href="rapport/"`},
		{"/rapport/", "bob", partnerPass, 403, ""},
		{"/rapport", "bob", partnerPass, 403, ""},
		{"/rapport/pmi.html", "bob", partnerPass, 403, ""},
		{"/rapport/../rapport/pmi.html", "bob", partnerPass, 403, ""},
		{"/rapport/onpe/", "bob", partnerPass, 403, ""}, // no such profile: the internal paths
		{"/rapport/insee/", "bob", partnerPass, 200, "insee /"},
		{"/rapport/insee/pmi.html", "bob", partnerPass, 200, "insee /pmi.html"},
		{"/", "bob", partnerPass, 200, `href="rapport/insee/"`},
		{"/etc/passwd", "alice", statPass, 404, ""},
		{"/rapportx", "alice", statPass, 404, ""},
	} {
		resp, body := get(t, noRedirect, base+c.path, c.user, c.pass)
		if resp.StatusCode != c.code || !strings.Contains(body, c.body) {
			t.Errorf("%s as %q: %d %q, want %d with %q", c.path, c.user, resp.StatusCode, body, c.code, c.body)
		}
		if c.code == 401 && !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Basic ") {
			t.Errorf("%s as %q: WWW-Authenticate %q", c.path, c.user, resp.Header.Get("WWW-Authenticate"))
		}
		if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "private") {
			t.Errorf("%s as %q: Cache-Control %q", c.path, c.user, cc)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s as %q: no nosniff", c.path, c.user)
		}
		if c.path == "/" && c.user == "bob" && strings.Contains(body, `href="rapport/"`) {
			t.Errorf("the partner's index links to the internal report:\n%s", body)
		}
	}
	if log := logs.String(); !strings.Contains(log, "failed login") || !strings.Contains(log, "user=alice") ||
		!strings.Contains(log, "user=nobody") || !strings.Contains(log, "listener=http") {
		t.Errorf("failed HTTP logins not logged:\n%s", log)
	}
}

// The same failure delay as the PostgreSQL listener: doubled per failure.
func TestReportsHTTPFailedLoginsSlowDown(t *testing.T) {
	base, _, _ := startHTTP(t, nil)
	var took []time.Duration
	for range 3 {
		start := time.Now()
		if resp, _ := get(t, http.DefaultClient, base+"/rapport/", "alice", "wrong"); resp.StatusCode != 401 {
			t.Fatalf("wrong password: %d", resp.StatusCode)
		}
		took = append(took, time.Since(start))
	}
	if took[0] < 50*time.Millisecond || took[2] < 200*time.Millisecond {
		t.Errorf("failed logins answered after %v", took)
	}
	// A success resets it.
	if resp, _ := get(t, http.DefaultClient, base+"/rapport/", "alice", statPass); resp.StatusCode != 200 {
		t.Fatalf("right password: %d", resp.StatusCode)
	}
	start := time.Now()
	get(t, http.DefaultClient, base+"/rapport/", "alice", "wrong")
	if took := time.Since(start); took >= 200*time.Millisecond {
		t.Errorf("after a success, a failure answered after %v", took)
	}
}

// Off the machine the listener needs TLS; with a certificate it speaks
// HTTPS (and tells browsers to keep to it).
func TestReportsHTTPTLS(t *testing.T) {
	srv, err := serve.New(serve.Config{Warehouse: filepath.Join(t.TempDir(), "odpe.duckdb"), Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	err = srv.ServeReports(context.Background(), ln, true, serve.Reports{})
	if err == nil || !strings.Contains(err.Error(), "TLS is required") {
		t.Errorf("requireTLS without a certificate: %v", err)
	}

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "odpe"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	base, _, _ := startHTTP(t, &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}})
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, body := get(t, c, base+"/rapport/insee/", "bob", partnerPass)
	if resp.StatusCode != 200 || body != "insee /" || resp.Header.Get("Strict-Transport-Security") == "" {
		t.Errorf("over TLS: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	plain := strings.Replace(base, "https://", "http://", 1)
	if resp, _ := get(t, http.DefaultClient, plain+"/", "bob", partnerPass); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("plain HTTP on the TLS listener: %d", resp.StatusCode)
	}
}

// Stopping the server (SIGTERM cancels the context) lets a request under
// way finish, then ServeReports returns.
func TestReportsHTTPShutdown(t *testing.T) {
	base, _, stop := startHTTP(t, nil)
	got := make(chan string, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodGet, base+"/rapport/slow/", nil)
		req.SetBasicAuth("bob", partnerPass)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			got <- err.Error()
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		got <- fmt.Sprint(resp.StatusCode, " ", string(b))
	}()
	time.Sleep(100 * time.Millisecond) // the request is in the handler
	start := time.Now()
	stop()
	if s := <-got; s != "200 slow" {
		t.Errorf("request under way at shutdown: %s", s)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("shutdown took %v", took)
	}
	if _, err := http.Get(base + "/"); err == nil {
		t.Error("the listener still answers after shutdown")
	}
}
