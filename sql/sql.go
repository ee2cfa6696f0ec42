// Package sql embeds the warehouse's SQL: the versioned schema migrations
// (migrations/NNNN_name.sql, applied in order and recorded in
// meta.schema_version) and the conformed-table transforms
// (transforms/NN_name.sql, rebuilt after every load).
package sql

import (
	"embed"
	"io/fs"
	"sort"
)

//go:embed migrations/*.sql transforms/*.sql
var files embed.FS

// Script is one embedded SQL file.
type Script struct {
	Name string // file name, "0001_meta.sql"
	Text string
}

// Migrations returns the schema migrations in the order they apply.
func Migrations() []Script { return scripts("migrations") }

// Transforms returns the conformed-table transforms in the order they run.
func Transforms() []Script { return scripts("transforms") }

func scripts(dir string) []Script {
	entries, err := fs.ReadDir(files, dir)
	if err != nil {
		panic(err) // embedded at build time: cannot fail
	}
	out := make([]Script, 0, len(entries))
	for _, e := range entries {
		b, err := files.ReadFile(dir + "/" + e.Name())
		if err != nil {
			panic(err)
		}
		out = append(out, Script{Name: e.Name(), Text: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
