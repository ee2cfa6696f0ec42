// Package all registers every export format: import it for its side
// effect. A new format is one new package under pipelines/export that
// registers its export.Format, plus one line here; the configuration
// accepts its name from then on (export.Names).
package all

import (
	_ "github.com/odpe/odpe/pipelines/export/feather"
	_ "github.com/odpe/odpe/pipelines/export/parquet"
	_ "github.com/odpe/odpe/pipelines/export/sdmx"
	_ "github.com/odpe/odpe/pipelines/export/xlsx"
)
