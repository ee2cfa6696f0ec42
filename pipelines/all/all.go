// Package all registers every extract job kind: import it for its side
// effect. A new source family is one new package under pipelines/ plus one
// line here and one entry in the configuration.
package all

import (
	_ "github.com/odpe/odpe/pipelines/activityreport"
	_ "github.com/odpe/odpe/pipelines/adoption"
	_ "github.com/odpe/odpe/pipelines/ase"
	_ "github.com/odpe/odpe/pipelines/births"
	_ "github.com/odpe/odpe/pipelines/crip"
	_ "github.com/odpe/odpe/pipelines/establishments"
	_ "github.com/odpe/odpe/pipelines/fostercarers"
	_ "github.com/odpe/odpe/pipelines/pmi"
	_ "github.com/odpe/odpe/pipelines/population"
	_ "github.com/odpe/odpe/pipelines/territories"
	_ "github.com/odpe/odpe/pipelines/traject"
)
