package fn

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// toRNode builds a YAML node straight from an unstructured object, with
// map keys sorted. It avoids a JSON or YAML round trip per object, which
// dominates the cost of rendering hundreds of clusters.
func toRNode(obj map[string]interface{}) (*yaml.RNode, error) {
	a := nodeAlloc{slab: make([]yaml.Node, countNodes(obj))}
	n, err := a.node(obj)
	if err != nil {
		return nil, err
	}
	return yaml.NewRNode(n), nil
}

// nodeAlloc hands out yaml.Nodes from one slab per object, sized by
// countNodes: a rendered StatefulSet has hundreds of nodes, and allocating
// them one by one made up a third of the function's allocations.
type nodeAlloc struct {
	slab []yaml.Node
}

// countNodes is the number of YAML nodes v becomes: one per value, plus
// one per map key.
func countNodes(v interface{}) int {
	switch x := v.(type) {
	case map[string]interface{}:
		n := 1 + len(x)
		for _, e := range x {
			n += countNodes(e)
		}
		return n
	case []interface{}:
		n := 1
		for _, e := range x {
			n += countNodes(e)
		}
		return n
	default:
		return 1
	}
}

func (a *nodeAlloc) new(kind yaml.Kind, tag, value string) *yaml.Node {
	if len(a.slab) == 0 {
		// Only reached if countNodes and node disagree; stay correct.
		a.slab = make([]yaml.Node, 16)
	}
	n := &a.slab[0]
	a.slab = a.slab[1:]
	n.Kind, n.Tag, n.Value = kind, tag, value
	return n
}

func (a *nodeAlloc) node(v interface{}) (*yaml.Node, error) {
	switch x := v.(type) {
	case map[string]interface{}:
		return a.mapping(x)
	case []interface{}:
		return a.sequence(x)
	case string:
		return a.str(x), nil
	case bool:
		return a.new(yaml.ScalarNode, yaml.NodeTagBool, strconv.FormatBool(x)), nil
	case int64:
		return a.new(yaml.ScalarNode, yaml.NodeTagInt, strconv.FormatInt(x, 10)), nil
	case int:
		return a.new(yaml.ScalarNode, yaml.NodeTagInt, strconv.Itoa(x)), nil
	case int32:
		return a.new(yaml.ScalarNode, yaml.NodeTagInt, strconv.FormatInt(int64(x), 10)), nil
	case float64:
		return a.new(yaml.ScalarNode, yaml.NodeTagFloat, strconv.FormatFloat(x, 'g', -1, 64)), nil
	case nil:
		return a.new(yaml.ScalarNode, yaml.NodeTagNull, "null"), nil
	default:
		return nil, fmt.Errorf("unsupported value of type %T in a rendered object", v)
	}
}

func (a *nodeAlloc) mapping(m map[string]interface{}) (*yaml.Node, error) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	n := a.new(yaml.MappingNode, yaml.NodeTagMap, "")
	n.Content = make([]*yaml.Node, 0, 2*len(keys))
	for _, k := range keys {
		val, err := a.node(m[k])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		n.Content = append(n.Content, a.str(k), val)
	}
	return n, nil
}

func (a *nodeAlloc) sequence(s []interface{}) (*yaml.Node, error) {
	n := a.new(yaml.SequenceNode, yaml.NodeTagSeq, "")
	n.Content = make([]*yaml.Node, 0, len(s))
	for i, e := range s {
		val, err := a.node(e)
		if err != nil {
			return nil, fmt.Errorf("[%d]: %w", i, err)
		}
		n.Content = append(n.Content, val)
	}
	return n, nil
}

// str is a string scalar. The YAML 1.2 encoder quotes it when YAML 1.2
// would read it back as another type ("true", "5557"); strings only YAML
// 1.1 reads as something else ("yes", "on", "0b1", "1_000") are quoted
// here, because kubectl and the API server's YAML decoder are YAML 1.1: a
// nodeSelector value "yes" written bare would reach them as a boolean.
// Multi-line text (config files, scripts) is a literal block, reviewable.
func (a *nodeAlloc) str(s string) *yaml.Node {
	n := a.new(yaml.ScalarNode, yaml.NodeTagString, s)
	switch {
	case strings.Contains(s, "\n"):
		n.Style = yaml.LiteralStyle
	case yaml11NonString(s):
		n.Style = yaml.DoubleQuotedStyle
	}
	return n
}

// yaml11NonString says whether a YAML 1.1 parser reads s, written bare, as
// something other than a string. The encoder already quotes what YAML 1.2
// reads as a number, so only the number forms that YAML 1.1 alone has are
// left: underscores (1_000), binary (0b1) and octal (0777) (go-yaml v2,
// the YAML 1.1 parser Kubernetes uses, reads 1:30 as a string). Parsing
// is costly, so only strings of those shapes are parsed.
func yaml11NonString(s string) bool {
	if s == "" {
		return false
	}
	switch s {
	case "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
		"on", "On", "ON", "off", "Off", "OFF":
		// YAML 1.1 booleans that YAML 1.2 reads as strings.
		return true
	}
	if c := s[0]; (c < '0' || c > '9') && c != '+' && c != '-' && c != '.' {
		return false
	}
	if !yaml11OnlyNumberShape(strings.TrimLeft(s, "+-")) {
		return false
	}
	return yaml.IsValueNonString(s)
}

func yaml11OnlyNumberShape(s string) bool {
	return strings.ContainsAny(s, "_:") || strings.HasPrefix(s, "0b") ||
		(len(s) > 1 && s[0] == '0' && s[1] >= '0' && s[1] <= '9')
}
