package report

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Source gives the report to show: Version says cheaply which state of
// the warehouse (and publications) it would be made from, Load makes it.
// The handler makes the report again only when the version changes (after
// a refresh).
type Source interface {
	Version() (string, error)
	Load(ctx context.Context) (*Report, error)
}

// Handler serves a report's pages: GET /, /index.html, /<family>.html,
// /qualite.html, /complet.html and /rapport.css, with relative links, so
// that it can be mounted under any prefix (http.StripPrefix("/rapport",
// h): /rapport redirects to /rapport/). It knows
// nothing of users: whoever mounts it decides who may read which profile.
type Handler struct {
	src Source
	log *slog.Logger

	mu      sync.Mutex
	version string
	rep     *Report
}

// NewHandler returns the handler of the reports src makes.
func NewHandler(src Source, log *slog.Logger) *Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Handler{src: src, log: log}
}

// Report returns the report of the current version, made once per version.
func (h *Handler) Report(ctx context.Context) (*Report, error) {
	v, err := h.src.Version()
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.rep != nil && v == h.version {
		return h.rep, nil
	}
	rep, err := h.src.Load(ctx)
	if err != nil {
		return nil, err
	}
	h.rep, h.version = rep, v
	return rep, nil
}

// ServeHTTP serves one page.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "méthode non permise", http.StatusMethodNotAllowed)
		return
	}
	if r.URL.Path == "" && r.RequestURI != "" {
		// Mounted at /rapport, asked /rapport: the pages' relative links
		// need /rapport/.
		http.Redirect(w, r, strings.SplitN(r.RequestURI, "?", 2)[0]+"/", http.StatusMovedPermanently)
		return
	}
	name := strings.TrimPrefix(r.URL.Path, "/")
	if strings.Contains(name, "/") {
		http.NotFound(w, r)
		return
	}
	rep, err := h.Report(r.Context())
	if err != nil {
		h.log.Error("report", "err", err)
		http.Error(w, "le rapport ne peut être produit : "+err.Error(), http.StatusInternalServerError)
		return
	}
	body, ctype, ok, err := rep.Render(name)
	if err != nil {
		h.log.Error("report page", "page", name, "err", err)
		http.Error(w, "erreur interne", http.StatusInternalServerError)
		return
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", ctype)
	// Nothing but this server: no script, no font, no image from elsewhere.
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'")
	hd.Set("X-Content-Type-Options", "nosniff")
	// Pages are for the user who asked (a listener checks who): no shared
	// cache keeps them.
	hd.Set("Cache-Control", "private, no-cache")
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(body)
}

// Write writes every page of the report into dir (created if need be),
// from the same rendering as the handler's, and returns their names.
func Write(rep *Report, dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var names []string
	for _, name := range rep.Pages() {
		body, _, ok, err := rep.Render(name)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("report page %s: not rendered", name)
		}
		tmp := filepath.Join(dir, "."+name+".tmp")
		if err := os.WriteFile(tmp, body, 0o644); err != nil {
			return nil, err
		}
		if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
			return nil, err
		}
		names = append(names, name)
	}
	return names, nil
}
