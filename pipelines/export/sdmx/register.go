package sdmx

import (
	"context"
	"errors"
	"io"
	"path/filepath"

	"github.com/odpe/odpe/pipelines/export"
)

func init() { export.Register(Format{}) }

// Format is the SDMX format of export profiles: <profile>.sdmx.csv and
// its structure message <profile>.sdmx-structure.xml. It is a Reuser:
// the lines of the indicators of families that did not change are copied
// from the last file.
type Format struct{}

// Name is the format's name in the configuration.
func (Format) Name() string { return "sdmx" }

// Layout is one file (and its structure) for the whole profile.
func (Format) Layout() export.Layout { return export.WholeProfile }

// indexFile is what an SDMX file keeps for the next one (Index).
const indexFile = "sdmx-index.json"

// previous is the last SDMX file whose lines out copies.
func previous(out *export.Output) (*Previous, error) {
	if out.Last == nil {
		return nil, nil
	}
	ds := out.Dataset
	prev := &Previous{Path: filepath.Join(out.Last.Dir, ds.Profile+".sdmx.csv")}
	if err := out.Last.Kept(indexFile, &prev.Index); err != nil {
		return nil, err
	}
	reused := map[string]bool{}
	for _, f := range out.Last.Families {
		reused[f] = true
	}
	for _, ind := range ds.Indicators {
		if reused[ind.Family] {
			prev.Indicators = append(prev.Indicators, ind.ID)
		}
	}
	if !Reusable(ds, prev.Index, prev.Indicators) {
		return nil, errors.New("the last SDMX file was written with other columns or indicators")
	}
	return prev, nil
}

// Reusable reports why the last file's lines cannot be copied.
func (Format) Reusable(out *export.Output) error {
	_, err := previous(out)
	return err
}

// Write writes the SDMX-CSV file and its structure, and keeps where each
// indicator's lines are.
func (Format) Write(_ context.Context, out *export.Output) error {
	prev, err := previous(out)
	if err != nil {
		return err
	}
	ds := out.Dataset
	var index Index
	err = out.File(ds.Profile+".sdmx.csv", func(w io.Writer) (err error) {
		index, err = WriteIndexed(w, ds, prev)
		return err
	})
	if err != nil {
		return err
	}
	err = out.File(ds.Profile+".sdmx-structure.xml", func(w io.Writer) error {
		return WriteStructure(w, ds, index)
	})
	if err != nil {
		return err
	}
	return out.Keep(indexFile, index)
}
