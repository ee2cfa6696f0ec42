package configs

import (
	_ "embed"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

//go:embed odpe.yaml
var shipped string

// JobSource says where a job's files are in a generated tree.
type JobSource struct {
	Source      string // folder or glob, relative to the configuration
	Departement string // COG code, "{folder}", or "" to keep the template's
}

// DemoConfig returns the shipped configuration rewritten for a demo tree:
// the same jobs and profiles, with paths relative to the tree itself, and
// the given jobs' sources and départements (a national tree has one folder
// per département). Options change it further (WorkbookBreakdowns).
func DemoConfig(jobs map[string]JobSource, opts ...DemoOption) ([]byte, error) {
	text := strings.ReplaceAll(shipped, "../odpe-demo/", "")
	if len(jobs) == 0 && len(opts) == 0 {
		return []byte(text), nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		return nil, err
	}
	root := doc.Content[0]
	for _, opt := range opts {
		if err := opt(root); err != nil {
			return nil, err
		}
	}
	jobsNode := valueOf(root, "jobs")
	if jobsNode == nil {
		return nil, fmt.Errorf("shipped configuration has no jobs")
	}
	for i := 0; i+1 < len(jobsNode.Content); i += 2 {
		js, ok := jobs[jobsNode.Content[i].Value]
		if !ok {
			continue
		}
		body := jobsNode.Content[i+1]
		setScalar(body, "source", js.Source)
		if js.Departement != "" {
			setScalar(body, "departement", js.Departement)
		}
	}
	out, err := yaml.Marshal(&doc)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DemoOption changes the demo configuration (its YAML document's root
// mapping) beyond the jobs' sources.
type DemoOption func(root *yaml.Node) error

// WorkbookBreakdowns sets the xlsx_breakdowns of profile to breakdowns,
// with comment (lines without "#") above the key.
func WorkbookBreakdowns(profile string, breakdowns []string, comment string) DemoOption {
	return func(root *yaml.Node) error {
		var body *yaml.Node
		if exports := valueOf(root, "exports"); exports != nil {
			body = valueOf(exports, profile)
		}
		if body == nil || body.Kind != yaml.MappingNode {
			return fmt.Errorf("shipped configuration has no export profile %q", profile)
		}
		list := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle}
		for _, b := range breakdowns {
			list.Content = append(list.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: b})
		}
		if v := valueOf(body, "xlsx_breakdowns"); v != nil {
			*v = *list
			return nil
		}
		body.Content = append(body.Content,
			&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "xlsx_breakdowns", HeadComment: "# " + strings.ReplaceAll(comment, "\n", "\n# ")},
			list)
		return nil
	}
}

func valueOf(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func setScalar(m *yaml.Node, key, value string) {
	if v := valueOf(m, key); v != nil {
		v.Value, v.Tag, v.Style = value, "!!str", yaml.DoubleQuotedStyle
		return
	}
	m.Content = append(m.Content,
		&yaml.Node{Kind: yaml.ScalarNode, Value: key},
		&yaml.Node{Kind: yaml.ScalarNode, Value: value, Tag: "!!str", Style: yaml.DoubleQuotedStyle})
}
