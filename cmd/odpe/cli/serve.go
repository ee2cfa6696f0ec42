package cli

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/chzyer/readline"
	"gopkg.in/yaml.v3"

	"github.com/odpe/odpe/configs"
	"github.com/odpe/odpe/pipelines/report/load"
	"github.com/odpe/odpe/pipelines/serve"
	"github.com/odpe/odpe/pipelines/serve/scram"
)

func runServe(e *env, args []string) int {
	fs := e.flags("serve")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		fmt.Fprintln(e.stderr, "usage: odpe serve")
		return ExitError
	}
	cfg, err := e.config()
	if err != nil {
		return e.fail(err)
	}
	wait, err := startServer(e.ctx, e, cfg)
	if err != nil {
		return e.fail(err)
	}
	if err := wait(); err != nil {
		return e.fail(err)
	}
	return ExitOK
}

// startServer opens serve.listen (and serve.http_listen, the annual
// report, when set) and serves until ctx ends; wait returns
// when every listener and session has stopped.
func startServer(ctx context.Context, e *env, cfg *configs.Config) (wait func() error, err error) {
	sc, err := serverConfig(cfg)
	if err != nil {
		return nil, err
	}
	if len(cfg.Serve.Listen) == 0 {
		return nil, fmt.Errorf("%s: serve.listen is empty: give at least one host:port (127.0.0.1:5433)", cfg.Path)
	}
	sc.Log = e.log
	srv, err := serve.New(sc)
	if err != nil {
		return nil, err
	}
	var lns []net.Listener
	for _, addr := range cfg.Serve.Listen {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			for _, l := range lns {
				l.Close()
			}
			srv.Close()
			return nil, fmt.Errorf("serve.listen %s: %w", addr, err)
		}
		lns = append(lns, ln)
	}
	var reps serve.Reports
	if cfg.Serve.HTTPListen != "" {
		if reps, err = reportHandlers(cfg, e); err == nil {
			var ln net.Listener
			if ln, err = net.Listen("tcp", cfg.Serve.HTTPListen); err == nil {
				lns = append(lns, ln)
			} else {
				err = fmt.Errorf("serve.http_listen %s: %w", cfg.Serve.HTTPListen, err)
			}
		}
		if err != nil {
			for _, l := range lns {
				l.Close()
			}
			srv.Close()
			return nil, err
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, len(lns))
	for i, ln := range lns {
		if i == len(cfg.Serve.Listen) { // the HTTP listener, last
			host, _, _ := net.SplitHostPort(cfg.Serve.HTTPListen)
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = srv.ServeReports(ctx, ln, !configs.IsLoopback(host), reps)
			}()
			continue
		}
		host, _, _ := net.SplitHostPort(cfg.Serve.Listen[i])
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = srv.Serve(ctx, ln, !configs.IsLoopback(host))
		}()
	}
	return func() error {
		wg.Wait()
		return errors.Join(append(errs, srv.Close())...)
	}, nil
}

// reportHandlers makes the annual report's handlers the HTTP listener
// mounts: the internal report and each external profile's. Each makes its
// report on first request and again after a refresh or an export.
func reportHandlers(cfg *configs.Config, e *env) (serve.Reports, error) {
	reps := serve.Reports{External: map[string]http.Handler{}}
	h, err := load.Handler(cfg, load.Options{Logger: e.log})
	if err != nil {
		return reps, err
	}
	reps.Internal = h
	for _, p := range cfg.Exports {
		if p.Audience != "external" {
			continue
		}
		h, err := load.Handler(cfg, load.Options{Profile: p.Name, Logger: e.log})
		if err != nil {
			return reps, err
		}
		reps.External[p.Name] = h
	}
	return reps, nil
}

