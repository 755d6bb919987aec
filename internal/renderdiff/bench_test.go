package renderdiff

import (
	"os"
	"strings"
	"testing"
)

// BenchmarkDiffRenderedCluster compares the committed render of the
// kustomize example (about 30 objects, the size of a real cluster) with a
// copy in which every broker pod template changed, the typical review.
func BenchmarkDiffRenderedCluster(b *testing.B) {
	data, err := os.ReadFile("../../examples/rendered/kustomize/manifests.yaml")
	if err != nil {
		b.Fatal(err)
	}
	old, err := Parse(data)
	if err != nil {
		b.Fatal(err)
	}
	changed, err := Parse([]byte(strings.ReplaceAll(string(data), "apache/rocketmq:5.3.3", "apache/rocketmq:5.3.4")))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		r, err := Diff(old, changed)
		if err != nil || r.Empty() {
			b.Fatalf("diff: %v, empty %v", err, r.Empty())
		}
	}
}

func BenchmarkParseRenderedCluster(b *testing.B) {
	data, err := os.ReadFile("../../examples/rendered/kustomize/manifests.yaml")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}
