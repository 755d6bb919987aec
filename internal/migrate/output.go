package migrate

import (
	"bytes"
	"encoding/json"
	"fmt"

	"sigs.k8s.io/yaml"
)

// Encode writes objects as a YAML stream, without the empty status and
// creationTimestamp that Go's zero values would add: the output goes into
// Git, and reads as if written by hand.
func Encode(objs ...any) ([]byte, error) {
	var out bytes.Buffer
	for i, o := range objs {
		m, err := toMap(o)
		if err != nil {
			return nil, err
		}
		delete(m, "status")
		prune(m)
		y, err := yaml.Marshal(m)
		if err != nil {
			return nil, fmt.Errorf("encoding YAML: %w", err)
		}
		if i > 0 {
			out.WriteString("---\n")
		}
		out.Write(y)
	}
	return out.Bytes(), nil
}

func toMap(o any) (map[string]any, error) {
	j, err := json.Marshal(o)
	if err != nil {
		return nil, fmt.Errorf("encoding %T: %w", o, err)
	}
	var m map[string]any
	if err := json.Unmarshal(j, &m); err != nil {
		return nil, fmt.Errorf("decoding %T: %w", o, err)
	}
	return m, nil
}

// prune removes nulls and empty objects, recursively: the Go types'
// non-pointer structs (spec.proxy, spec.acl...) encode as {} when unset.
func prune(m map[string]any) {
	for k, v := range m {
		if child, ok := v.(map[string]any); ok {
			prune(child)
			if len(child) == 0 {
				delete(m, k)
			}
			continue
		}
		if v == nil {
			delete(m, k)
		}
	}
}
