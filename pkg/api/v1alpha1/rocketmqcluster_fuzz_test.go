package v1alpha1

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"k8s.io/apimachinery/pkg/api/equality"
	"sigs.k8s.io/yaml"
)

func yamlMarshal(c *RocketMQCluster) ([]byte, error) { return yaml.Marshal(c) }

// FuzzDecodeValidate feeds arbitrary documents through the path every
// input takes: decode, default, validate. None of it may panic, Default
// must be idempotent, and a decoded cluster must survive re-encoding.
func FuzzDecodeValidate(f *testing.F) {
	for _, name := range []string{"full.yaml", "minimal.yaml"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		"", "null", "[]", "{}", "a: b\na: c",
		header + "spec:\n  nameserver: {}\n",
		header + "spec:\n  broker: {mode: Controller, groups: 0, config: {brokerName: x, flushDiskType: 1}}\n  controller: {replicas: 2}\n",
		header + "spec:\n  broker: {storage: {size: -1Gi}, jvm: {heap: 1e3}, metadataSourceGroup: 5}\n",
		header + "spec:\n  broker: {config: {a: {b: c}}}\n  proxy: {replicas: 1.5}\n",
		header + "spec:\n  placement: {topologySpreadConstraints: [{maxSkew: 0}], nodeSelector: {a: null}}\n",
		header + "status: {conditions: [{type: Ready, lastTransitionTime: yesterday}]}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := DecodeCluster(data)
		if err != nil {
			var de *DecodeError
			if errors.As(err, &de) && len(de.FieldErrors()) == 0 {
				t.Fatalf("DecodeError without field errors")
			}
			return
		}
		_ = c.Validate()
		_ = c.Warnings()
		c.Default()
		once := c.DeepCopy()
		c.Default()
		if !equality.Semantic.DeepEqual(once, c) {
			t.Fatalf("Default is not idempotent")
		}
		out, err := yaml.Marshal(c)
		if err != nil {
			t.Fatalf("encoding a decoded cluster: %v", err)
		}
		if _, err := DecodeCluster(out); err != nil {
			t.Fatalf("a decoded, defaulted cluster does not decode again: %v\n%s", err, out)
		}
	})
}

// BenchmarkDecodeValidate measures the per-cluster cost every render pays
// before building objects: strict decoding, Default and Validate.
func BenchmarkDecodeValidate(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("testdata", "full.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		c, err := DecodeCluster(data)
		if err != nil {
			b.Fatal(err)
		}
		c.Default()
		if errs := c.Validate(); len(errs) > 0 {
			b.Fatal(errs)
		}
	}
}
