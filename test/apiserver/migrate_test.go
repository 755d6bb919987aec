package apiserver_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/kustomize/kyaml/kio"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/fn"
)

// TestMigratedClustersPassDryRun takes every RocketMQCluster that
// krm-fn migrate wrote in its golden cases (internal/migrate), renders it
// with the KRM function and applies the cluster and everything rendered
// with a server-side dry run, like the golden outputs; the TopicTransfers
// it wrote are applied too, against the real CRD schema.
func TestMigratedClustersPassDryRun(t *testing.T) {
	outputs, err := filepath.Glob(filepath.Join(env.Root, "internal", "migrate", "testdata", "golden", "*", "expected.yaml"))
	if err != nil || len(outputs) == 0 {
		t.Fatalf("no migrate golden outputs: %v", err)
	}
	for _, out := range outputs {
		dir := filepath.Dir(out)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			objs, err := readObjects(out)
			if err != nil {
				t.Fatal(err)
			}
			if !exists(filepath.Join(dir, "topics.txt")) {
				objs = append(objs, renderMigrated(t, out)...)
			}
			applyAllDryRun(t, podSecurityLevel(objs), objs)
		})
	}
}

// renderMigrated runs the KRM function on a migrated cluster and returns
// what it rendered (the cluster itself is already in the caller's list).
func renderMigrated(t *testing.T, path string) []*unstructured.Unstructured {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	items, err := (&kio.ByteReader{Reader: bytes.NewReader(data), OmitReaderAnnotations: true}).Read()
	if err != nil {
		t.Fatal(err)
	}
	out, results := fn.Run(items, nil)
	if results.ExitCode() != 0 {
		t.Fatalf("the KRM function refused %s: %v", path, results)
	}
	var buf bytes.Buffer
	if err := (kio.ByteWriter{Writer: &buf}).Write(out); err != nil {
		t.Fatal(err)
	}
	objs, err := parseObjects(buf.Bytes(), "rendered "+path)
	if err != nil {
		t.Fatal(err)
	}
	var rendered []*unstructured.Unstructured
	for _, o := range objs {
		if o.GetKind() != "RocketMQCluster" {
			rendered = append(rendered, o)
		}
	}
	if len(rendered) == 0 {
		t.Fatalf("%s rendered nothing", path)
	}
	return rendered
}
