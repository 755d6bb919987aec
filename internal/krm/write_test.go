package krm_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/fn"
	"github.com/rocketmq-gitops/rocketmq-gitops/internal/krm"
)

// TestWriterMatchesByteWriter writes every golden case's input and render
// both ways, as a stream and as a ResourceList, and wants kio.ByteWriter's
// bytes.
func TestWriterMatchesByteWriter(t *testing.T) {
	inputs, err := filepath.Glob("../../testdata/golden/*/input.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, inputs)
	for _, in := range inputs {
		t.Run(filepath.Base(filepath.Dir(in)), func(t *testing.T) {
			data, err := os.ReadFile(in)
			require.NoError(t, err)
			items, fc := read(t, string(data))
			out, _ := fn.Run(items, fc)
			requireSameBytes(t, out, nil, nil, false)
			requireSameBytes(t, out, fc, results(t), true)
			requireSameBytes(t, out, nil, nil, true)
		})
	}
}

// TestWriterEdgeCases covers what the per-object form must print as one
// encoder does, or hand over to kio.ByteWriter.
func TestWriterEdgeCases(t *testing.T) {
	cases := map[string]string{
		"block scalars":       "a: |\n  one\n\n  three\n   indented\nb: |-\n  x\nc: |2\n    leading spaces\n",
		"keep chomping last":  "a: 1\nb: |+\n  kept\n\n",
		"keep chomping first": "b: |+\n  kept\n\na: 1\n",
		"quoted":              "a: ' x '\nb: \"tab\\there\"\nc: 'yes'\nd: ''\ne: \"é ü\"\nf: \"line\\nbreak\\n \"\n",
		"nested sequences":    "a:\n- b:\n  - c\n  - - d\n    - e\n- {}\n- []\nf: {x: 1}\n",
		"wide sequences":      "metadata:\n  annotations:\n    internal.config.kubernetes.io/seqindent: wide\na:\n  - b\n",
		"comments":            "# head\na: 1 # line\n# foot\n",
		"empty annotations":   "metadata:\n  annotations: {}\n  name: x\n",
		"reader annotations":  "metadata:\n  annotations:\n    config.kubernetes.io/index: '3'\n    internal.config.kubernetes.io/index: '3'\n  name: x\n",
		"json file":           "metadata:\n  annotations:\n    config.kubernetes.io/path: x.json\n  name: x\n",
		"long line":           "a: " + string(bytes.Repeat([]byte("word "), 60)) + "end\n",
	}
	for name, doc := range cases {
		t.Run(name, func(t *testing.T) {
			for _, n := range [][]string{{doc}, {doc, doc}, {"k: v\n", doc}, {doc, "k: v\n"}} {
				var nodes []*yaml.RNode
				for _, d := range n {
					nodes = append(nodes, yaml.MustParse(d))
				}
				fc := yaml.MustParse("apiVersion: v1\nkind: ConfigMap\ndata:\n  x: |\n    a\n\n    b\n")
				requireSameBytes(t, nodes, nil, nil, false)
				requireSameBytes(t, nodes, fc, results(t), true)
				requireSameBytes(t, nodes, yaml.MustParse(doc), nil, true)
			}
		})
	}
}

func TestWriterNoItems(t *testing.T) {
	requireSameBytes(t, nil, nil, nil, false)
	requireSameBytes(t, nil, yaml.MustParse("a: 1\n"), results(t), true)
}

// requireSameBytes writes copies of nodes with krm.Writer and kio.ByteWriter.
func requireSameBytes(t *testing.T, nodes []*yaml.RNode, fc, res *yaml.RNode, wrap bool) {
	t.Helper()
	for _, keep := range []bool{false, true} {
		want := bytes.Buffer{}
		bw := kio.ByteWriter{Writer: &want, KeepReaderAnnotations: keep, FunctionConfig: fc, Results: res}
		got := bytes.Buffer{}
		w := krm.Writer{Writer: &got, KeepReaderAnnotations: keep, FunctionConfig: fc, Results: res}
		if wrap {
			bw.WrappingKind, bw.WrappingAPIVersion = kio.ResourceListKind, kio.ResourceListAPIVersion
			w.WrappingKind, w.WrappingAPIVersion = kio.ResourceListKind, kio.ResourceListAPIVersion
		}
		require.NoError(t, bw.Write(copyNodes(nodes)))
		require.NoError(t, w.Write(copyNodes(nodes)))
		require.Equal(t, want.String(), got.String(), "keep reader annotations: %v, wrapped: %v", keep, wrap)
	}
}

func copyNodes(in []*yaml.RNode) []*yaml.RNode {
	out := make([]*yaml.RNode, len(in))
	for i, n := range in {
		out[i] = n.Copy()
	}
	return out
}

func read(t testing.TB, s string) ([]*yaml.RNode, *yaml.RNode) {
	t.Helper()
	r := &kio.ByteReader{Reader: bytes.NewBufferString(s), OmitReaderAnnotations: true}
	items, err := r.Read()
	require.NoError(t, err)
	return items, r.FunctionConfig
}

func results(t *testing.T) *yaml.RNode {
	t.Helper()
	return yaml.MustParse("- message: one\n  severity: warning\n  field:\n    path: spec.x\n- message: |\n    two\n    lines\n  severity: error\n")
}

// TestWriterCommentedInput writes the example cluster as written (with
// comments, flow mappings) followed by its render, as `krm-fn render` does.
func TestWriterCommentedInput(t *testing.T) {
	data, err := os.ReadFile("../../examples/kustomize/base/cluster.yaml")
	require.NoError(t, err)
	items, fc := read(t, string(data))
	out, rs := fn.Run(items, fc)
	require.Zero(t, rs.ExitCode())
	requireSameBytes(t, out, nil, nil, false)
	requireSameBytes(t, append(out[1:], out[0]), nil, nil, false)
	requireSameBytes(t, out, fc, results(t), true)
}
