package krm_test

import (
	"io"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/fn"
	"github.com/rocketmq-gitops/rocketmq-gitops/internal/krm"
)

// BenchmarkWrite writes the render of the example cluster (1 770 lines) as
// a ResourceList, with krm.Writer and, for comparison, kio.ByteWriter.
// krm.Writer's clean-up of the nodes is idempotent, so the loop reuses
// them; kio.ByteWriter copies them itself.
func BenchmarkWrite(b *testing.B) {
	items, _ := read(b, exampleCluster)
	out, results := fn.Run(items, nil)
	if results.ExitCode() != 0 || len(out) < 10 {
		b.Fatalf("render failed: %d objects, %v", len(out), results)
	}
	writers := map[string]func([]*yaml.RNode) error{
		"krm.Writer":     krm.Writer{Writer: io.Discard, WrappingKind: kio.ResourceListKind, WrappingAPIVersion: kio.ResourceListAPIVersion}.Write,
		"kio.ByteWriter": kio.ByteWriter{Writer: io.Discard, WrappingKind: kio.ResourceListKind, WrappingAPIVersion: kio.ResourceListAPIVersion}.Write,
	}
	for name, write := range writers {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := write(out); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

const exampleCluster = `apiVersion: rocketmq.gitops.dev/v1alpha1
kind: RocketMQCluster
metadata: {name: orders, namespace: mq}
spec:
  nameServer: {replicas: 3}
  controller: {replicas: 3}
  broker:
    mode: Controller
    groups: 2
    replicasPerGroup: 2
    storage: {size: 50Gi, storageClassName: fast}
    config: {flushDiskType: SYNC_FLUSH}
  proxy: {enabled: true, replicas: 2}
  dashboard: {enabled: true}
  acl: {enabled: true, adminSecretRef: {name: rocketmq-admin}}
  metrics: {enabled: true}
`
