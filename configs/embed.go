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
// per département).
func DemoConfig(jobs map[string]JobSource) ([]byte, error) {
	text := strings.ReplaceAll(shipped, "../odpe-demo/", "")
	if len(jobs) == 0 {
		return []byte(text), nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		return nil, err
	}
	root := doc.Content[0]
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
