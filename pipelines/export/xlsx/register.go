package xlsx

import (
	"context"
	"errors"
	"io"
	"path/filepath"

	"github.com/odpe/odpe/pipelines/export"
)

func init() { export.Register(Format{}) }

// Format is the Excel format of export profiles: <profile>.xlsx, one
// workbook for the whole profile, in the profile's layout. It is a
// Reuser: in the Observatoire layout, the sheets of families that did not
// change are copied from the last workbook.
type Format struct{}

// Name is the format's name in the configuration.
func (Format) Name() string { return "xlsx" }

// Layout is one file for the whole profile.
func (Format) Layout() export.Layout { return export.WholeProfile }

// sheetsFile is what a workbook keeps for the next one (Sheets).
const sheetsFile = "xlsx-sheets.json"

func layoutOf(out *export.Output) Layout {
	if out.WorkbookLayout == "drees" {
		return Drees
	}
	return Observatoire
}

func fileOf(out *export.Output) string { return out.Dataset.Profile + ".xlsx" }

// previous is the last workbook whose sheets out copies.
func previous(out *export.Output) (*Previous, error) {
	if out.Last == nil {
		return nil, nil
	}
	if layoutOf(out) == Drees {
		return nil, errors.New("the DREES layout lays out its tables from every row")
	}
	prev := &Previous{Path: filepath.Join(out.Last.Dir, fileOf(out)), Families: out.Last.Families}
	if err := out.Last.Kept(sheetsFile, &prev.Sheets); err != nil {
		return nil, err
	}
	if err := prev.Check(out.Dataset); err != nil {
		return nil, err
	}
	return prev, nil
}

// Reusable reports why the last workbook's sheets cannot be copied.
func (Format) Reusable(out *export.Output) error {
	_, err := previous(out)
	return err
}

// Write writes the workbook, and keeps where each family's sheets are.
func (Format) Write(_ context.Context, out *export.Output) error {
	prev, err := previous(out)
	if err != nil {
		return err
	}
	omitted := Omitted{Breakdowns: out.Omitted}
	if len(out.Omitted) > 0 {
		for _, f := range out.Formats {
			if f != "xlsx" {
				omitted.Formats = append(omitted.Formats, f)
			}
		}
	}
	var sheets *Sheets
	err = out.File(fileOf(out), func(w io.Writer) (err error) {
		sheets, err = WriteWith(w, out.Dataset, layoutOf(out), Options{Omitted: omitted, Previous: prev})
		return err
	})
	if err != nil || sheets == nil {
		return err
	}
	return out.Keep(sheetsFile, sheets)
}
