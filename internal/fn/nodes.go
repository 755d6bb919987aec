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
	n, err := toYNode(obj)
	if err != nil {
		return nil, err
	}
	return yaml.NewRNode(n), nil
}

func toYNode(v interface{}) (*yaml.Node, error) {
	switch x := v.(type) {
	case map[string]interface{}:
		return mappingNode(x)
	case []interface{}:
		return sequenceNode(x)
	case string:
		return stringNode(x), nil
	case bool:
		return scalar(yaml.NodeTagBool, strconv.FormatBool(x)), nil
	case int64:
		return scalar(yaml.NodeTagInt, strconv.FormatInt(x, 10)), nil
	case int:
		return scalar(yaml.NodeTagInt, strconv.Itoa(x)), nil
	case int32:
		return scalar(yaml.NodeTagInt, strconv.FormatInt(int64(x), 10)), nil
	case float64:
		return scalar(yaml.NodeTagFloat, strconv.FormatFloat(x, 'g', -1, 64)), nil
	case nil:
		return scalar(yaml.NodeTagNull, "null"), nil
	default:
		return nil, fmt.Errorf("unsupported value of type %T in a rendered object", v)
	}
}

func mappingNode(m map[string]interface{}) (*yaml.Node, error) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	n := &yaml.Node{Kind: yaml.MappingNode, Tag: yaml.NodeTagMap, Content: make([]*yaml.Node, 0, 2*len(keys))}
	for _, k := range keys {
		val, err := toYNode(m[k])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		n.Content = append(n.Content, stringNode(k), val)
	}
	return n, nil
}

func sequenceNode(s []interface{}) (*yaml.Node, error) {
	n := &yaml.Node{Kind: yaml.SequenceNode, Tag: yaml.NodeTagSeq, Content: make([]*yaml.Node, 0, len(s))}
	for i, e := range s {
		val, err := toYNode(e)
		if err != nil {
			return nil, fmt.Errorf("[%d]: %w", i, err)
		}
		n.Content = append(n.Content, val)
	}
	return n, nil
}

// stringNode is a string scalar; the encoder quotes it when it would
// otherwise read back as another type ("true", "5557"). Multi-line text
// (config files, scripts) is written as a literal block to stay reviewable.
func stringNode(s string) *yaml.Node {
	n := scalar(yaml.NodeTagString, s)
	if strings.Contains(s, "\n") {
		n.Style = yaml.LiteralStyle
	}
	return n
}

func scalar(tag, value string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: value}
}
