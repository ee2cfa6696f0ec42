package serve

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Reports are the annual report's handlers the HTTP listener mounts
// (pipelines/report/load.Handler): the internal report under /rapport/,
// for statisticians only, and each external profile's under
// /rapport/<profile>/, for every user.
type Reports struct {
	Internal http.Handler
	External map[string]http.Handler // by profile name
}

// ServeReports serves the annual report over HTTP on ln until ctx ends,
// then shuts down (letting requests under way finish, 10 s at most).
// Users log in with HTTP Basic against the same verifiers as the
// PostgreSQL listener, through Authenticate: a failure is logged and
// slowed down the same way. With the server's TLS configuration the
// listener speaks HTTPS; requireTLS (a listener off the machine) refuses
// to start without one.
func (s *Server) ServeReports(ctx context.Context, ln net.Listener, requireTLS bool, reps Reports) error {
	if requireTLS && s.cfg.TLS == nil {
		ln.Close()
		return fmt.Errorf("HTTP listener %s is not a loopback address: TLS is required (serve.tls_cert, serve.tls_key)", ln.Addr())
	}
	hs := &http.Server{
		Handler:           s.reportsHandler(reps),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		BaseContext:       func(net.Listener) context.Context { return ctx },
		// TLS handshake failures and bad requests (scanners): debug lines.
		ErrorLog: slog.NewLogLogger(s.cfg.Log.Handler(), slog.LevelDebug),
	}
	done := make(chan error, 1)
	stop := context.AfterFunc(ctx, func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		done <- hs.Shutdown(sctx)
	})
	defer stop()
	s.cfg.Log.Info("odpe serve: annual report listening", "addr", ln.Addr().String(), "tls", s.cfg.TLS != nil)
	var err error
	if s.cfg.TLS != nil {
		hs.TLSConfig = s.cfg.TLS.Clone()
		err = hs.ServeTLS(ln, "", "")
	} else {
		err = hs.Serve(ln)
	}
	if !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("HTTP listener: %w", err)
	}
	if serr := <-done; serr != nil && !errors.Is(serr, context.DeadlineExceeded) {
		return fmt.Errorf("HTTP listener shutdown: %w", serr)
	}
	return nil
}

// reportsHandler authenticates every request and routes it by role.
func (s *Server) reportsHandler(reps Reports) http.Handler {
	profiles := make([]string, 0, len(reps.External))
	for p := range reps.External {
		profiles = append(profiles, p)
	}
	slices.Sort(profiles)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "private, no-cache")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "SAMEORIGIN")
		h.Set("Referrer-Policy", "no-referrer")
		if r.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		user, password, ok := r.BasicAuth()
		role := ""
		if ok {
			role, ok = s.Authenticate(user, password, r.RemoteAddr)
		}
		if !ok {
			h.Set("WWW-Authenticate", `Basic realm="odpe", charset="UTF-8"`)
			http.Error(w, "identification requise", http.StatusUnauthorized)
			return
		}
		p := r.URL.Path
		if p == "/" {
			s.reportsIndex(w, r, role, profiles)
			return
		}
		rest, ok := strings.CutPrefix(p, "/rapport")
		if !ok || (rest != "" && rest[0] != '/') {
			http.NotFound(w, r)
			return
		}
		// /rapport/<profile>[/…]: an external profile's report.
		name, _, _ := strings.Cut(strings.TrimPrefix(rest, "/"), "/")
		if eh, ok := reps.External[name]; ok {
			http.StripPrefix("/rapport/"+name, eh).ServeHTTP(w, r)
			return
		}
		// Anything else under /rapport is the internal report.
		if role != RoleStatistician || reps.Internal == nil {
			http.Error(w, "le rapport interne est réservé aux statisticiens de l'observatoire", http.StatusForbidden)
			return
		}
		http.StripPrefix("/rapport", reps.Internal).ServeHTTP(w, r)
	})
}

var indexPage = template.Must(template.New("index").Parse(`<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>Rapports de l'observatoire</title></head>
<body><main><h1>Rapports de l'observatoire</h1><ul>
{{if .Internal}}<li><a href="rapport/">Rapport interne</a> (toutes les valeurs, document interne)</li>
{{end}}{{range .Profiles}}<li><a href="rapport/{{.}}/">Rapport du profil {{.}}</a></li>
{{end}}</ul></main></body></html>
`))

// reportsIndex lists the reports the user's role may read.
func (s *Server) reportsIndex(w http.ResponseWriter, r *http.Request, role string, profiles []string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'")
	if r.Method == http.MethodHead {
		return
	}
	if err := indexPage.Execute(w, struct {
		Internal bool
		Profiles []string
	}{role == RoleStatistician, profiles}); err != nil {
		s.cfg.Log.Warn("odpe serve: report index", "err", err)
	}
}
