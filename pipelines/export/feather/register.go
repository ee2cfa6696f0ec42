package feather

import (
	"context"
	"io"
	"path"

	"github.com/odpe/odpe/pipelines/export"
)

func init() { export.Register(Format{}) }

// Format is the Arrow IPC ("feather") format of export profiles:
// arrow/<family>.arrow, one file per indicator family.
type Format struct{}

// Name is the format's name in the configuration.
func (Format) Name() string { return "feather" }

// Layout is one file per family.
func (Format) Layout() export.Layout { return export.PerFamily }

// Write opens the file of family out.Family.
func (Format) Write(_ context.Context, out *export.Output) error {
	return out.Records(path.Join("arrow", out.Family+".arrow"), Opener(out.Dataset, out.Family))
}

// Opener returns what starts the Arrow IPC file of family fam of ds on a
// writer: the published file, or the cache of a publication's rows.
func Opener(ds *export.Dataset, fam string) func(io.Writer) (export.RecordWriter, error) {
	return func(w io.Writer) (export.RecordWriter, error) {
		fw, err := NewWriter(w, ds.Family(fam))
		if err != nil {
			return nil, err
		}
		return fw, nil
	}
}
