package parquet

import (
	"context"
	"io"
	"path"

	"github.com/odpe/odpe/pipelines/export"
)

func init() { export.Register(Format{}) }

// Format is the Parquet format of export profiles: parquet/<family>.parquet,
// one file per indicator family.
type Format struct{}

// Name is the format's name in the configuration.
func (Format) Name() string { return "parquet" }

// Layout is one file per family.
func (Format) Layout() export.Layout { return export.PerFamily }

// Write opens the file of family out.Family.
func (Format) Write(_ context.Context, out *export.Output) error {
	return out.Records(path.Join("parquet", out.Family+".parquet"), func(w io.Writer) (export.RecordWriter, error) {
		pw, err := NewWriter(w, out.Dataset, out.Family)
		if err != nil {
			return nil, err
		}
		return pw, nil
	})
}
