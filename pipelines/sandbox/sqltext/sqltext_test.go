package sqltext_test

import (
	"strings"
	"testing"

	"github.com/odpe/odpe/pipelines/sandbox/sqltext"
)

func TestSplit(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"SELECT 1; SELECT 2;", []string{"SELECT 1", "SELECT 2"}},
		{"SELECT ';' AS a; -- x; y\nSELECT 2", []string{"SELECT ';' AS a", "-- x; y\nSELECT 2"}},
		{`SELECT "a;b" FROM t /* ; */`, []string{`SELECT "a;b" FROM t /* ; */`}},
		{"SELECT $$a;b$$; SELECT $1", []string{"SELECT $$a;b$$", "SELECT $1"}},
		{"SELECT 'it''s; fine'", []string{"SELECT 'it''s; fine'"}},
		{" ; -- only a comment\n", nil},
	} {
		got := sqltext.Split(tc.in)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("Split(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	for in, want := range map[string]bool{"SELECT 1;": true, "SELECT ';'": false, "SELECT 1 -- ;": false, "SELECT 1; -- done": true, "SELECT 'a": false} {
		if got := sqltext.Complete(in); got != want {
			t.Errorf("Complete(%q) = %v", in, got)
		}
	}
}

func FuzzSplit(f *testing.F) {
	f.Add("SELECT 1; SELECT 'a;b' -- c\n; /* d; */ SELECT $x$;$x$")
	f.Fuzz(func(t *testing.T, s string) {
		for _, st := range sqltext.Split(s) {
			if strings.TrimSpace(st) == "" {
				t.Fatalf("empty statement from %q", s)
			}
		}
		sqltext.Complete(s)
		sqltext.Keyword(s)
	})
}
