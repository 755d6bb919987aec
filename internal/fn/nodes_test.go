package fn

import (
	"testing"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

func TestToRNode(t *testing.T) {
	obj := map[string]interface{}{
		"kind": "ConfigMap",
		"data": map[string]interface{}{
			"flag":  "true",
			"port":  "5557",
			"conf":  "a=1\nb=2\n",
			"empty": "",
			"yes":   "yes",
			"under": "1_000",
			"ver":   "5.3.3",
			"time":  "1:30",
			"bin":   "0b101",
			"oct":   "0777",
			"hash":  "0a1b",
		},
		"spec": map[string]interface{}{
			"replicas": int64(3),
			"ratio":    0.5,
			"on":       true,
			"none":     nil,
			"list":     []interface{}{"x", int64(1), map[string]interface{}{"k": "v"}},
		},
	}
	n, err := toRNode(obj)
	require.NoError(t, err)
	s, err := n.String()
	require.NoError(t, err)
	require.Equal(t, `data:
  bin: "0b101"
  conf: |
    a=1
    b=2
  empty: ""
  flag: "true"
  hash: 0a1b
  oct: "0777"
  port: "5557"
  time: 1:30
  under: "1_000"
  ver: 5.3.3
  "yes": "yes"
kind: ConfigMap
spec:
  list:
  - x
  - 1
  - k: v
  none: null
  "on": true
  ratio: 0.5
  replicas: 3
`, s)
	require.Equal(t, countNodes(obj), walkCount(n.YNode()), "the slab must be sized exactly")
}

func TestToRNodeRefusesUnknownTypes(t *testing.T) {
	_, err := toRNode(map[string]interface{}{"spec": map[string]interface{}{"x": struct{}{}}})
	require.ErrorContains(t, err, "spec: x: unsupported value of type struct {}")
}

func walkCount(n *yaml.Node) int {
	c := 1
	for _, ch := range n.Content {
		c += walkCount(ch)
	}
	return c
}
