package fn

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// FuzzProcess feeds arbitrary bytes through the whole ResourceList
// processing. Run must never panic (nor recover from a panic in a render); whatever it accepts, it must accept
// again on its own output and give the same bytes (idempotence).
func FuzzProcess(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join(goldenDir, "*", "input.yaml"))
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("apiVersion: rocketmq.gitops.dev/v1alpha1\nkind: RocketMQCluster\nmetadata: {name: a}\nspec: {broker: {groups: 1e9}}\n"))
	f.Add([]byte("apiVersion: rocketmq.gitops.dev/v1alpha1\nkind: RocketMQCluster\nmetadata: []\n"))
	f.Add([]byte("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\nfunctionConfig: {kind: RocketMQCluster, apiVersion: rocketmq.gitops.dev/v1alpha1}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := &kio.ByteReader{Reader: bytes.NewReader(data), OmitReaderAnnotations: true}
		items, err := r.Read()
		if err != nil {
			return // not YAML: the framework reports it before we run
		}
		out, results := Run(items, r.FunctionConfig)
		for _, res := range results {
			if strings.HasPrefix(res.Message, internalErrorPrefix) {
				t.Fatalf("panic while rendering: %s", res.Message)
			}
		}
		if results.ExitCode() != 0 {
			return
		}
		first := fuzzEncode(t, out)
		again, err := (&kio.ByteReader{Reader: bytes.NewReader(first), OmitReaderAnnotations: true}).Read()
		if err != nil {
			t.Fatalf("output does not parse: %v\n%s", err, first)
		}
		out2, results2 := Run(again, r.FunctionConfig)
		if results2.ExitCode() != 0 {
			t.Fatalf("second run failed on the first run's output: %v", results2)
		}
		if second := fuzzEncode(t, out2); !bytes.Equal(first, second) {
			t.Fatalf("second run changed the output:\n--- first\n%s\n--- second\n%s", first, second)
		}
	})
}

func fuzzEncode(t *testing.T, nodes []*yaml.RNode) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := (kio.ByteWriter{Writer: &b}).Write(nodes); err != nil {
		t.Fatalf("writing the output: %v", err)
	}
	return b.Bytes()
}
