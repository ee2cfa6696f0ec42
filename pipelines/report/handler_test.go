package report

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeSource makes the small report, again when its version changes.
type fakeSource struct {
	version string
	loads   int
}

func (s *fakeSource) Version() (string, error) { return s.version, nil }
func (s *fakeSource) Load(context.Context) (*Report, error) {
	s.loads++
	return Build(smallInput(true)), nil
}

func TestHandler(t *testing.T) {
	src := &fakeSource{version: "v1"}
	srv := httptest.NewServer(http.StripPrefix("/rapport", NewHandler(src, nil)))
	defer srv.Close()
	get := func(method, path string) *http.Response {
		req, _ := http.NewRequest(method, srv.URL+path, nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	for _, c := range []struct {
		method, path string
		status       int
		ctype        string
	}{
		{"GET", "/rapport/", 200, "text/html"},
		{"GET", "/rapport/index.html", 200, "text/html"},
		{"GET", "/rapport/adoption.html", 200, "text/html"},
		{"GET", "/rapport/qualite.html", 200, "text/html"},
		{"GET", "/rapport/complet.html", 200, "text/html"},
		{"GET", "/rapport/rapport.css", 200, "text/css"},
		{"HEAD", "/rapport/index.html", 200, "text/html"},
		{"GET", "/rapport/ase.html", 404, ""},
		{"GET", "/rapport/x/index.html", 404, ""},
		{"POST", "/rapport/index.html", 405, ""},
		{"GET", "/rapport", 200, "text/html"}, // redirected to /rapport/
	} {
		res := get(c.method, c.path)
		if res.StatusCode != c.status || !strings.HasPrefix(res.Header.Get("Content-Type"), c.ctype) {
			t.Errorf("%s %s: %d %s", c.method, c.path, res.StatusCode, res.Header.Get("Content-Type"))
		}
		if c.status == 200 && !strings.Contains(res.Header.Get("Content-Security-Policy"), "default-src 'none'") {
			t.Errorf("%s %s: no content security policy", c.method, c.path)
		}
	}
	if res := get("GET", "/rapport"); res.Request.URL.Path != "/rapport/" {
		t.Errorf("/rapport: not redirected to /rapport/ but served at %s", res.Request.URL.Path)
	}
	if src.loads != 1 {
		t.Errorf("the report was made %d times for one version", src.loads)
	}
	src.version = "v2" // a refresh
	get("GET", "/rapport/")
	if src.loads != 2 {
		t.Errorf("the report was not made again after the version changed")
	}

	// Write writes the same pages as the handler serves.
	dir := t.TempDir()
	rep := Build(smallInput(true))
	names, err := Write(rep, dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		want, _, _, _ := rep.Render(name)
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || string(got) != string(want) {
			t.Errorf("%s: written file differs from the page served (%v)", name, err)
		}
	}
}