// serverConfig turns the configuration into the server's.
func serverConfig(cfg *configs.Config) (serve.Config, error) {
	sc := serve.Config{
		Warehouse: cfg.Warehouse, ExportsDir: cfg.ExportsDir,
		MemoryLimit: cfg.Serve.MemoryLimit, Threads: cfg.SQL.Threads, StatementTimeout: cfg.Serve.StatementTimeout,
		MaxRows: cfg.Serve.MaxRows, MaxConnections: cfg.Serve.MaxConnections, AuthDelay: cfg.Serve.AuthDelay,
		Users: map[string]serve.User{},
	}
	for _, p := range cfg.Exports {
		if p.Audience == "external" && slices.Contains(p.Formats, "parquet") {
			sc.PartnerProfiles = append(sc.PartnerProfiles, p.Name)
		}
	}
	for name, u := range cfg.Serve.Users {
		v, err := scram.Parse(u.SCRAM)
		if err != nil {
			return sc, fmt.Errorf("serve.users.%s: %w", name, err)
		}
		sc.Users[name] = serve.User{Role: u.Role, Verifier: v}
	}
	if cfg.Serve.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(cfg.Serve.TLSCert, cfg.Serve.TLSKey)
		if err != nil {
			return sc, fmt.Errorf("serve.tls_cert: %w", err)
		}
		sc.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	return sc, nil
}

// runPasswd writes a user's SCRAM-SHA-256 verifier into the configuration
// file; the password is read from the terminal (twice) or the first line
// of standard input, and never stored.
func runPasswd(e *env, args []string) int {
	fs := e.flags("passwd")
	role := fs.String("role", configs.RoleStatistician, "statistician or partner")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 {
		fmt.Fprintln(e.stderr, "usage: odpe passwd [--role statistician|partner] USER  (password on the terminal or stdin)")
		return ExitError
	}
	user := fs.Arg(0)
	if *role != configs.RoleStatistician && *role != configs.RolePartner {
		return e.fail(fmt.Errorf("--role %q: expected statistician or partner", *role))
	}
	var password string
	if f, ok := e.stdin.(*os.File); ok && isTerminal(f) {
		p1, err := readline.Password("Password for " + user + ": ")
		if err != nil {
			return e.fail(err)
		}
		p2, err := readline.Password("Again: ")
		if err != nil {
			return e.fail(err)
		}
		if string(p1) != string(p2) {
			return e.fail(errors.New("the passwords differ"))
		}
		password = string(p1)
	} else {
		line, err := bufio.NewReader(e.stdin).ReadString('\n')
		if err != nil && line == "" {
			return e.fail(errors.New("no password on standard input"))
		}
		password = strings.TrimRight(line, "\r\n")
	}
	if len(password) < 8 {
		return e.fail(errors.New("a password has at least 8 characters"))
	}
	v, err := scram.New(password)
	if err != nil {
		return e.fail(err)
	}
	if err := SetUser(e.configPath, user, *role, v.String()); err != nil {
		return e.fail(err)
	}
	fmt.Fprintf(e.stdout, "User %s (%s) written to %s as a SCRAM-SHA-256 verifier; restart `odpe serve` to use it.\n", user, *role, e.configPath)
	return ExitOK
}

// SetUser writes serve.users.USER = {role, scram} into a configuration
// file, keeping the rest of it (comments included).
func SetUser(path, user, role, verifier string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return fmt.Errorf("%s: not a YAML mapping", path)
	}
	serveNode := mapping(doc.Content[0], "serve")
	users := mapping(serveNode, "users")
	u := mapping(users, user)
	u.Content = nil
	u.Style = 0
	for _, kv := range [][2]string{{"role", role}, {"scram", verifier}} {
		u.Content = append(u.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: kv[0]}, &yaml.Node{Kind: yaml.ScalarNode, Value: kv[1]})
	}
	var b strings.Builder
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return err
	}
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
	if err := os.WriteFile(tmp, []byte(b.String()), st.Mode().Perm()); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// mapping returns the mapping under key in m, creating it.
func mapping(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			v := m.Content[i+1]
			if v.Kind != yaml.MappingNode {
				*v = yaml.Node{Kind: yaml.MappingNode}
			}
			v.Style = 0 // block style: one user a line
			return v
		}
	}
	v := &yaml.Node{Kind: yaml.MappingNode}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key}, v)
	return v
}
