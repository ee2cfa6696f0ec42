package demo

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/odpe/odpe/configs"
	"github.com/odpe/odpe/pipelines/extract/pseudonym"
)

// nationalWorkbook is what the observatoire workbook of a demo of several
// départements carries: every breakdown but the territory and the service
// (about 2 million rows otherwise at national scale).
var nationalWorkbook = []string{"sex", "age_band", "mode", "category", "public", "event"}

// Write generates the demo sources of scale s into dir, with their
// configuration and (if there is none yet) a pseudonymisation key, and
// returns the configuration's path.
func Write(ctx context.Context, dir string, s Scale, seed uint64) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	tree, err := Generate(ctx, dir, s, seed)
	if err != nil {
		return "", fmt.Errorf("generate demo data: %w", err)
	}
	sources := map[string]configs.JobSource{}
	for _, j := range tree.Jobs {
		sources[j.Name] = configs.JobSource{Source: j.Source, Departement: j.Departement}
	}
	var opts []configs.DemoOption
	if len(s.Departements) > 1 {
		opts = append(opts, configs.WorkbookBreakdowns("observatoire", nationalWorkbook, fmt.Sprintf(
			"A workbook for %d départements carries the département-level tables;\n"+
				"the territories' and services' detail is in the profile's Parquet and Arrow files.", len(s.Departements))))
	}
	text, err := configs.DemoConfig(sources, opts...)
	if err != nil {
		return "", err
	}
	cfgPath := filepath.Join(dir, "odpe.yaml")
	if err := os.WriteFile(cfgPath, text, 0o644); err != nil {
		return "", err
	}
	keyPath := filepath.Join(dir, "odpe.key")
	if _, err := os.Stat(keyPath); os.IsNotExist(err) {
		if err := pseudonym.Generate(keyPath); err != nil {
			return "", err
		}
	}
	return cfgPath, nil
}
