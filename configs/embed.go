package configs

import (
	_ "embed"
	"strings"
)

//go:embed odpe.yaml
var shipped string

// DemoConfig returns the shipped configuration rewritten for a demo tree:
// the same jobs and profiles, with paths relative to the tree itself.
func DemoConfig() []byte {
	return []byte(strings.ReplaceAll(shipped, "../odpe-demo/", ""))
}
